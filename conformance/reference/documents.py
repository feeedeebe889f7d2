"""How the reference SUT writes its messages: the documents it issues (new, revoke, update,
replace) and the status messages it sends, as :mod:`spec.model` values ready for
:func:`spec.serialize`.

The agency names come from the fixture registry when it knows the organ id (a real client
keeps the axis's agency list; the fixture registry is the same data).
"""

from __future__ import annotations

import base64
import io
import mimetypes
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from conformance.contract import Attachment, DocumentRequest
from conformance.reference.behaviour import Behaviour
from fixtures.agencies import lookup
from spec import model
from spec.business_kinds import BusinessKind
from spec.filetypes import identify, label_problem
from spec.formats import format_date
from spec.limits import fit
from spec.organ_ids import parse_organ_id
from spec.status_codes import StatusCode

_LOCALITY_WORDS = frozenset({"tỉnh", "thành", "huyện", "quận", "xã", "phường", "thị"})
_SMALL_WORDS = frozenset({"và", "-", "các", "của"})

__all__ = [
    "DocumentRef",
    "Identity",
    "Issue",
    "build_edoc",
    "build_status",
    "document_id_text",
    "identity",
    "organization",
    "sniff_content_type",
]


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """The document a status reports on, as ResponseFor names it."""

    issuer: str
    code: str  # số/ký hiệu
    promulgation_date: str
    document_id: str


@dataclass(frozen=True, slots=True)
class Identity:
    """The agency the SUT serves, as its messages name it, and its clerk."""

    organization: model.Organization
    acronym: str
    staff: model.StaffInfo

    @property
    def organ_id(self) -> str:
        return self.organization.organ_id or ""


def organization(organ_id: str) -> model.Organization:
    """An agency's From/To block: its organ id and, when the registry knows it, its name."""
    agency = lookup(organ_id)
    if agency is None:
        return model.Organization(organ_id=organ_id)
    parent = lookup(agency.parent) if agency.parent else None
    return model.Organization(
        organ_id=organ_id,
        organization_in_charge=fit("OrganizationInCharge", (parent or agency).name),
        organ_name=fit("OrganName", agency.name),
    )


def _acronym(name: str) -> str:
    """``Sở Tư pháp tỉnh Nghệ An`` → ``STP``: the initials up to the locality."""
    letters = []
    for word in name.replace(",", " ").split():
        if word.lower() in _LOCALITY_WORDS:
            break
        if word.lower() in _SMALL_WORDS or not word[0].isalpha():
            continue
        letters.append(word[0].upper())
    return "".join(letters)[:10] or "CQ"


def identity(organ_id: str) -> Identity:
    org = organization(organ_id)
    acronym = _acronym(org.organ_name or "")
    staff = model.StaffInfo(
        department="Văn thư",
        staff="Cán bộ văn thư",
        mobile="0912000000",
        email=fit("Email", f"vanthu.{acronym.lower()}@example.gov.vn"),
    )
    return Identity(org, acronym, staff)


def sniff_content_type(data: bytes, name: str) -> str:
    """The ContentType for a file, by its bytes (spec.filetypes: a PDF is application/pdf
    whatever its name, a DOCX its OOXML type, any other ZIP application/zip); for bytes of no
    known type, text/plain when they read as UTF-8 text, else the type its name suggests
    unless that names a type the bytes are not, else application/octet-stream."""
    known = identify(data)
    if known is not None:
        return known.media_type
    if _is_text(data):
        return "text/plain"
    guessed, _ = mimetypes.guess_type(name, strict=False)
    if guessed and label_problem(data, guessed) is None:
        return guessed
    return "application/octet-stream"


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and all(ch.isprintable() or ch in "\r\n\t" for ch in text)


def _zipped(attachment: Attachment) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(attachment.name.rsplit("/", 1)[-1] or "file", (2024, 1, 1, 0, 0, 0))
        archive.writestr(info, attachment.content)
    return buffer.getvalue()


def _attachments(
    files: Sequence[Attachment], behaviour: Behaviour
) -> tuple[list[model.Reference] | None, list[model.Attachment]]:
    refs: list[model.Reference] = []
    atts: list[model.Attachment] = []
    for i, f in enumerate(files, 1):
        content = f.content
        content_type = sniff_content_type(content, f.name)
        if behaviour.label_by_name:
            guessed, _ = mimetypes.guess_type(f.name, strict=False)
            content_type = guessed or "application/octet-stream"
        if behaviour.zip_labelled_pdf:
            content = _zipped(f)
            content_type = "application/pdf"
        cid = f"cid:{i}"
        description = f.description or f.name
        refs.append(model.Reference(cid, content_type, description, f.name))
        atts.append(
            model.Attachment(
                content_id=cid,
                attachment_name=f.name,
                description=description,
                content_type=content_type,
                content_transfer_encoded=base64.b64encode(content).decode("ascii"),
            )
        )
    if behaviour.manifest_without_attachment:
        extra = len(refs) + 1
        refs.append(
            model.Reference(f"cid:{extra}", "application/pdf", "Phụ lục", f"phuluc{extra}.pdf")
        )
    return (refs or None), atts


def document_id_text(
    issuer: str, day: date, number: str, notation: str, behaviour: Behaviour
) -> str:
    """The DocumentId ``issuer,yyyy/MM/dd,số/ký hiệu`` (in the wrong order for the
    bad-document-id-grammar defect)."""
    if behaviour.bad_document_id_grammar:
        return f"{number}/{notation},{format_date(day)},{issuer}"
    return f"{issuer},{format_date(day)},{number}/{notation}"


@dataclass(frozen=True, slots=True)
class Issue:
    """What a document is issued as: its số/ký hiệu, date and DocumentId."""

    number: str
    notation: str
    promulgation_date: str
    document_id: str

    @property
    def code(self) -> str:
        return f"{self.number}/{self.notation}"


def build_edoc(
    me: Identity,
    request: DocumentRequest,
    issue: Issue,
    *,
    timestamp: str,
    behaviour: Behaviour,
    system_id: str,
    replaced_recipients: Sequence[str] = (),
) -> model.Edoc:
    """The document for ``request``, issued as ``issue`` (for a revoke or update, the
    original's issue), sent at ``timestamp``."""
    business = request.business
    kind = BusinessKind.from_word(business.kind) if business else BusinessKind.NEW
    to = [organization(code) for code in request.to]
    if behaviour.drop_recipient and len(to) > 1:
        to = to[:-1]
    if behaviour.add_recipient:
        to.append(me.organization)
    if behaviour.send_to_w00:
        w00 = system_id if _is_w00(system_id) else "000.00.00.W00"
        to.append(model.Organization(organ_id=w00))
    manifest, attachments = _attachments(request.attachments, behaviour)
    header = model.MessageHeader(
        from_=me.organization,
        to=to,
        code=model.Code(issue.number, issue.notation),
        promulgation_info=model.PromulgationInfo(
            place=fit("Place", me.organization.organ_name or "") or None,
            promulgation_date=issue.promulgation_date,
        ),
        document_type=model.DocumentType(
            type="1", type_detail="0", type_name=request.type_name or "Công văn"
        ),
        subject=request.subject,
        content=request.content,
        signer_info=model.SignerInfo(
            competence="KT. THỦ TRƯỞNG", position="Phó Thủ trưởng", full_name="Nguyễn Văn An"
        ),
        due_date=format_date(request.due_date) if request.due_date else None,
        steering_type=str(request.steering_type) if request.steering_type is not None else None,
        document_id=issue.document_id,
    )
    bussiness = model.Bussiness(
        bussiness_doc_type=kind.value,
        bussiness_doc_reason=business.reason if business else None,
        paper="0",
        staff_info=me.staff,
    )
    if business is not None and kind in (BusinessKind.REVOKE, BusinessKind.UPDATE):
        bussiness.document_id = business.original_document_id
    if business is not None and kind is BusinessKind.UPDATE:
        receivers = [model.Receiver(code, "1") for code in business.receivers_added]
        receivers += [model.Receiver(code, "0") for code in business.receivers_removed]
        bussiness.document_info = model.BussinessDocumentInfo(
            document_info="1" if business.document_info_changed else "0",
            document_receiver="1" if receivers else "0",
            receivers=receivers or None,
        )
    if business is not None and kind is BusinessKind.REPLACE:
        bussiness.replacements = [
            model.ReplacementInfo(business.original_document_id, list(replaced_recipients))
        ]
    return model.Edoc(
        header=header,
        trace_headers=[model.TraceHeader(me.organ_id, timestamp)],
        bussiness=bussiness,
        manifest=manifest,
        attachments=attachments,
    )


def _is_w00(code: str) -> bool:
    try:
        return parse_organ_id(code).is_connection_system
    except ValueError:
        return False


def build_status(
    me: Identity,
    about: DocumentRef,
    code: StatusCode,
    *,
    to: str,
    timestamp: str,
    description: str | None,
    staff: model.StaffInfo | None,
    document_id: str | None = None,
) -> model.Status:
    """A status ``code`` about ``about``, routed to ``to`` (ResponseFor/OrganId).
    ``document_id`` overrides ResponseFor/DocumentId (the wrong-response-for-document-id
    defect)."""
    return model.Status(
        from_=me.organization,
        response_for=model.ResponseFor(
            organ_id=to,
            code=about.code,
            promulgation_date=about.promulgation_date,
            document_id=document_id or about.document_id,
        ),
        staff_info=staff,
        status_code=code.value,
        description=description,
        timestamp=timestamp,
    )
