"""The bounded load runs the tests judge, started side by side the first time a test asks for
one, each in a process of its own: a run mostly waits (for its sending window, for the axis
to go quiet), and its axis runs in its process, where runs side by side in threads would
share one interpreter lock and slow each other's axis."""

from __future__ import annotations

import json
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from axis import AxisConfig, running_axis
from load import LoadOptions, LoadResult, run_load, seeded_faults
from load.checks import message_cursor
from tests.side_by_side import lienthong

TOKEN = "load-test-token"
RUN = {"users": 4, "scale": 100.0, "run_time_s": 5.0, "drain_timeout_s": 40.0, "seed": 3}
THIN_SYSTEMS = ("02.01.W00", "02.02.W00", "02.03.W00")


def axis_config(data: Path) -> AxisConfig:
    """The axis of the clean run, on its data folder."""
    return AxisConfig(seed_defaults=False, data_dir=data, admin_token=TOKEN, seed=3)


@dataclass(frozen=True)
class CleanRun:
    """A run against an axis of its own, whose data folder is kept to be tampered with, and
    where the run's transcript events and messages start."""

    data: Path
    result: LoadResult
    cursor: int
    after_message: int


@dataclass(frozen=True)
class Said:
    """``lienthong`` commands run one after another: each one's exit code, all they
    printed, and the folder the load run wrote into."""

    codes: tuple[int, ...]
    printed: str
    out: Path


class LoadRuns:
    """The runs, each a future of its result."""

    def __init__(self, workdir: Path) -> None:
        self._pool = ProcessPoolExecutor(5, mp_context=get_context("spawn"))
        self.clean: Future[CleanRun] = self._pool.submit(clean_run, workdir / "clean")
        self.faults: Future[LoadResult] = self._pool.submit(faults_run, workdir / "faults")
        self.distributed: Future[LoadResult] = self._pool.submit(
            distributed_run, workdir / "distributed"
        )
        self.traffic_profile: Future[Said] = self._pool.submit(
            traffic_profile_run, workdir / "traffic-profile"
        )
        self.thin_profile: Future[Said] = self._pool.submit(thin_profile_run, workdir / "thin")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def clean_run(root: Path) -> CleanRun:
    data = root / "axis"
    with running_axis(axis_config(data)) as axis:
        with axis.admin() as admin:
            cursor, after = int(admin.stats()["head"]["seq"]), message_cursor(admin)
        options = LoadOptions(
            axis_url=axis.url,
            admin_token=TOKEN,
            out_dir=root / "out",
            **RUN,  # type: ignore[arg-type]
        )
        result = run_load(options, progress=False)
    return CleanRun(data, result, cursor, after)


def faults_run(root: Path) -> LoadResult:
    options = LoadOptions(faults=seeded_faults(3), out_dir=root / "out", **RUN)  # type: ignore[arg-type]
    return run_load(options, progress=False)


def distributed_run(root: Path) -> LoadResult:
    options = LoadOptions(processes=2, out_dir=root / "out", **{**RUN, "run_time_s": 4.0})  # type: ignore[arg-type]
    return run_load(options, progress=False)


def traffic_profile_run(root: Path) -> Said:
    """The file `lienthong sim run --profile` writes, played as a new user would."""
    root.mkdir(parents=True)
    profile = root / "traffic_profile.csv"
    sim = ["sim", "run", "baseline-2016", "-r", "1", "-j", "1", "--quiet", "--no-report"]
    sim += ["--set", "start=2016-09-05", "--days", "2", "--set", "warmup_days=1"]
    sim += ["--set", "topology.scale=0.02", "--out", str(root / "sim")]
    load = ["load", "--profile", str(profile), "--run-time", "4s", "--scale", "100"]
    load += ["--users", "4", "--quiet", "--out", str(root / "out")]
    return _commands(root / "out", [*sim, "--profile", str(profile)], load)


def thin_profile_run(root: Path) -> Said:
    """A profile so thin that no document is sent in the window."""
    root.mkdir(parents=True)
    profile = root / "thin.json"
    systems = [{"system_id": s, "documents": [0.001], "polls": [12.0]} for s in THIN_SYSTEMS]
    profile.write_text(
        json.dumps(
            {"format": "lienthong-traffic-profile", "version": 1, "name": "thin", "source": "",
             "recipients_mean": 1.5, "hour_labels": ["08:00"], "systems": systems}
        ),
        "utf-8",
    )  # fmt: skip
    load = ["load", "--profile", str(profile), "--run-time", "2s", "--users", "3"]
    return _commands(root / "out", [*load, "--quiet", "--out", str(root / "out")])


def _commands(out: Path, *commands: list[str]) -> Said:
    """Run ``lienthong`` commands in this process, one after another while each succeeds."""
    codes, printed = [], []
    for argv in commands:
        code, said = lienthong(*argv)
        codes.append(code)
        printed.append(said)
        if code != 0:
            break
    return Said(tuple(codes), "".join(printed), out)
