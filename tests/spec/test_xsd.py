"""The edXML schema agrees with the validator: what the validator passes, the schema accepts."""

from __future__ import annotations

import base64
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from fixtures.agencies import lower_tiers, national_agencies
from fixtures.factory import DocumentFactory
from spec import HostileXML, NotXML, Options, check, errors, model, parse, serialize, validate
from spec.xsd import schema, xsd_errors

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "corpus"
TODAY = date(2025, 7, 15)
AT = datetime(2025, 7, 15, 10, 0, 0)
POOL = [*national_agencies("2024")[::7], *lower_tiers("2025", scale=0.01, seed=1)[::5]]

# White space as Python's str.strip sees it (the validator strips values), plus U+180E, which
# Unicode no longer counts as white space (so it is content to the validator).
SPACE = " \t\n\r\x85\xa0\u2003\u2028\u3000\u180e"
pad = st.text(st.sampled_from(SPACE), max_size=2)
any_char = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
text = st.text(any_char | st.sampled_from(SPACE + "/,.-ăđươ"), max_size=30)


def padded(core: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(pad, core, pad).map("".join)


def sized(limit: int) -> st.SearchStrategy[str]:
    """Text around a length limit (over it now and then)."""
    return st.integers(0, limit + 3).flatmap(
        lambda n: st.text(any_char | st.sampled_from(SPACE), min_size=n, max_size=n)
    )


digits = st.from_regex(r"[0-9]{1,3}", fullmatch=True)
small = padded(
    st.sampled_from(["0", "1", "2", "3", "4", "5", "", "x", "-1", "01", "004", "²", "٢"])
)
dates = padded(
    st.sampled_from(["2024/12/31", "2024/02/29", "2023/02/29", "2024/13/01", "31/12/2024"])
    | st.dates(date(1990, 1, 1), TODAY).map(lambda d: d.strftime("%Y/%m/%d"))
)
timestamps = padded(
    st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1)).map(
        lambda t: t.strftime("%Y/%m/%d %H:%M:%S")
    )
    | st.sampled_from(["2024/06/01 24:00:00", "2024-06-01 10:00:00", "2024/06/01 9:00:00"])
)
organ_ids = padded(
    st.sampled_from([a.organ_id for a in POOL] + [a.qd20_id for a in POOL])
    | st.sampled_from(["00.44.W00", "000.00.00.W00", "28.22.H17", "vxp.saas.03", "H44.00", "G22"])
    | st.from_regex(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,3}){0,3}", fullmatch=True)
)
code_numbers = padded(digits | sized(12))
code_notations = padded(st.sampled_from(["UBND-VP", "QĐ-UBND", "BTC-KHTC", "VPCP-TTĐT"]) | text)

# (model attribute path, values) pairs for a document; an example applies a few of them.
EDOC_FIELDS: list[tuple[str, st.SearchStrategy[Any]]] = [
    ("header.subject", sized(500) | padded(text)),
    ("header.content", st.none() | sized(500)),
    ("header.code.code_number", code_numbers),
    ("header.code.code_notation", code_notations),
    ("header.promulgation_info.place", sized(50)),
    ("header.promulgation_info.promulgation_date", dates),
    ("header.document_type.type", text),
    ("header.document_type.type_name", sized(100)),
    ("header.due_date", st.none() | dates),
    ("header.to_places", st.none() | st.lists(sized(150), max_size=3)),
    ("header.other_info.priority", small),
    ("header.other_info.page_amount", small),
    ("header.other_info.direction", padded(st.sampled_from(["true", "FALSE", "0", "có", ""]))),
    ("header.other_info.typer_notation", sized(10)),
    ("header.other_info.sphere_of_promulgation", sized(100)),
    ("header.steering_type", st.none() | small),
    ("header.from_.organ_id", organ_ids),
    ("header.from_.organ_name", sized(200)),
    ("header.from_.email", sized(100)),
    ("header.from_.telephone", sized(20)),
    ("header.to[0].organ_id", organ_ids),
    ("header.to[0].fax", sized(20)),
    ("header.to[0].organ_add", sized(500)),
    ("trace_headers[0].organ_id", st.none() | organ_ids | pad),
    ("trace_headers[0].timestamp", timestamps),
    ("bussiness.bussiness_doc_type", st.none() | small),
    ("bussiness.paper", st.none() | small),
    ("bussiness.bussiness_doc_reason", st.none() | text),
    ("bussiness.staff_info", st.none() | st.builds(model.StaffInfo, text, text, text, text)),
    ("manifest[0].attachment_name", sized(500)),
    ("attachments[0].attachment_name", sized(500)),
    ("attachments[0].content_type", padded(st.sampled_from(["application/pdf", "", "x"]))),
    ("attachments[0].description", st.none() | text),
]
STATUS_FIELDS: list[tuple[str, st.SearchStrategy[Any]]] = [
    ("status_code", padded(st.sampled_from(["01", "1", "02", "6", "13", "15", "16", "07", "OK"]))),
    ("description", st.none() | sized(30)),
    ("timestamp", timestamps),
    ("from_.organ_id", organ_ids),
    ("from_.organ_name", sized(200)),
    ("response_for.organ_id", organ_ids),
    ("response_for.promulgation_date", dates),
    ("staff_info", st.none() | st.builds(model.StaffInfo, text, text, text, text)),
]


def put(message: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = message
    for step in parents:
        name, _, index = step.partition("[")
        target = getattr(target, name)
        if index:
            target = target[int(index.rstrip("]"))]
    name, _, index = last.partition("[")
    if index:
        getattr(target, name)[int(index.rstrip("]"))] = value
    else:
        setattr(target, name, value)


def edits(fields: list[tuple[str, st.SearchStrategy[Any]]]) -> st.SearchStrategy:
    return st.lists(
        st.sampled_from(range(len(fields))).flatmap(
            lambda i: st.tuples(st.just(fields[i][0]), fields[i][1])
        ),
        max_size=3,
    )


def rekey(doc: model.Edoc, pads: tuple[str, str, str]) -> None:
    """Rewrite the DocumentId from the header's (possibly padded) parts, as a sender would."""
    header = doc.header
    assert header.from_ and header.promulgation_info and header.code
    parts = (
        (header.from_.organ_id or "").strip(),
        (header.promulgation_info.promulgation_date or "").strip(),
        f"{(header.code.code_number or '').strip()}/{(header.code.code_notation or '').strip()}",
    )
    header.document_id = ",".join(p + parts[i] + p for i, p in enumerate(pads))


def assert_schema_agrees(message: model.Message) -> None:
    if errors(validate(message, Options(today=TODAY))):
        return
    data = serialize(message)
    assert xsd_errors(data) == [], data.decode()


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    kind=st.sampled_from(["new", "revoke", "update", "replace"]),
    recipients=st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique=True),
    changes=edits(EDOC_FIELDS),
    pads=st.tuples(pad, pad, pad),
    wrap=st.booleans(),
)
def test_documents_the_validator_passes_are_schema_valid(
    seed, kind, recipients, changes, pads, wrap
):
    factory = DocumentFactory(seed, TODAY)
    sender = POOL[seed % len(POOL)]
    original = factory.edoc(sender, recipients) if kind != "new" else None
    doc = factory.edoc(sender, recipients, kind=kind, original=original, attachments=2)
    for path, value in changes:
        put(doc, path, value)
    rekey(doc, pads)
    if wrap:  # base64 with line breaks, as MIME encoders write it
        raw = base64.b64decode(doc.attachments[1].content_transfer_encoded)
        doc.attachments[1].content_transfer_encoded = base64.encodebytes(raw).decode()
    assert_schema_agrees(doc)


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    code=st.sampled_from(["01", "02", "03", "04", "05", "06", "13", "15", "16"]),
    changes=edits(STATUS_FIELDS),
)
def test_statuses_the_validator_passes_are_schema_valid(seed, code, changes):
    factory = DocumentFactory(seed, TODAY)
    sender, receiver = POOL[seed % len(POOL)], POOL[(seed // 7 + 1) % len(POOL)]
    doc = factory.edoc(sender, [receiver], attachments=0)
    status = (
        factory.take_back(doc, receiver, AT)
        if code == "13"
        else factory.status(doc, receiver, code, AT)
    )
    for path, value in changes:
        put(status, path, value)
    assert_schema_agrees(status)


@pytest.mark.parametrize("path", sorted((CORPUS / "valid").glob("*.edxml")), ids=lambda p: p.name)
def test_valid_corpus_is_schema_valid(path):
    assert xsd_errors(path.read_bytes()) == []


def test_real_world_statuses_parse_serialize_and_are_schema_valid(realworld_dir):
    statuses = sorted(realworld_dir.glob("status*.edxml"))
    assert len(statuses) == 10
    for path in statuses:
        raw = path.read_bytes()
        message = parse(raw).message
        data = serialize(message)
        assert parse(data).message == message
        assert xsd_errors(data) == [], path.name
        # The SDK's own element order is accepted too.
        assert xsd_errors(raw) == [], path.name


def test_real_world_documents_in_sdk_order_are_accepted_where_the_validator_agrees(
    realworld_dir,
):
    # edoc_update puts DocumentId before Code and SteeringType before ToPlaces; its only
    # errors are DocumentId values, which the schema checks by shape alone.
    raw = (realworld_dir / "edoc_update.edxml").read_bytes()
    assert {f.req_id for f in errors(check(raw).findings)} <= {
        "MSG-DOCUMENTID-CONSISTENT",
        "MSG-DOCUMENTID-GRAMMAR",
    }
    assert [e for e in xsd_errors(raw) if "DocumentId" not in e] == []


# Invalid corpus files whose defect the schema can express; it must reject each one.
SCHEMA_REJECTS = [
    "msg-subject-blank",
    "msg-subject-too-long",
    "msg-to-missing",
    "msg-to-connection-system",
    "msg-codenumber-too-long",
    "msg-code-missing",
    "msg-typename-missing",
    "msg-priority-out-of-range",
    "msg-steering-type-out-of-range",
    "msg-due-date-format",
    "msg-documentid-missing",
    "msg-documentid-grammar",
    "msg-trace-timestamp-format",
    "biz-doctype-invalid",
    "biz-paper-invalid",
    "att-base64-invalid",
    "att-name-missing",
    "st-timestamp-format",
    "st-from-missing",
    "lc-status-code-unused",
    "lc-status-code-garbage",
]


@pytest.mark.parametrize("name", SCHEMA_REJECTS)
def test_schema_rejects_what_it_can_express(name):
    problems = xsd_errors((CORPUS / "invalid" / f"{name}.edxml").read_bytes())
    assert problems and all(p.startswith("line ") for p in problems)


def test_tolerated_quirks_are_schema_errors():
    data = (CORPUS / "valid" / "status-01.edxml").read_bytes()
    assert xsd_errors(b"1212" + data) == ["4 byte(s) before the XML declaration"]
    undeclared = data.replace(b"<edXML:Description>", b'<edXML:Description x:y="1">', 1)
    assert xsd_errors(undeclared)[0].startswith("not namespace-well-formed")


def test_hostile_input_is_refused_not_validated():
    with pytest.raises(HostileXML):
        xsd_errors((CORPUS / "invalid" / "hostile-external-entity.edxml").read_bytes())
    with pytest.raises(NotXML):
        xsd_errors(b"")


def test_schema_is_loaded_once_and_declares_only_the_root_globally():
    assert schema() is schema()
    xsd = etree.parse(str(ROOT / "spec" / "schemas" / "edxml.xsd")).getroot()
    top = xsd.findall("{http://www.w3.org/2001/XMLSchema}element")
    assert [el.get("name") for el in top] == ["edXML"]
    assert xsd.get("targetNamespace") == model.EDXML_NS
    assert xsd.get("elementFormDefault") == "qualified"
