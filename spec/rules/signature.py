"""Rules on the XML-DSig block as kept in the model: where it lives and what it names.

Cryptographic verification needs the original bytes and lives in :mod:`spec.signature`; its
verdict, when the caller has one, decides SIG-VERIFIES. Without it (a model with no bytes) a
block with no X509Certificate is reported as a placeholder that cannot verify.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from spec.model import XMLDSIG_NS, Message
from spec.rules.checker import SIGNATURE, Checker

if TYPE_CHECKING:
    from spec.signature import SignatureCheck

ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    }
)


def check_signature_block(
    c: Checker, message: Message, verification: SignatureCheck | None = None
) -> None:
    if message.signature is None:
        if c.options.require_signature:
            c.error(
                "SIG-REQUIRED",
                SIGNATURE,
                "the profile requires a signed message and there is no Signature",
            )
        return
    sig = etree.fromstring(message.signature)
    if etree.QName(sig).namespace != XMLDSIG_NS:
        c.warning(
            "SIG-NAMESPACE", SIGNATURE, f"Signature is not in the XML-DSig namespace {XMLDSIG_NS!r}"
        )
    method = next(
        (
            el.get("Algorithm")
            for el in sig.iter()
            if isinstance(el.tag, str) and el.tag.endswith("SignatureMethod")
        ),
        None,
    )
    if method not in ALGORITHMS:
        c.warning(
            "SIG-ALGORITHM",
            f"{SIGNATURE}/SignedInfo/SignatureMethod",
            f"SignatureMethod {method!r} is neither RSA-SHA1 nor RSA-SHA256",
        )
    severity = c.error if c.options.require_signature else c.warning
    if verification is not None:
        if not verification.valid:
            severity("SIG-VERIFIES", SIGNATURE, f"Signature does not verify: {verification.reason}")
        return
    certs = [
        el
        for el in sig.iter()
        if isinstance(el.tag, str)
        and el.tag.endswith("X509Certificate")
        and (el.text or "").strip()
    ]
    if not certs:
        severity(
            "SIG-VERIFIES",
            f"{SIGNATURE}/KeyInfo",
            "Signature carries no X509Certificate: a placeholder that cannot verify",
        )
