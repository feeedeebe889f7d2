"""The requirement catalogue: every requirement id the project checks, with its level, source,
statement, the certification roles it belongs to and the hint a vendor gets when it fails.

The catalogue lives in ``spec/requirements/*.yaml``, one file per family. Ids never change
meaning; a retired requirement stays in the file with ``retired: true``. ``roles`` says which
side of the exchange is certified against a requirement: ``{receiver: always, sender: signed}``
puts it in every profile with the receiver role, and in profiles with the sender role only when
they require signed documents. The certification profiles are computed from these roles.
"""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

import yaml

from spec.errors import SpecError, UnknownRequirement

__all__ = [
    "CONDITIONS",
    "ROLES",
    "SOURCE_KINDS",
    "Level",
    "Requirement",
    "Source",
    "catalogue",
    "catalogue_digest",
    "requirement",
]

ROLES = ("receiver", "sender")
"""The sides of the exchange a system is certified for."""
ALWAYS, SIGNED = "always", "signed"
CONDITIONS = (ALWAYS, SIGNED)
"""When a role's profiles hold a requirement: always, or only when signed documents are
required."""


class Level(enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement. ``roles`` maps a role (``receiver``, ``sender``) to when its profiles
    hold the requirement (``always`` or ``signed``); a requirement with no role is checked by
    the validator only, never certified. ``hint`` tells a vendor how to fix a failure."""

    id: str
    title: str
    level: Level
    family: str
    source: str
    statement: str
    retired: bool = False
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    hint: str | None = None

    @property
    def sources(self) -> tuple[Source, ...]:
        """``source`` split into its parts, each with its kind: the regulation (QCVN 102, a
        QĐ), a published standard, the axis SDK's behaviour, or a rule of the harness."""
        return tuple(Source(_source_kind(part), part) for part in _parts(self.source))

    def certified_for(self, roles: frozenset[str], *, signed: bool) -> bool:
        """Whether a profile with ``roles`` (and signed documents required or not) holds this
        requirement."""
        if self.retired:
            return False
        return any(
            self.roles.get(role) == ALWAYS or (signed and self.roles.get(role) == SIGNED)
            for role in roles
        )


LEGAL, STANDARD, SDK, HARNESS = "legal", "standard", "sdk", "harness"
SOURCE_KINDS = (LEGAL, STANDARD, SDK, HARNESS)
_KIND_PREFIXES = (
    (LEGAL, ("QCVN", "QĐ", "Nghị định", "Thông tư", "Nghị quyết")),
    (STANDARD, ("W3C", "XML 1.0", "Namespaces in XML", "RFC")),
    (SDK, ("AXIS_PROTOCOL", "SDK")),
)


@dataclass(frozen=True, slots=True)
class Source:
    """One part of a requirement's source: its ``kind`` (``legal``: the regulation itself;
    ``standard``: a published standard; ``sdk``: what the axis's client SDK does; ``harness``:
    the harness's own rule or reading, SPEC included) and its ``text``."""

    kind: str
    text: str


def _parts(source: str) -> list[str]:
    return [part.strip() for part in source.split(";") if part.strip()]


def _source_kind(part: str) -> str:
    for kind, prefixes in _KIND_PREFIXES:
        if part.startswith(prefixes):
            return kind
    return HARNESS


_FIELDS = {"id", "title", "level", "source", "statement", "retired", "roles", "hint"}


def _roles(name: str, entry: dict[str, Any]) -> Mapping[str, str]:
    roles = entry.get("roles") or {}
    if not isinstance(roles, dict) or any(
        r not in ROLES or c not in CONDITIONS for r, c in roles.items()
    ):
        raise SpecError(
            f"requirements/{name}: {entry.get('id')!r} has roles={roles!r}; roles map "
            f"{' or '.join(ROLES)} to {' or '.join(CONDITIONS)}"
        )
    return MappingProxyType(dict(roles))


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
                roles=_roles(name, entry),
                hint=entry.get("hint"),
            )
        )
    return out


def _family_files() -> list[Traversable]:
    folder = resources.files("spec") / "requirements"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)


@functools.cache
def catalogue() -> dict[str, Requirement]:
    """All requirements by id, in file order. Raises ``SpecError`` on a duplicate id."""
    found: dict[str, Requirement] = {}
    for entry in _family_files():
        for req in _read_family(entry.name.removesuffix(".yaml"), entry.read_text("utf-8")):
            if req.id in found:
                raise SpecError(f"duplicate requirement id {req.id!r} in requirements/{entry.name}")
            found[req.id] = req
    return found


@functools.cache
def catalogue_digest() -> str:
    """SHA-256 (hex) of the catalogue's files (each name and its bytes, in name order): which
    catalogue a certificate was judged against."""
    digest = hashlib.sha256()
    for entry in _family_files():
        data = entry.read_bytes()
        digest.update(f"{entry.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def requirement(req_id: str) -> Requirement:
    """The requirement ``req_id``; raises ``UnknownRequirement`` for an id not in the catalogue."""
    try:
        return catalogue()[req_id]
    except KeyError:
        raise UnknownRequirement(
            f"requirement id {req_id!r} is not in spec/requirements/"
        ) from None
