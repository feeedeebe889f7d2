"""Who takes part in a certification run: the agency being certified and its connection system
(the SUT's side), and the agencies the harness plays as its counterparts.

The certified agency is the real party (``--organ-id``), named from the registry of agencies
(:mod:`fixtures.agencies`). The harness's partners and its bystander are level-1 agencies of
other ministries or provinces, chosen so that neither their agency nor their connection system
can be the SUT's: a document the SUT receives always comes from somebody else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from conformance.errors import ConformanceError
from fixtures.agencies import Agency, lookup
from spec.errors import InvalidOrganId
from spec.organ_ids import parse_organ_id

__all__ = ["HARNESS_CANDIDATES", "Cast", "Party", "PartyError", "sut_party"]

HARNESS_CANDIDATES = (
    "000.00.00.G12",  # Bộ Tài chính
    "000.00.00.H36",  # UBND tỉnh Lâm Đồng
    "000.00.00.H47",  # UBND tỉnh Quảng Nam
    "000.00.00.G17",  # Bộ Xây dựng
    "000.00.00.H14",  # UBND tỉnh Cao Bằng
    "000.00.00.H53",  # UBND tỉnh Tây Ninh
)
"""Level-1 agencies the harness may play, in order of preference: the first two that do not
share a level-1 organ with the SUT are its partners, the next its bystander."""
_PARTNERS = 2


class PartyError(ConformanceError, ValueError):
    """An agency or system that cannot be certified: not an organ id, a connection system given
    as the agency, an agency the registry does not know, a system id that is not one."""


@dataclass(frozen=True, slots=True)
class Party:
    """An agency and the connection system that serves it on the axis."""

    agency: Agency
    system_id: str
    secret: str = field(default="", repr=False)

    @property
    def organ_id(self) -> str:
        return self.agency.organ_id

    @property
    def name(self) -> str:
        return self.agency.name

    def with_new_secret(self) -> Party:
        """The party with a new random secret (never derived from anything another party
        knows, such as the run's seed recorded in its report)."""
        return Party(self.agency, self.system_id, secrets.token_hex(16))


def _agency(organ_id: str) -> Agency:
    try:
        parsed = parse_organ_id(organ_id)
    except InvalidOrganId as exc:
        raise PartyError(f"organ_id={organ_id!r} is not an organ id: {exc}") from None
    if parsed.is_connection_system:
        raise PartyError(
            f"organ_id={organ_id!r} names a connection system (W00), not an agency: give the "
            "agency's mã định danh, and the system with --system-id"
        )
    agency = lookup(organ_id)
    if agency is None:
        raise PartyError(
            f"organ_id={organ_id!r} is not in the registry of agencies (fixtures/data): "
            "`lienthong ids explain CODE` shows what the harness knows about a code"
        )
    return agency


def sut_party(organ_id: str, system_id: str | None = None) -> Party:
    """The certified agency and its system (default: the system of its level-1 organ).
    Raises :class:`PartyError` naming what is wrong."""
    agency = _agency(organ_id)
    if system_id is None:
        return Party(agency, agency.system_id)
    try:
        parsed = parse_organ_id(system_id)
    except InvalidOrganId as exc:
        raise PartyError(f"system_id={system_id!r} is not a connection-system id: {exc}") from None
    if not parsed.is_connection_system:
        raise PartyError(
            f"system_id={system_id!r} is an agency id; a connection system's id ends in W00 "
            "(e.g. 00.44.W00)"
        )
    return Party(agency, parsed.text)


def _level1(organ_id: str) -> str:
    return parse_organ_id(organ_id).to_qcvn102().text.rsplit(".", 1)[-1]


def _harness_parties(sut: Party) -> list[Party]:
    """The candidates that share neither a level-1 organ nor a system with the SUT."""
    taken = _level1(sut.organ_id)
    found = []
    for organ_id in HARNESS_CANDIDATES:
        agency = _agency(organ_id)
        if _level1(organ_id) == taken or agency.system_id == sut.system_id:
            continue
        found.append(Party(agency, agency.system_id))
    return found


@dataclass(frozen=True, slots=True)
class Cast:
    """Who takes part in a run: the SUT's agency and system, the partners the harness plays,
    and a bystander agency that nothing is addressed to."""

    sut: Party
    partners: tuple[Party, ...]
    bystander: Party

    @classmethod
    def for_run(cls, sut: Party) -> Cast:
        """The cast around the certified ``sut``, each party with a new random secret."""
        others = _harness_parties(sut)
        return cls(
            sut.with_new_secret(),
            tuple(p.with_new_secret() for p in others[:_PARTNERS]),
            others[_PARTNERS].with_new_secret(),
        )

    @property
    def harness(self) -> tuple[Party, ...]:
        """The parties the harness plays."""
        return (*self.partners, self.bystander)

    def by_organ(self, organ_id: str) -> Party | None:
        for party in (self.sut, *self.harness):
            if party.organ_id == organ_id:
                return party
        return None
