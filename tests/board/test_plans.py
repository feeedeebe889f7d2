"""Phase plans: the shipped ones from the fixtures, and the office's own in YAML, validated by
the JSON Schema and against the agency registry, every problem named with its line."""

from __future__ import annotations

from datetime import date

import pytest

from board.errors import PlanError
from board.plans import Role, parse_plan, shipped_plans
from fixtures.agencies import lookup, phases


def known(organ_id: str) -> str | None:
    agency = lookup(organ_id)
    return agency.organ_id if agency else None


GOOD = """\
name: wave-2026-a
title: Provinces of the northern midlands
start: 2026-01-05
end: 2026-02-27
require_signature: true
members:
  - 000.00.00.H44
  - {id: H41, role: receive-only, date: 2026-01-19}
  - id: 000.00.00.G12
    role: send-only
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "wave.yaml", known)
    assert "wave.yaml" in str(caught.value)
    return list(caught.value.problems)


def test_the_shipped_plans_are_the_fixture_phases() -> None:
    plans = {p.name: p for p in shipped_plans()}
    assert list(plans) == [p.name for p in phases()]
    assert {"pilot-2015", "phase-1-2016", "phase-2-2016", "qd676-wave-1", "qd676-wave-2"} <= set(
        plans
    )
    phase1 = plans["phase-1-2016"]
    assert len(phase1.members) == 30 and phase1.shipped
    assert {m.role for m in phase1.members} == {Role.TWO_WAY}
    assert {m.planned for m in phase1.members} == {date(2016, 3, 25)}
    assert sum(m.derived for m in plans["phase-2-2016"].members) == 17


def test_a_good_plan() -> None:
    plan = parse_plan(GOOD, "wave.yaml", known)
    assert plan.name == "wave-2026-a" and plan.require_signature and not plan.shipped
    assert [(m.organ_id, m.role, m.planned) for m in plan.members] == [
        ("000.00.00.H44", Role.TWO_WAY, date(2026, 1, 5)),
        ("000.00.00.H41", Role.RECEIVE_ONLY, date(2026, 1, 19)),  # QĐ 20 form, resolved
        ("000.00.00.G12", Role.SEND_ONLY, date(2026, 1, 5)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("title:", "titel:"),
            "(top) (line 1): Additional properties are not allowed ('titel'",
        ),
        (
            GOOD.replace("start: 2026-01-05", "start: 5/1/2026"),
            "start (line 3): '5/1/2026' is not a date written YYYY-MM-DD",
        ),
        (
            GOOD.replace("end: 2026-02-27", "end: 2026-02-30"),
            "end (line 4): '2026-02-30' is not a calendar date",
        ),
        (
            GOOD.replace("end: 2026-02-27", "end: 2025-12-31"),
            "end (line 4): 2025-12-31 is before start 2026-01-05",
        ),
        (
            GOOD.replace("name: wave-2026-a", "name: Wave A"),
            "name (line 1): 'Wave A' must be lowercase",
        ),
        (
            GOOD.replace("000.00.00.H44", "000.00.00.H99"),
            "members[0] (line 7): '000.00.00.H99' is a valid id but no agency",
        ),
        (
            GOOD.replace("000.00.00.H44", "00.44.W00"),
            "members[0] (line 7): organ id '00.44.W00' names a connection system",
        ),
        (GOOD.replace("000.00.00.H44", "H4"), "members[0] (line 7):"),
        (
            GOOD.replace("000.00.00.H44", "H41"),
            "members[1].id (line 8): '000.00.00.H41' is listed twice (also members[0])",
        ),
        (
            GOOD.replace("date: 2026-01-19", "date: 2026-03-19"),
            "members[1].date (line 8): 2026-03-19 is outside the window 2026-01-05..2026-02-27",
        ),
        (
            GOOD.replace("role: send-only", "role: sender"),
            "members[2].role (line 10): 'sender' is not one of",
        ),
        (
            GOOD.replace("role: send-only", "roles: send-only"),
            "members[2] (line 9): Additional properties are not allowed ('roles'",
        ),
        ("name: x\nstart: 2026-01-01\n", "(top) (line 1): 'end' is a required property"),
        ("", "the file is empty"),
        ("name: [", "not valid YAML"),
    ],
    ids=[
        "unknown key",
        "bad date form",
        "impossible date",
        "end before start",
        "bad name",
        "unknown agency",
        "system id",
        "bad id",
        "listed twice",
        "date outside window",
        "bad role",
        "unknown member key",
        "missing keys",
        "empty",
        "not yaml",
    ],
)
def test_plan_errors_say_what_and_where(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def test_every_problem_is_listed_at_once() -> None:
    text = GOOD.replace("000.00.00.H44", "000.00.00.H99").replace(
        "date: 2026-01-19", "date: 2027-01-01"
    )
    found = problems(text)
    assert len(found) == 2, found
