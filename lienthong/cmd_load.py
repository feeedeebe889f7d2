"""``lienthong load``: a bounded locust load test of a fake axis on 127.0.0.1, with the
correctness checks; writes locust's CSV and HTML report, the summary and its page, and rebuilds
the front page.

The load package is imported when the command runs: it pulls in the axis server and the
document factory, which other ``lienthong`` commands should not wait for.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

EXIT_PASS, EXIT_VIOLATIONS, EXIT_BROKEN, EXIT_INCONCLUSIVE = 0, 1, 2, 3
EXIT_BY_VERDICT = {"pass": EXIT_PASS, "fail": EXIT_VIOLATIONS, "inconclusive": EXIT_INCONCLUSIVE}
DEFAULT_OUT = Path("reports/out")
DEMO_RUN_TIME_S = 30.0
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?")


def parse_duration(text: str) -> float:
    """Seconds in locust's style: ``90``, ``90s``, ``2m``, ``1h30m``, ``1m30s``."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"duration={text!r} must look like 60, 60s, 2m or 1h30m")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise argparse.ArgumentTypeError(f"duration={text!r} must be more than 0 s, like 60s")
    return total


def _options(args: argparse.Namespace) -> Any:
    from load import Behaviour, LoadOptions, load_profile, national_2022, seeded_faults
    from load.faults import load_fault_file

    profile = load_profile(args.profile) if args.profile else national_2022()
    faults = None
    if args.fault_plan:
        faults = load_fault_file(args.fault_plan)
    elif args.faults:
        faults = seeded_faults(args.seed)
    behaviour = Behaviour(recipients_mean=profile.recipients_mean, lifecycle=args.lifecycle)
    return LoadOptions(
        axis_url=args.axis,
        admin_token=args.admin_token,
        profile=profile,
        users=args.users,
        spawn_rate=args.spawn_rate,
        run_time_s=args.run_time,
        scale=args.scale,
        hour=args.hour,
        seed=args.seed,
        processes=args.processes,
        faults=faults,
        behaviour=behaviour,
        drain_timeout_s=args.drain_timeout,
        out_dir=args.out,
    )


def _print(summary: dict[str, Any], folder: Path) -> None:
    t, lat, profile = summary["throughput"], summary["latency_ms"], summary["profile"]
    print(f"\n{played(profile)}")
    print(
        f"{profile['systems']} systems; offered {profile['offered_documents_per_s']:,.2f} "
        f"documents/s, {profile['offered_deliveries_per_s']:,.1f} exchanges/s"
    )
    print(
        f"achieved {t['exchanges_per_s']:.1f} exchanges/s ({t['documents_per_s']:.1f} documents/s, "
        f"{t['statuses_per_s']:.1f} statuses/s, {t['requests_per_s']:.0f} requests/s) over "
        f"{t['window_s']:.0f} s; {summary['headroom']['ratio']:g}x the national 2022 peak"
    )
    print(f"latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms")
    print(f"cpu (cores): {summary['cpu_cores']}")
    print("\ncorrectness:")
    for check in summary["checks"]:
        mark = "ok  " if check["ok"] else "FAIL"
        print(f"  {mark} {check['id']:<20} {check['checked']:>7} checked  {check['title']}")
        for example in check["examples"][:5]:
            print(f"         - {example}")
    print(f"\nverdict: {summary['verdict'].upper()} — {summary['reason']}")
    print(f"report:  {(folder / 'report.html').resolve()}")
    print(f"locust:  {(folder / 'locust.html').resolve()}")


def played(profile: dict[str, Any]) -> str:
    """Which hour of which profile the run played, and at what scale, in one line."""
    label = f" ({profile['hour_label']})" if profile["hour_label"] else ""
    which = "its busiest" if profile["hour"] == profile["peak_hour"] else "chosen with --hour"
    return (
        f"played hour {profile['hour']}{label} of profile {profile['name']!r} ({which} of "
        f"{profile['hours']} hours) at {profile['scale']:g}x its volume"
    )


def _write_plan(args: argparse.Namespace) -> int:
    """Write the plan for locust's own command line (another machine, another axis)."""
    options = _options(args)
    plan = options.plan(args.target, Path(args.write_plan).stem, Path("journal"))
    plan.write(args.write_plan)
    print(f"plan for {len(plan.slots)} systems against {args.target} written to {args.write_plan}")
    print("register these systems on the axis (or put the issued credentials in the plan):")
    for slot in plan.slots:
        print(f"  {slot.system_id}  {slot.secret}  {', '.join(slot.agencies)}")
    return EXIT_PASS


def run(args: argparse.Namespace) -> int:
    from load import LoadError, run_load

    if args.write_plan:
        try:
            return _write_plan(args)
        except LoadError as exc:
            print(f"lienthong load: {exc}", file=sys.stderr)
            return EXIT_BROKEN
    try:
        result = run_load(_options(args), progress=not args.quiet)
    except LoadError as exc:
        print(f"lienthong load: {exc}", file=sys.stderr)
        return EXIT_BROKEN
    _print(result.summary, result.folder)
    front = Path(args.out) / "index.html"
    if front.exists() and result.folder.resolve().is_relative_to(Path(args.out).resolve()):
        print(f"front page: {front.resolve()}")
    return EXIT_BY_VERDICT[result.verdict]


def demo_stage(args: argparse.Namespace) -> int:
    """The ``load`` stage of ``lienthong demo``: a 30-second run against an axis started here,
    at 100x the national 2022 volume, with the correctness checks, under the demo's reports
    folder (``--out``); then the front page."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    argv = ["--run-time", f"{DEMO_RUN_TIME_S:g}s", "--scale", "100", "--out", str(args.out)]
    return run(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--axis",
        metavar="URL",
        help="a running fake axis on 127.0.0.1 (`lienthong axis serve`); needs --admin-token",
    )
    target.add_argument(
        "--in-process",
        action="store_true",
        help="start an axis in this process for the run (the default)",
    )
    parser.add_argument("--admin-token", metavar="TOKEN", help="the axis's admin token")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="traffic profile: a `lienthong sim run --profile` CSV or a profile JSON "
        "(default: the national 2022 volume, docs/load.md)",
    )
    parser.add_argument(
        "--hour", type=int, metavar="N", help="hour of the profile to play (default: its peak)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=10.0,
        help="multiply the profile's volume and polling (default 10)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=32,
        help="locust users = connection systems played, the busiest of the profile (default 32)",
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=32.0, help="users started per second (default 32)"
    )
    parser.add_argument(
        "--run-time",
        type=parse_duration,
        default=60.0,
        metavar="TIME",
        help="sending window, e.g. 60s, 2m (default 60s); a drain follows",
    )
    parser.add_argument(
        "--drain-timeout",
        type=parse_duration,
        default=60.0,
        metavar="TIME",
        help="longest wait for the axis to go quiet after the window (default 60s)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="locust processes: 1 runs locally, N > 1 a master and N workers (default 1)",
    )
    parser.add_argument(
        "--lifecycle",
        choices=["full", "arrived"],
        default="full",
        help="statuses per delivery: the whole lifecycle (default) or 01 only",
    )
    faults = parser.add_mutually_exclusive_group()
    faults.add_argument(
        "--faults",
        action="store_true",
        help="switch on the axis's seeded faults (5xx, resets, duplicates) for the run",
    )
    faults.add_argument(
        "--fault-plan", type=Path, metavar="FILE", help="a fault plan file (YAML or JSON)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every draw (default 0)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"reports folder; the run goes to DIR/load/<run-id>/ (default {DEFAULT_OUT})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--write-plan",
        type=Path,
        metavar="FILE",
        help="only write the run's plan to FILE, for locust's own command line "
        "(load/locustfile.py, distributed mode; docs/load.md), and exit",
    )
    parser.add_argument(
        "--target",
        default="http://127.0.0.1:8800",
        metavar="URL",
        help="with --write-plan: the axis endpoint the users will call",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load",
        help="load-test a fake axis with locust and check nothing is lost or doubled",
        description=(
            "Runs locust headless, bounded in time, against a fake axis on 127.0.0.1: each user "
            "is a connection system sending documents and statuses at the traffic profile's "
            "rates. Afterwards checks that every send answered OK was delivered and acked, no "
            "delivery acked done was listed again, no status was lost or duplicated, every "
            "status sequence is legal, and the transcript verifies. Exit 0: every check "
            "passed; 1: a check failed; 2: the run could not be made; 3: inconclusive, the "
            "run exchanged no document (the reason is printed)."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(run=run)
