"""Tests of spec.organ_ids: both grammars, levels, tiers, parents, the form mapping, the reasons
given for real-world odd ids, explain() and the `lienthong ids explain` command."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lienthong import cmd_ids
from lienthong.cmd_ids import fixture_name
from spec.errors import InvalidOrganId
from spec.organ_ids import (
    LEVEL_WIDTHS,
    SYSTEM_SERIALS,
    IdForm,
    OrganId,
    Tier,
    compose,
    explain,
    organ_id_problem,
    parse_organ_id,
    recipient_problem,
    system_id_for,
)

# --- strategies -------------------------------------------------------------------------------

letters = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
level1_codes = st.builds(lambda a, n: f"{a}{n:02d}", letters, st.integers(1, 99)).filter(
    lambda code: code != "W00"
)


@st.composite
def sub_levels(draw: st.DrawFn) -> tuple[str, ...]:
    """Codes of levels 2..k (k = 1..4), the deepest used, intermediate ones possibly unused."""
    depth = draw(st.integers(0, 3))
    widths = (2, 2, 3)[:depth]
    codes = [draw(st.integers(0, 10**w - 1).map(f"{{:0{w}d}}".format)) for w in widths[:-1]]
    if depth:
        codes.append(draw(st.integers(1, 10 ** widths[-1] - 1).map(f"{{:0{widths[-1]}d}}".format)))
    return tuple(codes)


def reason(problem: str | None) -> str:
    """The reason a check gave; the test fails when it found nothing wrong."""
    assert problem is not None
    return problem


def qcvn_text(level1: str, levels: tuple[str, ...]) -> str:
    mm, kk, lll = [*levels, None, None, None][:3]
    return f"{lll or '000'}.{kk or '00'}.{mm or '00'}.{level1}"


qcvn_ids = st.builds(qcvn_text, level1_codes, sub_levels())
qd20_ids = st.builds(lambda l1, levels: ".".join((l1, *levels)), level1_codes, sub_levels())


# --- the grammars, as properties ---------------------------------------------------------------


@given(level1_codes, sub_levels())
def test_every_qcvn102_id_parses_to_its_parts(level1: str, levels: tuple[str, ...]) -> None:
    oid = parse_organ_id(qcvn_text(level1, levels))
    assert oid.form is IdForm.QCVN102
    assert oid.level1 == level1
    assert oid.levels == levels
    assert oid.level == 1 + len(levels)
    assert not oid.is_connection_system
    assert organ_id_problem(oid.text) is None


@given(qcvn_ids)
def test_forms_round_trip(text: str) -> None:
    oid = parse_organ_id(text)
    qd20 = oid.to_qd20()
    assert qd20.form is IdForm.QD20
    assert parse_organ_id(qd20.text) == qd20
    assert qd20.key == oid.key
    assert qd20.to_qcvn102() == oid
    assert len(qd20.text) <= 35


@given(qd20_ids)
def test_every_qd20_id_parses_and_maps_back(text: str) -> None:
    oid = parse_organ_id(text)
    assert oid.form is IdForm.QD20
    assert oid.to_qcvn102().to_qd20() == oid


@given(st.one_of(qcvn_ids, qd20_ids))
def test_parent_chain_ends_at_level_1(text: str) -> None:
    oid: OrganId | None = parse_organ_id(text)
    seen = []
    while oid is not None:
        seen.append(oid)
        assert parse_organ_id(oid.text) == oid
        oid = oid.parent
    top = seen[-1]
    assert top.level == 1
    assert top.level1 == seen[0].level1
    assert all(p.form is seen[0].form for p in seen)
    assert [o.level for o in seen] == sorted((o.level for o in seen), reverse=True)
    assert len({o.level for o in seen}) == len(seen)


@given(st.one_of(qcvn_ids, qd20_ids))
def test_tier_follows_letter_and_level(text: str) -> None:
    oid = parse_organ_id(text)
    if oid.level1[0] in "HK":
        expected = {1: Tier.PROVINCE, 2: Tier.DISTRICT}.get(oid.level, Tier.COMMUNE)
    else:
        expected = Tier.CENTRAL
    assert oid.tier is expected


@given(st.text(max_size=40))
def test_any_text_gets_an_answer_never_a_crash(text: str) -> None:
    problem = organ_id_problem(text)
    if problem is None:
        assert parse_organ_id(text).text == text
    else:
        assert isinstance(problem, str) and problem
        with pytest.raises(InvalidOrganId, match=re.escape(problem)):
            parse_organ_id(text)


@given(qcvn_ids)
def test_lowercase_ids_are_refused_with_that_reason(text: str) -> None:
    assert "lowercase" in reason(organ_id_problem(text.lower()))


@given(qcvn_ids, st.sampled_from([" ", "\t", "\n"]))
def test_whitespace_around_is_refused(text: str, space: str) -> None:
    assert "whitespace around" in reason(organ_id_problem(space + text))
    assert "whitespace around" in reason(organ_id_problem(text + space))


# --- the real-world ids ------------------------------------------------------------------------

ODD_IDS = {
    "vxp.saas.03": "has lowercase letters",
    "28.22.H17": "has three groups; QCVN 102 needs four",
    "01.02.G22": "has three groups; QCVN 102 needs four",
    "001.00.20.JB2": "level-1 code 'JB2' has a 2-letter group",
    "": "organ id is empty",
    " 000.00.00.H44": "has whitespace around it",
    "000.00.00.H44 ": "has whitespace around it",
    "000.00 .00.H44": "contains whitespace",
    "000.00.00.H00": "has number 00",
    "0000.00.00.H44": "the level-4 group LLL is '0000'; it must be 3 digits",
    "000.4.24.H44": "the level-3 group KK is '4'; it must be 2 digits",
    "000.00.2A.H44": "the level-2 group MM is '2A'",
    "000.00.00.00.H44": "has five groups",
    "000..00.H44": "has an empty group",
    "000-00-00-H44": "contains '-'",
    "H44.24.00": "ends in an unused level '00'",
    "H44.01.02.003.04": "has 5 levels",
    "H44." + "1" * 32: "is 36 characters long; at most 35 are allowed",
    "000.00.00.H44" * 3: "is 39 characters long",
    "W00": "ends in W00 (a connection system) but is not of the form",
}


@pytest.mark.parametrize(("text", "reason"), ODD_IDS.items())
def test_odd_ids_get_a_precise_reason(text: str, reason: str) -> None:
    problem = organ_id_problem(text)
    assert problem is not None and reason in problem
    assert repr(text) in problem or text == ""
    with pytest.raises(InvalidOrganId, match=re.escape(reason)):
        parse_organ_id(text)


@pytest.mark.parametrize(
    ("text", "level1", "levels", "tier", "parent"),
    [
        ("000.00.00.G22", "G22", (), Tier.CENTRAL, None),
        ("000.00.00.H41", "H41", (), Tier.PROVINCE, None),
        ("000.00.15.H51", "H51", ("15",), Tier.DISTRICT, "000.00.00.H51"),
        ("000.46.24.H44", "H44", ("24", "46"), Tier.COMMUNE, "000.00.24.H44"),
        ("002.00.20.H13", "H13", ("20", "00", "002"), Tier.COMMUNE, "000.00.20.H13"),
        ("000.46.00.H44", "H44", ("00", "46"), Tier.COMMUNE, "000.00.00.H44"),
        ("001.02.03.G12", "G12", ("03", "02", "001"), Tier.CENTRAL, "000.02.03.G12"),
        ("H44.24.46", "H44", ("24", "46"), Tier.COMMUNE, "H44.24"),
        ("H13.20.00.002", "H13", ("20", "00", "002"), Tier.COMMUNE, "H13.20"),
        ("K44.05", "K44", ("05",), Tier.DISTRICT, "K44"),
        ("A01", "A01", (), Tier.CENTRAL, None),
    ],
)
def test_valid_ids_and_their_parts(
    text: str, level1: str, levels: tuple[str, ...], tier: Tier, parent: str | None
) -> None:
    oid = parse_organ_id(text)
    assert (oid.level1, oid.levels, oid.tier) == (level1, levels, tier)
    assert (oid.parent.text if oid.parent else None) == parent
    assert recipient_problem(text) is None


def test_a_skipped_level_maps_between_forms() -> None:
    assert parse_organ_id("002.00.20.H13").to_qd20().text == "H13.20.00.002"
    assert parse_organ_id("H44.24.46").to_qcvn102().text == "000.46.24.H44"
    assert parse_organ_id("G12").to_qcvn102().text == "000.00.00.G12"


def test_a_qd20_id_with_wider_codes_has_no_qcvn102_form() -> None:
    oid = parse_organ_id("H44.A1.123")
    assert oid.level == 3
    with pytest.raises(InvalidOrganId, match=r"level-2 code 'A1' is not 2 digits"):
        oid.to_qcvn102()


def test_realworld_sample_ids_are_judged(realworld_dir: Path) -> None:
    found = set()
    for path in realworld_dir.glob("*.edxml"):
        text = path.read_text("utf-8", errors="replace")
        found |= set(re.findall(r"<(?:\w+:)?OrganId>([^<]*)</", text))
    invalid = {t for t in found if organ_id_problem(t)}
    assert invalid == {"", "28.22.H17", "01.02.G22", "001.00.20.JB2"}
    assert {"000.00.00.G22", "002.00.20.H13", "000.00.15.H51"} <= found - invalid


# --- connection systems ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "owner", "tier"),
    [
        ("00.53.W00", "H53", Tier.PROVINCE),
        ("02.29.W00", "G29", Tier.CENTRAL),
        ("09.29.W00", None, Tier.CENTRAL),
        ("000.00.00.W00", None, Tier.CENTRAL),
    ],
)
def test_connection_systems_are_ids_but_never_recipients(
    text: str, owner: str | None, tier: Tier
) -> None:
    oid = parse_organ_id(text)
    assert oid.is_connection_system
    assert organ_id_problem(text) is None
    assert "connection system" in reason(recipient_problem(text))
    assert (oid.system_owner, oid.tier, oid.parent) == (owner, tier, None)
    assert oid.to_qcvn102() is oid
    with pytest.raises(InvalidOrganId, match="no QĐ 20 form"):
        oid.to_qd20()


@given(level1_codes.filter(lambda code: code[0] in SYSTEM_SERIALS))
def test_system_id_for_names_the_owner(level1: str) -> None:
    system = parse_organ_id(system_id_for(level1))
    assert system.is_connection_system
    assert system.system_owner == level1


@pytest.mark.parametrize("bad", ["Z12", "H4", "h44", "W00x"])
def test_system_id_for_refuses_what_has_no_serial(bad: str) -> None:
    with pytest.raises(InvalidOrganId, match=re.escape(f"level1={bad!r}")):
        system_id_for(bad)


def test_huge_input_gets_a_short_reason() -> None:
    problem = organ_id_problem("1" * 10**6)
    assert problem is not None and "1000000 characters long" in problem
    assert len(problem) < 200


def test_recipient_problem_passes_grammar_problems_through() -> None:
    assert recipient_problem("28.22.H17") == organ_id_problem("28.22.H17")


# --- odds and ends -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 44, b"000.00.00.H44"])
def test_non_strings_get_a_reason(value: object) -> None:
    assert "must be a string" in reason(organ_id_problem(value))  # type: ignore[arg-type]
    with pytest.raises(InvalidOrganId, match="must be a string"):
        parse_organ_id(value)  # type: ignore[arg-type]


@given(st.one_of(qcvn_ids, qd20_ids))
def test_repr_rebuilds_the_id(text: str) -> None:
    oid = parse_organ_id(text)
    assert eval(repr(oid), {"parse_organ_id": parse_organ_id}) == oid


def test_spec_does_not_import_fixtures() -> None:
    code = "import sys, spec.organ_ids; print(any(m.startswith('fixtures') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_explain_a_valid_id_names_every_part_and_the_agency() -> None:
    text = explain("000.00.05.H24", name_of=fixture_name)
    assert "valid organ id" in text
    assert "QCVN 102" in text
    assert "thành phố Hà Nội" in text
    assert "tier:          district (syntactic)" in text
    assert "parent:        000.00.00.H24" in text
    assert "other form:    H24.05" in text
    assert "Sở Tài chính thành phố Hà Nội (tier province)" in text


def test_explain_a_system_and_an_invalid_id() -> None:
    assert "owner:         H53 — Ủy ban nhân dân tỉnh Tây Ninh" in explain(
        "00.53.W00", name_of=fixture_name
    )
    assert "never an agency or a recipient" in explain("00.53.W00", name_of=fixture_name)
    text = explain("28.22.H17", name_of=fixture_name)
    assert text.startswith("'28.22.H17': not a valid organ id")
    assert reason(organ_id_problem("28.22.H17")) in text


# --- `lienthong ids explain` -------------------------------------------------------------------


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lienthong")
    cmd_ids.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_explains_a_valid_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["ids", "explain", "H44.24"]) == 0
    out = capsys.readouterr().out
    assert "other form:    000.00.24.H44" in out


@pytest.mark.parametrize("text", ["vxp.saas.03", "", " 000.00.00.H44", "001.00.20.JB2"])
def test_cli_gives_the_reason_and_exit_1_for_an_invalid_id(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["ids", "explain", text]) == 1
    captured = capsys.readouterr()
    assert reason(organ_id_problem(text)) in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_cli_has_help_texts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli(["ids", "explain", "--help"])
    assert exit_info.value.code == 0
    assert "Exit status 0 when the id is valid" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("args", "qcvn", "qd20"),
    [
        (("H44",), "000.00.00.H44", "H44"),
        (("H44", 24), "000.00.24.H44", "H44.24"),
        (("H44", 24, 46), "000.46.24.H44", "H44.24.46"),
        (("H44", "24", "46"), "000.46.24.H44", "H44.24.46"),
        (("H13", 20, 0, 2), "002.00.20.H13", "H13.20.00.002"),
        (("G01", 0, 0), "000.00.00.G01", "G01"),
    ],
)
def test_compose_writes_both_forms_of_what_parse_reads(
    args: tuple[str, ...], qcvn: str, qd20: str
) -> None:
    assert compose(*args) == qcvn
    assert compose(*args, form=IdForm.QD20) == qd20
    parsed = parse_organ_id(qcvn)
    assert parsed.key == parse_organ_id(qd20).key
    assert parsed.to_qd20().text == qd20


@given(
    st.sampled_from(["G12", "H44", "K01", "A03"]),
    st.lists(st.integers(0, 99), max_size=2),
    st.integers(0, 999),
)
def test_compose_round_trips_through_parse(level1: str, upper: list[int], lll: int) -> None:
    codes = [*upper, lll] if len(upper) == 2 else upper
    text = compose(level1, *codes)
    parsed = parse_organ_id(text)
    assert parsed.form is IdForm.QCVN102 and parsed.level1 == level1
    widths = [LEVEL_WIDTHS[level] for level in range(2, 2 + len(codes))]
    written = [f"{c:0{w}d}" for c, w in zip(codes, widths, strict=True)]
    while written and not written[-1].strip("0"):
        written.pop()
    assert parsed.levels == tuple(written)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("h44",), "not one letter and two digits"),
        (("H00",), "number 00"),
        (("H44", 100), "level-2 code 100 must be 2 digits"),
        (("H44", 1, 2, 1000), "level-4 code 1000 must be 3 digits"),
        (("H44", -1), "level-2 code -1"),
        (("H44", "2a"), "level-2 code '2a'"),
        (("H44", 1, 2, 3, 4), "at most 3 levels"),
    ],
)
def test_compose_refuses_what_the_grammar_does_not_allow(
    args: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(InvalidOrganId, match=re.escape(reason)):
        compose(*args)
