"""Tests of spec.status_codes: the nine codes, their attributes, and parsing of StatusCode text."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec.errors import SpecError
from spec.status_codes import FORWARD_PATH, UNUSED_CODES, InvalidStatusCode, Stage, StatusCode
from tests.messages import status_of


def test_the_nine_codes_and_their_names() -> None:
    assert {c.name: c.value for c in StatusCode} == {
        "ARRIVED": "01",
        "REFUSED": "02",
        "ACCEPTED": "03",
        "ASSIGNED": "04",
        "PROCESSING": "05",
        "COMPLETED": "06",
        "TAKE_BACK_REQUESTED": "13",
        "TAKE_BACK_AGREED": "15",
        "TAKE_BACK_REFUSED": "16",
    }


def test_only_13_is_sent_by_the_sender() -> None:
    assert [c.value for c in StatusCode if c.sent_by == "sender"] == ["13"]
    assert all(
        c.sent_by == "receiver" for c in StatusCode if c is not StatusCode.TAKE_BACK_REQUESTED
    )


def test_description_is_needed_for_refusals_and_take_back_requests() -> None:
    assert {c.value for c in StatusCode if c.needs_description} == {"02", "13", "16"}


def test_forward_path_in_order() -> None:
    assert [c.value for c in StatusCode if c.is_forward] == ["01", "03", "04", "05", "06"]
    assert [c.value for c in FORWARD_PATH] == ["01", "03", "04", "05", "06"]


def test_every_code_has_both_meanings() -> None:
    for code in StatusCode:
        assert code.meaning.strip() and code.meaning.isascii(), code
        assert code.meaning_vi.strip() and not code.meaning_vi.isascii(), code
    assert len({c.meaning for c in StatusCode}) == 9
    assert len({c.meaning_vi for c in StatusCode}) == 9


def test_position_is_the_place_in_declaration_order() -> None:
    assert [c.position for c in StatusCode] == list(range(9))


def test_repr_rebuilds_and_str_is_the_wire_text() -> None:
    for code in StatusCode:
        assert eval(repr(code), {"StatusCode": StatusCode}) is code
        assert str(code) == code.value
        assert f"{code}" == code.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01", StatusCode.ARRIVED),
        ("1", StatusCode.ARRIVED),
        (" 01 ", StatusCode.ARRIVED),
        ("\t6\n", StatusCode.COMPLETED),
        ("13", StatusCode.TAKE_BACK_REQUESTED),
        ("15", StatusCode.TAKE_BACK_AGREED),
        ("16", StatusCode.TAKE_BACK_REFUSED),
        ("2", StatusCode.REFUSED),
    ],
)
def test_parse_accepts_the_spellings_of_a_known_code(text: str, expected: StatusCode) -> None:
    assert StatusCode.parse(text) is expected


def test_parse_passes_a_member_through() -> None:
    assert StatusCode.parse(StatusCode.ASSIGNED) is StatusCode.ASSIGNED


@pytest.mark.parametrize("text", [*UNUSED_CODES, "7", " 9 ", "14"])
def test_parse_names_the_unused_codes(text: str) -> None:
    with pytest.raises(InvalidStatusCode) as info:
        StatusCode.parse(text)
    message = str(info.value)
    assert repr(text) in message
    assert "not used" in message
    assert "07–12 and 14" in message
    assert "01, 02, 03, 04, 05, 06, 13, 15, 16" in message


@pytest.mark.parametrize("text", ["", "  ", "00", "001", "99", "x1", "١", "0x1", "1.0", "17"])
def test_parse_refuses_other_text_with_the_list_of_codes(text: str) -> None:
    with pytest.raises(InvalidStatusCode) as info:
        StatusCode.parse(text)
    message = str(info.value)
    assert f"text={text!r}" in message
    assert "01, 02, 03, 04, 05, 06, 13, 15, 16" in message
    assert "not used" not in message


def test_parse_refuses_a_non_string() -> None:
    with pytest.raises(InvalidStatusCode, match=r"text=1\b.*must be a str"):
        StatusCode.parse(1)  # type: ignore[arg-type]


def test_invalid_status_code_is_a_spec_error_and_a_value_error() -> None:
    assert issubclass(InvalidStatusCode, SpecError)
    assert issubclass(InvalidStatusCode, ValueError)


def test_every_real_status_sample_parses_and_matches_its_meaning(realworld_dir: Path) -> None:
    seen = set()
    samples = sorted(realworld_dir.glob("status*.edxml"))
    assert samples, f"no status samples in {realworld_dir}"
    for sample in samples:
        status = status_of(sample.read_bytes())
        code = StatusCode.parse(status.status_code or "")
        seen.add(code)
        description = (status.description or "").casefold()
        assert code.meaning_vi.casefold() in description, (sample.name, description)
    assert seen == set(StatusCode)


def test_each_code_has_a_stage_and_the_forward_path_is_its_forward_stages() -> None:
    assert {c.value: c.stage for c in StatusCode} == {
        "01": Stage.PROGRESS,
        "02": Stage.REFUSED,
        "03": Stage.PROGRESS,
        "04": Stage.PROGRESS,
        "05": Stage.PROGRESS,
        "06": Stage.COMPLETED,
        "13": Stage.TAKE_BACK_ASKED,
        "15": Stage.TAKE_BACK_AGREED,
        "16": Stage.TAKE_BACK_REFUSED,
    }
    assert all(c.is_forward == c.stage.is_forward for c in StatusCode)
    assert [c for c in StatusCode if c.stage.answers_take_back] == [
        StatusCode.TAKE_BACK_AGREED,
        StatusCode.TAKE_BACK_REFUSED,
    ]


def test_short_names_and_labels_are_distinct_and_lead_with_the_code() -> None:
    assert len({c.short for c in StatusCode}) == len(StatusCode)
    for code in StatusCode:
        assert code.short.isascii() and code.short == code.short.strip().lower(), code
        assert code.label == f"{code.value} {code.short}"
    assert StatusCode.COMPLETED.label == "06 completed"
    assert StatusCode.TAKE_BACK_REQUESTED.label == "13 take-back requested"


def test_the_unused_codes_are_the_gaps_below_the_highest_code() -> None:
    assert UNUSED_CODES == ("07", "08", "09", "10", "11", "12", "14")
    used = {c.value for c in StatusCode}
    assert set(UNUSED_CODES) | used == {f"{n:02d}" for n in range(1, 17)}
