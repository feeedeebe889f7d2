"""`lienthong demo`: its stages are listed in its help, the validation stage summarises the
corpus and the real samples, and every stage that writes does so under ``--out`` (the stages'
work is tested where their part is)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lienthong import cmd_load, cmd_sim
from lienthong.cli import main
from lienthong.cmd_demo import STAGES


def test_help_lists_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert [n for n, _ in STAGES] == [
        "validate",
        "axis",
        "certify",
        "sim",
        "load",
        "board",
        "front-page",
    ]
    for name, _ in STAGES:
        assert name in text


def test_validate_stage_summarises_corpus_and_samples(
    capsys: pytest.CaptureFixture[str], realworld_dir: Path, tmp_path: Path
) -> None:
    code = main(
        ["demo", "--only", "validate", "--realworld", str(realworld_dir), "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "17 file(s): 17 clean" in out
    assert "refused as hostile or not edXML" in out
    assert "15 file(s): 9 valid, 6 with errors, 0 refused" in out


def test_the_sim_and_load_stages_write_under_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the stages hand the sim and load commands: their runs land in ``--out``."""
    handed: dict[str, argparse.Namespace] = {}

    def keep(name: str) -> object:
        def run(args: argparse.Namespace) -> int:
            handed[name] = args
            return 0

        return run

    monkeypatch.setattr(cmd_sim, "run_run", keep("sim"))
    monkeypatch.setattr(cmd_load, "run", keep("load"))
    assert main(["demo", "--only", "sim", "--only", "load", "--out", str(tmp_path)]) == 0
    created = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    sim_folder = cmd_sim._folder(handed["sim"], created, 2016)
    assert sim_folder == tmp_path / "sim" / "20260105T020000-seed2016"
    assert cmd_load._options(handed["load"]).out_dir == tmp_path
