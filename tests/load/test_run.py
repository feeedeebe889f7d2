"""Bounded locust runs against an axis on 127.0.0.1, end to end: locust in a child process, the
correctness checks, the run's folder and the front page. A clean run passes every check; so does
a run with the axis's seeded faults on. Then the axis's records of the clean run are tampered
with, a copy each time, and every tampering is caught by the check it breaks: a business status
doubled, a delivery deleted, an acked delivery listed again, a message lost, a transcript event
edited."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import spec
from axis import AxisAdmin, AxisClient, RunningAxis, running_axis
from load.checks import CheckResult, collect, run_checks
from spec.schemas import validator
from tests.load.runs import THIN_SYSTEMS, CleanRun, LoadRuns, axis_config
from tests.messages import status_of

pytestmark = pytest.mark.slow


@pytest.fixture
def clean(load_runs: LoadRuns) -> CleanRun:
    return load_runs.clean.result()


def test_a_clean_run_passes_every_check_and_leaves_its_reports(clean: CleanRun) -> None:
    result = clean.result
    assert result.ok, [c for c in result.checks if not c.ok]
    assert [c.id for c in result.checks] == [
        "transcript-chain",
        "stored-once",
        "documents-delivered",
        "statuses-delivered",
        "done-not-relisted",
        "statuses-once",
        "lifecycle-legal",
        "clean-exchanges",
    ]
    assert all(c.checked > 0 for c in result.checks)
    folder = result.folder
    for name in ("locust.html", "locust_stats.csv", "locust_stats_history.csv", "plan.json"):
        assert (folder / name).stat().st_size > 0, name
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    assert list(validator("load-summary").iter_errors(summary)) == []
    assert summary["verdict"] == "pass" and summary["axis"]["in_process"] is False
    t = summary["throughput"]
    offered = summary["profile"]["offered_documents_per_s"]
    assert 0.2 * offered < t["documents_per_s"] < 3 * offered  # a loaded machine slows it
    assert t["requests"] > t["documents"] > 0 and t["failed_requests"] == 0
    assert {op["name"] for op in summary["latency_ms"]["operations"]} == {
        "sendEdoc",
        "getReceivedEdocList",
        "getEdoc",
        "downloadEdoc",
        "updateStatus",
    }
    assert summary["locust"]["quiet"] is True
    run_json = json.loads((folder / "run.json").read_text("utf-8"))
    assert run_json["kind"] == "load" and run_json["verdict"] == "pass"
    front = (folder.parents[1] / "index.html").read_text("utf-8")
    assert f'href="load/{folder.name}/report.html"' in front
    assert "every document answered OK" in (folder / "report.html").read_text("utf-8")


@pytest.fixture
def copy(clean: CleanRun, tmp_path: Path) -> Path:
    """The clean run's axis data, to tamper with."""
    return Path(shutil.copytree(clean.data, tmp_path / "axis"))


def _checks(clean: CleanRun, data: Path, tmp_path: Path) -> dict[str, CheckResult]:
    with running_axis(axis_config(data)) as axis, axis.admin() as admin:
        evidence = collect(
            admin,
            cursor=clean.cursor,
            after_message=clean.after_message,
            journal_dir=clean.result.folder / "journal",
            transcript_path=tmp_path / "transcript.jsonl",
        )
    return {c.id: c for c in run_checks(evidence, clean.result.plan)}


def _failed(checks: dict[str, CheckResult]) -> set[str]:
    return {name for name, check in checks.items() if not check.ok}


def _sql(data: Path, statement: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one statement on a stopped axis's database (the axis holds it exclusively)."""
    connection = sqlite3.connect(data / "axis.sqlite")
    try:
        with connection:
            return connection.execute(statement, params).fetchall()
    finally:
        connection.close()


def _messages(admin: AxisAdmin) -> Iterator[dict[str, Any]]:
    after = 0
    while page := admin.messages(after=after, limit=1000):
        yield from page
        after = page[-1]["seq"]


def _sender_client(axis: RunningAxis, clean: CleanRun, system_id: str) -> AxisClient:
    slot = next(s for s in clean.result.plan.slots if s.system_id == system_id)
    return AxisClient(axis.url, slot.system_id, slot.secret)


def test_a_doubled_business_status_is_caught(clean: CleanRun, copy: Path, tmp_path: Path) -> None:
    with running_axis(axis_config(copy)) as axis, axis.admin() as admin:
        status = next(m for m in _messages(admin) if m["status_code"] == "06")
        with _sender_client(axis, clean, status["sender"]) as client:
            original = status_of(client.get_edoc(status["doc_id"]))
        original.description = "Hoàn thành xử lý (gửi lại)"
        admin.inject(spec.serialize(original), system_id=status["sender"], messagetype="status")
    checks = _checks(clean, copy, tmp_path)
    assert _failed(checks) == {"stored-once", "statuses-once", "lifecycle-legal"}
    assert "LC-NO-REPEAT" in checks["lifecycle-legal"].examples[0]
    assert status["doc_id"] in checks["statuses-once"].examples[0]


def test_a_deleted_delivery_is_caught(clean: CleanRun, copy: Path, tmp_path: Path) -> None:
    ((doc_id, system),) = _sql(
        copy, "SELECT doc_id, system_id FROM deliveries WHERE messagetype='edoc' LIMIT 1"
    )
    _sql(copy, "DELETE FROM deliveries WHERE doc_id=? AND system_id=?", doc_id, system)
    checks = _checks(clean, copy, tmp_path)
    assert _failed(checks) == {"documents-delivered"}
    assert checks["documents-delivered"].violations == 1
    (example,) = checks["documents-delivered"].examples
    assert doc_id in example and f"has no delivery to {system}" in example


def test_an_acked_delivery_listed_again_is_caught(
    clean: CleanRun, copy: Path, tmp_path: Path
) -> None:
    ((doc_id, system),) = _sql(
        copy, "SELECT doc_id, system_id FROM deliveries WHERE messagetype='status' LIMIT 1"
    )
    _sql(
        copy,
        "UPDATE deliveries SET status='pending', listed=1 WHERE doc_id=? AND system_id=?",
        doc_id,
        system,
    )
    with running_axis(axis_config(copy)) as axis, _sender_client(axis, clean, system) as client:
        assert doc_id in [item["docId"] for item in client.get_received_list("status")]
    checks = _checks(clean, copy, tmp_path)
    assert _failed(checks) == {"done-not-relisted", "statuses-delivered"}
    assert f"{doc_id} was listed to {system}" in checks["done-not-relisted"].examples[0]


def test_a_lost_message_is_caught(clean: CleanRun, copy: Path, tmp_path: Path) -> None:
    ((doc_id,),) = _sql(
        copy, "SELECT doc_id FROM messages WHERE messagetype='status' AND status_code='06' LIMIT 1"
    )
    _sql(copy, "DELETE FROM deliveries WHERE doc_id=?", doc_id)
    _sql(copy, "DELETE FROM messages WHERE doc_id=?", doc_id)
    checks = _checks(clean, copy, tmp_path)
    assert _failed(checks) == {"stored-once", "statuses-delivered", "lifecycle-legal"}
    assert "holds no such message" in checks["stored-once"].examples[0]
    assert "statuses stop at" in checks["lifecycle-legal"].examples[0]


def test_an_edited_transcript_event_is_caught(clean: CleanRun, copy: Path, tmp_path: Path) -> None:
    ((seq, data),) = _sql(
        copy, "SELECT seq, data FROM events WHERE kind='call' AND op='updateStatus' LIMIT 1"
    )
    _sql(copy, "UPDATE events SET data=? WHERE seq=?", data.replace('"done"', '"fail"'), seq)
    checks = _checks(clean, copy, tmp_path)
    assert "transcript-chain" in _failed(checks)
    assert f"line {seq}" in checks["transcript-chain"].examples[0]


def test_a_run_with_seeded_faults_still_passes_every_check(load_runs: LoadRuns) -> None:
    result = load_runs.faults.result()
    assert result.ok, [c for c in result.checks if not c.ok]
    assert [c.id for c in result.checks][-1] == "axis-no-errors"
    summary = result.summary
    assert summary["axis"]["in_process"] is True
    assert set(summary["axis"]["faults"]) >= {"load-5xx", "load-reset", "load-duplicate"}
    assert summary["throughput"]["failed_requests"] > 0
    transcript = (result.folder / "transcript.jsonl").read_text("utf-8")
    for rule in ("load-5xx-after", "load-reset", "load-duplicate"):
        assert f'"rule":"{rule}"' in transcript, rule


def test_a_simulators_traffic_profile_drives_a_run_that_exchanges_documents(
    load_runs: LoadRuns,
) -> None:
    """The file `lienthong sim run --profile` writes, played as a new user would: documents
    are exchanged, the checks pass, and the summary says which hour it played."""
    said = load_runs.traffic_profile.result()
    assert said.codes == (0, 0), said.printed
    assert "verdict: PASS" in said.printed
    assert "of profile 'traffic_profile' (its busiest" in said.printed
    (summary_path,) = (said.out / "load").glob("*/summary.json")
    summary = json.loads(summary_path.read_text("utf-8"))
    assert summary["throughput"]["deliveries"] > 0
    assert summary["profile"]["hour_label"] == f"{summary['profile']['hour']:02d}:00"
    assert summary["profile"]["scale"] == 100.0


def test_a_run_that_exchanges_nothing_is_inconclusive(load_runs: LoadRuns) -> None:
    """A profile so thin that no document is sent in the window checks nothing: not a pass."""
    said = load_runs.thin_profile.result()
    assert said.codes == (3,), said.printed
    assert "verdict: INCONCLUSIVE" in said.printed and "exercised nothing" in said.printed
    assert "--scale" in said.printed
    (summary_path,) = (said.out / "load").glob("*/summary.json")
    summary = json.loads(summary_path.read_text("utf-8"))
    assert summary["verdict"] == "inconclusive"
    assert list(validator("load-summary").iter_errors(summary)) == []
    assert summary["profile"]["systems"] == len(THIN_SYSTEMS)


def test_locusts_distributed_mode_plays_each_system_exactly_once(load_runs: LoadRuns) -> None:
    result = load_runs.distributed.result()
    assert result.ok, [c for c in result.checks if not c.ok]
    senders: dict[str, set[str]] = {}
    for journal in (result.folder / "journal").glob("journal-*.jsonl"):
        for line in journal.read_text("utf-8").splitlines():
            entry = json.loads(line)
            if entry["ev"] == "sent":
                senders.setdefault(entry["system"], set()).add(journal.name)
    assert set(senders) == {s.system_id for s in result.plan.slots}
    assert all(len(files) == 1 for files in senders.values())  # one process per system
    assert len(set().union(*senders.values())) == 2  # both workers played systems
    assert sorted(result.summary["cpu_cores"]) == ["harness", "locust-0", "locust-1", "locust-2"]
