"""``lienthong front-page``: rebuild ``reports/out/index.html``, the one page that lists the
latest certification, simulation and load reports and the dashboard screenshot."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUT = Path("reports/out")


def run(args: argparse.Namespace) -> int:
    from reports.front_page import collect_runs, rebuild_front_page

    path = rebuild_front_page(args.out)
    entries, notes = collect_runs(args.out)
    print(f"{len(entries)} runs listed, {len(notes)} could not be: {path.resolve()}")
    for note in notes:
        print(f"  not listed: {note}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "front-page",
        help="rebuild reports/out/index.html, the front page of every run",
        description=(
            "Reads every <kind>/<run-id>/run.json under the reports folder and writes index.html "
            "there: the latest certification reports with verdict badges, simulation reports, "
            "load tests and the dashboard screenshot, each with date, seed and link."
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"reports folder (default {DEFAULT_OUT})",
    )
    parser.set_defaults(run=run)
