"""``lienthong certify``: run the conformance suite against a SUT and give the verdict.

Exit code 0 only when the verdict is CERTIFIED for the chosen profile, 1 when a requirement
failed, 2 when the run could not be completed (SUT unreachable, bad options); the reason is
printed, and the run's folder (HTML report, JUnit XML, signed certificate, transcript) is
written under ``--out``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.settings import (
    DEFAULT_EXPLORATION_EXAMPLES,
    DEFAULT_OUT,
    DEFAULT_TIME_SCALE,
    CertifySettings,
    SettingsError,
)
from lienthong.front import refresh_front_page

EXIT_BAD_OPTIONS = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "certify",
        help="certify a document-management system (SUT) against a conformance profile",
        description=(
            "Run the conformance suite against a SUT through the fake axis and give a verdict "
            "per requirement. By default an in-process fake axis is started on a free port and "
            "the endpoint, systemId, secret and agency id the SUT must be configured with are "
            "printed. Exit code: 0 CERTIFIED, 1 a requirement failed, 2 the run could not be "
            "completed."
        ),
    )
    parser.add_argument(
        "--profile",
        default="full",
        choices=("full", "receiver", "sender"),
        help="certification profile (default: full)",
    )
    parser.add_argument(
        "--adapter",
        default="reference",
        metavar="URL|manual|reference",
        help="how to drive the SUT: the http(s):// URL of its control endpoint (adapter "
        "contract), 'manual' (prompts an operator) or 'reference' (the reference SUT; the "
        "default)",
    )
    parser.add_argument(
        "--axis",
        metavar="URL",
        help="use a running fake axis (through its admin API) instead of an in-process one",
    )
    parser.add_argument("--axis-token", metavar="TOKEN", help="admin token of the axis at --axis")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of every random choice of the run (default 0)"
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=DEFAULT_TIME_SCALE,
        metavar="X",
        help=f"model seconds per real second, so the profile's deadlines run in seconds "
        f"(default {DEFAULT_TIME_SCALE:g}); recorded in the report",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"where the run's folder goes (default {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--waivers", type=Path, metavar="FILE", help="YAML file of waivers to apply"
    )
    parser.add_argument(
        "--mutant",
        metavar="NAME",
        help="plant a defect of the mutant catalogue in the reference SUT (see --list-mutants)",
    )
    parser.add_argument(
        "--require-signature",
        choices=("yes", "no"),
        help="override the profile: require signed documents or not",
    )
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="replay a scenario file written by the exploration (scenarios/NAME.json)",
    )
    parser.add_argument(
        "--exploration-examples",
        type=int,
        default=DEFAULT_EXPLORATION_EXAMPLES,
        metavar="N",
        help=f"random event sequences the stateful exploration tries (default "
        f"{DEFAULT_EXPLORATION_EXAMPLES}, 0 = off)",
    )
    parser.add_argument(
        "--requirements",
        metavar="ID,ID",
        help="run only the tests that verify these requirement ids (a partial run, e.g. to "
        "re-check a fix; never CERTIFIED)",
    )
    parser.add_argument(
        "--list-mutants", action="store_true", help="list the mutant catalogue and exit"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show every conformance test as it runs"
    )
    parser.set_defaults(run=run)


def settings_from_args(args: argparse.Namespace) -> CertifySettings:
    """The run's settings from the command line (raises SettingsError)."""
    return CertifySettings(
        profile=args.profile,
        adapter=args.adapter,
        axis_url=args.axis,
        axis_token=args.axis_token,
        seed=args.seed,
        time_scale=args.time_scale,
        out_dir=args.out,
        waivers=args.waivers,
        mutant=args.mutant,
        require_signature=None
        if args.require_signature is None
        else args.require_signature == "yes",
        replay=args.replay,
        exploration_examples=args.exploration_examples,
        requirements=_ids(args.requirements),
    )


def _ids(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(i.strip() for i in text.split(",") if i.strip())


def _list_mutants() -> int:
    from conformance.mutants import MUTANTS

    for m in MUTANTS:
        print(f"{m.name:32} {m.family:11} {m.profile:9} fails {', '.join(m.fails)}")
        print(f"{'':32} {m.description}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list_mutants:
        return _list_mutants()
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"lienthong certify: {exc}", file=sys.stderr)
        return EXIT_BAD_OPTIONS
    from conformance.certify import run as certify
    from conformance.certify import summary_lines

    result = certify(settings, quiet=not args.verbose)
    summary_lines(result)
    refresh_front_page(result.folder, "certify")
    return result.exit_code


DEMO_MUTANT = "repeat-accepted"


def demo_stage(args: argparse.Namespace) -> int:
    """The certification part of ``lienthong demo``: the reference SUT is CERTIFIED and the
    mutant that repeats 03 is NOT CERTIFIED; both runs leave their HTML report and signed
    certificate under reports/out/certify/."""
    from conformance.certify import run as certify
    from conformance.certify import summary_lines
    from reports.model import Verdict

    expected = ((None, Verdict.CERTIFIED), (DEMO_MUTANT, Verdict.NOT_CERTIFIED))
    for mutant, verdict in expected:
        who = f"the reference SUT with mutant {mutant!r}" if mutant else "the reference SUT"
        print(f"\ncertifying {who} on the full profile ...", flush=True)
        result = certify(CertifySettings(mutant=mutant))
        summary_lines(result)
        if result.verdict is not verdict:
            print(f"expected {verdict.value} for {who}, got {result.verdict.value}")
            return 1
    return 0
