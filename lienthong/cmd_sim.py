"""``lienthong sim``: the rollout simulator — run a scenario, sweep a parameter, compare two.

A thin shell: parse arguments, call :mod:`sim`, write the files and the report. The simulator
and the report are imported when a sub-command runs (matplotlib and numpy are slow to load).
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lienthong.front import refresh_front_page

DEFAULT_OUT = Path("reports/out")
EXIT_OK, EXIT_BAD_INPUT, EXIT_FAILED = 0, 2, 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=_positive, metavar="N", help="simulate N days (default: the scenario's)"
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help="seed of the first replication; replication i uses S + i (default: the scenario's)",
    )
    parser.add_argument(
        "--replications",
        "-r",
        type=_positive,
        metavar="R",
        help="replications per scenario (default: the scenario's)",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario setting, e.g. --set axis.servers=4 --set start=2022-07-01 (repeatable)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive,
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
        help=f"write the files and report into DIR (default: a new folder under {DEFAULT_OUT}/sim/)",
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
        description="Run SCENARIO for every combination of the --vary values, all with the same seeds; replications run in parallel.",
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
        "compare", help="run two scenarios with the same seeds and show them side by side"
    )
    compare.add_argument("a", metavar="A", help="first scenario (name or file)")
    compare.add_argument("b", metavar="B", help="second scenario (name or file)")
    _common(compare)
    compare.set_defaults(run=run_compare)


def run_list(args: argparse.Namespace) -> int:
    from sim.scenario import shipped_scenarios

    for name, purpose in shipped_scenarios().items():
        print(f"{name:22s} {purpose}")
    return EXIT_OK


def _load(ref: str, overrides: list[str]) -> Any:
    from sim.scenario import load_scenario, parse_override

    return load_scenario(ref, [parse_override(o) for o in overrides])


def _guard(work: Any) -> int:
    from sim.errors import BackendError, ScenarioError, SimError

    try:
        return work()
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (BackendError, SimError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED


def run_check(args: argparse.Namespace) -> int:
    def work() -> int:
        from sim.model import Model

        scenario = _load(args.scenario, args.overrides)
        Model(scenario.data, scenario.seed, days=1)
        print(f"{scenario.name}: valid ({scenario.purpose})")
        return EXIT_OK

    return _guard(work)


def _folder(args: argparse.Namespace, created: datetime, seed: int) -> Path:
    from reports.run_index import run_folder

    return args.out if args.out else run_folder(DEFAULT_OUT, "sim", created, seed)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "replications": args.replications,
        "seed": args.seed,
        "days": args.days,
        "jobs": args.jobs,
        "scheduler": args.scheduler,
        "progress": not args.quiet,
    }


def run_run(args: argparse.Namespace) -> int:
    def work() -> int:
        from sim.output import report_data, write_profile, write_run
        from sim.replications import run_replications

        scenario = _load(args.scenario, args.overrides)
        created = datetime.now(UTC)
        reps = run_replications(scenario, **_options(args))
        folder = _folder(args, created, reps.seeds[0])
        write_run(reps, folder)
        if args.profile:
            write_profile(reps, args.profile)
        _report(args, [report_data(reps)], folder, f"{scenario.name}", created, reps.seeds[0])
        _print_summary(reps)
        print(f"\nwritten to {folder}")
        return EXIT_OK

    return _guard(work)


def run_sweep(args: argparse.Namespace) -> int:
    def work() -> int:
        from sim.output import report_data, write_sweep
        from sim.scenario import parse_vary
        from sim.sweep import sweep

        scenario = _load(args.scenario, args.overrides)
        vary = [parse_vary(v) for v in args.vary]
        created = datetime.now(UTC)
        points = sweep(scenario, vary, **_options(args))
        seed = points[0].replications.seeds[0]
        folder = _folder(args, created, seed)
        path = write_sweep(points, folder)
        datasets = []
        for point in points:
            data = report_data(point.replications)
            data["scenario"] = point.label
            datasets.append(data)
        title = f"{scenario.name}: sweep of " + ", ".join(p for p, _ in vary)
        _report(args, datasets, folder, title, created, seed)
        for point in points:
            print(f"\n## {point.label}")
            _print_summary(point.replications, brief=True)
        print(f"\nwritten to {path.parent}")
        return EXIT_OK

    return _guard(work)


def run_compare(args: argparse.Namespace) -> int:
    def work() -> int:
        from sim.output import report_data, write_run
        from sim.sweep import compare

        a = _load(args.a, args.overrides)
        b = _load(args.b, args.overrides)
        created = datetime.now(UTC)
        ra, rb = compare(a, b, **_options(args))
        folder = _folder(args, created, ra.seeds[0])
        write_run(ra, folder / "a")
        write_run(rb, folder / "b")
        _report(
            args,
            [report_data(ra), report_data(rb)],
            folder,
            f"{a.name} vs {b.name}",
            created,
            ra.seeds[0],
        )
        sa, sb = ra.summary(), rb.summary()
        print(f"{'metric':40s} {a.name:>22s} {b.name:>22s}")
        for name in _HEADLINE:
            print(f"{name:40s} {sa[name].mean:22.4g} {sb[name].mean:22.4g}")
        print(f"\nwritten to {folder}")
        return EXIT_OK

    return _guard(work)


_HEADLINE = (
    "deliveries",
    "electronic_share",
    "axis_documents_sent",
    "axis_deliveries_received",
    "axis_recipients_per_document",
    "tts_01_median_h",
    "tts_03_median_h",
    "tts_04_median_h",
    "tts_06_median_h",
    "tts_06_p95_h",
    "feedback_complete_share",
    "overdue_share",
    "axis_utilisation",
    "axis_wait_mean_s",
    "axis_queue_max",
    "pages_saved",
)


def _print_summary(reps: Any, *, brief: bool = False) -> None:
    summary = reps.summary()
    print(f"{reps.scenario.name}: seeds {reps.seeds}")
    for name in _HEADLINE[:6] if brief else _HEADLINE:
        e = summary[name]
        if math.isnan(e.mean):
            print(f"  {name:38s} {'n/a':>14} (nothing to measure in this window)")
            continue
        ci = f" ± {e.half_width:.4g}" if e.n > 1 and not math.isnan(e.half_width) else ""
        print(f"  {name:38s} {e.mean:14.4g}{ci}")


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


def demo_stage(args: argparse.Namespace) -> int:
    """The simulator's stage of ``lienthong demo``: ``lienthong sim run baseline-2016`` over the
    last week of phase 2 of the 2016 rollout, two replications on two processes; leaves its
    report in reports/out/sim/."""
    from lienthong.cli import build_parser

    print("\n=== sim: baseline-2016, the last week of phase 2, 2 replications " + "=" * 13)
    argv = ["sim", "run", "baseline-2016", "--set", "start=2016-05-23", "--days", "7"]
    return run_run(build_parser().parse_args([*argv, "-r", "2", "-j", "2"]))
