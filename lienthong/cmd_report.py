"""``lienthong report``: verify a signed certificate, print its PDF, or re-render a report.

The reports and axis modules are imported when a sub-command runs: rendering pulls in
matplotlib, which every other ``lienthong`` command should not wait for.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reports.errors import ReportError, ReportFormatError, VerificationInputError
from reports.layout import CERTIFICATE_JSON

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE, EXIT_UNTRUSTED, EXIT_EXPIRED = 0, 1, 2, 3, 4
DEFAULT_ARCHIVE = Path("reports/out/certify")


class _Unreadable(Exception):
    """A file the command cannot read or parse (exit 2)."""


def _read_json(path: Path, what: str) -> tuple[bytes, Any]:
    try:
        raw = path.read_bytes()
        return raw, json.loads(raw)
    except OSError as exc:
        raise _Unreadable(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise _Unreadable(f"{what} {str(path)!r} is not JSON: {exc}") from exc


def _certificates(archive: Path) -> Iterator[Path]:
    yield from sorted(archive.rglob(CERTIFICATE_JSON))


def find_by_digest(digest: str, archive: Path) -> Path:
    """The certificate under ``archive`` whose digest (the PDF's QR code) is ``digest``."""
    from reports.certificate import certificate_digest

    if not archive.is_dir():
        raise _Unreadable(f"no certificate archive at {str(archive)!r}: give --archive DIR")
    for path in _certificates(archive):
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if certificate_digest(data) == digest:
            return path
    raise _Unreadable(
        f"no certificate under {str(archive)!r} has digest {digest}: give --archive DIR, the "
        "folder the certificates are kept in"
    )


def _locate(target: str, archive: Path) -> Path:
    from reports.certificate import digest_of_text

    path = Path(target)
    if path.exists():
        return path / CERTIFICATE_JSON if path.is_dir() else path
    digest = digest_of_text(target)
    if digest is None:
        raise _Unreadable(
            f"{target!r} is neither a certificate file, a run folder nor a certificate digest"
        )
    return find_by_digest(digest, archive)


def _trusted(args: argparse.Namespace) -> Any:
    from reports.keys import TrustedKeys, default_trusted_keys

    folder = args.trusted_keys if args.trusted_keys is not None else default_trusted_keys()
    return TrustedKeys.load(args.trusted_key or (), folder)


_EXIT = {"VALID": EXIT_VALID, "INVALID": EXIT_INVALID, "UNTRUSTED": EXIT_UNTRUSTED}


def verify_lines(
    target: Path | str,
    *,
    trusted: Any,
    archive: Path = DEFAULT_ARCHIVE,
    report: Path | None = None,
    transcript: Path | None = None,
    waivers: Path | None = None,
) -> tuple[int, list[str]]:
    """Verify the certificate at ``target`` (a file, a run folder or a digest found under
    ``archive``) against the ``trusted`` keys and return the exit code and the lines to
    print."""
    from axis.transcript import verify_file
    from reports.verification import VerificationStatus, verify_certificate_file
    from spec.clock import vietnam_today

    try:
        path = _locate(str(target), archive)
        result = verify_certificate_file(
            path,
            trusted=trusted,
            today=vietnam_today(),
            check_transcript=verify_file,
            report=report,
            transcript=transcript,
            waivers=waivers,
        )
    except (_Unreadable, VerificationInputError) as exc:
        return EXIT_UNREADABLE, [f"UNREADABLE: {exc}"]
    except ReportFormatError as exc:
        return EXIT_UNREADABLE, [f"UNREADABLE: {target} is not a certificate: {exc}"]
    except ReportError as exc:
        return EXIT_UNREADABLE, [f"UNREADABLE: {exc}"]
    lines = [result.verdict_line(), f"  certificate {path} (digest {result.certificate.digest})"]
    lines += [f"  - {problem}" for problem in result.problems]
    lines += [f"  ok {item}" for item in result.checked]
    lines += [f"  note: {note}" for note in result.notes]
    code = EXIT_EXPIRED if result.status is VerificationStatus.EXPIRED else _EXIT[result.status]
    return code, lines


def run_verify(args: argparse.Namespace) -> int:
    try:
        trusted = _trusted(args)
    except ReportError as exc:
        print(f"UNREADABLE: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    code, lines = verify_lines(
        args.certificate,
        trusted=trusted,
        archive=args.archive,
        report=args.report,
        transcript=args.transcript,
        waivers=args.waivers,
    )
    stream = sys.stderr if code == EXIT_UNREADABLE else sys.stdout
    for line in lines:
        print(line, file=stream)
    return code


def run_pdf(args: argparse.Namespace) -> int:
    from reports.pdf import render_certificate_pdf

    try:
        path = _locate(args.certificate, args.archive)
        out = render_certificate_pdf(path, args.out)
    except _Unreadable as exc:
        print(f"UNREADABLE: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ReportError as exc:
        print(f"lienthong report pdf: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"PDF certificate: {out}")
    return EXIT_VALID


def run_render(args: argparse.Namespace) -> int:
    from reports.folder import CERTIFICATE_JSON, REPORT_JSON, render_views
    from reports.model import Report

    source = Path(args.report)
    out = Path(args.out)
    try:
        raw, data = _read_json(source, "report")
        report = Report.from_json(data)
    except (_Unreadable, ReportFormatError) as exc:
        print(f"UNREADABLE: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    signed_by = None
    certificate = source.parent / CERTIFICATE_JSON
    if certificate.is_file():
        try:
            signed_by = json.loads(certificate.read_bytes())["signer"]["fingerprint"]
        except (OSError, ValueError, KeyError, TypeError):
            signed_by = None
    out.mkdir(parents=True, exist_ok=True)
    target = out / REPORT_JSON
    if not target.exists() or not target.samefile(source):
        # The original bytes, so a certificate issued for them still verifies here.
        target.write_bytes(raw)
    html, junit, index = render_views(report, out, signed_by=signed_by)
    print(f"wrote {html}, {junit}, {index}")
    return EXIT_VALID


def _add_archive(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--archive",
        type=Path,
        default=DEFAULT_ARCHIVE,
        metavar="DIR",
        help=f"where to look for a certificate given by its digest (default {DEFAULT_ARCHIVE})",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="verify a signed certificate, print its PDF, or re-render a report",
        description="Work with certification reports and certificates written by "
        "`lienthong certify`.",
    )
    actions = parser.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check a certificate: signature, report, transcript, waivers, trust and validity",
        description=(
            "Check a certificate: its Ed25519 signature; that the report beside it has the "
            "digest it names and says everything it says; that the transcript beside it is an "
            "intact hash chain with the head it names; that the waivers file beside it (if "
            "any) is the one applied; that a trusted key signed it (--trusted-key, or the "
            "trusted-keys folder); and that it is valid today (Vietnam date). CERT is a "
            "certificate.json, its run folder, or the digest the PDF's QR code carries. "
            "Exit status: 0 VALID, 1 INVALID, 2 a file is missing or unreadable, 3 UNTRUSTED "
            "(intact, but no trusted key signed it), 4 EXPIRED."
        ),
    )
    verify.add_argument(
        "certificate",
        metavar="CERT",
        help="certificate.json, the run folder holding it, or the certificate's digest "
        "(lienthong-certificate:sha256:HEX, as the PDF's QR code says)",
    )
    verify.add_argument(
        "--trusted-key",
        action="append",
        metavar="FILE|FINGERPRINT",
        help="a signing key you trust: its public key PEM (`lienthong keys export-public`) or "
        "its SHA-256 fingerprint (repeatable)",
    )
    verify.add_argument(
        "--trusted-keys",
        type=Path,
        metavar="DIR",
        help="a folder of trusted public keys (*.pem), as the certification office publishes "
        "them (default: the trusted-keys folder in the user's configuration folder)",
    )
    verify.add_argument(
        "--report", type=Path, metavar="FILE", help="the certified report (default: beside it)"
    )
    verify.add_argument(
        "--transcript",
        type=Path,
        metavar="FILE",
        help="the axis transcript export the report rests on (default: transcript.jsonl beside it)",
    )
    verify.add_argument(
        "--waivers",
        type=Path,
        metavar="FILE",
        help="the waivers file the run applied (default: waivers.yaml beside it, if any)",
    )
    _add_archive(verify)
    verify.set_defaults(run=run_verify)
    pdf = actions.add_parser(
        "pdf",
        help="print a certificate as a one-page PDF (Vietnamese and English, with a QR code)",
        description=(
            "Render a certificate as a one-page A4 PDF with headless Chromium: agency, "
            "software and build, profile, verdict, MUST counts, waivers, validity, signer "
            "fingerprint and a QR code of the certificate's digest (which `lienthong report "
            "verify` accepts). Exit status: 0 written, 2 unreadable or Chromium missing."
        ),
    )
    pdf.add_argument("certificate", metavar="CERT", help="certificate.json, its folder or digest")
    pdf.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="the PDF to write (default: certificate.pdf beside it)",
    )
    _add_archive(pdf)
    pdf.set_defaults(run=run_pdf)
    render = actions.add_parser(
        "render",
        help="re-render a report's HTML page, JUnit XML and run.json",
        description=(
            "Read a certification report JSON and write report.html, junit.xml, run.json and a "
            "byte-identical copy of the report JSON into DIR. Exit status: 0 written, 2 the "
            "report is unreadable or not a valid report."
        ),
    )
    render.add_argument("report", metavar="REPORT.json", help="the report JSON to render")
    render.add_argument("--out", metavar="DIR", required=True, help="folder to write into")
    render.set_defaults(run=run_render)
