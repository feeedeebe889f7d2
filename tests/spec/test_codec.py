"""The edXML codec: round trip, tolerance of real-world quirks, and refusal of hostile input."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

from spec import model
from spec.codec import UnwritableMessage, parse, serialize
from spec.errors import HostileXML, NotEdXML, NotXML, TooLarge
from tests import strategies
from tests.messages import status_of

EDXML = model.EDXML_NS


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.message)
def test_round_trip_holds_for_any_message(message: model.Message) -> None:
    data = serialize(message)
    parsed = parse(data)
    assert parsed.message == message
    assert parsed.findings == []
    assert serialize(parsed.message) == data


def test_a_status_needs_its_status_code_element() -> None:
    with pytest.raises(UnwritableMessage, match="StatusCode"):
        serialize(model.Status(status_code=None))


def test_serialize_uses_the_edxml_prefix_and_declaration() -> None:
    data = serialize(model.Status(status_code="01"))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">' in data
    assert b"<edXML:StatusCode>01</edXML:StatusCode>" in data


def test_empty_and_absent_fields_stay_distinct() -> None:
    status = model.Status(
        status_code="01", description="", timestamp=None, staff_info=model.StaffInfo()
    )
    back = status_of(serialize(status))
    assert back.description == "" and back.timestamp is None
    assert back.staff_info == model.StaffInfo()


def test_text_that_xml_cannot_carry_is_refused_clearly() -> None:
    with pytest.raises(UnwritableMessage, match="Subject"):
        serialize(model.Edoc(header=model.MessageHeader(subject="bad \x01 char")))


def test_every_real_sample_parses_and_round_trips(realworld_dir) -> None:
    samples = sorted(realworld_dir.glob("*.edxml"))
    assert len(samples) == 15
    for sample in samples:
        parsed = parse(sample.read_bytes())
        again = parse(serialize(parsed.message))
        assert again.message == parsed.message, sample.name
        assert again.findings == [], sample.name


def test_signature_block_is_kept_byte_for_byte(realworld_dir) -> None:
    parsed = parse((realworld_dir / "edoc_update.edxml").read_bytes())
    assert parsed.message.signature is not None
    assert parsed.message.signature.startswith(b'<Signature xmlns="' + EDXML.encode())
    assert parsed.message.signature in serialize(parsed.message)


def _doc(body: str, root_attrs: str = f'xmlns="{EDXML}"') -> bytes:
    return (
        f"<edXML {root_attrs}><edXMLEnvelope><edXMLHeader><MessageHeader>{body}"
        "</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
    ).encode()


def test_prefixes_do_not_matter() -> None:
    plain = parse(_doc("<StatusCode>03</StatusCode>"))
    prefixed = parse(
        f'<x:edXML xmlns:x="{EDXML}"><x:edXMLEnvelope><x:edXMLHeader><x:MessageHeader>'
        "<x:StatusCode>03</x:StatusCode></x:MessageHeader></x:edXMLHeader></x:edXMLEnvelope>"
        "</x:edXML>".encode()
    )
    assert plain.message == prefixed.message == model.Status(status_code="03")
    assert plain.findings == prefixed.findings == []


def test_foreign_namespace_is_read_by_name_and_reported() -> None:
    parsed = parse(_doc("<StatusCode>05</StatusCode>", root_attrs='xmlns="urn:other"'))
    assert parsed.message == model.Status(status_code="05")
    assert [f.req_id for f in parsed.findings] == ["XML-NAMESPACE"]


def test_junk_before_the_declaration_is_a_finding() -> None:
    parsed = parse(b"1212<?xml version='1.0'?>" + _doc("<StatusCode>01</StatusCode>"))
    assert parsed.junk_prefix == b"1212"
    assert [f.req_id for f in parsed.findings] == ["XML-JUNK-BEFORE-DECLARATION"]


def test_unknown_and_repeated_elements_are_findings() -> None:
    parsed = parse(_doc("<StatusCode>01</StatusCode><StatusCode>02</StatusCode><Extra/>"))
    assert isinstance(parsed.message, model.Status)
    assert parsed.message.status_code == "01"
    assert [f.req_id for f in parsed.findings] == ["XML-REPEATED-ELEMENT", "XML-UNKNOWN-ELEMENT"]


def test_undeclared_prefix_is_tolerated(realworld_dir) -> None:
    parsed = parse((realworld_dir / "edoc.edxml").read_bytes())
    assert isinstance(parsed.message, model.Edoc)
    assert len(parsed.message.attachments) == 1
    assert "XML-UNDECLARED-PREFIX" in {f.req_id for f in parsed.findings}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML>&lol3;</edXML>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><edXML>&xxe;</edXML>"""


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (BILLION_LAUGHS, HostileXML, "DTD or entity"),
        (EXTERNAL_ENTITY, HostileXML, "DTD or entity"),
        (b"<a>" * 1000 + b"</a>" * 1000, HostileXML, "deeper than"),
        (b"", NotXML, "empty"),
        (b"   \n", NotXML, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", NotXML, "no '<'"),
        (b"<edXML><unclosed></edXML>", NotXML, "not well-formed"),
        (b"<html><body/></html>", NotEdXML, "not 'edXML'"),
        (f'<edXML xmlns="{EDXML}"/>'.encode(), NotEdXML, "no edXMLEnvelope"),
    ],
    ids=["billion-laughs", "xxe", "deep", "empty", "blank", "binary", "broken", "html", "bare"],
)
def test_hostile_and_broken_input_is_refused(data: bytes, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        parse(data)


WIDE_ENCODINGS = [
    ("UTF-16", "utf-16-le", b"\xff\xfe"),
    ("UTF-16", "utf-16-be", b"\xfe\xff"),
    ("UTF-32", "utf-32-le", b"\xff\xfe\x00\x00"),
    ("UTF-32", "utf-32-be", b"\x00\x00\xfe\xff"),
    ("UTF-8", "utf-8", b"\xef\xbb\xbf"),
]


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
@pytest.mark.parametrize(
    ("declared", "codec", "mark"), WIDE_ENCODINGS, ids=[e[1] for e in WIDE_ENCODINGS]
)
@pytest.mark.parametrize("hostile", [EXTERNAL_ENTITY, BILLION_LAUGHS], ids=["xxe", "laughs"])
def test_a_dtd_is_refused_whatever_the_encoding(
    hostile: bytes, declared: str, codec: str, mark: bytes, bom: bool
) -> None:
    text = hostile.decode().replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{declared}"?>'
    )
    data = (mark if bom else b"") + text.encode(codec)
    assert b"<!DOCTYPE" not in data or codec == "utf-8"  # a byte search would miss most of them
    with pytest.raises(HostileXML, match="DTD or entity"):
        parse(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd"><edXML/>',
        b'<?xml version="1.0"?>\n<!DOCTYPE edXML PUBLIC "-//x//EN" "edxml.dtd"><edXML/>',
        b"junk<?xml version='1.0'?><!DOCTYPE edXML><edXML/>",
    ],
    ids=["system", "public", "after-junk"],
)
def test_an_external_or_empty_dtd_is_refused_too(data: bytes) -> None:
    with pytest.raises(HostileXML, match="DTD"):
        parse(data)


def test_attachments_over_libxml2s_text_limit_are_read() -> None:
    payload = "QUJD" * (3 * 1024 * 1024)  # 12 MB of base64, over libxml2's 10 MB text node limit
    edoc = model.Edoc(
        attachments=[model.Attachment(content_id="cid:1", content_transfer_encoded=payload)]
    )
    assert parse(serialize(edoc)).message == edoc


def test_deep_nesting_is_refused_in_large_documents_too() -> None:
    deep = b"<a>" * 300 + b"</a>" * 300
    data = _doc(f"<StatusCode>{'Q' * (11 * 1024 * 1024)}</StatusCode>").replace(
        b"</edXMLEnvelope>", deep + b"</edXMLEnvelope>"
    )
    with pytest.raises(HostileXML, match="deeper than"):
        parse(data)


def test_size_limit_is_configurable() -> None:
    data = _doc("<StatusCode>01</StatusCode>")
    assert parse(data, max_bytes=len(data)).message == model.Status(status_code="01")
    with pytest.raises(TooLarge, match="over the limit"):
        parse(data, max_bytes=len(data) - 1)


def test_the_model_covers_every_header_element_of_the_regulation() -> None:
    names = [f.name for f in dataclasses.fields(model.MessageHeader)]
    assert names == [
        "from_", "to", "code", "promulgation_info", "document_type", "subject", "content",
        "signer_info", "due_date", "to_places", "other_info", "response_for", "steering_type",
        "document_id",
    ]  # fmt: skip
