"""The plan of one load run: which connection systems the locust users play, with what
credentials, agencies and rates, and how every one of them behaves.

A plan is made once, by the harness, from a traffic profile and the run's settings
(:func:`make_plan`), written as JSON into the run folder and read by every locust process, so
that a master and its workers (on this machine or others) play the same systems. Each user
*slot* is one connection system: its own ``systemId`` and secret, the agencies it serves, the
documents it sends per second and how often it polls.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar, Literal

from load.errors import PlanError
from load.profile import TrafficProfile
from spec.clock import vietnam_today
from spec.jsonmap import JsonMapped, Layout

Lifecycle = Literal["full", "arrived"]
PLAN_FORMAT = "lienthong-load-plan"

__all__ = ["Behaviour", "LoadPlan", "SlotPlan", "make_plan", "secret_for"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How every simulated connection system behaves.

    Documents: serialized sizes are lognormal around ``doc_bytes_median`` (``doc_bytes_sigma``,
    at most ``doc_bytes_max``), recipients ``1 + Poisson(recipients_mean - 1)``, each on a
    different system. Receiving: ``download_share`` of downloads use ``downloadEdoc``, the rest
    ``getEdoc``. Statuses (``lifecycle="full"``): 02 with ``refusal_rate``, otherwise 01, then
    03, 04, 05 each unless skipped (``skip_rate``), then 06, spaced by exponential gaps of mean
    ``status_gap_s``; ``"arrived"`` sends 01 only (the axis benchmark's exchange). Every call is
    retried up to ``retries`` times after a transport error or an ``Unavailable``/internal
    answer, with the same bytes, as the SDK does; a message that still fails stays queued.
    When the sending window is over, systems drain: no new documents, every pending status goes
    out at once and inboxes are polled every ``drain_poll_s``.
    """

    recipients_mean: float = 3.6
    doc_bytes_median: int = 30_000
    doc_bytes_sigma: float = 0.8
    doc_bytes_max: int = 512_000
    templates: int = 6
    download_share: float = 0.5
    lifecycle: Lifecycle = "full"
    refusal_rate: float = 0.01
    skip_rate: float = 0.2
    status_gap_s: float = 1.0
    retries: int = 3
    drain_poll_s: float = 0.25
    carry_stale_headers: bool = True
    today: str = field(default_factory=lambda: vietnam_today().isoformat())

    def __post_init__(self) -> None:
        checks = {
            "recipients_mean": self.recipients_mean >= 1,
            "doc_bytes_median": 2_000 <= self.doc_bytes_median <= self.doc_bytes_max,
            "doc_bytes_sigma": 0 <= self.doc_bytes_sigma <= 3,
            "templates": self.templates >= 1,
            "download_share": 0 <= self.download_share <= 1,
            "lifecycle": self.lifecycle in ("full", "arrived"),
            "refusal_rate": 0 <= self.refusal_rate <= 1,
            "skip_rate": 0 <= self.skip_rate <= 1,
            "status_gap_s": self.status_gap_s >= 0,
            "retries": 0 <= self.retries <= 10,
            "drain_poll_s": 0 < self.drain_poll_s <= 10,
        }
        for name, ok in checks.items():
            if not ok:
                raise PlanError(f"{name}={getattr(self, name)!r} is out of range")
        date.fromisoformat(self.today)


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """One locust user: a connection system with its credentials, agencies and rates."""

    index: int
    system_id: str
    secret: str = field(repr=False)
    agencies: tuple[str, ...]
    documents_per_s: float
    poll_interval_s: float


@dataclass(frozen=True, slots=True)
class LoadPlan(JsonMapped):
    """Everything the locust processes need. ``send_seconds`` is the sending window; the
    ``journal_dir`` receives one journal file per locust process."""

    json_layout: ClassVar[Layout] = Layout(
        tags={"format": PLAN_FORMAT}, error=PlanError, what="load plan"
    )

    run_id: str
    seed: int
    axis_url: str
    profile: str
    hour: int
    scale: float
    send_seconds: float
    journal_dir: str
    behaviour: Behaviour
    slots: tuple[SlotPlan, ...]

    @property
    def documents_per_s(self) -> float:
        """Documents per second the plan offers, every system together."""
        return sum(s.documents_per_s for s in self.slots)

    @property
    def deliveries_per_s(self) -> float:
        """Deliveries per second the plan offers (documents times expected recipients)."""
        return self.documents_per_s * expected_recipients(
            self.behaviour.recipients_mean, len(self.slots) - 1
        )

    def system_of(self) -> dict[str, str]:
        """Agency code → the system id that serves it, for every slot."""
        return {code: s.system_id for s in self.slots for code in s.agencies}

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), "utf-8")
        return path

    @classmethod
    def read(cls, path: Path | str) -> LoadPlan:
        try:
            return cls.from_json(json.loads(Path(path).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlanError(f"plan {str(path)!r} cannot be read: {exc}") from exc


def expected_recipients(mean: float, others: int) -> float:
    """The mean of ``1 + Poisson(mean - 1)`` capped at ``others``."""
    lam = mean - 1.0
    if others <= 0:
        return 0.0
    # E[min(1 + X, n)] = sum over k < n of P(1 + X > k) = 1 + sum_{j=0}^{n-2} P(X > j)
    term = cdf = math.exp(-lam)
    total = 1.0
    for j in range(others - 1):
        total += 1.0 - cdf
        term *= lam / (j + 1)
        cdf += term
    return total


def secret_for(seed: int, system_id: str) -> str:
    """The load run's secret for ``system_id`` (24 hex characters, derived from the seed)."""
    return hashlib.sha256(f"lienthong-load:{seed}:{system_id}".encode()).hexdigest()[:24]


@functools.cache
def _agencies_by_system() -> dict[str, tuple[str, ...]]:
    from fixtures.agencies import ERAS, national_agencies

    found: dict[str, list[str]] = {}
    for era in ERAS:
        for agency in national_agencies(era):
            codes = found.setdefault(agency.system_id, [])
            if agency.organ_id not in codes:
                codes.append(agency.organ_id)
    return {k: tuple(v) for k, v in found.items()}


def make_plan(
    profile: TrafficProfile,
    *,
    users: int,
    scale: float,
    seed: int,
    axis_url: str,
    run_id: str,
    send_seconds: float,
    journal_dir: Path,
    hour: int | None = None,
    agencies_per_system: int = 3,
    max_poll_interval_s: float = 2.0,
    behaviour: Behaviour | None = None,
) -> LoadPlan:
    """Pick the ``users`` busiest systems of ``profile`` in ``hour`` (the peak by default;
    ties broken by a draw from ``seed``) and give them the whole hour's documents times
    ``scale``, in proportion to what each sends. Polls scale too, but a system polls at least
    every ``max_poll_interval_s`` so a short run sees its documents through."""
    if users < 2:
        raise PlanError(f"users={users!r} must be at least 2: documents go to other systems")
    if len(profile.systems) < users:
        raise PlanError(
            f"users={users!r} but profile {profile.name!r} has only {len(profile.systems)} "
            "connection systems"
        )
    if not scale > 0:
        raise PlanError(f"scale={scale!r} must be > 0")
    if agencies_per_system < 1:
        raise PlanError(f"agencies_per_system={agencies_per_system!r} must be >= 1")
    if not 0 < max_poll_interval_s <= 3600:
        raise PlanError(f"max_poll_interval_s={max_poll_interval_s!r} must be in (0, 3600]")
    hour = profile.peak_hour() if hour is None else hour
    total = profile.documents_in(hour)
    if total <= 0:
        raise PlanError(f"profile {profile.name!r} sends no documents in hour {hour}")
    rng = random.Random(f"lienthong-load-plan:{seed}")
    ties = {s.system_id: rng.random() for s in profile.systems}
    chosen = sorted(profile.systems, key=lambda s: (-s.documents[hour], ties[s.system_id]))
    chosen = chosen[:users]
    weights = [s.documents[hour] for s in chosen]
    if sum(weights) == 0:
        weights = [1.0] * users
    known = _agencies_by_system()
    slots = []
    for index, (system, weight) in enumerate(zip(chosen, weights, strict=True)):
        agencies = known.get(system.system_id)
        if agencies is None:
            raise PlanError(
                f"system {system.system_id!r} of profile {profile.name!r} is not a connection "
                "system of the fixture registry (fixtures.agencies)"
            )
        polls = system.polls[hour] * scale
        interval = min(max_poll_interval_s, 3600.0 / polls) if polls > 0 else max_poll_interval_s
        slots.append(
            SlotPlan(
                index=index,
                system_id=system.system_id,
                secret=secret_for(seed, system.system_id),
                agencies=agencies[:agencies_per_system],
                documents_per_s=total * scale * weight / sum(weights) / 3600.0,
                poll_interval_s=interval,
            )
        )
    if behaviour is None:
        behaviour = Behaviour(recipients_mean=profile.recipients_mean)
    return LoadPlan(
        run_id=run_id,
        seed=seed,
        axis_url=axis_url,
        profile=profile.name,
        hour=hour,
        scale=scale,
        send_seconds=send_seconds,
        journal_dir=str(journal_dir),
        behaviour=behaviour,
        slots=tuple(slots),
    )
