"""Locust against the axis at 25 %, 50 % and 100 % of the capacity the axis benchmark measures.

The capacity is :func:`bench.axis_bench.measure`'s figure (c): complete exchanges per second
(a 20 KB document to one receiver, listed, fetched, acked, a status back) driven by a lean
asyncio client. Here the same exchange is offered by locust users that behave like connection
systems (Poisson arrivals, polling, SDK signing, the status acked by the sender: eight calls
where the axis benchmark makes five), through ``load.run_load`` with its correctness checks.

For each fraction the run starts with one locust process and adds worker processes (locust's
distributed mode, on this machine) while the target is missed *and* a locust process was busy
at its CPU limit: more processes only help when the load generator, not the axis, sets the
pace. Every figure is a ratio against the capacity measured in the same process run, so
machines can be compared.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

from bench import axis_bench
from load import Behaviour, LoadOptions, national_2022, run_load
from load.profile import NATIONAL_2022_DELIVERIES_PER_S

FRACTIONS = (0.25, 0.5, 1.0)
MAX_PROCESSES = 3
RUN_S = 15.0
USERS = 64  # axis_bench (c) runs 32 sender/receiver pairs: 64 connection systems
REACHED = 0.9  # achieved / offered that counts as reaching the target
CPU_BOUND = 0.85  # cores a locust process uses when it is the bottleneck


def _capacity() -> float:
    c = axis_bench.measure()["c"]  # as axis_bench.report reads it
    return float(c["count"] / c["elapsed"])


def _run(offered: float, processes: int, out: Path) -> dict[str, Any]:
    profile = national_2022()
    per_scale = profile.documents_in(0) / 3600.0  # documents/s at scale 1, one recipient each
    options = LoadOptions(
        profile=profile,
        users=USERS,
        spawn_rate=USERS * 4,
        run_time_s=RUN_S,
        scale=offered / per_scale,
        processes=processes,
        max_poll_interval_s=0.25,
        behaviour=Behaviour(
            recipients_mean=1.0,
            lifecycle="arrived",
            doc_bytes_median=axis_bench.DOC_BYTES,
            doc_bytes_sigma=0.0,
            templates=2,  # all 20 KB: two are enough, and 64 systems start sooner
        ),
        out_dir=out,
        drain_timeout_s=90.0,
    )
    result = run_load(options, progress=False)
    summary = result.summary
    locust_cpu = [v for k, v in summary["cpu_cores"].items() if k.startswith("locust")]
    return {
        "processes": processes,
        "offered": offered,
        "achieved": summary["throughput"]["exchanges_per_s"],
        "requests_per_s": summary["throughput"]["requests_per_s"],
        "latency": summary["latency_ms"],
        "end_to_end": summary["end_to_end_s"]["delivery"],
        "axis_cpu": summary["cpu_cores"].get("harness", 0.0),
        "locust_cpu": locust_cpu,
        "locust_bound": any(c >= CPU_BOUND for c in locust_cpu) or summary["locust"]["cpu_warning"],
        "verdict": summary["verdict"],
        "load_average": summary["machine"]["load_average"],
    }


def measure() -> dict[str, Any]:
    """The capacity, then per fraction the runs with 1, 2, … locust processes."""
    capacity = _capacity()
    levels = []
    with tempfile.TemporaryDirectory(prefix="load-bench-") as out:
        for fraction in FRACTIONS:
            runs = []
            for processes in range(1, MAX_PROCESSES + 1):
                run = _run(fraction * capacity, processes, Path(out))
                runs.append(run)
                if run["achieved"] >= REACHED * run["offered"] or not run["locust_bound"]:
                    break
            levels.append({"fraction": fraction, "runs": runs})
    return {"capacity": capacity, "levels": levels}


def _where_bound(run: dict[str, Any]) -> str:
    if run["achieved"] >= REACHED * run["offered"]:
        return "reached"
    if run["locust_bound"]:
        return "locust CPU-bound"
    if run["axis_cpu"] >= CPU_BOUND:
        return "axis CPU-bound"
    cores = os.cpu_count() or 1
    if run["axis_cpu"] + sum(run["locust_cpu"]) >= CPU_BOUND * cores:
        return "machine CPU-bound (axis and locust share the cores)"
    if run["load_average"] > cores:
        return f"machine shared with other work (load {run['load_average']:.1f} on {cores} CPUs)"
    return "no process at its CPU limit (latency-bound)"


def report(results: dict[str, Any]) -> str:
    capacity = results["capacity"]
    lines = [
        f"axis capacity (axis_bench (c), lean asyncio client): {capacity:.0f} exchanges/s",
        f"locust: {USERS} systems, 20 KB documents to one receiver, status 01 back and acked; "
        f"{RUN_S:.0f} s window per run; cpu in cores, load = 1-min load average of the machine",
        f"{'target':>6} {'procs':>5} {'offered':>8} {'achieved':>8} {'ratio':>6} {'req/s':>6} "
        f"{'p50':>5} {'p95':>5} {'p99':>5}  {'axis cpu':>8} {'locust cpu':>14} {'load':>5}  checks  "
        "outcome",
    ]
    for level in results["levels"]:
        for run in level["runs"]:
            lat = run["latency"]
            cpu = "+".join(f"{c:.2f}" for c in run["locust_cpu"])
            lines.append(
                f"{level['fraction']:>6.0%} {run['processes']:>5} {run['offered']:>8.1f} "
                f"{run['achieved']:>8.1f} {run['achieved'] / capacity:>6.2f} "
                f"{run['requests_per_s']:>6.0f} {lat['p50']:>5} {lat['p95']:>5} {lat['p99']:>5}  "
                f"{run['axis_cpu']:>8.2f} {cpu:>14} {run['load_average']:>5.1f}  {run['verdict']:<6}  "
                f"{_where_bound(run)}"
            )
    best = max(r["achieved"] for level in results["levels"] for r in level["runs"])
    lines.append(
        f"best sustained: {best:.1f} exchanges/s = {best / capacity:.2f} x capacity = "
        f"{best / NATIONAL_2022_DELIVERIES_PER_S:.0f} x the national 2022 peak "
        f"({NATIONAL_2022_DELIVERIES_PER_S:.2f} deliveries/s)"
    )
    # CPU time per exchange is what other work on a shared machine disturbs least.
    runs = [r for level in results["levels"] for r in level["runs"] if r["achieved"] > 0]
    locust_ms = min(1000 * sum(r["locust_cpu"]) / r["achieved"] for r in runs)
    axis_ms = min(1000 * r["axis_cpu"] / r["achieved"] for r in runs)
    cores = os.cpu_count() or 1
    needed = math.ceil(capacity * locust_ms / 1000 / CPU_BOUND)
    lines += [
        f"CPU per exchange: locust {locust_ms:.2f} ms, axis (harness process) {axis_ms:.2f} ms",
        f"at 100 % ({capacity:.0f} exchanges/s) locust needs {capacity * locust_ms / 1000:.2f} "
        f"cores = {needed} process(es) at {CPU_BOUND:.0%} of a core, and the axis "
        f"{capacity * axis_ms / 1000:.2f} cores; this machine has {cores}: at most "
        f"{cores * 1000 / (locust_ms + axis_ms):.0f} exchanges/s with locust on the same machine",
    ]
    return "\n".join(lines)


def main() -> None:
    print(report(measure()), flush=True)


if __name__ == "__main__":
    main()
