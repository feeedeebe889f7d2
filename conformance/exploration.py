"""Stateful exploration: random sequences of axis events against the SUT, checked against the
invariants of the spec, with failures shrunk to a short named scenario that can be replayed.

An :class:`Explorer` plays one scenario on a running :class:`~conformance.world.World`: the
partners deliver, re-send and revoke documents and ask for them back, the clerk acts, the
axis misbehaves (5xx, resets, repeated and reordered listings), and time passes. Each step is
a plain dict, so a scenario is data: Hypothesis draws the steps (:func:`explore`), and a
scenario file written after a failure runs again the same way (:func:`replay`). At the end of
a scenario :meth:`Explorer.check` lets the SUT settle and judges what it sent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from conformance.contract import Action
from conformance.episodes import (
    FIRST_REPORT,
    FORWARD_AFTER_ARRIVAL,
    Receipt,
    code_of,
    code_of_text,
    wait_first_reports,
)
from conformance.errors import ConformanceError, SutError
from conformance.observe import (
    CALL,
    WireEvent,
    WireMessage,
    ack_word,
    is_ok_call,
    status_reports,
    stored_body,
    stored_on,
)
from conformance.probe_runs import try_action
from conformance.probes import RECEIVER, illegal_actions
from conformance.world import Delivered, Party, World
from spec.jsonmap import JsonMapped, Layout
from spec.lifecycle import LifecycleBook
from spec.model import Edoc, TraceHeader

__all__ = [
    "INVARIANTS",
    "ExplorationFailed",
    "Explorer",
    "Scenario",
    "Violation",
    "explore",
    "load_scenario",
    "replay",
]

SCENARIO_FORMAT = "lienthong-scenario/1"
SETTLE_POLLS = 6
"""Polls of both inboxes after which a step stops waiting for a status the SUT owes: an injected
fault holds a report back a poll or two, never six."""
ACK_POLLS = 3
"""Polls of both inboxes after which a step stops waiting for an acknowledgement."""
ACTIONS = ("accept", "assign", "process", "complete", "refuse")
FAULTS = ("5xx", "reset", "duplicate", "reorder")
INVARIANTS: tuple[str, ...] = (
    "LC-FORWARD-ONLY",
    "LC-NO-REPEAT",
    "LC-REFUSAL-BEFORE-ACCEPT",
    "LC-NOTHING-AFTER-REFUSAL",
    "LC-ANSWER-NEEDS-REQUEST",
    "LC-TAKE-BACK-ANSWER-ONCE",
    "LC-WITHDRAWN-FINAL",
    "RCV-ARRIVED",
    "TR-ACK-DONE",
    "FLOW-REVOKE-RECEIVED",
    "ROB-NO-LOSS",
)
"""The requirements the exploration's invariants stand for."""


class ExplorationFailed(AssertionError):
    """A scenario broke invariants; ``violations`` say which and how."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__(
            "invariants broken:\n  " + "\n  ".join(f"{v.req_id}: {v.message}" for v in violations)
        )


@dataclass(frozen=True, slots=True)
class Violation:
    req_id: str
    message: str


@dataclass
class _Tracked:
    """A document the partners delivered in the scenario."""

    doc: Edoc
    partner: int
    deliveries: list[Delivered] = field(default_factory=list)
    revoke: Delivered | None = None

    @property
    def document_id(self) -> str:
        return self.doc.header.document_id or ""


class Explorer:
    """Plays one scenario on ``world``; every step is logged as a dict in :attr:`steps`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.start = world.observer.head()
        self.docs: list[_Tracked] = []
        self.steps: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.breaches: list[Violation] = []

    def run(self, step: dict[str, Any]) -> None:
        """Play one step (as logged or as read from a scenario file)."""
        op = step.get("op")
        handler: Callable[..., None] | None = getattr(self, f"_{op}", None)
        if op not in STEP_OPS or handler is None:
            raise ConformanceError(f"scenario step {step!r}: unknown op {op!r}")
        self.steps.append(dict(step))
        args = {k: v for k, v in step.items() if k != "op"}
        handler(**args)

    def _doc(self, index: int) -> _Tracked | None:
        return self.docs[index % len(self.docs)] if self.docs else None

    # -- the steps ------------------------------------------------------------------------
    # Each step waits until the SUT has dealt with it (its report, its ack, the status an
    # action sends), so the SUT's state at every step, and the messages of the scenario, do
    # not depend on how fast it polls.

    def _party(self, tracked: _Tracked) -> Party:
        partners = self.world.cast.partners
        return partners[tracked.partner % len(partners)]

    def _settle_delivery(self, delivered: Delivered, report: bool) -> None:
        """Until the SUT reported on the document (``report``) or acknowledged the message:
        an injected fault may hold either back for a poll or two, and the next step must not
        overtake it; a SUT that has not reported after :data:`SETTLE_POLLS` more polls of its
        inboxes (acknowledged after :data:`ACK_POLLS`: it acks in the cycle it reads a
        message) will not (at most the transport and first-status bounds)."""
        world = self.world
        bounds = world.bounds
        document_id = delivered.document_id

        def done(event: WireEvent) -> bool:
            if report:
                noted = stored_body(event)
                return noted is not None and noted.document_id.strip() == document_id
            return (
                event.op == "updateStatus"
                and is_ok_call(event)
                and event.doc_id == delivered.doc_id
            )

        world.observer.until(
            delivered.cursor,
            bounds.transport + bounds.first_status,
            done,
            polls=SETTLE_POLLS if report else ACK_POLLS,
        )

    def _deliver(self, partner: int) -> None:
        tracked = _Tracked(self.world.new_document(self._pick(partner)), partner)
        delivered = self.world.deliver(tracked.doc, self._party(tracked))
        tracked.deliveries.append(delivered)
        self.docs.append(tracked)
        self._settle_delivery(delivered, report=True)

    def _pick(self, partner: int) -> Party:
        partners = self.world.cast.partners
        return partners[partner % len(partners)]

    def _redeliver(self, doc: int) -> None:
        tracked = self._doc(doc)
        if tracked is None:
            return
        party = self._party(tracked)
        again = dataclasses.replace(
            tracked.doc,
            trace_headers=[
                TraceHeader(party.organ_id, self.world.clock.timestamp()),
                *tracked.doc.trace_headers,
            ],
        )
        delivered = self.world.deliver(again, party)
        tracked.deliveries.append(delivered)
        self._settle_delivery(delivered, report=False)

    def _revoke(self, doc: int) -> None:
        tracked = self._doc(doc)
        if tracked is None or tracked.revoke is not None:
            return
        party = self._party(tracked)
        revoke = self.world.new_document(party, kind="revoke", original=tracked.doc)
        tracked.revoke = self.world.deliver(revoke, party)
        self._settle_delivery(tracked.revoke, report=False)

    def _ask_back(self, doc: int) -> None:
        tracked = self._doc(doc)
        if tracked is None:
            return
        party = self._party(tracked)
        request = self.world.take_back_request(tracked.doc, self.world.cast.sut, "Đề nghị trả lại")
        self._settle_delivery(self.world.deliver(request, party), report=False)

    def _act(self, doc: int, action: str) -> None:
        tracked = self._doc(doc)
        if tracked is None:
            return
        reason = "Không thuộc thẩm quyền xử lý" if action == "refuse" else None
        after = self.world.observer.head()
        try:
            result = self.world.sut.act(tracked.document_id, Action(action), reason)
        except SutError as exc:
            self.notes.append(f"{action} on doc {doc}: {exc.code}")
            return
        self._settle_status(tracked, after, result.status_code.value)

    def _answer(self, doc: int, agree: bool) -> None:
        tracked = self._doc(doc)
        if tracked is None:
            return
        reason = None if agree else "Văn bản đang được xử lý"
        after = self.world.observer.head()
        try:
            result = self.world.sut.answer_take_back(tracked.document_id, None, agree, reason)
        except SutError as exc:
            self.notes.append(f"answer on doc {doc}: {exc.code}")
            return
        self._settle_status(tracked, after, result.status_code.value)

    def _illegal(self, doc: int, pick: int) -> None:
        """The clerk asks for one of the actions the lifecycle forbids where the document
        stands (as the wire shows it); the SUT must refuse it with illegal-transition."""
        tracked = self._doc(doc)
        if tracked is None:
            return
        world = self.world
        book = LifecycleBook()
        statuses = world.observer.statuses_on(tracked.document_id, self.start)
        for message, code, receiver in status_reports(statuses):
            book.record(message.document_id, receiver, code)
        lifecycle = book.lifecycle(tracked.document_id, world.cast.sut.organ_id)
        choices = [
            c
            for c in illegal_actions(lifecycle, RECEIVER)
            if c[0].agree is None or "take-back" in world.capabilities
        ]
        if not choices:
            return
        action, rule_id, why = choices[pick % len(choices)]
        answer = try_action(world, action, tracked.document_id, self._party(tracked))
        place = ", ".join(c.value for c in lifecycle.codes) or "none"
        self.notes.append(f"{action} on doc {doc} after {place}: {answer.text}")
        if answer.kind != "refused":
            self.breaches.append(
                Violation(
                    rule_id,
                    f"document {doc} ({tracked.document_id}): after {place} the clerk tried to "
                    f"{action}, which {rule_id} forbids ({why}); the SUT {answer.text}, "
                    "expected illegal-transition",
                )
            )
        self._settle_status(tracked, world.observer.head(), action.code.value, expected=False)

    def _settle_status(
        self, tracked: _Tracked, after: int, code: str, *, expected: bool = True
    ) -> None:
        """Until the SUT's status ``code`` on the document is on the wire, or it has polled
        its inboxes :data:`SETTLE_POLLS` more times when the status is ``expected`` (two when
        it is not: an action it should have refused); at most the action bound."""
        document_id = tracked.document_id

        def done(event: WireEvent) -> bool:
            noted = stored_body(event)
            return (
                noted is not None
                and noted.document_id.strip() == document_id
                and code_of_text(noted.status_code) == code
            )

        polls = SETTLE_POLLS if expected else 2
        self.world.observer.until(after, self.world.bounds.action, done, polls=polls)

    def _fault(self, kind: str) -> None:
        rules = {
            "5xx": {"kind": "error", "operation": "*", "next": 2},
            "reset": {"kind": "reset", "operation": "*", "next": 1},
            "duplicate": {"kind": "duplicate", "operation": "getReceivedEdocList", "next": 3},
            "reorder": {"kind": "reorder", "operation": "getReceivedEdocList", "next": 3},
        }
        rule = dict(rules[kind])
        rule["id"] = f"explore-{kind}"
        self.world.set_faults([rule])

    # -- judging --------------------------------------------------------------------------

    def check(self) -> list[Violation]:
        """Clear the faults, let the SUT settle, and judge the scenario's invariants."""
        world = self.world
        world.clear_faults()
        receipts = [
            Receipt(d, world.cast.partners[t.partner % 2], t.doc)
            for t in self.docs
            if t.revoke is None
            for d in t.deliveries[:1]
        ]
        wait_first_reports(world, receipts, self.start)
        world.observer.settle(world.observer.head(), world.bounds.poll_interval * 3)
        return self._violations()

    def _violations(self) -> list[Violation]:
        world = self.world
        observer = world.observer
        sut = world.cast.sut.system_id
        found: list[Violation] = list(self.breaches)
        ids = {t.document_id for t in self.docs}
        statuses = [
            observer.message(e)
            for e in observer.stored(self.start)
            if any(stored_on(e, i, "status") for i in ids)
        ]
        found += _lifecycle_violations(statuses, sut)
        mine = [m for m in statuses if m.sender_system == sut]
        calls = observer.events(self.start, kind=CALL, system=sut)
        for tracked in self.docs:
            codes = [code_of(m) for m in mine if m.document_id == tracked.document_id]
            label = f"document {self.docs.index(tracked)} ({tracked.document_id})"
            if tracked.revoke is None and not any(c in FIRST_REPORT for c in codes):
                found.append(Violation("RCV-ARRIVED", f"{label} got no 01 or 02 ({codes})"))
            for delivered in tracked.deliveries:
                acked = [
                    ack_word(e)
                    for e in calls
                    if e.op == "updateStatus" and is_ok_call(e) and e.doc_id == delivered.doc_id
                ]
                if "done" not in acked:
                    found.append(
                        Violation(
                            "TR-ACK-DONE",
                            f"{label}, delivered as {delivered.doc_id}, acknowledged {acked or 'never'}",
                        )
                    )
            if tracked.revoke is not None:
                found += _after_revoke(tracked, label, mine, calls)
        return found

    def scenario(self, violations: list[Violation], seed: int) -> Scenario:
        """The scenario as data, named after its steps."""
        digest = hashlib.sha256(json.dumps(self.steps, sort_keys=True).encode()).hexdigest()[:10]
        return Scenario(
            name=f"explore-seed{seed}-{digest}",
            seed=seed,
            requirements=tuple(dict.fromkeys(v.req_id for v in violations)),
            steps=tuple(self.steps),
            violations=tuple(f"{v.req_id}: {v.message}" for v in violations),
        )


def _lifecycle_violations(statuses: list[WireMessage], sut: str) -> list[Violation]:
    book = LifecycleBook()
    found = []
    for message, code, receiver in status_reports(statuses):
        rejection = book.record(message.document_id, receiver, code)
        if rejection is not None and message.sender_system == sut:
            found.append(Violation(rejection.rule_id, f"{message.doc_id}: {rejection.message}"))
    return found


def _after_revoke(
    tracked: _Tracked, label: str, mine: list[WireMessage], calls: list[Any]
) -> list[Violation]:
    revoke = tracked.revoke
    if revoke is None:
        return []
    read = [
        e
        for e in calls
        if e.op in ("getEdoc", "downloadEdoc") and is_ok_call(e) and e.doc_id == revoke.doc_id
    ]
    if not read:
        return []
    later = [
        code_of(m)
        for m in mine
        if m.document_id == tracked.document_id
        and m.seq > read[0].seq
        and code_of(m) in FORWARD_AFTER_ARRIVAL
    ]
    if later:
        return [Violation("FLOW-REVOKE-RECEIVED", f"{label} was revoked, then got {later}")]
    return []


STEP_OPS = ("deliver", "redeliver", "revoke", "ask_back", "act", "illegal", "answer", "fault")


@dataclass(frozen=True, slots=True)
class Scenario(JsonMapped):
    """A named, replayable sequence of steps and the requirements it broke."""

    json_layout: ClassVar[Layout] = Layout(
        tags={"format": SCENARIO_FORMAT},
        missing={"seed": 0, "requirements": (), "violations": ()},
        error=ConformanceError,
        what="scenario file",
    )

    name: str
    seed: int
    requirements: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]
    violations: tuple[str, ...] = ()

    def write(self, folder: Path) -> Path:
        """Write ``folder/NAME.json`` (creating the folder); returns the path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.json"
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")
        return path


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; raises ``ConformanceError`` naming what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConformanceError(f"scenario file {str(path)!r} cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != SCENARIO_FORMAT:
        raise ConformanceError(f"scenario file {str(path)!r} is not a {SCENARIO_FORMAT} file")
    steps = data.get("steps")
    if not isinstance(steps, list) or not all(
        isinstance(s, dict) and s.get("op") in STEP_OPS for s in steps
    ):
        raise ConformanceError(f"scenario file {str(path)!r}: steps must be a list of {STEP_OPS}")
    named = {"name": Path(path).stem, **data}
    return Scenario.from_json(named, where=f"scenario file {str(path)!r}")


def replay(world: World, scenario: Scenario) -> list[Violation]:
    """Play ``scenario``'s steps on ``world`` and judge them."""
    explorer = Explorer(world)
    for step in scenario.steps:
        explorer.run(step)
    return explorer.check()


def shrink(
    world: World, steps: list[dict[str, Any]], broken: set[str], budget: int
) -> tuple[list[dict[str, Any]], list[Violation]]:
    """Drop steps one at a time (last first) while the scenario still breaks one of
    ``broken``, replaying at most ``budget`` times; returns the shorter steps and what they
    break."""
    kept = list(steps)
    found = replay(world, Scenario("shrink", 0, (), tuple(kept)))
    if not {v.req_id for v in found} & broken:
        return kept, []  # not reproducible: keep what Hypothesis found
    index = len(kept) - 1
    while index >= 0 and budget > 0:
        candidate = kept[:index] + kept[index + 1 :]
        budget -= 1
        violations = replay(world, Scenario("shrink", 0, (), tuple(candidate)))
        if {v.req_id for v in violations} & broken:
            kept, found = candidate, violations
        index -= 1
    return kept, found


def explore(
    world: World, *, examples: int, steps: int = 8, shrink_budget: int = 8
) -> tuple[Scenario | None, int]:
    """Let Hypothesis draw up to ``examples`` scenarios of up to ``steps`` steps, seeded by
    the run's seed; shrink the first failing one with at most ``shrink_budget`` replays.
    Returns the failing scenario (or None) and how many scenarios ran."""
    from hypothesis import HealthCheck, Phase, seed, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        get_state_machine_test,
        initialize,
        precondition,
        rule,
    )

    failures: list[Scenario] = []
    ran = [0]
    run_seed = world.settings.seed
    index = st.integers(min_value=0, max_value=7)

    class Exploration(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.explorer = Explorer(world)
            ran[0] += 1

        def has_documents(self) -> bool:
            return bool(self.explorer.docs)

        @initialize(partner=st.integers(min_value=0, max_value=1))
        def first(self, partner: int) -> None:
            self.explorer.run({"op": "deliver", "partner": partner})

        @rule(partner=st.integers(min_value=0, max_value=1))
        def deliver(self, partner: int) -> None:
            self.explorer.run({"op": "deliver", "partner": partner})

        @precondition(has_documents)
        @rule(doc=index)
        def redeliver(self, doc: int) -> None:
            self.explorer.run({"op": "redeliver", "doc": doc})

        @precondition(has_documents)
        @rule(doc=index)
        def revoke(self, doc: int) -> None:
            self.explorer.run({"op": "revoke", "doc": doc})

        @precondition(has_documents)
        @rule(doc=index)
        def ask_back(self, doc: int) -> None:
            self.explorer.run({"op": "ask_back", "doc": doc})

        @precondition(has_documents)
        @rule(doc=index, action=st.sampled_from(ACTIONS))
        def act(self, doc: int, action: str) -> None:
            self.explorer.run({"op": "act", "doc": doc, "action": action})

        @precondition(has_documents)
        @rule(doc=index, pick=st.integers(min_value=0, max_value=15))
        def illegal(self, doc: int, pick: int) -> None:
            self.explorer.run({"op": "illegal", "doc": doc, "pick": pick})

        @precondition(has_documents)
        @rule(doc=index, agree=st.booleans())
        def answer(self, doc: int, agree: bool) -> None:
            self.explorer.run({"op": "answer", "doc": doc, "agree": agree})

        @rule(kind=st.sampled_from(FAULTS))
        def fault(self, kind: str) -> None:
            self.explorer.run({"op": "fault", "kind": kind})

        def teardown(self) -> None:
            violations = self.explorer.check()
            if violations:
                failures.append(self.explorer.scenario(violations, run_seed))
                raise ExplorationFailed(violations)

    test = get_state_machine_test(
        Exploration,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            derandomize=False,
            phases=(Phase.generate,),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        ),
    )
    try:
        seed(run_seed)(test)()
    except ExplorationFailed:
        found = failures[0]
        broken = set(found.requirements)
        kept, violations = shrink(world, list(found.steps), broken, shrink_budget)
        if violations:
            explorer = Explorer(world)
            explorer.steps = kept
            return explorer.scenario(violations, run_seed), ran[0]
        return found, ran[0]
    return None, ran[0]
