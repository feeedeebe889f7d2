"""Rules on a status message (SPEC §3): code, description, timestamp and what it reports on."""

from __future__ import annotations

from spec import model
from spec.rules.checker import MH, Checker
from spec.rules.header import check_organization
from spec.status_codes import InvalidStatusCode, StatusCode


def status_code(c: Checker, status: model.Status) -> StatusCode | None:
    path = f"{MH}/StatusCode"
    if not c.required(
        "LC-STATUS-CODE-KNOWN", path, status.status_code, "StatusCode (mã trạng thái)"
    ):
        return None
    try:
        code = StatusCode.parse(status.status_code or "")
    except InvalidStatusCode as exc:
        c.error("LC-STATUS-CODE-KNOWN", path, str(exc))
        return None
    if (status.status_code or "").strip() != code.value:
        c.warning(
            "LC-STATUS-CODE-FORMAT",
            path,
            f"StatusCode {status.status_code!r} should be written with two digits: {code.value!r}",
        )
    return code


def _response_for(c: Checker, status: model.Status, code: StatusCode | None) -> None:
    path = f"{MH}/ResponseFor"
    rf = status.response_for
    if rf is None:
        c.error("ST-RESPONSEFOR", path, "ResponseFor (văn bản được phản hồi) is missing")
        return
    c.organ_id(
        "ST-RESPONSEFOR", f"{path}/OrganId", rf.organ_id, "ResponseFor/OrganId", recipient=True
    )
    c.required("ST-RESPONSEFOR", f"{path}/Code", rf.code, "ResponseFor/Code (số/ký hiệu)")
    if c.required(
        "ST-RESPONSEFOR",
        f"{path}/PromulgationDate",
        rf.promulgation_date,
        "ResponseFor/PromulgationDate",
    ):
        c.date(
            "ST-RESPONSEFOR",
            f"{path}/PromulgationDate",
            rf.promulgation_date,
            "ResponseFor/PromulgationDate",
        )
    if not c.required(
        "ST-RESPONSEFOR", f"{path}/DocumentId", rf.document_id, "ResponseFor/DocumentId"
    ):
        return
    key = c.document_id(f"{path}/DocumentId", rf.document_id, "ResponseFor/DocumentId")
    if key is None:
        return
    # The document's issuer: the addressee of a receiver's status, the reporter of a take-back.
    issuer_field = (
        "From/OrganId" if code is StatusCode.TAKE_BACK_REQUESTED else "ResponseFor/OrganId"
    )
    issuer = (
        status.sender if code is StatusCode.TAKE_BACK_REQUESTED else (rf.organ_id or "").strip()
    )
    mismatches = []
    if issuer and key.issuer != issuer:
        mismatches.append(f"issuer {key.issuer!r} ≠ {issuer_field} {issuer!r}")
    if rf.code and rf.code.strip() != key.code:
        mismatches.append(f"số/ký hiệu {key.code!r} ≠ ResponseFor/Code {rf.code!r}")
    day = (rf.promulgation_date or "").strip()
    if day and day != f"{key.promulgation_date:%Y/%m/%d}":
        mismatches.append(
            f"date {key.promulgation_date:%Y/%m/%d} ≠ ResponseFor/PromulgationDate {day!r}"
        )
    if mismatches:
        c.error(
            "ST-RESPONSEFOR-CONSISTENT",
            f"{path}/DocumentId",
            "ResponseFor/DocumentId disagrees: " + "; ".join(mismatches),
        )


def check_status(c: Checker, status: model.Status) -> None:
    if status.from_ is None:
        c.error("ST-FROM", f"{MH}/From", "From (cơ quan báo trạng thái) is missing")
    else:
        c.organ_id(
            "ST-FROM", f"{MH}/From/OrganId", status.from_.organ_id, "From/OrganId", recipient=False
        )
        check_organization(c, status.from_, f"{MH}/From")
    code = status_code(c, status)
    _response_for(c, status, code)
    if status.staff_info is None:
        c.warning(
            "ST-STAFFINFO",
            f"{MH}/StaffInfo",
            "StaffInfo (cán bộ xử lý) is expected on every status",
        )
    if code is not None and code.needs_description and not (status.description or "").strip():
        c.error(
            "LC-DESCRIPTION-REQUIRED",
            f"{MH}/Description",
            f"status {code.value} ({code.meaning}) needs a Description giving the reason",
        )
    if c.required("ST-TIMESTAMP", f"{MH}/Timestamp", status.timestamp, "Timestamp (thời điểm)"):
        c.timestamp("ST-TIMESTAMP", f"{MH}/Timestamp", status.timestamp, "Timestamp")
