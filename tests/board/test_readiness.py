"""The readiness rules, case by case: when an agency is ready for its phase, why it is blocked,
what is flagged, and when a phase is ready. Every certificate here is really signed and really
verified (an untrusted or edited one fails the signature check, not a flag)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest

from board.certificates import Certificate, Software, TrustedKeys
from board.model import Deployment
from board.plans import PhasePlan, PlanMember, Role
from board.readiness import (
    WARNING_DAYS,
    Code,
    State,
    agency_readiness,
    phase_readiness,
    verifier,
)
from spec.clock import VIETNAM, FixedClock
from tests.board.helpers import (
    BINH_DINH,
    DOCFLOW,
    EOFFICE,
    EOFFICE_NEXT,
    NOW,
    QUANG_NINH,
    TODAY,
    Signer,
    waiver,
)

TRUSTED = Signer()
STRANGER = Signer()
NO_BUILD = replace(EOFFICE, build=None)


def at(year: int, month: int, day: int) -> datetime:
    """Nine in the morning in Hà Nội on that day."""
    return datetime(year, month, day, 9, 0, tzinfo=VIETNAM)


def deployment(software: Software = EOFFICE, system_id: str = BINH_DINH.system_id) -> Deployment:
    return Deployment(BINH_DINH.organ_id, software, system_id, TODAY, NOW, "test")


def judge(
    certificates: list[Certificate],
    *,
    role: Role = Role.TWO_WAY,
    deployed: Deployment | None = None,
    today: date = TODAY,
    require_signature: bool = False,
    trusted: TrustedKeys | None = None,
) -> Any:
    return agency_readiness(
        BINH_DINH.organ_id,
        role,
        deployed if deployed is not None else deployment(),
        certificates,
        verify=verifier(TRUSTED.trusted if trusted is None else trusted),
        today=today,
        require_signature=require_signature,
    )


def edited(certificate: Certificate, **changes: Any) -> Certificate:
    """The certificate with its signed document changed after signing (and the facts with it)."""
    document = dict(certificate.document)
    for key, value in changes.items():
        document[key] = value
    return replace(certificate, document=MappingProxyType(document))


def untrusted_certificate() -> Certificate:
    """A certificate signed by a key nobody trusts (parsed while trusting it)."""
    return STRANGER.certificate()


# (case, certificate facts, judge options, expected state, expected blocker codes)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], State, set[Code]]] = [
    ("certified, valid, right build and profile", {}, {}, State.READY, set()),
    (
        "expired yesterday",
        {"issued": at(2015, 3, 1)},  # twelve months: valid through 29 February 2016
        {},
        State.BLOCKED,
        {Code.EXPIRED},
    ),
    ("expires today: still valid, flagged", {"issued": at(2015, 3, 2)}, {}, State.EXPIRING, set()),
    (
        "judged before it was issued: not valid yet",
        {"issued": NOW + timedelta(days=3)},
        {},
        State.BLOCKED,
        {Code.NOT_YET_VALID},
    ),
    (
        "another build of the same product (a new build needs re-certification)",
        {},
        {"deployed": deployment(EOFFICE_NEXT)},
        State.BLOCKED,
        {Code.WRONG_BUILD},
    ),
    (
        "another product with the same build label",
        {},
        {"deployed": deployment(replace(DOCFLOW, build=EOFFICE.build))},
        State.BLOCKED,
        {Code.WRONG_BUILD},
    ),
    (
        "the software named no build",
        {"software": NO_BUILD},
        {"deployed": deployment(NO_BUILD)},
        State.BLOCKED,
        {Code.NO_BUILD},
    ),
    (
        "run through another connection system",
        {},
        {"deployed": deployment(system_id="00.07.W00")},
        State.BLOCKED,
        {Code.WRONG_SYSTEM},
    ),
    ("NOT CERTIFIED", {"verdict": "NOT CERTIFIED"}, {}, State.BLOCKED, {Code.NOT_CERTIFIED}),
    ("INCOMPLETE", {"verdict": "INCOMPLETE"}, {}, State.BLOCKED, {Code.NOT_CERTIFIED}),
    (
        "receiver-only profile for a two-way agency",
        {"profile": "receiver"},
        {"role": Role.TWO_WAY},
        State.BLOCKED,
        {Code.WRONG_PROFILE},
    ),
    (
        "receiver profile for a receive-only agency",
        {"profile": "receiver"},
        {"role": Role.RECEIVE_ONLY},
        State.READY,
        set(),
    ),
    (
        "sender profile for a receive-only agency",
        {"profile": "sender"},
        {"role": Role.RECEIVE_ONLY},
        State.BLOCKED,
        {Code.WRONG_PROFILE},
    ),
    ("full profile for a send-only agency", {}, {"role": Role.SEND_ONLY}, State.READY, set()),
    (
        "a partial run (requirement subset): never CERTIFIED, and partial",
        {"requirements": ["LC-NO-REPEAT"]},
        {},
        State.BLOCKED,
        {Code.NOT_CERTIFIED, Code.PARTIAL_RUN},
    ),
    ("a mutant run", {"mutant": "repeat-accepted"}, {}, State.BLOCKED, {Code.MUTANT}),
    (
        "signed documents not required, plan requires signatures",
        {"require_signature": False},
        {"require_signature": True},
        State.BLOCKED,
        {Code.SIGNATURE_DROPPED},
    ),
    (
        "a receiver run without signed documents, plan requires signatures",
        {"profile": "receiver"},
        {"role": Role.RECEIVE_ONLY, "require_signature": True},
        State.BLOCKED,
        {Code.SIGNATURE_DROPPED},
    ),
    (
        "signed documents not required, plan does not require them",
        {"require_signature": False},
        {},
        State.READY,
        set(),
    ),
    (
        "a waiver expired (and the certificate with it: it never outlives a waiver)",
        {"issued": at(2016, 1, 4), "waivers": [waiver(TODAY - timedelta(days=1))]},
        {},
        State.BLOCKED,
        {Code.WAIVER_EXPIRED, Code.EXPIRED},
    ),
    (
        "a waiver valid for two more months",
        {"waivers": [waiver(TODAY + timedelta(days=60))]},
        {},
        State.READY,
        set(),
    ),
    (
        "expires within 30 days",
        {"issued": at(2015, 4, 1)},  # valid through 31 March 2016
        {},
        State.EXPIRING,
        set(),
    ),
    (
        "expires in 31 days: not flagged",
        {"issued": at(2015, 4, 2)},
        {},
        State.READY,
        set(),
    ),
]


@pytest.mark.parametrize(
    ("case", "facts", "options", "state", "codes"), CASES, ids=[c[0] for c in CASES]
)
def test_rule(
    case: str, facts: dict[str, Any], options: dict[str, Any], state: State, codes: set[Code]
) -> None:
    result = judge([TRUSTED.certificate(**facts)], **options)
    assert result.state is state, result.blockers
    assert {b.code for b in result.blockers} == codes
    for b in result.blockers:
        assert b.message and b.certificate == result.certificate.digest


def test_untrusted_key_blocks_with_the_signer_named() -> None:
    certificate = untrusted_certificate()
    result = judge([certificate])
    assert result.state is State.BLOCKED
    [blocker] = result.blockers
    assert blocker.code is Code.UNTRUSTED
    assert certificate.signer in blocker.message


def test_a_key_removed_from_the_trusted_keys_blocks_its_certificates() -> None:
    certificate = TRUSTED.certificate()
    assert judge([certificate]).ready
    [blocker] = judge([certificate], trusted=TrustedKeys({})).blockers
    assert blocker.code is Code.UNTRUSTED and "no trusted key at all" in blocker.message


def test_a_certificate_edited_after_signing_is_invalid_even_if_its_facts_look_fine() -> None:
    # A stored document whose signed body was changed (valid until pushed a year on).
    certificate = TRUSTED.certificate(issued=at(2015, 3, 1))
    later = (TODAY + timedelta(days=365)).isoformat()
    forged = edited(certificate, valid_until=later)
    forged = replace(forged, valid_until=TODAY + timedelta(days=365))
    result = judge([forged])
    assert [b.code for b in result.blockers] == [Code.INVALID]
    assert "changed after it was signed" in result.blockers[0].message


def test_flags_name_what_expires() -> None:
    soon = TODAY + timedelta(days=10)
    result = judge([TRUSTED.certificate(waivers=[waiver(soon)])])
    assert result.state is State.EXPIRING and result.ready
    assert [f.code for f in result.flags] == [Code.EXPIRES_SOON, Code.WAIVER_EXPIRES_SOON]
    assert "in 10 days" in result.flags[0].message
    assert "Nguyễn Văn A" in result.flags[1].message


def test_no_certificate_and_no_deployment() -> None:
    none = agency_readiness(
        BINH_DINH.organ_id, Role.TWO_WAY, None, [], verify=verifier(TRUSTED.trusted), today=TODAY
    )
    assert [b.code for b in none.blockers] == [Code.NO_CERTIFICATE]
    undeployed = agency_readiness(
        BINH_DINH.organ_id,
        Role.TWO_WAY,
        None,
        [TRUSTED.certificate()],
        verify=verifier(TRUSTED.trusted),
        today=TODAY,
    )
    assert [b.code for b in undeployed.blockers] == [Code.NO_DEPLOYMENT]


def test_a_certificate_for_another_agency_does_not_count() -> None:
    result = judge([TRUSTED.certificate(party=QUANG_NINH)])
    assert Code.WRONG_AGENCY in {b.code for b in result.blockers}


def test_any_one_good_certificate_makes_it_ready_and_blockers_follow_the_deployed_build() -> None:
    old_build = TRUSTED.certificate(software=EOFFICE, issued=NOW - timedelta(days=200))
    new_failed = TRUSTED.certificate(software=EOFFICE_NEXT, verdict="NOT CERTIFIED")
    # Running the new build: its failed run is what blocks, not the old build's certificate.
    result = judge([old_build, new_failed], deployed=deployment(EOFFICE_NEXT))
    assert result.certificate == new_failed
    assert [b.code for b in result.blockers] == [Code.NOT_CERTIFIED]
    # Re-certified: ready on the new certificate, whatever else is on file.
    fixed = TRUSTED.certificate(software=EOFFICE_NEXT)
    again = judge([old_build, new_failed, fixed], deployed=deployment(EOFFICE_NEXT))
    assert again.ready and again.certificate == fixed


def test_dates_are_vietnam_dates_from_the_clock() -> None:
    # 18:00 UTC on 1 March is already 2 March in Vietnam: a certificate valid through
    # 1 March has expired, whatever the machine's timezone.
    plan = PhasePlan(
        "p", "p", TODAY, TODAY, (PlanMember(BINH_DINH.organ_id, Role.TWO_WAY, TODAY),), "test"
    )
    certificate = TRUSTED.certificate(issued=at(2015, 3, 2))  # valid through 1 March 2016
    deployments = {BINH_DINH.organ_id: deployment()}
    late_utc = FixedClock(datetime(2016, 3, 1, 18, 0, tzinfo=UTC))
    early = FixedClock(datetime(2016, 3, 1, 23, 59, tzinfo=VIETNAM))
    verify = verifier(TRUSTED.trusted)
    assert phase_readiness(
        plan, deployments, {BINH_DINH.organ_id: [certificate]}, verify=verify, clock=early
    ).ready
    blocked = phase_readiness(
        plan, deployments, {BINH_DINH.organ_id: [certificate]}, verify=verify, clock=late_utc
    )
    assert blocked.as_of == date(2016, 3, 2)
    assert [b.code for b in blocked.agencies[0].blockers] == [Code.EXPIRED]


def test_a_phase_is_ready_when_all_members_are_and_lists_blockers_otherwise() -> None:
    members = (
        PlanMember(BINH_DINH.organ_id, Role.TWO_WAY, TODAY),
        PlanMember(QUANG_NINH.organ_id, Role.RECEIVE_ONLY, TODAY),
    )
    plan = PhasePlan("wave", "wave", TODAY, TODAY + timedelta(days=30), members, "test")
    deployments = {
        BINH_DINH.organ_id: deployment(),
        QUANG_NINH.organ_id: Deployment(
            QUANG_NINH.organ_id, EOFFICE, QUANG_NINH.system_id, TODAY, NOW, "t"
        ),
    }
    verify = verifier(TRUSTED.trusted)
    clock = FixedClock(NOW)
    good = {BINH_DINH.organ_id: [TRUSTED.certificate()]}
    half = phase_readiness(plan, deployments, good, verify=verify, clock=clock)
    assert not half.ready and half.state is State.BLOCKED
    assert [a.organ_id for a in half.blocked] == [QUANG_NINH.organ_id]
    assert half.counts() == {State.READY: 1, State.EXPIRING: 0, State.BLOCKED: 1}
    both = {
        **good,
        QUANG_NINH.organ_id: [TRUSTED.certificate(party=QUANG_NINH, profile="receiver")],
    }
    whole = phase_readiness(plan, deployments, both, verify=verify, clock=clock)
    assert whole.ready and whole.state is State.READY and not whole.blocked


def test_the_expiry_cases_sit_on_the_edges_of_the_warning_window() -> None:
    flagged = TRUSTED.certificate(issued=at(2015, 4, 1))
    not_flagged = TRUSTED.certificate(issued=at(2015, 4, 2))
    assert flagged.valid_until is not None and not_flagged.valid_until is not None
    assert (flagged.valid_until - TODAY).days == WARNING_DAYS
    assert (not_flagged.valid_until - TODAY).days == WARNING_DAYS + 1
