"""``lienthong demo``: the main job end to end with the embedded defaults (what `make demo` runs)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from lienthong.cmd_validate import render_table, validate_file
from spec import Options, Severity

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "corpus"
REALWORLD = ROOT.parent / "shared" / "realworld"


def _banner(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)))


def stage_validate(args: argparse.Namespace) -> int:
    """Validate the fixture corpus and the real-world SDK samples; summarise what was found."""
    options = Options()
    folders = [CORPUS / "valid", CORPUS / "invalid", args.realworld]
    for folder in folders:
        files = sorted(folder.glob("*.edxml")) if folder.is_dir() else []
        _banner(
            f"validate {folder.relative_to(ROOT.parent) if folder.is_relative_to(ROOT.parent) else folder}"
        )
        if not files:
            print(f"(no edXML files in {folder}; skipped)")
            continue
        results = [validate_file(f, options, 50 * 2**20) for f in files]
        if folder.name == "realworld":
            print(render_table(results, show_info=False))
            continue
        refused = sum(r.status == "refused" for r in results)
        errors = sum(r.status == "errors" for r in results)
        warned = sum(
            r.status == "ok" and any(f.severity is Severity.WARNING for f in r.findings)
            for r in results
        )
        clean = len(results) - refused - errors - warned
        print(
            f"{len(results)} file(s): {clean} clean, {warned} with warnings only, "
            f"{errors} with errors, {refused} refused as hostile or not edXML"
        )
    return 0


def stage_axis(args: argparse.Namespace) -> int:
    """The fake axis: two systems exchange fixture documents and statuses 01→06; the timeline
    per document, and the dashboard's screenshot in the reports folder's dashboard/."""
    from axis.demo import run_demo

    _banner("axis: documents and statuses between two systems")
    return run_demo(out=lambda line: print(line, flush=True), screenshot=args.out / "dashboard")


def stage_certify(args: argparse.Namespace) -> int:
    """Certify the reference SUT (CERTIFIED) and one mutant (NOT CERTIFIED)."""
    from lienthong.cmd_certify import demo_stage

    _banner("certify: the reference SUT and one mutant")
    return demo_stage(args)


def stage_sim(args: argparse.Namespace) -> int:
    """baseline-2016 over a short horizon with a few replications; its HTML report."""
    from lienthong.cmd_sim import demo_stage

    return demo_stage(args)


def stage_load(args: argparse.Namespace) -> int:
    """A 30-second bounded load run against an in-process axis, with the correctness checks."""
    from lienthong.cmd_load import demo_stage

    _banner("load: 30 s against an in-process axis, with the correctness checks")
    return demo_stage(args)


def stage_board(args: argparse.Namespace) -> int:
    """Phase 1 of 2016 on the onboarding board: certificates from real runs, readiness and
    blockers, the phase simulation, the go-live forecast and the board's static export."""
    from lienthong.board_demo import demo_stage

    return demo_stage(args)


def stage_front_page(args: argparse.Namespace) -> int:
    """Rebuild the reports folder's index.html from every run folder and print its path."""
    from reports.front_page import rebuild_front_page

    _banner("front page")
    print(f"front page: {rebuild_front_page(args.out).resolve()}")
    return 0


STAGES: list[tuple[str, Callable[[argparse.Namespace], int]]] = [
    ("validate", stage_validate),
    ("axis", stage_axis),
    ("certify", stage_certify),
    ("sim", stage_sim),
    ("load", stage_load),
    ("board", stage_board),
    ("front-page", stage_front_page),
]


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    for name, stage in STAGES:
        if args.only and name not in args.only:
            continue
        code = stage(args)
        if code:
            print(f"\ndemo stage {name!r} failed (exit {code})")
            return code
    print(f"\ndemo finished in {time.monotonic() - started:.1f} s")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the main job end to end with the embedded defaults (what `make demo` runs)",
        description="Runs every demo stage in turn: " + ", ".join(n for n, _ in STAGES) + ".",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[n for n, _ in STAGES],
        help="run only this stage (repeatable)",
    )
    parser.add_argument(
        "--realworld",
        type=Path,
        default=REALWORLD,
        metavar="DIR",
        help=f"folder of real-world edXML samples (default {REALWORLD})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "reports" / "out",
        metavar="DIR",
        help="the reports folder every stage writes into (default reports/out/ of the checkout)",
    )
    parser.set_defaults(run=run)
