"""The files a simulation run leaves: metrics as JSON and CSV, traces, the traffic profile.

Everything here is a pure function of the results, written with sorted keys and fixed float
formatting, so the same seeds write byte-identical files (wall-clock facts go to ``run.json``,
which the report writes). :func:`report_data` is the plain-data view the HTML report renders.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.metrics import EDGES
from sim.replications import Replications
from sim.stats import Estimate
from sim.sweep import SweepPoint

METRIC_FILES = (
    "metrics.json",
    "summary.csv",
    "time_to_status.csv",
    "daily.csv",
    "hourly_axis.csv",
    "traffic_profile.csv",
    "traces.json",
)


def jsonable(value: Any) -> Any:
    """``value`` with NaN and infinities as None and tuples as lists (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def estimate_row(e: Estimate) -> dict[str, Any]:
    return {
        "mean": e.mean,
        "half_width": e.half_width,
        "low": e.low,
        "high": e.high,
        "sd": e.sd,
        "n": e.n,
    }


def summary_of(reps: Replications) -> dict[str, Any]:
    """The aggregate metrics of a scenario's replications, as plain data."""
    scenario = reps.scenario
    return {
        "scenario": scenario.name,
        "purpose": scenario.purpose,
        "source": scenario.source,
        "overrides": [[k, v] for k, v in scenario.overrides],
        "start": reps.results[0].start,
        "days": reps.results[0].days,
        "warmup_days": reps.results[0].warmup_days,
        "seeds": reps.seeds,
        "calibration": scenario.data["workload"].get("calibration", {}),
        "summary": {name: estimate_row(e) for name, e in reps.summary().items()},
        "replications": [{"seed": r.seed, "scalars": r.scalars} for r in reps.results],
    }


def report_data(reps: Replications) -> dict[str, Any]:
    """What the HTML report needs of one scenario: the summary and each run's series."""
    data = summary_of(reps)
    data["runs"] = [r.to_json() for r in reps.results]
    data["tts_edges_s"] = EDGES.tolist()
    return jsonable(data)


def write_run(reps: Replications, out: Path) -> list[Path]:
    """Write a scenario's metric files into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "metrics.json": dumps(summary_of(reps)),
        "summary.csv": _csv(
            ["metric", "mean", "half_width", "low", "high", "n"],
            (
                [name, e.mean, e.half_width, e.low, e.high, e.n]
                for name, e in reps.summary().items()
            ),
        ),
        "time_to_status.csv": _csv(
            ["seed", "code", "by", "group", "n", "median_h", "p95_h", "mean_h"],
            (
                [
                    r.seed,
                    *(
                        row.get(k)
                        for k in ("code", "by", "group", "n", "median_h", "p95_h", "mean_h")
                    ),
                ]
                for r in reps.results
                for row in r.time_to_status
            ),
        ),
        "daily.csv": _series_csv(reps, "daily"),
        "hourly_axis.csv": _series_csv(reps, "hourly"),
        "traffic_profile.csv": _profile_csv(reps),
        "traces.json": dumps({str(r.seed): r.traces for r in reps.results}),
    }
    paths = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_sweep(points: Sequence[SweepPoint], out: Path) -> Path:
    """One row per sweep variant and metric: the mean and its 95 % confidence interval."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for point in points:
        for name, e in point.replications.summary().items():
            rows.append([point.label, name, e.mean, e.half_width, e.low, e.high, e.n])
    path = out / "sweep.csv"
    path.write_text(
        _csv(["variant", "metric", "mean", "half_width", "low", "high", "n"], rows),
        encoding="utf-8",
    )
    (out / "metrics.json").write_text(
        dumps([{"variant": p.label, **summary_of(p.replications)} for p in points]),
        encoding="utf-8",
    )
    return path


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return "" if value is None else value


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_fmt(v) for v in row])
    return buf.getvalue()


def _series_csv(reps: Replications, which: str) -> str:
    first = getattr(reps.results[0], which)
    names = list(first)
    rows = []
    for r in reps.results:
        series = getattr(r, which)
        for i in range(len(series[names[0]])):
            rows.append([r.seed, *(series[n][i] for n in names)])
    return _csv(["seed", *names], rows)


def _profile_csv(reps: Replications) -> str:
    """The traffic profile, averaged over replications (peaks: the largest)."""
    runs = [r.profile for r in reps.results if r.profile]
    if not runs:
        return _csv(["system"], [])
    names = list(runs[0][0])
    rows = []
    for i, row in enumerate(runs[0]):
        merged = []
        for name in names:
            values = [run[i][name] for run in runs]
            if name.endswith("_peak"):
                merged.append(max(values))
            elif isinstance(values[0], float):
                merged.append(sum(values) / len(values))
            else:
                merged.append(row[name])
        rows.append(merged)
    return _csv(names, rows)


def write_profile(reps: Replications, path: Path) -> Path:
    """Export the traffic profile alone (for the load tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_profile_csv(reps), encoding="utf-8")
    return path
