"""What every HTML page lienthong writes or serves is built with: a strict, autoescaping Jinja
environment, and a web app's static files (its own folder, then the shared one with the base
stylesheet that gives the axis dashboard and the onboarding board one look), each linked with
its content's digest so a browser never keeps a stale copy.

Every value on a page comes from vendors, agencies or officers and is hostile until escaped:
autoescape is on for every template and nothing is marked safe.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
"""The reports' own templates: certification report, certificate, simulation, front page."""
SHARED_STATIC = HERE / "static"
BASE_CSS = "base.css"

__all__ = ["BASE_CSS", "SHARED_STATIC", "TEMPLATES", "StaticAssets", "page_environment"]


def page_environment(
    loader: jinja2.BaseLoader | Path, filters: Mapping[str, Callable[..., object]] | None = None
) -> jinja2.Environment:
    """A Jinja environment over ``loader`` (a loader, or a folder of templates) that escapes
    every value, refuses undefined names and drops the blank lines block tags leave."""
    if isinstance(loader, Path):
        loader = jinja2.FileSystemLoader(loader)
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters or {})
    return env


@functools.cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class StaticAssets:
    """The static files a web app serves under ``/static``: those in ``folder``, then the
    shared ones (:data:`BASE_CSS`)."""

    folder: Path

    def path(self, name: str) -> Path:
        """The file ``name`` is served from; ``FileNotFoundError`` when neither folder has it."""
        for folder in (self.folder, SHARED_STATIC):
            if (folder / name).is_file():
                return folder / name
        raise FileNotFoundError(f"name={name!r} is in neither {self.folder} nor {SHARED_STATIC}")

    def version(self, name: str) -> str:
        """The first ten hex digits of the file's SHA-256, for ``?v=`` in its link."""
        return _digest(self.path(name))

    def names(self) -> list[str]:
        """Every file served, the shared ones first (what a static export copies)."""
        shared = sorted(p.name for p in SHARED_STATIC.iterdir() if p.is_file())
        own = sorted(p.name for p in self.folder.iterdir() if p.is_file())
        return shared + [n for n in own if n not in shared]

    def app(self) -> Any:
        """A Starlette app serving these files (mount it at ``/static``)."""
        from starlette.staticfiles import StaticFiles

        return StaticFiles(directory=self.folder, packages=[("reports", SHARED_STATIC.name)])
