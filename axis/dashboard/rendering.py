"""The dashboard's templates: one Jinja environment (reports.pages', autoescaping everything)
with the filters the pages use (Vietnam time, short hashes, byte counts), and the static files
with their cache-busting versions.

Every value on a page comes from vendors (agency names, subjects, DocumentIds) and is hostile
until escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from axis.dashboard.labels import local_time, status_label
from reports.pages import StaticAssets, page_environment
from spec.status_codes import StatusCode

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
ASSETS = StaticAssets(HERE / "static")

__all__ = ["ASSETS", "Renderer"]


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


class Renderer:
    """Renders the dashboard's templates; ``base`` is the URL prefix the dashboard is mounted
    at (links are built from it)."""

    def __init__(self) -> None:
        filters: dict[str, Callable[..., object]] = {
            "vntime": local_time,
            "short": _short,
            "size": _bytes,
            "duration": _duration,
        }
        self.env = page_environment(TEMPLATES, filters)
        self.env.globals["static_version"] = ASSETS.version
        codes = [c.value for c in StatusCode]
        self.env.globals["status_codes_span"] = f"{min(codes)}–{max(codes)}"
        self.env.globals["completed_status"] = status_label(StatusCode.COMPLETED.value)

    def __repr__(self) -> str:
        return "Renderer()"

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)
