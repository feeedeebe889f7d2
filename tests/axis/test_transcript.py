"""The transcript's hash chain: exported, verified, and broken by any edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from axis import AxisConfig, EventKind, parse_event, running_axis
from axis.store import open_store
from axis.testing import Documents
from axis.transcript import canonical, chain_hash, record_bytes, verify_file, verify_lines
from lienthong.cli import main as cli

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    st.integers(1, 2**40),
    st.text(max_size=30),
    st.text(min_size=1, max_size=20),
    st.dictionaries(st.text(max_size=8), json_values),
)
def test_record_bytes_is_the_canonical_json_of_the_record(
    seq: int, ts: str, kind: str, data: dict
) -> None:
    record = {"seq": seq, "ts": ts, "kind": kind, "data": data}
    assert record_bytes(seq, ts, kind, canonical(data)) == canonical(record)


def test_canonical_json_survives_strings_that_are_not_unicode() -> None:
    assert canonical({"code": "a\ud800b"}) == b'{"code":"a?b"}'


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    docs = Documents(seed=1)
    with running_axis(AxisConfig()) as axis:
        with axis.client("02.22.W00") as vpcp, axis.client("00.41.W00") as nghe_an:
            doc_id = vpcp.send_edoc(docs.edoc("000.00.00.G22", ["000.00.00.H41"]))
            nghe_an.get_edoc(doc_id)
            nghe_an.update_status(doc_id, "done")
            nghe_an.send_edoc(docs.status("000.00.00.H41", "01"), "status")
        with axis.admin() as admin:
            text = admin.transcript()
            head = admin.stats()["head"]
    lines = text.splitlines()
    assert json.loads(lines[-1])["hash"] == head["hash"]
    return lines


def test_an_untouched_export_verifies(export: list[str]) -> None:
    result = verify_lines(export)
    assert result.ok and result.events == len(export)
    assert {parse_event(line).kind for line in export} >= {"start", "call", "stored", "delivery"}


def _edit_value(lines: list[str]) -> list[str]:
    obj = json.loads(lines[5])
    obj["data"]["edited"] = True
    return [*lines[:5], canonical(obj).decode(), *lines[6:]]


def _rehash(lines: list[str]) -> list[str]:
    # An editor who also recomputes the edited event's hash: the next line's prev breaks.
    obj = json.loads(lines[5])
    obj["data"]["edited"] = True
    record = {k: obj[k] for k in ("seq", "ts", "kind", "data")}
    obj["hash"] = chain_hash(obj["prev"], canonical(record))
    return [*lines[:5], canonical(obj).decode(), *lines[6:]]


TAMPERS: dict[str, tuple[Callable[[list[str]], list[str]], int]] = {
    "edit-a-value": (_edit_value, 6),
    "edit-and-rehash": (_rehash, 7),
    "delete-a-line": (lambda lines: lines[:3] + lines[4:], 4),
    "swap-two-lines": (lambda lines: [*lines[:2], lines[3], lines[2], *lines[4:]], 3),
    "duplicate-a-line": (lambda lines: [*lines[:4], lines[3], *lines[4:]], 5),
    "drop-the-first-line": (lambda lines: lines[1:], 1),
    "add-a-space": (lambda lines: [*lines[:2], lines[2].replace(":", ": ", 1), *lines[3:]], 3),
    "not-json": (lambda lines: [*lines[:2], "{oops", *lines[3:]], 3),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_any_edit_breaks_the_chain_at_its_line(export: list[str], name: str) -> None:
    tamper, bad_line = TAMPERS[name]
    result = verify_lines(tamper(export))
    assert not result.ok
    assert result.bad_line == bad_line, str(result)


def test_the_chain_continues_across_a_restart(tmp_path: Path) -> None:
    config = AxisConfig(data_dir=tmp_path / "data")
    for _ in range(2):
        with running_axis(config) as axis, axis.client("00.41.W00") as client:
            client.get_received_list("edoc")
    store = open_store(tmp_path / "data")
    try:
        lines = list(store.transcript.export_lines())
    finally:
        store.close()
    assert verify_lines(lines).ok
    assert [parse_event(line).kind for line in lines].count(EventKind.START) == 2


def test_verify_transcript_cli_exit_codes(
    export: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(export) + "\n", encoding="utf-8")
    assert cli(["axis", "verify-transcript", str(good)]) == 0
    assert "valid" in capsys.readouterr().out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(_edit_value(export)) + "\n", encoding="utf-8")
    assert cli(["axis", "verify-transcript", str(bad)]) == 1
    assert "line 6" in capsys.readouterr().out
    assert cli(["axis", "verify-transcript", str(tmp_path / "missing.jsonl")]) == 2
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    assert cli(["axis", "verify-transcript", str(binary)]) == 2
    assert verify_file(good).ok
