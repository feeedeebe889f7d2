"""Helpers for tests that exercise a fake axis: documents between fixture agencies and the
real SDK samples kept beside the repository (``../shared/realworld``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fixtures.agencies import Agency, lookup
from fixtures.factory import DocumentFactory
from spec import model
from spec.codec import serialize
from spec.formats import parse_timestamp

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
TODAY = date(2026, 1, 5)

__all__ = ["REALWORLD", "Documents", "realworld_sample"]


def realworld_sample(name: str) -> bytes | None:
    """The bytes of a real SDK sample, or None when ``../shared/realworld`` is absent."""
    path = REALWORLD / name
    return path.read_bytes() if path.is_file() else None


def _agency(code: str) -> Agency:
    agency = lookup(code)
    if agency is None:
        raise ValueError(f"code={code!r} is not in the fixture registry")
    return agency


class Documents:
    """Valid edXML bytes between fixture agencies, from one seed (each call is a new
    document, so the axis never sees it as a duplicate)."""

    def __init__(self, seed: int = 0) -> None:
        self.factory = DocumentFactory(seed=seed, today=TODAY)
        self.last: model.Edoc | None = None

    def edoc(self, sender: str, receivers: Sequence[str], **options: object) -> bytes:
        doc = self.factory.edoc(_agency(sender), [_agency(r) for r in receivers], **options)  # type: ignore[arg-type]
        self.last = doc
        return serialize(doc)

    def status(self, receiver: str, code: str, *, minute: int = 0) -> bytes:
        """A status about the last document, from ``receiver`` (one of its recipients)."""
        if self.last is None:
            raise ValueError("status() needs an edoc() first")
        at = parse_timestamp(f"2026/01/05 09:{minute:02d}:00")
        return serialize(self.factory.status(self.last, _agency(receiver), code, at=at))
