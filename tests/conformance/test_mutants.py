"""The honesty gate of the conformance suite: every mutant of the catalogue (the reference SUT
with one deliberate defect) must be NOT CERTIFIED, failing the requirements it declares.

Each mutant is certified on the tests that verify its declared requirements (a focused run of
the real suite against the real reference SUT over a real axis), so the whole catalogue fits
in CI; ``python -m bench conformance_bench`` times the full-profile sweep. A change to the
suite that lets any mutant through fails here.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from conformance.certify import EXIT_NOT_CERTIFIED, run
from conformance.mutants import MUTANTS, Mutant, UnknownMutant, mutant
from conformance.profiles import profile
from conformance.reference.__main__ import build_parser
from conformance.reference.behaviour import DEFECTS
from conformance.settings import CertifySettings
from reports.model import Verdict
from tests.side_by_side import side_by_side

FAMILIES = ("transport", "receiving", "sending", "flows", "robustness", "security")


def test_the_catalogue_has_at_least_twenty_named_mutants() -> None:
    names = [m.name for m in MUTANTS]
    assert len(MUTANTS) >= 20
    assert len(set(names)) == len(names), [n for n, c in Counter(names).items() if c > 1]


def test_every_family_of_sut_behaviour_has_mutants() -> None:
    covered = Counter(m.family for m in MUTANTS)
    assert set(FAMILIES) <= set(covered), sorted(set(FAMILIES) - set(covered))
    assert set(covered) <= set(FAMILIES)


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.name)
def test_a_mutant_fails_only_requirements_of_its_profile(m: Mutant) -> None:
    assert set(m.defects) <= set(DEFECTS)
    outside = [i for i in m.fails if not profile(m.profile).covers(i)]
    assert not outside, f"{m.name} declares {outside} outside profile {m.profile!r}"
    assert m.behaviour.defects == m.defects


def test_one_name_per_defect_across_the_reference_sut_and_the_catalogue() -> None:
    """A mutant is called by its defect's name, which the reference SUT's --defect takes as
    is; every name is kebab case."""
    parser = build_parser()
    for m in MUTANTS:
        assert m.name in DEFECTS and m.defects == (m.name,)
        assert parser.parse_args(["--defect", m.name]).defect == [m.name]
        assert m.description == DEFECTS[m.name]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in DEFECTS)
    with pytest.raises(SystemExit):
        parser.parse_args(["--defect", "repeat_accepted"])


def test_an_unknown_mutant_is_refused_with_the_known_names() -> None:
    with pytest.raises(UnknownMutant, match="skip-arrived"):
        mutant("no-such-defect")


Certified = tuple[str, Verdict | None, tuple[str, ...], int, str]


def _certify(m: Mutant, out: Path) -> Certified:
    result = run(
        CertifySettings(
            adapter="reference",
            profile=m.profile,
            mutant=m.name,
            requirements=m.fails,
            exploration_examples=0,
            out_dir=out,
        )
    )
    return m.name, result.verdict, tuple(result.failed), result.exit_code, result.message


@pytest.mark.slow
@side_by_side(*(partial(_certify, m) for m in MUTANTS))
def test_the_suite_certifies_no_mutant(ran: list[Certified]) -> None:
    """Every mutant on the tests of its declared requirements, NOT CERTIFIED on each of them.
    A certification mostly waits (for the SUT's polls, in model time): the runs go side by
    side, each in a process of its own."""
    escaped = []
    for m, (name, verdict, failed, exit_code, message) in zip(MUTANTS, ran, strict=True):
        missing = sorted(set(m.fails) - set(failed))
        if verdict is not Verdict.NOT_CERTIFIED or missing or exit_code != EXIT_NOT_CERTIFIED:
            escaped.append(f"{name} escaped {missing}: failed only {failed} ({message})")
    assert not escaped, "\n".join(escaped)
