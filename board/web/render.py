"""The web board's templates: one Jinja environment (reports.pages', autoescaping everything)
with the filters the pages use, and :class:`Links`, which builds every link either for the live
server (``/agency/ID``) or for the static export (``agency/ID.html``, relative), so one set of
templates serves both.

Agency names, vendors, products and officers' notes come from certificates and plan files and
are hostile until escaped; autoescape is on everywhere and nothing is marked safe.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from board.text import fmt_number
from reports.pages import StaticAssets, page_environment
from spec.clock import VIETNAM

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
ASSETS = StaticAssets(HERE / "static")

__all__ = ["ASSETS", "Links", "Renderer"]


@dataclass(frozen=True, slots=True)
class Links:
    """Where pages live. ``root`` is the prefix back to the board's top (``/`` or
    ``/board/`` live; ``""`` or ``../`` in the export); ``static`` says which."""

    root: str
    static: bool = False

    def _page(self, *parts: str) -> str:
        path = "/".join(quote(p, safe="") for p in parts)
        return f"{self.root}{path}.html" if self.static else f"{self.root}{path}"

    def home(self) -> str:
        return f"{self.root}index.html" if self.static else self.root

    def phase(self, name: str) -> str:
        return self._page("phase", name)

    def agency(self, organ_id: str) -> str:
        return self._page("agency", organ_id)

    def certificate(self, digest: str) -> str:
        return self._page("certificate", digest)

    def product(self, product_id: int) -> str:
        return self._page("product", str(product_id))

    def audit(self) -> str:
        return self._page("audit")

    def admin(self) -> str:
        return f"{self.root}admin"

    def asset(self, name: str) -> str:
        if self.static:
            return f"{self.root}static/{name}"
        return f"{self.root}static/{name}?v={ASSETS.version(name)}"

    def phase_data(self, name: str, kind: str) -> str:
        return f"{self.root}phase/{quote(name, safe='')}.{kind}"


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "—"


def _percent(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value * 100:.1f} %"


def _number(value: float | None, unit: str = "", signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return fmt_number(float(value), unit, signed=signed)


class Renderer:
    """Renders the board's templates."""

    def __init__(self) -> None:
        filters: dict[str, Callable[..., object]] = {
            "when": _when,
            "day": _day,
            "percent": _percent,
            "number": _number,
        }
        self.env = page_environment(TEMPLATES, filters)

    def __repr__(self) -> str:
        return "Renderer()"

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)
