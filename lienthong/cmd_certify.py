"""``lienthong certify``: run the conformance suite against a SUT and give the verdict.

Its options are the certification option table (:data:`conformance.settings.OPTIONS`), the
same as the pytest plugin's without the ``--lienthong-`` prefix. The settings object goes to
pytest as it is. Exit codes: 0 CERTIFIED, 1 NOT CERTIFIED, 3 INCOMPLETE, 2 could not run (bad
options or files, the SUT or the axis unreachable, a SUT too slow for the time scale: one
reason line, nothing written). A certified run also gets a printable PDF certificate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from conformance.options import add_cli_arguments, values_of
from conformance.settings import OPTIONS, CertifySettings, SettingsError
from lienthong.front import refresh_front_page

EXIT_COULD_NOT_RUN = 2
PROG = "lienthong certify"


def _one_line_error(parser: argparse.ArgumentParser) -> None:
    """Bad options are one reason line and exit 2, not a usage dump."""

    def error(message: str) -> NoReturn:
        parser.exit(EXIT_COULD_NOT_RUN, f"{PROG}: could not run: {message} (see --help)\n")

    parser.error = error  # type: ignore[method-assign]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "certify",
        help="certify a document-management system (SUT) against a conformance profile",
        description=(
            "Run the conformance suite against a SUT through the fake axis and give a verdict "
            "per requirement, with an HTML report, JUnit XML, a signed certificate (JSON) and "
            "a printable PDF certificate. By default an in-process fake axis is started on a "
            "free port and the endpoint, systemId, secret and agency id the SUT must be "
            "configured with are printed. Exit code: 0 CERTIFIED, 1 NOT CERTIFIED, 3 "
            "INCOMPLETE, 2 could not run. The same options work for `pytest conformance/checks` "
            "as --lienthong-NAME."
        ),
    )
    _one_line_error(parser)
    add_cli_arguments(parser, OPTIONS)
    parser.add_argument(
        "--no-pdf", action="store_true", help="do not render the PDF certificate (no Chromium)"
    )
    parser.add_argument(
        "--list-mutants", action="store_true", help="list the mutant catalogue and exit"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show every conformance test as it runs"
    )
    parser.set_defaults(run=run, command_parser=parser)


def settings_from_args(args: argparse.Namespace) -> CertifySettings:
    """The run's settings from the command line (raises SettingsError)."""
    return CertifySettings.from_options(values_of(args, OPTIONS))


def _list_mutants() -> int:
    from conformance.mutants import MUTANTS

    for m in MUTANTS:
        print(f"{m.name:32} {m.family:11} {m.profile:9} fails {', '.join(m.fails)}")
        print(f"{'':32} {m.description}")
    return 0


def _fail(reason: str) -> int:
    print(f"{PROG}: could not run: {reason}", file=sys.stderr)
    return EXIT_COULD_NOT_RUN


def run(args: argparse.Namespace) -> int:
    if args.list_mutants:
        return _list_mutants()
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        return _fail(str(exc))
    from conformance.certify import run_prepared, summary_lines
    from conformance.errors import CouldNotRun
    from conformance.prepared import prepare

    try:
        prepared = prepare(settings)
    except CouldNotRun as exc:
        return _fail(str(exc))
    key = prepared.key
    if key.created:
        print(f"created the signing key {key.path}: fingerprint {key.signer.fingerprint}")
    result = run_prepared(prepared, quiet=not args.verbose)
    if result.outcome is None or result.outcome.verdict is None:
        return _fail(result.message.removeprefix("could not run: "))
    summary_lines(result)
    if result.folder is not None:
        if not args.no_pdf:
            print(pdf_line(result.folder))
        refresh_front_page(result.folder, "certify")
    return result.exit_code


def pdf_line(folder: Path) -> str:
    """Render the run's PDF certificate and say where it is (or why there is none)."""
    from reports.errors import ReportError
    from reports.layout import CERTIFICATE_JSON
    from reports.pdf import render_certificate_pdf

    try:
        path = render_certificate_pdf(folder / CERTIFICATE_JSON)
    except ReportError as exc:
        return f"PDF certificate not rendered: {exc}"
    return f"PDF certificate: {path}"


DEMO_MUTANT = "repeat-accepted"


def demo_stage(args: argparse.Namespace) -> int:
    """The certification part of ``lienthong demo``: the reference SUT is CERTIFIED and the
    mutant that repeats 03 is NOT CERTIFIED; each run leaves its HTML report, signed
    certificate and PDF under reports/out/certify/, and each certificate is verified with the
    installation's public key as the trusted key."""
    from conformance.certify import run_prepared, summary_lines
    from conformance.errors import CouldNotRun
    from conformance.prepared import prepare
    from lienthong.cmd_report import verify_lines
    from reports.keys import TrustedKeys
    from reports.model import Verdict

    expected = ((None, Verdict.CERTIFIED), (DEMO_MUTANT, Verdict.NOT_CERTIFIED))
    for mutant, verdict in expected:
        who = f"the reference SUT with mutant {mutant!r}" if mutant else "the reference SUT"
        print(f"\ncertifying {who} on the full profile ...", flush=True)
        settings = CertifySettings(
            adapter="reference",
            mutant=mutant,
            out_dir=args.out / "certify",
            officer="lienthong demo",
        )
        try:
            prepared = prepare(settings)
        except CouldNotRun as exc:
            return _fail(str(exc))
        key = prepared.key
        made = "created now" if key.created else "the installation's key"
        print(f"signing key {key.path} ({made}): fingerprint {key.signer.fingerprint}")
        result = run_prepared(prepared)
        summary_lines(result)
        if result.verdict is not verdict or result.folder is None:
            print(f"expected {verdict.value} for {who}, got {result.message}")
            return 1
        print(pdf_line(result.folder))
        print(f"\n$ lienthong report verify {result.folder} --trusted-key {key.signer.fingerprint}")
        code, lines = verify_lines(result.folder, trusted=TrustedKeys.of(key.signer.fingerprint))
        for line in lines:
            print(line)
        if code != 0:
            return code
    return 0
