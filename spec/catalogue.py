"""The requirement catalogue: every requirement id the project checks, with its level and source.

The catalogue lives in ``spec/requirements/*.yaml``, one file per family. Ids never change
meaning; a retired requirement stays in the file with ``retired: true``.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from importlib import resources

import yaml

from spec.errors import SpecError, UnknownRequirement


class Level(enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    title: str
    level: Level
    family: str
    source: str
    statement: str
    retired: bool = False


_FIELDS = {"id", "title", "level", "source", "statement", "retired"}


def _read_family(name: str, text: str) -> list[Requirement]:
    entries = yaml.safe_load(text) or []
    out = []
    for entry in entries:
        unknown = set(entry) - _FIELDS
        if unknown:
            raise SpecError(f"requirements/{name}: unknown keys {sorted(unknown)!r} in {entry!r}")
        out.append(
            Requirement(
                id=entry["id"],
                title=entry["title"],
                level=Level(entry["level"]),
                family=name,
                source=entry["source"],
                statement=entry["statement"],
                retired=bool(entry.get("retired", False)),
            )
        )
    return out


@functools.cache
def catalogue() -> dict[str, Requirement]:
    """All requirements by id, in file order. Raises ``SpecError`` on a duplicate id."""
    found: dict[str, Requirement] = {}
    folder = resources.files("spec") / "requirements"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        for req in _read_family(entry.name.removesuffix(".yaml"), entry.read_text("utf-8")):
            if req.id in found:
                raise SpecError(f"duplicate requirement id {req.id!r} in requirements/{entry.name}")
            found[req.id] = req
    return found


def requirement(req_id: str) -> Requirement:
    """The requirement ``req_id``; raises ``UnknownRequirement`` for an id not in the catalogue."""
    try:
        return catalogue()[req_id]
    except KeyError:
        raise UnknownRequirement(
            f"requirement id {req_id!r} is not in spec/requirements/"
        ) from None
