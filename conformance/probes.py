"""Illegal clerk actions, derived from the lifecycle's state table (spec/lifecycle.py): for every
rule a status sent at the wrong moment breaks, the clerk's actions that would send such a
status, and the shortest way to bring a document to where the clerk may try them.

On the **receiver** side the SUT received the document: it reports 01 by itself, its clerk
accepts (03), refuses (02), assigns (04), processes (05), completes (06), agrees to give the
document back (15) or refuses to (16), and the harness, as the document's sender, asks for it
back (13). On the **sender** side the SUT sent the document to a partner the harness plays:
the partner reports 01–06, 02, 15 or 16, and the SUT's clerk asks for the document back (13).

A :class:`Probe` is one illegal clerk action (``action``) in one place (``setup``, the legal
statuses before it) and the rule the table rejects it with. :func:`probes` derives every
(rule, action) pair the table allows, each at its shortest setup, by a breadth-first search
over the table; :func:`walks` covers them with few documents: each :class:`Walk` plays a legal
path and tries, at each place on it, the illegal actions assigned there. Nothing here is a
hand-written list of illegal moves: a change to the table changes the probes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from conformance.contract import ACTION_STATUS, Action
from spec.lifecycle import Lifecycle
from spec.status_codes import FORWARD_PATH, StatusCode

__all__ = [
    "RECEIVER",
    "SENDER",
    "ClerkAction",
    "Move",
    "Probe",
    "Side",
    "Walk",
    "clerk_actions",
    "illegal_actions",
    "probes",
    "walks",
]

Side = Literal["receiver", "sender"]
RECEIVER: Side = "receiver"
SENDER: Side = "sender"
_MAX_STEPS = 6  # legal statuses after the start; every place of the table is closer


@dataclass(frozen=True, slots=True)
class ClerkAction:
    """Something the SUT's clerk can ask for, with the status it would send. ``action`` is
    the contract's action for the receiver's workflow steps (None for take-back answers and
    requests); ``agree`` tells a take-back answer's kind."""

    name: str
    code: StatusCode
    side: Side
    action: Action | None = None
    agree: bool | None = None

    def __str__(self) -> str:
        return self.name


def _receiver_actions() -> tuple[ClerkAction, ...]:
    steps = tuple(
        ClerkAction(action.value, code, RECEIVER, action=action)
        for action, code in ACTION_STATUS.items()
    )
    answers = (
        ClerkAction("agree to give it back", StatusCode.TAKE_BACK_AGREED, RECEIVER, agree=True),
        ClerkAction("refuse to give it back", StatusCode.TAKE_BACK_REFUSED, RECEIVER, agree=False),
    )
    return steps + answers


_ACTIONS: dict[Side, tuple[ClerkAction, ...]] = {
    RECEIVER: _receiver_actions(),
    SENDER: (ClerkAction("ask for it back", StatusCode.TAKE_BACK_REQUESTED, SENDER),),
}


def clerk_actions(side: Side) -> tuple[ClerkAction, ...]:
    """What the SUT's clerk can do on ``side``."""
    return _ACTIONS[side]


@dataclass(frozen=True, slots=True)
class Move:
    """A legal status on the way to a probe: ``code``, sent by the SUT itself (``by`` is
    "sut": the 01 it reports on arrival), by its clerk ("clerk", then ``action`` says how), or
    by the harness playing the other side ("harness")."""

    code: StatusCode
    by: Literal["sut", "clerk", "harness"]
    action: ClerkAction | None = None

    def __str__(self) -> str:
        return f"{self.code.value} ({self.action or self.by})"


# The statuses that bring a document somewhere on each side, and who sends them.
_ARRIVED = Move(StatusCode.ARRIVED, "sut")
_HARNESS_CODES: dict[Side, tuple[StatusCode, ...]] = {
    side: tuple(c for c in StatusCode if c.sent_by != side) for side in (RECEIVER, SENDER)
}
_START: dict[Side, tuple[Move, ...]] = {RECEIVER: (_ARRIVED,), SENDER: ()}


def _moves(side: Side) -> tuple[Move, ...]:
    clerk = tuple(Move(a.code, "clerk", a) for a in clerk_actions(side))
    return clerk + tuple(Move(code, "harness") for code in _HARNESS_CODES[side])


@dataclass(frozen=True, slots=True)
class Probe:
    """One illegal clerk action: at the place ``setup`` leads to, ``action`` breaks
    ``rule_id`` (``why`` is the table's explanation)."""

    side: Side
    rule_id: str
    setup: tuple[Move, ...]
    action: ClerkAction
    why: str

    @property
    def place(self) -> str:
        """The statuses before the action, as the wire would show them (``01, 03``)."""
        return ", ".join(m.code.value for m in self.setup) or "none"

    def __str__(self) -> str:
        return f"{self.action} after {self.place} ({self.rule_id})"


def _lifecycle(moves: tuple[Move, ...]) -> Lifecycle:
    return Lifecycle.replay((m.code, None) for m in moves)


def _places(side: Side) -> Iterator[tuple[tuple[Move, ...], Lifecycle]]:
    """Every place of the table reachable on ``side``, once, by its shortest path (legal
    moves only), in breadth-first order."""
    start = _START[side]
    frontier = [(start, _lifecycle(start))]
    seen = {frontier[0][1].standing}
    moves = _moves(side)
    for _ in range(_MAX_STEPS + 1):
        following = []
        for path, lifecycle in frontier:
            yield path, lifecycle
            for move in moves:
                if lifecycle.check(move.code) is not None:
                    continue
                nxt = _lifecycle((*path, move))
                if nxt.standing not in seen:
                    seen.add(nxt.standing)
                    following.append(((*path, move), nxt))
        frontier = following


def illegal_actions(lifecycle: Lifecycle, side: Side) -> list[tuple[ClerkAction, str, str]]:
    """The clerk's actions on ``side`` the table forbids where ``lifecycle`` stands, each
    with the rule it breaks and why."""
    found = []
    for action in clerk_actions(side):
        rejection = lifecycle.check(action.code)
        if rejection is not None:
            found.append((action, rejection.rule_id, rejection.message))
    return found


@cache
def probes(side: Side) -> tuple[Probe, ...]:
    """Every (rule, illegal clerk action) pair the table allows on ``side``, each at the
    shortest setup where it occurs."""
    found: dict[tuple[str, str], Probe] = {}
    for path, lifecycle in _places(side):
        for action, rule_id, why in illegal_actions(lifecycle, side):
            key = (rule_id, action.name)
            if key not in found:
                found[key] = Probe(side, rule_id, path, action, why)
    return tuple(found.values())


@dataclass(frozen=True, slots=True)
class Walk:
    """A legal path for one document and the probes tried along it: ``tries[i]`` are tried
    after the first ``i`` moves of ``path``."""

    side: Side
    path: tuple[Move, ...]
    tries: tuple[tuple[Probe, ...], ...]

    @property
    def probes(self) -> tuple[Probe, ...]:
        return tuple(p for at in self.tries for p in at)

    def __str__(self) -> str:
        return " → ".join(m.code.value for m in self.path) or "(sent)"


def _usual(path: tuple[Move, ...], move: Move) -> bool:
    """Whether ``move`` after ``path`` goes the way documents usually go: nothing follows a
    refusal (02), a take-back request (13) is answered (15 or 16) before anything else, and
    the SUT's clerk takes the forward steps one by one (03, 04, 05, 06). The table allows more
    (skipping steps, a 02 while a 13 waits, then its answer), but a walk must not ask an honest
    SUT for what its workflow may reasonably not offer."""
    last = path[-1].code if path else None
    if last is StatusCode.REFUSED:
        return False
    if last is StatusCode.TAKE_BACK_REQUESTED:
        return move.code in (StatusCode.TAKE_BACK_AGREED, StatusCode.TAKE_BACK_REFUSED)
    if move.by == "clerk" and move.code.is_forward:
        reached = [FORWARD_PATH.index(m.code) for m in path if m.code.is_forward]
        return FORWARD_PATH.index(move.code) == max(reached, default=-1) + 1
    return True


def _paths(side: Side) -> Iterator[tuple[Move, ...]]:
    """Every legal, usual path of at most the table's depth on ``side`` (depth first)."""
    moves = _moves(side)

    def grow(path: tuple[Move, ...], lifecycle: Lifecycle) -> Iterator[tuple[Move, ...]]:
        yield path
        if len(path) >= _MAX_STEPS:
            return
        for move in moves:
            if lifecycle.check(move.code) is None and _usual(path, move):
                nxt = (*path, move)
                yield from grow(nxt, _lifecycle(nxt))

    start = _START[side]
    yield from grow(start, _lifecycle(start))


@cache
def walks(side: Side) -> tuple[Walk, ...]:
    """Few documents' paths that together try every probe of ``side``: greedily, the path
    that tries the most probes not yet tried per move it costs (a document's delivery counts
    as one). Each probe is tried at the first place on its walk where it is illegal."""
    wanted = {(p.rule_id, p.action.name) for p in probes(side)}
    first = len(_START[side])
    candidates = []
    for path in _paths(side):
        places = [
            (i, illegal_actions(_lifecycle(path[:i]), side)) for i in range(first, len(path) + 1)
        ]
        keys = {(rule, action.name) for _, found in places for action, rule, _ in found}
        candidates.append((path, places, keys))
    chosen: list[Walk] = []
    left = set(wanted)
    while left:
        path, places, keys = max(
            candidates, key=lambda c: (len(left & c[2]) / (len(c[0]) + 1), -len(c[0]))
        )
        if not left & keys:  # pragma: no cover - the table changed beyond the usual paths
            raise RuntimeError(f"no usual path tries {sorted(left)}")
        tries: list[tuple[Probe, ...]] = [() for _ in range(len(path) + 1)]
        for i, found in places:
            here = []
            for action, rule, why in found:
                if (rule, action.name) in left:
                    left.discard((rule, action.name))
                    here.append(Probe(side, rule, path[:i], action, why))
            tries[i] = tuple(here)
        chosen.append(Walk(side, path, tuple(tries)))
    return tuple(chosen)


def covered_rules(side: Side) -> frozenset[str]:
    """The lifecycle rules the probes of ``side`` try to break."""
    return frozenset(p.rule_id for p in probes(side))
