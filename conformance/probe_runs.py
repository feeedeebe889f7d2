"""Playing the lifecycle probes (:mod:`conformance.probes`) on the SUT and judging them.

A walk takes one document along a legal path: on the receiver side the harness delivers it and
the SUT reports 01, then its clerk acts and the harness asks for the document back; on the
sender side the SUT sends it and the harness's partner reports on it. At each place the clerk
tries the walk's illegal actions there. Each try is judged twice: the SUT must answer the
contract's ``illegal-transition`` (its workflow refused), and nothing may reach the wire
because of it. A legal step the SUT does not carry out ends the walk: the probes it did not
reach fail as "could not be tried", saying which step did not happen (a MUST that cannot be
verified is no more certified than one that fails; the step's own requirement, RCV-ARRIVED,
RCV-REPORTS-ACTIONS or FLOW-TAKE-BACK-ANSWERED, fails in its own test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from conformance.contract import DocumentRequest
from conformance.episodes import (
    Dispatch,
    code_of,
    dispatch,
    reaches,
    receive,
    sample_attachments,
    wait_acks,
)
from conformance.errors import ActionRefused, SutError
from conformance.judge import Judge
from conformance.observe import WireMessage
from conformance.probes import ClerkAction, Move, Probe, Walk
from conformance.world import Party, World
from reports.model import Evidence
from spec.model import Edoc
from spec.status_codes import StatusCode

__all__ = ["ILLEGAL", "Answer", "play_receiver_walk", "play_sender_walk", "try_action"]

ILLEGAL = "illegal-transition"
REASON = "Thử nghiệm: thao tác không được phép"


@dataclass
class Attempt:
    """One illegal action tried: the probe, the cursor just before it, what the SUT
    answered, whether that answer was the contract's illegal-transition, and the statuses
    the wire showed because of it."""

    probe: Probe
    cursor: int
    answered: str
    refused: bool
    sent: list[WireMessage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the SUT answered a clerk's request: ``carried`` it out, ``refused`` it with the
    contract's illegal-transition, or some ``other`` error; ``text`` says it in words."""

    kind: Literal["carried", "refused", "other"]
    text: str


def try_action(world: World, action: ClerkAction, document_id: str, counterpart: Party) -> Answer:
    """Ask the SUT's clerk for ``action`` on ``document_id`` (``counterpart``: the document's
    sender, or the recipient to ask it back from) and report what the SUT answered."""
    reason = REASON if action.code.needs_description else None
    try:
        if action.action is not None:
            result = world.sut.act(document_id, action.action, reason)
        elif action.agree is not None:
            result = world.sut.answer_take_back(
                document_id, counterpart.organ_id, action.agree, reason
            )
        else:
            result = world.sut.request_take_back(document_id, counterpart.organ_id, REASON)
    except ActionRefused as exc:
        if exc.code == ILLEGAL:
            rule = f", {exc.rule}" if exc.rule else ""
            return Answer("refused", f"refused it ({ILLEGAL}{rule})")
        return Answer("other", f"answered {exc.code}: {exc.message}")
    except SutError as exc:
        return Answer("other", f"answered {exc.code}: {exc.message}")
    state = f", state {result.state}" if result.state else ""
    return Answer("carried", f"carried it out (statusCode {result.status_code.value}{state})")


class _Walker:
    """One walk in progress: the document, its counterpart, the statuses expected from the
    SUT, and the attempts made."""

    def __init__(self, world: World, judge: Judge, walk: Walk, counterpart: Party) -> None:
        self.world = world
        self.judge = judge
        self.walk = walk
        self.counterpart = counterpart
        self.document_id = ""
        self.document: Edoc | None = None
        self.label = ""
        self.done = 0  # moves of the path carried out
        self.tried = -1  # the last place whose probes were tried
        self.start = world.observer.head()
        self.expected: list[tuple[StatusCode, int]] = []  # SUT codes and the cursor before
        self.attempts: list[Attempt] = []
        self.evidence: list[Evidence] = []

    def derail(self, step: object, why: str) -> None:
        """A legal step did not happen: the walk ends, and each rule whose probes it had not
        tried yet fails as not verifiable (unless an accepted illegal action already explains
        why the step did not happen)."""
        if any(not a.refused for a in self.attempts):
            return
        place = ", ".join(m.code.value for m in self.walk.path[: self.done]) or "none"
        untried = [p for at in self.walk.tries[self.tried + 1 :] for p in at]
        for rule_id in dict.fromkeys(p.rule_id for p in untried):
            actions = ", ".join(str(p.action) for p in untried if p.rule_id == rule_id)
            self.judge.fail(
                rule_id,
                f"{self.label}: the clerk's {actions} could not be tried: on the way there, "
                f"after {place} the step {step} did not happen ({why})",
                self.evidence,
            )

    def try_here(self, place: int) -> None:
        self.tried = place
        for probe in self.walk.tries[place]:
            cursor = self.world.observer.head()
            answer = try_action(self.world, probe.action, self.document_id, self.counterpart)
            refused = answer.kind == "refused"
            self.attempts.append(Attempt(probe, cursor, answer.text, refused))
            if not refused:
                break  # the SUT's state may have moved: the rest of the walk means nothing

    def wait_sut_status(self, code: StatusCode, after: int) -> WireMessage | None:
        return self.world.observer.wait_status(
            after, self.world.bounds.action, self.document_id, (code.value,)
        )

    def judge_wire(self) -> None:
        """Let the SUT settle, then charge every status it sent beyond the expected ones to
        the attempt that caused it, and judge every attempt."""
        world = self.world
        world.observer.settle(world.observer.head(), world.bounds.poll_interval * 3)
        mine = [
            m
            for m in world.observer.statuses_on(self.document_id, self.start)
            if m.sender_system == world.cast.sut.system_id
        ]
        expected = list(self.expected)
        extra: list[WireMessage] = []
        for message in mine:
            match = next(
                (e for e in expected if e[0].value == code_of(message) and message.seq > e[1]),
                None,
            )
            if match is not None:
                expected.remove(match)
            else:
                extra.append(message)
        for message in extra:
            culprit = _culprit(self.attempts, message)
            if culprit is not None:
                culprit.sent.append(message)
        for attempt in self.attempts:
            self._judge(attempt)

    def _judge(self, attempt: Attempt) -> None:
        probe = attempt.probe
        codes = [code_of(m) for m in attempt.sent]
        ok = attempt.refused and not attempt.sent
        self.judge.check(
            probe.rule_id,
            ok,
            f"{self.label}: after {probe.place} the clerk tried to {probe.action} "
            f"({probe.action.code.value}), which {probe.rule_id} forbids; the SUT "
            f"{attempt.answered} and sent {', '.join(codes) or 'nothing'} on it"
            + ("" if ok else f"; expected {ILLEGAL} and nothing on the wire ({probe.why})"),
            [*self.evidence[:1], *(m.evidence() for m in attempt.sent[:3])],
        )


def _culprit(attempts: list[Attempt], message: WireMessage) -> Attempt | None:
    """The attempt a status the SUT should not have sent answers to: the last one before it
    asking for its code, else the last one before it."""
    before = [a for a in attempts if a.cursor < message.seq]
    same = [a for a in before if a.probe.action.code.value == code_of(message)]
    if same:
        return same[-1]
    return before[-1] if before else None


def play_receiver_walk(world: World, judge: Judge, walk: Walk, sender: Party) -> None:
    """Deliver a document from ``sender`` and play ``walk`` (receiver side) on it."""
    walker = _Walker(world, judge, walk, sender)
    receipt = receive(world, [(world.new_document(sender), sender)], settle=False)[0]
    walker.document_id = receipt.document_id
    walker.document = receipt.document
    walker.label = receipt.label()
    walker.evidence = receipt.evidence()[:1]
    arrived = receipt.statuses[0] if receipt.statuses else None
    walker.expected.append((StatusCode.ARRIVED, receipt.delivered.cursor))
    walker.done = 1
    if arrived is None or code_of(arrived) != StatusCode.ARRIVED.value:
        walker.derail(walk.path[0], f"the SUT reported {receipt.codes or 'nothing'} instead")
        return
    walker.try_here(1)
    for index, move in enumerate(walk.path[1:], start=1):
        if any(not a.refused for a in walker.attempts):
            break
        if not _receiver_step(walker, move):
            return
        walker.done = index + 1
        walker.try_here(index + 1)
    walker.judge_wire()


def _receiver_step(walker: _Walker, move: Move) -> bool:
    world = walker.world
    after = world.observer.head()
    action = move.action
    if action is None and walker.document is not None:  # the sender asks for it back
        request = world.take_back_request(
            walker.document, world.cast.sut, "Đề nghị trả lại văn bản"
        )
        delivered = world.deliver(request, walker.counterpart)
        if not wait_acks(world, [delivered.doc_id], after, world.bounds.transport * 2):
            walker.derail(move, f"the SUT never acknowledged the 13 {delivered.doc_id}")
            return False
        return True
    return action is not None and _clerk_step(world, walker, move, action, after)


def play_sender_walk(world: World, judge: Judge, walk: Walk, partner: Party, label: str) -> None:
    """Make the SUT send a document to ``partner`` and play ``walk`` (sender side) on it."""
    walker = _Walker(world, judge, walk, partner)
    sent = dispatch(
        world,
        DocumentRequest(
            to=(partner.organ_id,),
            subject=f"V/v thử nghiệm vòng đời văn bản ({label})",
            attachments=sample_attachments(world, label)[:1],
        ),
    )
    walker.document_id = sent.document_id
    walker.label = f"the SUT's document {sent.document_id or '(not sent)'}"
    walker.evidence = sent.evidence()[:1]
    if sent.edoc is None or not reaches(sent, partner):
        walker.derail(
            f"the SUT's document reaching {partner.organ_id}",
            "it never reached the partner, so nothing could be asked back",
        )
        return
    walker.try_here(0)
    for index, move in enumerate(walk.path):
        if any(not a.refused for a in walker.attempts):
            break
        if not _sender_step(walker, move, sent):
            return
        walker.done = index + 1
        walker.try_here(index + 1)
    walker.judge_wire()


def _sender_step(walker: _Walker, move: Move, sent: Dispatch) -> bool:
    world = walker.world
    after = world.observer.head()
    action = move.action
    if action is None and sent.edoc is not None:  # the partner reports on the document
        status = world.status_from(walker.counterpart, sent.edoc, move.code.value)
        delivered = world.deliver(status, walker.counterpart)
        if not wait_acks(world, [delivered.doc_id], after, world.bounds.transport * 2):
            walker.derail(
                move,
                f"the SUT never acknowledged the partner's {move.code.value} {delivered.doc_id}",
            )
            return False
        return True
    return action is not None and _clerk_step(world, walker, move, action, after)


def _clerk_step(world: World, walker: _Walker, move: Move, action: ClerkAction, after: int) -> bool:
    """The clerk takes ``action`` on the walk's document; True when the SUT carried it out
    and sent the status it owes."""
    answer = try_action(world, action, walker.document_id, walker.counterpart)
    if answer.kind != "carried":
        walker.derail(move, f"the SUT {answer.text}")
        return False
    walker.expected.append((move.code, after))
    if walker.wait_sut_status(move.code, after) is None:
        walker.derail(
            move, f"no {move.code.value} came within {world.clock.span(world.bounds.action)}"
        )
        return False
    return True
