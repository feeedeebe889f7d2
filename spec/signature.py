"""The XML-DSig signature of an edXML message: signing, and verifying over the original bytes.

QCVN 102 puts an enveloped XML-DSig ``Signature`` at the end of ``edXMLHeader``: one Reference
with ``URI=""`` (the whole message) under the enveloped-signature transform and C14N, signed
with RSA-SHA1 or RSA-SHA256, the signer's certificate in ``KeyInfo/X509Data``. SDK samples put a
placeholder block of that shape in the edXML namespace; :func:`verify` reports those as not
verifying, with a reason, rather than failing. The cryptography is signxml's; this module
decides where the signature lives, which algorithms the profile accepts, and whether the
certificate chains to the harness's test CA (:mod:`spec.testca`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidSignature,
    SignXMLException,
)

from spec.clock import vietnam_now
from spec.errors import NotEdXML, SpecError
from spec.model import EDXML_NS, XMLDSIG_NS
from spec.xmlsafe import DEFAULT_MAX_BYTES, load

Algorithm = Literal["rsa-sha1", "rsa-sha256"]

_METHODS: dict[str, tuple[SignatureMethod, DigestAlgorithm]] = {
    "rsa-sha1": (SignatureMethod.RSA_SHA1, DigestAlgorithm.SHA1),
    "rsa-sha256": (SignatureMethod.RSA_SHA256, DigestAlgorithm.SHA256),
}
_NAMES = {method.value: name for name, (method, _) in _METHODS.items()}
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_DS = "{" + XMLDSIG_NS + "}"

_ACCEPTED = SignatureConfiguration(
    require_x509=True,
    expect_references=1,
    signature_methods=frozenset(method for method, _ in _METHODS.values()),
    digest_algorithms=frozenset(
        {
            DigestAlgorithm.SHA1,
            DigestAlgorithm.SHA256,
            DigestAlgorithm.SHA384,
            DigestAlgorithm.SHA512,
        }
    ),
)


class SignatureError(SpecError, ValueError):
    """A request that cannot be honoured: an unknown algorithm, a key that is not the
    certificate's, a naive verification time."""


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The verdict on a message's signature.

    ``present``: edXMLHeader has a Signature block (in any namespace). ``valid``: it is an
    XML-DSig signature that verifies over the message with its embedded certificate (and, when
    a trusted CA was given, that certificate chains to it). ``reason`` says why, in one
    sentence. ``subject`` is the certificate's subject (RFC 4514) when it could be read;
    ``algorithm`` is ``"rsa-sha1"``/``"rsa-sha256"``, another SignatureMethod URI as written,
    or ``None`` when there is none.
    """

    present: bool
    valid: bool
    reason: str
    subject: str | None = None
    algorithm: str | None = None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _header(root: etree._Element) -> etree._Element:
    """``edXMLHeader``, found by local names as the reader finds it."""
    if _local(root.tag) != "edXML":
        raise NotEdXML(f"root element is {_local(root.tag)!r}, not 'edXML'")
    envelope = _child(root, "edXMLEnvelope")
    header = _child(envelope, "edXMLHeader") if envelope is not None else None
    if header is None:
        raise NotEdXML("edXML root has no edXMLEnvelope/edXMLHeader")
    return header


# -- signing -------------------------------------------------------------------------------


class _Signer(XMLSigner):
    """signxml refuses SHA-1 by default; QCVN 102 deployments still use RSA-SHA1."""

    def check_deprecated_methods(self) -> None:
        pass


def _detach(parent: etree._Element, el: etree._Element) -> None:
    """Remove ``el`` from ``parent``, keeping the indentation of what follows it."""
    prev = el.getprevious()
    if el.getnext() is None and prev is not None:
        prev.tail = el.tail
    parent.remove(el)


def _place_placeholder(header: etree._Element) -> None:
    # The same layout as spec.writer gives a kept signature, so that
    # serialize(parse(signed).message) reproduces the signed bytes.
    node = etree.Element(_DS + "Signature", nsmap={"ds": XMLDSIG_NS}, Id="placeholder")
    if len(header):
        node.tail = header[-1].tail
        header[-1].tail = header.text
    header.append(node)


def sign(
    data: bytes,
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    *,
    algorithm: Algorithm = "rsa-sha256",
) -> bytes:
    """``data`` (an edXML message) with an enveloped XML-DSig signature as the last child of
    edXMLHeader, replacing any Signature already there.

    Raises :class:`SignatureError` for an unknown ``algorithm`` or a ``key`` that is not
    ``cert``'s, and an :class:`~spec.errors.InputRefused` subclass when ``data`` is not an
    edXML message.
    """
    if algorithm not in _METHODS:
        raise SignatureError(f"algorithm={algorithm!r} must be one of {sorted(_METHODS)}")
    if key.public_key() != cert.public_key():
        raise SignatureError(
            f"key does not belong to cert {cert.subject.rfc4514_string()!r}: "
            "pass the private key the certificate was issued for"
        )
    loaded = load(data)
    if loaded.namespace_errors:
        raise SignatureError(
            f"data has no canonical form to sign: {loaded.namespace_errors[0].strip()}"
        )
    header = _header(loaded.root)
    for old in [c for c in header if _local(c.tag) == "Signature"]:
        _detach(header, old)
    _place_placeholder(header)
    method, digest = _METHODS[algorithm]
    signer = _Signer(
        signature_algorithm=method,
        digest_algorithm=digest,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    signed = signer.sign(loaded.root, key=key, cert=[cert])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


# -- verifying -----------------------------------------------------------------------------


class _Refused(Exception):
    """A structural reason the signature cannot verify (internal to :func:`verify`)."""


def _text(el: etree._Element | None) -> str:
    return "".join((el.text or "").split()) if el is not None else ""


def _algorithm(sig: etree._Element) -> str | None:
    method = next((el for el in sig.iter() if _local(el.tag) == "SignatureMethod"), None)
    if method is None:
        return None
    uri = method.get("Algorithm")
    return _NAMES.get(uri, uri) if uri is not None else None


def _namespace_problem(sig: etree._Element) -> str | None:
    ns = etree.QName(sig).namespace
    if ns == XMLDSIG_NS:
        return None
    if ns == EDXML_NS:
        return "not an XML-DSig signature (edXML namespace placeholder)"
    where = f"namespace {ns!r}" if ns else "no namespace"
    return f"not an XML-DSig signature (Signature in {where}, not {XMLDSIG_NS!r})"


def _check_shape(root: etree._Element, sig: etree._Element) -> None:
    """The profile's shape: one enveloped Reference over the whole message, the only
    XML-DSig Signature in it."""
    count = sum(1 for _ in root.iter(_DS + "Signature"))
    if count != 1:
        raise _Refused(f"the message holds {count} XML-DSig Signature elements; one expected")
    signed_info = sig.find(_DS + "SignedInfo")
    if signed_info is None:
        raise _Refused("Signature has no SignedInfo")
    method = signed_info.find(_DS + "SignatureMethod")
    uri = method.get("Algorithm") if method is not None else None
    if uri not in _NAMES:
        raise _Refused(f"SignatureMethod {uri!r} is neither RSA-SHA1 nor RSA-SHA256")
    refs = signed_info.findall(_DS + "Reference")
    if len(refs) != 1:
        raise _Refused(f"SignedInfo has {len(refs)} Reference elements; one expected")
    if refs[0].get("URI") != "":
        raise _Refused(
            f"Reference URI {refs[0].get('URI')!r} does not cover the whole message "
            '(URI="" expected)'
        )
    transforms = refs[0].findall(f"{_DS}Transforms/{_DS}Transform")
    if not any(t.get("Algorithm") == _ENVELOPED for t in transforms):
        raise _Refused("the Reference lacks the enveloped-signature transform")
    if not _text(refs[0].find(_DS + "DigestValue")):
        raise _Refused("DigestValue is empty")
    if not _text(sig.find(_DS + "SignatureValue")):
        raise _Refused("SignatureValue is empty")


def _certificate(sig: etree._Element) -> x509.Certificate:
    """The signer's certificate: the first end-entity X509Certificate of KeyInfo/X509Data."""
    texts = [
        _text(el)
        for el in sig.iterfind(f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
        if _text(el)
    ]
    if not texts:
        raise _Refused("Signature carries no X509Certificate")
    certs = []
    for text in texts:
        pem = f"-----BEGIN CERTIFICATE-----\n{text}\n-----END CERTIFICATE-----\n"
        try:
            certs.append(x509.load_pem_x509_certificate(pem.encode("ascii")))
        except (ValueError, UnicodeEncodeError) as exc:
            raise _Refused(f"X509Certificate is not a readable certificate: {exc}") from None
    return next((c for c in certs if not _is_ca(c)), certs[0])


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):  # absent, or malformed extensions
        return False


def _subject(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string()
    except ValueError:
        return "<unreadable subject>"


def _within_validity(cert: x509.Certificate, at: datetime, what: str) -> None:
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if at < start:
        raise _Refused(f"{what} {_subject(cert)!r} is not valid before {start:%Y-%m-%d %H:%M} UTC")
    if at > end:
        raise _Refused(f"{what} {_subject(cert)!r} expired at {end:%Y-%m-%d %H:%M} UTC")


def _check_chain(cert: x509.Certificate, ca: x509.Certificate, at: datetime) -> None:
    if not _is_ca(ca):
        raise _Refused(f"trusted_ca {_subject(ca)!r} is not a CA certificate")
    _within_validity(ca, at, "trusted CA certificate")
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, CryptoInvalidSignature):
        raise _Refused(
            f"certificate {_subject(cert)!r} was not issued by the trusted CA {_subject(ca)!r}"
        ) from None


def _verify_xmldsig(root: etree._Element, cert: x509.Certificate, at: datetime) -> None:
    try:
        XMLVerifier().verify(
            root, x509_cert=cert, expect_config=replace(_ACCEPTED, verification_time=at)
        )
    except InvalidDigest:
        raise _Refused("digest mismatch: the message was changed after it was signed") from None
    except InvalidCertificate as exc:
        raise _Refused(f"certificate not usable: {exc}") from None
    except InvalidSignature:
        raise _Refused(
            f"SignatureValue does not verify with the key of {_subject(cert)!r}"
        ) from None
    except etree.DocumentInvalid as exc:
        raise _Refused(f"Signature does not follow the XML-DSig schema: {exc}") from None
    except (SignXMLException, etree.LxmlError, ValueError) as exc:
        raise _Refused(f"malformed signature: {exc}") from None


def verify(
    data: bytes,
    *,
    trusted_ca: x509.Certificate | None = None,
    at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SignatureCheck:
    """Verify the signature in edXMLHeader over the original ``data``.

    Uses the certificate embedded in the signature, which must be valid at ``at`` (now by
    default); with ``trusted_ca`` the certificate must also be issued by that CA, itself valid
    at ``at``. Every defect of the signature is a ``valid=False`` verdict with a reason; an
    :class:`~spec.errors.InputRefused` subclass is raised only for input that is not an edXML
    message at all (not XML, hostile, too large).
    """
    when = at or vietnam_now()
    if when.tzinfo is None:
        raise SignatureError(f"at={at!r} must be timezone-aware")
    loaded = load(data, max_bytes=max_bytes)
    sig = _child(_header(loaded.root), "Signature")
    if sig is None:
        return SignatureCheck(False, False, "edXMLHeader has no Signature")
    algorithm = _algorithm(sig)
    subject = None
    try:
        problem = _namespace_problem(sig)
        if problem:
            raise _Refused(problem)
        _check_shape(loaded.root, sig)
        cert = _certificate(sig)
        subject = _subject(cert)
        if loaded.namespace_errors:
            raise _Refused(
                "the message has no canonical form to verify: " + loaded.namespace_errors[0].strip()
            )
        _within_validity(cert, when, "certificate")
        _verify_xmldsig(loaded.root, cert, when)
        reason = f"verifies: signed by {subject!r} with {algorithm}"
        if trusted_ca is not None:
            _check_chain(cert, trusted_ca, when)
            reason += f", certificate issued by the trusted CA {_subject(trusted_ca)!r}"
    except _Refused as refused:
        return SignatureCheck(True, False, str(refused), subject, algorithm)
    return SignatureCheck(True, True, reason, subject, algorithm)
