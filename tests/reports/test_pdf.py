"""The printable certificate: one A4 page rendered by headless Chromium, Vietnamese first with
English beside it, read back with poppler (``pdftotext``, ``pdftoppm``) and its QR code
decoded with ``zbarimg`` to the digest that ``lienthong report verify`` accepts."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from reports.certificate import issue_certificate, qr_payload
from reports.errors import ReportFormatError
from reports.keys import CertificateSigner
from reports.model import Outcome, Waiver
from reports.pdf import CHROMIUM, PdfUnavailable, certificate_page, render_certificate_pdf
from reports.waivers import apply_waivers
from tests.reports.samples import VIETNAM, sample_report, with_verdicts

pytestmark = pytest.mark.browser

ISSUED = datetime(2025, 3, 14, 10, 0, tzinfo=VIETNAM)
TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "zbarimg")


@pytest.fixture(scope="module")
def tools() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package")
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip(
            f"{missing} not installed: `make test-tools` installs poppler-utils, zbar-tools"
        )


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.fixture(scope="module")
def waived_certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = with_verdicts(sample_report(), ROB_BACKOFF=Outcome.PASSED)
    waiver = Waiver("LC-NO-REPEAT", "sửa ở bản 4.2 (VND-118)", date(2025, 9, 30), "Trần Thị B")
    report = apply_waivers(report, (waiver,), today=date(2025, 3, 14))
    cert = issue_certificate(report, CertificateSigner.generate(), issued=ISSUED)
    path = tmp_path_factory.mktemp("pdf") / "certificate.json"
    path.write_text(json.dumps(cert, ensure_ascii=False), "utf-8")
    return path


@pytest.mark.slow
def test_the_pdf_is_one_a4_page_with_every_fact_in_both_languages(
    tools: None, waived_certificate: Path
) -> None:
    pdf = render_certificate_pdf(waived_certificate)
    assert pdf == waived_certificate.with_suffix(".pdf")
    info = _run("pdfinfo", str(pdf))
    assert "Pages:           1" in info and "(A4)" in info
    text = " ".join(_run("pdftotext", str(pdf), "-").split())
    cert = json.loads(waived_certificate.read_text("utf-8"))
    fingerprint = cert["signer"]["fingerprint"]
    for fact in (
        "GIẤY CHỨNG NHẬN KIỂM THỬ LIÊN THÔNG VĂN BẢN ĐIỆN TỬ",
        "Certificate of conformance",
        "ĐẠT / CERTIFIED",
        "Ủy ban nhân dân tỉnh Phú Thọ",
        "000.00.00.H44",
        "00.44.W00",
        "QLVB Demo 4.1.0",
        "Công ty Phần mềm A",
        "git-5f1e3c9",
        "Profile",
        "full",
        "overrides: time_scale=60, seed=1234",
        "4 / 5 đạt / passed, 1 được miễn trừ / waived",
        "LC-NO-REPEAT",
        "Trần Thị B",
        "2025-09-30",
        "từ / from 2025-03-14 đến / until 2025-09-30",
        "Nguyễn Văn A",
        " ".join(fingerprint[i : i + 4] for i in range(0, 64, 4)),
    ):
        assert fact in text, fact


@pytest.mark.slow
def test_the_qr_code_carries_the_digest_report_verify_accepts(
    tools: None, waived_certificate: Path, tmp_path: Path
) -> None:
    pdf = render_certificate_pdf(waived_certificate, tmp_path / "printed.pdf")
    _run("pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(tmp_path / "page"))
    png = tmp_path / "page.png"
    assert png.stat().st_size > 20_000
    decoded = _run("zbarimg", "--quiet", "--raw", str(png)).strip()
    cert = json.loads(waived_certificate.read_text("utf-8"))
    assert decoded == qr_payload(cert)


@pytest.mark.slow
def test_a_mutant_certificate_says_so_on_paper(tools: None, tmp_path: Path) -> None:
    report = sample_report(conditions=replace(sample_report().conditions, mutant="repeat-accepted"))
    cert = issue_certificate(report, CertificateSigner.generate(), issued=ISSUED)
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(cert), "utf-8")
    text = " ".join(_run("pdftotext", str(render_certificate_pdf(path)), "-").split())
    assert "KHÔNG ĐẠT / NOT CERTIFIED" in text
    assert "mutant) «repeat-accepted»" in text and "not a vendor's software" in text
    assert "no certification: a record of the result of 2025-03-14" in text


def test_no_chromium_or_not_a_certificate_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "certificate.json"
    cert = issue_certificate(sample_report(), CertificateSigner.generate(), issued=ISSUED)
    path.write_text(json.dumps(cert), "utf-8")
    with pytest.raises(PdfUnavailable, match="no Chromium at"):
        render_certificate_pdf(path, executable=tmp_path / "no-chromium")
    path.write_text('{"verdict": "CERTIFIED"}', "utf-8")
    with pytest.raises(ReportFormatError, match="certificate does not match"):
        render_certificate_pdf(path)
    assert "lienthong report verify lienthong-certificate:sha256:" in certificate_page(cert)


@pytest.mark.slow
def test_report_pdf_prints_a_certificate_again(
    tools: None, waived_certificate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lienthong.cli import main

    out = tmp_path / "again.pdf"
    assert main(["report", "pdf", str(waived_certificate), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"PDF certificate: {out}"
    assert out.read_bytes().startswith(b"%PDF-")
    assert main(["report", "pdf", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.startswith("UNREADABLE:")
