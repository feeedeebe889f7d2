"""The planner's page for simulation runs: one scenario, two compared, or a sweep.

It renders plain data (``sim.output.report_data`` per scenario: the metric registry's labels,
units and formatted values, the planner's answers, each run's series) to one self-contained
HTML file with matplotlib pictures embedded as data URIs. The first screen answers the
planner's questions: when each tier and province stops sending on paper, the hub's load in
its peak hour against its capacity, where the bottleneck is, and what changes when the second
scenario differs (a phase that slips, a plan of one's own), as paired differences with their
confidence intervals. Next to the page goes the folder's ``run.json``.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from reports.pages import TEMPLATES, page_environment
from reports.run_index import RunIndex, write_run_index
from spec.clock import VIETNAM
from spec.status_codes import InvalidStatusCode, StatusCode

KIND = "sim"
REPORT_HTML = "report.html"

__all__ = ["KIND", "REPORT_HTML", "render_simulation"]

Data = Mapping[str, Any]

TIER_COLOURS = {
    "central": "#1b5e20",
    "province": "#1565c0",
    "district": "#ef6c00",
    "commune": "#6a1b9a",
}
STYLES = ("-", "--", ":", "-.")
MAX_OVERLAID = len(STYLES)


def render_simulation(
    scenarios: Sequence[Data],
    folder: Path,
    *,
    title: str,
    created: datetime,
    seed: int | None,
) -> Path:
    """Write ``folder/report.html`` and ``folder/run.json`` for ``scenarios``: one, two to
    compare (the second with its paired differences from the first), or the variants of a
    sweep (each named by its ``scenario`` field; the pictures overlay at most
    :data:`MAX_OVERLAID` of them). Returns the page's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = page_environment(TEMPLATES)
    shown = list(scenarios)[:MAX_OVERLAID]
    page = env.get_template("simulation.html.j2").render(
        title=title,
        created=created.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M (UTC+7)"),
        suggested_phase=_suggested_phase(scenarios[0]),
        scenarios=list(scenarios),
        reference=scenarios[0],
        compared=[s for s in scenarios[1:] if s.get("compared")],
        changes=_changes(scenarios),
        answer_rows=[r for r in _answer_rows(scenarios) if not _censored(r)],
        censored_dates=[
            r["label"].split(" sends")[0] for r in _answer_rows(scenarios) if _censored(r)
        ],
        groups=_metric_groups(scenarios),
        figures=_figures(shown),
        tts=_tts_rows(shown),
        cohorts=_cohort_rows(scenarios[0]),
        cohort_status=StatusCode.COMPLETED.label,
        provinces=_province_rows(scenarios[0]),
        calibration=_calibration(scenarios[0]),
        traces=_traces(scenarios[0]),
        events=_events(scenarios[0]),
        plan=scenarios[0]["runs"][0]["plan"],
    )
    path = folder / REPORT_HTML
    path.write_text(page, "utf-8")
    write_run_index(
        folder,
        RunIndex(
            kind=KIND,
            title=title,
            created=created,
            seed=seed,
            summary=_one_line(scenarios),
            verdict=None,
            index=REPORT_HTML,
        ),
    )
    return path


def _by_name(s: Data) -> dict[str, Mapping[str, Any]]:
    return {row["name"]: row for row in s["metrics"]}


def _answer_rows(scenarios: Sequence[Data]) -> list[dict[str, Any]]:
    """For the first screen: per key metric (the registry marks them), each scenario's value
    and, for compared scenarios, the paired difference from the reference."""
    rows = []
    tables = [_by_name(s) for s in scenarios]
    for name in (row["name"] for row in scenarios[0]["metrics"] if row["key"]):
        first = tables[0][name]
        cells = []
        for s, table in zip(scenarios, tables, strict=True):
            row = table[name]
            cell = {"text": row["text"]}
            if s.get("compared"):
                cell["difference"] = row["difference_text"]
                cell["significant"] = row["significant"]
            cells.append(cell)
        rows.append({"name": name, "label": first["label"], "cells": cells})
    return rows


def _suggested_phase(s: Data) -> str:
    """A phase of the plan worth shifting in the example: the first not over when the
    measurement starts (else the last)."""
    plan = s["runs"][0]["plan"]
    later = [p["name"] for p in plan if p["end"] >= s["start"]]
    return later[0] if later else (plan[-1]["name"] if plan else "PHASE")


def _changes(scenarios: Sequence[Data]) -> list[tuple[str, Any]]:
    """The overrides the second scenario has and the first has not: what the comparison is
    about."""
    if len(scenarios) < 2:
        return []
    first = {(k, str(v)) for k, v in scenarios[0]["overrides"]}
    return [(k, v) for k, v in scenarios[1]["overrides"] if (k, str(v)) not in first]


def _censored(row: Mapping[str, Any]) -> bool:
    """A paper-free date not reached within the run in any scenario."""
    return row["name"].startswith("paper_free_") and all(c["text"] == "n/a" for c in row["cells"])


def _metric_groups(scenarios: Sequence[Data]) -> list[dict[str, Any]]:
    """Every metric, grouped as the registry groups them, each scenario's value (and paired
    difference when compared)."""
    tables = [_by_name(s) for s in scenarios]
    groups: dict[str, list[dict[str, Any]]] = {}
    titles: dict[str, str] = {}
    for row in scenarios[0]["metrics"]:
        cells = []
        for s, table in zip(scenarios, tables, strict=True):
            other = table[row["name"]]
            cells.append(
                {
                    "text": other["text"],
                    "difference": other.get("difference_text") if s.get("compared") else None,
                    "significant": bool(other.get("significant")),
                }
            )
        titles[row["group"]] = row["group_title"]
        groups.setdefault(row["group"], []).append(
            {
                "name": row["name"],
                "label": row["label"],
                "headline": row["headline"],
                "cells": cells,
            }
        )
    return [{"id": key, "title": titles[key], "rows": rows} for key, rows in groups.items()]


def _one_line(scenarios: Sequence[Data]) -> str:
    first = _by_name(scenarios[0])
    names = " vs ".join(s["scenario"] for s in scenarios[:2])
    return (
        f"{names}: {first['electronic_share']['text']} electronic, "
        f"status {StatusCode.COMPLETED.value} after "
        f"{first['tts_06_median_h']['text']} (median)"
    )


def _mean_series(runs: Sequence[Data], group: str, key: str) -> list[float]:
    series = [r[group].get(key) for r in runs if r[group].get(key) is not None]
    if not series:
        return []
    out = []
    for values in zip(*series, strict=True):
        finite = [v for v in values if v is not None and math.isfinite(v)]
        out.append(sum(finite) / len(finite) if finite else math.nan)
    return out


def _legend(ax: Any, **options: Any) -> None:
    """A legend, when something was drawn (a run with no electronic traffic draws no curve)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**{"fontsize": 7, **options})


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(scenarios: Sequence[Data]) -> list[dict[str, str]]:
    return [
        {
            "title": "Share of deliveries sent electronically, by sender tier (trailing 7 days); "
            "the dotted line is the 95 % paper-free mark",
            "src": _paper_free(scenarios),
        },
        {"title": "Agencies connected, by rollout phase", "src": _connected(scenarios)},
        {
            "title": "Time from sending to each status, by recipient tier "
            "(electronic deliveries, censoring-corrected)",
            "src": _tts_cdf(scenarios),
        },
        {
            "title": "The hub by hour of the working day: messages per second against capacity",
            "src": _axis_day(scenarios),
        },
        {"title": "The axis over the run: utilisation and longest queue", "src": _axis(scenarios)},
        {
            "title": "Backlog: documents received and not yet completed, by tier",
            "src": _backlog(scenarios),
        },
    ]


def _dates(s: Data) -> np.ndarray:
    return np.array(s["runs"][0]["daily"]["date"], dtype="datetime64[D]")


def _hours(run: Data) -> list[datetime]:
    start = datetime.fromisoformat(run["daily"]["date"][0])
    return [start + timedelta(hours=h) for h in run["hourly"]["hour"]]


def _shade_warmup(ax: Any, s: Data) -> None:
    dates = _dates(s)
    measured = s["runs"][0]["daily"]["measured"]
    if measured and not measured[0] and True in measured:
        first = measured.index(True)
        ax.axvspan(dates[0], dates[first], color="#eeeeee", label="warm-up (not measured)")


def _per_tier(ax: Any, scenarios: Sequence[Data], series: str) -> None:
    """Each scenario's daily ``<series>_<tier>`` per tier (its days with a value), in the
    scenario's line style and the tier's colour; the first scenario's warm-up shaded."""
    for i, s in enumerate(scenarios):
        runs, dates = s["runs"], _dates(s)
        if i == 0:
            _shade_warmup(ax, s)
        style = STYLES[i % len(STYLES)]
        for tier, colour in TIER_COLOURS.items():
            values = _mean_series(runs, "daily", f"{series}_{tier}")
            points = [(d, v) for d, v in zip(dates, values, strict=True) if math.isfinite(v)]
            if points:
                x, y = zip(*points, strict=True)
                ax.plot(x, y, style, color=colour, label=f"{s['scenario']}: {tier}")


def _paper_free(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    _per_tier(ax, scenarios, "sent_electronic_7d")
    ax.axhline(0.95, color="black", lw=0.8, ls=":")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("sent electronically")
    _legend(ax, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def _connected(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for i, s in enumerate(scenarios):
        runs, dates = s["runs"], _dates(s)
        phases = runs[0]["phases"]
        if i == 0:
            stacks = [_mean_series(runs, "daily", f"connected_{p}") for p in phases[:-1]]
            if stacks:
                ax.stackplot(dates, stacks, labels=phases[:-1], alpha=0.8)
        else:
            series = [_mean_series(runs, "daily", f"connected_{p}") for p in phases[:-1]]
            if series:
                total = [sum(v) for v in zip(*series, strict=True)]
                ax.plot(dates, total, "k--", label=f"{s['scenario']}: all phases")
    ax.set_ylabel("agencies connected")
    _legend(ax, loc="upper left", ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def _status_label(code: str) -> str:
    """The code with spec's short name, as in ``06 completed`` (the code alone when spec does
    not know it)."""
    try:
        return StatusCode.parse(code).label
    except InvalidStatusCode:
        return code


def _tts_cdf(scenarios: Sequence[Data]) -> str:
    codes = tuple(scenarios[0]["runs"][0]["tts_cdf"])
    fig, axes = plt.subplots(1, len(codes), figsize=(12, 3.2), sharey=True)
    for i, s in enumerate(scenarios):
        runs = s["runs"]
        tiers = runs[0]["tiers"]
        style = STYLES[i % len(STYLES)]
        hours = [e / 3600 for e in s["tts_edges_s"]]
        for ax, code in zip(axes, codes, strict=True):
            for t, tier in enumerate(tiers):
                curves = [r["tts_cdf"][code][t] for r in runs]
                mean = [sum(v) / len(v) for v in zip(*curves, strict=True)]
                if not mean or max(mean) <= 0:
                    continue
                ax.plot(
                    hours,
                    mean[: len(hours)],
                    style,
                    color=TIER_COLOURS[tier],
                    label=f"{s['scenario']}: {tier}" if ax is axes[0] else None,
                )
            ax.set_xscale("log")
            ax.set_xlim(0.01, 2000)
            ax.set_title(f"status {_status_label(code)}")
            ax.set_xlabel("hours after sending")
    axes[0].set_ylabel("share received")
    _legend(axes[0], fontsize=6)
    return _png(fig)


def _axis_day(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.0))
    capacity = None
    for i, s in enumerate(scenarios):
        runs = s["runs"]
        profile = [sum(r["axis_day"][h] or 0.0 for r in runs) / len(runs) for h in range(24)]
        ax.step(range(24), profile, STYLES[i % len(STYLES)], where="post", label=s["scenario"])
        capacity = _by_name(s)["axis_capacity_per_s"]["mean"]
    if capacity is not None and math.isfinite(capacity):
        top = max(max(ax.get_ylim()), 1e-9)
        if capacity <= 4 * top:
            ax.axhline(capacity, color="#b71c1c", ls="--", label="capacity")
        else:
            ax.text(0.2, top * 0.9, f"capacity {capacity:,.0f}/s (off the scale)", fontsize=8)
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 2))
    ax.set_xlabel("hour of the day")
    ax.set_ylabel("messages per second")
    _legend(ax)
    return _png(fig)


def _axis(scenarios: Sequence[Data]) -> str:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4.2), sharex=True)
    for i, s in enumerate(scenarios):
        runs = s["runs"]
        when = _hours(runs[0])
        style = STYLES[i % len(STYLES)]
        top.plot(when, _mean_series(runs, "hourly", "axis_utilisation"), style, label=s["scenario"])
        bottom.plot(
            when, _mean_series(runs, "hourly", "axis_queue_max"), style, label=s["scenario"]
        )
    top.set_ylabel("utilisation (hourly)")
    bottom.set_ylabel("longest queue")
    _legend(top)
    fig.autofmt_xdate()
    return _png(fig)


def _backlog(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.4))
    _per_tier(ax, scenarios, "backlog")
    ax.set_ylabel("documents in handling (end of day)")
    _legend(ax, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def _tts_rows(scenarios: Sequence[Data]) -> list[dict[str, Any]]:
    """Per status, class and tier or phase, averaged over runs: deliveries, the share still
    open at the end, the censoring-corrected median and 95th percentile."""
    out = []
    for s in scenarios:
        merged: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for run in s["runs"]:
            for row in run["time_to_status"]:
                if row["by"] in ("tier", "phase"):
                    key = (row["class"], row["by"], row["group"], row["code"])
                    merged.setdefault(key, []).append(row)
        for (cls, by, group, code), rows in sorted(merged.items()):
            out.append(
                {
                    "scenario": s["scenario"],
                    "class": cls,
                    "by": by,
                    "group": group,
                    "status": _status_label(code),
                    "n": sum(r["n"] for r in rows),
                    "open": _fmt_share(_avg(r["open_share"] for r in rows)),
                    "median": _fmt_hours(_avg(r["median_h"] for r in rows)),
                    "p95": _fmt_hours(_avg(r["p95_h"] for r in rows)),
                }
            )
    return out


def _cohort_rows(s: Data, code: str = StatusCode.COMPLETED.value) -> list[dict[str, Any]]:
    """The documents sent each week, followed until the run ended: how many, how many still
    without ``code`` then (censored), and the delays, averaged over runs."""
    merged: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run in s["runs"]:
        for row in run["time_to_status"]:
            if row["by"] == "week" and row["code"] == code:
                merged.setdefault((row["group"], row["class"]), []).append(row)
    return [
        {
            "week": week,
            "class": cls,
            "n": sum(r["n"] for r in rows) // len(rows),
            "open": _fmt_share(_avg(r["open_share"] for r in rows)),
            "median": _fmt_hours(_avg(r["median_h"] for r in rows)),
            "p95": _fmt_hours(_avg(r["p95_h"] for r in rows)),
        }
        for (week, cls), rows in sorted(merged.items())
    ]


def _province_rows(s: Data) -> list[dict[str, Any]]:
    rows = []
    for p in s["answers"]["provinces"]:
        growth = p.get("backlog_growth")
        rows.append(
            {
                "name": p["name"],
                "organ_id": p["organ_id"],
                "paper_free": p["paper_free"]["text"],
                "backlog": "–" if p["backlog_mean"] is None else f"{p['backlog_mean']:,.0f}",
                "growth": "–" if growth is None else f"{growth * 100:+.0f} %",
                "growing": p["growing"],
            }
        )
    return rows


def _avg(values: Any) -> float:
    xs = [v for v in values if v is not None and math.isfinite(v)]
    return sum(xs) / len(xs) if xs else math.nan


def _fmt_share(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v * 100:.1f} %"


def _fmt_hours(v: float) -> str:
    if not math.isfinite(v):
        return "censored"
    return f"{v * 60:.1f} min" if v < 1 else f"{v:,.1f} h"


def _calibration(s: Data) -> list[dict[str, str]]:
    """The national figures against the run, when the run covers the calibration month."""
    calibration = s.get("calibration") or {}
    targets = calibration.get("targets") or {}
    period = str(calibration.get("period", ""))
    if not targets or not period or not s["start"].startswith(period) or s["days"] < 28:
        return []
    names = {
        "documents_sent": "axis_documents_sent",
        "deliveries_received": "axis_deliveries_received",
        "deliveries_total": "axis_deliveries_total",
        "recipients_per_document": "axis_recipients_per_document",
    }
    rows = []
    for key, metric in names.items():
        if key not in targets:
            continue
        got = s["summary"].get(metric, {}).get("mean")
        target = float(targets[key])
        rows.append(
            {
                "what": key.replace("_", " "),
                "target": f"{target:,.2f}".rstrip("0").rstrip("."),
                "simulated": "–" if got is None else f"{got:,.2f}",
                "deviation": "–" if got is None else f"{got / target - 1:+.1%}",
            }
        )
    return rows


def _events(s: Data, limit: int = 60) -> list[str]:
    """What happened during the first run: agencies coming online, the axis going down."""
    run = s["runs"][0]
    start = datetime.fromisoformat(run["daily"]["date"][0])
    out = [f"{start + timedelta(seconds=t):%Y-%m-%d %H:%M} — {what}" for t, what in run["log"]]
    return out[:limit] + ([f"… and {len(out) - limit} more"] if len(out) > limit else [])


def _traces(s: Data, limit: int = 5) -> list[dict[str, Any]]:
    return list(s["runs"][0]["traces"][:limit])
