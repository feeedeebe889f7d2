"""What each page of the web board shows, as template contexts built from the registry: shared
by the live server and the static export, so both show the same."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from board.certificates import Certificate, TrustedKeys, genuine
from board.errors import NotFound
from board.forecast import DEFAULT_CAPACITY, forecast_phase
from board.model import Agency, Deployment
from board.plans import Role
from board.readiness import (
    AgencyReadiness,
    PhaseReadiness,
    State,
    Verifier,
    agency_readiness,
    judge_certificate,
    same_build,
    verifier,
)
from board.registry import Registry
from board.simulate import PhaseSimulation
from board.status import board_status
from board.web.grid import tiles
from spec.clock import Clock, vietnam_today

__all__ = ["Pages", "Row"]

TIER_ORDER = ("central", "province", "district", "commune")


@dataclass(frozen=True, slots=True)
class Row:
    """A member on a phase page: its agency, readiness and the product it runs."""

    agency: Agency
    readiness: AgencyReadiness
    product_id: int | None

    @property
    def state(self) -> State:
        return self.readiness.state


class Pages:
    """Builds page contexts from ``registry``, judging certificates against ``trusted`` on the
    Vietnam date of ``clock``."""

    def __init__(self, registry: Registry, trusted: TrustedKeys, clock: Clock) -> None:
        self.registry = registry
        self.trusted = trusted
        self.clock = clock
        # Certificates never change and the keys are fixed for the pages' life: check each
        # once a day.
        self._check: Verifier = verifier(trusted)

    def __repr__(self) -> str:
        return f"Pages({self.registry!r})"

    # --- overview -------------------------------------------------------------------------

    def overview(self, grid_phase: str | None = None) -> dict[str, Any]:
        phases = board_status(
            self.registry, trusted=self.trusted, clock=self.clock, verify=self._check
        )
        chosen = next((p for p in phases if p.plan.name == grid_phase), None)
        if chosen is None:
            chosen = _current(phases, vietnam_today(self.clock))
        return {
            "phases": phases,
            "counts": self.registry.counts(),
            "products": self.registry.products(),
            "grid": self._grid(chosen) if chosen else None,
            "grid_phase": chosen,
            "today": vietnam_today(self.clock),
            "trusted": self.trusted,
        }

    def _grid(self, readiness: PhaseReadiness) -> dict[str, Any]:
        states = {a.organ_id: a.state.value for a in readiness.agencies}
        cells = [
            {
                "tile": t,
                "organ_id": f"000.00.00.{t.code}",
                "state": states.get(f"000.00.00.{t.code}", "none"),
            }
            for t in tiles()
        ]
        members = self.registry.agencies(a.organ_id for a in readiness.agencies)
        central = [a for a in readiness.agencies if members[a.organ_id].tier == "central"]
        return {
            "cells": cells,
            "rows": max(t.row for t in tiles()),
            "cols": max(t.col for t in tiles()),
            "central": central,
            "agencies": members,
        }

    # --- a phase --------------------------------------------------------------------------

    def phase(self, name: str, *, capacity: int = DEFAULT_CAPACITY) -> dict[str, Any]:
        readiness = board_status(
            self.registry, trusted=self.trusted, clock=self.clock, plans=[name], verify=self._check
        )[0]
        agencies = self.registry.agencies(a.organ_id for a in readiness.agencies)
        products = {(p.vendor, p.product): p.id for p in self.registry.products()}
        rows = [
            Row(
                agencies[a.organ_id],
                a,
                products.get((a.deployment.software.vendor, a.deployment.software.product))
                if a.deployment
                else None,
            )
            for a in readiness.agencies
        ]
        stored = self.registry.latest_simulation(name)
        simulation = PhaseSimulation.from_json(stored) if stored else None
        forecast = forecast_phase(
            readiness,
            self.registry.decisions(name),
            capacity=capacity,
            simulation=simulation,
        )
        return {
            "readiness": readiness,
            "bars": _interval_bars(simulation),
            "plan": readiness.plan,
            "rows": rows,
            "agencies": agencies,
            "tiers": [t for t in TIER_ORDER if any(r.agency.tier == t for r in rows)],
            "provinces": sorted({r.agency.province_name for r in rows if r.agency.province_name}),
            "products": sorted(
                {r.readiness.deployment.software.product for r in rows if r.readiness.deployment}
            ),
            "simulation": simulation,
            "forecast": forecast,
            "decisions": self.registry.decisions(name),
            "grid": self._grid(readiness),
            "today": readiness.as_of,
        }

    # --- an agency ------------------------------------------------------------------------

    def agency(self, organ_id: str) -> dict[str, Any]:
        agency = self.registry.agency(organ_id)
        deployment = self.registry.deployment(agency.organ_id)
        certificates = self.registry.certificates_of(agency.organ_id)
        verify = self._check
        today = vietnam_today(self.clock)
        memberships = []
        for plan in self.registry.plans_of(agency.organ_id):
            member = plan.member(agency.organ_id)
            role = member.role if member else Role.TWO_WAY
            memberships.append(
                (
                    plan,
                    member,
                    agency_readiness(
                        agency.organ_id,
                        role,
                        deployment,
                        certificates,
                        verify=verify,
                        today=today,
                        require_signature=plan.require_signature,
                    ),
                )
            )
        role = memberships[0][1].role if memberships and memberships[0][1] else Role.TWO_WAY
        history = []
        for c in certificates:
            verification = verify(c, today)
            blockers, _ = judge_certificate(
                c,
                organ_id=agency.organ_id,
                role=role,
                deployment=deployment,
                verify=verify,
                today=today,
            )
            history.append((c, verification, verify.reasons(verification), blockers))
        return {
            "agency": agency,
            "parent": self._maybe(agency.parent),
            "system": self.registry.system(agency.system_id),
            "deployment": deployment,
            "deployments": self.registry.deployment_history(agency.organ_id),
            "memberships": memberships,
            "history": history,
            "role": role,
            "children": self.registry.children(agency.organ_id)[:12],
            "audit": self.registry.audit(subject=agency.organ_id, limit=20),
            "products": {(p.vendor, p.product): p.id for p in self.registry.products()},
            "today": today,
        }

    def _maybe(self, organ_id: str | None) -> Agency | None:
        if organ_id is None:
            return None
        try:
            return self.registry.agency(organ_id)
        except NotFound:
            return None

    # --- a certificate --------------------------------------------------------------------

    def certificate(self, digest: str) -> dict[str, Any]:
        certificate = self.registry.certificate(digest)
        source, imported_at, imported_by = self.registry.certificate_source(certificate.digest)
        verification = self._check(certificate, vietnam_today(self.clock))
        return {
            "certificate": certificate,
            "verification": verification,
            "genuine": genuine(verification),
            "trust_reasons": self._check.reasons(verification),
            "agency": self._maybe(certificate.party.organ_id),
            "source": source,
            "imported_at": imported_at,
            "imported_by": imported_by,
            "product_id": self.registry.product_id(certificate.software),
            "results": _results(certificate),
            "today": vietnam_today(self.clock),
        }

    # --- a product ------------------------------------------------------------------------

    def product(self, product_id: int) -> dict[str, Any]:
        product = self.registry.product(product_id)
        deployments = self.registry.product_deployments(product_id)
        agencies = self.registry.agencies(d.organ_id for d in deployments)
        return {
            "product": product,
            "builds": self.registry.product_builds(product_id),
            "running": [(agencies[d.organ_id], d) for d in deployments],
            "certified": _certified_counts(
                self.registry.certificates_for(d.organ_id for d in deployments), deployments
            ),
        }

    def audit(self, limit: int = 200) -> dict[str, Any]:
        return {"entries": self.registry.audit(limit=limit)}


def _current(phases: Sequence[PhaseReadiness], today: date) -> PhaseReadiness | None:
    """The phase a certification office works on today: the earliest-starting one not over
    yet, else the last one."""
    open_ = [p for p in phases if p.plan.end >= today]
    if open_:
        return min(open_, key=lambda p: p.plan.start)
    return phases[-1] if phases else None


def _interval_bars(simulation: PhaseSimulation | None) -> dict[str, dict[str, float] | None]:
    """Per metric, where its 95 % interval and mean fall on a bar centred on zero that reaches
    a little past the interval's farther end (percent of the bar's width): the picture beside
    each difference shows at a glance which side of zero it lies on, and whether it straddles
    zero. None for a metric without an interval."""
    if simulation is None:
        return {}
    out: dict[str, dict[str, float] | None] = {}
    for d in simulation.differences:
        values = (d.low, d.high, d.mean)
        if d.pairs < 2 or not all(math.isfinite(v) for v in values):
            out[d.name] = None
            continue
        reach = 1.1 * max(abs(d.low), abs(d.high)) or 1.0

        def at(v: float, reach: float = reach) -> float:
            return round(50 + 50 * v / reach, 1)

        out[d.name] = {
            "zero": 50.0,
            "left": at(d.low),
            "width": max(at(d.high) - at(d.low), 0.8),
            "mean": at(d.mean),
        }
    return out


def _results(certificate: Certificate) -> list[Any]:
    if certificate.results is None:
        return []
    order = {"failed": 0, "waived": 1, "not tested": 2, "passed": 3}
    return sorted(certificate.results, key=lambda r: (order.get(r.verdict, 4), r.id))


def _certified_counts(
    certificates: dict[str, list[Certificate]], deployments: Sequence[Deployment]
) -> dict[str, int]:
    """Per agency, how many CERTIFIED certificates it has for the build it runs."""
    out = {}
    for d in deployments:
        out[d.organ_id] = sum(
            c.certified and same_build(c.software, d.software)
            for c in certificates.get(d.organ_id, [])
        )
    return out
