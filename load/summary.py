"""The summary of a load run: throughput and latency next to the correctness checks, as JSON
(``spec/schemas/load-summary.schema.json``) and as a page with pictures, plus the ``run.json``
the front page lists.

Throughput is counted in the *steady window*: from when every user has started to the end of
the sending window, from the clients' journal (documents, deliveries, statuses) and locust's
history (requests). How far behind their Poisson schedule the systems sent their documents says
who set the pace: a few milliseconds, the profile; seconds, the systems themselves (each is one
sequential client, as the SDK's loop is), so more users are needed to offer that load. An *exchange* is one delivery of a document to one recipient system, which
downloads it, acks it and answers with its statuses. Request latencies are locust's, over the
whole run; end-to-end times (sent → downloaded by the recipient, sent → first status back at
the sender) come from the journal and are dominated by the polling interval.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import math
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from load.checks import CheckResult, Evidence
from load.options import LoadOptions
from load.plan import LoadPlan
from load.profile import NATIONAL_2022_DELIVERIES_PER_S
from reports.pages import page_environment

SUMMARY_JSON = "summary.json"
REPORT_HTML = "report.html"
LOCUST_HTML = "locust.html"
KIND = "load"

__all__ = ["Measurements", "build_summary", "percentiles", "verdict_of", "write_run_folder"]


@dataclass(frozen=True, slots=True)
class Measurements:
    """What the harness measured around the locust run (epoch times; CPU as cores used; the
    machine's 1-minute load average at the end of the sending window)."""

    send_until: float
    steady_from: float
    drain_s: float
    quiet: bool
    cpu: dict[str, float]
    load_average: float


def percentiles(
    values: Sequence[float], points: Sequence[float] = (0.5, 0.95, 0.99)
) -> dict[str, float]:
    """Nearest-rank percentiles of ``values`` keyed ``p50``…, and their count."""
    ordered = sorted(values)
    out: dict[str, float] = {"count": len(ordered)}
    for point in points:
        key = f"p{round(point * 100)}"
        if not ordered:
            out[key] = 0.0
            continue
        rank = max(0, min(len(ordered) - 1, math.ceil(point * len(ordered)) - 1))
        out[key] = round(ordered[rank], 4)
    return out


def _history(folder: Path) -> list[dict[str, float]]:
    """Locust's per-second history of the aggregated requests (empty when absent)."""
    path = folder / "locust_stats_history.csv"
    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] != "Aggregated":
                continue
            p95 = row["95%"]
            rows.append(
                {
                    "t": float(row["Timestamp"]),
                    "users": float(row["User Count"]),
                    "rps": float(row["Requests/s"]),
                    "p95_ms": float(p95) if p95 not in ("N/A", "") else float("nan"),
                    "total": float(row["Total Request Count"]),
                }
            )
    return rows


def _requests_between(history: list[dict[str, float]], start: float, end: float) -> float:
    inside = [r for r in history if start <= r["t"] <= end]
    if len(inside) < 2 or inside[-1]["t"] <= inside[0]["t"]:
        return 0.0
    return (inside[-1]["total"] - inside[0]["total"]) / (inside[-1]["t"] - inside[0]["t"])


def _end_to_end(journal: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    sent = {e["doc_id"]: e for e in journal if e["ev"] == "sent"}
    delivery: list[float] = []
    first_status: dict[tuple[str, str], float] = {}
    for entry in journal:
        if entry["ev"] != "received":
            continue
        origin = sent.get(entry["doc_id"])
        if origin is None:
            continue
        if origin["kind"] == "edoc":
            delivery.append(entry["t"] - origin["t"])
        elif (edoc := sent.get(origin["about"])) is not None:
            key = (origin["about"], origin["from"])
            elapsed = entry["t"] - edoc["t"]
            first_status[key] = min(first_status.get(key, elapsed), elapsed)
    return {
        "delivery": percentiles(delivery),
        "first_status": percentiles(list(first_status.values())),
    }


def _throughput(journal: list[dict[str, Any]], start: float, end: float) -> dict[str, Any]:
    window = max(end - start, 1e-9)
    counts: dict[str, int] = defaultdict(int)
    behind = []
    for entry in journal:
        if entry["ev"] != "sent" or not start <= entry["t"] < end:
            continue
        if entry["kind"] == "edoc":
            counts["documents"] += 1
            counts["deliveries"] += len(entry["to"])
            behind.append(entry["behind_s"])
        else:
            counts["statuses"] += 1
    return {
        "steady_from": round(start, 3),
        "steady_until": round(end, 3),
        "window_s": round(window, 3),
        "documents": counts["documents"],
        "deliveries": counts["deliveries"],
        "statuses": counts["statuses"],
        "documents_per_s": round(counts["documents"] / window, 3),
        "exchanges_per_s": round(counts["deliveries"] / window, 3),
        "statuses_per_s": round(counts["statuses"] / window, 3),
        "behind_s": percentiles(behind),
    }


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def verdict_of(
    checks: list[CheckResult], evidence: Evidence, plan: LoadPlan, options: LoadOptions
) -> tuple[str, str]:
    """``pass``, ``fail`` or ``inconclusive``, and why. A run in which no document was sent
    and delivered checked nothing that matters, so it passes nothing: it is inconclusive."""
    if not all(c.ok for c in checks):
        failed = [c.id for c in checks if not c.ok]
        return "fail", "checks failed: " + ", ".join(failed)
    sent = sum(1 for e in evidence.journal if e["ev"] == "sent" and e.get("kind") == "edoc")
    delivered = next((c.checked for c in checks if c.id == "documents-delivered"), 0)
    if sent and delivered:
        plural = "" if delivered == 1 else "s"
        return "pass", f"every check passed over {delivered:,} document{plural} exchanged"
    expected = plan.documents_per_s * options.run_time_s
    return "inconclusive", (
        f"the run exercised nothing: {sent} documents sent and {delivered} delivered. Hour "
        f"{_hour_label(plan, options)} of profile {plan.profile!r} at {plan.scale:g}x offers "
        f"{plan.documents_per_s:.4f} documents/s over {len(plan.slots)} systems, about "
        f"{expected:.1f} in the {options.run_time_s:g} s window: play a busier hour (--hour), "
        "a larger --scale or a longer --run-time"
    )


def _hour_label(plan: LoadPlan, options: LoadOptions) -> str:
    labels = options.profile.hour_labels
    label = labels[plan.hour] if 0 <= plan.hour < len(labels) and labels[plan.hour] else ""
    return f"{plan.hour} ({label})" if label else str(plan.hour)


def build_summary(
    *,
    plan: LoadPlan,
    options: LoadOptions,
    checks: list[CheckResult],
    evidence: Evidence,
    measured: Measurements,
    folder: Path,
    created: datetime,
) -> dict[str, Any]:
    """The run's summary as the schema describes it."""
    digest = _read_json(folder / "locust-stats.json")
    total = digest.get("total", {})
    history = _history(folder)
    start, end = measured.steady_from, measured.send_until
    throughput = _throughput(evidence.journal, start, end)
    throughput["requests_per_s"] = round(_requests_between(history, start, end), 3)
    throughput["requests"] = int(total.get("requests", 0))
    throughput["failed_requests"] = int(total.get("failures", 0))
    verdict, reason = verdict_of(checks, evidence, plan, options)
    faults = options.faults or {}
    labels = options.profile.hour_labels
    return {
        "kind": KIND,
        "run_id": plan.run_id,
        "created": created.astimezone(UTC).isoformat(),
        "seed": plan.seed,
        "verdict": verdict,
        "reason": reason,
        "axis": {
            "url": plan.axis_url,
            "in_process": options.axis_url is None,
            "faults": [str(r.get("id", r["kind"])) for r in faults.get("rules", [])],
        },
        "profile": {
            "name": plan.profile,
            "hour": plan.hour,
            "hour_label": labels[plan.hour] if plan.hour < len(labels) else "",
            "hours": options.profile.hours,
            "peak_hour": options.profile.peak_hour(),
            "scale": plan.scale,
            "systems": len(plan.slots),
            "lifecycle": plan.behaviour.lifecycle,
            "offered_documents_per_s": round(plan.documents_per_s, 3),
            "offered_deliveries_per_s": round(plan.deliveries_per_s, 3),
        },
        "locust": {
            "processes": options.processes,
            "users": len(plan.slots),
            "spawn_rate": options.spawn_rate,
            "run_time_s": options.run_time_s,
            "drain_s": measured.drain_s,
            "quiet": measured.quiet,
            "cpu_warning": bool(digest.get("cpu_warning") or digest.get("worker_cpu_warning")),
        },
        "cpu_cores": measured.cpu,
        "machine": {"cpus": os.cpu_count() or 1, "load_average": round(measured.load_average, 2)},
        "throughput": throughput,
        "latency_ms": {
            "p50": total.get("p50_ms", 0),
            "p95": total.get("p95_ms", 0),
            "p99": total.get("p99_ms", 0),
            "max": total.get("max_ms", 0),
            "operations": [
                {k: op[k] for k in ("name", "requests", "failures", "p50_ms", "p95_ms", "p99_ms")}
                for op in digest.get("operations", [])
            ],
        },
        "end_to_end_s": _end_to_end(evidence.journal),
        "headroom": {
            "national_2022_deliveries_per_s": round(NATIONAL_2022_DELIVERIES_PER_S, 3),
            "ratio": round(throughput["exchanges_per_s"] / NATIONAL_2022_DELIVERIES_PER_S, 1),
        },
        "transcript": {
            "ok": evidence.verification.ok,
            "events": evidence.verification.events,
            "head": evidence.verification.head,
        },
        "checks": [c.to_json() for c in checks],
    }


def _figure(history: list[dict[str, float]], summary: dict[str, Any]) -> str:
    """Requests/s and p95 latency over the run, steady window shaded (a PNG data URI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = history[0]["t"]
    pairs = list(itertools.pairwise(history))
    xs = [b["t"] - t0 for _, b in pairs]
    rates = [(b["total"] - a["total"]) / max(b["t"] - a["t"], 1.0) for a, b in pairs]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    top.plot(xs, rates, color="#1f5fa8")
    top.set_ylabel("requests/s")
    bottom.plot(xs, [b["p95_ms"] for _, b in pairs], color="#b4441c")
    bottom.set_ylabel("p95 ms (last 10 s)")
    bottom.set_xlabel("seconds since locust started")
    window = summary["throughput"]
    for axis in (top, bottom):
        axis.axvspan(
            window["steady_from"] - t0,
            window["steady_until"] - t0,
            color="#dbe8d4",
            label="steady window",
        )
        axis.grid(alpha=0.3)
    top.legend(loc="upper right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _validate(summary: dict[str, Any]) -> None:
    from spec.schemas import validator

    problems = sorted(validator("load-summary").iter_errors(summary), key=lambda e: e.path)
    if problems:
        where = "/".join(str(p) for p in problems[0].absolute_path)
        raise ValueError(
            f"summary does not match load-summary.schema.json at /{where}: {problems[0].message}"
        )


def write_run_folder(folder: Path, summary: dict[str, Any]) -> Path:
    """Write ``summary.json``, ``report.html`` and ``run.json`` into ``folder``; returns the
    page's path."""
    from reports.run_index import RunIndex, write_run_index

    _validate(summary)
    folder = Path(folder)
    (folder / SUMMARY_JSON).write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    history = _history(folder)
    env = page_environment(Path(__file__).resolve().parent / "templates")
    page = env.get_template("load_report.html.j2").render(
        s=summary,
        figure=_figure(history, summary) if len(history) > 2 else None,
        locust_html=LOCUST_HTML if (folder / LOCUST_HTML).exists() else None,
        csv_files=sorted(p.name for p in folder.glob("locust_*.csv")),
    )
    path = folder / REPORT_HTML
    path.write_text(page, "utf-8")
    failed = sum(1 for c in summary["checks"] if not c["ok"])
    t = summary["throughput"]
    write_run_index(
        folder,
        RunIndex(
            kind=KIND,
            title=(
                f"Load: {summary['profile']['systems']} systems at {summary['profile']['scale']:g}× "
                f"{summary['profile']['name']}"
                + (" with faults" if summary["axis"]["faults"] else "")
            ),
            created=datetime.fromisoformat(summary["created"]),
            seed=summary["seed"],
            summary=(
                f"{summary['verdict']}: {t['exchanges_per_s']:.1f} exchanges/s, "
                f"p95 {summary['latency_ms']['p95']} ms, "
                f"{failed} of {len(summary['checks'])} checks failed"
            ),
            verdict=summary["verdict"],
            index=REPORT_HTML,
        ),
    )
    return path
