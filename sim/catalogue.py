"""The simulator's metrics, named once: what each is called, what it means, its unit, how it
is printed and how it is computed from a finished run.

Results (:func:`sim.results.summarize`), the report (through ``sim.output.report_data``) and
the command line all read this registry; nothing else lists metric names. Units decide how a
number is shown to people (percent, thousands, hours, dates) and how a difference between two
scenarios is shown (percentage points, days).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import methodcaller
from typing import TYPE_CHECKING

from sim import statuses as st
from sim.metrics import DESKS
from sim.types import Tier

if TYPE_CHECKING:
    from sim.measures import Measures

GROUPS = {
    "planner": "Planner's answers",
    "volume": "Volumes",
    "paper": "Paper",
    "time": "Time to status (censoring-corrected)",
    "feedback": "Feedback and due dates",
    "axis": "The axis",
    "desks": "Desks (office-hour utilisation, time at the desk)",
    "backlog": "Backlogs",
    "rollout": "Rollout",
    "events": "Events",
}

Compute = Callable[["Measures"], float]


@dataclass(frozen=True, slots=True)
class Metric:
    """One scalar a run yields. ``headline`` metrics are printed on the terminal and lead the
    report's table; ``key`` ones are the differences a comparison shows first (the report's
    first screen, the onboarding board)."""

    name: str
    label: str
    unit: str
    group: str
    compute: Compute
    headline: bool = False
    key: bool = False

    def __repr__(self) -> str:
        return f"<Metric {self.name} ({self.unit})>"

    def format(self, value: float | None) -> str:
        """``value`` for people: ``12.3 %``, ``1,234,567``, ``24.7 h``, ``2016-09-14``."""
        if value is None or not math.isfinite(value):
            return "n/a"
        return _FORMATS[self.unit](value)

    def format_delta(self, value: float | None) -> str:
        """A difference of this metric between two scenarios: ``+1.2 pp``, ``+30 days``."""
        if value is None or not math.isfinite(value):
            return "n/a"
        return _DELTAS[self.unit](value)


def _hours(v: float) -> str:
    if abs(v) < 1:
        return f"{v * 60:.1f} min"
    if abs(v) >= 72:
        return f"{v:,.0f} h ({v / 24:,.1f} d)"
    return f"{v:,.1f} h"


def _seconds(v: float) -> str:
    if abs(v) < 1:
        return f"{v * 1000:,.0f} ms"
    if abs(v) >= 3600:
        return f"{v / 3600:,.1f} h"
    return f"{v:,.2f} s"


def _count(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.1f}"


def _date(v: float) -> str:
    return date.fromordinal(round(v)).isoformat()


_FORMATS: dict[str, Callable[[float], str]] = {
    "count": _count,
    "share": lambda v: f"{v * 100:.1f} %",
    "hours": _hours,
    "seconds": _seconds,
    "ratio": lambda v: f"{v:,.2f}",
    "rate": lambda v: f"{v:,.2f}/s",
    "date": _date,
}

_DELTAS: dict[str, Callable[[float], str]] = {
    "count": lambda v: ("+" if v >= 0 else "-") + _count(abs(v)),
    "share": lambda v: f"{v * 100:+.1f} pp",
    "hours": lambda v: ("+" if v >= 0 else "-") + _hours(abs(v)),
    "seconds": lambda v: ("+" if v >= 0 else "-") + _seconds(abs(v)),
    "ratio": lambda v: f"{v:+,.2f}",
    "rate": lambda v: f"{v:+,.2f}/s",
    "date": lambda v: f"{v:+,.0f} days",
}


def _m(
    name: str,
    label: str,
    unit: str,
    group: str,
    compute: Compute,
    *,
    headline: bool = False,
    key: bool = False,
) -> Metric:
    return Metric(name, label, unit, group, compute, headline, key)


def _tiers() -> Iterator[Tier]:
    return iter(Tier)


def _build() -> tuple[Metric, ...]:
    out: list[Metric] = []
    add = out.append
    # -- the planner's answers
    for t in _tiers():
        add(
            _m(
                f"paper_free_{t.label}",
                f"{t.label} tier sends 95 % electronically from (date)",
                "date",
                "planner",
                methodcaller("paper_free", t),
                headline=True,
                key=True,
            )
        )
    add(
        _m(
            "axis_peak_hour_jobs_per_s",
            "hub load in the peak hour (messages per second)",
            "rate",
            "planner",
            lambda m: m.peak.jobs_per_s if m.peak else math.nan,
            headline=True,
            key=True,
        )
    )
    add(
        _m(
            "axis_peak_hour_load",
            "peak-hour load against the hub's capacity",
            "share",
            "planner",
            lambda m: m.peak_load,
            headline=True,
            key=True,
        )
    )
    add(
        _m(
            "axis_peak_hour_utilisation",
            "hub servers busy in the peak hour",
            "share",
            "planner",
            lambda m: m.peak.utilisation if m.peak else math.nan,
        )
    )
    add(
        _m(
            "axis_capacity_per_s",
            "hub capacity (messages per second)",
            "rate",
            "planner",
            lambda m: m.axis.capacity_per_s,
        )
    )
    # -- volumes
    add(_m("documents", "documents written", "count", "volume", lambda m: m.documents))
    add(
        _m(
            "deliveries",
            "deliveries (document × recipient)",
            "count",
            "volume",
            lambda m: m.deliveries_total,
            headline=True,
        )
    )
    add(
        _m(
            "deliveries_electronic",
            "deliveries made electronically",
            "count",
            "volume",
            lambda m: m.deliveries_electronic,
        )
    )
    add(
        _m(
            "electronic_share",
            "share delivered electronically",
            "share",
            "volume",
            lambda m: m.electronic_share(),
            headline=True,
            key=True,
        )
    )
    for t in _tiers():
        add(
            _m(
                f"electronic_share_{t.label}",
                f"share delivered electronically to the {t.label} tier",
                "share",
                "volume",
                methodcaller("electronic_share", t),
            )
        )
    add(_m("axis_share", "share through the axis", "share", "volume", lambda m: m.axis_share))
    add(
        _m(
            "axis_documents_sent",
            "documents sent over the axis (national scope)",
            "count",
            "volume",
            lambda m: m.axis_sent,
            headline=True,
        )
    )
    add(
        _m(
            "axis_deliveries_received",
            "deliveries received over the axis (national scope)",
            "count",
            "volume",
            lambda m: m.axis_received,
            headline=True,
        )
    )
    add(
        _m(
            "axis_deliveries_total",
            "sent + received over the axis (national scope)",
            "count",
            "volume",
            lambda m: m.axis_sent + m.axis_received,
        )
    )
    add(
        _m(
            "axis_recipients_per_document",
            "recipients per axis document",
            "ratio",
            "volume",
            lambda m: _ratio(m.axis_received, m.axis_sent),
        )
    )
    add(
        _m(
            "axis_documents_sent_all_tiers",
            "documents sent over the axis, every tier",
            "count",
            "volume",
            lambda m: float(m.metrics.axis_documents.sum()),
        )
    )
    # -- paper
    add(
        _m(
            "paper_letters",
            "paper letters posted (by post, and paper copies)",
            "count",
            "paper",
            lambda m: float(m.metrics.paper_letters),
            headline=True,
            key=True,
        )
    )
    add(
        _m(
            "paper_pages",
            "pages of paper posted",
            "count",
            "paper",
            lambda m: float(m.metrics.paper_pages),
            headline=True,
            key=True,
        )
    )
    add(
        _m(
            "paper_copies",
            "paper copies of electronic deliveries (awaited)",
            "count",
            "paper",
            lambda m: float(m.metrics.paper_copies),
        )
    )
    add(
        _m(
            "pages_saved",
            "pages of electronic deliveries with no paper copy",
            "count",
            "paper",
            lambda m: float(m.metrics.pages_saved),
        )
    )
    # -- time to status, censoring-corrected
    for code in st.RECEIVER_CODES:
        name = st.label(code)
        headline = code in (st.ARRIVED, st.ACCEPTED, st.ASSIGNED, st.COMPLETED)
        add(
            _m(
                f"tts_{code:02d}_median_h",
                f"time to status {name} back at the sender, median",
                "hours",
                "time",
                methodcaller("tts", code, 0.5),
                headline=headline,
                key=code == st.COMPLETED,
            )
        )
        add(
            _m(
                f"tts_{code:02d}_p95_h",
                f"time to status {name}, 95th percentile",
                "hours",
                "time",
                methodcaller("tts", code, 0.95),
                headline=code == st.COMPLETED,
            )
        )
    add(
        _m(
            "tts_06_open_share",
            "electronic deliveries with no 06 back at the end",
            "share",
            "time",
            lambda m: m.open_share(st.COMPLETED),
        )
    )
    for code, what in ((st.ACCEPTED, "registered"), (st.COMPLETED, "completed")):
        add(
            _m(
                f"paper_tts_{code:02d}_median_h",
                f"paper: time from posting until {what}, median",
                "hours",
                "time",
                methodcaller("tts", code, 0.5, paper=True),
                headline=code == st.COMPLETED,
            )
        )
        add(
            _m(
                f"paper_tts_{code:02d}_p95_h",
                f"paper: time from posting until {what}, 95th pct",
                "hours",
                "time",
                methodcaller("tts", code, 0.95, paper=True),
            )
        )
    # -- feedback and due dates
    add(
        _m(
            "feedback_complete_share",
            "documents with a final status from every e-recipient",
            "share",
            "feedback",
            lambda m: m.feedback_complete,
            headline=True,
        )
    )
    add(
        _m(
            "overdue_share",
            "deliveries completed after their due date",
            "share",
            "feedback",
            lambda m: m.overdue(),
        )
    )
    for t in _tiers():
        add(
            _m(
                f"overdue_share_{t.label}",
                f"deliveries to the {t.label} tier completed late",
                "share",
                "feedback",
                methodcaller("overdue", t),
            )
        )
    # -- the axis
    add(_m("axis_jobs", "messages through the axis", "count", "axis", lambda m: float(m.axis.jobs)))
    add(
        _m(
            "axis_arrival_rate_per_s",
            "messages per second, round the clock",
            "rate",
            "axis",
            lambda m: m.axis.jobs / m.window_seconds,
        )
    )
    add(
        _m(
            "axis_utilisation",
            "axis utilisation, round the clock",
            "share",
            "axis",
            lambda m: m.axis_utilisation(office=False),
        )
    )
    add(
        _m(
            "axis_office_utilisation",
            "axis utilisation in office hours",
            "share",
            "axis",
            lambda m: m.axis_utilisation(office=True),
            headline=True,
            key=True,
        )
    )
    add(
        _m(
            "axis_wait_mean_s",
            "axis wait, mean",
            "seconds",
            "axis",
            lambda m: _ratio(m.axis.wait_sum, m.axis.jobs),
            headline=True,
        )
    )
    add(
        _m(
            "axis_wait_p95_s",
            "axis wait, 95th percentile",
            "seconds",
            "axis",
            lambda m: m.axis_wait(0.95),
        )
    )
    add(
        _m(
            "axis_wait_p99_s",
            "axis wait, 99th percentile",
            "seconds",
            "axis",
            lambda m: m.axis_wait(0.99),
        )
    )
    add(_m("axis_wait_max_s", "axis wait, longest", "seconds", "axis", lambda m: m.axis.wait_max))
    add(
        _m(
            "axis_waited_share",
            "messages that waited for a server",
            "share",
            "axis",
            lambda m: _ratio(m.axis.waited, m.axis.jobs),
        )
    )
    add(
        _m(
            "axis_queue_mean",
            "axis queue, time-weighted mean",
            "ratio",
            "axis",
            lambda m: m.axis_hours("hour_queue") / m.window_seconds,
        )
    )
    add(
        _m(
            "axis_queue_max",
            "axis queue, longest",
            "count",
            "axis",
            lambda m: m.axis_queue_max,
            headline=True,
        )
    )
    add(
        _m(
            "axis_in_service_mean",
            "axis servers busy, time-weighted mean",
            "ratio",
            "axis",
            lambda m: m.axis_hours("hour_busy") / m.window_seconds,
        )
    )
    # -- desks
    for t in _tiers():
        for d, desk in enumerate(DESKS):
            add(
                _m(
                    f"desk_utilisation_{t.label}_{desk}",
                    f"{desk}s of the {t.label} tier, busy in office hours",
                    "share",
                    "desks",
                    methodcaller("desk_utilisation", d, t),
                )
            )
            add(
                _m(
                    f"desk_time_h_{t.label}_{desk}",
                    f"time at the {desk}s' desk ({t.label} tier), mean",
                    "hours",
                    "desks",
                    methodcaller("desk_time", d, t),
                )
            )
    # -- backlogs
    for t in _tiers():
        add(
            _m(
                f"backlog_mean_{t.label}",
                f"backlog of the {t.label} tier, mean",
                "count",
                "backlog",
                methodcaller("backlog_mean", t),
            )
        )
        add(
            _m(
                f"backlog_end_{t.label}",
                f"backlog of the {t.label} tier at the end",
                "count",
                "backlog",
                methodcaller("backlog_end", t),
            )
        )
        add(
            _m(
                f"handling_mean_h_{t.label}",
                f"arrival to completion at the {t.label} tier, mean",
                "hours",
                "backlog",
                methodcaller("handling_mean", t),
            )
        )
    # -- rollout
    for t in _tiers():
        add(
            _m(
                f"connected_share_end_{t.label}",
                f"{t.label} agencies connected at the end",
                "share",
                "rollout",
                methodcaller("connected_share", t),
            )
        )
    # -- events
    for name, label, value in (
        (
            "take_backs",
            "take-back requests (13) answered",
            lambda m: float(m.metrics.take_backs[0]),
        ),
        ("take_backs_agreed", "take-backs agreed (15)", lambda m: float(m.metrics.take_backs[1])),
        (
            "take_backs_refused_by_lifecycle",
            "13s the lifecycle did not allow",
            lambda m: float(m.metrics.take_backs[2]),
        ),
        ("refusals", "deliveries refused (02)", lambda m: float(m.metrics.refused)),
        (
            "report_backs",
            "reports written back for steering documents",
            lambda m: float(m.metrics.report_backs),
        ),
        (
            "withdrawn",
            "deliveries withdrawn before their handling ended",
            lambda m: float(m.metrics.withdrawn),
        ),
    ):
        add(_m(name, label, "count", "events", value))
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        raise RuntimeError("a metric name is registered twice")
    return tuple(out)


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else math.nan


METRICS: tuple[Metric, ...] = _build()
BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
HEADLINE: tuple[Metric, ...] = tuple(m for m in METRICS if m.headline)
KEY: tuple[Metric, ...] = tuple(m for m in METRICS if m.key)
"""The differences a comparison shows first: the report's first screen, the board's table."""


def metric(name: str) -> Metric:
    """The metric called ``name``; ``KeyError`` names the close ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        close = [n for n in BY_NAME if name.split("_")[0] in n][:8]
        raise KeyError(f"no metric {name!r}; did you mean one of {close}?") from None


def describe() -> list[dict[str, str | bool]]:
    """The registry as plain data (for reports that must not import the simulator)."""
    return [
        {"name": m.name, "label": m.label, "unit": m.unit, "group": m.group, "headline": m.headline}
        for m in METRICS
    ]
