"""Rules on the TraceHeaderList and the Bussiness block (new, revoke, update, replace)."""

from __future__ import annotations

from spec import model
from spec.business_kinds import BusinessKind, InvalidBusinessKind
from spec.rules.checker import THL, Checker


def doc_type(edoc: model.Edoc) -> BusinessKind | None:
    """The document's business kind: NEW when the block or BussinessDocType is missing, None
    when BussinessDocType is not a kind."""
    b = edoc.bussiness
    if b is None or b.bussiness_doc_type is None or not b.bussiness_doc_type.strip():
        return BusinessKind.NEW
    try:
        return BusinessKind.parse(b.bussiness_doc_type)
    except InvalidBusinessKind:
        return None


def check_traces(c: Checker, traces: list[model.TraceHeader]) -> None:
    for i, trace in enumerate(traces, 1):
        path = f"{THL}/TraceHeader[{i}]"
        if not (trace.organ_id or "").strip():
            c.warning(
                "MSG-TRACE",
                f"{path}/OrganId",
                "TraceHeader without an OrganId (seen on relay hops)",
            )
        else:
            c.organ_id(
                "MSG-TRACE",
                f"{path}/OrganId",
                trace.organ_id,
                "TraceHeader/OrganId",
                recipient=False,
            )
        if c.required("MSG-TRACE", f"{path}/Timestamp", trace.timestamp, "TraceHeader/Timestamp"):
            c.timestamp("MSG-TRACE", f"{path}/Timestamp", trace.timestamp, "TraceHeader/Timestamp")


def _original_id(c: Checker, edoc: model.Edoc, b: model.Bussiness, kind: BusinessKind) -> None:
    path = f"{THL}/Bussiness/DocumentId"
    if b.document_id and b.document_id.strip():
        c.document_id(path, b.document_id, "Bussiness/DocumentId (văn bản gốc)")
        return
    answered = [
        rf.document_id
        for rf in edoc.header.response_for
        if rf.document_id and rf.document_id.strip()
    ]
    if kind is BusinessKind.REVOKE and answered:
        c.warning(
            "BIZ-ORIGINAL-DOCUMENTID",
            path,
            "revoke without Bussiness/DocumentId; the original is taken from ResponseFor/DocumentId",
        )
        return
    c.error(
        "BIZ-ORIGINAL-DOCUMENTID",
        path,
        f"a {kind.label} document must name the original DocumentId",
    )


def _update_info(c: Checker, info: model.BussinessDocumentInfo | None) -> None:
    path = f"{THL}/Bussiness/BussinessDocumentInfo"
    if info is None:
        c.error(
            "BIZ-UPDATE-INFO",
            path,
            f"an update (BussinessDocType {BusinessKind.UPDATE}) needs BussinessDocumentInfo",
        )
        return
    for name, value in (
        ("DocumentInfo", info.document_info),
        ("DocumentReceiver", info.document_receiver),
    ):
        if value is not None and value.strip() not in ("0", "1"):
            c.error("BIZ-UPDATE-INFO", f"{path}/{name}", f"{name} {value!r} must be 0 or 1")
    changed_receivers = (info.document_receiver or "").strip() == "1"
    if changed_receivers and not info.receivers:
        c.error(
            "BIZ-UPDATE-INFO",
            f"{path}/ReceiverList",
            "DocumentReceiver is 1 but ReceiverList names no receiver",
        )
    for i, receiver in enumerate(info.receivers or (), 1):
        rpath = f"{path}/ReceiverList/Receiver[{i}]"
        c.organ_id(
            "BIZ-UPDATE-INFO",
            f"{rpath}/OrganId",
            receiver.organ_id,
            "Receiver/OrganId",
            recipient=True,
        )
        if (receiver.receiver_type or "").strip() not in ("0", "1"):
            c.error(
                "BIZ-UPDATE-INFO",
                f"{rpath}/ReceiverType",
                f"ReceiverType {receiver.receiver_type!r} must be 0 (removed) or 1 (added)",
            )


def _replacements(c: Checker, items: list[model.ReplacementInfo] | None) -> None:
    path = f"{THL}/Bussiness/ReplacementInfoList"
    if not items:
        c.error(
            "BIZ-REPLACEMENT-INFO",
            path,
            f"a replacement (BussinessDocType {BusinessKind.REPLACE}) needs a ReplacementInfoList "
            "naming the replaced documents",
        )
        return
    for i, info in enumerate(items, 1):
        ipath = f"{path}/ReplacementInfo[{i}]"
        if c.required(
            "BIZ-REPLACEMENT-INFO",
            f"{ipath}/DocumentId",
            info.document_id,
            "ReplacementInfo/DocumentId",
        ):
            c.document_id(f"{ipath}/DocumentId", info.document_id, "ReplacementInfo/DocumentId")
        if not info.organ_ids:
            c.error(
                "BIZ-REPLACEMENT-INFO",
                f"{ipath}/OrganIdList",
                "ReplacementInfo names no agency the replaced document went to",
            )
        for j, organ in enumerate(info.organ_ids or (), 1):
            c.organ_id(
                "BIZ-REPLACEMENT-INFO",
                f"{ipath}/OrganIdList/OrganId[{j}]",
                organ,
                "OrganIdList/OrganId",
                recipient=True,
            )


def check_bussiness(c: Checker, edoc: model.Edoc) -> None:
    b = edoc.bussiness
    path = f"{THL}/Bussiness"
    if b is None:
        c.warning(
            "BIZ-BLOCK-PRESENT",
            path,
            "no Bussiness block; the document is read as a new one (BussinessDocType 0)",
        )
        return
    kind = doc_type(edoc)
    if kind is None:
        c.error(
            "BIZ-DOCTYPE",
            f"{path}/BussinessDocType",
            f"BussinessDocType {b.bussiness_doc_type!r} must be one of "
            f"{', '.join(f'{k} ({k.word})' for k in BusinessKind)}",
        )
        return
    if b.paper is not None and b.paper.strip() not in ("0", "1"):
        c.error(
            "BIZ-PAPER",
            f"{path}/Paper",
            f"Paper {b.paper!r} must be 0 (electronic only) or 1 (paper copy too)",
        )
    if b.staff_info is None:
        c.warning(
            "BIZ-STAFFINFO", f"{path}/StaffInfo", "StaffInfo (cán bộ văn thư gửi) is expected"
        )
    if kind is not BusinessKind.NEW and not (b.bussiness_doc_reason or "").strip():
        c.warning(
            "BIZ-REASON",
            f"{path}/BussinessDocReason",
            f"a {kind.label} document should give BussinessDocReason (lý do)",
        )
    if kind in (BusinessKind.REVOKE, BusinessKind.UPDATE):
        _original_id(c, edoc, b, kind)
    elif b.document_id and b.document_id.strip():
        c.document_id(f"{path}/DocumentId", b.document_id, "Bussiness/DocumentId")
    if kind is BusinessKind.UPDATE:
        _update_info(c, b.document_info)
    elif b.document_info is not None:
        c.warning(
            "BIZ-BLOCK-MISPLACED",
            f"{path}/BussinessDocumentInfo",
            f"BussinessDocumentInfo belongs to updates ({BusinessKind.UPDATE}), not to a {kind.label} "
            "document",
        )
    if kind is BusinessKind.REPLACE:
        _replacements(c, b.replacements)
    elif b.replacements is not None:
        c.warning(
            "BIZ-BLOCK-MISPLACED",
            f"{path}/ReplacementInfoList",
            f"ReplacementInfoList belongs to replacements ({BusinessKind.REPLACE}), not to a "
            f"{kind.label} document",
        )


def check_trace_list(c: Checker, edoc: model.Edoc) -> None:
    if not edoc.trace_headers:
        c.warning(
            "MSG-TRACE",
            f"{THL}/TraceHeader",
            "no TraceHeader: the sender should write the first hop",
        )
    check_traces(c, edoc.trace_headers)
    check_bussiness(c, edoc)
