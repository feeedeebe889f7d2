"""The status lifecycle of one document at one receiving agency (SPEC §3, harness profile).

QCVN 102 gives the status codes but not the order they may come in; this module is the
order the harness enforces, and the only place it is written down. Every rule has a
requirement id of the LC family (``spec/requirements/lifecycle.yaml``):

- LC-FORWARD-ONLY, LC-NO-REPEAT: the forward path 01 → 03 → 04 → 05 → 06 may skip steps
  but never goes back, and no forward code (nor 02) comes twice. Skipping includes 01:
  "a later code may skip intermediate ones", so a first status of 03 is legal here (that 01
  or 02 should come first, and promptly, is the SHOULD rule LC-FIRST-REPORT-ARRIVED and the
  timeliness rule LC-FIRST-ARRIVED-TIMELY, checked by :func:`check_first_report`).
- LC-REFUSAL-BEFORE-ACCEPT: 02 only before 03.
- LC-NOTHING-AFTER-REFUSAL: after 02 no forward code and no take-back request either:
  a refused document never entered the register, so there is nothing to take back.
- LC-TAKE-BACK-BEFORE-COMPLETE: the sender's 13 only before 06.
- LC-TAKE-BACK-ONE-AT-A-TIME: no second 13 while one waits for its answer. After a 16 the
  sender may ask again.
- LC-ANSWER-NEEDS-REQUEST, LC-TAKE-BACK-ANSWER-ONCE: 15/16 only answer a waiting 13, and each
  13 gets exactly one answer.
- LC-WITHDRAWN-FINAL: after 15 the document is withdrawn; nothing follows.
- LC-TIMESTAMP-ORDER: a status's timestamp is not earlier than the one before (equal is fine).

Forward codes and 02 remain legal while a 13 waits for its answer, 06 included: the
receiver may send them before it has even downloaded the request, and the answer (15 or 16)
may then still follow. A 13 pending before a 02 may likewise still be answered.

Each rule is checked in one precomputed table indexed by (state, code), because the
simulator checks millions of statuses; a rejection is the only allocation of a check.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from spec.errors import SpecError
from spec.status_codes import FORWARD_PATH, Stage, StatusCode

Event = tuple[StatusCode, datetime | None]

FORWARD_ONLY = "LC-FORWARD-ONLY"
NO_REPEAT = "LC-NO-REPEAT"
REFUSAL_BEFORE_ACCEPT = "LC-REFUSAL-BEFORE-ACCEPT"
NOTHING_AFTER_REFUSAL = "LC-NOTHING-AFTER-REFUSAL"
TAKE_BACK_BEFORE_COMPLETE = "LC-TAKE-BACK-BEFORE-COMPLETE"
TAKE_BACK_ONE_AT_A_TIME = "LC-TAKE-BACK-ONE-AT-A-TIME"
ANSWER_NEEDS_REQUEST = "LC-ANSWER-NEEDS-REQUEST"
TAKE_BACK_ANSWER_ONCE = "LC-TAKE-BACK-ANSWER-ONCE"
WITHDRAWN_FINAL = "LC-WITHDRAWN-FINAL"
TIMESTAMP_ORDER = "LC-TIMESTAMP-ORDER"
FIRST_ARRIVED_TIMELY = "LC-FIRST-ARRIVED-TIMELY"
FIRST_REPORT_ARRIVED = "LC-FIRST-REPORT-ARRIVED"

RULE_IDS: frozenset[str] = frozenset(
    {
        FORWARD_ONLY,
        NO_REPEAT,
        REFUSAL_BEFORE_ACCEPT,
        NOTHING_AFTER_REFUSAL,
        TAKE_BACK_BEFORE_COMPLETE,
        TAKE_BACK_ONE_AT_A_TIME,
        ANSWER_NEEDS_REQUEST,
        TAKE_BACK_ANSWER_ONCE,
        WITHDRAWN_FINAL,
        TIMESTAMP_ORDER,
        FIRST_ARRIVED_TIMELY,
        FIRST_REPORT_ARRIVED,
    }
)


class State(enum.Enum):
    """Where a document stands at one receiver, as a person would say it."""

    NEW = "new"
    ARRIVED = "arrived"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    PROCESSING = "processing"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    def __repr__(self) -> str:
        return f"State.{self.name}"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why ``code`` may not follow the statuses ``previous`` (the accepted ones, in order)."""

    rule_id: str
    message: str
    code: StatusCode
    previous: tuple[StatusCode, ...]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}"


class TransitionRejected(SpecError, ValueError):
    """A status that the lifecycle does not allow; ``.rejection`` says which rule and why."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(str(rejection))
        self.rejection = rejection


# -- the state table -------------------------------------------------------------------------
# A state is (forward step reached 0..5, the refusing code or None, take-back 0 none /
# 1 waiting / 2 answered, withdrawn). Only the states reachable from the empty history are
# built. Codes are judged by their stage, so a code added to spec.status_codes follows the
# rules of its stage.

_NONE, _WAITING, _ANSWERED = 0, 1, 2
_STEP = {code: i + 1 for i, code in enumerate(FORWARD_PATH)}
_STATE_OF_STEP = (
    State.NEW,
    State.ARRIVED,
    State.ACCEPTED,
    State.ASSIGNED,
    State.PROCESSING,
    State.COMPLETED,
)
_Key = tuple[int, StatusCode | None, int, bool]


def _spelled(*stages: Stage) -> str:
    """The codes of ``stages`` as the explanations name them: ``"13"``, ``"15 or 16"``."""
    return " or ".join(c.value for c in StatusCode if c.stage in stages)


_PATH = "→".join(c.value for c in FORWARD_PATH)
_ASKED = _spelled(Stage.TAKE_BACK_ASKED)
_AGREED = _spelled(Stage.TAKE_BACK_AGREED)
_DECLINED = _spelled(Stage.TAKE_BACK_REFUSED)
_ANSWERS = _spelled(Stage.TAKE_BACK_AGREED, Stage.TAKE_BACK_REFUSED)


def _judge(key: _Key, code: StatusCode) -> _Key | tuple[str, str]:
    """The state after ``code``, or (rule id, explanation) when ``code`` may not come now."""
    step, refusal, take_back, withdrawn = key
    if withdrawn:
        return WITHDRAWN_FINAL, (
            f"{code} after {_AGREED}: the document was withdrawn (take-back agreed), nothing "
            "may follow"
        )
    if code.is_forward:
        return _judge_forward(key, code)
    stage = code.stage
    if stage is Stage.REFUSED:
        if refusal is code:
            return NO_REPEAT, f"{code} again: a status code is never repeated"
        if refusal is not None:
            return NOTHING_AFTER_REFUSAL, (
                f"{code} after {refusal}: a document is refused only once"
            )
        if step >= _STEP[StatusCode.ACCEPTED]:
            return REFUSAL_BEFORE_ACCEPT, (
                f"{code} after {FORWARD_PATH[step - 1]}: a document can be refused only before "
                f"it is accepted ({StatusCode.ACCEPTED})"
            )
        return (step, code, take_back, withdrawn)
    if stage is Stage.TAKE_BACK_ASKED:
        return _judge_request(key, code)
    if stage.answers_take_back:
        return _judge_answer(key, code)
    raise AssertionError(f"{code!r} has a stage ({stage!r}) the lifecycle does not know")


def _judge_forward(key: _Key, code: StatusCode) -> _Key | tuple[str, str]:
    step, refusal, take_back, withdrawn = key
    if refusal is not None:
        return NOTHING_AFTER_REFUSAL, (
            f"{code} after {refusal}: a refused document gets no further forward status"
        )
    if _STEP[code] == step:
        return NO_REPEAT, f"{code} again: a status code is never repeated"
    if _STEP[code] < step:
        return FORWARD_ONLY, (
            f"{code} after {FORWARD_PATH[step - 1]}: the forward path {_PATH} never goes back"
        )
    return (_STEP[code], refusal, take_back, withdrawn)


def _judge_request(key: _Key, code: StatusCode) -> _Key | tuple[str, str]:
    step, refusal, take_back, withdrawn = key
    if step == len(FORWARD_PATH):
        return TAKE_BACK_BEFORE_COMPLETE, (
            f"{code} after {FORWARD_PATH[-1]}: a take-back must be requested before the document "
            "is completed"
        )
    if refusal is not None:
        return NOTHING_AFTER_REFUSAL, (
            f"{code} after {refusal}: a refused document was never registered, there is nothing "
            "to take back"
        )
    if take_back == _WAITING:
        return TAKE_BACK_ONE_AT_A_TIME, (
            f"{code} while an earlier {_ASKED} waits for its answer: the receiver answers one "
            f"request ({_ANSWERS}) before the sender asks again"
        )
    return (step, refusal, _WAITING, withdrawn)


def _judge_answer(key: _Key, code: StatusCode) -> _Key | tuple[str, str]:
    step, refusal, take_back, _ = key
    if take_back == _NONE:
        return ANSWER_NEEDS_REQUEST, (
            f"{code} without a {_ASKED}: the receiver answers only a take-back request that waits"
        )
    if take_back == _ANSWERED:
        return TAKE_BACK_ANSWER_ONCE, (
            f"{code} after {_DECLINED}: the take-back request was already answered, each request "
            "gets exactly one answer"
        )
    return (step, refusal, _ANSWERED, code.stage is Stage.TAKE_BACK_AGREED)


class _Node:
    """One state of the table: its row of outcomes per code and the summary it stands for."""

    __slots__ = ("allowed", "finished", "key", "pending", "row", "state", "withdrawn")

    def __init__(self, key: _Key) -> None:
        step, refusal, take_back, withdrawn = key
        self.key = key
        self.pending = take_back == _WAITING
        self.withdrawn = withdrawn
        if withdrawn:
            self.state = State.WITHDRAWN
        elif refusal is not None:
            self.state = State.REFUSED
        else:
            self.state = _STATE_OF_STEP[step]
        # row[code.position] is the next _Node, or a (rule id, explanation) pair
        self.row: list[_Node | tuple[str, str]] = []
        self.allowed: frozenset[StatusCode] = frozenset()
        self.finished = False


def _build_table() -> _Node:
    nodes: dict[_Key, _Node] = {}
    start: _Key = (0, None, _NONE, False)
    todo = [start]
    nodes[start] = _Node(start)
    while todo:
        node = nodes[todo.pop()]
        for code in StatusCode:
            outcome = _judge(node.key, code)
            if isinstance(outcome[0], str):
                node.row.append(outcome)
                continue
            key: _Key = outcome
            if key not in nodes:
                nodes[key] = _Node(key)
                todo.append(key)
            node.row.append(nodes[key])
    for node in nodes.values():
        node.allowed = frozenset(c for c in StatusCode if isinstance(node.row[c.position], _Node))
        node.finished = not node.allowed
    return nodes[start]


_START = _build_table()


def _table_rules(start: _Node) -> frozenset[str]:
    seen, todo, rules = {start.key}, [start], set()
    while todo:
        node = todo.pop()
        for outcome in node.row:
            if isinstance(outcome, _Node):
                if outcome.key not in seen:
                    seen.add(outcome.key)
                    todo.append(outcome)
            else:
                rules.add(outcome[0])
    return frozenset(rules)


TRANSITION_RULE_IDS: frozenset[str] = _table_rules(_START)
"""The rules the state table rejects a status code with: every rule that a status sent at the
wrong moment breaks. The others of :data:`RULE_IDS` judge a status's timestamp (
LC-TIMESTAMP-ORDER) or the first report's code and timeliness (:func:`check_first_report`)."""


def _codes(previous: tuple[StatusCode, ...]) -> str:
    return ", ".join(c.value for c in previous) if previous else "none"


class Lifecycle:
    """The statuses of one document at one receiving agency, and which may come next.

    ``check`` judges a status without changing anything; ``apply`` records it or raises
    :class:`TransitionRejected`. Rejected statuses are never recorded.
    """

    __slots__ = ("_codes", "_history", "_last", "_node")

    def __init__(self) -> None:
        self._node = _START
        self._history: list[Event] = []
        self._codes: list[StatusCode] = []
        self._last: datetime | None = None

    @classmethod
    def replay(cls, events: Iterable[Event]) -> Lifecycle:
        """A lifecycle with ``events`` applied in order; raises on the first rejected one."""
        lifecycle = cls()
        for code, timestamp in events:
            lifecycle.apply(code, timestamp)
        return lifecycle

    def check(self, code: StatusCode, timestamp: datetime | None = None) -> Rejection | None:
        """Why ``code`` (at ``timestamp``, if known) may not come next, or None if it may."""
        try:
            outcome = self._node.row[code.position]
        except AttributeError:
            raise TypeError(f"code={code!r} must be a StatusCode (use StatusCode.parse)") from None
        if outcome.__class__ is tuple:
            previous = tuple(self._codes)
            rule_id, why = outcome
            return Rejection(rule_id, f"{why} (earlier: {_codes(previous)})", code, previous)
        if timestamp is not None and self._last is not None and timestamp < self._last:
            return self._too_early(code, timestamp)
        return None

    def apply(self, code: StatusCode, timestamp: datetime | None = None) -> None:
        """Record ``code``; raises :class:`TransitionRejected` if the lifecycle forbids it."""
        rejection = self.check(code, timestamp)
        if rejection is not None:
            raise TransitionRejected(rejection)
        self._node = self._node.row[code.position]  # type: ignore[assignment]
        self._history.append((code, timestamp))
        self._codes.append(code)
        if timestamp is not None:
            self._last = timestamp

    def _too_early(self, code: StatusCode, timestamp: datetime) -> Rejection:
        previous = tuple(self._codes)
        before = next(c for c, ts in reversed(self._history) if ts == self._last)
        message = (
            f"{code} at {timestamp:%Y/%m/%d %H:%M:%S} is earlier than {before} at "
            f"{self._last:%Y/%m/%d %H:%M:%S}: a document's status timestamps never decrease "
            f"(earlier: {_codes(previous)})"
        )
        return Rejection(TIMESTAMP_ORDER, message, code, previous)

    @property
    def history(self) -> tuple[Event, ...]:
        """The accepted statuses as (code, timestamp or None), oldest first."""
        return tuple(self._history)

    @property
    def codes(self) -> tuple[StatusCode, ...]:
        """The accepted status codes, oldest first."""
        return tuple(self._codes)

    @property
    def last_timestamp(self) -> datetime | None:
        """The latest timestamp among the accepted statuses, None if none carried one."""
        return self._last

    @property
    def state(self) -> State:
        return self._node.state

    @property
    def standing(self) -> tuple[int, StatusCode | None, int, bool]:
        """Where the document stands in the state table, as a hashable value: two lifecycles
        with the same standing accept and reject every code alike (with the same rule)."""
        return self._node.key

    @property
    def pending_take_back(self) -> bool:
        """True while a 13 waits for the receiver's 15 or 16."""
        return self._node.pending

    @property
    def withdrawn(self) -> bool:
        """True once the receiver agreed (15) to take the document back."""
        return self._node.withdrawn

    @property
    def finished(self) -> bool:
        """True when no status may follow: completed, refused or withdrawn, and no take-back
        request waits for an answer."""
        return self._node.finished

    @property
    def first_report(self) -> Event | None:
        """The receiver's first status other than an answer to a take-back (01–06 or 02)."""
        for event in self._history:
            if event[0].is_forward or event[0].stage is Stage.REFUSED:
                return event
        return None

    def allowed_next(self) -> frozenset[StatusCode]:
        """The codes that may come next (given a timestamp not earlier than the last one)."""
        return self._node.allowed

    def __len__(self) -> int:
        return len(self._history)

    def __repr__(self) -> str:
        return f"Lifecycle.replay({self._history!r})"


def check_sequence(events: Iterable[Event]) -> list[Rejection]:
    """The rejections of a sequence of (code, timestamp or None), judged in order.

    A rejected status is not applied, and judging goes on with the next one, so one wrong
    status yields one rejection rather than a cascade.
    """
    lifecycle = Lifecycle()
    rejections = []
    for code, timestamp in events:
        rejection = lifecycle.check(code, timestamp)
        if rejection is None:
            lifecycle.apply(code, timestamp)
        else:
            rejections.append(rejection)
    return rejections


def check_first_report(
    lifecycle: Lifecycle, *, downloaded_at: datetime, now: datetime, bound: timedelta
) -> list[Rejection]:
    """How the receiver's first report on a document it downloaded at ``downloaded_at`` falls
    short of the profile: LC-FIRST-ARRIVED-TIMELY when no 01–06/02 came within ``bound``
    (judged at ``now`` if none came yet), LC-FIRST-REPORT-ARRIVED when it was not 01 or 02.
    """
    if bound < timedelta(0):
        raise ValueError(f"bound={bound!r} must not be negative")
    previous = lifecycle.codes
    first = lifecycle.first_report
    found = []
    if first is None:
        if now - downloaded_at > bound:
            found.append(
                Rejection(
                    FIRST_ARRIVED_TIMELY,
                    f"no 01 or 02 within {bound} of the download at "
                    f"{downloaded_at:%Y/%m/%d %H:%M:%S} (earlier: {_codes(previous)})",
                    StatusCode.ARRIVED,
                    previous,
                )
            )
        return found
    code, at = first
    if at is not None and at - downloaded_at > bound:
        found.append(
            Rejection(
                FIRST_ARRIVED_TIMELY,
                f"{code} at {at:%Y/%m/%d %H:%M:%S} came {at - downloaded_at} after the download "
                f"at {downloaded_at:%Y/%m/%d %H:%M:%S}, later than the bound {bound} "
                f"(earlier: {_codes(previous)})",
                code,
                previous,
            )
        )
    if code not in (StatusCode.ARRIVED, StatusCode.REFUSED):
        found.append(
            Rejection(
                FIRST_REPORT_ARRIVED,
                f"{code} came first: the receiver should report 01 (or 02) before other codes "
                f"(earlier: {_codes(previous)})",
                code,
                previous,
            )
        )
    return found


def receiver_of(code: StatusCode, from_organ_id: str, response_for_organ_id: str) -> str:
    """The receiving agency a status is about: its From for the receiver's codes, its
    ResponseFor/OrganId for the sender's 13 (SPEC §3)."""
    return response_for_organ_id if code.sent_by == "sender" else from_organ_id


class LifecycleBook:
    """The lifecycles of many documents, one per (document id, receiving agency's organ id)."""

    __slots__ = ("_lifecycles",)

    def __init__(self) -> None:
        self._lifecycles: dict[tuple[str, str], Lifecycle] = {}

    def record(
        self,
        document_id: str,
        receiver: str,
        code: StatusCode,
        timestamp: datetime | None = None,
    ) -> Rejection | None:
        """Apply ``code`` to the document's lifecycle at ``receiver`` unless it is rejected;
        return the rejection (nothing is recorded then) or None."""
        key = (document_id, receiver)
        lifecycle = self._lifecycles.get(key)
        if lifecycle is None:
            lifecycle = self._lifecycles[key] = Lifecycle()
        rejection = lifecycle.check(code, timestamp)
        if rejection is None:
            lifecycle.apply(code, timestamp)
        return rejection

    def lifecycle(self, document_id: str, receiver: str) -> Lifecycle:
        """The lifecycle of ``document_id`` at ``receiver`` (a new, empty one if none yet)."""
        key = (document_id, receiver)
        lifecycle = self._lifecycles.get(key)
        if lifecycle is None:
            lifecycle = self._lifecycles[key] = Lifecycle()
        return lifecycle

    def __contains__(self, key: object) -> bool:
        return key in self._lifecycles

    def __len__(self) -> int:
        return len(self._lifecycles)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._lifecycles)

    def items(self) -> Iterator[tuple[tuple[str, str], Lifecycle]]:
        return iter(self._lifecycles.items())

    def __repr__(self) -> str:
        return f"<LifecycleBook of {len(self._lifecycles)} lifecycles>"
