"""The mutant catalogue: the proof that the suite is honest.

Each mutant is the reference SUT with one small, deliberate defect (a toggle of
:class:`~conformance.reference.behaviour.Behaviour`), is called by the defect's name (the
reference SUT's ``--defect`` and the suite's ``--mutant`` take the same names), and names the
requirements the suite must fail when it certifies that mutant. The project's tests run the suite against every
mutant and require NOT CERTIFIED with those requirements among the failures; a change to the
suite that lets a mutant through fails the build. The catalogue covers every family of SUT
behaviour: transport, receiving, sending, flows, robustness and security.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.errors import ConformanceError
from conformance.reference.behaviour import DEFECTS, Behaviour
from spec.catalogue import catalogue

__all__ = ["MUTANTS", "Mutant", "UnknownMutant", "mutant"]


class UnknownMutant(ConformanceError, LookupError):
    """A mutant name that is not in the catalogue."""


@dataclass(frozen=True, slots=True)
class Mutant:
    """The reference SUT with the defect ``name`` planted (a defect of
    :mod:`conformance.reference.behaviour`, under the same name), and the requirement ids the
    suite must fail on it. ``profile`` is the smallest profile that exercises the defect:
    receiver for what the SUT does with what it receives, sender for what it sends, full when
    it needs signatures or both sides."""

    name: str
    fails: tuple[str, ...]
    family: str
    profile: str = "full"

    def __post_init__(self) -> None:
        if self.name not in DEFECTS:
            raise ConformanceError(
                f"mutant {self.name!r} names no defect of the reference SUT; known: "
                f"{', '.join(DEFECTS)}"
            )
        table = catalogue()
        bad = sorted(i for i in self.fails if i not in table)
        if bad:
            raise ConformanceError(f"mutant {self.name!r}: unknown requirement ids {bad!r}")
        if not self.fails:
            raise ConformanceError(f"mutant {self.name!r} must name the requirements it fails")

    @property
    def description(self) -> str:
        """What the defect changes on the wire."""
        return DEFECTS[self.name]

    @property
    def defects(self) -> tuple[str, ...]:
        """The defects the mutant plants: its own."""
        return (self.name,)

    @property
    def behaviour(self) -> Behaviour:
        return Behaviour.with_defects(self.name)

    def __repr__(self) -> str:
        return f"mutant({self.name!r})"


def _m(name: str, fails: tuple[str, ...], family: str, profile: str) -> Mutant:
    return Mutant(name, fails, family, profile)


MUTANTS: tuple[Mutant, ...] = (
    # -- transport
    _m("ack-before-store", ("TR-ACK-AFTER-STORE",), "transport", "receiver"),
    _m("never-ack", ("TR-ACK-DONE",), "transport", "receiver"),
    _m("ack-fail-and-forget", ("TR-FAIL-NOT-LOST",), "transport", "receiver"),
    _m("ack-done-on-garbage", ("TR-ACK-FAIL-UNREADABLE",), "transport", "receiver"),
    _m("no-dedupe", ("TR-DEDUPE-DOCID", "TR-DEDUPE-DOCUMENTID"), "transport", "receiver"),
    # -- receiving
    _m("skip-arrived", ("RCV-ARRIVED",), "receiving", "receiver"),
    _m("slow-arrived", ("LC-FIRST-ARRIVED-TIMELY",), "receiving", "receiver"),
    _m("accept-malformed", ("RCV-REFUSE-INVALID",), "receiving", "receiver"),
    _m("accept-misaddressed", ("RCV-REFUSE-NOT-ADDRESSED",), "receiving", "receiver"),
    _m("complete-before-assign", ("LC-FORWARD-ONLY",), "receiving", "receiver"),
    _m("repeat-accepted", ("LC-NO-REPEAT",), "receiving", "receiver"),
    _m("wrong-response-for-document-id", ("RCV-RESPONSEFOR-MATCHES",), "receiving", "receiver"),
    _m("status-to-wrong-agency", ("RCV-STATUS-TO-SENDER",), "receiving", "receiver"),
    _m("wrong-timestamp-format", ("ST-TIMESTAMP",), "receiving", "receiver"),
    _m("no-description-on-refusal", ("LC-DESCRIPTION-REQUIRED",), "receiving", "receiver"),
    # -- sending
    _m("bad-document-id-grammar", ("MSG-DOCUMENTID-GRAMMAR", "SND-VALID"), "sending", "sender"),
    _m("manifest-without-attachment", ("ATT-MANIFEST-MATCH", "SND-VALID"), "sending", "sender"),
    _m("label-by-name", ("ATT-CONTENT-TYPE", "SND-VALID"), "sending", "sender"),
    _m("zip-labelled-pdf", ("ATT-CONTENT-TYPE", "SND-VALID"), "sending", "sender"),
    _m("drop-recipient", ("SND-RECIPIENTS",), "sending", "sender"),
    _m("add-recipient", ("SND-RECIPIENTS",), "sending", "sender"),
    _m("misreported-document-id", ("SND-CONTENT",), "sending", "sender"),
    _m("send-to-w00", ("MSG-TO-ORGANID", "SND-RECIPIENTS"), "sending", "sender"),
    # -- flows
    _m("act-after-refusal", ("LC-NOTHING-AFTER-REFUSAL",), "flows", "receiver"),
    _m("refuse-after-accept", ("LC-REFUSAL-BEFORE-ACCEPT",), "flows", "receiver"),
    _m("repeat-on-request", ("LC-NO-REPEAT",), "flows", "receiver"),
    _m("step-back", ("LC-FORWARD-ONLY",), "flows", "receiver"),
    _m("answer-unasked", ("LC-ANSWER-NEEDS-REQUEST",), "flows", "receiver"),
    _m("answer-again", ("LC-TAKE-BACK-ANSWER-ONCE",), "flows", "receiver"),
    _m("take-back-twice", ("LC-TAKE-BACK-ONE-AT-A-TIME",), "flows", "sender"),
    _m("take-back-after-refusal", ("LC-NOTHING-AFTER-REFUSAL",), "flows", "sender"),
    _m("take-back-after-withdrawal", ("LC-WITHDRAWN-FINAL",), "flows", "full"),
    _m("process-revoked", ("FLOW-REVOKE-RECEIVED",), "flows", "receiver"),
    _m("ignore-take-back", ("FLOW-TAKE-BACK-ANSWERED",), "flows", "receiver"),
    _m(
        "answer-take-back-twice",
        ("LC-TAKE-BACK-ANSWER-ONCE", "FLOW-TAKE-BACK-ANSWERED"),
        "flows",
        "receiver",
    ),
    _m(
        "forward-after-withdrawal",
        ("FLOW-TAKE-BACK-WITHDRAWN", "LC-WITHDRAWN-FINAL"),
        "flows",
        "receiver",
    ),
    _m("take-back-after-complete", ("LC-TAKE-BACK-BEFORE-COMPLETE",), "flows", "sender"),
    # -- robustness
    _m("no-retry-on-5xx", ("ROB-RETRY-5XX",), "robustness", "receiver"),
    _m("duplicate-status-on-retry", ("ROB-NO-DUPLICATE-STATUS",), "robustness", "receiver"),
    # -- security
    _m("wrong-secret", ("SEC-SIGNED-REQUESTS",), "security", "receiver"),
    _m("read-other-systems", ("SEC-OWN-MESSAGES-ONLY",), "security", "receiver"),
    _m("ignore-signature", ("SEC-VERIFY-DOCUMENT-SIGNATURE",), "security", "full"),
    _m("unsigned-documents", ("SEC-SIGNS-DOCUMENTS",), "security", "full"),
)

_BY_NAME = {m.name: m for m in MUTANTS}


def mutant(name: str) -> Mutant:
    """The mutant called ``name``; raises :class:`UnknownMutant` naming the known ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownMutant(
            f"mutant={name!r} is not in the catalogue; known: {', '.join(_BY_NAME)}"
        ) from None
