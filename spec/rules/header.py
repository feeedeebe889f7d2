"""Rules on a document's MessageHeader (QCVN 102 elements 1.1 to 1.14)."""

from __future__ import annotations

from spec import model
from spec.limits import MAX_LENGTH
from spec.rules.checker import MH, Checker

ORGANIZATION_FIELDS = (
    ("OrganName", "organ_name"),
    ("OrganAdd", "organ_add"),
    ("OrganizationInCharge", "organization_in_charge"),
    ("Email", "email"),
    ("Telephone", "telephone"),
    ("Fax", "fax"),
)


def check_organization(c: Checker, org: model.Organization, path: str) -> None:
    for name, attr in ORGANIZATION_FIELDS:
        c.max_length(
            f"{path}/{name}",
            getattr(org, attr),
            MAX_LENGTH[name],
            f"{name} of {path.rsplit('/', 1)[-1]}",
        )


def check_from(c: Checker, org: model.Organization | None, path: str) -> None:
    if org is None:
        c.error("MSG-FROM-ORGANID", path, "From (cơ quan gửi) is missing")
        return
    c.organ_id(
        "MSG-FROM-ORGANID",
        f"{path}/OrganId",
        org.organ_id,
        "From/OrganId (mã định danh cơ quan gửi)",
        recipient=False,
    )
    check_organization(c, org, path)


def check_recipients(c: Checker, to: list[model.Organization]) -> None:
    if not to:
        c.error(
            "MSG-TO-PRESENT",
            f"{MH}/To",
            "no To (nơi nhận): a document needs at least one recipient",
        )
        return
    seen: dict[str, int] = {}
    for i, org in enumerate(to, 1):
        path = f"{MH}/To[{i}]"
        check_organization(c, org, path)
        if not c.organ_id(
            "MSG-TO-ORGANID",
            f"{path}/OrganId",
            org.organ_id,
            "To/OrganId (mã định danh nơi nhận)",
            recipient=True,
        ):
            continue
        key = (org.organ_id or "").strip()
        if key in seen:
            c.error(
                "MSG-TO-DISTINCT",
                f"{path}/OrganId",
                f"recipient {key!r} is listed twice (To[{seen[key]}] and To[{i}])",
            )
        else:
            seen[key] = i


def check_code(c: Checker, code: model.Code | None) -> None:
    path = f"{MH}/Code"
    if code is None:
        c.error("MSG-CODE-REQUIRED", path, "Code (số, ký hiệu văn bản) is missing")
        return
    if c.required(
        "MSG-CODE-REQUIRED", f"{path}/CodeNumber", code.code_number, "CodeNumber (số văn bản)"
    ):
        c.max_length(
            f"{path}/CodeNumber", code.code_number, MAX_LENGTH["CodeNumber"], "CodeNumber (số)"
        )
    if c.required(
        "MSG-CODE-REQUIRED",
        f"{path}/CodeNotation",
        code.code_notation,
        "CodeNotation (ký hiệu văn bản)",
    ):
        c.max_length(
            f"{path}/CodeNotation",
            code.code_notation,
            MAX_LENGTH["CodeNotation"],
            "CodeNotation (ký hiệu)",
        )


def check_promulgation(c: Checker, info: model.PromulgationInfo | None) -> None:
    path = f"{MH}/PromulgationInfo"
    if info is None:
        c.error("MSG-PROMULGATION-DATE", path, "PromulgationInfo (thông tin ban hành) is missing")
        return
    c.max_length(f"{path}/Place", info.place, MAX_LENGTH["Place"], "Place (địa danh)")
    date_path = f"{path}/PromulgationDate"
    if c.required(
        "MSG-PROMULGATION-DATE",
        date_path,
        info.promulgation_date,
        "PromulgationDate (ngày ban hành)",
    ):
        c.date(
            "MSG-PROMULGATION-DATE",
            date_path,
            info.promulgation_date,
            "PromulgationDate",
            not_future=True,
        )


def check_document_type(c: Checker, doc_type: model.DocumentType | None) -> None:
    path = f"{MH}/DocumentType"
    if doc_type is None:
        c.error("MSG-TYPENAME-REQUIRED", path, "DocumentType (loại văn bản) is missing")
        return
    if c.required(
        "MSG-TYPENAME-REQUIRED",
        f"{path}/TypeName",
        doc_type.type_name,
        "TypeName (tên loại văn bản)",
    ):
        c.max_length(f"{path}/TypeName", doc_type.type_name, MAX_LENGTH["TypeName"], "TypeName")
    c.integer("MSG-TYPE-INTEGER", f"{path}/Type", doc_type.type, "Type", None, severity="warning")
    c.integer(
        "MSG-TYPE-INTEGER",
        f"{path}/TypeDetail",
        doc_type.type_detail,
        "TypeDetail",
        None,
        severity="warning",
    )


def check_texts(c: Checker, header: model.MessageHeader, is_new: bool) -> None:
    if c.required(
        "MSG-SUBJECT-REQUIRED", f"{MH}/Subject", header.subject, "Subject (trích yếu nội dung)"
    ):
        c.max_length(f"{MH}/Subject", header.subject, MAX_LENGTH["Subject"], "Subject (trích yếu)")
    c.max_length(f"{MH}/Content", header.content, MAX_LENGTH["Content"], "Content")
    signer = header.signer_info
    if is_new and (signer is None or not (signer.full_name or "").strip()):
        c.warning(
            "MSG-SIGNER-NAME",
            f"{MH}/SignerInfo/FullName",
            "SignerInfo/FullName (người ký) is expected on a new document",
        )
    c.date("MSG-DATE-FORMAT", f"{MH}/DueDate", header.due_date, "DueDate (hạn xử lý)")
    for i, place in enumerate(header.to_places or (), 1):
        c.max_length(
            f"{MH}/ToPlaces/Place[{i}]", place, MAX_LENGTH["ToPlaces/Place"], "ToPlaces/Place"
        )
    c.integer(
        "MSG-STEERING-TYPE", f"{MH}/SteeringType", header.steering_type, "SteeringType", range(0, 3)
    )


def check_other_info(c: Checker, info: model.OtherInfo | None) -> None:
    if info is None:
        return
    path = f"{MH}/OtherInfo"
    c.integer(
        "MSG-OTHERINFO-VALUES", f"{path}/Priority", info.priority, "Priority (độ khẩn)", range(0, 5)
    )
    c.integer(
        "MSG-OTHERINFO-VALUES",
        f"{path}/PromulgationAmount",
        info.promulgation_amount,
        "PromulgationAmount",
        None,
    )
    c.integer("MSG-OTHERINFO-VALUES", f"{path}/PageAmount", info.page_amount, "PageAmount", None)
    c.max_length(
        f"{path}/SphereOfPromulgation",
        info.sphere_of_promulgation,
        MAX_LENGTH["SphereOfPromulgation"],
        "SphereOfPromulgation",
    )
    c.max_length(
        f"{path}/TyperNotation", info.typer_notation, MAX_LENGTH["TyperNotation"], "TyperNotation"
    )
    direction = info.direction
    if direction is not None and direction.strip().lower() not in ("true", "false", "0", "1"):
        c.error(
            "MSG-OTHERINFO-VALUES",
            f"{path}/Direction",
            f"Direction {direction!r} must be true or false",
        )


def check_response_for(c: Checker, items: list[model.ResponseFor]) -> None:
    for i, rf in enumerate(items, 1):
        path = f"{MH}/ResponseFor[{i}]"
        values = (rf.organ_id, rf.code, rf.promulgation_date, rf.document_id)
        if not any(v and v.strip() for v in values):
            c.warning(
                "MSG-RESPONSEFOR",
                path,
                "ResponseFor is present but empty; leave it out when the document answers none",
            )
            continue
        c.organ_id(
            "MSG-RESPONSEFOR",
            f"{path}/OrganId",
            rf.organ_id,
            "ResponseFor/OrganId",
            recipient=False,
        )
        c.required("MSG-RESPONSEFOR", f"{path}/Code", rf.code, "ResponseFor/Code (số/ký hiệu)")
        c.date(
            "MSG-RESPONSEFOR",
            f"{path}/PromulgationDate",
            rf.promulgation_date,
            "ResponseFor/PromulgationDate",
        )
        c.document_id(f"{path}/DocumentId", rf.document_id, "ResponseFor/DocumentId")


def check_document_id(c: Checker, header: model.MessageHeader) -> None:
    path = f"{MH}/DocumentId"
    if not c.required(
        "MSG-DOCUMENTID-REQUIRED", path, header.document_id, "DocumentId (mã định danh văn bản)"
    ):
        return
    key = c.document_id(path, header.document_id, "DocumentId")
    if key is None:
        return
    mismatches = []
    sender = (header.from_.organ_id or "").strip() if header.from_ else ""
    if sender and key.issuer != sender:
        mismatches.append(f"issuer {key.issuer!r} ≠ From/OrganId {sender!r}")
    info = header.promulgation_info
    day = (info.promulgation_date or "").strip() if info else ""
    if day and key.promulgation_date.strftime("%Y/%m/%d") != day:
        mismatches.append(f"date {key.promulgation_date:%Y/%m/%d} ≠ PromulgationDate {day!r}")
    code = header.code
    if code and code.code_number is not None and key.code_number != code.code_number.strip():
        mismatches.append(f"số {key.code_number!r} ≠ CodeNumber {code.code_number!r}")
    if code and code.code_notation is not None and key.code_notation != code.code_notation.strip():
        mismatches.append(f"ký hiệu {key.code_notation!r} ≠ CodeNotation {code.code_notation!r}")
    if mismatches:
        c.error(
            "MSG-DOCUMENTID-CONSISTENT",
            path,
            "DocumentId disagrees with the header: " + "; ".join(mismatches),
        )


def check_header(c: Checker, header: model.MessageHeader, is_new: bool) -> None:
    check_from(c, header.from_, f"{MH}/From")
    check_recipients(c, header.to)
    check_code(c, header.code)
    check_promulgation(c, header.promulgation_info)
    check_document_type(c, header.document_type)
    check_texts(c, header, is_new)
    check_other_info(c, header.other_info)
    check_response_for(c, header.response_for)
    check_document_id(c, header)
