"""The mutant catalogue: the proof that the suite is honest.

Each mutant is the reference SUT with one small, deliberate defect (a toggle of
:class:`~conformance.reference.behaviour.Behaviour`), and names the requirements the suite
must fail when it certifies that mutant. The project's tests run the suite against every
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
    """A named defect: the Behaviour toggles it sets and the requirement ids it must fail.
    ``profile`` is the profile that exercises the defect (full unless it needs another)."""

    name: str
    description: str
    defects: tuple[str, ...]
    fails: tuple[str, ...]
    family: str
    profile: str = "full"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.defects) - set(DEFECTS))
        if unknown:
            raise ConformanceError(f"mutant {self.name!r}: unknown defects {unknown!r}")
        table = catalogue()
        bad = sorted(i for i in self.fails if i not in table)
        if bad:
            raise ConformanceError(f"mutant {self.name!r}: unknown requirement ids {bad!r}")
        if not self.fails:
            raise ConformanceError(f"mutant {self.name!r} must name the requirements it fails")

    @property
    def behaviour(self) -> Behaviour:
        return Behaviour.with_defects(*self.defects)

    def __repr__(self) -> str:
        return f"mutant({self.name!r})"


def _m(name: str, defect: str, fails: tuple[str, ...], family: str, description: str) -> Mutant:
    return Mutant(name, description, (defect,), fails, family)


MUTANTS: tuple[Mutant, ...] = (
    # -- transport
    _m(
        "acks-before-storing",
        "ack_before_store",
        ("TR-ACK-AFTER-STORE",),
        "transport",
        "acknowledges done before storing, then loses the document",
    ),
    _m(
        "never-acks",
        "never_ack",
        ("TR-ACK-DONE",),
        "transport",
        "stores and reports documents but never acknowledges them",
    ),
    _m(
        "acks-fail-and-forgets",
        "ack_fail_and_forget",
        ("TR-FAIL-NOT-LOST",),
        "transport",
        "acknowledges valid documents fail and never fetches them again",
    ),
    _m(
        "acks-garbage-done",
        "ack_done_on_garbage",
        ("TR-ACK-FAIL-UNREADABLE",),
        "transport",
        "acknowledges unreadable input done instead of fail",
    ),
    _m(
        "no-dedupe",
        "no_dedupe",
        ("TR-DEDUPE-DOCID", "TR-DEDUPE-DOCUMENTID"),
        "transport",
        "registers and reports a redelivered document again",
    ),
    # -- receiving
    _m(
        "skips-01",
        "skip_arrived",
        ("RCV-ARRIVED",),
        "receiving",
        "never sends 01 for the documents it registers",
    ),
    _m(
        "late-01",
        "slow_arrived",
        ("LC-FIRST-ARRIVED-TIMELY",),
        "receiving",
        "sends 01 an hour of model time after the download",
    ),
    _m(
        "accepts-malformed",
        "accept_malformed",
        ("RCV-REFUSE-INVALID",),
        "receiving",
        "registers documents with error-level findings instead of refusing them",
    ),
    _m(
        "accepts-misaddressed",
        "accept_misaddressed",
        ("RCV-REFUSE-NOT-ADDRESSED",),
        "receiving",
        "registers documents addressed to another agency",
    ),
    _m(
        "06-before-04",
        "complete_before_assign",
        ("LC-FORWARD-ONLY",),
        "receiving",
        "on assign sends 06 and then 04",
    ),
    _m(
        "repeats-03",
        "repeat_accepted",
        ("LC-NO-REPEAT",),
        "receiving",
        "sends 03 twice when the clerk accepts a document",
    ),
    _m(
        "wrong-responsefor-documentid",
        "wrong_response_for_document_id",
        ("RCV-RESPONSEFOR-MATCHES",),
        "receiving",
        "puts the axis docId in ResponseFor/DocumentId of its statuses",
    ),
    _m(
        "status-to-wrong-agency",
        "status_to_wrong_agency",
        ("RCV-STATUS-TO-SENDER",),
        "receiving",
        "addresses its statuses to an agency other than the document's sender",
    ),
    _m(
        "iso-timestamps",
        "wrong_timestamp_format",
        ("ST-TIMESTAMP",),
        "receiving",
        "writes status Timestamps in ISO 8601 instead of yyyy/MM/dd HH:mm:ss",
    ),
    _m(
        "refuses-without-reason",
        "no_description_on_refusal",
        ("LC-DESCRIPTION-REQUIRED",),
        "receiving",
        "sends 02 and 16 without a Description",
    ),
    # -- sending
    _m(
        "documentid-grammar",
        "bad_document_id_grammar",
        ("MSG-DOCUMENTID-GRAMMAR", "SND-VALID"),
        "sending",
        "writes DocumentId as '<số>/<ký hiệu>,<date>,<issuer>'",
    ),
    _m(
        "manifest-without-attachment",
        "manifest_without_attachment",
        ("ATT-MANIFEST-MATCH", "SND-VALID"),
        "sending",
        "lists one manifest Reference more than there are attachments",
    ),
    _m(
        "zip-labelled-pdf",
        "zip_labelled_pdf",
        ("ATT-CONTENT-TYPE", "SND-VALID"),
        "sending",
        "zips attachments and labels the ZIP application/pdf",
    ),
    _m(
        "sends-to-w00",
        "send_to_w00",
        ("MSG-TO-ORGANID", "SND-RECIPIENTS"),
        "sending",
        "adds its connection system's W00 id to the recipients of its documents",
    ),
    # -- flows
    _m(
        "processes-revoked",
        "process_revoked",
        ("FLOW-REVOKE-RECEIVED",),
        "flows",
        "keeps sending forward statuses on a document its sender revoked",
    ),
    _m(
        "ignores-13",
        "ignore_take_back",
        ("FLOW-TAKE-BACK-ANSWERED",),
        "flows",
        "never answers a take-back request",
    ),
    _m(
        "answers-13-twice",
        "answer_take_back_twice",
        ("LC-TAKE-BACK-ANSWER-ONCE", "FLOW-TAKE-BACK-ANSWERED"),
        "flows",
        "sends its answer to a take-back request twice",
    ),
    _m(
        "forward-after-take-back",
        "forward_after_withdrawal",
        ("FLOW-TAKE-BACK-WITHDRAWN", "LC-WITHDRAWN-FINAL"),
        "flows",
        "still sends forward statuses after agreeing to a take-back",
    ),
    _m(
        "take-back-after-06",
        "take_back_after_complete",
        ("LC-TAKE-BACK-BEFORE-COMPLETE",),
        "flows",
        "asks to take back a document its recipient completed",
    ),
    # -- robustness
    _m(
        "no-retry-on-5xx",
        "no_retry_on_5xx",
        ("ROB-RETRY-5XX",),
        "robustness",
        "tries each send once and drops it after a 5xx, reset or timeout",
    ),
    _m(
        "duplicate-status-on-retry",
        "duplicate_status_on_retry",
        ("ROB-NO-DUPLICATE-STATUS",),
        "robustness",
        "rebuilds a status with a fresh Timestamp when it retries the send",
    ),
    # -- security
    _m(
        "wrong-secret",
        "unsigned_requests",
        ("SEC-SIGNED-REQUESTS",),
        "security",
        "signs its axis requests with a wrong secret",
    ),
    _m(
        "reads-other-systems",
        "read_other_systems",
        ("SEC-OWN-MESSAGES-ONLY",),
        "security",
        "asks the axis for docIds that were never delivered to it",
    ),
    _m(
        "ignores-signatures",
        "ignore_signature",
        ("SEC-VERIFY-DOCUMENT-SIGNATURE",),
        "security",
        "does not verify the signatures of the documents it receives",
    ),
    _m(
        "unsigned-documents",
        "unsigned_documents",
        ("SEC-SIGNS-DOCUMENTS",),
        "security",
        "does not sign the documents it sends",
    ),
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
