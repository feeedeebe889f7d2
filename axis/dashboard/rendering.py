"""The dashboard's templates: one Jinja environment, autoescaping everything, with the filters
the pages use (Vietnam time, short hashes, byte counts) and the static files' cache-busting
versions.

Every value on a page comes from vendors (agency names, subjects, DocumentIds) and is hostile
until escaped; autoescape is on for every template and nothing is marked safe.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import jinja2

from axis.dashboard.labels import local_time, status_label
from spec.status_codes import StatusCode

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

__all__ = ["STATIC", "Renderer"]


def _short(text: str, length: int = 12) -> str:
    return text if len(text) <= length else text[:length] + "…"


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


@functools.cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


class Renderer:
    """Renders the dashboard's templates; ``base`` is the URL prefix the dashboard is mounted
    at (links are built from it)."""

    def __init__(self) -> None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["vntime"] = local_time
        env.filters["short"] = _short
        env.filters["size"] = _bytes
        env.filters["duration"] = _duration
        env.globals["static_version"] = _version
        codes = [c.value for c in StatusCode]
        env.globals["status_codes_span"] = f"{min(codes)}–{max(codes)}"
        env.globals["completed_status"] = status_label(StatusCode.COMPLETED.value)
        self.env = env

    def __repr__(self) -> str:
        return "Renderer()"

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)
