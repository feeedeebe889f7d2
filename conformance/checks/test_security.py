"""Security: signed documents checked and produced where the profile requires them (family
SEC). Signed requests and access to the SUT's own messages only are judged by the audit
(test_audit.py) over every call of the run."""

from __future__ import annotations

import pytest

from conformance.episodes import Receipt, Sending, collect_receipts, wait_first_reports
from conformance.judge import Judge
from conformance.world import World, certificate_time
from spec import serialize
from spec.signature import sign, verify
from spec.status_codes import StatusCode
from spec.testca import TestCA

requirement = pytest.mark.requirement


def _tampered(world: World, signed: bytes, subject: str) -> bytes:
    """``signed`` with its Subject changed after signing."""
    old = subject.encode("utf-8")
    if old not in signed:
        raise AssertionError("the harness could not find the Subject to tamper with")
    return signed.replace(old, (subject + " (đã sửa sau khi ký)").encode("utf-8"), 1)


@requirement("SEC-VERIFY-DOCUMENT-SIGNATURE")
def test_documents_whose_signature_does_not_verify_are_refused(online: World, judge: Judge) -> None:
    if not online.profile.require_signature:
        pytest.skip("the profile does not require signed documents")
    partner = online.cast.partners[0]
    good = online.new_document(partner)
    tampered = online.new_document(partner)
    unsigned = online.new_document(partner)
    foreign = online.new_document(partner)
    now = certificate_time(online.clock)
    key, certificate = TestCA.create("another CA", now=now).issue(
        partner.name, partner.organ_id, now=now
    )
    after = online.observer.head()
    cases = (
        (
            "a correctly signed document",
            good,
            online.encode(good, partner),
            StatusCode.ARRIVED.value,
        ),
        (
            "a signed document changed after signing",
            tampered,
            _tampered(online, online.encode(tampered, partner), tampered.header.subject or ""),
            StatusCode.REFUSED.value,
        ),
        ("an unsigned document", unsigned, serialize(unsigned), StatusCode.REFUSED.value),
        (
            "a document signed by a certificate of another CA",
            foreign,
            sign(serialize(foreign), key, certificate),
            StatusCode.REFUSED.value,
        ),
    )
    receipts = [
        Receipt(online.deliver(doc, partner, data=data), partner, doc) for _, doc, data, _ in cases
    ]
    wait_first_reports(online, receipts, after)
    online.observer.settle(online.observer.head(), online.bounds.poll_interval * 3)
    collect_receipts(online, receipts, after)
    for (what, _, _, expected), receipt in zip(cases, receipts, strict=True):
        first = receipt.codes[0] if receipt.codes else None
        judge.check(
            "SEC-VERIFY-DOCUMENT-SIGNATURE",
            first == expected,
            f"{what} ({receipt.label()}) got {receipt.codes or 'no status'}; expected {expected}",
            receipt.evidence(),
        )


@requirement("SEC-SIGNS-DOCUMENTS")
def test_sent_documents_are_signed(sending: Sending, online: World, judge: Judge) -> None:
    if not online.profile.require_signature or online.ca is None:
        pytest.skip("the profile does not require signed documents")
    for sent in sending.dispatches:
        message = sent.message
        if message is None or message.data is None:
            judge.fail(
                "SEC-SIGNS-DOCUMENTS", "the document never reached the axis", sent.evidence()
            )
            continue
        check = verify(message.data, trusted_ca=online.ca.certificate, at=online.clock.now())
        judge.check(
            "SEC-SIGNS-DOCUMENTS",
            check.valid,
            f"the signature of {message.doc_id}: {check.reason}",
            sent.evidence(),
        )
