"""The agency registry's rules: which codes may be registered, by whom, and under which forms.

An agency code is bound to the system that registered it (``registerAgency``, the admin API or
the seed); both written forms of a valid organ id (QCVN 102 and QĐ 20) find the same agency.
A code served by a simulated (default) system is yielded to an operator-added system that
registers it *[axis choice]*; between operator-added systems a code already served is refused
(the admin API may still move it), and a simulated system never takes a code from another.
In lenient mode any non-empty code is accepted and an invalid one yields a finding; strict mode
refuses it. A connection system id (``W00``) is never an agency.
"""

from __future__ import annotations

from dataclasses import dataclass

from axis.errors import BadRequest, Forbidden, ValidationRefused
from axis.records import Agency
from axis.store_registry import RegistryStore
from spec.errors import InvalidOrganId
from spec.findings import Finding, Severity
from spec.organ_ids import (
    CONNECTION_SYSTEM_CODE,
    IdForm,
    OrganId,
    organ_id_problem,
    parse_organ_id,
)

ORGAN_ID_REQUIREMENT = "MSG-TO-ORGANID"

__all__ = ["AgencyFields", "Registration", "is_system_code", "other_form", "register_agency"]


@dataclass(frozen=True, slots=True)
class AgencyFields:
    """What ``registerAgency`` carries besides the code (all optional)."""

    name: str = ""
    mail: str = ""
    mobile: str = ""
    fax: str = ""
    pcode: str = ""


@dataclass(frozen=True, slots=True)
class Registration:
    """A registration done: the agency as stored, findings on its code, and the system that
    served it before when it changed hands (``yielded`` when a simulated system gave it up)."""

    agency: Agency
    findings: tuple[Finding, ...]
    previous: str = ""
    yielded: bool = False


def is_system_code(code: str) -> bool:
    """Whether ``code`` names a connection system (``…W00``), even a malformed one."""
    try:
        return parse_organ_id(code).is_connection_system
    except InvalidOrganId:
        return code.rsplit(".", 1)[-1] == CONNECTION_SYSTEM_CODE


def other_form(oid: OrganId) -> str | None:
    """The same organ in the other written form, when it has one."""
    try:
        twin = oid.to_qd20() if oid.form is IdForm.QCVN102 else oid.to_qcvn102()
    except InvalidOrganId:
        return None
    return twin.text


def register_agency(
    registry: RegistryStore,
    code: str,
    system_id: str,
    fields: AgencyFields = AgencyFields(),
    *,
    strict: bool,
    owner_may_change: bool = False,
) -> Registration:
    """Bind ``code`` to ``system_id`` (inside the caller's transaction).

    Raises ``BadRequest`` for an empty or W00 code, ``ValidationRefused`` for an invalid code in
    strict mode, ``Forbidden`` when another system serves it, unless that one is simulated and
    ``system_id`` is not (it yields), or ``owner_may_change`` (the admin API, the seed)."""
    code = code.strip()
    if not code:
        raise BadRequest("agency code is empty")
    if is_system_code(code):
        raise BadRequest(f"code {code!r} names a connection system (W00), not an agency")
    problem = organ_id_problem(code)
    findings: tuple[Finding, ...] = ()
    if problem is not None:
        if strict:
            raise ValidationRefused(f"{problem} (strict mode)")
        findings = (Finding(ORGAN_ID_REQUIREMENT, Severity.ERROR, "/registerAgency/code", problem),)
    existing = registry.find_agency(code, include_deleted=True)
    previous = ""
    yielded = False
    if existing is not None and existing.system_id != system_id and not existing.deleted:
        previous = existing.system_id
        yielded = _yields(registry, previous, system_id)
        if not yielded and not owner_may_change:
            raise Forbidden(f"agency {code!r} is served by another system; it cannot be taken over")
    # Re-registering under the other form updates the agency as first registered.
    stored = existing.code if existing is not None else code
    oid = parse_organ_id(stored) if organ_id_problem(stored) is None else None
    agency = registry.put_agency(
        stored,
        system_id,
        alt_code=other_form(oid) if oid is not None else None,
        level=oid.level if oid is not None else 0,
        valid=problem is None,
        name=fields.name or (existing.name if existing is not None else ""),
        mail=fields.mail,
        mobile=fields.mobile,
        fax=fields.fax,
        pcode=fields.pcode,
    )
    return Registration(agency, findings, previous, yielded)


def _yields(registry: RegistryStore, holder: str, claimant: str) -> bool:
    """Whether the system ``holder`` gives its code up to ``claimant``: a simulated system
    yields to one the operator added."""
    held_by = registry.system(holder)
    claimed_by = registry.system(claimant)
    return (
        held_by is not None
        and held_by.simulated
        and claimed_by is not None
        and not claimed_by.simulated
    )
