"""``lienthong report verify`` / ``render`` on a real report folder, and the folder's run.json."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from lienthong.cli import main
from reports.certificate import qr_payload
from reports.errors import ReportFormatError
from reports.folder import write_certification_folder
from reports.keys import CertificateSigner, open_signing_key
from reports.run_index import RunIndex, read_run_index, run_folder, write_run_index
from tests.reports.samples import VIETNAM, sample_report, write_transcript

ISSUED = datetime(2025, 3, 14, 10, 0, tzinfo=VIETNAM)


@pytest.fixture
def signer(tmp_path: Path) -> CertificateSigner:
    return open_signing_key(tmp_path / "keys" / "office.pem").signer


@pytest.fixture
def folder(tmp_path: Path, signer: CertificateSigner) -> Path:
    exported = tmp_path / "axis" / "transcript.jsonl"
    exported.parent.mkdir()
    head, events = write_transcript(exported)
    report = sample_report(transcript_sha256=head, transcript_events=events)
    run = write_certification_folder(report, tmp_path / "run", signer=signer, issued=ISSUED)
    (run.folder / "transcript.jsonl").write_bytes(exported.read_bytes())
    return run.folder


def _verify(*args: str) -> int:
    return main(["report", "verify", *args])


def test_folder_holds_every_view_and_an_index(folder: Path) -> None:
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "certificate.json", "junit.xml", "report.html", "report.json", "run.json",
        "transcript.jsonl",
    ]  # fmt: skip
    index = read_run_index(folder)
    assert index.kind == "certification"
    assert index.verdict == "NOT CERTIFIED"
    assert index.seed == 1234
    assert index.summary.startswith("NOT CERTIFIED: 1 MUST requirement(s) failed")
    assert "QLVB Demo 4.1.0 (build git-5f1e3c9) for Ủy ban nhân dân tỉnh Phú Thọ" in index.title
    assert (folder / index.index).is_file()


def test_verify_valid_with_the_trusted_key_and_the_transcript_beside_it(
    folder: Path, signer: CertificateSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(str(folder), "--trusted-key", signer.fingerprint) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID: NOT CERTIFIED — agency Ủy ban nhân dân tỉnh Phú Thọ")
    assert "ok transcript head" in out and "ok the signing key is trusted" in out


def test_verify_trusts_a_key_file_or_the_trusted_keys_folder(
    folder: Path, signer: CertificateSigner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "trusted"
    keys.mkdir()
    assert main(["keys", "export-public", "--signing-key", str(tmp_path / "keys" / "office.pem"),
                 "--out", str(keys / "office.pem")]) == 0  # fmt: skip
    assert _verify(str(folder / "certificate.json"), "--trusted-key", str(keys / "office.pem")) == 0
    assert _verify(str(folder), "--trusted-keys", str(keys)) == 0
    assert "trusted-keys folder" in capsys.readouterr().out


def test_verify_without_a_trusted_key_is_untrusted_and_fails(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(str(folder), "--trusted-keys", str(tmp_path / "none")) == 3
    out = capsys.readouterr().out
    assert out.startswith("UNTRUSTED: NOT CERTIFIED")
    assert "no key is trusted" in out


def test_verify_edited_report_is_invalid(
    folder: Path, signer: CertificateSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    path = folder / "report.json"
    path.write_text(path.read_text("utf-8").replace("QLVB Demo", "QLVB Dema"), "utf-8")
    assert _verify(str(folder), "--trusted-key", signer.fingerprint) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID: NOT CERTIFIED (not to be relied on: the report does not match")


def test_verify_checks_the_transcript_beside_the_certificate_by_default(
    folder: Path, signer: CertificateSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript = folder / "transcript.jsonl"
    lines = transcript.read_text("utf-8").splitlines(keepends=True)
    transcript.write_text("".join(lines[:-1]), "utf-8")
    assert _verify(str(folder), "--trusted-key", signer.fingerprint) == 1
    assert "the transcript does not match" in capsys.readouterr().out


def test_verify_finds_a_certificate_by_the_digest_of_its_qr_code(
    folder: Path, signer: CertificateSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = json.loads((folder / "certificate.json").read_text("utf-8"))
    payload = qr_payload(certificate)
    archive = str(folder.parent)
    assert _verify(payload, "--archive", archive, "--trusted-key", signer.fingerprint) == 0
    assert f"certificate {folder / 'certificate.json'}" in capsys.readouterr().out
    assert _verify("sha256:" + "0" * 64, "--archive", archive) == 2
    assert "no certificate under" in capsys.readouterr().err


@pytest.mark.parametrize(
    "broken", ["missing", "not-json", "not-a-certificate", "no-transcript", "bad-key"]
)
def test_verify_unreadable(
    folder: Path, broken: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = folder / "certificate.json"
    args = [str(certificate)]
    if broken == "missing":
        certificate.unlink()
    elif broken == "not-json":
        certificate.write_text("{", "utf-8")
    elif broken == "not-a-certificate":
        certificate.write_text('{"verdict": "CERTIFIED"}', "utf-8")
    elif broken == "no-transcript":
        args += ["--transcript", str(folder / "nope.jsonl")]
    else:
        args += ["--trusted-key", str(tmp_path / "no-such-key.pem")]
    assert _verify(*args) == 2
    err = capsys.readouterr().err
    assert err.startswith("UNREADABLE:") and len(err.strip().splitlines()) == 1


def test_render_rewrites_views_and_keeps_the_certificate_valid(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    assert main(["report", "render", str(folder / "report.json"), "--out", str(out)]) == 0
    assert (out / "report.json").read_bytes() == (folder / "report.json").read_bytes()
    assert (out / "report.html").read_text("utf-8") == (folder / "report.html").read_text("utf-8")
    assert (out / "junit.xml").read_bytes() == (folder / "junit.xml").read_bytes()
    for name in ("certificate.json", "transcript.jsonl"):
        (out / name).write_bytes((folder / name).read_bytes())
    capsys.readouterr()
    fingerprint = json.loads((out / "certificate.json").read_text("utf-8"))["signer"]["fingerprint"]
    assert main(["report", "verify", str(out), "--trusted-key", fingerprint]) == 0


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
