"""A certification report folder: the files a run leaves for the officer, CI and the front page.

``report.json`` (the report), ``report.html`` (the officer's page), ``junit.xml`` (CI),
``certificate.json`` (when a signer is given) and ``run.json`` (the front page's index), all
written from one :class:`~reports.model.Report` so they cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reports.certificate import issue_certificate
from reports.html import render_html
from reports.junit import render_junit
from reports.keys import CertificateSigner
from reports.layout import CERTIFICATE_JSON, JUNIT_XML, REPORT_HTML, REPORT_JSON
from reports.model import Report
from reports.run_index import RunIndex, write_run_index

KIND = "certification"

__all__ = [
    "CERTIFICATE_JSON",
    "JUNIT_XML",
    "KIND",
    "REPORT_HTML",
    "REPORT_JSON",
    "CertificationFiles",
    "render_views",
    "write_certification_folder",
]


@dataclass(frozen=True, slots=True)
class CertificationFiles:
    """Where the files of one run were written (``certificate`` is None when unsigned)."""

    folder: Path
    report: Path
    html: Path
    junit: Path
    run_index: Path
    certificate: Path | None


def render_views(
    report: Report, folder: Path, *, signed_by: str | None = None
) -> tuple[Path, Path, Path]:
    """Write the views of ``report`` into ``folder`` (created if needed): the HTML page
    (naming the fingerprint of the key that ``signed_by`` the certificate, when there is one),
    the JUnit XML and ``run.json``; returns their paths in that order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / REPORT_HTML
    html_path.write_text(render_html(report, signed_by=signed_by), "utf-8")
    junit_path = folder / JUNIT_XML
    junit_path.write_bytes(render_junit(report))
    verdict, reason = report.compute_verdict()
    index = RunIndex(
        kind=KIND,
        title=f"{report.subject} — profile {report.profile}",
        created=report.finished,
        seed=report.seed,
        summary=f"{verdict.value}: {reason}",
        verdict=verdict.value,
        index=REPORT_HTML,
    )
    return html_path, junit_path, write_run_index(folder, index)


def write_certification_folder(
    report: Report,
    folder: Path,
    *,
    signer: CertificateSigner | None = None,
    issued: datetime | None = None,
    validity_months: int = 12,
) -> CertificationFiles:
    """Write the run's files into ``folder`` (created if needed). With ``signer`` a certificate
    is issued at ``issued`` (required then), valid ``validity_months``."""
    if signer is not None and issued is None:
        raise ValueError("issued is required when a signer is given (the certificate's date)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    report_path = folder / REPORT_JSON
    report_path.write_text(report.dumps(), "utf-8")
    fingerprint = signer.fingerprint if signer is not None else None
    html_path, junit_path, index_path = render_views(report, folder, signed_by=fingerprint)
    certificate_path = None
    if signer is not None and issued is not None:
        certificate = issue_certificate(
            report, signer, issued=issued, validity_months=validity_months
        )
        certificate_path = folder / CERTIFICATE_JSON
        text = json.dumps(certificate, ensure_ascii=False, indent=2) + "\n"
        certificate_path.write_text(text, "utf-8")
    return CertificationFiles(
        folder, report_path, html_path, junit_path, index_path, certificate_path
    )
