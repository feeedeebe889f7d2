"""lienthong as a vendor gets it: the sdist and the wheel built from a copy of this checkout
(the way ``make dist`` builds them), and the wheel installed into a fresh virtual environment
in a temporary folder, with nothing of the checkout on its path.

The environment is made with uv, which installs the wheel's dependencies from its cache by
hard links (a second of work instead of half a minute of unpacking); it asks the package index
only when the cache lacks something.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from uv import find_uv_bin

ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 300.0
GENERATED = Path("reports/out/certify/planted-run/report.html")
"""A generated report planted in the copy: it must never ship."""
_STRIPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


def packages() -> list[str]:
    """The top-level packages the distribution ships (pyproject's ``packages.find``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    found = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({name.rstrip("*").split(".")[0] for name in found})


def data_files(tree: Path) -> set[str]:
    """Every file of the shipped packages under ``tree`` that is not Python source, relative
    to ``tree`` (what the wheel must carry as package data), generated output excepted."""
    out = set()
    for name in packages():
        for path in (tree / name).rglob("*"):
            rel = path.relative_to(tree)
            if not path.is_file() or path.suffix in (".py", ".pyc"):
                continue
            if "__pycache__" in rel.parts or rel.parts[:2] == ("reports", "out"):
                continue
            out.add(rel.as_posix())
    return out


def copy_source(dest: Path) -> Path:
    """What the sdist is made of (pyproject, README, the packages), copied to ``dest``, with a
    generated report planted where a developer's runs leave them."""
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in packages():
        shutil.copytree(ROOT / name, dest / name, ignore=junk)
    planted = dest / GENERATED
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("<html>a run of the developer's, not part of lienthong</html>")
    return dest


@dataclass
class Built:
    """The sdist and the wheel, and the source copy they were built from."""

    source: Path
    sdist: Path
    wheel: Path


def build(workdir: Path) -> Built:
    """Build the sdist and, from it, the wheel (``python -m build``, as ``make dist``)."""
    source = copy_source(workdir / "src")
    dist = workdir / "dist"
    _run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        cwd=workdir,
    )
    (sdist,) = dist.glob("lienthong-*.tar.gz")
    (wheel,) = dist.glob("lienthong-*.whl")
    return Built(source, sdist, wheel)


@dataclass
class Installed:
    """A virtual environment holding the wheel; commands run from ``home``, a folder of its
    own with nothing of the checkout in it."""

    venv: Path
    home: Path
    env: dict[str, str] = field(repr=False)

    def run(
        self, *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command of the environment (``lienthong``, ``python``, …) and return what it
        did, whatever its exit code."""
        command = [str(a) for a in args]
        if (self.venv / "bin" / command[0]).exists():
            command[0] = str(self.venv / "bin" / command[0])
        return subprocess.run(
            command,
            cwd=cwd or self.home,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )


def clean_env(venv: Path, home: Path) -> dict[str, str]:
    """The environment a vendor's shell would have with ``venv`` activated: no PYTHONPATH,
    nothing of the checkout's virtual environment, matplotlib's cache in ``home``, and
    bytecode written (the environment's first command writes what the next ones start from,
    as a vendor's pip install does)."""
    stripped = (*_STRIPPED_ENV, "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in stripped}
    bin_dir = str(venv / "bin")
    checkout_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != checkout_bin]
    env["PATH"] = os.pathsep.join([bin_dir, *path])
    env["VIRTUAL_ENV"] = str(venv)
    env["MPLCONFIGDIR"] = str(home / ".matplotlib")
    return env


def install(wheel: Path, workdir: Path, *, seed_pip: bool = False) -> Installed:
    """A fresh virtual environment in ``workdir`` with ``wheel`` installed (and pip, when
    ``seed_pip``, for recipes that install with it)."""
    venv = workdir / "venv"
    home = workdir / "home"
    home.mkdir(parents=True)
    uv = find_uv_bin()
    base = getattr(sys, "_base_executable", sys.executable)
    command = [uv, "venv", "--quiet", "--python", base, str(venv)]
    if seed_pip:
        command.append("--seed")
    _run(command, cwd=workdir)
    target = ["--python", str(venv / "bin" / "python"), str(wheel)]
    offline = _run(
        [uv, "pip", "install", "--quiet", "--offline", *target], cwd=workdir, check=False
    )
    if offline.returncode != 0:  # the cache lacks something: ask the index
        _run([uv, "pip", "install", "--quiet", *target], cwd=workdir)
    installed = Installed(venv, home, clean_env(venv, home))
    # Once, before commands run side by side: the bytecode of every module the CLI imports.
    first = installed.run("lienthong", "--version")
    if first.returncode != 0:
        raise RuntimeError(f"lienthong --version exited {first.returncode}:\n{first.stderr}")
    return installed


def _run(
    command: Sequence[str], *, cwd: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done
