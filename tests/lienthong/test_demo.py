"""`lienthong demo`: its stages are listed in its help, and the validation stage summarises the
corpus and the real samples (the other stages are each tested where their part is)."""

from __future__ import annotations

from pathlib import Path

import pytest

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
