"""Phase plans: who connects to the national axis in which window, and in which role.

The shipped plans are the rollout phases of ``fixtures/data/phases.yaml`` (the 2015 pilot,
TP.HCM, 2016 phases 1 and 2, the QĐ 676 waves). A certification office writes its own in YAML,
checked against ``board/plan.schema.json`` and then against the agency registry; every problem
is reported at once with the line it is on::

    name: wave-2026-a
    title: Provinces of the northern midlands
    start: 2026-01-05
    end: 2026-02-27
    require_signature: false        # true: a run that dropped the signature MUSTs does not count
    members:
      - 000.00.00.H44               # two-way, planned on the first day
      - {id: 000.00.00.H41, role: receive-only, date: 2026-01-19}

A member's role decides the profile its certificate needs (:mod:`board.readiness`): two-way
exchange needs the full profile.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import jsonschema
import yaml

from board.errors import PlanError
from spec.organ_ids import parse_organ_id, recipient_problem

SHIPPED_SOURCE = "fixtures/data/phases.yaml"
MAX_PLAN_BYTES = 1 << 20

__all__ = ["PhasePlan", "PlanMember", "Role", "parse_plan", "shipped_plans"]


class Role(enum.StrEnum):
    """What an agency does on the axis in its phase."""

    TWO_WAY = "two-way"
    RECEIVE_ONLY = "receive-only"
    SEND_ONLY = "send-only"

    def __repr__(self) -> str:
        return f"Role.{self.name}"


@dataclass(frozen=True, slots=True)
class PlanMember:
    """One agency of a plan: its role and the date it is planned to connect. ``derived`` is
    True when the sources do not name it (the fixtures filled it in)."""

    organ_id: str
    role: Role
    planned: date
    derived: bool = False


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """A rollout phase: its window (both days inclusive), members and where it came from
    (``fixtures/data/phases.yaml`` or the user's file)."""

    name: str
    title: str
    start: date
    end: date
    members: tuple[PlanMember, ...]
    source: str
    note: str = ""
    require_signature: bool = False

    def __repr__(self) -> str:
        return f"<PhasePlan {self.name} {self.start}..{self.end}: {len(self.members)} members>"

    @property
    def shipped(self) -> bool:
        return self.source == SHIPPED_SOURCE

    def member(self, organ_id: str) -> PlanMember | None:
        for m in self.members:
            if m.organ_id == organ_id:
                return m
        return None


@functools.cache
def shipped_plans() -> tuple[PhasePlan, ...]:
    """The phases of ``fixtures/data/phases.yaml`` as plans: every member two-way, planned on
    the phase's first day."""
    from fixtures.agencies import phases

    return tuple(
        PhasePlan(
            name=p.name,
            title=p.title,
            start=p.start,
            end=p.end,
            members=tuple(PlanMember(m, Role.TWO_WAY, p.start, m in p.derived) for m in p.members),
            source=SHIPPED_SOURCE,
            note=p.note,
        )
        for p in phases()
    )


# --- user plans ----------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so the schema sees what the file says."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    text = (resources.files("board") / "plan.schema.json").read_text("utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


Path_ = tuple[str | int, ...]


def _lines(node: yaml.Node, path: Path_ = ()) -> dict[Path_, int]:
    """The line (1-based) of every node of a composed YAML document, by its path."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out.update(_lines(value, (*path, str(key.value))))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_lines(item, (*path, i)))
    return out


def _where(path: Path_, lines: Mapping[Path_, int]) -> str:
    shown = ""
    for part in path:
        shown += f"[{part}]" if isinstance(part, int) else (f".{part}" if shown else str(part))
    probe = path
    while probe not in lines and probe:
        probe = probe[:-1]
    line = lines.get(probe)
    return f"{shown or '(top)'}" + (f" (line {line})" if line else "")


def _day(text: str, path: Path_, lines: Mapping[Path_, int], problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{_where(path, lines)}: {text!r} is not a calendar date")
        return None


AgencyLookup = Callable[[str], str | None]
"""Organ id (either form) -> the QCVN 102 id of the known agency, or None."""


def _members(
    items: list[Any],
    start: date | None,
    end: date | None,
    known: AgencyLookup,
    lines: Mapping[Path_, int],
    problems: list[str],
) -> list[PlanMember]:
    out: list[PlanMember] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        entry = {"id": item} if isinstance(item, str) else item
        where = ("members", i) if isinstance(item, str) else ("members", i, "id")
        text = entry["id"].strip()
        problem = recipient_problem(text)
        if problem:
            problems.append(f"{_where(where, lines)}: {problem}")
            continue
        organ_id = known(text)
        if organ_id is None:
            canonical = parse_organ_id(text).to_qcvn102().text
            problems.append(
                f"{_where(where, lines)}: {canonical!r} is a valid id but no agency of the "
                "registry (see `lienthong ids explain`)"
            )
            continue
        if organ_id in seen:
            problems.append(
                f"{_where(where, lines)}: {organ_id!r} is listed twice (also members[{seen[organ_id]}])"
            )
            continue
        seen[organ_id] = i
        planned = start
        if "date" in entry:
            planned = _day(entry["date"], ("members", i, "date"), lines, problems)
            if planned and start and end and not start <= planned <= end:
                problems.append(
                    f"{_where(('members', i, 'date'), lines)}: {planned} is outside the "
                    f"window {start}..{end}"
                )
        if planned is not None:
            out.append(PlanMember(organ_id, Role(entry.get("role", Role.TWO_WAY.value)), planned))
    return out


def parse_plan(text: str, source: str, known: AgencyLookup) -> PhasePlan:
    """The phase plan in YAML ``text`` (``source`` names it in messages). ``known`` maps an
    organ id to the registry's agency. Raises ``PlanError`` listing every problem with where
    it is."""
    if len(text.encode("utf-8")) > MAX_PLAN_BYTES:
        raise PlanError(source, ["the file is over 1 MiB; a plan is far smaller"])
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise PlanError(source, [f"not valid YAML: {exc}"]) from None
    lines = _lines(node) if node is not None else {}
    if data is None:
        raise PlanError(source, ["the file is empty; a plan needs name, start, end and members"])
    errors = sorted(_expand(_validator().iter_errors(data)), key=lambda e: [str(p) for p in e.path])
    if errors:
        raise PlanError(
            source, [f"{_where(tuple(e.absolute_path), lines)}: {_say(e)}" for e in errors]
        )
    problems: list[str] = []
    start = _day(data["start"], ("start",), lines, problems)
    end = _day(data["end"], ("end",), lines, problems)
    if start and end and end < start:
        problems.append(f"{_where(('end',), lines)}: {end} is before start {start}")
    members = _members(data["members"], start, end, known, lines, problems)
    if problems or start is None or end is None:
        raise PlanError(source, problems)
    return PhasePlan(
        name=data["name"],
        title=data.get("title", data["name"]),
        start=start,
        end=end,
        members=tuple(members),
        source=source,
        note=" ".join(str(data.get("note", "")).split()),
        require_signature=bool(data.get("require_signature", False)),
    )


def _expand(errors: Iterable[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """The errors, with a member written as a mapping judged by the mapping branch alone."""
    out = []
    for error in errors:
        if error.validator == "oneOf" and isinstance(error.instance, dict):
            branch = [c for c in error.context or () if c.relative_schema_path[0] == 1]
            out += branch or [error]
        else:
            out.append(error)
    return out


def _say(error: jsonschema.ValidationError) -> str:
    """A schema error in words a certification officer reads."""
    if error.validator == "additionalProperties":
        return f"{error.message}; the keys a plan knows are in board/plan.schema.json"
    if error.validator == "pattern" and error.path and error.path[-1] in ("start", "end", "date"):
        return f"{error.instance!r} is not a date written YYYY-MM-DD"
    if error.validator == "pattern" and list(error.path) == ["name"]:
        return f"{error.instance!r} must be lowercase letters, digits and '-' (e.g. wave-2026-a)"
    if error.validator == "oneOf" and error.path and error.path[0] == "members":
        return (
            f"{error.instance!r:.80} must be an organ id or a mapping with id, and optionally "
            "role (two-way, receive-only, send-only) and date"
        )
    return error.message
