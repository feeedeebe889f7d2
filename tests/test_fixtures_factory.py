"""The document factory makes valid, realistic, deterministic edXML for any fixture agency."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.agencies import Agency, FixturesError, lower_tiers, national_agencies
from fixtures.factory import KINDS, DocumentFactory, pdf_bytes, zip_bytes
from spec import Edoc, Options, Status, check, parse, serialize
from spec.document_id import parse_document_id
from spec.formats import parse_date, parse_timestamp
from spec.status_codes import StatusCode

TODAY = date(2025, 7, 15)
AT = datetime(2025, 7, 15, 9, 30)
NATIONAL = national_agencies("2024")
# Every kind of agency: ministries, provinces, departments, districts and communes of 2024,
# and communes of the two-tier system of 2025.
POOL = list(
    {
        a.organ_id: a
        for a in (
            *NATIONAL,
            *lower_tiers("2024", scale=0.02, seed=3),
            *lower_tiers("2025", scale=0.02, seed=3),
        )
    }.values()
)
ANY_CODE_BUT_13 = [c for c in StatusCode if c is not StatusCode.TAKE_BACK_REQUESTED]


def by_id(organ_id: str) -> Agency:
    return next(a for a in POOL if a.organ_id == organ_id)


def findings(message: Edoc | Status, today: date = TODAY) -> list[tuple[str, str, str]]:
    parsed = check(serialize(message), Options(today=today))
    return [(f.req_id, f.severity.value, f.message) for f in parsed.findings]


scenario = st.tuples(
    st.integers(0, 2**32),
    st.sampled_from(POOL),
    st.lists(st.sampled_from(POOL), min_size=1, max_size=7, unique_by=lambda a: a.organ_id),
    st.lists(st.sampled_from(POOL), min_size=1, max_size=7, unique_by=lambda a: a.organ_id),
    st.integers(0, 4),
)


@settings(max_examples=60, deadline=None)
@given(scenario)
def test_every_kind_and_status_validates_without_any_finding(case):
    seed, sender, recipients, changed, attachments = case
    factory = DocumentFactory(seed, TODAY)
    original = factory.edoc(sender, recipients, attachments=attachments)
    messages: list[Edoc | Status] = [original]
    for kind in ("revoke", "update", "replace"):
        messages.append(
            factory.edoc(sender, changed, kind=kind, original=original, attachments=attachments)
        )
    for code in ANY_CODE_BUT_13:
        messages.append(factory.status(original, recipients[-1], code, AT))
    messages.append(factory.take_back(original, recipients[0], AT, "Gửi nhầm nơi nhận"))
    for message in messages:
        assert findings(message) == []
        assert parse(serialize(message)).message == message


def test_same_seed_same_messages_other_seed_other_messages():
    sender, recipients = NATIONAL[0], NATIONAL[30:33]

    def run(seed: int) -> list[bytes]:
        factory = DocumentFactory(seed, TODAY)
        doc = factory.edoc(sender, recipients, attachments=3)
        update = factory.edoc(sender, recipients[:2], kind="update", original=doc)
        return [
            serialize(doc),
            serialize(update),
            serialize(factory.status(doc, recipients[1], "02", AT)),
            serialize(factory.take_back(doc, recipients[2], AT)),
        ]

    assert run(11) == run(11)
    assert repr(DocumentFactory(11, TODAY)) == f"DocumentFactory(seed=11, today={TODAY!r})"
    assert all(a != b for a, b in zip(run(11), run(12), strict=True))


def test_an_agency_looks_the_same_in_every_message_whatever_the_order():
    a, b = NATIONAL[5], NATIONAL[40]
    first = DocumentFactory(4, TODAY)
    second = DocumentFactory(4, TODAY)
    second.edoc(NATIONAL[7], [NATIONAL[8]])  # a different history before the same agency
    assert first.organization(a) == second.organization(a)
    assert first.organization(a) != first.organization(b)
    assert first.organization(a) is not first.organization(a)


def test_header_is_consistent_realistic_and_within_limits():
    phu_tho = by_id("000.00.00.H44")
    recipients = [by_id("000.00.00.G12"), by_id("000.00.02.H44")]
    factory = DocumentFactory(5, TODAY)
    for _ in range(40):
        doc = factory.edoc(phu_tho, recipients)
        header = doc.header
        key = parse_document_id(header.document_id)
        assert (key.issuer, key.code_number, key.code_notation) == (
            "000.00.00.H44",
            header.code.code_number,
            header.code.code_notation,
        )
        day = parse_date(header.promulgation_info.promulgation_date)
        assert key.promulgation_date == day
        assert TODAY - timedelta(days=30) <= day <= TODAY
        assert header.code.code_number.isdigit() and len(header.code.code_number) <= 11
        # ký hiệu: <type>-<issuer> (QĐ-UBND) or, for a công văn, <issuer>-<unit> (UBND-VP)
        assert re.fullmatch(r"[A-ZĐ][A-Za-zĐ]*-[A-ZĐ]+", header.code.code_notation)
        assert "UBND" in header.code.code_notation.split("-")
        assert header.from_.organ_name == "Ủy ban nhân dân tỉnh Phú Thọ"
        assert "Phú Thọ" in header.from_.organ_add
        assert header.promulgation_info.place == "Phú Thọ"
        assert header.subject.startswith(("V/v ", "Về việc "))
        assert len(header.signer_info.full_name.split()) >= 3
        assert doc.recipients == [a.organ_id for a in recipients]
        assert doc.trace_headers[0].organ_id == "000.00.00.H44"
        assert parse_timestamp(doc.trace_headers[0].timestamp).date() == day


def test_business_blocks_of_each_kind():
    sender = by_id("000.00.00.G22")
    a, b, c = (by_id(x) for x in ("000.00.00.H44", "000.00.00.H41", "000.00.00.G12"))
    factory = DocumentFactory(9, TODAY)
    original = factory.edoc(sender, [a, b])
    assert original.bussiness.bussiness_doc_type == KINDS["new"] == "0"
    assert original.bussiness.document_id is None
    assert original.header.response_for == []

    revoke = factory.edoc(sender, [a, b], kind="revoke", original=original)
    assert revoke.bussiness.bussiness_doc_type == "1"
    assert revoke.bussiness.document_id == original.header.document_id
    assert revoke.bussiness.bussiness_doc_reason
    assert [r.document_id for r in revoke.header.response_for] == [original.header.document_id]
    assert revoke.header.response_for[0].organ_id == sender.organ_id

    update = factory.edoc(sender, [b, c], kind="update", original=original)
    info = update.bussiness.document_info
    assert update.bussiness.bussiness_doc_type == "2"
    assert update.bussiness.document_id == original.header.document_id
    assert info.document_receiver == "1"
    assert [(r.organ_id, r.receiver_type) for r in info.receivers] == [
        (a.organ_id, "0"),
        (c.organ_id, "1"),
    ]
    same = factory.edoc(sender, [a, b], kind="update", original=original)
    assert same.bussiness.document_info.document_receiver == "0"
    assert same.bussiness.document_info.document_info == "1"
    assert same.bussiness.document_info.receivers is None

    replacement = factory.edoc(sender, [a, b, c], kind="replace", original=original)
    assert replacement.bussiness.bussiness_doc_type == "3"
    assert [(r.document_id, r.organ_ids) for r in replacement.bussiness.replacements] == [
        (original.header.document_id, [a.organ_id, b.organ_id])
    ]
    for doc in (revoke, update, replacement):
        assert doc.header.document_id != original.header.document_id
        assert doc.header.promulgation_info.promulgation_date >= (
            original.header.promulgation_info.promulgation_date
        )


def test_attachments_are_real_pdf_and_zip_files_matching_their_manifest():
    factory = DocumentFactory(2, TODAY)
    doc = factory.edoc(NATIONAL[0], [NATIONAL[1]], attachments=4)
    cids = [r.content_id for r in doc.manifest]
    assert cids == [a.content_id for a in doc.attachments]
    assert len(set(cids)) == 4 and all(cid.startswith("cid:") for cid in cids)
    for ref, att in zip(doc.manifest, doc.attachments, strict=True):
        assert (ref.content_type, ref.attachment_name) == (att.content_type, att.attachment_name)
        data = base64.b64decode(att.content_transfer_encoded, validate=True)
        if att.content_type == "application/zip":
            assert data.startswith(b"PK\x03\x04") and att.attachment_name.endswith(".zip")
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert archive.testzip() is None
                (inner,) = archive.namelist()
                assert archive.read(inner).startswith(b"%PDF-1.4")
        else:
            assert att.content_type == "application/pdf"
            assert att.attachment_name.endswith(".pdf")
            assert_well_formed_pdf(data)
    assert [a.content_type for a in doc.attachments] == [
        "application/pdf",
        "application/zip",
        "application/pdf",
        "application/zip",
    ]
    bare = factory.edoc(NATIONAL[0], [NATIONAL[1]], attachments=0)
    assert bare.manifest is None and bare.attachments == []
    assert findings(bare) == []


def assert_well_formed_pdf(data: bytes) -> None:
    """Header, an xref table whose every offset points at its object, and the trailer."""
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert data[start:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) 00000 n \n", data[start:])
    assert entries
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj\n" % number)
    for length, body in re.findall(rb"<< /Length (\d+) >>\nstream\n(.*?)\nendstream", data, re.S):
        assert int(length) == len(body)


def test_pdf_and_zip_builders_escape_and_are_deterministic():
    page = pdf_bytes(["Số (1) \\ Đà Nẵng"], padding=b"ab" * 10)
    assert_well_formed_pdf(page)
    assert b"(So \\(1\\) \\\\ Da Nang) '" in page
    archive = zip_bytes([("a.pdf", page)], date(2024, 1, 2))
    assert archive == zip_bytes([("a.pdf", page)], date(2024, 1, 2))
    assert archive != zip_bytes([("a.pdf", page)], date(2024, 1, 3))


@pytest.mark.parametrize("target", [10_000, 20_000, 150_000])
def test_target_bytes_sizes_the_serialized_document(target):
    factory = DocumentFactory(8, TODAY)
    doc = factory.edoc(NATIONAL[3], NATIONAL[10:13], target_bytes=target)
    assert abs(len(serialize(doc)) - target) <= 4
    assert findings(doc) == []
    assert_well_formed_pdf(base64.b64decode(doc.attachments[0].content_transfer_encoded))


def test_target_below_the_bare_size_leaves_the_document_unpadded():
    plain = DocumentFactory(8, TODAY).edoc(NATIONAL[3], NATIONAL[10:13])
    small = DocumentFactory(8, TODAY).edoc(NATIONAL[3], NATIONAL[10:13], target_bytes=100)
    assert serialize(small) == serialize(plain)


def test_statuses_answer_the_document_for_the_reporter():
    sender, receiver = by_id("000.00.00.G22"), by_id("000.00.00.H44")
    factory = DocumentFactory(3, TODAY)
    doc = factory.edoc(sender, [receiver, by_id("000.00.00.G12")])
    for code in ANY_CODE_BUT_13:
        status = factory.status(doc, receiver, code.value, AT + timedelta(minutes=code.position))
        assert status.status_code == code.value
        assert status.sender == receiver.organ_id
        assert status.recipients == [sender.organ_id]
        rf = status.response_for
        assert rf.document_id == doc.header.document_id
        assert rf.code == f"{doc.header.code.code_number}/{doc.header.code.code_notation}"
        assert rf.promulgation_date == doc.header.promulgation_info.promulgation_date
        assert status.staff_info.staff and status.staff_info.email.endswith("@phutho.gov.vn")
        assert parse_timestamp(status.timestamp) == AT + timedelta(minutes=code.position)
        assert status.description
        if not code.needs_description:
            assert status.description.endswith(code.meaning_vi)
    reason = factory.status(doc, receiver, StatusCode.REFUSED, AT, description="Sai thể thức")
    assert reason.description == "Sai thể thức"

    take_back = factory.take_back(doc, receiver, AT, "Gửi nhầm nơi nhận")
    assert take_back.status_code == "13"
    assert take_back.from_ == doc.header.from_ and take_back.from_ is not doc.header.from_
    assert take_back.recipients == [receiver.organ_id]
    assert take_back.response_for.document_id == doc.header.document_id
    assert take_back.description == "Gửi nhầm nơi nhận"
    assert factory.take_back(doc, receiver, AT).description  # a stock reason


def test_statuses_of_a_quirky_real_world_document_keep_its_response_for(realworld_dir):
    doc = parse((realworld_dir / "edoc_replacement.edxml").read_bytes()).message
    factory = DocumentFactory(1, TODAY)
    receiver = by_id(doc.recipients[0])
    status = factory.status(doc, receiver, "01", AT)
    assert status.response_for.document_id == doc.header.document_id
    assert status.response_for.organ_id == doc.sender


ARGUMENT_ERRORS = [
    (lambda f: f.edoc(NATIONAL[0], []), "at least one"),
    (lambda f: f.edoc(NATIONAL[0], [NATIONAL[1], NATIONAL[1]]), "listed twice"),
    (lambda f: f.edoc(NATIONAL[0], [replace(NATIONAL[1], organ_id="00.44.W00")]), "W00"),
    (lambda f: f.edoc(NATIONAL[0], ["000.00.00.H44"]), "must be a fixtures.agencies.Agency"),
    (lambda f: f.edoc(NATIONAL[0], [NATIONAL[1]], kind="cancel"), "kind='cancel'"),
    (lambda f: f.edoc(NATIONAL[0], [NATIONAL[1]], kind="revoke"), "needs original"),
    (lambda f: f.edoc(NATIONAL[0], [NATIONAL[1]], attachments=-1), "attachments=-1"),
    (lambda f: f.edoc(NATIONAL[0], [NATIONAL[1]], attachments=0, target_bytes=9000), "padding"),
    (lambda f: f.edoc(NATIONAL[0], [NATIONAL[1]], target_bytes=0), "target_bytes=0"),
    (
        lambda f: f.edoc(NATIONAL[0], [NATIONAL[1]], promulgated=TODAY + timedelta(days=1)),
        "after today",
    ),
]


@pytest.mark.parametrize(("call", "message"), ARGUMENT_ERRORS)
def test_bad_arguments_are_refused_with_a_clear_message(call, message):
    with pytest.raises(FixturesError, match=re.escape(message)):
        call(DocumentFactory(0, TODAY))


def test_only_the_sender_acts_on_its_document_and_only_recipients_report():
    factory = DocumentFactory(0, TODAY)
    doc = factory.edoc(NATIONAL[0], [NATIONAL[1]])
    with pytest.raises(FixturesError, match="only its sender"):
        factory.edoc(NATIONAL[2], [NATIONAL[1]], kind="update", original=doc)
    with pytest.raises(FixturesError, match="before the original"):
        factory.edoc(
            NATIONAL[0],
            [NATIONAL[1]],
            kind="revoke",
            original=doc,
            promulgated=TODAY - timedelta(days=400),
        )
    with pytest.raises(FixturesError, match="not a recipient"):
        factory.status(doc, NATIONAL[2], "01", AT)
    with pytest.raises(FixturesError, match="not a recipient"):
        factory.take_back(doc, NATIONAL[2], AT)
    with pytest.raises(FixturesError, match="take_back"):
        factory.status(doc, NATIONAL[1], "13", AT)
    with pytest.raises(FixturesError, match="code='07'"):
        factory.status(doc, NATIONAL[1], "07", AT)
    with pytest.raises(FixturesError, match="must be a datetime"):
        factory.status(doc, NATIONAL[1], "01", TODAY)
    with pytest.raises(FixturesError, match="today="):
        DocumentFactory(0, AT)
