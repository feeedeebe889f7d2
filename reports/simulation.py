"""The planner's page for simulation runs: one scenario, two side by side, or a sweep.

It renders plain data (``sim.output.report_data`` per scenario) to one self-contained HTML
file with matplotlib pictures embedded as data URIs: agencies connected over time per phase,
the electronic share, time from sending to each status per tier, the axis's utilisation and
queue, and the backlog per tier. Next to it goes the folder's ``run.json``.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from reports.run_index import RunIndex, write_run_index

KIND = "sim"
REPORT_HTML = "report.html"

__all__ = ["KEY_METRICS", "KIND", "REPORT_HTML", "render_simulation"]

Data = Mapping[str, Any]

KEY_METRICS: tuple[tuple[str, str, str], ...] = (
    ("deliveries", "deliveries (document × recipient)", "{:,.0f}"),
    ("electronic_share", "share delivered electronically", "{:.1%}"),
    ("axis_share", "share through the axis", "{:.1%}"),
    ("axis_documents_sent", "documents sent over the axis (ministry/province level)", "{:,.0f}"),
    ("axis_deliveries_received", "deliveries received over the axis (same scope)", "{:,.0f}"),
    ("axis_recipients_per_document", "recipients per axis document", "{:.2f}"),
    ("tts_01_median_h", "hours to status 01 (arrived), median", "{:.2f}"),
    ("tts_03_median_h", "hours to status 03 (accepted), median", "{:.2f}"),
    ("tts_04_median_h", "hours to status 04 (assigned), median", "{:.1f}"),
    ("tts_06_median_h", "hours to status 06 (completed), median", "{:.1f}"),
    ("tts_06_p95_h", "hours to status 06, 95th percentile", "{:.1f}"),
    ("feedback_complete_share", "documents whose sender heard back from every recipient", "{:.1%}"),
    ("overdue_share", "deliveries completed after their due date", "{:.1%}"),
    ("axis_utilisation", "axis utilisation", "{:.1%}"),
    ("axis_wait_mean_s", "axis mean wait (s)", "{:.3f}"),
    ("axis_queue_max", "axis queue, largest sampled", "{:,.0f}"),
    ("backlog_end_province", "backlog at the end, province tier", "{:,.0f}"),
    ("backlog_end_district", "backlog at the end, district tier", "{:,.0f}"),
    ("backlog_end_commune", "backlog at the end, commune tier", "{:,.0f}"),
    ("pages_saved", "paper pages saved", "{:,.0f}"),
)

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
    compare, or the variants of a sweep (each named by its ``scenario`` field; the pictures
    overlay at most :data:`MAX_OVERLAID` of them). Returns the page's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    shown = list(scenarios)[:MAX_OVERLAID]
    page = env.get_template("simulation.html.j2").render(
        title=title,
        created=created.isoformat(timespec="seconds"),
        scenarios=list(scenarios),
        metrics=_metric_rows(scenarios),
        figures=_figures(shown),
        tts=_tts_rows(shown),
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


def _fmt(fmt: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return fmt.format(value)


def _ci(fmt: str, est: Mapping[str, Any]) -> str:
    mean = _fmt(fmt, est.get("mean"))
    half = est.get("half_width")
    if half is None or not math.isfinite(half):
        return mean
    return f"{mean} ± {_fmt(fmt, half)}"


def _metric_rows(scenarios: Sequence[Data]) -> list[dict[str, Any]]:
    rows = []
    for name, label, fmt in KEY_METRICS:
        cells = [_ci(fmt, s["summary"].get(name, {})) for s in scenarios]
        rows.append({"name": name, "label": label, "cells": cells})
    return rows


def _one_line(scenarios: Sequence[Data]) -> str:
    first = scenarios[0]["summary"]
    share = _fmt("{:.1%}", first.get("electronic_share", {}).get("mean"))
    done = _fmt("{:.1f}", first.get("tts_06_median_h", {}).get("mean"))
    names = " vs ".join(s["scenario"] for s in scenarios[:2])
    return f"{names}: {share} electronic, status 06 after {done} h (median)"


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
        {"title": "Agencies connected, by rollout phase", "src": _connected(scenarios)},
        {
            "title": "Share of deliveries made electronically, by recipient tier",
            "src": _eshare(scenarios),
        },
        {
            "title": "Time from sending to each status, by recipient tier",
            "src": _tts_cdf(scenarios),
        },
        {"title": "The axis: utilisation and queue", "src": _axis(scenarios)},
        {
            "title": "Backlog: documents received and not yet completed, by tier",
            "src": _backlog(scenarios),
        },
    ]


def _dates(s: Data) -> list[datetime]:
    return [datetime.fromisoformat(d) for d in s["runs"][0]["daily"]["date"]]


def _hours(run: Data) -> list[datetime]:
    start = datetime.fromisoformat(run["start"])
    return [start + timedelta(hours=h) for h in run["hourly"]["hour"]]


def _connected(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for i, s in enumerate(scenarios):
        runs, dates = s["runs"], _dates(s)
        phases = runs[0]["phases"]
        if i == 0:
            stacks = [_mean_series(runs, "daily", f"connected_{p}") for p in phases[:-1]]
            ax.stackplot(dates, stacks, labels=phases[:-1], alpha=0.8)
        else:
            total = [
                sum(v)
                for v in zip(
                    *(_mean_series(runs, "daily", f"connected_{p}") for p in phases[:-1]),
                    strict=True,
                )
            ]
            ax.plot(dates, total, "k--", label=f"{s['scenario']}: all phases")
    ax.set_ylabel("agencies connected")
    _legend(ax, loc="upper left", ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def _eshare(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for i, s in enumerate(scenarios):
        runs, dates = s["runs"], _dates(s)
        style = STYLES[i % len(STYLES)]
        series = [("all", "electronic_share", "black", 2.0)]
        series += [(t, f"electronic_share_{t}", c, 1.0) for t, c in TIER_COLOURS.items()]
        for label, key, colour, width in series:
            # days off send nothing: join the working days
            points = [
                (d, v)
                for d, v in zip(dates, _mean_series(runs, "daily", key), strict=True)
                if math.isfinite(v)
            ]
            if points:
                x, y = zip(*points, strict=True)
                ax.plot(x, y, style, color=colour, lw=width, label=f"{s['scenario']}: {label}")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("electronic share (working days)")
    _legend(ax, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def _tts_cdf(scenarios: Sequence[Data]) -> str:
    codes = ("01", "03", "04", "06")
    fig, axes = plt.subplots(1, len(codes), figsize=(12, 3.2), sharey=True)
    for i, s in enumerate(scenarios):
        runs = s["runs"]
        tiers = runs[0]["tiers"]
        style = STYLES[i % len(STYLES)]
        for ax, code in zip(axes, codes, strict=True):
            for t, tier in enumerate(tiers):
                hist = [
                    sum(r["tts_hist"][code][t][b] for r in runs)
                    for b in range(len(runs[0]["tts_hist"][code][t]))
                ]
                total = sum(hist)
                if not total:
                    continue
                cum, acc = [], 0
                for h in hist[1:-1]:
                    acc += h
                    cum.append(acc / total)
                hours = [e / 3600 for e in s["tts_edges_s"][1:]]
                ax.plot(
                    hours,
                    cum,
                    style,
                    color=TIER_COLOURS[tier],
                    label=f"{s['scenario']}: {tier}" if ax is axes[0] else None,
                )
            ax.set_xscale("log")
            ax.set_xlim(0.01, 2000)
            ax.set_title(f"status {code}")
            ax.set_xlabel("hours after sending")
    axes[0].set_ylabel("share received")
    _legend(axes[0], fontsize=6)
    return _png(fig)


def _axis(scenarios: Sequence[Data]) -> str:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4.4), sharex=True)
    for i, s in enumerate(scenarios):
        runs = s["runs"]
        when = _hours(runs[0])
        style = STYLES[i % len(STYLES)]
        top.plot(when, _mean_series(runs, "hourly", "axis_utilisation"), style, label=s["scenario"])
        bottom.plot(
            when, _mean_series(runs, "hourly", "axis_queue_max"), style, label=s["scenario"]
        )
    top.set_ylabel("utilisation")
    bottom.set_ylabel("queue (hourly max)")
    _legend(top)
    fig.autofmt_xdate()
    return _png(fig)


def _backlog(scenarios: Sequence[Data]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for i, s in enumerate(scenarios):
        runs = s["runs"]
        when = _hours(runs[0])
        style = STYLES[i % len(STYLES)]
        for tier, colour in TIER_COLOURS.items():
            ax.plot(
                when,
                _mean_series(runs, "hourly", f"backlog_{tier}"),
                style,
                color=colour,
                label=f"{s['scenario']}: {tier}",
            )
    ax.set_ylabel("documents in handling")
    _legend(ax, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def _tts_rows(scenarios: Sequence[Data]) -> list[dict[str, Any]]:
    """Median and 95th percentile per status and tier or phase, averaged over runs."""
    out = []
    for s in scenarios:
        merged: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for run in s["runs"]:
            for row in run["time_to_status"]:
                if row["by"] in ("tier", "phase"):
                    merged.setdefault((row["by"], row["group"], row["code"]), []).append(row)
        for (by, group, code), rows in sorted(merged.items()):
            out.append(
                {
                    "scenario": s["scenario"],
                    "by": by,
                    "group": group,
                    "code": code,
                    "n": sum(r["n"] for r in rows),
                    "median": _fmt("{:.2f}", _avg(r["median_h"] for r in rows)),
                    "p95": _fmt("{:.1f}", _avg(r["p95_h"] for r in rows)),
                }
            )
    return out


def _avg(values: Any) -> float:
    xs = [v for v in values if v is not None and math.isfinite(v)]
    return sum(xs) / len(xs) if xs else math.nan


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
                "simulated": _fmt("{:,.2f}", got),
                "deviation": _fmt("{:+.1%}", (got / target - 1) if got is not None else None),
            }
        )
    return rows


def _events(s: Data, limit: int = 60) -> list[str]:
    """What happened during the first run: agencies coming online, the axis going down."""
    run = s["runs"][0]
    start = datetime.fromisoformat(run["start"])
    out = [f"{start + timedelta(seconds=t):%Y-%m-%d %H:%M} — {what}" for t, what in run["log"]]
    return out[:limit] + ([f"… and {len(out) - limit} more"] if len(out) > limit else [])


def _traces(s: Data, limit: int = 5) -> list[dict[str, Any]]:
    return list(s["runs"][0]["traces"][:limit])
