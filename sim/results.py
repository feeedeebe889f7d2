"""What one run yields, as plain data: scalar metrics, tables, time series, traces, a profile.

:func:`summarize` turns a finished :class:`sim.model.Model` into a :class:`RunResult` that
pickles small (it crosses process and cluster boundaries) and serialises to JSON and CSV
byte for byte the same for the same seed. Scalars are the metrics of :mod:`sim.catalogue`,
over the measurement window (after the warm-up); series cover the whole run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

import numpy as np

from sim import cohorts
from sim import statuses as st
from sim.catalogue import METRICS
from sim.measures import Measures
from sim.metrics import CLASSES
from sim.model import Model
from sim.planner import trailing_share
from sim.types import DAY, HOUR, Channel, Tier
from spec.jsonmap import JsonWritable, Layout

CDF_CODES = (st.ARRIVED, st.ACCEPTED, st.ASSIGNED, st.COMPLETED)
"""The statuses whose time-from-sending curves the report draws."""


@dataclass
class RunResult(JsonWritable):
    """One replication's results. ``scalars`` are the numbers replications are averaged on;
    the JSON form has everything but the lifecycle audit."""

    json_layout: ClassVar[Layout] = Layout(omit=("audit",))

    scenario: str
    seed: int
    start: str
    days: int
    warmup_days: int
    tiers: list[str]
    phases: list[str]
    plan: list[dict[str, Any]]
    scalars: dict[str, float]
    time_to_status: list[dict[str, Any]]
    daily: dict[str, list[Any]]
    hourly: dict[str, list[float]]
    tts_cdf: dict[str, list[list[float]]]
    provinces: list[dict[str, Any]]
    axis_day: list[float]
    profile: list[dict[str, Any]]
    traces: list[dict[str, Any]]
    log: list[tuple[float, str]]
    warnings: list[str]
    validation: list[dict[str, Any]]
    audit: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<RunResult {self.scenario} seed={self.seed} days={self.days}>"


def summarize(model: Model) -> RunResult:
    """The results of a finished run."""
    m = Measures(model)
    tiers = [t.label for t in Tier]
    phases = model.rollout.labels
    scalars = {metric.name: _clean(metric.compute(m)) for metric in METRICS}
    return RunResult(
        scenario=model.config.name,
        seed=model.seed,
        start=model.config.start.isoformat(),
        days=model.config.days,
        warmup_days=model.config.warmup_days,
        tiers=tiers,
        phases=phases,
        plan=[
            {
                "name": p.name,
                "title": p.title,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "shift_days": model.config.shifts.get(p.name, 0),
                "agencies": int((model.rollout.phase == i).sum()),
            }
            for i, p in enumerate(model.rollout.phases)
        ],
        scalars=scalars,
        time_to_status=_tts_table(model, tiers, phases),
        daily=_daily(m),
        hourly=_hourly(m),
        tts_cdf=_tts_cdf(model),
        provinces=_provinces(m),
        axis_day=_axis_day(m),
        profile=traffic_profile(model),
        traces=_traces(model),
        log=[(float(t), what) for t, what in model.log],
        warnings=model.config.warnings(),
        validation=_validation(m),
        audit=model.audit,
    )


def _clean(value: float) -> float:
    value = float(value)
    return value if math.isfinite(value) else float("nan")


def _tts_table(model: Model, tiers: list[str], phases: list[str]) -> list[dict[str, Any]]:
    """Per status, class of delivery and group (tier, phase, week of sending): deliveries,
    statuses observed, the share still open at the end, and censoring-corrected quantiles."""
    m = model.metrics
    start = model.calendar.start
    group, week, sums = m.tts_group, m.tts_week, m.tts_sum
    rows = []
    for code in st.RECEIVER_CODES:
        c = st.CODE_INDEX[code]
        for k, cls in enumerate(CLASSES):
            groups = [
                ("tier", tiers[i], group[c, k, i].sum(axis=0), m.follow_group[k, i].sum(axis=0))
                for i in range(len(tiers))
            ]
            groups += [
                (
                    "phase",
                    phases[p],
                    group[c, k, :, p].sum(axis=0),
                    m.follow_group[k, :, p].sum(axis=0),
                )
                for p in range(len(phases))
            ]
            groups += [
                (
                    "week",
                    (start + timedelta(days=7 * w)).isoformat(),
                    week[c, k, w],
                    m.follow_week[k, w],
                )
                for w in range(m.weeks)
            ]
            for by, name, events, follow in groups:
                if not follow.sum() or not events.sum():
                    continue
                row: dict[str, Any] = {"code": f"{code:02d}", "class": cls, "by": by, "group": name}
                row.update({k2: _clean(v) for k2, v in cohorts.summary(events, follow).items()})
                row["n"] = int(row["n"])
                row["observed"] = int(row["observed"])
                if by == "tier":
                    row["mean_observed_h"] = _clean(
                        sums[c, k, tiers.index(name)] / events.sum() / HOUR
                    )
                rows.append(row)
    return rows


def _tts_cdf(model: Model) -> dict[str, list[list[float]]]:
    """Censoring-corrected curves of time to status by recipient tier (electronic)."""
    m = model.metrics
    out = {}
    for code in CDF_CODES:
        c = st.CODE_INDEX[code]
        out[f"{code:02d}"] = [
            cohorts.stratified(m.tts_group[c, 0, t].sum(axis=0), m.follow_group[0, t].sum(axis=0))
            .round(6)
            .tolist()
            for t in range(len(Tier))
        ]
    return out


def _daily(m: Measures) -> dict[str, list[Any]]:
    model, metrics = m.model, m.metrics
    out: dict[str, list[Any]] = {
        "date": [(model.calendar.start + timedelta(days=d)).isoformat() for d in range(model.days)],
        "measured": [d >= m.first_day for d in range(model.days)],
    }
    per_day = metrics.deliveries
    total = per_day.sum(axis=(1, 2))
    out["deliveries"] = total.astype(float).tolist()
    for ch in Channel:
        out[f"deliveries_{ch.label}"] = per_day[:, :, ch].sum(axis=1).astype(float).tolist()
    out["electronic_share"] = _share(per_day[:, :, : Channel.PAPER].sum(axis=(1, 2)), total)
    for t in Tier:
        out[f"electronic_share_{t.label}"] = _share(
            per_day[:, t, : Channel.PAPER].sum(axis=1), per_day[:, t].sum(axis=1)
        )
        sent = metrics.sent_by_tier[:, t]
        out[f"sent_electronic_7d_{t.label}"] = [
            _clean(v) for v in trailing_share(sent[:, 0], sent.sum(axis=1)).tolist()
        ]
    connected = model.rollout.connected_counts(model.days)
    for i, label in enumerate(model.rollout.labels):
        out[f"connected_{label}"] = connected[:, i].astype(float).tolist()
    axis = model.axis
    out["axis_queue_mean"] = (axis.hour_queue.reshape(model.days, 24).sum(axis=1) / DAY).tolist()
    out["axis_queue_max"] = (
        axis.hour_queue_max.reshape(model.days, 24).max(axis=1).astype(float).tolist()
    )
    out["axis_utilisation"] = (
        axis.hour_busy.reshape(model.days, 24).sum(axis=1) / (DAY * axis.servers)
    ).tolist()
    for t in Tier:
        out[f"backlog_{t.label}"] = (
            m.backlog.reshape(model.days, 24, len(Tier))[:, -1, t].astype(float).tolist()
        )
    return out


def _hourly(m: Measures) -> dict[str, list[float]]:
    axis = m.axis
    out = {
        "hour": np.arange(m.model.days * 24, dtype=float).tolist(),
        "axis_jobs_per_s": (axis.hour_jobs / HOUR).tolist(),
        "axis_queue_mean": (axis.hour_queue / HOUR).tolist(),
        "axis_queue_max": axis.hour_queue_max.astype(float).tolist(),
        "axis_utilisation": (axis.hour_busy / (HOUR * axis.servers)).tolist(),
    }
    for t in Tier:
        out[f"backlog_{t.label}"] = m.backlog[:, t].astype(float).tolist()
    return out


def _provinces(m: Measures) -> list[dict[str, Any]]:
    """Per province (and the central bodies): the paper-free date, the backlog's trend."""
    topo = m.model.topology
    index = topo.index()
    out = []
    for group, code in enumerate(m.model.provinces[1]):
        trend = m.province_trend(group)
        out.append(
            {
                "organ_id": code,
                "name": topo.names[index[code]] if code in index else "central bodies",
                "paper_free": _clean(m.paper_free_province(group)),
                "backlog_mean": _clean(trend.mean),
                "backlog_end": _clean(trend.end),
                "backlog_growth": _clean(trend.growth),
                "growing": bool(trend.growing),
            }
        )
    return out


VALIDATION_METRICS = {
    "axis_deliveries_total": "documents sent and received over the axis (national scope)",
    "axis_documents_sent": "documents sent over the axis (national scope)",
}
"""The monthly figures a scenario's ``workload.validation`` may name."""


def _validation(m: Measures) -> list[dict[str, Any]]:
    """Per entry of ``workload.validation`` whose months lie in the measured window: the
    simulated monthly figure (the months' total divided by their number)."""
    model, metrics = m.model, m.metrics
    origin = model.calendar.start
    out = []
    for entry in model.config.workload.validation:
        year, month = (int(x) for x in str(entry["period"]).split("-"))
        months = int(entry.get("months", 1))
        first = date(year, month, 1)
        end = date(year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1, 1)
        lo, hi = (first - origin).days, (end - origin).days
        metric = str(entry["metric"])
        if lo < m.first_day or hi > model.days or metric not in VALIDATION_METRICS:
            continue
        sent = float(metrics.national_sent[lo:hi].sum())
        value = sent + float(metrics.national_received[lo:hi].sum())
        simulated = (value if metric == "axis_deliveries_total" else sent) / months
        out.append(
            {
                "period": str(entry["period"]),
                "months": months,
                "metric": metric,
                "label": VALIDATION_METRICS[metric],
                "published": float(entry["value"]),
                "simulated": simulated,
                "source": str(entry.get("source", "")),
            }
        )
    return out


def _axis_day(m: Measures) -> list[float]:
    """Mean messages per second by hour of the day, over the window's working days."""
    model, axis = m.model, m.axis
    days = [d for d in range(m.first_day, model.days) if model.calendar.is_working_day(d)]
    if not days:
        return [float("nan")] * 24
    return (axis.hour_jobs.reshape(model.days, 24)[days].mean(axis=0) / HOUR).tolist()


def _share(a: np.ndarray, b: np.ndarray) -> list[float]:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.full(len(a), np.nan)
    np.divide(a, b, out=out, where=b > 0)
    return [_clean(x) for x in out.tolist()]


def traffic_profile(model: Model) -> list[dict[str, Any]]:
    """Per connection system and hour of the day, over the working days of the measurement
    window: messages sent to the axis (sendEdoc and status), downloaded (getEdoc), and polls
    (getReceivedEdocList) per hour, mean and peak. The load tests replay it."""
    m, topo, cal = model.metrics, model.topology, model.calendar
    first_day = int(model.warmup // DAY)
    days = [d for d in range(first_day, model.days) if cal.is_working_day(d)]
    if not days:
        return []
    sends = m.sends.reshape(model.days, 24, -1)[days]
    downloads = m.downloads.reshape(model.days, 24, -1)[days]
    level1 = np.flatnonzero(topo.root == np.arange(len(topo)))
    owner = {int(topo.system[a]): topo.organ_ids[a] for a in level1}
    rows = []
    for s, system_id in enumerate(topo.system_ids):
        polls = HOUR / float(model.systems.poll_every[s])
        for hour in range(24):
            rows.append(
                {
                    "system": system_id,
                    "owner": owner.get(s, ""),
                    "hour": hour,
                    "sends_per_hour": _clean(sends[:, hour, s].mean()),
                    "sends_peak": int(sends[:, hour, s].max()),
                    "downloads_per_hour": _clean(downloads[:, hour, s].mean()),
                    "downloads_peak": int(downloads[:, hour, s].max()),
                    "polls_per_hour": _clean(polls),
                }
            )
    return rows


def _traces(model: Model) -> list[dict[str, Any]]:
    topo = model.topology
    out = []
    for doc, events in sorted(model.traces.items()):
        if not events:
            continue
        events = sorted(events, key=lambda e: e.t)
        out.append(
            {
                "document": doc,
                "events": [
                    {
                        "t": model.calendar.datetime_of(e.t).isoformat(timespec="seconds"),
                        "what": e.what,
                        "agency": topo.organ_ids[e.agency],
                        "name": topo.names[e.agency],
                        "detail": e.detail,
                    }
                    for e in events
                ],
            }
        )
    return out
