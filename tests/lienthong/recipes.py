"""The CI recipes of docs/ci/ run as their services would run them, here: their shell steps in
their order and under their conditions, with the wheel installed in a fresh environment and
the reference SUT standing in for the vendor's test build."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import select
import signal
import socket
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.lienthong.installed import ROOT, Installed

RECIPES = ROOT / "docs" / "ci"
START_REFERENCE = "python -m conformance.reference --control-port"
STEP_TIMEOUT = 300.0
_EXPRESSION = re.compile(r"\$\{\{\s*env\.(\w+)\s*\}\}")


@dataclass
class Job:
    """What a recipe's job did: each step's name and exit code (None: skipped), whether the
    job succeeded, and the artefact paths and JUnit files its upload steps name."""

    workdir: Path
    steps: list[tuple[str, int | None]] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    artefacts: list[str] = field(default_factory=list)
    junit: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return all(code in (0, None) for _, code in self.steps)

    def code(self, name: str) -> int | None:
        return next(code for step, code in self.steps if step == name)

    def matches(self, pattern: str) -> list[Path]:
        return [Path(p) for p in glob.glob(str(self.workdir / pattern))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _overrides(wheel: Path, workdir: Path) -> dict[str, str]:
    """What the test sets beyond the recipe: the wheel to install, a free port for the test
    build, and where GitHub's step summary goes."""
    port = _free_port()
    return {
        "LIENTHONG_PACKAGE": str(wheel),
        "SUT_PORT": str(port),
        "SUT_URL": f"http://127.0.0.1:{port}",
        "GITHUB_STEP_SUMMARY": str(workdir / "summary.md"),
    }


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )


@contextlib.contextmanager
def _stopping_the_build(workdir: Path) -> Iterator[None]:
    """Whatever the job did, the test build it started is not left running."""
    try:
        yield
    finally:
        pid_file = workdir / "sut.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def run_github(recipe: Path, installed: Installed, wheel: Path, workdir: Path) -> Job:
    """Run the ``certify`` job's steps as GitHub Actions would: ``run`` steps with bash, a
    step without ``if`` only while everything succeeded, ``if: always()`` steps always;
    ``uses`` steps are not run, their artefact and JUnit paths are collected."""
    document = yaml.safe_load(recipe.read_text("utf-8"))
    job_spec = document["jobs"]["certify"]
    overrides = _overrides(wheel, workdir)
    env = {**installed.env, **document.get("env", {}), **job_spec.get("env", {}), **overrides}
    env = {k: str(v) for k, v in env.items()}
    job = Job(workdir)

    def expand(text: str) -> str:
        return _EXPRESSION.sub(lambda m: env[m[1]], text)

    with _stopping_the_build(workdir):
        for step in job_spec["steps"]:
            name = step.get("name") or step.get("uses", "?")
            condition = step.get("if", "success()")
            assert condition in ("success()", "always()"), f"{name}: if: {condition}"
            if condition == "success()" and not job.succeeded:
                job.steps.append((name, None))
                continue
            if "uses" in step:
                _collect(
                    job, step["uses"], {k: expand(str(v)) for k, v in step.get("with", {}).items()}
                )
                job.steps.append((name, 0))
                continue
            done = _bash(expand(step["run"]), {**env, **step.get("env", {})}, workdir)
            job.output.append(f"## {name}\n{done.stdout}{done.stderr}")
            job.steps.append((name, done.returncode))
    return job


def _collect(job: Job, uses: str, given: dict[str, str]) -> None:
    if uses.startswith("actions/upload-artifact@"):
        job.artefacts += [line.strip() for line in given["path"].splitlines() if line.strip()]
    elif uses.startswith("mikepenz/action-junit-report@"):
        job.junit.append(given["report_paths"])


def run_gitlab(
    recipe: Path,
    installed: Installed,
    wheel: Path,
    workdir: Path,
    *,
    patch: Callable[[str], str],
) -> Job:
    """Run the job as GitLab's shell does: before_script and script as one bash script that
    stops at the first failing line, after_script in a shell of its own whatever happened."""
    document = yaml.safe_load(recipe.read_text("utf-8"))
    (name,) = [k for k, v in document.items() if isinstance(v, dict) and "script" in v]
    spec = document[name]
    env = {**installed.env, **{k: str(v) for k, v in spec.get("variables", {}).items()}}
    env.update(_overrides(wheel, workdir))
    job = Job(workdir)
    main = "\n".join(patch(line) for line in [*spec.get("before_script", []), *spec["script"]])
    with _stopping_the_build(workdir):
        done = _bash(main, env, workdir)
        job.output.append(f"## script\n{done.stdout}{done.stderr}")
        job.steps.append(("script", done.returncode))
        after = _bash("\n".join(spec.get("after_script", [])), env, workdir)
        job.output.append(f"## after_script\n{after.stdout}{after.stderr}")
        job.steps.append(("after_script", after.returncode))
    artifacts = spec["artifacts"]
    assert artifacts.get("when") == "always", "artefacts must be kept when the job fails"
    job.artefacts = list(artifacts["paths"])
    job.junit = [artifacts["reports"]["junit"]]
    return job


def junit_counts(path: Path) -> tuple[int, int]:
    """How many tests a JUnit file holds, and how many of them failed or broke."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    broken = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    return tests, broken


def the_build_stopped(workdir: Path, within: float = 30.0) -> bool:
    """Whether the test build the job started has exited within ``within`` seconds (a zombie
    counts: it has). It is no child of ours, so wait on a pidfd of it, which becomes readable
    when it exits."""
    pid = int((workdir / "sut.pid").read_text().strip())
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], within)
    finally:
        os.close(fd)
    return bool(readable)
