"""The board's demo stage, with its certification runs replaced by run folders signed with the
installation's key through reports' real issuing (the runs themselves are the suite's, tested
in tests/conformance; `make demo` runs them for real) and the simulation on a small network: it
trusts the installation's key only once it is exported, imports the runs, refuses the forged
copy, prints phase 1's readiness and blockers as of six weeks from today, simulates, forecasts,
and leaves an export the front page links."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
import time_machine

from board.certificates import Party, Software
from conformance.party import sut_party
from lienthong import board_demo
from reports.certificate import issue_certificate
from reports.keys import open_signing_key
from spec.clock import VIETNAM, vietnam_now
from tests.board.helpers import make_report, write_run

REFERENCE = Software("lienthong", "lienthong reference SUT", "1.0", "src-test")
# Ten seconds before midnight at the end of January in Hà Nội, frozen: the stage's dates (six
# weeks ahead, a one-month and a two-month validity) across a short month's end.
MOMENT = datetime(2027, 1, 31, 23, 59, 50, tzinfo=VIETNAM)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(MOMENT, tick=False):
        yield


def fake_certify(run: board_demo.DemoRun, out: Path) -> Path:
    """A run folder as `lienthong certify --organ-id` leaves it, signed with the installation's
    key (the demo's key), without running the suite."""
    party = sut_party(run.organ_id)
    report = make_report(
        Party(party.organ_id, party.name, party.system_id),
        REFERENCE,
        verdict="NOT CERTIFIED" if run.mutant else "CERTIFIED",
        profile=run.profile,
        mutant=run.mutant,
        finished=vietnam_now(),
    )
    signer = open_signing_key().signer
    document = issue_certificate(
        report, signer, issued=vietnam_now(), validity_months=run.validity_months
    )
    return write_run(out / run.organ_id, document, report).parent


@pytest.mark.slow
def test_the_board_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(board_demo, "_certify", fake_certify)
    monkeypatch.setattr(board_demo, "REPLICATIONS", 2)
    monkeypatch.setattr(board_demo, "DAYS", 3)
    monkeypatch.setattr(board_demo, "SCALE", 0.02)
    monkeypatch.setattr(board_demo, "JOBS", 1)
    out = tmp_path / "out"
    assert board_demo.demo_stage(argparse.Namespace(out=out)) == 0
    text = capsys.readouterr().out
    as_of = date(2027, 1, 31) + timedelta(days=board_demo.AHEAD_DAYS)
    assert "$ lienthong keys export-public --out" in text
    assert "--organ-id 000.00.00.H08 --profile receiver" in text
    assert "forged-for-hanoi/certificate.json (invalid):" in text
    assert "changed after it was signed" in text
    assert "7 imported or already present, 0 refused" in text
    assert "0 imported or already present, 1 refused" in text
    assert f"as of {as_of}: BLOCKED — 3 of 30 members ready (1 with something expiring)" in text
    for code in ("[wrong-build]", "[wrong-profile]", "[mutant]", "[expired]", "[no-certificate]"):
        assert code in text
    assert "phase simulation of phase-1-2016: 2016-03-25 to 2016-03-27" in text
    assert "difference [95 % interval]" in text and "nan" not in text
    assert f"go-live forecast of phase-1-2016 as of {as_of}" in text
    assert "(its planned start 2016-03-25 has passed)" in text
    assert "each week of delay:" in text
    [export] = list((out / "board").glob("2*/run.json"))
    assert json.loads(export.read_text("utf-8"))["kind"] == "board"
    front = lxml.html.fromstring((out / "index.html").read_text("utf-8"))
    links = front.xpath("//section[@id='board']//a/@href")
    assert links == [export.parent.relative_to(out).as_posix() + "/index.html"]


def test_the_stage_trusts_no_key_it_did_not_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs signed by another key than the exported installation key are refused: the board's
    trust comes from the export, not from the certificates."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    open_signing_key()  # the installation's key exists, and is the one the stage exports

    def signed_elsewhere(run: board_demo.DemoRun, out: Path) -> Path:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
        try:
            return fake_certify(run, out)
        finally:
            monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    monkeypatch.setattr(board_demo, "_certify", signed_elsewhere)
    assert board_demo.demo_stage(argparse.Namespace(out=tmp_path / "out")) == 1
    text = capsys.readouterr().out
    assert "(untrusted):" in text and "0 imported or already present, 7 refused" in text
    assert "board demo: the certification runs did not all import" in text
