"""``lienthong demo``: the main job end to end with the embedded defaults (what `make demo` runs)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from lienthong.cmd_validate import render_table, validate_file
from spec import Options

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
        else:
            ok = sum(r.status == "ok" for r in results)
            refused = sum(r.status == "refused" for r in results)
            errors = len(results) - ok - refused
            print(f"{len(results)} file(s): {ok} valid, {errors} with errors, {refused} refused")
    return 0


STAGES: list[tuple[str, Callable[[argparse.Namespace], int]]] = [
    ("validate", stage_validate),
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
    parser.set_defaults(run=run)
