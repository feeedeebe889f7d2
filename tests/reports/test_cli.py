"""``lienthong report verify`` / ``render`` on a real report folder, and the folder's run.json."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from lienthong.cli import main
from reports.certificate import CertificateSigner
from reports.errors import ReportFormatError
from reports.folder import write_certification_folder
from reports.run_index import RunIndex, read_run_index, run_folder, write_run_index
from tests.reports.samples import VIETNAM, sample_report, write_transcript

ISSUED = datetime(2025, 3, 14, 10, 0, tzinfo=VIETNAM)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    head, events = write_transcript(tmp_path / "transcript.jsonl")
    report = sample_report(transcript_sha256=head, transcript_events=events)
    signer = CertificateSigner.load_or_create(tmp_path / "keys")
    files = write_certification_folder(report, tmp_path / "run", signer=signer, issued_at=ISSUED)
    return files.folder


def test_folder_holds_every_view_and_an_index(folder: Path) -> None:
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["certificate.json", "junit.xml", "report.html", "report.json", "run.json"]
    index = read_run_index(folder)
    assert index.kind == "certification"
    assert index.verdict == "NOT CERTIFIED"
    assert index.seed == 1234
    assert index.summary.startswith("NOT CERTIFIED: 1 MUST requirement(s) failed")
    assert (folder / index.index).is_file()


def test_verify_valid(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transcript = folder.parent / "transcript.jsonl"
    assert main(["report", "verify", str(folder), "--transcript", str(transcript)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID:")
    assert "NOT CERTIFIED" in out
    assert "transcript head" in out


def test_verify_edited_report_is_invalid(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "report.json"
    path.write_text(path.read_text("utf-8").replace("QLVB Demo", "QLVB Dema"), "utf-8")
    assert main(["report", "verify", str(folder / "certificate.json")]) == 1
    assert "the report does not match the certificate" in capsys.readouterr().out


def test_verify_edited_transcript_is_invalid(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript = folder.parent / "transcript.jsonl"
    lines = transcript.read_text("utf-8").splitlines(keepends=True)
    transcript.write_text("".join(lines[:-1]), "utf-8")
    assert main(["report", "verify", str(folder), "--transcript", str(transcript)]) == 1
    assert "the transcript does not match" in capsys.readouterr().out


@pytest.mark.parametrize("broken", ["missing", "not-json", "not-a-certificate", "no-transcript"])
def test_verify_unreadable(folder: Path, broken: str, capsys: pytest.CaptureFixture[str]) -> None:
    certificate = folder / "certificate.json"
    args = ["report", "verify", str(certificate)]
    if broken == "missing":
        certificate.unlink()
    elif broken == "not-json":
        certificate.write_text("{", "utf-8")
    elif broken == "not-a-certificate":
        certificate.write_text('{"verdict": "CERTIFIED"}', "utf-8")
    else:
        args += ["--transcript", str(folder / "nope.jsonl")]
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("UNREADABLE:")


def test_render_rewrites_views_and_keeps_the_certificate_valid(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    assert main(["report", "render", str(folder / "report.json"), "--out", str(out)]) == 0
    assert (out / "report.json").read_bytes() == (folder / "report.json").read_bytes()
    assert (out / "report.html").read_text("utf-8") == (folder / "report.html").read_text("utf-8")
    assert (out / "junit.xml").read_bytes() == (folder / "junit.xml").read_bytes()
    (out / "certificate.json").write_bytes((folder / "certificate.json").read_bytes())
    capsys.readouterr()
    assert main(["report", "verify", str(out)]) == 0


def test_render_refuses_an_edited_report(folder: Path, tmp_path: Path) -> None:
    data = json.loads((folder / "report.json").read_text("utf-8"))
    data["verdict"] = "CERTIFIED"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), "utf-8")
    assert main(["report", "render", str(edited), "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x" / "report.html").exists()


def test_run_index_refuses_what_the_front_page_cannot_list(tmp_path: Path) -> None:
    good = RunIndex("certification", "t", ISSUED, 1, "one line", None)
    assert read_run_index(write_run_index(tmp_path, good).parent) == good
    with pytest.raises(ReportFormatError, match="kind"):
        replace(good, kind="Certify Runs")
    with pytest.raises(ReportFormatError, match="timezone"):
        replace(good, created=datetime(2025, 3, 14))
    with pytest.raises(ReportFormatError, match="one line"):
        replace(good, summary="two\nlines")
    (tmp_path / "run.json").write_text("{}", "utf-8")
    with pytest.raises(ReportFormatError, match="not a run index"):
        read_run_index(tmp_path)
    assert run_folder(tmp_path, "certification", ISSUED, 7).name == "20250314T100000-seed7"
