"""The documents agencies write: streams by role, type and direction, drawn a day at a time.

A stream is "agencies of role R send documents of this type to agencies of role S in this
scope": directives fan out downwards (a People's Committee to its districts), reports go
upwards (a commune to its district), peers exchange sideways (ministry to ministry). Each
sender writes a Poisson number of documents per working day, at times spread uniformly over
office hours; a document goes to all candidates (a broadcast) or to 1 + Poisson(extra) of them.
A steering document (SteeringType 1 or 2) carries a due date; type 2 asks for a report back,
which the receiving agency writes when it completes the document (:mod:`sim.agencies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.calendar import WorkCalendar
from sim.errors import ScenarioError
from sim.topology import Topology
from sim.types import Role

STEERING = ("none", "directive", "report")


@dataclass(frozen=True, eq=False)
class Stream:
    """One compiled workload stream: who sends, to which candidate group, how often."""

    name: str
    direction: str
    type_name: str
    per_day: float
    broadcast: float
    extra: float
    steering: np.ndarray
    due_days: float
    senders: np.ndarray
    group_start: np.ndarray
    group_size: np.ndarray
    self_pos: np.ndarray
    members: np.ndarray

    def __repr__(self) -> str:
        return f"<Stream {self.name}: {len(self.senders)} senders, {self.per_day}/day>"


@dataclass(frozen=True, slots=True, eq=False)
class NewDocuments:
    """A batch of documents written, with one row per (document, recipient) in ``rec_*``."""

    sender: np.ndarray
    t: np.ndarray
    steering: np.ndarray
    due: np.ndarray
    pages: np.ndarray
    stream: np.ndarray
    rec_doc: np.ndarray
    rec_agency: np.ndarray

    def __len__(self) -> int:
        return len(self.sender)


def _group_keys(topology: Topology, scope: str, candidates: np.ndarray) -> np.ndarray:
    if scope == "nation":
        return np.zeros(len(candidates), dtype=np.int64)
    if scope == "own-province":
        return topology.province[candidates].astype(np.int64)
    if scope in ("children", "siblings"):
        return topology.parent[candidates].astype(np.int64)
    return candidates.astype(np.int64)  # parent: each candidate is its own group


def _sender_keys(topology: Topology, scope: str, senders: np.ndarray) -> np.ndarray:
    if scope == "nation":
        return np.zeros(len(senders), dtype=np.int64)
    if scope == "own-province":
        return topology.province[senders].astype(np.int64)
    if scope == "children":
        return senders.astype(np.int64)
    return topology.parent[senders].astype(np.int64)  # parent, siblings


def compile_stream(spec: Mapping[str, Any], topology: Topology) -> Stream:
    """The stream of a scenario's ``workload.streams`` entry, over ``topology``."""
    name = spec["name"]
    try:
        from_role = Role[spec["from"].upper()]
        to_role = Role[spec["to"].upper()]
    except KeyError as exc:
        raise ScenarioError(f"stream {name!r}: unknown role {exc.args[0]!r}") from None
    scope = spec["scope"]
    senders = np.flatnonzero(topology.role == from_role).astype(np.int32)
    candidates = np.flatnonzero(topology.role == to_role).astype(np.int32)
    ckeys = _group_keys(topology, scope, candidates)
    order = np.argsort(ckeys, kind="stable")
    members, ckeys = candidates[order], ckeys[order]
    skeys = _sender_keys(topology, scope, senders)
    start = np.searchsorted(ckeys, skeys, side="left")
    size = np.searchsorted(ckeys, skeys, side="right") - start
    # where the sender itself sits in its candidate group (peers never write to themselves)
    self_pos = np.full(len(senders), -1, dtype=np.int64)
    if from_role == to_role:
        where = np.empty(len(topology), dtype=np.int64)
        where[members] = np.arange(len(members))
        pos = where[senders] - start
        inside = (pos >= 0) & (pos < size)
        self_pos[inside] = pos[inside]
    effective = size - (self_pos >= 0)
    keep = effective > 0
    steering = np.array([float(spec["steering"].get(k, 0.0)) for k in STEERING])
    if not np.isclose(steering.sum(), 1.0):
        raise ScenarioError(
            f"stream {name!r}: steering shares(={spec['steering']!r}) must sum to 1"
        )
    return Stream(
        name=name,
        direction=spec["direction"],
        type_name=spec["type"],
        per_day=float(spec["per_day"]),
        broadcast=float(spec.get("broadcast", 0.0)),
        extra=float(spec.get("extra_recipients", 0.0)),
        steering=np.cumsum(steering),
        due_days=float(spec.get("due_days", 0.0)),
        senders=senders[keep],
        group_start=start[keep],
        group_size=size[keep],
        self_pos=self_pos[keep],
        members=members,
    )


class Workload:
    """The scenario's streams over a topology; :meth:`day` writes one day's documents."""

    def __init__(
        self,
        streams: Sequence[Mapping[str, Any]],
        topology: Topology,
        calendar: WorkCalendar,
        *,
        pages_mean: float,
        report_type: str,
    ) -> None:
        self.streams = [compile_stream(s, topology) for s in streams]
        self.calendar = calendar
        self.pages_mean = pages_mean
        self.types = [s.type_name for s in self.streams] + [report_type]
        """Document type by stream number; the last is the report-backs'."""
        self.report_back = len(self.streams)

    def __repr__(self) -> str:
        return f"<Workload of {len(self.streams)} streams>"

    def pages(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return (1 + rng.poisson(max(self.pages_mean - 1.0, 0.0), n)).astype(np.int32)

    def day(self, day: int, rng: np.random.Generator) -> NewDocuments | None:
        """The documents written on day ``day`` (None on a day off)."""
        w0, w1 = self.calendar.work_window(day)
        if w1 <= w0:
            return None
        parts = [self._stream_day(i, s, w0, w1, rng) for i, s in enumerate(self.streams)]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return concat_documents(parts)

    def _stream_day(
        self, index: int, s: Stream, w0: float, w1: float, rng: np.random.Generator
    ) -> NewDocuments | None:
        counts = rng.poisson(s.per_day, len(s.senders))
        n = int(counts.sum())
        if n == 0:
            return None
        who = np.repeat(np.arange(len(s.senders)), counts)
        t = np.asarray(self.calendar.from_work(w0 + rng.random(n) * (w1 - w0)))
        order = np.argsort(t, kind="stable")
        who, t = who[order], t[order]
        size = s.group_size[who]
        self_pos = s.self_pos[who]
        effective = size - (self_pos >= 0)
        wanted = 1 + rng.poisson(s.extra, n)
        everyone = (rng.random(n) < s.broadcast) | (wanted >= effective)
        k = np.where(everyone, effective, wanted)
        rec_doc = np.repeat(np.arange(n), k)
        first = np.cumsum(k) - k
        rank = np.arange(len(rec_doc)) - np.repeat(first, k)
        span = effective[rec_doc]
        offset = np.where(
            everyone[rec_doc], rank, (rng.random(len(rec_doc)) * span).astype(np.int64)
        )
        sp = self_pos[rec_doc]
        offset = offset + ((sp >= 0) & (offset >= sp))
        rec = s.members[s.group_start[who][rec_doc] + offset]
        # a random pick can repeat a recipient: keep one row per (document, recipient)
        key = rec_doc.astype(np.int64) * (int(rec.max()) + 1) + rec
        _, unique = np.unique(key, return_index=True)
        rec_doc, rec = rec_doc[unique], rec[unique]
        steering = np.searchsorted(s.steering, rng.random(n), side="right").clip(0, 2)
        due = np.full(n, np.inf)
        directed = steering > 0
        if s.due_days > 0 and directed.any():
            work = np.asarray(self.calendar.to_work(t[directed]))
            due[directed] = self.calendar.from_work(work + s.due_days * self.calendar.day_length)
        return NewDocuments(
            sender=s.senders[who],
            t=t,
            steering=steering.astype(np.int8),
            due=due,
            pages=self.pages(rng, n),
            stream=np.full(n, index, dtype=np.int16),
            rec_doc=rec_doc,
            rec_agency=rec.astype(np.int32),
        )


def concat_documents(parts: Sequence[NewDocuments]) -> NewDocuments:
    """One batch of ``parts``, documents renumbered in order."""
    if len(parts) == 1:
        return parts[0]
    offsets = np.cumsum([0] + [len(p) for p in parts[:-1]])
    return NewDocuments(
        sender=np.concatenate([p.sender for p in parts]),
        t=np.concatenate([p.t for p in parts]),
        steering=np.concatenate([p.steering for p in parts]),
        due=np.concatenate([p.due for p in parts]),
        pages=np.concatenate([p.pages for p in parts]),
        stream=np.concatenate([p.stream for p in parts]),
        rec_doc=np.concatenate([p.rec_doc + o for p, o in zip(parts, offsets, strict=True)]),
        rec_agency=np.concatenate([p.rec_agency for p in parts]),
    )
