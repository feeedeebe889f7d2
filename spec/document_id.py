"""The DocumentId, the cross-system business key: ``<issuer OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from spec.formats import format_date, parse_date

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


@dataclass(frozen=True, slots=True)
class DocumentKey:
    """The parts of a DocumentId: who issued the document, when, and its số/ký hiệu."""

    issuer: str
    promulgation_date: date
    code_number: str
    code_notation: str

    def __str__(self) -> str:
        return (
            f"{self.issuer},{format_date(self.promulgation_date)},"
            f"{self.code_number}/{self.code_notation}"
        )

    @property
    def code(self) -> str:
        """Số/ký hiệu in one, as ResponseFor/Code carries it."""
        return f"{self.code_number}/{self.code_notation}"


def is_uuid(text: str) -> bool:
    """True for the UUIDs some vendors put where a DocumentId belongs (SPEC §7)."""
    return bool(_UUID_RE.match(text.strip()))


def parse_document_id(text: str) -> DocumentKey:
    """Split a DocumentId into its parts; ValueError says which part is wrong."""
    parts = text.strip().split(",")
    if len(parts) != 3:
        raise ValueError(
            f"DocumentId {text!r} must have three comma-separated parts "
            "'<issuer OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>'"
        )
    issuer, day, code = (p.strip() for p in parts)
    if not issuer:
        raise ValueError(f"DocumentId {text!r} has no issuer OrganId")
    number, slash, notation = code.partition("/")
    if not slash or not number or not notation:
        raise ValueError(f"DocumentId {text!r}: code {code!r} is not '<số>/<ký hiệu>'")
    try:
        promulgated = parse_date(day)
    except ValueError as exc:
        raise ValueError(f"DocumentId {text!r}: {exc}") from None
    return DocumentKey(issuer, promulgated, number, notation)


def split_code(code: str) -> tuple[str, str]:
    """``"7816/VPCP-TTĐT"`` → ``("7816", "VPCP-TTĐT")``; ValueError when there is no '/'."""
    number, slash, notation = code.strip().partition("/")
    if not slash or not number or not notation:
        raise ValueError(f"code {code!r} is not '<số>/<ký hiệu>'")
    return number, notation
