"""Tests of spec.business_kinds: the four kinds, their wire digits and words, and parsing."""

from __future__ import annotations

import pytest

from spec.business_kinds import WORDS, BusinessKind, InvalidBusinessKind
from spec.errors import SpecError


def test_the_four_kinds_in_bussinessdoctype_order() -> None:
    assert [(k.name, k.value, k.word) for k in BusinessKind] == [
        ("NEW", "0", "new"),
        ("REVOKE", "1", "revoke"),
        ("UPDATE", "2", "update"),
        ("REPLACE", "3", "replace"),
    ]
    assert WORDS == ("new", "revoke", "update", "replace")
    assert BusinessKind.REVOKE.label == "revoke (thu hồi)"


def test_a_kind_is_its_wire_text() -> None:
    assert BusinessKind.UPDATE == "2" and str(BusinessKind.UPDATE) == "2"
    assert {"2": "found"}[BusinessKind.UPDATE] == "found"
    assert eval(repr(BusinessKind.REPLACE), {"BusinessKind": BusinessKind}) is BusinessKind.REPLACE


@pytest.mark.parametrize("text", ["1", " 1 ", "\t1\n"])
def test_parse_reads_the_wire_text(text: str) -> None:
    assert BusinessKind.parse(text) is BusinessKind.REVOKE


@pytest.mark.parametrize("text", ["", "4", "01", "revoke", "1.0"])
def test_parse_refuses_other_text_naming_the_digits(text: str) -> None:
    with pytest.raises(InvalidBusinessKind, match=r"one of 0, 1, 2, 3") as info:
        BusinessKind.parse(text)
    assert repr(text) in str(info.value)


def test_from_word_reads_the_json_name() -> None:
    assert [BusinessKind.from_word(w) for w in WORDS] == list(BusinessKind)
    with pytest.raises(InvalidBusinessKind, match=r"word='Revoke'.*new, revoke, update, replace"):
        BusinessKind.from_word("Revoke")


def test_invalid_business_kind_is_a_spec_error_and_a_value_error() -> None:
    assert issubclass(InvalidBusinessKind, SpecError)
    assert issubclass(InvalidBusinessKind, ValueError)
