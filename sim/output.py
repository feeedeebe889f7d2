"""The files a simulation run leaves: metrics as JSON and CSV, traces, the traffic profile,
and the plain-data views the report renders.

Everything here is a pure function of the results, written with sorted keys and fixed float
formatting, so the same seeds write byte-identical files (wall-clock facts go to ``run.json``,
which the report writes). :func:`report_data` is the view of one scenario the HTML report
renders; it carries the metric registry's labels, units and formatted values, so the report
needs nothing from the simulator.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.answers import answers
from sim.catalogue import GROUPS, METRICS, Metric
from sim.metrics import EDGES
from sim.replications import Replications
from sim.stats import Estimate
from sim.sweep import Comparison, SweepPoint

METRIC_FILES = (
    "metrics.json",
    "summary.csv",
    "time_to_status.csv",
    "provinces.csv",
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


def with_interval(metric: Metric, e: Estimate) -> str:
    """``12.3 % ± 0.4 pp``: a mean for people, with its 95 % interval when there is one."""
    text = metric.format(e.mean)
    if e.n > 1 and math.isfinite(e.half_width) and text != "n/a":
        text += " ± " + metric.format_delta(e.half_width).lstrip("+")
    return text


def difference_text(metric: Metric, d: Estimate) -> str:
    """``+1.2 pp [+0.8, +1.6]``: a paired difference with its interval."""
    text = metric.format_delta(d.mean)
    if d.n > 1 and math.isfinite(d.half_width) and text != "n/a":
        text += f" [{metric.format_delta(d.low)}, {metric.format_delta(d.high)}]"
    return text


def summary_of(reps: Replications) -> dict[str, Any]:
    """The aggregate metrics of a scenario's replications, as plain data."""
    scenario = reps.scenario
    first = reps.results[0]
    return {
        "scenario": scenario.name,
        "purpose": scenario.purpose,
        "source": scenario.source,
        "overrides": [[k, v] for k, v in scenario.overrides],
        "start": first.start,
        "days": first.days,
        "warmup_days": first.warmup_days,
        "seeds": reps.seeds,
        "calibration": dict(scenario.config.workload.calibration),
        "summary": {name: estimate_row(e) for name, e in reps.summary().items()},
        "replications": [{"seed": r.seed, "scalars": r.scalars} for r in reps.results],
    }


def metric_rows(
    reps: Replications, differences: Mapping[str, Estimate] | None = None
) -> list[dict[str, Any]]:
    """Every metric of the registry: its description, mean and interval as text, and (for a
    compared scenario) the paired difference from the reference."""
    summary = reps.summary()
    rows = []
    for m in METRICS:
        e = summary[m.name]
        row: dict[str, Any] = {
            "name": m.name,
            "label": m.label,
            "unit": m.unit,
            "group": m.group,
            "group_title": GROUPS[m.group],
            "headline": m.headline,
            "key": m.key,
            "mean": e.mean,
            "text": with_interval(m, e),
        }
        if differences is not None:
            d = differences[m.name]
            row["difference"] = estimate_row(d)
            row["difference_text"] = difference_text(m, d)
            row["significant"] = d.significant
        rows.append(row)
    return rows


def report_data(
    reps: Replications, differences: Mapping[str, Estimate] | None = None
) -> dict[str, Any]:
    """What the HTML report needs of one scenario: the summary, the formatted metrics (with
    the paired differences from the reference, if any), the planner's answers and each run's
    series."""
    data = summary_of(reps)
    data["metrics"] = metric_rows(reps, differences)
    data["answers"] = answers(reps)
    data["compared"] = differences is not None
    data["runs"] = [r.to_json() for r in reps.results]
    data["tts_edges_s"] = EDGES.tolist()
    return jsonable(data)


def write_run(reps: Replications, out: Path) -> list[Path]:
    """Write a scenario's metric files into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    by_name = {m.name: m for m in METRICS}
    tts_fields = (
        "code",
        "class",
        "by",
        "group",
        "n",
        "observed",
        "open_share",
        "median_h",
        "p95_h",
        "reached_share",
        "mean_observed_h",
    )
    province_fields = (
        "organ_id",
        "name",
        "paper_free",
        "backlog_mean",
        "backlog_end",
        "backlog_growth",
        "growing",
    )
    files = {
        "metrics.json": dumps(summary_of(reps)),
        "summary.csv": _csv(
            ["metric", "label", "unit", "mean", "half_width", "low", "high", "n", "text"],
            (
                [
                    name,
                    by_name[name].label,
                    by_name[name].unit,
                    e.mean,
                    e.half_width,
                    e.low,
                    e.high,
                    e.n,
                    with_interval(by_name[name], e),
                ]
                for name, e in reps.summary().items()
            ),
        ),
        "time_to_status.csv": _csv(
            ["seed", *tts_fields],
            (
                [r.seed, *(row.get(k) for k in tts_fields)]
                for r in reps.results
                for row in r.time_to_status
            ),
        ),
        "provinces.csv": _csv(
            ["seed", *province_fields],
            (
                [r.seed, *(row[k] for k in province_fields)]
                for r in reps.results
                for row in r.provinces
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


def _difference_rows(label: str, differences: Mapping[str, Estimate]) -> Iterable[list[Any]]:
    by_name = {m.name: m for m in METRICS}
    for name, d in differences.items():
        m = by_name[name]
        yield [
            label,
            name,
            m.unit,
            d.mean,
            d.half_width,
            d.low,
            d.high,
            d.n,
            d.significant,
            difference_text(m, d),
        ]


_DIFFERENCE_HEADER = [
    "variant",
    "metric",
    "unit",
    "difference",
    "half_width",
    "low",
    "high",
    "n",
    "significant",
    "text",
]


def write_comparison(comparison: Comparison, out: Path) -> list[Path]:
    """Both scenarios' files (``a/``, ``b/``) and ``differences.csv``: B − A per metric,
    paired by seed, with its interval and whether it is significant."""
    paths = write_run(comparison.a, out / "a") + write_run(comparison.b, out / "b")
    path = out / "differences.csv"
    label = f"{comparison.b.scenario.name} - {comparison.a.scenario.name}"
    path.write_text(
        _csv(_DIFFERENCE_HEADER, _difference_rows(label, comparison.differences)), "utf-8"
    )
    return [*paths, path]


def write_sweep(points: Sequence[SweepPoint], out: Path) -> Path:
    """One row per sweep variant and metric (``sweep.csv``), and each variant's paired
    difference from the first (``differences.csv``)."""
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
    (out / "differences.csv").write_text(
        _csv(
            _DIFFERENCE_HEADER,
            (row for p in points[1:] for row in _difference_rows(p.label, p.differences)),
        ),
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
