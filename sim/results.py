"""What one run yields, as plain data: scalar metrics, tables, time series, traces, a profile.

:func:`summarize` turns a finished :class:`sim.model.Model` into a :class:`RunResult` that
pickles small (it crosses process and cluster boundaries) and serialises to JSON and CSV
byte for byte the same for the same seed. Scalars cover the measurement window (after the
warm-up); series cover the whole run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from sim import statuses as st
from sim.metrics import CODE_INDEX, EDGES
from sim.model import Model
from sim.types import DAY, HOUR, Channel, Tier

TTS_CODES = (
    st.ARRIVED,
    st.REFUSED,
    st.ACCEPTED,
    st.ASSIGNED,
    st.PROCESSING,
    st.COMPLETED,
    st.AGREED,
    st.DECLINED,
)
"""The statuses whose time from sending is reported (13 is the sender's own)."""

HEADLINE_CODES = (st.ARRIVED, st.ACCEPTED, st.ASSIGNED, st.PROCESSING, st.COMPLETED)

NATIONAL = slice(Tier.CENTRAL, Tier.PROVINCE + 1)


@dataclass
class RunResult:
    """One replication's results. ``scalars`` are the numbers replications are averaged on."""

    scenario: str
    seed: int
    start: str
    days: int
    warmup_days: float
    tiers: list[str]
    phases: list[str]
    plan: list[dict[str, Any]]
    scalars: dict[str, float]
    time_to_status: list[dict[str, Any]]
    daily: dict[str, list[float]]
    hourly: dict[str, list[float]]
    tts_hist: dict[str, list[list[int]]]
    profile: list[dict[str, Any]]
    traces: list[dict[str, Any]]
    log: list[tuple[float, str]]
    audit: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<RunResult {self.scenario} seed={self.seed} days={self.days}>"

    def to_json(self) -> dict[str, Any]:
        """Everything but the lifecycle audit, as JSON-ready data."""
        data = asdict(self)
        data.pop("audit")
        return data


def quantile(hist: np.ndarray, q: float) -> float:
    """The ``q`` quantile (seconds) of a duration histogram over :data:`EDGES` (NaN if empty)."""
    total = hist.sum()
    if total == 0:
        return float("nan")
    cum = np.cumsum(hist)
    b = int(np.searchsorted(cum, q * total, side="left"))
    if b == 0:
        return float(EDGES[0])
    if b >= len(EDGES):
        return float(EDGES[-1])
    before = cum[b - 1]
    frac = (q * total - before) / max(hist[b], 1)
    lo, hi = EDGES[b - 1], EDGES[b]
    return float(lo * (hi / lo) ** frac)


def summarize(model: Model) -> RunResult:
    """The results of a finished run."""
    m, topo = model.metrics, model.topology
    tiers = [t.label for t in Tier]
    phases = model.rollout.labels
    first_day = int(model.warmup // DAY)
    first_hour = int(model.warmup // HOUR)
    scalars: dict[str, float] = {}

    deliveries = m.deliveries[first_day:]
    total = deliveries.sum()
    electronic = deliveries[:, :, : Channel.PAPER].sum()
    scalars["documents"] = float(m.documents[first_day:].sum())
    scalars["deliveries"] = float(total)
    scalars["deliveries_electronic"] = float(electronic)
    scalars["electronic_share"] = _ratio(electronic, total)
    for t in Tier:
        by_tier = deliveries[:, t]
        scalars[f"electronic_share_{t.label}"] = _ratio(
            by_tier[:, : Channel.PAPER].sum(), by_tier.sum()
        )
    scalars["axis_share"] = _ratio(deliveries[:, :, Channel.AXIS].sum(), total)

    sent = m.axis_documents[NATIONAL].sum()
    received = m.axis_receipts[NATIONAL, NATIONAL].sum()
    scalars["axis_documents_sent"] = float(sent)
    scalars["axis_deliveries_received"] = float(received)
    scalars["axis_deliveries_total"] = float(sent + received)
    scalars["axis_recipients_per_document"] = _ratio(received, sent)
    scalars["axis_documents_sent_all_tiers"] = float(m.axis_documents.sum())

    tts_tier = m.tts_tier
    for code in HEADLINE_CODES:
        hist = tts_tier[CODE_INDEX[code]].sum(axis=0)
        scalars[f"tts_{code:02d}_median_h"] = quantile(hist, 0.5) / HOUR
        scalars[f"tts_{code:02d}_p95_h"] = quantile(hist, 0.95) / HOUR

    docs = model.docs
    n = docs.count
    window = (docs.t[:n] >= model.warmup) & (docs.t[:n] < model.horizon)
    complete = docs.heard[:n] >= docs.recipients[:n]
    scalars["feedback_complete_share"] = _ratio((complete & window).sum(), window.sum())

    due_total, due_met = m.due_total, m.due_met
    # NaN when no delivery fell due within the run
    scalars["overdue_share"] = 1.0 - _ratio(due_met.sum(), due_total.sum())
    for t in Tier:
        scalars[f"overdue_share_{t.label}"] = 1.0 - _ratio(due_met[t], due_total[t])

    axis = model.axis
    span = model.horizon - model.warmup
    samples = m.samples[first_hour:].sum()
    scalars["axis_jobs"] = float(axis.jobs)
    scalars["axis_arrival_rate_per_s"] = axis.jobs / span
    scalars["axis_utilisation"] = axis.busy / (axis.servers * span)
    scalars["axis_wait_mean_s"] = _ratio(axis.wait_sum, axis.jobs)
    scalars["axis_wait_max_s"] = axis.wait_max
    scalars["axis_waited_share"] = _ratio(axis.waited, axis.jobs)
    scalars["axis_queue_mean"] = _ratio(m.queue_sum[first_hour:].sum(), samples)
    scalars["axis_queue_max"] = float(m.queue_max[first_hour:].max(initial=0))
    scalars["axis_in_service_mean"] = _ratio(m.service_sum[first_hour:].sum(), samples)

    backlog = np.cumsum(m.arrived - m.finished, axis=0)
    for t in Tier:
        scalars[f"backlog_mean_{t.label}"] = (
            float(backlog[first_hour:, t].mean()) if len(backlog) > first_hour else 0.0
        )
        scalars[f"backlog_end_{t.label}"] = float(backlog[-1, t])
        scalars[f"handling_mean_h_{t.label}"] = _ratio(m.sojourn_sum[t], m.sojourn_n[t]) / HOUR

    scalars["pages_saved"] = float(m.pages_saved)
    scalars["paper_copies"] = float(m.paper_copies)
    scalars["take_backs"] = float(m.take_backs[0])
    scalars["take_backs_agreed"] = float(m.take_backs[1])
    scalars["take_backs_refused_by_lifecycle"] = float(m.take_backs[2])
    scalars["refusals"] = float(m.refused)
    scalars["report_backs"] = float(m.report_backs)

    connected = model.rollout.connected_counts(model.days)
    tier_of = topo.tier
    onboard = model.rollout.onboard
    for t in Tier:
        mine = tier_of == t
        scalars[f"connected_share_end_{t.label}"] = _ratio(
            (onboard[mine] < model.horizon).sum(), mine.sum()
        )

    return RunResult(
        scenario=str(model.config.get("name", "")),
        seed=model.seed,
        start=model.calendar.start.isoformat(),
        days=model.days,
        warmup_days=model.warmup / DAY,
        tiers=tiers,
        phases=phases,
        plan=[
            {
                "name": p.name,
                "title": p.title,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "agencies": int((model.rollout.phase == i).sum()),
            }
            for i, p in enumerate(model.rollout.phases)
        ],
        scalars={k: _clean(v) for k, v in scalars.items()},
        time_to_status=_tts_table(model, tiers, phases),
        daily=_daily(model, connected),
        hourly=_hourly(model, backlog),
        tts_hist={f"{code:02d}": tts_tier[CODE_INDEX[code]].tolist() for code in HEADLINE_CODES},
        profile=traffic_profile(model),
        traces=_traces(model),
        log=[(float(t), what) for t, what in model.log],
        audit=model.audit,
    )


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _clean(value: float) -> float:
    value = float(value)
    return value if np.isfinite(value) else float("nan")


def _tts_table(model: Model, tiers: list[str], phases: list[str]) -> list[dict[str, Any]]:
    m = model.metrics
    rows = []
    start = model.calendar.start
    by_tier, by_phase, by_week, sums = m.tts_tier, m.tts_phase, m.tts_week, m.tts_sum
    for code in TTS_CODES:
        c = CODE_INDEX[code]
        groups = [("tier", tiers[i], by_tier[c, i]) for i in range(len(tiers))]
        groups += [("phase", phases[i], by_phase[c, i]) for i in range(len(phases))]
        groups += [
            ("week", (start + timedelta(days=7 * w)).isoformat(), by_week[c, w])
            for w in range(m.weeks)
        ]
        for kind, group, hist in groups:
            count = int(hist.sum())
            if count == 0:
                continue
            row = {
                "code": f"{code:02d}",
                "by": kind,
                "group": group,
                "n": count,
                "median_h": _clean(quantile(hist, 0.5) / HOUR),
                "p95_h": _clean(quantile(hist, 0.95) / HOUR),
            }
            if kind == "tier":
                row["mean_h"] = _clean(sums[c, tiers.index(group)] / count / HOUR)
            rows.append(row)
    return rows


def _daily(model: Model, connected: np.ndarray) -> dict[str, list[float]]:
    m = model.metrics
    out: dict[str, list[float]] = {
        "date": [(model.calendar.start + timedelta(days=d)).isoformat() for d in range(model.days)]
    }
    per_day = m.deliveries
    total = per_day.sum(axis=(1, 2))
    out["deliveries"] = total.tolist()
    for ch in Channel:
        out[f"deliveries_{ch.label}"] = per_day[:, :, ch].sum(axis=1).tolist()
    out["electronic_share"] = _share(per_day[:, :, : Channel.PAPER].sum(axis=(1, 2)), total)
    for t in Tier:
        out[f"electronic_share_{t.label}"] = _share(
            per_day[:, t, : Channel.PAPER].sum(axis=1), per_day[:, t].sum(axis=1)
        )
    for i, label in enumerate(model.rollout.labels):
        out[f"connected_{label}"] = connected[:, i].astype(float).tolist()
    hours = m.samples.reshape(model.days, 24)
    q = m.queue_sum.reshape(model.days, 24).sum(axis=1)
    busy = m.service_sum.reshape(model.days, 24).sum(axis=1)
    samples = hours.sum(axis=1)
    out["axis_queue_mean"] = _share(q, samples)
    out["axis_queue_max"] = m.queue_max.reshape(model.days, 24).max(axis=1).astype(float).tolist()
    out["axis_utilisation"] = _share(busy, samples * model.axis.servers)
    backlog = np.cumsum(m.arrived - m.finished, axis=0)
    for t in Tier:
        out[f"backlog_{t.label}"] = (
            backlog.reshape(model.days, 24, len(Tier))[:, -1, t].astype(float).tolist()
        )
    return out


def _hourly(model: Model, backlog: np.ndarray) -> dict[str, list[float]]:
    m = model.metrics
    out = {
        "hour": np.arange(model.days * 24, dtype=float).tolist(),
        "axis_queue_mean": _share(m.queue_sum, m.samples),
        "axis_queue_max": m.queue_max.astype(float).tolist(),
        "axis_utilisation": _share(m.service_sum, m.samples * model.axis.servers),
    }
    for t in Tier:
        out[f"backlog_{t.label}"] = backlog[:, t].astype(float).tolist()
    return out


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
        polls = HOUR / float(model.poll_every[s])
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
