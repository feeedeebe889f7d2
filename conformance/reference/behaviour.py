"""The reference SUT's behaviour toggles: each one, when set, plants one defect that real
document-management software has been seen to have (or could plausibly have).

The honest reference is ``Behaviour()``: every toggle off. A mutant of the suite flips one
toggle (``Behaviour.with_defects("skip-arrived")``); the suite must then fail the requirement
the defect breaks. Each toggle's ``doc`` metadata says what changes on the wire.

Every defect has one name, in kebab case (``skip-arrived``): the reference SUT's ``--defect``,
``Behaviour.with_defects``, :attr:`Behaviour.defects` and the mutant catalogue
(:mod:`conformance.mutants`, ``--mutant``) all use it. The toggle attribute is the same words
joined by underscores (``Behaviour.skip_arrived``), as Python spells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace


def _defect(doc: str) -> bool:
    return field(default=False, metadata={"doc": doc})


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Defects to plant in the reference SUT; all ``False`` is the honest reference."""

    # -- receiving ----------------------------------------------------------------------
    skip_arrived: bool = _defect("never sends 01 for a document it registered")
    slow_arrived: bool = _defect(
        "sends 01 an hour of model time after the download, later than any profile deadline"
    )
    ack_before_store: bool = _defect(
        "acks `done` before storing, then 'crashes': the document is lost (no 01, nothing registered)"
    )
    never_ack: bool = _defect(
        "stores the document and sends 01 but never calls updateStatus: the axis keeps listing it"
    )
    ack_fail_and_forget: bool = _defect(
        "acks a valid document `fail` and never fetches it again: no 01, never `done`"
    )
    ack_done_on_garbage: bool = _defect(
        "acks unreadable input (not XML, hostile) `done` and keeps no record instead of `fail`"
    )
    no_dedupe: bool = _defect(
        "registers a redelivered document again (same or new axis docId): a second 01"
    )
    accept_malformed: bool = _defect(
        "registers a document with error-level findings and sends 01 instead of refusing it (02)"
    )
    accept_misaddressed: bool = _defect(
        "registers a document not addressed To its agency and sends 01 instead of refusing it (02)"
    )
    ignore_signature: bool = _defect(
        "does not verify document signatures: a tampered or unsigned document gets 01, not 02"
    )
    read_other_systems: bool = _defect(
        "each poll also calls getEdoc for guessed docIds that were never delivered to it"
    )
    # -- workflow and statuses ----------------------------------------------------------
    complete_before_assign: bool = _defect("on 'assign' sends 06 first and then 04")
    repeat_accepted: bool = _defect("on 'accept' sends 03 twice")
    act_after_refusal: bool = _defect(
        "lets the clerk accept, assign, process or complete a document it refused (02) and "
        "sends the status"
    )
    refuse_after_accept: bool = _defect(
        "lets the clerk refuse (02) a document already accepted (03) or further on"
    )
    repeat_on_request: bool = _defect(
        "lets the clerk repeat a step (accept twice, refuse twice, …) and sends the code again"
    )
    step_back: bool = _defect(
        "lets the clerk go back on the forward path (04 after 05, 03 after 04) and sends it"
    )
    answer_unasked: bool = _defect(
        "lets the clerk answer (15/16) a take-back nobody asked for, and sends the answer"
    )
    answer_again: bool = _defect(
        "lets the clerk answer a take-back request a second time after refusing it (16)"
    )
    forward_after_withdrawal: bool = _defect(
        "still sends forward statuses (e.g. 05) after it agreed (15) to a take-back"
    )
    process_revoked: bool = _defect(
        "keeps processing a document its sender revoked: forward statuses after the revoke"
    )
    ignore_take_back: bool = _defect(
        "never answers a take-back request (13): the answer action is accepted but no 15/16 is sent"
    )
    answer_take_back_twice: bool = _defect("sends its answer (15 or 16) to a take-back twice")
    wrong_response_for_document_id: bool = _defect(
        "statuses carry the axis docId in ResponseFor/DocumentId instead of the DocumentId"
    )
    status_to_wrong_agency: bool = _defect(
        "statuses name another agency (another recipient, else itself) in ResponseFor/OrganId, "
        "so they are not routed to the document's sender"
    )
    wrong_timestamp_format: bool = _defect(
        "status Timestamp in ISO 8601 (2024-06-28T09:30:00+07:00), not yyyy/MM/dd HH:mm:ss"
    )
    no_description_on_refusal: bool = _defect("02 and 16 without a Description (reason)")
    no_staff_info: bool = _defect("statuses without StaffInfo")
    duplicate_status_on_retry: bool = _defect(
        "re-sends a status after a failed call as a new message (fresh Timestamp), so a call "
        "that reached the axis before failing yields the status twice"
    )
    # -- sending ------------------------------------------------------------------------
    bad_document_id_grammar: bool = _defect(
        "documents it sends carry DocumentId in the wrong order: '<số>/<ký hiệu>,<date>,<issuer>'"
    )
    manifest_without_attachment: bool = _defect(
        "the manifest lists one Reference more than there are attachments"
    )
    label_by_name: bool = _defect(
        "labels each attachment by its file name (mimetypes), not by its bytes: a PDF named "
        ".docx goes out as a Word document"
    )
    zip_labelled_pdf: bool = _defect(
        "zips each attachment before sending and labels the ZIP 'application/pdf'"
    )
    send_to_w00: bool = _defect(
        "adds its connection system's W00 id as a To recipient of the documents it sends"
    )
    drop_recipient: bool = _defect(
        "leaves the last recipient out of To when the clerk asks for several: the document "
        "never reaches it"
    )
    add_recipient: bool = _defect(
        "adds its own agency to the To recipients of the documents it sends"
    )
    misreported_document_id: bool = _defect(
        "answers the send request with a DocumentId (and số) other than the one the document "
        "it sends carries"
    )
    unsigned_documents: bool = _defect(
        "does not sign the documents it sends even when signing credentials are configured"
    )
    take_back_twice: bool = _defect(
        "asks for a document back (13) again while its first request waits for an answer"
    )
    take_back_after_refusal: bool = _defect(
        "asks for a document back (13) although its recipient refused it (02)"
    )
    take_back_after_withdrawal: bool = _defect(
        "asks for a document back (13) although its recipient already gave it back (15)"
    )
    take_back_after_complete: bool = _defect(
        "sends a take-back request (13) even after the recipient reported 06"
    )
    # -- transport ----------------------------------------------------------------------
    no_retry_on_5xx: bool = _defect(
        "tries each send once: after a 5xx, reset or timeout the document or status is dropped"
    )
    wrong_secret: bool = _defect(
        "signs its axis requests with a wrong secret (every call refused with ErrorCode 1)"
    )

    @classmethod
    def with_defects(cls, *names: str) -> Behaviour:
        """The honest behaviour with the defects ``names`` (kebab case) planted."""
        unknown = sorted(set(names) - set(DEFECTS))
        if unknown:
            raise ValueError(f"unknown defect(s) {unknown!r}; known: {', '.join(DEFECTS)}")
        return replace(cls(), **{_attribute(n): True for n in names})

    @property
    def defects(self) -> tuple[str, ...]:
        """The names of the defects planted (empty for the honest reference)."""
        return tuple(defect_name(f.name) for f in fields(self) if getattr(self, f.name))

    @property
    def honest(self) -> bool:
        return not self.defects

    def __repr__(self) -> str:
        names = ", ".join(repr(n) for n in self.defects)
        return f"Behaviour.with_defects({names})" if names else "Behaviour()"


def defect_name(attribute: str) -> str:
    """The defect's name for a toggle attribute: ``skip_arrived`` is ``skip-arrived``."""
    return attribute.replace("_", "-")


def _attribute(name: str) -> str:
    return name.replace("-", "_")


DEFECTS: dict[str, str] = {defect_name(f.name): f.metadata["doc"] for f in fields(Behaviour)}
"""Every defect's name and what it changes on the wire, in declaration order."""

__all__ = ["DEFECTS", "Behaviour", "defect_name"]
