"""The edXML message model: a document envelope (edoc) or a status message, as typed data.

Every text field holds the raw text of its element (``""`` for an element present but empty,
``None`` for an element absent), so the model can carry real-world input with its quirks and the
validator can say exactly what is wrong. Field order follows QCVN 102's numbering (SPEC §2, §3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

Text = str | None


@dataclass(slots=True)
class Organization:
    """An agency as named in From and To (SPEC §2, 1.1 / 1.2)."""

    organ_id: Text = None
    organization_in_charge: Text = None
    organ_name: Text = None
    organ_add: Text = None
    email: Text = None
    telephone: Text = None
    fax: Text = None
    website: Text = None


@dataclass(slots=True)
class Code:
    """Số and ký hiệu of a document (1.3)."""

    code_number: Text = None
    code_notation: Text = None


@dataclass(slots=True)
class PromulgationInfo:
    place: Text = None
    promulgation_date: Text = None


@dataclass(slots=True)
class DocumentType:
    type: Text = None
    type_detail: Text = None
    type_name: Text = None


@dataclass(slots=True)
class SignerInfo:
    competence: Text = None
    position: Text = None
    full_name: Text = None


@dataclass(slots=True)
class OtherInfo:
    priority: Text = None
    sphere_of_promulgation: Text = None
    typer_notation: Text = None
    promulgation_amount: Text = None
    page_amount: Text = None
    direction: Text = None
    appendixes: list[str] | None = None


@dataclass(slots=True)
class ResponseFor:
    """The document a message answers or reports on: ``Code`` here is ``số/ký hiệu`` in one."""

    organ_id: Text = None
    code: Text = None
    promulgation_date: Text = None
    document_id: Text = None


@dataclass(slots=True)
class TraceHeader:
    organ_id: Text = None
    timestamp: Text = None


@dataclass(slots=True)
class StaffInfo:
    department: Text = None
    staff: Text = None
    mobile: Text = None
    email: Text = None


@dataclass(slots=True)
class Receiver:
    organ_id: Text = None
    receiver_type: Text = None


@dataclass(slots=True)
class BussinessDocumentInfo:
    """BussinessDocType 2 (update): what changed, and the recipients added or removed."""

    document_info: Text = None
    document_receiver: Text = None
    receivers: list[Receiver] | None = None


@dataclass(slots=True)
class ReplacementInfo:
    """BussinessDocType 3 (replace): a replaced document and the agencies it had gone to."""

    document_id: Text = None
    organ_ids: list[str] | None = None


@dataclass(slots=True)
class Bussiness:
    """The ``Bussiness`` block (spelled as in the regulation) of the TraceHeaderList."""

    bussiness_doc_type: Text = None
    bussiness_doc_reason: Text = None
    document_id: Text = None
    paper: Text = None
    staff_info: StaffInfo | None = None
    document_info: BussinessDocumentInfo | None = None
    replacements: list[ReplacementInfo] | None = None


@dataclass(slots=True)
class Reference:
    """A manifest entry of the body: one per attachment."""

    content_id: Text = None
    content_type: Text = None
    description: Text = None
    attachment_name: Text = None


@dataclass(slots=True)
class Attachment:
    content_id: Text = None
    attachment_name: Text = None
    description: Text = None
    content_type: Text = None
    content_transfer_encoded: Text = None


@dataclass(slots=True)
class MessageHeader:
    """MessageHeader of a document envelope, elements 1.1 to 1.14 of QCVN 102."""

    from_: Organization | None = None
    to: list[Organization] = field(default_factory=list)
    code: Code | None = None
    promulgation_info: PromulgationInfo | None = None
    document_type: DocumentType | None = None
    subject: Text = None
    content: Text = None
    signer_info: SignerInfo | None = None
    due_date: Text = None
    to_places: list[str] | None = None
    other_info: OtherInfo | None = None
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: Text = None
    document_id: Text = None


@dataclass(slots=True)
class Edoc:
    """An edXML document envelope (SPEC §2).

    ``signature`` is the XML-DSig ``Signature`` element kept intact, as its exclusive C14N
    bytes; ``manifest`` is ``None`` when the body has no ``edXMLManifest``.
    """

    header: MessageHeader = field(default_factory=MessageHeader)
    trace_headers: list[TraceHeader] = field(default_factory=list)
    bussiness: Bussiness | None = None
    signature: bytes | None = None
    manifest: list[Reference] | None = None
    attachments: list[Attachment] = field(default_factory=list)

    kind = "edoc"

    @property
    def recipients(self) -> list[str]:
        """The OrganIds this document is addressed to, in order (blank ones left out)."""
        return [t.organ_id.strip() for t in self.header.to if t.organ_id and t.organ_id.strip()]

    @property
    def sender(self) -> str | None:
        org = self.header.from_
        return org.organ_id.strip() if org and org.organ_id else None


@dataclass(slots=True)
class Status:
    """An edXML status message (SPEC §3): processing-state feedback about one document."""

    from_: Organization | None = None
    response_for: ResponseFor | None = None
    staff_info: StaffInfo | None = None
    status_code: Text = None
    description: Text = None
    timestamp: Text = None
    signature: bytes | None = None

    kind = "status"

    @property
    def recipients(self) -> list[str]:
        """The status goes to the agency named in ResponseFor/OrganId."""
        rf = self.response_for
        return [rf.organ_id.strip()] if rf and rf.organ_id and rf.organ_id.strip() else []

    @property
    def sender(self) -> str | None:
        org = self.from_
        return org.organ_id.strip() if org and org.organ_id else None


Message = Edoc | Status
