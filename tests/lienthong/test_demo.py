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
    assert [n for n, _ in STAGES] == ["validate", "axis", "certify", "sim", "load", "front-page"]
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


@pytest.mark.slow
@pytest.mark.browser
def test_certify_stage_certifies_prints_the_pdf_and_verifies_each_certificate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["demo", "--only", "certify", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\nCERTIFIED: all" in out and "\nNOT CERTIFIED: 1 MUST requirement(s) failed" in out
    pdfs = [
        line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("PDF certificate:")
    ]
    assert len(pdfs) == 2 and all(Path(p).is_file() for p in pdfs)
    verdicts = [line for line in out.splitlines() if line.startswith("VALID: ")]
    assert [v.split(" — ")[0] for v in verdicts] == ["VALID: CERTIFIED", "VALID: NOT CERTIFIED"]
    assert "mutant repeats-03" in verdicts[1]
