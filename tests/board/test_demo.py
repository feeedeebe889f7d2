"""The board's demo stage, with its two certification runs replaced by a certified and a failed
report (the suite itself is tested in tests/conformance) and the simulation on a small network:
it imports, refuses the forged copy, prints phase 1's readiness and blockers, simulates,
forecasts, and leaves an export the front page links."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from lienthong import board_demo
from reports.model import Outcome
from tests.reports.samples import sample_report


def _reports() -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    failed = sample_report()
    certified = failed.with_results(
        tuple(replace(r, verdict=Outcome.PASSED) for r in failed.requirements)
    )
    return tuple((r.dumps(), json.loads(r.dumps())) for r in (certified, failed))  # type: ignore[return-value]


def test_the_board_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    quick = tmp_path / "quick.yaml"
    quick.write_text(
        "name: q\nextends: baseline-2016\ntopology: {era: '2016', scale: 0.02, seed: 0}\n"
        "engine: {tick_seconds: 300}\n",
        "utf-8",
    )
    monkeypatch.setattr(board_demo, "_runs", lambda out: _reports())
    monkeypatch.setattr(board_demo, "SCENARIO", str(quick))
    monkeypatch.setattr(board_demo, "REPLICATIONS", 2)
    monkeypatch.setattr(board_demo, "DAYS", 3)
    out = tmp_path / "out"
    assert board_demo.demo_stage(argparse.Namespace(out=out)) == 0
    text = capsys.readouterr().out
    assert "REFUSED forged-for-hanoi (forged)" in text
    assert "imported 8 certificates" in text
    assert "as of 2016-03-01: BLOCKED — 5 of 30 members ready (1 with something expiring)" in text
    for code in ("[wrong-build]", "[mutant]", "[expired]", "[no-certificate]"):
        assert code in text
    assert "phase simulation of phase-1-2016: 2016-03-25 to 2016-03-27, 2 replication(s)" in text
    assert "go-live forecast of phase-1-2016 as of 2016-03-01" in text
    assert "each week of delay:" in text
    [export] = list((out / "board").glob("2*/run.json"))
    assert json.loads(export.read_text("utf-8"))["kind"] == "board"
    front = lxml.html.fromstring((out / "index.html").read_text("utf-8"))
    links = front.xpath("//section[@id='board']//a/@href")
    assert links == [export.parent.relative_to(out).as_posix() + "/index.html"]
