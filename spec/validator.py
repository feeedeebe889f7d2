"""The validator: every rule of the harness profile applied to a parsed message.

``validate(message)`` works on the model; ``check(data)`` parses and validates bytes, and
verifies a signature over those bytes. Each finding names a requirement id of the catalogue
(spec/requirements/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spec import model
from spec.business_kinds import BusinessKind
from spec.clock import vietnam_now
from spec.reader import Parsed, parse
from spec.rules.attachments import check_attachments
from spec.rules.business import check_trace_list, doc_type
from spec.rules.checker import Checker, Options
from spec.rules.header import check_header
from spec.rules.signature import check_signature_block
from spec.rules.status import check_status
from spec.xmlsafe import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from spec.findings import Finding
    from spec.signature import SignatureCheck


def validate(
    message: model.Message,
    options: Options | None = None,
    *,
    verification: SignatureCheck | None = None,
) -> list[Finding]:
    """All findings of the harness profile on ``message`` (order: header, trace, body).

    ``verification`` is :func:`spec.signature.verify`'s verdict on the message's bytes; without
    it the signature can only be judged by its shape.
    """
    c = Checker(options or Options())
    if isinstance(message, model.Status):
        check_status(c, message)
    else:
        check_header(c, message.header, is_new=doc_type(message) is BusinessKind.NEW)
        check_trace_list(c, message)
        check_attachments(c, message)
    check_signature_block(c, message, verification)
    return c.findings


def check(
    data: bytes, options: Options | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Parsed:
    """Parse and validate ``data``: the parse findings followed by the validator's."""
    parsed = parse(data, max_bytes=max_bytes)
    verification = None
    if parsed.message.signature is not None:
        from spec.signature import verify  # signxml costs ~50 ms to import; most callers never sign

        judged = options or Options()
        verification = verify(
            data,
            trusted_ca=judged.trusted_ca,
            at=vietnam_now(judged.clock),
            max_bytes=max_bytes,
        )
    parsed.findings.extend(validate(parsed.message, options, verification=verification))
    return parsed
