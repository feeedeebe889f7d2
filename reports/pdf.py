"""The certificate people file: one printable A4 page, Vietnamese first with English beside it,
rendered from a signed certificate by headless Chromium (print to PDF, through Playwright).

The page names the agency, the software and its build, the profile and its overrides, the
verdict, the MUST counts, the waivers with their approvers, the validity dates, the officer,
the signer's fingerprint, and carries a QR code of the certificate's digest
(:func:`reports.certificate.qr_payload`), which ``lienthong report verify`` accepts to find
and check the certificate on file. The browser is the system's Chromium (``make chromium``
installs Debian's); nothing is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import segno

from reports.certificate import qr_payload
from reports.errors import ReportError, ReportFormatError
from reports.pages import TEMPLATES, page_environment
from reports.verification import Certificate

__all__ = ["CHROMIUM", "PdfUnavailable", "certificate_page", "render_certificate_pdf"]

CHROMIUM = Path("/usr/bin/chromium")
_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync")
_TIMEOUT_MS = 30_000
VERDICT_VI = {"CERTIFIED": "ĐẠT", "NOT CERTIFIED": "KHÔNG ĐẠT", "INCOMPLETE": "CHƯA HOÀN TẤT"}


class PdfUnavailable(ReportError, RuntimeError):
    """The PDF cannot be rendered here: no Chromium, or the Playwright package is missing."""


def _fingerprint_groups(fingerprint: str) -> str:
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def certificate_page(certificate: dict[str, Any]) -> str:
    """The certificate as a self-contained printable HTML page (what the PDF is printed from)."""
    facts = Certificate.read(certificate)
    payload = qr_payload(certificate)
    qr = segno.make(payload, error="m").svg_data_uri(scale=4, border=2)
    template = page_environment(TEMPLATES).get_template("certificate.html.j2")
    return template.render(
        c=facts,
        verdict_vi=VERDICT_VI[facts.verdict.value],
        qr=qr,
        payload=payload,
        fingerprint=_fingerprint_groups(facts.signer_fingerprint),
        overrides=facts.overrides_text(),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ReportFormatError(f"cannot read certificate {str(path)!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise ReportFormatError(f"{str(path)!r} is not a certificate (not a JSON object)")
    return data


def render_certificate_pdf(
    certificate: Path, out: Path | None = None, *, executable: Path = CHROMIUM
) -> Path:
    """Print the certificate at ``certificate`` to a one-page A4 PDF at ``out`` (default
    ``certificate.pdf`` beside it) and return its path. Raises ``PdfUnavailable`` without
    Chromium or Playwright, ``ReportFormatError`` when the file is not a certificate."""
    certificate = Path(certificate)
    page_html = certificate_page(_read(certificate))
    target = Path(out) if out is not None else certificate.with_suffix(".pdf")
    if not executable.exists():
        raise PdfUnavailable(
            f"no Chromium at {str(executable)!r}: install Debian's chromium (make chromium)"
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PdfUnavailable("the playwright package is not installed") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=list(_ARGS))
        try:
            page = browser.new_page()
            page.set_content(page_html, wait_until="load", timeout=_TIMEOUT_MS)
            page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
        except PlaywrightError as exc:
            raise PdfUnavailable(
                f"Chromium could not print the certificate: {exc.message}"
            ) from exc
        finally:
            browser.close()
    return target
