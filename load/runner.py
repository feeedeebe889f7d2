"""A bounded load run, end to end: an axis (started here, or a running one on this machine),
the plan's systems registered through its admin API, locust in child processes, a drain until
the axis is quiet, the correctness checks, and the run's folder with locust's CSV and HTML
report, the summary and its page.

Three kinds of process, on purpose: the axis runs in this process (uvicorn on its own thread),
locust in one child process, or a master and workers in locust's distributed mode. gevent's
monkey-patching never reaches the axis, and locust's CPU is never the axis's CPU, so what is
measured is the axis. Everything binds and connects to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from tqdm import tqdm

from axis.client import AxisAdmin
from axis.config import AxisConfig
from axis.server import ServerFailed, running_axis
from load.checks import CheckResult, collect, message_cursor, run_checks
from load.errors import RunFailed
from load.options import LoadOptions
from load.plan import LoadPlan
from load.summary import Measurements, build_summary, write_run_folder

STARTUP_S = 90.0
STOP_S = 60.0
MONITOR_S = 0.25
# Python started with gevent patched first, then locust's process entry point.
_BOOTSTRAP = (
    "from gevent import monkey; monkey.patch_all()\n"
    "import sys\n"
    "from load.locust_process import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)

__all__ = ["LoadResult", "run_load"]


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a run left: its folder, plan, checks and summary."""

    folder: Path
    plan: LoadPlan
    checks: list[CheckResult]
    summary: dict[str, Any]

    @property
    def ok(self) -> bool:
        """Every correctness check passed (which says little if nothing was exercised:
        see :attr:`verdict`)."""
        return all(c.ok for c in self.checks)

    @property
    def verdict(self) -> str:
        """``pass``, ``fail``, or ``inconclusive`` when the run exercised nothing."""
        return str(self.summary["verdict"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unique_folder(options: LoadOptions, created: datetime) -> Path:
    if options.run_dir is not None:
        return options.run_dir
    from reports.run_index import run_folder

    base = run_folder(options.out_dir, "load", created, options.seed)
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


@contextlib.contextmanager
def _axis(options: LoadOptions, errors: list[str]) -> Iterator[tuple[str, str]]:
    """(URL, admin token) of the axis the run uses; an axis started here collects in
    ``errors`` what its server logged."""
    if options.axis_url is not None:
        yield options.axis_url.rstrip("/"), str(options.admin_token)
        return
    started = body_failed = False
    try:
        with running_axis(AxisConfig(seed=options.seed, seed_defaults=False)) as axis:
            started = True
            try:
                yield axis.url, axis.admin_token
            except BaseException:
                body_failed = True
                raise
    except ServerFailed as exc:
        if body_failed:
            raise
        if not started:
            raise RunFailed(f"the axis did not start: {exc}") from exc
        errors.append(str(exc))


class _Locust:
    """The locust child processes of one run and their logs. The main process says on a
    pipe when the test has started (and the pipe closes if it dies first), so the harness
    waits on that, not on a clock."""

    def __init__(self, plan_path: Path, folder: Path, options: LoadOptions, users: int) -> None:
        self.folder = folder
        bound = STARTUP_S + options.run_time_s + options.drain_timeout_s + STOP_S
        common = ["--plan", str(plan_path), "--out", str(folder), "--max-seconds", str(bound)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        port = str(_free_port())
        workers = options.processes if options.processes > 1 else 0
        main_args = ["--users", str(users), "--spawn-rate", str(options.spawn_rate)]
        if workers:
            main_args += ["--role", "master", "--master-port", port, "--workers", str(workers)]
        read, write = os.pipe()
        try:
            self._start("locust.log", [*common, *main_args, "--ready-fd", str(write)], env, write)
        finally:
            os.close(write)
        self._ready = os.fdopen(read, "rb")
        for i in range(workers):
            self._start(
                f"locust-worker-{i}.log", [*common, "--role", "worker", "--master-port", port], env
            )

    def _start(
        self, log_name: str, args: list[str], env: dict[str, str], ready_fd: int | None = None
    ) -> None:
        log = self.folder / log_name
        with open(log, "wb") as handle:
            proc = subprocess.Popen(
                [sys.executable, "-c", _BOOTSTRAP, *args],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                pass_fds=() if ready_fd is None else (ready_fd,),
            )
        self.procs.append(proc)
        self.logs.append(log)

    @property
    def main(self) -> subprocess.Popen[bytes]:
        return self.procs[0]

    def check_alive(self) -> None:
        for proc, log in zip(self.procs, self.logs, strict=True):
            code = proc.poll()
            if code is not None:
                tail = log.read_text("utf-8", "replace")[-2000:]
                raise RunFailed(f"locust process {proc.pid} exited with {code}:\n{tail}")

    def started(self) -> float:
        """Wait until the main process has started the test; its sending window's end."""
        with self._ready:
            readable, _, _ = select.select([self._ready], [], [], STARTUP_S)
            if not readable:
                self.check_alive()
                raise RunFailed(f"locust did not start within {STARTUP_S:.0f} s")
            line = self._ready.readline()
        if not line:
            self.check_alive()
            raise RunFailed("locust closed its ready pipe without starting the test")
        return float(json.loads(line)["send_until"])

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the main process exits (then say why)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.main.wait(max(seconds, 0.0))
        self.check_alive()

    def stop(self) -> None:
        """Stop the main process (workers follow it), then make sure every one is gone."""
        if not self._ready.closed:
            self._ready.close()
        if self.main.poll() is None:
            self.main.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(STOP_S)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        failed = [(p.pid, p.returncode) for p in self.procs if p.returncode not in (0, -15)]
        if failed:
            raise RunFailed(f"locust processes failed: {failed!r}; see {self.logs[0]}")


class _CpuMeter:
    """Cumulative CPU time of this process (the axis, when it runs here) and of locust's
    processes, sampled through the run; shares over any window are worked out afterwards."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = {"harness": psutil.Process()} | {
            f"locust-{i}": psutil.Process(pid) for i, pid in enumerate(pids)
        }
        self.samples: list[tuple[float, dict[str, float]]] = []

    def sample(self) -> None:
        reading = {}
        for name, proc in self.procs.items():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                reading[name] = times.user + times.system
        self.samples.append((time.time(), reading))

    def shares(self, start: float, end: float) -> dict[str, float]:
        """Cores each process used between the samples nearest inside [start, end]."""
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples[-2:]
        if len(inside) < 2:
            return {}
        (t0, before), (t1, after) = inside[0], inside[-1]
        wall = max(t1 - t0, 1e-9)
        return {k: round((after[k] - before[k]) / wall, 3) for k in after if k in before}


def _wait_quiet(
    admin: AxisAdmin,
    systems: set[str],
    deadline: float,
    quiet_s: float,
    pause: Callable[[float], None],
) -> bool:
    """Wait until the run's systems have nothing listed and no send or ack has happened for
    ``quiet_s``; False when ``deadline`` (monotonic) passes first. The axis tells nothing
    when it goes quiet, so this looks at its counters every :data:`MONITOR_S`."""
    last: tuple[int, int] | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        stats = admin.stats()
        calls = stats.get("calls", {})
        key = (int(calls.get("sendEdoc", 0)), int(calls.get("updateStatus", 0)))
        pending = sum(s["pending"] for s in admin.systems() if s["system_id"] in systems)
        now = time.monotonic()
        if pending == 0 and key == last:
            if now - since >= quiet_s:
                return True
        else:
            last, since = key, now
        pause(MONITOR_S)
    return False


@dataclass(frozen=True, slots=True)
class _Driven:
    send_until: float
    drain_s: float
    quiet: bool
    meter: _CpuMeter
    load_average: float


def _drive(
    locust: _Locust,
    admin: AxisAdmin,
    plan: LoadPlan,
    options: LoadOptions,
    progress: bool,
) -> _Driven:
    send_until = locust.started()
    meter = _CpuMeter([p.pid for p in locust.procs])
    total = round(options.run_time_s)
    with tqdm(total=total, desc="load", unit="s", disable=not progress, mininterval=1.0) as bar:
        while time.time() < send_until:
            meter.sample()
            done = min(total, round(options.run_time_s - (send_until - time.time())))
            if done > bar.n:
                bar.update(done - bar.n)
            locust.pause(min(MONITOR_S, send_until - time.time()))
        bar.update(total - bar.n)
    meter.sample()
    load_average = os.getloadavg()[0]
    drain_started = time.monotonic()
    quiet = _wait_quiet(
        admin,
        {s.system_id for s in plan.slots},
        drain_started + options.drain_timeout_s,
        options.quiet_s,
        locust.pause,
    )
    drain_s = time.monotonic() - drain_started
    return _Driven(send_until, round(drain_s, 3), quiet, meter, load_average)


def _steady_from(journal: list[dict[str, Any]], driven: _Driven, options: LoadOptions) -> float:
    """When the last system had started (its agent built), but at least a second before the
    window's end; the window's start when no system said."""
    started = [e["t"] for e in journal if e["ev"] == "started"]
    first = driven.send_until - options.run_time_s
    return min(max([first, *started]), driven.send_until - 1.0)


def run_load(
    options: LoadOptions,
    *,
    progress: bool = True,
    created: datetime | None = None,
) -> LoadResult:
    """Run the load test ``options`` describe; returns its result (``ok`` says whether every
    correctness check passed). Raises ``RunFailed`` when the run itself breaks."""
    created = created or datetime.now(UTC)
    folder = _unique_folder(options, created)
    server_errors: list[str] = []
    with _axis(options, server_errors) as (url, token):
        admin = AxisAdmin(url, token)
        cursor = int(admin.stats()["head"]["seq"])
        after_message = message_cursor(admin)
        plan = options.plan(url, folder.name, folder / "journal")
        folder.mkdir(parents=True, exist_ok=False)
        for slot in plan.slots:
            admin.put_system(
                slot.system_id, slot.secret, name=f"load {plan.run_id}", agencies=slot.agencies
            )
        plan_path = plan.write(folder / "plan.json")
        if options.faults is not None:
            admin.set_faults(options.faults)
        locust = _Locust(plan_path, folder, options, len(plan.slots))
        try:
            driven = _drive(locust, admin, plan, options, progress)
        finally:
            locust.stop()
            if options.faults is not None:
                admin.clear_faults()
        evidence = collect(
            admin,
            cursor=cursor,
            after_message=after_message,
            journal_dir=folder / "journal",
            transcript_path=folder / "transcript.jsonl",
        )
        admin.close()
    checks = run_checks(evidence, plan)
    if options.axis_url is None:
        checks.append(_server_check(server_errors))
    steady_from = _steady_from(evidence.journal, driven, options)
    measured = Measurements(
        send_until=driven.send_until,
        steady_from=steady_from,
        drain_s=driven.drain_s,
        quiet=driven.quiet,
        cpu=driven.meter.shares(steady_from, driven.send_until),
        load_average=driven.load_average,
    )
    summary = build_summary(
        plan=plan,
        options=options,
        checks=checks,
        evidence=evidence,
        measured=measured,
        folder=folder,
        created=created,
    )
    write_run_folder(folder, summary)
    _rebuild_front_page(options.out_dir, folder)
    return LoadResult(folder, plan, checks, summary)


def _server_check(errors: list[str]) -> CheckResult:
    lines = [line for error in errors for line in error.splitlines()[1:] or [error]]
    return CheckResult(
        "axis-no-errors",
        "the axis started for the run logged no errors",
        1,
        len(lines),
        tuple(lines[:20]),
    )


def _rebuild_front_page(out_dir: Path, folder: Path) -> None:
    """Rebuild the front page when the run's folder is under ``out_dir``."""
    if folder.resolve().is_relative_to(Path(out_dir).resolve()):
        from reports.front_page import rebuild_front_page

        rebuild_front_page(out_dir)
