"""``lienthong sim``: the rollout simulator — run a scenario, sweep a parameter, compare two.

A thin shell: parse arguments, call :mod:`sim`, write the files and the report. The simulator
and the report are imported when a sub-command runs (matplotlib and numpy are slow to load).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lienthong import sim_terminal as _terminal
from lienthong.arguments import at_least
from lienthong.front import refresh_front_page

DEFAULT_OUT = Path("reports/out")
EXIT_OK, EXIT_BAD_INPUT, EXIT_FAILED = 0, 2, 1


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=at_least(1), metavar="N", help="simulate N days (default: the scenario's)"
    )
    parser.add_argument(
        "--seed",
        type=at_least(0),
        metavar="S",
        help="seed of the first replication; replication i uses S + i (default: the scenario's)",
    )
    parser.add_argument(
        "--replications",
        "-r",
        type=at_least(1),
        metavar="R",
        help="replications per scenario (default: the scenario's)",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help=(
            "override a scenario setting, e.g. --set axis.servers=4 --set start=2022-07-01 "
            "--set phases.phase-2-2016.shift_days=30 (repeatable)"
        ),
    )
    parser.add_argument(
        "--fixed-schedule",
        action="store_true",
        help=(
            "draw the onboarding days once (with the first seed) and keep them in every "
            "replication, so the replications differ only in the day-to-day randomness"
        ),
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=at_least(1),
        metavar="N",
        help=(
            "local worker processes for the replications (default: one per core, as many as "
            "there are replications; -j 1 runs them in this process)"
        ),
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the replications on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786; needs the 'dask' extra)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write the files and report into DIR (default: a new folder under the reports "
        "folder's sim/)",
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"the reports folder: without --out the run goes to DIR/sim/<run-id>/ and the front "
        f"page DIR/index.html is rebuilt (default {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="write the metric files only, no HTML report"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sim",
        help="simulate the national network under a rollout scenario (axis load, time to status)",
        description=(
            "The rollout simulator: a SimPy model of VPCP, the ministries, 63 provinces with their "
            "departments, districts and communes exchanging documents over the axis, on a "
            "platform or on paper. SCENARIO is a shipped name (see `lienthong sim list`) or a "
            "YAML file."
        ),
    )
    actions = parser.add_subparsers(dest="sim_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the shipped scenarios and what each is for")
    listing.set_defaults(run=run_list)

    check = actions.add_parser(
        "check", help="validate a scenario file against the schema and build its model"
    )
    check.add_argument("scenario", metavar="SCENARIO", help="a shipped name or a YAML file")
    check.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a setting (repeatable)",
    )
    check.set_defaults(run=run_check)

    run = actions.add_parser(
        "run",
        help="run a scenario's replications; write metrics, a traffic profile and an HTML report",
        description="Run SCENARIO: metric files (JSON, CSV), the traffic profile and an HTML report. The same seed writes byte-identical metric files.",
    )
    run.add_argument("scenario", metavar="SCENARIO", help="a shipped name or a YAML file")
    _common(run)
    run.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="also write the traffic profile (sends, downloads and polls per connection system per hour) to FILE for the load tests",
    )
    run.set_defaults(run=run_run)

    sweep = actions.add_parser(
        "sweep",
        help="run a scenario over a grid of parameter values",
        description=(
            "Run SCENARIO for every combination of the --vary values, all with the same seeds; "
            "each variant is compared with the first, metric by metric, paired by seed."
        ),
    )
    sweep.add_argument("scenario", metavar="SCENARIO", help="a shipped name or a YAML file")
    sweep.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=V1,V2,...",
        help="a setting and its values, e.g. --vary axis.servers=2,4,8 (repeatable: the grid is their product)",
    )
    _common(sweep)
    sweep.set_defaults(run=run_sweep)

    compare = actions.add_parser(
        "compare",
        help="run two scenarios with the same seeds; paired differences with confidence intervals",
        description=(
            "Run A and B with the same seeds (common random numbers) and report, for every "
            "metric, B - A paired by seed with its 95 %% confidence interval; differences "
            "whose interval excludes zero are flagged. B may be A itself with --set-b "
            "overrides: `compare baseline-2016 baseline-2016 --set-b "
            "phases.phase-2-2016.shift_days=30` asks what a month's slip of phase 2 costs."
        ),
    )
    compare.add_argument("a", metavar="A", help="reference scenario (name or file)")
    compare.add_argument("b", metavar="B", help="scenario compared with A (name or file)")
    compare.add_argument(
        "--set-b",
        dest="overrides_b",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a setting of B only (repeatable), after the --set ones",
    )
    _common(compare)
    compare.set_defaults(run=run_compare)


def run_list(args: argparse.Namespace) -> int:
    from sim.scenario import shipped_scenarios

    for name, purpose in shipped_scenarios().items():
        print(f"{name:22s} {purpose}")
    return EXIT_OK


def _load(ref: str, overrides: list[str], args: argparse.Namespace | None = None) -> Any:
    from sim.scenario import load_scenario, parse_override

    scenario = load_scenario(ref, [parse_override(o) for o in overrides])
    if args is not None and getattr(args, "fixed_schedule", False):
        seed = scenario.seed if args.seed is None else args.seed
        scenario = scenario.with_overrides([("rollout.schedule_seed", seed)])
    return scenario


def _warn(scenario: Any, days: int | None) -> None:
    for warning in scenario.config.with_days(days).warnings():
        print(f"warning: {warning}", file=sys.stderr)


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``run`` with the simulator's errors as one line: exit 2 for a bad scenario, 1 for a
    failed run."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        from sim.errors import BackendError, ScenarioError, SimError

        try:
            return run(args)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except (BackendError, SimError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED

    return guarded


@_guarded
def run_check(args: argparse.Namespace) -> int:
    from sim.model import Model

    scenario = _load(args.scenario, args.overrides)
    Model(scenario.data, scenario.seed, days=1)
    print(f"{scenario.name}: valid ({scenario.purpose})")
    return EXIT_OK


def _folder(args: argparse.Namespace, created: datetime, seed: int) -> Path:
    from reports.run_index import run_folder

    return args.out if args.out else run_folder(args.reports, "sim", created, seed)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "replications": args.replications,
        "seed": args.seed,
        "days": args.days,
        "jobs": args.jobs,
        "scheduler": args.scheduler,
        "progress": not args.quiet,
    }


@_guarded
def run_run(args: argparse.Namespace) -> int:
    from sim.output import report_data, write_profile, write_run
    from sim.replications import run_replications

    scenario = _load(args.scenario, args.overrides, args)
    _warn(scenario, args.days)
    created = datetime.now(UTC)
    reps = run_replications(scenario, **_options(args))
    folder = _folder(args, created, reps.seeds[0])
    write_run(reps, folder)
    if args.profile:
        write_profile(reps, args.profile)
    data = report_data(reps)
    _report(args, [data], folder, f"{scenario.name}", created, reps.seeds[0])
    print(_terminal.scenario_summary(reps, data["answers"]))
    print(f"\nwritten to {folder}")
    return EXIT_OK


@_guarded
def run_sweep(args: argparse.Namespace) -> int:
    from sim.output import report_data, write_sweep
    from sim.scenario import parse_vary
    from sim.sweep import sweep

    scenario = _load(args.scenario, args.overrides, args)
    _warn(scenario, args.days)
    vary = [parse_vary(v) for v in args.vary]
    created = datetime.now(UTC)
    points = sweep(scenario, vary, **_options(args))
    seed = points[0].replications.seeds[0]
    folder = _folder(args, created, seed)
    path = write_sweep(points, folder)
    datasets = []
    for i, point in enumerate(points):
        data = report_data(point.replications, point.differences if i else None)
        data["scenario"] = point.label
        datasets.append(data)
    title = f"{scenario.name}: sweep of " + ", ".join(p for p, _ in vary)
    _report(args, datasets, folder, title, created, seed)
    print(_terminal.sweep_table(points))
    print(f"\nwritten to {path.parent}")
    return EXIT_OK


@_guarded
def run_compare(args: argparse.Namespace) -> int:
    from sim.output import report_data, write_comparison
    from sim.sweep import compare

    a = _load(args.a, args.overrides, args)
    b = _load(args.b, [*args.overrides, *args.overrides_b], args)
    for scenario in (a, b):
        _warn(scenario, args.days)
    created = datetime.now(UTC)
    comparison = compare(a, b, **_options(args))
    folder = _folder(args, created, comparison.a.seeds[0])
    write_comparison(comparison, folder)
    data_b = report_data(comparison.b, comparison.differences)
    if a.name == b.name:
        data_b["scenario"] = f"{b.name} (B)"
    _report(
        args,
        [report_data(comparison.a), data_b],
        folder,
        f"{a.name} vs {data_b['scenario']}",
        created,
        comparison.a.seeds[0],
    )
    print(_terminal.comparison_table(comparison))
    print(f"\nwritten to {folder}")
    return EXIT_OK


def _report(
    args: argparse.Namespace,
    datasets: list[Any],
    folder: Path,
    title: str,
    created: datetime,
    seed: int,
) -> None:
    if args.no_report:
        return
    from reports.simulation import render_simulation

    render_simulation(datasets, folder, title=title, created=created, seed=seed)
    refresh_front_page(folder, "sim")


DEMO_REPLICATIONS = 5


def demo_stage(args: argparse.Namespace) -> int:
    """The simulator's stage of ``lienthong demo``: ``lienthong sim run baseline-2016`` over the
    last week of phase 2 of the 2016 rollout (after its two-week warm-up), five replications
    on two processes, districts and communes at a tenth of their number; leaves its report
    under the demo's reports folder (``--out``), in sim/."""
    from lienthong.cli import build_parser

    print("\n=== sim: baseline-2016, the last week of phase 2, 5 replications " + "=" * 13)
    argv = ["sim", "run", "baseline-2016", "--set", "start=2016-05-23", "--days", "7"]
    argv += ["--set", "topology.scale=0.1", "-r", str(DEMO_REPLICATIONS), "-j", "2"]
    argv += ["--reports", str(args.out)]
    return run_run(build_parser().parse_args(argv))
