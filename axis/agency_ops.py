"""The agency registry's operations: the three lists (QCVN 102, QĐ 20, synchronisation) and
``registerAgency`` / ``deleteAgency``; the rules themselves live in :mod:`axis.registry`.
"""

from __future__ import annotations

from typing import Any

from axis import envelope
from axis.call import Answer, Call, required, wire_time
from axis.errors import BadRequest, Forbidden, NotFound, ValidationRefused
from axis.events import AgencyEvent, FindingsEvent
from axis.jsonish import JsonishError, read_object
from axis.numbers import whole_number
from axis.records import Agency
from axis.registry import AgencyFields, register_agency
from axis.signing import PREFIX
from spec.organ_ids import parse_organ_id

__all__ = [
    "delete_agency",
    "get_agencies_list",
    "get_agencies_list_qd20",
    "get_synchronize_unit",
    "register_agency_op",
]


def _parent_ids(agencies: list[Agency]) -> dict[str, str]:
    """Agency code → the id of its nearest registered ancestor (as a string) or ""."""
    ids = {a.code: str(a.id) for a in agencies}
    ids.update({a.alt_code: str(a.id) for a in agencies if a.alt_code})
    out = {}
    for agency in agencies:
        parent = ""
        if agency.valid:
            oid = parse_organ_id(agency.code).parent
            while oid is not None and not parent:
                parent = ids.get(oid.text, "")
                oid = oid.parent
        if not parent and agency.pcode:
            parent = ids.get(agency.pcode, "")
        out[agency.code] = parent
    return out


def _forms(agency: Agency) -> tuple[str, str]:
    """(QĐ 20 form, QCVN 102 form) of the agency's code; "" where it has none."""
    if not agency.valid:
        return "", agency.code
    if agency.code[0].isalpha():
        return agency.code, agency.alt_code or ""
    return agency.alt_code or "", agency.code


def _listed(agencies: list[Agency]) -> list[dict[str, Any]]:
    """What every agency list says of each agency: its ids, its parent's id, name and mail."""
    parents = _parent_ids(agencies)
    return [
        {"id": str(a.id), "pid": parents[a.code], "code": a.code, "name": a.name, "mail": a.mail}
        for a in agencies
    ]


def get_agencies_list(call: Call) -> Answer:
    data = [{**row, "oldCode": ""} for row in _listed(call.store.registry.agencies())]
    return Answer(envelope.ok(data=envelope.items(data)), summary={"items": len(data)})


def get_agencies_list_qd20(call: Call) -> Answer:
    level_text = call.headers.vxp("level")
    level = None
    if level_text:
        level = whole_number(level_text)
        if level is None or not 1 <= level <= 4:
            raise BadRequest(f"header {PREFIX}level={level_text!r} must be 1, 2, 3 or 4")
    data = []
    for a in call.store.registry.agencies():
        qd20, qcvn = _forms(a)
        if not qd20 or (level is not None and a.level != level):
            continue
        data.append(
            {"id": str(a.id), "code": qd20, "name": a.name, "mail": a.mail, "code102": qcvn}
        )
    return Answer(
        envelope.ok(data=envelope.items(data)), summary={"items": len(data), "level": level or 0}
    )


def get_synchronize_unit(call: Call) -> Answer:
    agencies = call.store.registry.agencies(include_deleted=True)
    data = [
        {
            **row,
            "version": a.version,
            "centerCode": a.system_id,
            "deleted": a.deleted,
            "modifyDate": wire_time(a.modified),
            "isAgency": True,
        }
        for row, a in zip(_listed(agencies), agencies, strict=True)
    ]
    return Answer(envelope.ok(data=envelope.items(data)), summary={"items": len(data)})


def register_agency_op(call: Call) -> Answer:
    try:
        text = call.body.decode("utf-8")
    except UnicodeDecodeError:
        text = call.body.decode("latin-1")
    try:
        obj = read_object(text)
    except JsonishError as exc:
        raise BadRequest(f"registerAgency body cannot be read: {exc}") from None
    code = obj.get("code", "").strip()
    if not code:
        raise BadRequest("registerAgency body has no 'code' (the agency's organ id)")
    fields = AgencyFields(
        name=obj.get("name", ""),
        mail=obj.get("mail", ""),
        mobile=obj.get("mobile", ""),
        fax=obj.get("fax", ""),
        pcode=obj.get("pcode", ""),
    )
    try:
        registration = register_agency(
            call.store.registry, code, call.system_id, fields, strict=call.config.strict
        )
    except ValidationRefused as exc:
        call.note(FindingsEvent(op=call.op, system=call.system_id, code=code, refused=exc.message))
        raise
    call.note(
        AgencyEvent(
            op=call.op,
            system=call.system_id,
            code=registration.agency.code,
            action="yielded" if registration.yielded else "registered",
            by="sdk",
            previous=registration.previous,
            valid=registration.agency.valid,
            findings=registration.findings,
        )
    )
    if registration.findings:
        call.note(
            FindingsEvent(
                op=call.op,
                system=call.system_id,
                code=code,
                errors=len(registration.findings),
                total=len(registration.findings),
                findings=registration.findings,
            )
        )
    return Answer(envelope.ok(), summary={"code": registration.agency.code})


def delete_agency(call: Call) -> Answer:
    code = required(call, "AgencyCode", "the organ id to unregister")
    agency = call.store.registry.find_agency(code)
    if agency is None:
        raise NotFound(f"agency {code!r} is not registered")
    if agency.system_id != call.system_id:
        raise Forbidden(f"agency {code!r} is served by another system")
    call.store.registry.delete_agency(agency.code)
    call.note(
        AgencyEvent(op=call.op, system=call.system_id, code=agency.code, action="deleted", by="sdk")
    )
    return Answer(envelope.ok(), summary={"code": agency.code})
