"""The readiness rules, written once: when an agency is ready for its phase, and a phase ready.

An agency is **ready** when the deployment it runs has a certificate that

* says CERTIFIED and still verifies (reports' verification) against a trusted key,
* certifies this agency through the deployment's connection system,
* is for a profile its role needs (two-way exchange needs ``full``; receive-only ``full`` or
  ``receiver``; send-only ``full`` or ``sender``), from a whole run (no requirement subset), of
  the vendor's software (not a mutant), with signed documents required when the plan
  requires signatures,
* names a build, and it is the product build the deployment runs (a new build needs
  re-certification),
* is valid today (``valid_from`` ≤ today ≤ ``valid_until``), with every waiver it was issued
  under still valid.

A certificate or waiver that expires within :data:`WARNING_DAYS` days is flagged, and the agency
shows as ``expiring`` (still ready). A phase is ready when all its agencies are; otherwise it
lists its blockers, each with its reason. Every date is the Vietnam date of the clock the
caller passes in.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from board.certificates import (
    Certificate,
    Software,
    TrustedKeys,
    Verification,
    VerificationStatus,
    genuine,
    trust_reasons,
)
from board.model import Deployment
from board.plans import PhasePlan, Role
from spec.clock import Clock, vietnam_today

WARNING_DAYS = 30

# The profiles that serve each role; the first is what a new certification should use.
PROFILES_FOR_ROLE: Mapping[Role, tuple[str, ...]] = {
    Role.TWO_WAY: ("full",),
    Role.RECEIVE_ONLY: ("full", "receiver"),
    Role.SEND_ONLY: ("full", "sender"),
}

__all__ = [
    "PROFILES_FOR_ROLE",
    "WARNING_DAYS",
    "AgencyReadiness",
    "Code",
    "Finding",
    "PhaseReadiness",
    "State",
    "Verifier",
    "agency_readiness",
    "judge_certificate",
    "phase_readiness",
    "same_build",
    "verifier",
]


class Verifier:
    """Verifies certificates against ``trusted`` with reports' verification, each once per day
    it is asked about (a certificate never changes, so the answer cannot change while the keys
    and the day stay the same)."""

    def __init__(self, trusted: TrustedKeys) -> None:
        self.trusted = trusted
        self._seen: dict[str, tuple[date, Verification]] = {}

    def __repr__(self) -> str:
        return f"verifier(<{len(self.trusted.keys)} trusted key(s)>)"

    def __call__(self, certificate: Certificate, today: date) -> Verification:
        found = self._seen.get(certificate.digest)
        if found is None or found[0] != today:
            found = self._seen[certificate.digest] = (
                today,
                certificate.verify(self.trusted, today),
            )
        return found[1]

    def reasons(self, verification: Verification) -> tuple[str, ...]:
        """Why ``verification`` is not genuine, one sentence each."""
        return trust_reasons(verification, self.trusted)


def verifier(trusted: TrustedKeys) -> Verifier:
    """A :class:`Verifier` over ``trusted``."""
    return Verifier(trusted)


class State(enum.StrEnum):
    """An agency's or a phase's readiness, as a word; the board colours it."""

    READY = "ready"
    EXPIRING = "expiring"
    BLOCKED = "blocked"

    def __repr__(self) -> str:
        return f"State.{self.name}"

    @property
    def ready(self) -> bool:
        return self is not State.BLOCKED


class Code(enum.StrEnum):
    """What a blocker or flag is about (stable: CSV exports and the forecast use them)."""

    NO_DEPLOYMENT = "no-deployment"
    NO_CERTIFICATE = "no-certificate"
    NOT_CERTIFIED = "not-certified"
    INVALID = "invalid"
    UNTRUSTED = "untrusted"
    WRONG_AGENCY = "wrong-agency"
    WRONG_PROFILE = "wrong-profile"
    PARTIAL_RUN = "partial-run"
    MUTANT = "mutant"
    SIGNATURE_DROPPED = "signature-dropped"
    WRONG_SYSTEM = "wrong-system"
    NO_BUILD = "no-build"
    WRONG_BUILD = "wrong-build"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    WAIVER_EXPIRED = "waiver-expired"
    EXPIRES_SOON = "expires-soon"
    WAIVER_EXPIRES_SOON = "waiver-expires-soon"

    def __repr__(self) -> str:
        return f"Code.{self.name}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A blocker or a flag: what it is about, in a sentence, and the certificate it concerns."""

    code: Code
    message: str
    certificate: str | None = None


@dataclass(frozen=True, slots=True)
class AgencyReadiness:
    """One agency's readiness for a phase. ``certificate`` is the one that makes it ready, or
    the one its blockers are about (the latest for the deployed build, else the latest)."""

    organ_id: str
    role: Role
    state: State
    deployment: Deployment | None
    certificate: Certificate | None
    blockers: tuple[Finding, ...]
    flags: tuple[Finding, ...]

    @property
    def ready(self) -> bool:
        return self.state.ready


@dataclass(frozen=True, slots=True)
class PhaseReadiness:
    """A phase's readiness on ``as_of``: every member's, in plan order."""

    plan: PhasePlan
    as_of: date
    agencies: tuple[AgencyReadiness, ...]

    @property
    def ready(self) -> bool:
        return all(a.ready for a in self.agencies)

    @property
    def state(self) -> State:
        if not self.ready:
            return State.BLOCKED
        return State.EXPIRING if any(a.flags for a in self.agencies) else State.READY

    @property
    def blocked(self) -> tuple[AgencyReadiness, ...]:
        return tuple(a for a in self.agencies if not a.ready)

    def counts(self) -> dict[State, int]:
        """How many members are in each state (every state present)."""
        out = dict.fromkeys(State, 0)
        for a in self.agencies:
            out[a.state] += 1
        return out


def same_build(a: Software, b: Software) -> bool:
    """The same build of the same product (the version is only what people read)."""
    return (a.vendor, a.product, a.build) == (b.vendor, b.product, b.build)


def _days(n: int) -> str:
    return "today" if n == 0 else f"in {n} day{'s' if n != 1 else ''}"


def _ago(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''} ago"


def judge_certificate(
    certificate: Certificate,
    *,
    organ_id: str,
    role: Role,
    deployment: Deployment | None,
    verify: Verifier,
    today: date,
    require_signature: bool = False,
) -> tuple[list[Finding], list[Finding]]:
    """The blockers and flags of one certificate for ``organ_id`` in ``role`` on ``today``."""
    c = certificate.short
    blockers: list[Finding] = []
    flags: list[Finding] = []

    def block(code: Code, message: str) -> None:
        blockers.append(Finding(code, message, certificate.digest))

    if not certificate.certified:
        block(
            Code.NOT_CERTIFIED,
            f"certificate {c} says {certificate.verdict.value}: {certificate.reason}",
        )
    if certificate.party.organ_id != organ_id:
        block(Code.WRONG_AGENCY, f"certificate {c} certifies {certificate.party.organ_id}")
    needed = PROFILES_FOR_ROLE[role]
    if certificate.profile not in needed:
        block(
            Code.WRONG_PROFILE,
            f"certificate {c} is for profile {certificate.profile}; a {role.value} agency needs "
            + " or ".join(needed),
        )
    if certificate.requirement_subset is not None:
        block(
            Code.PARTIAL_RUN,
            f"certificate {c} comes from a partial run of {len(certificate.requirement_subset)} "
            "requirement(s)",
        )
    if certificate.mutant:
        block(
            Code.MUTANT,
            f"certificate {c} is a run of mutant {certificate.mutant!r}, not the vendor's software",
        )
    if require_signature and not certificate.require_signature:
        block(
            Code.SIGNATURE_DROPPED,
            f"certificate {c} comes from a run that did not require signed documents; this "
            "plan requires them (certify with --require-signature yes)",
        )
    if certificate.software.build is None:
        block(
            Code.NO_BUILD,
            f"certificate {c} names no build (the software's /info gave none), so nothing "
            "says the deployed build is the certified one: have the vendor report its build "
            "and certify again",
        )
    if deployment is not None:
        if certificate.software.build is not None and not same_build(
            certificate.software, deployment.software
        ):
            block(
                Code.WRONG_BUILD,
                f"certificate {c} is for {certificate.software.label}; the agency runs "
                f"{deployment.software.label} since {deployment.since}: re-certify that build",
            )
        if certificate.party.system_id != deployment.system_id:
            block(
                Code.WRONG_SYSTEM,
                f"certificate {c} was run through system {certificate.party.system_id}; the "
                f"agency connects through {deployment.system_id}",
            )
    until = certificate.valid_until
    if today < certificate.valid_from:
        block(Code.NOT_YET_VALID, f"certificate {c} is valid from {certificate.valid_from}")
    elif until is not None and today > until:
        ago = (today - until).days
        block(Code.EXPIRED, f"certificate {c} was valid until {until} ({_ago(ago)})")
    elif until is not None and (until - today).days <= WARNING_DAYS:
        left = (until - today).days
        flags.append(
            Finding(
                Code.EXPIRES_SOON,
                f"certificate {c} is valid until {until}: it expires {_days(left)}",
                certificate.digest,
            )
        )
    for waiver in certificate.waivers:
        who = f"waiver for {waiver.requirement} (approved by {waiver.approved_by})"
        if today > waiver.expires:
            block(Code.WAIVER_EXPIRED, f"{who} expired on {waiver.expires}")
        elif (waiver.expires - today).days <= WARNING_DAYS:
            left = (waiver.expires - today).days
            flags.append(
                Finding(
                    Code.WAIVER_EXPIRES_SOON,
                    f"{who} expires on {waiver.expires}, {_days(left)}",
                    certificate.digest,
                )
            )
    if not blockers:
        # Signatures last: the costliest check, only for a certificate that passes the rest.
        verification = verify(certificate, today)
        if not genuine(verification):
            untrusted = verification.status is VerificationStatus.UNTRUSTED
            code = Code.UNTRUSTED if untrusted else Code.INVALID
            block(code, f"certificate {c}: " + "; ".join(verify.reasons(verification)))
    return blockers, flags


def _rank(certificate: Certificate, deployment: Deployment | None) -> tuple[bool, bool, datetime]:
    deployed = deployment is not None and same_build(certificate.software, deployment.software)
    return deployed, certificate.certified, certificate.issued


def agency_readiness(
    organ_id: str,
    role: Role,
    deployment: Deployment | None,
    certificates: Sequence[Certificate],
    *,
    verify: Verifier,
    today: date,
    require_signature: bool = False,
) -> AgencyReadiness:
    """The readiness of ``organ_id`` on ``today`` from its deployment and its certificates."""
    if not certificates:
        what = f" for {deployment.software.label}" if deployment else ""
        blocker = Finding(Code.NO_CERTIFICATE, f"no certificate{what} has been imported")
        return AgencyReadiness(organ_id, role, State.BLOCKED, deployment, None, (blocker,), ())
    if deployment is None:
        blocker = Finding(
            Code.NO_DEPLOYMENT,
            "no deployment recorded: say which build it runs (lienthong board deploy) or import "
            "its certificate with --deploy",
        )
        latest = max(certificates, key=lambda c: c.issued)
        return AgencyReadiness(organ_id, role, State.BLOCKED, None, latest, (blocker,), ())
    judged = []
    for certificate in sorted(certificates, key=lambda c: _rank(c, deployment), reverse=True):
        blockers, flags = judge_certificate(
            certificate,
            organ_id=organ_id,
            role=role,
            deployment=deployment,
            verify=verify,
            today=today,
            require_signature=require_signature,
        )
        if not blockers:
            state = State.EXPIRING if flags else State.READY
            return AgencyReadiness(organ_id, role, state, deployment, certificate, (), tuple(flags))
        judged.append((certificate, blockers, flags))
    certificate, blockers, flags = judged[0]
    return AgencyReadiness(
        organ_id, role, State.BLOCKED, deployment, certificate, tuple(blockers), tuple(flags)
    )


def phase_readiness(
    plan: PhasePlan,
    deployments: Mapping[str, Deployment],
    certificates: Mapping[str, Iterable[Certificate]],
    *,
    verify: Verifier,
    clock: Clock,
) -> PhaseReadiness:
    """Every member's readiness on the Vietnam date of ``clock``."""
    today = vietnam_today(clock)
    return PhaseReadiness(
        plan,
        today,
        tuple(
            agency_readiness(
                m.organ_id,
                m.role,
                deployments.get(m.organ_id),
                tuple(certificates.get(m.organ_id, ())),
                verify=verify,
                today=today,
                require_signature=plan.require_signature,
            )
            for m in plan.members
        ),
    )
