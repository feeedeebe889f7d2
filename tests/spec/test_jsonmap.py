"""spec.jsonmap: how dataclasses map to JSON and back, and what reading refuses."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec import Finding, Severity, schemas
from spec.clock import VIETNAM
from spec.jsonmap import NAN_AS_NULL, Codec, JsonMapError, JsonMapped, Layout, camel, write
from spec.status_codes import StatusCode


class RecordError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Item(JsonMapped):
    json_layout: ClassVar[Layout] = Layout(keys=camel, omit_none=True)

    organ_id: str
    when: datetime
    code: StatusCode = StatusCode.ARRIVED
    note: str | None = None

    def __post_init__(self) -> None:
        if self.organ_id == "bad":
            raise RecordError(f"organ_id={self.organ_id!r} is refused")


@dataclass(frozen=True, slots=True)
class Record(JsonMapped):
    json_layout: ClassVar[Layout] = Layout(
        tags={"format": "record/1"},
        rename={"items": "entries"},
        codecs={"ratio": NAN_AS_NULL},
        extra={"count": lambda r: len(r.items)},
        verify_extra=True,
        order=("format", "name", "count", "entries", "ratio", "day", "tags", "blob", "path"),
        missing={"ratio": None},
        error=RecordError,
        what="record",
    )

    name: str
    items: tuple[Item, ...]
    ratio: float
    day: date
    tags: frozenset[str] = frozenset()
    blob: bytes = b""
    path: Path = Path("a/b")


def _record() -> Record:
    when = datetime(2025, 3, 14, 9, 30, tzinfo=VIETNAM)
    return Record(
        "r",
        (Item("000.00.00.H41", when), Item("000.00.00.H42", when, StatusCode.COMPLETED, "x")),
        math.nan,
        date(2025, 3, 14),
        frozenset({"b", "a"}),
        b"\x00\xff",
    )


def test_values_are_written_as_json_and_keys_as_the_layout_says() -> None:
    data = _record().to_json()
    assert list(data) == [
        "format",
        "name",
        "count",
        "entries",
        "ratio",
        "day",
        "tags",
        "blob",
        "path",
    ]
    assert data["entries"][0] == {
        "organId": "000.00.00.H41",
        "when": "2025-03-14T09:30:00+07:00",
        "code": "01",
    }
    assert data["entries"][1]["note"] == "x" and data["entries"][1]["code"] == "06"
    assert (data["count"], data["ratio"], data["day"]) == (2, None, "2025-03-14")
    assert (data["tags"], data["blob"], data["path"]) == (["a", "b"], "AP8=", "a/b")
    assert json.loads(json.dumps(data)) == data


def test_what_was_written_reads_back_equal() -> None:
    record = _record()
    again = Record.from_json(json.loads(json.dumps(record.to_json())))
    assert again.items == record.items and math.isnan(again.ratio)
    assert again.to_json() == record.to_json()
    assert again.items[0].when.utcoffset() == timedelta(hours=7)


def test_a_key_left_out_takes_the_default_or_the_layouts_missing_value() -> None:
    data = _record().to_json()
    del data["tags"], data["ratio"]
    again = Record.from_json(data)
    assert again.tags == frozenset() and math.isnan(again.ratio)


@dataclass(frozen=True, slots=True)
class Measure(JsonMapped):
    value: float


def test_an_integer_written_for_a_number_is_kept_so_it_is_written_again_the_same() -> None:
    assert Measure.from_json({"value": 3}).to_json() == {"value": 3}
    assert json.dumps(Measure.from_json({"value": 3}).to_json()) == '{"value": 3}'
    assert json.dumps(Measure.from_json({"value": 3.0}).to_json()) == '{"value": 3.0}'
    ratio = Record.from_json({**_record().to_json(), "ratio": 3}).ratio
    assert type(ratio) is float  # NAN_AS_NULL: NaN or a float


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": 3}, r"expected a string, found 3 \(int\) at \$\.name"),
        ({"ratio": True}, r"expected a number, found True \(bool\) at \$\.ratio"),
        ({"day": "14/03/2025"}, r"Invalid isoformat string.* at \$\.day"),
        ({"blob": "not base64!"}, r"expected base64.* at \$\.blob"),
        ({"entries": [{"organId": "x"}]}, r"required field missing at \$\.entries\[0\]\.when"),
        (
            {"entries": [{"organId": "x", "when": "2025-03-14T09:30:00+07:00", "code": "07"}]},
            r"at \$\.entries\[0\]\.code",
        ),
        (
            {"entries": [{"organId": "bad", "when": "2025-03-14T09:30:00+07:00"}]},
            r"organ_id='bad' is refused at \$\.entries\[0\]",
        ),
        ({"format": "record/2"}, r"not a record this harness reads: format='record/2'"),
        ({"count": 5}, r"stored count 5 is not what its other fields give \(2\)"),
    ],
)
def test_data_that_does_not_fit_is_refused_naming_the_key(change: dict, message: str) -> None:
    data = {**_record().to_json(), **change}
    with pytest.raises(RecordError, match=message):
        Record.from_json(data)


def test_a_caller_names_where_the_data_came_from() -> None:
    with pytest.raises(RecordError, match=r"^'r\.json': expected an object, found \[\] \(list\)"):
        Record.from_json([], where="'r.json'")
    with pytest.raises(JsonMapError, match=r"^Item: required field missing at \$\.when"):
        Item.from_json({"organId": "x"})


def test_enums_of_strings_are_read_as_members_and_strictly() -> None:
    finding = Finding("MSG-SUBJECT-REQUIRED", Severity.ERROR, "/", "no subject")
    assert Finding.from_json(finding.to_json()).severity is Severity.ERROR
    with pytest.raises(JsonMapError, match=r"at \$\.severity"):
        Finding.from_json({**finding.to_json(), "severity": "fatal"})


@dataclass(frozen=True, slots=True)
class Unmapped:
    secret: str
    name: str
    when: datetime = field(default_factory=lambda: datetime(2025, 1, 1, tzinfo=UTC))


def test_a_class_that_cannot_subclass_is_written_with_its_layout() -> None:
    layout = Layout(omit=("secret",), extra={"upper": lambda u: u.name.upper()})
    assert write(Unmapped("s", "n"), layout) == {
        "name": "n",
        "when": "2025-01-01T00:00:00+00:00",
        "upper": "N",
    }


def test_a_layout_that_names_no_field_is_a_programming_error() -> None:
    @dataclass
    class Odd(JsonMapped):
        json_layout: ClassVar[Layout] = Layout(rename={"nope": "x"})
        a: int = 0

    with pytest.raises(TypeError, match=r"rename names no field: \{'nope'\}"):
        Odd().to_json()

    @dataclass
    class Unordered(JsonMapped):
        json_layout: ClassVar[Layout] = Layout(order=("a",))
        a: int = 0
        b: int = 0

    with pytest.raises(TypeError, match=r"order must list every key written: missing \['b'\]"):
        Unordered().to_json()


def test_camel_case_keys() -> None:
    assert [camel(n) for n in ("organ_id", "from_", "axis_doc_ids", "to")] == [
        "organId",
        "from",
        "axisDocIds",
        "to",
    ]


def test_a_codec_writes_and_reads_one_field() -> None:
    @dataclass
    class Scaled(JsonMapped):
        json_layout: ClassVar[Layout] = Layout(
            codecs={"x": Codec(lambda v: v * 10, lambda v: v / 10)}
        )
        x: float

    assert Scaled(1.5).to_json() == {"x": 15.0}
    assert Scaled.from_json({"x": 15.0}) == Scaled(1.5)


_REQ_ID = st.from_regex(r"\A[A-Z][A-Z0-9]{0,5}(-[A-Z0-9]{1,5}){1,3}\Z")
findings = st.builds(
    Finding,
    req_id=_REQ_ID,
    severity=st.sampled_from(Severity),
    path=st.from_regex(r"\A/[A-Za-z0-9/\[\]]{0,30}\Z"),
    message=st.text(min_size=1, max_size=40),
)


@given(findings)
def test_a_finding_validates_against_its_schema_and_reads_back_equal(finding: Finding) -> None:
    data = json.loads(json.dumps(finding.to_json()))
    schemas.validator("finding").validate(data)
    assert Finding.from_json(data) == finding
