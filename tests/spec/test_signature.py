"""XML-DSig signing and verification of edXML messages, and SIG-VERIFIES in the validator."""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from spec import Options, Severity, check, validate
from spec.codec import parse, serialize
from spec.errors import NotEdXML
from spec.model import EDXML_NS, XMLDSIG_NS
from spec.signature import SignatureCheck, SignatureError, sign, verify
from spec.testca import Credentials, TestCA
from tests import strategies
from tests.messages import child
from tests.spec.certificates import ed25519_certificate

DS = "{" + XMLDSIG_NS + "}"
HEADER = f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
PLACEHOLDER = "not an XML-DSig signature (edXML namespace placeholder)"


# -- fixtures: one CA per session, agencies issued from it ------------------------------------


@pytest.fixture(scope="session")
def start() -> datetime:
    """The session's clock reading: certificates are valid around it."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def ca(start: datetime) -> TestCA:
    return TestCA.create(now=start - timedelta(days=3 * 365))


@pytest.fixture(scope="session")
def agency(ca: TestCA, start: datetime) -> Credentials:
    ca.issue("Văn thư UBND tỉnh Nghệ An", "000.00.00.H41", now=start - timedelta(days=1))
    return ca.issued["000.00.00.H41"]


@pytest.fixture(scope="session")
def stranger(start: datetime) -> Credentials:
    """An agency certificate from a CA the harness does not trust."""
    other = TestCA.create("some other CA", now=start - timedelta(days=1))
    return Credentials(*other.issue("Văn thư lạ", "000.00.00.H42", now=start - timedelta(days=1)))


def _unsigned(path: Path) -> bytes:
    message = parse(path.read_bytes()).message
    message.signature = None
    return serialize(message)


@pytest.fixture(scope="session")
def status_bytes(realworld_dir: Path) -> bytes:
    return _unsigned(realworld_dir / "status.edxml")


@pytest.fixture(scope="session")
def edoc_bytes(realworld_dir: Path) -> bytes:
    """A new document with an attachment (edoc_new.edxml), its placeholder signature removed."""
    return _unsigned(realworld_dir / "edoc_new.edxml")


@pytest.fixture(scope="session")
def signed_status(status_bytes: bytes, agency: Credentials) -> bytes:
    return sign(status_bytes, agency.key, agency.certificate)


@pytest.fixture(scope="session")
def signed_edoc(edoc_bytes: bytes, agency: Credentials) -> bytes:
    return sign(edoc_bytes, agency.key, agency.certificate)


# -- signing and verifying -------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["rsa-sha1", "rsa-sha256"])
def test_a_signed_message_verifies_with_its_certificate_and_the_trusted_ca(
    status_bytes: bytes, edoc_bytes: bytes, agency: Credentials, ca: TestCA, algorithm: str
) -> None:
    for data in (status_bytes, edoc_bytes):
        signed = sign(data, agency.key, agency.certificate, algorithm=algorithm)  # type: ignore[arg-type]
        result = verify(signed, trusted_ca=ca.certificate)
        assert result.present and result.valid, result.reason
        assert result.algorithm == algorithm
        assert result.subject is not None and "UID=000.00.00.H41" in result.subject
        assert "trusted CA" in result.reason


def test_the_signature_has_the_shape_spec_section_2_describes(
    signed_edoc: bytes, agency: Credentials
) -> None:
    root = etree.fromstring(signed_edoc)
    sig = child(root, HEADER)[-1]
    assert sig.tag == DS + "Signature"
    assert len(root.findall(f".//{DS}Signature")) == 1
    info = child(sig, DS + "SignedInfo")
    assert child(info, DS + "CanonicalizationMethod").get("Algorithm") == C14N
    (ref,) = info.findall(DS + "Reference")
    assert ref.get("URI") == ""
    transforms = [t.get("Algorithm") for t in ref.iterfind(f"{DS}Transforms/{DS}Transform")]
    assert transforms == [ENVELOPED, C14N]
    cert_text = child(sig, f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate").text or ""
    assert base64.b64decode(cert_text) == agency.certificate.public_bytes(Encoding.DER)
    # The rest of the message is what was signed: the codec reads the same message back.
    assert parse(signed_edoc).message.signature is not None


def _replace_text(data: bytes, element: str, change: Callable[[str], str]) -> bytes:
    pattern = re.compile(rb"(<edXML:%s>)([^<]*)(<)" % element.encode())
    match = pattern.search(data)
    assert match, element
    new = change(match.group(2).decode()).encode()
    assert new != match.group(2)
    return data[: match.start(2)] + new + data[match.end(2) :]


def _flip_char(text: str, at: int = 3) -> str:
    return text[:at] + ("B" if text[at] != "B" else "C") + text[at + 1 :]


@pytest.mark.parametrize(
    ("which", "element", "change"),
    [
        ("edoc", "Subject", _flip_char),
        ("edoc", "ContentTransferEncoded", lambda t: _flip_char(t, 40)),
        ("edoc", "OrganId", lambda t: t.replace("H", "G", 1)),
        ("status", "StatusCode", lambda t: "02"),
        ("status", "Timestamp", lambda t: t.replace("17:25", "17:26")),
    ],
)
def test_one_changed_character_breaks_the_digest(
    signed_edoc: bytes, signed_status: bytes, which: str, element: str, change
) -> None:
    signed = signed_edoc if which == "edoc" else signed_status
    assert verify(signed).valid
    result = verify(_replace_text(signed, element, change))
    assert result.present and not result.valid
    assert "digest mismatch" in result.reason


def test_a_changed_signature_value_does_not_verify(signed_status: bytes) -> None:
    root = etree.fromstring(signed_status)
    value = child(root, f".//{DS}SignatureValue")
    raw = bytearray(base64.b64decode(value.text or ""))
    raw[10] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode()
    result = verify(etree.tostring(root))
    assert not result.valid
    assert result.reason.startswith("SignatureValue does not verify with the key of")


def test_a_certificate_from_another_ca_is_refused_when_a_ca_is_trusted(
    status_bytes: bytes, stranger: Credentials, ca: TestCA
) -> None:
    signed = sign(status_bytes, stranger.key, stranger.certificate)
    assert verify(signed).valid  # cryptographically sound on its own
    result = verify(signed, trusted_ca=ca.certificate)
    assert not result.valid
    assert "was not issued by the trusted CA" in result.reason
    assert result.subject is not None and "H42" in result.subject


def test_an_expired_certificate_does_not_verify(
    status_bytes: bytes, ca: TestCA, start: datetime
) -> None:
    key, cert = ca.issue("Văn thư cũ", "000.00.00.H43", now=start - timedelta(days=400), days=365)
    signed = sign(status_bytes, key, cert)
    result = verify(signed, trusted_ca=ca.certificate)
    assert not result.valid and "expired" in result.reason
    # The same bytes verified at a time inside the validity period do verify.
    assert verify(signed, trusted_ca=ca.certificate, at=start - timedelta(days=200)).valid


def test_a_certificate_not_yet_valid_and_an_expired_ca_are_refused(
    status_bytes: bytes, ca: TestCA, agency: Credentials, start: datetime
) -> None:
    signed = sign(status_bytes, agency.key, agency.certificate)
    early = verify(signed, at=start - timedelta(days=2))
    assert not early.valid and "not valid before" in early.reason
    key, cert = ca.issue("Văn thư dài hạn", "000.00.00.H44", now=start, days=20 * 365)
    late = start + timedelta(days=15 * 365)
    signed = sign(status_bytes, key, cert)
    assert verify(signed, at=late).valid
    result = verify(signed, trusted_ca=ca.certificate, at=late)
    assert not result.valid and "trusted CA certificate" in result.reason


def test_every_real_sample_is_judged_without_an_exception(realworld_dir: Path) -> None:
    seen = 0
    for sample in sorted(realworld_dir.glob("*.edxml")):
        result = verify(sample.read_bytes())
        assert not result.valid, sample.name
        assert result.reason, sample.name
        has_block = parse(sample.read_bytes()).message.signature is not None
        assert result.present is has_block, sample.name
        seen += has_block
    assert seen == 5


def test_sdk_placeholders_are_named_as_such(realworld_dir: Path) -> None:
    result = verify((realworld_dir / "edoc_new.edxml").read_bytes())
    assert result == SignatureCheck(True, False, PLACEHOLDER, None, "rsa-sha1")
    # edoc.edxml has a real-looking XML-DSig block, but an undeclared prefix elsewhere.
    result = verify((realworld_dir / "edoc.edxml").read_bytes())
    assert result.present and "canonical form" in result.reason and "xlink" in result.reason
    assert result.subject is not None  # its certificate is a real one, readable


def _mutated(signed: bytes, mutate: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(signed)
    mutate(child(root, f".//{DS}Signature"))
    return etree.tostring(root)


def _set(path: str, attr: str | None, value: str) -> Callable[[etree._Element], None]:
    def mutate(sig: etree._Element) -> None:
        el = child(sig, path)
        if attr is None:
            el.text = value
        else:
            el.set(attr, value)

    return mutate


def _drop(path: str) -> Callable[[etree._Element], None]:
    def mutate(sig: etree._Element) -> None:
        el = child(sig, path)
        parent = el.getparent()
        assert parent is not None
        parent.remove(el)

    return mutate


def _second_reference(sig: etree._Element) -> None:
    info = child(sig, DS + "SignedInfo")
    info.append(etree.fromstring(etree.tostring(child(info, DS + "Reference"))))


def _foreign_namespace(sig: etree._Element) -> None:
    sig.tag = "{urn:example}Signature"


def _extra_signature(sig: etree._Element) -> None:
    root = sig.getroottree().getroot()
    root.append(etree.fromstring(etree.tostring(sig)))


SI = f"{DS}SignedInfo"
REF = f"{SI}/{DS}Reference"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (_drop(SI), "no SignedInfo"),
        (_drop(REF), "0 Reference"),
        (_second_reference, "2 Reference"),
        (_set(REF, "URI", "#MessageHeader"), "does not cover the whole message"),
        (_drop(f"{REF}/{DS}Transforms"), "enveloped-signature transform"),
        (_set(f"{SI}/{DS}SignatureMethod", "Algorithm", "urn:md5"), "neither RSA-SHA1"),
        (_set(f"{REF}/{DS}DigestValue", None, ""), "DigestValue is empty"),
        (
            _set(f"{REF}/{DS}DigestValue", None, "!!notbase64"),
            "does not follow the XML-DSig schema",
        ),
        (_set(f"{REF}/{DS}DigestMethod", "Algorithm", "urn:crc32"), "SignatureValue does not"),
        (_set(f"{DS}SignatureValue", None, "%%%"), "SignatureValue does not verify"),
        (_set(f"{DS}SignatureValue", None, "AAAA" * 100), "SignatureValue does not verify"),
        (_set(f"{DS}SignatureValue", None, " "), "SignatureValue is empty"),
        (_drop(f"{DS}KeyInfo"), "no X509Certificate"),
        (
            _set(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate", None, "MIIFqTCCBJG"),
            "not a readable certificate",
        ),
        (_foreign_namespace, "Signature in namespace 'urn:example'"),
        (_extra_signature, "2 XML-DSig Signature elements"),
    ],
)
def test_a_damaged_signature_block_gets_a_reason_not_an_exception(
    signed_status: bytes, mutate, reason: str
) -> None:
    result = verify(_mutated(signed_status, mutate))
    assert result.present and not result.valid
    assert reason in result.reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=40),
    text=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)
def test_any_text_in_any_signature_element_gives_a_verdict(
    signed_status: bytes, index: int, text: str
) -> None:
    root = etree.fromstring(signed_status)
    sig = child(root, f".//{DS}Signature")
    elements = list(sig.iter())
    el = elements[index % len(elements)]
    signed_part = [*child(sig, DS + "SignedInfo").iter(), child(sig, DS + "SignatureValue")]
    before = el.text
    el.text = text
    result = verify(etree.tostring(root))
    assert result.present and result.reason
    # KeyInfo is outside what XML-DSig signs (and its schema allows mixed content).
    if el in signed_part and (before or "").strip() != text.strip():
        assert not result.valid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=strategies.message)
def test_any_message_signs_verifies_and_survives_the_codec(message, agency: Credentials) -> None:
    message = dataclasses.replace(message, signature=None)
    signed = sign(serialize(message), agency.key, agency.certificate)
    assert verify(signed).valid
    # The codec keeps the signature block exact, so a stored and re-written message verifies.
    assert verify(serialize(parse(signed).message)).valid


def test_signing_replaces_an_existing_signature(
    realworld_dir: Path, signed_status: bytes, stranger: Credentials
) -> None:
    resigned = sign(signed_status, stranger.key, stranger.certificate)
    assert resigned.count(b"</ds:Signature>") == 1
    assert "H42" in (verify(resigned).subject or "")
    # An SDK sample, junk prefix and edXML-namespace placeholder included, can be signed.
    raw = (realworld_dir / "edoc_new.edxml").read_bytes()
    signed = sign(raw, stranger.key, stranger.certificate, algorithm="rsa-sha1")
    result = verify(signed)
    assert result.valid and result.algorithm == "rsa-sha1"
    assert len(etree.fromstring(signed).findall(f"{HEADER}/" + "{*}Signature")) == 1


def test_sign_refuses_what_it_cannot_do(
    status_bytes: bytes, agency: Credentials, stranger: Credentials
) -> None:
    with pytest.raises(SignatureError, match=r"algorithm='rsa-md5' must be one of"):
        sign(status_bytes, agency.key, agency.certificate, algorithm="rsa-md5")  # type: ignore[arg-type]
    with pytest.raises(SignatureError, match="key does not belong to cert"):
        sign(status_bytes, agency.key, stranger.certificate)
    with pytest.raises(SignatureError, match="key does not belong to cert"):
        sign(status_bytes, agency.key, ed25519_certificate(datetime.now(UTC)))
    with pytest.raises(NotEdXML):
        sign(b"<other/>", agency.key, agency.certificate)
    with pytest.raises(SignatureError, match="timezone-aware"):
        verify(status_bytes, at=datetime(2025, 1, 1))


def test_an_unsigned_message_is_not_present(status_bytes: bytes) -> None:
    result = verify(status_bytes)
    assert (result.present, result.valid, result.subject, result.algorithm) == (
        False,
        False,
        None,
        None,
    )


# -- the validator -----------------------------------------------------------------------------


def _sig_findings(findings: list) -> list[tuple[str, Severity]]:
    return [(f.req_id, f.severity) for f in findings if f.req_id.startswith("SIG-")]


def test_check_is_silent_on_a_valid_signature(signed_edoc: bytes, ca: TestCA) -> None:
    for options in (Options(), Options(require_signature=True, trusted_ca=ca.certificate)):
        assert _sig_findings(check(signed_edoc, options).findings) == []


def test_check_reports_a_broken_signature_at_both_severities(signed_status: bytes) -> None:
    tampered = _replace_text(signed_status, "StatusCode", lambda t: "06")
    warning = [f for f in check(tampered).findings if f.req_id == "SIG-VERIFIES"]
    assert [f.severity for f in warning] == [Severity.WARNING]
    assert "digest mismatch" in warning[0].message
    strict = check(tampered, Options(require_signature=True)).findings
    assert _sig_findings(strict) == [("SIG-VERIFIES", Severity.ERROR)]
    # Without the bytes, only the shape can be judged: the block names a certificate.
    assert _sig_findings(validate(parse(tampered).message)) == []


def test_check_applies_the_trusted_ca_option(
    status_bytes: bytes, stranger: Credentials, ca: TestCA
) -> None:
    signed = sign(status_bytes, stranger.key, stranger.certificate)
    assert _sig_findings(check(signed).findings) == []
    findings = check(signed, Options(require_signature=True, trusted_ca=ca.certificate)).findings
    (finding,) = [f for f in findings if f.req_id == "SIG-VERIFIES"]
    assert finding.severity is Severity.ERROR
    assert "not issued by the trusted CA" in finding.message


def test_check_reports_sdk_placeholders(realworld_dir: Path) -> None:
    findings = check((realworld_dir / "edoc_new.edxml").read_bytes()).findings
    (finding,) = [f for f in findings if f.req_id == "SIG-VERIFIES"]
    assert finding.severity is Severity.WARNING and PLACEHOLDER in finding.message
