"""The documents agencies write: streams by role, type and direction, drawn a day at a time.

A stream is "agencies of role R send documents of this type to agencies of role S in this
scope": directives fan out downwards (a People's Committee to its districts), reports go
upwards (a commune to its district), peers exchange sideways (ministry to ministry). Each
sender writes a Poisson number of documents per working day, at times spread uniformly over
office hours; a document goes to all candidates (a broadcast) or to 1 + Poisson(extra) of them.
A steering document (SteeringType 1 or 2) carries a due date; type 2 asks for a report back,
which the receiving agency writes when it completes the document (:mod:`sim.handling`).

Each (day, stream) draws from its own generator and every document carries a key built from
(day, stream, number), so two scenarios with the same streams write the same documents on the
same day whatever else differs (:mod:`sim.randoms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.calendar import WorkCalendar
from sim.config import StreamConfig, WorkloadConfig
from sim.randoms import Purpose, Randoms, combine
from sim.topology import Topology


@dataclass(frozen=True, eq=False)
class Stream:
    """One compiled workload stream: who sends, to which candidate group, how often."""

    config: StreamConfig
    steering: np.ndarray
    senders: np.ndarray
    group_start: np.ndarray
    group_size: np.ndarray
    self_pos: np.ndarray
    members: np.ndarray

    def __repr__(self) -> str:
        c = self.config
        return f"<Stream {c.name}: {len(self.senders)} senders, {c.per_day}/day>"

    @property
    def name(self) -> str:
        return self.config.name


@dataclass(frozen=True, slots=True, eq=False)
class NewDocuments:
    """A batch of documents written, with one row per (document, recipient) in ``rec_*``;
    ``key`` names each document for the random numbers drawn about it."""

    sender: np.ndarray
    t: np.ndarray
    steering: np.ndarray
    due: np.ndarray
    pages: np.ndarray
    stream: np.ndarray
    key: np.ndarray
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


def compile_stream(config: StreamConfig, topology: Topology) -> Stream:
    """The stream ``config`` over ``topology``."""
    scope = config.scope
    senders = np.flatnonzero(topology.role == config.sender).astype(np.int32)
    candidates = np.flatnonzero(topology.role == config.recipient).astype(np.int32)
    ckeys = _group_keys(topology, scope, candidates)
    order = np.argsort(ckeys, kind="stable")
    members, ckeys = candidates[order], ckeys[order]
    skeys = _sender_keys(topology, scope, senders)
    start = np.searchsorted(ckeys, skeys, side="left")
    size = np.searchsorted(ckeys, skeys, side="right") - start
    # where the sender itself sits in its candidate group (peers never write to themselves)
    self_pos = np.full(len(senders), -1, dtype=np.int64)
    if config.sender == config.recipient:
        where = np.empty(len(topology), dtype=np.int64)
        where[members] = np.arange(len(members))
        pos = where[senders] - start
        inside = (pos >= 0) & (pos < size)
        self_pos[inside] = pos[inside]
    effective = size - (self_pos >= 0)
    keep = effective > 0
    return Stream(
        config=config,
        steering=np.cumsum(np.array(config.steering)),
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
        config: WorkloadConfig,
        topology: Topology,
        calendar: WorkCalendar,
        randoms: Randoms,
    ) -> None:
        self.config = config
        self.streams = [compile_stream(s, topology) for s in config.streams]
        self.calendar = calendar
        self.randoms = randoms
        self.types = [s.config.type_name for s in self.streams] + [config.report_type]
        """Document type by stream number; the last is the report-backs'."""
        self.report_back = len(self.streams)
        self._pages_cdf = _poisson_cdf(max(config.pages_mean - 1.0, 0.0))

    def __repr__(self) -> str:
        return f"<Workload of {len(self.streams)} streams>"

    def expected_per_day(self) -> float:
        """Documents written on a working day, every stream together (the mean)."""
        return sum(s.config.per_day * len(s.senders) for s in self.streams)

    def pages(self, u: np.ndarray) -> np.ndarray:
        """Pages of documents at uniform numbers ``u``: 1 + Poisson(pages_mean - 1), by the
        inverse of its distribution function."""
        return (1 + np.searchsorted(self._pages_cdf, u, side="right")).astype(np.int32)

    def day(self, day: int) -> NewDocuments | None:
        """The documents written on day ``day`` (None on a day off)."""
        w0, w1 = self.calendar.work_window(day)
        if w1 <= w0:
            return None
        streams = [self._stream_day(day, i, s, w0, w1) for i, s in enumerate(self.streams)]
        parts = [p for p in streams if p is not None]
        if not parts:
            return None
        return concat_documents(parts)

    def _stream_day(
        self, day: int, index: int, s: Stream, w0: float, w1: float
    ) -> NewDocuments | None:
        rng = self.randoms.generator(Purpose.WORKLOAD, day, index)
        c = s.config
        counts = rng.poisson(c.per_day, len(s.senders))
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
        wanted = 1 + rng.poisson(c.extra_recipients, n)
        everyone = (rng.random(n) < c.broadcast) | (wanted >= effective)
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
        if c.due_days > 0 and directed.any():
            work = np.asarray(self.calendar.to_work(t[directed]))
            due[directed] = self.calendar.from_work(work + c.due_days * self.calendar.day_length)
        keys = combine(combine(day, index), np.arange(n))
        return NewDocuments(
            sender=s.senders[who],
            t=t,
            steering=steering.astype(np.int8),
            due=due,
            pages=self.pages(rng.random(n)),
            stream=np.full(n, index, dtype=np.int16),
            key=keys,
            rec_doc=rec_doc,
            rec_agency=rec.astype(np.int32),
        )

    def report_backs(
        self, sender: np.ndarray, recipient: np.ndarray, at: np.ndarray, parent: np.ndarray
    ) -> NewDocuments:
        """Reports that recipients of steering documents write back when they complete them;
        ``parent`` are the keys of the deliveries they answer."""
        n = len(sender)
        keys = combine(parent, int(Purpose.REPORT))
        return NewDocuments(
            sender=sender.astype(np.int32, copy=True),
            t=at,
            steering=np.zeros(n, dtype=np.int8),
            due=np.full(n, np.inf),
            pages=self.pages(self.randoms.uniform(Purpose.PAGES, keys)),
            stream=np.full(n, self.report_back, dtype=np.int16),
            key=keys,
            rec_doc=np.arange(n),
            rec_agency=recipient.astype(np.int32, copy=True),
        )


def _poisson_cdf(lam: float) -> np.ndarray:
    """P(X <= k) of a Poisson(``lam``) for k = 0, 1, … until it is 1 to double precision."""
    if lam <= 0:
        return np.ones(1)
    k = np.arange(int(lam + 12 * np.sqrt(lam) + 30))
    log_pmf = k * np.log(lam) - lam - np.cumsum(np.log(np.maximum(k, 1)))
    return np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)


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
        key=np.concatenate([p.key for p in parts]),
        rec_doc=np.concatenate([p.rec_doc + o for p, o in zip(parts, offsets, strict=True)]),
        rec_agency=np.concatenate([p.rec_agency for p in parts]),
    )
