"""Transcript events' JSON: any event of any kind is written as a line its schema accepts and
reads back equal, with the same canonical bytes (Hypothesis, through spec.jsonmap)."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from axis.events import (
    EVENT_TYPES,
    Event,
    EventFormatError,
    EventKind,
    LongHeader,
    Recipient,
    encode_body,
    parse_event,
)
from spec import Finding, Severity, schemas

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
sha256 = st.text("0123456789abcdef", min_size=64, max_size=64)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
findings = st.builds(
    Finding,
    st.from_regex(r"\A[A-Z]{2,5}(-[A-Z0-9]{1,5}){1,2}\Z"),
    st.sampled_from(Severity),
    st.from_regex(r"\A/[A-Za-z]{0,12}\Z"),
    st.text(min_size=1, max_size=12),
)
_ITEMS: dict[Any, st.SearchStrategy[Any]] = {
    str: text,
    LongHeader: st.builds(LongHeader, text, st.integers(0, 10**6), st.integers(0, 10**6), sha256),
    Recipient: st.builds(Recipient, text, text),
    Finding: findings,
}
_VALUES: dict[Any, st.SearchStrategy[Any]] = {
    str: text,
    int: st.integers(0, 2**31),
    float: st.floats(0, 1e6) | st.integers(0, 10**6),
    bool: st.booleans(),
    int | None: st.none() | st.integers(0, 2**31),
    float | None: st.none() | st.floats(0, 1e6) | st.integers(0, 10**6),
    dict[str, str]: st.dictionaries(text, text, max_size=3),
    dict[str, Any]: st.dictionaries(text, json_values, max_size=3),
}


def _values(hint: Any) -> st.SearchStrategy[Any]:
    if typing.get_origin(hint) is tuple:
        return st.lists(_ITEMS[typing.get_args(hint)[0]], max_size=3).map(tuple)
    return _VALUES[hint]


def _bodies(kind: EventKind) -> st.SearchStrategy[Any]:
    cls = EVENT_TYPES[kind]
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: _values(hints[f.name]) for f in dataclasses.fields(cls)})


events = st.sampled_from(EventKind).flatmap(
    lambda kind: st.builds(
        Event,
        st.integers(1, 2**31),
        st.just("2025-03-14T02:30:00.123456Z"),
        _bodies(kind),
        sha256,
        sha256,
    )
)


@given(events)
def test_any_event_validates_against_its_schema_and_reads_back_the_same(event: Event) -> None:
    line = json.dumps(event.to_json())
    schemas.validator("transcript-event").validate(json.loads(line))
    again = parse_event(line)
    assert again == event
    assert encode_body(again.body) == orjson.dumps(
        json.loads(line)["data"], option=orjson.OPT_SORT_KEYS
    )


def test_data_with_a_key_its_kind_does_not_have_is_refused_naming_it() -> None:
    line = {"seq": 1, "ts": "2025-03-14T02:30:00Z", "kind": "duplicate", "prev": "", "hash": ""}
    data = {"op": "sendEdoc", "system": "s", "doc_id": "d", "sha256": "x"}
    assert parse_event({**line, "data": data}).doc_id == "d"
    with pytest.raises(
        EventFormatError, match=r"data of a duplicate event does not fit it: Extra fields.*: size"
    ):
        parse_event({**line, "data": {**data, "size": 3}})
    with pytest.raises(EventFormatError, match=r"expected a string, found 3 \(int\) at \$\.doc_id"):
        parse_event({**line, "data": {**data, "doc_id": 3}})
