"""The long runs of the vendor path, started side by side the first time a test asks for one:
from the installed wheel a certification, a simulation and a pytest session, and the job of
each CI recipe. Each mostly waits (on model time, on its child processes), so together they
take about as long as the longest one alone. Each test then judges the run it names."""

from __future__ import annotations

import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from conformance.mutants import MUTANTS
from tests.lienthong.installed import Installed
from tests.lienthong.recipes import RECIPES, START_REFERENCE, Job, run_github, run_gitlab

Done = subprocess.CompletedProcess[str]
PYTEST_REQUIREMENTS = ("TR-POLL-EDOC", "TR-DOWNLOAD", "TR-ACK-DONE")
# A defect that breaks a rule without making the suite wait for what never comes.
GITLAB_DEFECT = next(m for m in MUTANTS if m.fails == ("LC-NO-REPEAT",))


@dataclass(frozen=True)
class Certification:
    """``lienthong certify`` of the reference SUT into ``out``, then the signing key
    exported to ``key`` and ``report verify`` of each run folder against it."""

    out: Path
    key: Path
    certify: Done
    export: Done
    verify: list[Done]


@dataclass(frozen=True)
class Output:
    """A command and the folder it wrote into."""

    out: Path
    done: Done


class VendorRuns:
    """The runs, each a future of its result."""

    def __init__(self, installed: Installed, wheel: Path, workdir: Path) -> None:
        self._pool = ThreadPoolExecutor(max_workers=5, thread_name_prefix="vendor-run")
        self.certification: Future[Certification] = self._pool.submit(
            _certify, installed, workdir / "certify"
        )
        self.simulation: Future[Output] = self._pool.submit(_simulate, installed, workdir / "sim")
        self.pytest_session: Future[Output] = self._pool.submit(
            _pytest_session, installed, workdir / "pytest-run"
        )
        self.github: Future[Job] = self._pool.submit(
            run_github, RECIPES / "github-actions.yml", installed, wheel, _folder(workdir, "github")
        )
        self.gitlab: Future[Job] = self._pool.submit(
            run_gitlab,
            RECIPES / "gitlab-ci.yml",
            installed,
            wheel,
            _folder(workdir, "gitlab"),
            patch=_plant_defect,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _folder(workdir: Path, name: str) -> Path:
    folder = workdir / name
    folder.mkdir(parents=True)
    return folder


def _certify(installed: Installed, out: Path) -> Certification:
    certify = installed.run(
        "lienthong",
        "certify",
        "--adapter",
        "reference",
        "--profile",
        "receiver",
        "--exploration-examples",
        "0",
        "--out",
        out,
    )
    key = out.parent / "signing-key.pem"
    export = installed.run("lienthong", "keys", "export-public", "--out", key)
    folders = sorted(p for p in out.iterdir() if p.is_dir()) if out.is_dir() else []
    verify = [
        installed.run("lienthong", "report", "verify", f, "--trusted-key", key) for f in folders
    ]
    return Certification(out, key, certify, export, verify)


def _simulate(installed: Installed, out: Path) -> Output:
    done = installed.run(
        "lienthong",
        "sim",
        "run",
        "baseline-2016",
        "--days",
        "2",
        "--set",
        "start=2016-05-10",
        "--replications",
        "1",
        "--jobs",
        "1",
        "--quiet",
        "--out",
        out,
    )
    return Output(out, done)


def _pytest_session(installed: Installed, out: Path) -> Output:
    done = installed.run(
        "python",
        "-m",
        "pytest",
        "--pyargs",
        "conformance",
        "--lienthong-adapter",
        "reference",
        "--lienthong-profile",
        "receiver",
        "--lienthong-requirements",
        ",".join(PYTEST_REQUIREMENTS),
        "--lienthong-out",
        out,
        "-p",
        "no:cacheprovider",
    )
    return Output(out, done)


def _plant_defect(line: str) -> str:
    """The GitLab job's test build, made defective."""
    (defect,) = GITLAB_DEFECT.behaviour.defects
    return line.replace(
        START_REFERENCE, f"python -m conformance.reference --defect {defect} --control-port"
    )
