"""The edXML element names and the model fields they map to, shared by the reader and writer.

Each table lists a block's leaf children in the order the writer emits them (QCVN 102's
numbering); the reader accepts them in any order.
"""

from __future__ import annotations

from typing import Any

from spec import model

# (element local name, model attribute) for blocks made only of text leaves.
ORGANIZATION = (
    ("OrganId", "organ_id"),
    ("OrganizationInCharge", "organization_in_charge"),
    ("OrganName", "organ_name"),
    ("OrganAdd", "organ_add"),
    ("Email", "email"),
    ("Telephone", "telephone"),
    ("Fax", "fax"),
    ("Website", "website"),
)
CODE = (("CodeNumber", "code_number"), ("CodeNotation", "code_notation"))
PROMULGATION_INFO = (("Place", "place"), ("PromulgationDate", "promulgation_date"))
DOCUMENT_TYPE = (("Type", "type"), ("TypeDetail", "type_detail"), ("TypeName", "type_name"))
SIGNER_INFO = (("Competence", "competence"), ("Position", "position"), ("FullName", "full_name"))
OTHER_INFO = (
    ("Priority", "priority"),
    ("SphereOfPromulgation", "sphere_of_promulgation"),
    ("TyperNotation", "typer_notation"),
    ("PromulgationAmount", "promulgation_amount"),
    ("PageAmount", "page_amount"),
    ("Direction", "direction"),
)
RESPONSE_FOR = (
    ("OrganId", "organ_id"),
    ("Code", "code"),
    ("PromulgationDate", "promulgation_date"),
    ("DocumentId", "document_id"),
)
TRACE_HEADER = (("OrganId", "organ_id"), ("Timestamp", "timestamp"))
STAFF_INFO = (
    ("Department", "department"),
    ("Staff", "staff"),
    ("Mobile", "mobile"),
    ("Email", "email"),
)
RECEIVER = (("OrganId", "organ_id"), ("ReceiverType", "receiver_type"))
REFERENCE = (
    ("ContentId", "content_id"),
    ("ContentType", "content_type"),
    ("Description", "description"),
    ("AttachmentName", "attachment_name"),
)
ATTACHMENT = (
    ("ContentId", "content_id"),
    ("AttachmentName", "attachment_name"),
    ("Description", "description"),
    ("ContentType", "content_type"),
    ("ContentTransferEncoded", "content_transfer_encoded"),
)

LEAF_BLOCKS: dict[type, tuple[tuple[str, str], ...]] = {
    model.Organization: ORGANIZATION,
    model.Code: CODE,
    model.PromulgationInfo: PROMULGATION_INFO,
    model.DocumentType: DOCUMENT_TYPE,
    model.SignerInfo: SIGNER_INFO,
    model.ResponseFor: RESPONSE_FOR,
    model.TraceHeader: TRACE_HEADER,
    model.StaffInfo: STAFF_INFO,
    model.Receiver: RECEIVER,
    model.Reference: REFERENCE,
    model.Attachment: ATTACHMENT,
}

# MessageHeader of a document, 1.1 to 1.14: (element, attribute, kind) where kind says how the
# element is read: "text", "list-text" (a wrapper of repeated text children), or a model class.
HeaderTable = tuple[tuple[str, str, Any], ...]

EDOC_HEADER: HeaderTable = (
    ("From", "from_", model.Organization),
    ("To", "to", list),
    ("Code", "code", model.Code),
    ("PromulgationInfo", "promulgation_info", model.PromulgationInfo),
    ("DocumentType", "document_type", model.DocumentType),
    ("Subject", "subject", str),
    ("Content", "content", str),
    ("SignerInfo", "signer_info", model.SignerInfo),
    ("DueDate", "due_date", str),
    ("ToPlaces", "to_places", "Place"),
    ("OtherInfo", "other_info", model.OtherInfo),
    ("ResponseFor", "response_for", list),
    ("SteeringType", "steering_type", str),
    ("DocumentId", "document_id", str),
)

STATUS_HEADER: HeaderTable = (
    ("From", "from_", model.Organization),
    ("ResponseFor", "response_for", model.ResponseFor),
    ("StaffInfo", "staff_info", model.StaffInfo),
    ("StatusCode", "status_code", str),
    ("Description", "description", str),
    ("Timestamp", "timestamp", str),
)

BUSSINESS = (
    ("BussinessDocType", "bussiness_doc_type"),
    ("BussinessDocReason", "bussiness_doc_reason"),
    ("DocumentId", "document_id"),
    ("Paper", "paper"),
)

# The same tables as element name → attribute, for the reader's lookups.
LEAF_NAMES: dict[type, dict[str, str]] = {cls: dict(table) for cls, table in LEAF_BLOCKS.items()}
