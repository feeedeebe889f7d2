"""``lienthong report``: check a signed certificate, or re-render a certification report.

The reports and axis modules are imported when a sub-command runs: rendering pulls in
matplotlib, which every other ``lienthong`` command should not wait for.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reports.errors import ReportFormatError

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


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


def run_verify(args: argparse.Namespace) -> int:
    from axis.transcript import verify_file
    from reports.certificate import verify_certificate
    from reports.folder import CERTIFICATE_JSON, REPORT_JSON

    certificate_path = Path(args.file)
    if certificate_path.is_dir():
        certificate_path = certificate_path / CERTIFICATE_JSON
    report_path = Path(args.report) if args.report else certificate_path.parent / REPORT_JSON
    try:
        _, certificate = _read_json(certificate_path, "certificate")
        _, report_json = _read_json(report_path, "report")
        transcript = None
        if args.transcript:
            try:
                transcript = verify_file(Path(args.transcript))
            except (OSError, UnicodeDecodeError) as exc:
                raise _Unreadable(f"cannot read transcript {args.transcript!r}: {exc}") from exc
        check = verify_certificate(
            certificate, report_json, transcript=transcript, trusted_fingerprint=args.trusted_key
        )
    except _Unreadable as exc:
        print(f"UNREADABLE: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ReportFormatError as exc:
        print(f"UNREADABLE: {certificate_path} is not a certificate: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not check.ok:
        print(f"INVALID: {certificate_path}")
        for problem in check.problems:
            print(f"  - {problem}")
        return EXIT_INVALID
    sut = certificate["sut"]
    print(
        f"VALID: {certificate_path} — {sut['name']} {sut['version']} ({sut['vendor']}), "
        f"profile {certificate['profile']}, seed {certificate['seed']}: {certificate['verdict']}"
    )
    for item in check.checked:
        print(f"  ok {item}")
    if transcript is None:
        print("  (transcript not checked: give --transcript FILE, the axis transcript export)")
    if args.trusted_key is None:
        print("  (signer not pinned: give --trusted-key FINGERPRINT to check who signed)")
    return EXIT_VALID


def run_render(args: argparse.Namespace) -> int:
    from reports.folder import REPORT_JSON, render_views
    from reports.model import Report

    source = Path(args.report)
    out = Path(args.out)
    try:
        raw, data = _read_json(source, "report")
        report = Report.from_json(data)
    except (_Unreadable, ReportFormatError) as exc:
        print(f"UNREADABLE: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    out.mkdir(parents=True, exist_ok=True)
    target = out / REPORT_JSON
    if not target.exists() or not target.samefile(source):
        # The original bytes, so a certificate issued for them still verifies here.
        target.write_bytes(raw)
    html, junit, index = render_views(report, out)
    print(f"wrote {html}, {junit}, {index}")
    return EXIT_VALID


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="verify a signed certification certificate or re-render a report",
        description="Work with certification reports written by `lienthong certify`.",
    )
    actions = parser.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check a certificate's signature, its report and (optionally) the transcript",
        description=(
            "Check that a certificate's Ed25519 signature verifies, that the report it certifies "
            "has the digest it names and says what it says, and with --transcript that the "
            "axis transcript export is an intact hash chain whose head is the one certified. "
            "Exit status: 0 valid, 1 invalid (the reasons are printed), 2 a file is missing, "
            "unreadable or not a certificate."
        ),
    )
    verify.add_argument(
        "file",
        metavar="FILE",
        help="the certificate (certificate.json) or the report folder holding it",
    )
    verify.add_argument(
        "--report",
        metavar="REPORT",
        help="the certified report JSON (default: report.json beside the certificate)",
    )
    verify.add_argument(
        "--transcript",
        metavar="FILE",
        help="the axis transcript export (JSON Lines) the report rests on; checked when given",
    )
    verify.add_argument(
        "--trusted-key",
        metavar="FINGERPRINT",
        help="SHA-256 fingerprint (hex) of the signing key you trust; checked when given",
    )
    verify.set_defaults(run=run_verify)
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
