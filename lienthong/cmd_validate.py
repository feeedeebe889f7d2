"""``lienthong validate FILE...``: findings per file, for people (a table) or machines (--json)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from spec import InputRefused, Options, Severity, check
from spec.findings import Finding
from spec.formats import parse_date
from spec.jsonmap import JsonWritable
from spec.xmlsafe import DEFAULT_MAX_BYTES

EXIT_OK, EXIT_ERRORS, EXIT_REFUSED = 0, 1, 2


@dataclass(slots=True)
class FileResult(JsonWritable):
    """What validating one file gave: ok / errors / refused, with findings or the refusal
    (JSON form: an item of ``spec/schemas/validation-report.schema.json``)."""

    file: str
    status: str
    kind: str | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return {"ok": EXIT_OK, "errors": EXIT_ERRORS}.get(self.status, EXIT_REFUSED)


def validate_file(path: Path, options: Options, max_bytes: int) -> FileResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(str(path), "refused", error=f"cannot read: {exc.strerror or exc}")
    try:
        parsed = check(data, options, max_bytes=max_bytes)
    except InputRefused as exc:
        return FileResult(str(path), "refused", error=str(exc))
    has_errors = any(f.severity is Severity.ERROR for f in parsed.findings)
    return FileResult(
        str(path), "errors" if has_errors else "ok", parsed.message.kind, parsed.findings
    )


_MARK = {Severity.ERROR: "ERROR", Severity.WARNING: "warn ", Severity.INFO: "info "}


def _short_path(path: str) -> str:
    return path.replace("/edXML/edXMLEnvelope/edXMLHeader/", "…/").replace(
        "/edXML/edXMLEnvelope/", "…/"
    )


def render_table(results: list[FileResult], show_info: bool) -> str:
    lines = []
    for r in results:
        if r.status == "refused":
            lines.append(f"{r.file}: REFUSED — {r.error}")
            continue
        counts = {s: sum(f.severity is s for f in r.findings) for s in Severity}
        lines.append(
            f"{r.file}: {r.kind}, {'OK' if r.status == 'ok' else 'NOT VALID'} — "
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
            f"{counts[Severity.INFO]} info"
        )
        shown = [f for f in r.findings if show_info or f.severity is not Severity.INFO]
        if shown:
            width = max(len(f.req_id) for f in shown)
            for f in shown:
                lines.append(f"  {_MARK[f.severity]} {f.req_id:<{width}}  {_short_path(f.path)}")
                lines.append(f"        {f.message}")
    ok = sum(r.status == "ok" for r in results)
    bad = sum(r.status == "errors" for r in results)
    refused = sum(r.status == "refused" for r in results)
    lines.append(f"\n{len(results)} file(s): {ok} valid, {bad} with errors, {refused} refused")
    return "\n".join(lines)


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    options = Options(today=args.today, require_signature=args.require_signature)
    results = [validate_file(Path(p), options, args.max_bytes) for p in args.files]
    if args.json:
        json.dump([r.to_json() for r in results], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_table(results, args.info))
    return max(r.exit_code for r in results)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate edXML files (documents and status messages) against the harness profile",
        description=(
            "Parse and validate edXML files. Prints the findings of each file with their "
            "requirement ids. Exit code: 0 no error-level finding, 1 errors found, "
            "2 an input was refused (not XML, hostile, too large, unreadable)."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="edXML file(s) to validate")
    parser.add_argument("--json", action="store_true", help="machine-readable output (JSON)")
    parser.add_argument("--info", action="store_true", help="also list info-level findings")
    parser.add_argument(
        "--today",
        type=_date,
        default=None,
        metavar="YYYY/MM/DD",
        help="the date for 'not in the future' checks (default: today)",
    )
    parser.add_argument(
        "--require-signature",
        action="store_true",
        help="the profile requires a valid signature on every message",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse inputs larger than N bytes (default {DEFAULT_MAX_BYTES:,})",
    )
    parser.set_defaults(run=run)
