"""The finding collector shared by the rule modules, with the field checks they all use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from spec.clock import SYSTEM_CLOCK, Clock, vietnam_today
from spec.document_id import DocumentKey, is_uuid, parse_document_id
from spec.findings import Finding, Severity
from spec.formats import parse_date, parse_timestamp
from spec.organ_ids import organ_id_problem, recipient_problem

if TYPE_CHECKING:
    from cryptography import x509

MH = "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader"
THL = "/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList"
BODY = "/edXML/edXMLEnvelope/edXMLBody/edXMLManifest"
ATTACHMENTS = "/edXML/AttachmentEncoded"
SIGNATURE = "/edXML/edXMLEnvelope/edXMLHeader/Signature"


@dataclass(frozen=True, slots=True)
class Options:
    """What the validator assumes: the ``clock`` whose Vietnam date is "today" for "not in the
    future" and whose time a signing certificate must be valid at (the real clock by default,
    never the machine's local date), or a fixed ``today`` that overrides the clock's date;
    whether the profile makes a valid document signature mandatory; and the CA (the harness's
    test CA) that signing certificates must chain to, if any."""

    today: date | None = None
    require_signature: bool = False
    trusted_ca: x509.Certificate | None = None
    clock: Clock = SYSTEM_CLOCK

    def judged_today(self) -> date:
        """The day dates are judged against: ``today`` when given, else the clock's Vietnam date."""
        return self.today or vietnam_today(self.clock)


@dataclass(slots=True)
class Checker:
    options: Options
    findings: list[Finding] = field(default_factory=list)

    def error(self, req_id: str, path: str, message: str) -> None:
        self.findings.append(Finding(req_id, Severity.ERROR, path, message))

    def warning(self, req_id: str, path: str, message: str) -> None:
        self.findings.append(Finding(req_id, Severity.WARNING, path, message))

    def info(self, req_id: str, path: str, message: str) -> None:
        self.findings.append(Finding(req_id, Severity.INFO, path, message))

    # -- field checks --------------------------------------------------------------------

    def required(self, req_id: str, path: str, value: str | None, what: str) -> bool:
        """Error unless ``value`` has non-blank text; True when it has."""
        if value is None:
            self.error(req_id, path, f"{what} is missing")
            return False
        if not value.strip():
            self.error(req_id, path, f"{what} is empty")
            return False
        return True

    def max_length(self, path: str, value: str | None, limit: int, what: str | None = None) -> None:
        """Error when ``value`` is longer than ``limit``; ``what`` defaults to the path's tail."""
        if value is not None and len(value) > limit:
            what = what or "/".join(path.rsplit("/", 2)[-2:])
            self.error(
                "MSG-FIELD-LENGTH",
                path,
                f"{what} has {len(value)} characters, over the limit of {limit}",
            )

    def organ_id(
        self, req_id: str, path: str, value: str | None, what: str, *, recipient: bool
    ) -> bool:
        if not self.required(req_id, path, value, what) or value is None:
            return False
        text = value.strip()
        problem = recipient_problem(text) if recipient else organ_id_problem(text)
        if problem:
            self.error(req_id, path, f"{what} {value!r}: {problem}")
            return False
        return True

    def date(
        self, req_id: str, path: str, value: str | None, what: str, *, not_future: bool = False
    ) -> date | None:
        if value is None or not value.strip():
            return None
        try:
            day = parse_date(value.strip())
        except ValueError as exc:
            self.error(req_id, path, f"{what}: {exc}")
            return None
        if not_future:
            today = self.options.judged_today()
            if day > today:
                self.error(
                    req_id, path, f"{what} {value!r} is in the future (today is {today:%Y/%m/%d})"
                )
        return day

    def timestamp(self, req_id: str, path: str, value: str | None, what: str) -> None:
        if value is None or not value.strip():
            return
        try:
            parse_timestamp(value.strip())
        except ValueError as exc:
            self.error(req_id, path, f"{what}: {exc}")

    def integer(
        self,
        req_id: str,
        path: str,
        value: str | None,
        what: str,
        allowed: range | None,
        *,
        severity: str = "error",
    ) -> None:
        if value is None or not value.strip():
            return
        text = value.strip()
        # isascii: str.isdigit accepts "²" (int() then raises) and other scripts' digits.
        ok = text.isascii() and text.isdigit() and (allowed is None or int(text) in allowed)
        if not ok:
            span = f" in {allowed.start}–{allowed.stop - 1}" if allowed is not None else " ≥ 0"
            message = f"{what} {value!r} must be a whole number{span}"
            (self.error if severity == "error" else self.warning)(req_id, path, message)

    def document_id(self, path: str, value: str | None, what: str) -> DocumentKey | None:
        """Check the DocumentId grammar; a UUID is a warning (seen in practice), anything else
        that does not parse is an error."""
        if value is None or not value.strip():
            return None
        if is_uuid(value):
            self.warning(
                "MSG-DOCUMENTID-GRAMMAR",
                path,
                f"{what} {value!r} is a UUID, not '<issuer OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>'",
            )
            return None
        try:
            key = parse_document_id(value)
        except ValueError as exc:
            self.error("MSG-DOCUMENTID-GRAMMAR", path, str(exc))
            return None
        problem = organ_id_problem(key.issuer)
        if problem:
            self.error("MSG-DOCUMENTID-GRAMMAR", path, f"{what} issuer {key.issuer!r}: {problem}")
        return key
