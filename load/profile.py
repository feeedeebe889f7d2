"""Traffic profiles: how much each connection system sends to the axis and how often it polls,
hour by hour, as a load run replays it.

A profile is what the national network asks of the axis: per connection system, the documents
it sends and the times it polls its inbox in each hour. It comes from a simulation
(``lienthong sim`` exports one) or from the built-in :func:`national_2022`, the volume the axis
really carried in July 2022 spread over the working hours of that month. A load run takes one
hour of a profile (the busiest by default) and plays it at ``scale`` times its volume.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from load.errors import ProfileError
from spec.jsonmap import Codec, JsonMapped, Layout

FORMAT = "lienthong-traffic-profile"
FORMAT_VERSION = 1

# SPEC §6: July 2022 on the national axis.
JULY_2022_DOCUMENTS = 135_164
JULY_2022_DELIVERIES = 485_666
# July 2022 had 21 weekdays; the simulator's default office hours are 07:30-11:30 and
# 13:30-17:00, 7.5 hours a day. No hourly figures were published, so the month's volume is
# spread evenly over those hours: the average working hour is the profile's only hour.
JULY_2022_WORKING_DAYS = 21
WORKING_HOURS_PER_DAY = 7.5
NATIONAL_2022_WORKING_SECONDS = JULY_2022_WORKING_DAYS * WORKING_HOURS_PER_DAY * 3600
NATIONAL_2022_DELIVERIES_PER_S = JULY_2022_DELIVERIES / NATIONAL_2022_WORKING_SECONDS
"""Deliveries per second in an average working hour of July 2022 (about 0.86): the "about one
delivery a second" the axis carried at its 2022 peak."""
NATIONAL_2022_RECIPIENTS_MEAN = JULY_2022_DELIVERIES / JULY_2022_DOCUMENTS
# The simulator's default: connection systems poll every 5 minutes.
DEFAULT_POLLS_PER_HOUR = 12.0
# Statuses a receiver sends per delivery with the load users' default lifecycle (1 % refusals
# with one 02; otherwise 01, 03/04/05 each kept with 80 %, 06): 0.01 + 0.99 * (2 + 3 * 0.8).
DEFAULT_STATUSES_PER_DELIVERY = 0.01 + 0.99 * (2 + 3 * 0.8)
SIM_COLUMNS = ("system", "hour", "sends_per_hour", "polls_per_hour")

__all__ = [
    "NATIONAL_2022_DELIVERIES_PER_S",
    "NATIONAL_2022_RECIPIENTS_MEAN",
    "SystemTraffic",
    "TrafficProfile",
    "from_sim_csv",
    "load_profile",
    "national_2022",
]


def _rates(name: str, values: Sequence[Any]) -> tuple[float, ...]:
    out = []
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProfileError(f"{name}[{i}]={value!r} must be a number")
        if not math.isfinite(value) or value < 0:
            raise ProfileError(f"{name}[{i}]={value!r} must be a finite number >= 0")
        out.append(float(value))
    return tuple(out)


RATES = Codec(list, lambda values: _rates("rates", values))
"""Hourly rates, read as floats whatever a hand-written file gives."""


@dataclass(frozen=True, slots=True)
class SystemTraffic(JsonMapped):
    """One connection system: documents it sends and polls it makes, per hour of the profile."""

    json_layout: ClassVar[Layout] = Layout(codecs={"documents": RATES, "polls": RATES})

    system_id: str
    documents: tuple[float, ...]
    polls: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.system_id or self.system_id != self.system_id.strip():
            raise ProfileError(f"system_id={self.system_id!r} must be non-empty, without spaces")
        if len(self.documents) != len(self.polls):
            raise ProfileError(
                f"system {self.system_id!r} has {len(self.documents)} hours of documents but "
                f"{len(self.polls)} hours of polls"
            )
        _rates(f"{self.system_id}.documents", self.documents)
        _rates(f"{self.system_id}.polls", self.polls)


@dataclass(frozen=True, slots=True)
class TrafficProfile(JsonMapped):
    """Per-system hourly traffic. ``recipients_mean`` is the mean number of recipient agencies
    of a document; ``hour_labels`` name the hours (ISO times, or "" when the source has
    none). Its JSON form names the format and version; a hand-written one may leave out
    ``name``, ``source``, ``recipients_mean`` (July 2022's) and ``hour_labels``."""

    json_layout: ClassVar[Layout] = Layout(
        tags={"format": FORMAT, "version": FORMAT_VERSION},
        order=("format", "version", "name", "source", "recipients_mean", "hour_labels", "systems"),
        missing={
            "name": "",
            "source": "",
            "recipients_mean": NATIONAL_2022_RECIPIENTS_MEAN,
            "hour_labels": (),
        },
        error=ProfileError,
        what="traffic profile",
    )
    name: str
    source: str
    systems: tuple[SystemTraffic, ...]
    recipients_mean: float
    hour_labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.systems:
            raise ProfileError(f"profile {self.name!r} has no systems")
        hours = {len(s.documents) for s in self.systems}
        if len(hours) != 1 or 0 in hours:
            raise ProfileError(
                f"profile {self.name!r}: every system needs the same number of hours (>= 1), "
                f"found {sorted(hours)}"
            )
        ids = [s.system_id for s in self.systems]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise ProfileError(f"profile {self.name!r} lists systems {twice!r} more than once")
        if not math.isfinite(self.recipients_mean) or self.recipients_mean < 1:
            raise ProfileError(f"recipients_mean={self.recipients_mean!r} must be >= 1")
        if self.hour_labels and len(self.hour_labels) != self.hours:
            raise ProfileError(
                f"hour_labels has {len(self.hour_labels)} labels for {self.hours} hours"
            )

    @property
    def hours(self) -> int:
        return len(self.systems[0].documents)

    def documents_in(self, hour: int) -> float:
        """Documents sent in ``hour`` by every system together."""
        self._check_hour(hour)
        return sum(s.documents[hour] for s in self.systems)

    def peak_hour(self) -> int:
        """The hour with the most documents (the first of equals)."""
        totals = [self.documents_in(h) for h in range(self.hours)]
        return totals.index(max(totals))

    def _check_hour(self, hour: int) -> None:
        if not 0 <= hour < self.hours:
            raise ProfileError(f"hour={hour!r} must be in 0..{self.hours - 1}")


def national_2022(era: str = "2024") -> TrafficProfile:
    """The national axis in an average working hour of July 2022: 135,164 documents and 485,666
    deliveries that month, shared evenly by the connection systems of ``era`` (93 for "2024":
    the ministries and the 63 provinces), each polling every 5 minutes."""
    from fixtures.agencies import national_agencies

    system_ids = sorted({a.system_id for a in national_agencies(era)})
    per_hour = JULY_2022_DOCUMENTS / (JULY_2022_WORKING_DAYS * WORKING_HOURS_PER_DAY)
    share = per_hour / len(system_ids)
    return TrafficProfile(
        name="national-2022",
        source=(
            "SPEC §6: July 2022, 135,164 documents and 485,666 deliveries over 21 working days "
            "of 7.5 hours, shared evenly by the connection systems"
        ),
        systems=tuple(
            SystemTraffic(sid, (share,), (DEFAULT_POLLS_PER_HOUR,)) for sid in system_ids
        ),
        recipients_mean=NATIONAL_2022_RECIPIENTS_MEAN,
        hour_labels=("2022-07 average working hour",),
    )


def from_sim_csv(
    text: str,
    *,
    name: str,
    recipients_mean: float = NATIONAL_2022_RECIPIENTS_MEAN,
    statuses_per_delivery: float = DEFAULT_STATUSES_PER_DELIVERY,
) -> TrafficProfile:
    """A profile from the simulator's ``traffic_profile.csv`` (``lienthong sim run --profile``):
    one row per system and hour of the day with ``sends_per_hour`` (documents *and* statuses
    sent to the axis) and ``polls_per_hour``.

    The load users send the statuses themselves, so only documents are taken from the file:
    each document brings ``recipients_mean * statuses_per_delivery`` statuses, so a system's
    documents are its sends divided by ``1 + recipients_mean * statuses_per_delivery``. The
    total number of messages sent to the axis is the simulation's."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SIM_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ProfileError(f"{name}: a simulator profile needs the columns {missing!r}")
    per_document = 1.0 + recipients_mean * statuses_per_delivery
    series: dict[str, dict[int, tuple[float, float]]] = {}
    for number, row in enumerate(reader, start=2):
        try:
            hour = int(row["hour"])
            sends = float(row["sends_per_hour"] or 0.0)
            polls = float(row["polls_per_hour"] or 0.0)
        except ValueError as exc:
            raise ProfileError(f"{name} line {number}: {exc}") from None
        if not 0 <= hour < 24:
            raise ProfileError(f"{name} line {number}: hour={hour!r} must be in 0..23")
        series.setdefault(row["system"], {})[hour] = (sends / per_document, polls)
    hours = sorted({h for by_hour in series.values() for h in by_hour})
    systems = tuple(
        SystemTraffic(
            system_id,
            _rates(f"{system_id}.documents", [by_hour.get(h, (0.0, 0.0))[0] for h in hours]),
            _rates(f"{system_id}.polls", [by_hour.get(h, (0.0, 0.0))[1] for h in hours]),
        )
        for system_id, by_hour in sorted(series.items())
    )
    return TrafficProfile(
        name=name,
        source=(
            f"simulator traffic profile; documents = sends / {per_document:.2f} "
            f"({recipients_mean:.2f} recipients x {statuses_per_delivery:.2f} statuses each)"
        ),
        systems=systems,
        recipients_mean=recipients_mean,
        hour_labels=tuple(f"{h:02d}:00" for h in hours),
    )


def load_profile(path: Path) -> TrafficProfile:
    """Read a profile file: the simulator's CSV export, or this module's JSON form;
    ``ProfileError`` says why when it cannot."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ProfileError(f"profile {str(path)!r} cannot be read: {exc.strerror or exc}") from None
    if text.lstrip().startswith("system"):
        return from_sim_csv(text, name=Path(path).stem)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProfileError(f"profile {str(path)!r} is not JSON: {exc}") from None
    return TrafficProfile.from_json(data, where=f"profile {str(path)!r}")
