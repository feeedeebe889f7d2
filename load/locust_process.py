"""One locust process of a load run, driven through locust's library API: the only process
(``local``), the ``master`` of locust's distributed mode, or one of its ``worker`` processes.

The harness starts it as a child process (gevent's monkey-patching must not reach the process
that runs the axis) with the plan's path and where to write; it runs until SIGTERM (the harness
sends it once the axis is quiet) or its time bound. The local process and the master then write
locust's CSV files and HTML report, and a JSON digest of the request statistics that the
harness's summary reads; every process writes how much CPU it used.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust.env import Environment
from locust.event import Events
from locust.html import get_html_report
from locust.log import setup_logging
from locust.runners import MasterRunner, Runner, WorkerRunner
from locust.stats import (
    CSV_STATS_INTERVAL_SEC,
    PERCENTILES_TO_REPORT,
    StatsCSVFileWriter,
    StatsEntry,
    stats_history,
)

from load.plan import LoadPlan
from load.users import install_hooks, user_classes

PERCENTILES = (0.5, 0.95, 0.99)
WORKER_WAIT_S = 60.0

__all__ = ["main"]


def _entry(entry: StatsEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": entry.name,
        "method": entry.method or "",
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "avg_ms": round(entry.avg_response_time, 3),
        "max_ms": round(entry.max_response_time, 3),
    }
    for p in PERCENTILES:
        value = entry.get_response_time_percentile(p) if entry.num_requests else 0
        out[f"p{round(p * 100)}_ms"] = value
    return out


def _digest(env: Environment, runner: Runner, spawned_at: float | None) -> dict[str, Any]:
    stats = env.stats
    workers = []
    if isinstance(runner, MasterRunner):
        workers = [
            {"id": c.id, "cpu_percent": c.cpu_usage, "cpu_warning": c.cpu_warning_emitted}
            for c in runner.clients.values()
        ]
    return {
        "start_time": stats.start_time,
        "last_request": stats.last_request_timestamp,
        "spawned_at": spawned_at,
        "total": _entry(stats.total),
        "operations": [_entry(e) for e in sorted(stats.entries.values(), key=lambda e: e.name)],
        "errors": [
            {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
        "cpu_warning": runner.cpu_warning_emitted,
        "worker_cpu_warning": runner.worker_cpu_warning_emitted,
        "workers": workers,
    }


def _cpu_record(role: str, started: float) -> dict[str, Any]:
    times = os.times()
    return {
        "role": role,
        "pid": os.getpid(),
        "cpu_s": round(times.user + times.system, 3),
        "wall_s": round(time.monotonic() - started, 3),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="load.locust_process", description=__doc__)
    parser.add_argument("--plan", type=Path, required=True, help="the run's plan.json")
    parser.add_argument("--role", choices=["local", "master", "worker"], default="local")
    parser.add_argument("--out", type=Path, required=True, help="folder for CSV, HTML, digest")
    parser.add_argument("--users", type=int, default=0, help="users (default: one per slot)")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per s")
    parser.add_argument("--master-port", type=int, default=5557, help="master's port")
    parser.add_argument("--workers", type=int, default=0, help="workers the master waits for")
    parser.add_argument("--max-seconds", type=float, required=True, help="hard time bound")
    parser.add_argument(
        "--ready-fd",
        type=int,
        help="a pipe to write one JSON line on when the test has started (the harness waits)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    setup_logging("WARNING")
    plan = LoadPlan.read(args.plan)
    events = Events()
    install_hooks(events, plan)
    env = Environment(user_classes=list(user_classes(plan)), host=plan.axis_url, events=events)
    runner: Runner
    if args.role == "worker":
        runner = env.create_worker_runner("127.0.0.1", args.master_port)
    elif args.role == "master":
        runner = env.create_master_runner("127.0.0.1", args.master_port)
    else:
        runner = env.create_local_runner()
    events.init.fire(environment=env, runner=runner, web_ui=None)
    stop = gevent.event.Event()
    gevent.signal_handler(signal.SIGTERM, stop.set)
    cpu_file = args.out / f"cpu-{args.role}-{os.getpid()}.json"
    if isinstance(runner, WorkerRunner):

        def quit_when_stopped() -> None:
            stop.wait(args.max_seconds)
            runner.quit()

        quitter = gevent.spawn(quit_when_stopped)
        runner.greenlet.join()
        quitter.kill()
        events.quitting.fire(environment=env, reverse=True)
        cpu_file.write_text(json.dumps(_cpu_record(args.role, started)))
        return 0
    if isinstance(runner, MasterRunner):
        deadline = time.monotonic() + WORKER_WAIT_S
        while len(runner.clients.ready) < args.workers:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(runner.clients.ready)} of {args.workers} workers came")
            gevent.sleep(0.05)
    spawned: list[float] = []
    events.spawning_complete.add_listener(lambda **_: spawned.append(time.time()))
    csv_writer = StatsCSVFileWriter(
        env, PERCENTILES_TO_REPORT, str(args.out / "locust"), full_history=True
    )
    writer = gevent.spawn(csv_writer.stats_writer)
    history = gevent.spawn(stats_history, runner)
    runner.start(args.users or len(plan.slots), spawn_rate=args.spawn_rate)
    state = env.lienthong  # type: ignore[attr-defined]
    if not state.announced.wait(WORKER_WAIT_S):
        raise SystemExit("locust never started the test (no test_start)")
    started_line = json.dumps({"send_until": state.send_until})
    (args.out / "locust-started.json").write_text(started_line)
    if args.ready_fd is not None:
        os.write(args.ready_fd, (started_line + "\n").encode())
        os.close(args.ready_fd)
    stop.wait(args.max_seconds)
    runner.quit()
    events.quitting.fire(environment=env, reverse=True)
    # One more round of the CSV writer so the files hold the final figures.
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.1)
    writer.kill()
    history.kill()
    csv_writer.close_files()
    html = get_html_report(env, show_download_link=False)
    (args.out / "locust.html").write_text(html, "utf-8")
    digest = _digest(env, runner, spawned[0] if spawned else None)
    (args.out / "locust-stats.json").write_text(json.dumps(digest, indent=1))
    cpu_file.write_text(json.dumps(_cpu_record(args.role, started)))
    return 0
