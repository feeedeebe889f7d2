"""`lienthong validate`: exit codes 0/1/2, the table and the JSON, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lienthong.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_status_exits_0(capsys, realworld_dir: Path) -> None:
    code, out, _ = _run(capsys, str(realworld_dir / "status_finish_06.edxml"))
    assert code == 0
    assert "status, OK — 0 error(s)" in out


def test_errors_exit_1_with_ids_paths_and_messages(capsys, realworld_dir: Path) -> None:
    code, out, _ = _run(capsys, "--today", "2026/11/21", str(realworld_dir / "edoc_new.edxml"))
    assert code == 1
    assert "NOT VALID" in out
    assert "MSG-TO-ORGANID" in out and "To[1]/OrganId" in out and "28.22.H17" in out


def test_refused_input_exits_2_and_wins_over_errors(
    capsys, tmp_path: Path, realworld_dir: Path
) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    code, out, _ = _run(
        capsys, str(realworld_dir / "edoc_new.edxml"), str(bomb), str(tmp_path / "missing.xml")
    )
    assert code == 2
    assert "bomb.xml: REFUSED — input has a DTD" in out
    assert "missing.xml: REFUSED — cannot read" in out
    assert "3 file(s): 0 valid, 1 with errors, 2 refused" in out


def test_json_output_is_machine_readable(capsys, realworld_dir: Path) -> None:
    code, out, _ = _run(capsys, "--json", str(realworld_dir / "edoc_update.edxml"))
    report = json.loads(out)
    assert code == 1
    assert report[0]["status"] == "errors" and report[0]["kind"] == "edoc"
    ids = {f["req_id"] for f in report[0]["findings"]}
    assert {"MSG-DOCUMENTID-GRAMMAR", "MSG-DOCUMENTID-CONSISTENT"} <= ids


@pytest.mark.slow
def test_bad_option_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "validate", "--today", "2026-11-21", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "yyyy/MM/dd" in result.stderr


@pytest.mark.slow
def test_every_command_has_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "--help"], capture_output=True, text=True, check=True
    )
    assert "validate" in result.stdout and "demo" in result.stdout
