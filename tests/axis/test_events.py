"""The transcript's typed events: one dataclass per kind, in agreement with the JSON Schema of a
transcript line, written by every path (VXP calls, admin actions, seeding, faults) in a form
that validates and reads back to the same event."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from axis import AxisConfig, Forbidden, RunningAxis, Unroutable, running_axis
from axis.events import (
    EVENT_TYPES,
    CallEvent,
    EventFormatError,
    EventKind,
    encode_body,
    parse_event,
)
from axis.signing import HeaderMap, format_sdk_timestamp
from axis.testing import Documents
from spec import schemas
from spec.clock import wall_time

ROOT = Path(__file__).resolve().parents[2]
VPCP, NGHE_AN = "02.22.W00", "00.41.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"


@pytest.fixture(scope="module")
def transcript() -> Iterator[list[str]]:
    """A transcript where every kind of event happened at least once."""
    docs = Documents(seed=3)
    with running_axis(AxisConfig(seed=3, tolerate_8bit_headers=True)) as axis:
        _exercise(axis, docs)
        with axis.admin() as admin:
            yield admin.transcript().splitlines()


def _exercise(axis: RunningAxis, docs: Documents) -> None:
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN, carry_stale_headers=True) as nghe_an:
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))
        second = vpcp.send_edoc(docs.edoc(G22, [H41]))
        data = docs.edoc(G22, [H41])
        vpcp.send_edoc(data)
        vpcp.send_edoc(data)  # duplicate
        vpcp.send_edoc(data.replace(b"<edXML:Subject>", b"<edXML:Subject>   ", 1))  # findings
        nghe_an.get_received_list("edoc")
        nghe_an.get_edoc(doc_id, key="docId")
        nghe_an.update_status(doc_id, "done", key="docid")
        nghe_an.get_edoc(second, key="docId")  # docId and a stale docid: ambiguous_header
        with pytest.raises(Forbidden):
            nghe_an.send_edoc(docs.edoc(G22, [H14]))  # identity
        with pytest.raises(Unroutable):
            vpcp.send_edoc(docs.edoc(G22, [H41]).replace(b">000.00.00.H41<", b">000.00.00.H98<"))
        vpcp.send_edoc(b"<?xml version='1.0'?><a/>", to=[H41])  # anomaly: not edXML
        nghe_an.register_agency("28.22.H17")  # findings on the code
        nghe_an.delete_agency("28.22.H17")
    with axis.admin() as admin:
        latency = {"distribution": "fixed", "ms": 1}
        admin.set_faults({"seed": 1, "rules": [{"kind": "latency", "next": 1, "latency": latency}]})
        with axis.client(NGHE_AN) as nghe_an:
            nghe_an.get_received_list("status")
        admin.inject(docs.edoc(G22, [H41]), system_id=VPCP)
        admin.put_system("vxp.vendor.01", "s3cr3t", agencies=[G22])
        admin.reset(messages=True, registry=False, faults=True)
    headers = HeaderMap(NGHE_AN, format_sdk_timestamp(wall_time()))
    headers.update({"Content-Type": "application/json", "messagetype": "edoc", "note": "Hà"})
    cut = [(k.encode(), bytes(ord(c) & 0xFF for c in v)) for k, v in headers.headers("x")]
    httpx.post(f"{axis.url}/getReceivedEdocList", headers=cut)  # signature_8bit


def test_every_kind_has_a_dataclass_and_a_schema_entry_with_the_same_fields() -> None:
    schema = schemas.load("transcript-event")
    assert schema["properties"]["kind"]["enum"] == [str(k) for k in EventKind]
    assert set(EVENT_TYPES) == set(EventKind)
    for kind, cls in EVENT_TYPES.items():
        entry = schema["$defs"][cls.__name__]
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(entry["properties"]) == names, kind
        assert entry["required"] == names, kind
        assert entry["additionalProperties"] is False
        assert cls.KIND is kind


def test_every_event_written_validates_and_reads_back_the_same(transcript: list[str]) -> None:
    validator = schemas.validator("transcript-event")
    seen = set()
    for line in transcript:
        raw = orjson.loads(line)
        validator.validate(raw)
        event = parse_event(line)
        assert encode_body(event.body) == orjson.dumps(raw["data"], option=orjson.OPT_SORT_KEYS)
        assert orjson.loads(orjson.dumps(event.to_json())) == raw
        seen.add(event.kind)
    assert seen == set(EventKind)


def test_an_admin_inject_is_recorded_as_a_call_like_any_send(transcript: list[str]) -> None:
    calls = [parse_event(line) for line in transcript]
    sends = [e.body for e in calls if isinstance(e.body, CallEvent) and e.body.op == "sendEdoc"]
    injected = [c for c in sends if c.channel == "admin"]
    assert len(injected) == 1 and injected[0].ok and injected[0].doc_id
    over_http = next(c for c in sends if c.channel == "http" and c.ok)
    assert {f.name for f in dataclasses.fields(injected[0])} == {
        f.name for f in dataclasses.fields(over_http)
    }
    assert "response" not in {orjson.loads(line)["kind"] for line in transcript}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"seq":1,"ts":"x","kind":"response","data":{}}', "not a transcript event kind"),
        ('{"seq":1,"ts":"x","kind":"call","data":{"op":"x"}}', "does not fit"),
        ('{"seq":1,"ts":"x","kind":"call","data":[]}', "must be an object"),
        ('{"seq":1,"kind":"call","data":{}}', "no 'ts'"),
        ("{oops", "not JSON"),
        ("[1]", "JSON object"),
    ],
)
def test_parse_event_refuses_what_is_not_an_event(raw: str, reason: str) -> None:
    with pytest.raises(EventFormatError, match=reason):
        parse_event(raw)


# The readers of the transcript look into events only through axis.events: no string-key
# lookup of an event's data or kind anywhere else (issue 10's proof). sim, spec and fixtures
# never read a transcript (their ``.data`` is a scenario's); forging a line in a tamper test
# (an assignment to ``obj``'s data) is writing, not reading.
READERS = (
    "axis",
    "conformance",
    "load",
    "reports",
    "lienthong",
    "bench",
    "tests/axis",
    "tests/conformance",
    "tests/load",
    "tests/reports",
    "tests/lienthong",
)
LOOKUP = re.compile(
    r"""\.data\.get\(|\.data\[|\["data"\]\[|\["data"\]\.get|\bevent\[|\.get\("data"\)"""
)


def test_no_module_reads_events_by_string_key() -> None:
    files = subprocess.run(
        ["git", "ls-files", "--", *(f"{d}/*.py" for d in READERS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    hits = [
        f"{name}:{number}: {line.strip()}"
        for name in files
        if name != "axis/events.py" and (ROOT / name).is_file()
        for number, line in enumerate((ROOT / name).read_text("utf-8").splitlines(), 1)
        if LOOKUP.search(line) and not line.lstrip().startswith("obj[")
    ]
    assert hits == []
