"""The validator on the real SDK samples (each quirk found, per file) and on targeted defects."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from spec import Options, Severity, check, model, validate
from tests.messages import edoc_of, status_of

TODAY = Options(today=date(2026, 11, 21))
E, W = Severity.ERROR, Severity.WARNING

# Per real sample: the (requirement id, severity) pairs of every error and warning it must give.
# The README beside the samples lists the quirks; each line here is one of them.
REALWORLD_EXPECTED: dict[str, set[tuple[str, Severity]]] = {
    "edoc.edxml": {
        ("XML-UNDECLARED-PREFIX", W),  # xlink:href and edXML: outside their declaration
        ("XML-NAMESPACE", W),
        ("MSG-RESPONSEFOR", W),  # an empty ResponseFor: the DocumentId "empty in another"
        ("MSG-DOCUMENTID-GRAMMAR", W),  # DocumentId is a UUID
        ("MSG-TRACE", E),  # 01.02.G22 has three groups
        ("BIZ-BLOCK-PRESENT", W),
        ("ATT-BASE64", E),  # a JMeter placeholder where the file should be
        ("SIG-VERIFIES", W),
    },
    "edoc_new.edxml": {
        ("XML-JUNK-BEFORE-DECLARATION", W),  # 1212 before <?xml
        ("MSG-TO-ORGANID", E),  # 28.22.H17
        ("MSG-DOCUMENTID-CONSISTENT", E),  # issuer, date and number disagree with the header
        ("MSG-DOCUMENTID-GRAMMAR", E),  # Bussiness DocumentId dated 2014/02/30
        ("SIG-NAMESPACE", W),  # placeholder signature in the edXML namespace
        ("SIG-VERIFIES", W),
    },
    "edoc_revocation.edxml": {
        ("MSG-DOCUMENTID-CONSISTENT", E),
        ("BIZ-ORIGINAL-DOCUMENTID", W),  # the original named only in ResponseFor
        ("SIG-NAMESPACE", W),
        ("SIG-VERIFIES", W),
    },
    "edoc_update.edxml": {
        ("MSG-DOCUMENTID-CONSISTENT", E),
        ("MSG-DOCUMENTID-GRAMMAR", E),  # Bussiness DocumentId dated 2014/02/30
        ("SIG-NAMESPACE", W),
        ("SIG-VERIFIES", W),
    },
    "edoc_replacement.edxml": {
        ("MSG-DOCUMENTID-CONSISTENT", E),
        ("SIG-NAMESPACE", W),
        ("SIG-VERIFIES", W),
    },
    "status.edxml": {("ST-RESPONSEFOR-CONSISTENT", E)},
}


def _found(findings: list) -> set[tuple[str, Severity]]:
    return {(f.req_id, f.severity) for f in findings if f.severity is not Severity.INFO}


def test_every_real_sample_gives_exactly_its_known_quirks(realworld_dir) -> None:
    for sample in sorted(realworld_dir.glob("*.edxml")):
        parsed = check(sample.read_bytes(), TODAY)
        expected = REALWORLD_EXPECTED.get(sample.name, set())
        assert _found(parsed.findings) == expected, sample.name


def test_findings_name_a_path_and_a_readable_message(realworld_dir) -> None:
    parsed = check((realworld_dir / "edoc_new.edxml").read_bytes(), TODAY)
    by_id = {f.req_id: f for f in parsed.findings}
    to = by_id["MSG-TO-ORGANID"]
    assert to.path == "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[1]/OrganId"
    assert "28.22.H17" in to.message and "mã định danh" in to.message
    grammar = by_id["MSG-DOCUMENTID-GRAMMAR"]
    assert grammar.path.endswith("/TraceHeaderList/Bussiness/DocumentId")
    assert "2014/02/30" in grammar.message and "calendar" in grammar.message


@pytest.fixture
def good_status(realworld_dir) -> model.Status:
    status = status_of((realworld_dir / "status_acceptance_03.edxml").read_bytes())
    assert validate(status, TODAY) == []
    return status


def _ids(message: model.Message) -> set[str]:
    return {f.req_id for f in validate(message, TODAY) if f.severity is Severity.ERROR}


def test_status_rules(good_status: model.Status) -> None:
    refused = copy.deepcopy(good_status)
    refused.status_code, refused.description = "02", " "
    assert _ids(refused) == {"LC-DESCRIPTION-REQUIRED"}

    unused = copy.deepcopy(good_status)
    unused.status_code = "07"
    assert _ids(unused) == {"LC-STATUS-CODE-KNOWN"}

    late = copy.deepcopy(good_status)
    late.timestamp = "2015-09-20T11:08:36"
    assert _ids(late) == {"ST-TIMESTAMP"}

    to_system = copy.deepcopy(good_status)
    assert to_system.response_for is not None
    to_system.response_for.organ_id = "00.53.W00"
    assert "ST-RESPONSEFOR" in _ids(to_system)


def test_take_back_request_is_checked_against_its_sender(realworld_dir) -> None:
    request = status_of((realworld_dir / "status_cancellation_13.edxml").read_bytes())
    assert _ids(request) == set()
    assert request.response_for is not None
    request.response_for.document_id = "000.00.00.H41,2015/09/30,7816/VPCP-TTĐT"
    assert _ids(request) == {"ST-RESPONSEFOR-CONSISTENT"}


def test_promulgation_date_may_not_be_in_the_future(realworld_dir) -> None:
    edoc = edoc_of((realworld_dir / "edoc_revocation.edxml").read_bytes())
    assert "MSG-PROMULGATION-DATE" not in _ids(edoc)
    early = Options(today=date(2018, 9, 27))
    assert "MSG-PROMULGATION-DATE" in {f.req_id for f in validate(edoc, early)}


def test_recipients_must_be_distinct_agencies(realworld_dir) -> None:
    edoc = edoc_of((realworld_dir / "edoc_revocation.edxml").read_bytes())
    edoc.header.to[1].organ_id = edoc.header.to[0].organ_id
    edoc.header.to[2].organ_id = "00.53.W00"
    ids = _ids(edoc)
    assert {"MSG-TO-DISTINCT", "MSG-TO-ORGANID"} <= ids


def test_business_kinds_need_their_blocks(realworld_dir) -> None:
    update = edoc_of((realworld_dir / "edoc_update.edxml").read_bytes())
    assert update.bussiness is not None
    update.bussiness.document_info = None
    assert "BIZ-UPDATE-INFO" in _ids(update)
    replace = edoc_of((realworld_dir / "edoc_replacement.edxml").read_bytes())
    assert replace.bussiness is not None
    replace.bussiness.replacements = []
    assert "BIZ-REPLACEMENT-INFO" in _ids(replace)
    revoke = edoc_of((realworld_dir / "edoc_revocation.edxml").read_bytes())
    revoke.header.response_for = []
    assert "BIZ-ORIGINAL-DOCUMENTID" in _ids(revoke)


def test_zip_labelled_as_pdf_is_caught(realworld_dir) -> None:
    edoc = edoc_of((realworld_dir / "edoc_replacement.edxml").read_bytes())
    assert "ATT-CONTENT-TYPE" not in _ids(edoc)
    edoc.attachments[0].content_type = "application/pdf"
    assert "ATT-CONTENT-TYPE" in _ids(edoc)


def test_manifest_and_attachments_correspond(realworld_dir) -> None:
    edoc = edoc_of((realworld_dir / "edoc_replacement.edxml").read_bytes())
    edoc.attachments[0].content_id = "cid:other"
    findings = [f for f in validate(edoc, TODAY) if f.req_id == "ATT-MANIFEST-MATCH"]
    assert len(findings) == 2  # an attachment not in the manifest, a reference without file
