"""``lienthong board``: the onboarding board — which agencies of a rollout phase are certified,
what blocks the others, what the gap costs, and when the phase can go live.

A thin shell over :mod:`board`: parse arguments, open the registry, call the library, print.
Exit codes: 0 done (``status --phase``: the phase is ready); 1 the answer is negative (a
certificate refused at import, a phase blocked); 2 the command could not run (bad options, an
unreadable file, a registry that is not one).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from time import monotonic
from typing import Any

from lienthong.arguments import at_least, iso_day, share

EXIT_OK, EXIT_NEGATIVE, EXIT_CANNOT = 0, 1, 2
# The phase simulation's defaults (board.simulate's, named here without importing the simulator).
REPLICATIONS, SCALE = 3, 0.05


def _judging() -> argparse.ArgumentParser:
    judging = argparse.ArgumentParser(add_help=False)
    judging.add_argument(
        "--as-of",
        dest="as_of",
        type=iso_day,
        metavar="DATE",
        help='judge readiness on this Vietnam date instead of today ("will the phase be '
        'ready on 1 May?")',
    )
    return judging


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("registry and trust")
    group.add_argument(
        "--registry",
        type=Path,
        metavar="FILE",
        help="the registry file (SQLite; created when missing; default: board.sqlite in the "
        "user's data directory)",
    )
    group.add_argument(
        "--as",
        dest="who",
        metavar="NAME",
        help="who makes the change, for the audit log (default: your login name)",
    )
    group.add_argument(
        "--trusted-key",
        dest="trusted_key",
        action="append",
        default=[],
        metavar="FILE|FINGERPRINT",
        help="a certification key to trust: its PEM public key (`lienthong keys export-public`) "
        "or its 64-hex fingerprint (repeatable)",
    )
    group.add_argument(
        "--trusted-keys",
        dest="trusted_keys",
        type=Path,
        metavar="DIR",
        help="a folder of trusted public keys (*.pem) as the certification office publishes "
        "them (default, when no --trusted-key is given: the trusted-keys folder of the user's "
        "configuration folder, the one `lienthong report verify` reads)",
    )
    return common


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "board",
        help="the onboarding board: certificates × rollout phases × simulation",
        description=(
            "Track which agencies of each rollout phase run certified software, what blocks the "
            "others, what the gap costs (phase simulation) and when the phase can go live. The "
            "registry is one SQLite file; certificates are verified against trusted keys. "
            "Guide: docs/board.md."
        ),
    )
    actions = parser.add_subparsers(dest="board_command", metavar="ACTION", required=True)
    common, judging = _common(), _judging()

    p = actions.add_parser(
        "import",
        parents=[common],
        help="verify certificates and add them to the registry",
        description=(
            "Verify each certificate against the trusted keys and store it, with the outcomes of "
            "the report.json beside it. A forged or untrusted certificate is refused with the "
            "reason and nothing is stored for it; importing one twice changes nothing. Exit 1 "
            "when any was refused."
        ),
    )
    p.add_argument(
        "certificates",
        nargs="+",
        type=Path,
        metavar="CERT",
        help="certificate files or run folders",
    )
    p.add_argument(
        "--deploy",
        action="store_true",
        help="the agency now runs the certified build: record it as its deployment",
    )
    p.set_defaults(run=run_import)

    p = actions.add_parser(
        "status",
        parents=[common, judging],
        help="readiness of every phase, or of one with its blockers",
        description=(
            "Without --phase, one line per phase. With --phase, every member with its state, "
            "software and certificate, then each blocker with its reason. Exit 1 when a phase "
            "asked for is blocked."
        ),
    )
    p.add_argument("--phase", action="append", metavar="NAME", help="a plan's name (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.set_defaults(run=run_status)

    p = actions.add_parser(
        "plan",
        parents=[common],
        help="load a phase plan (YAML) into the registry",
        description="Validate a phase plan against board/plan.schema.json and the agency registry, and store it.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the plan (YAML)")
    p.add_argument("--replace", action="store_true", help="replace a shipped plan of the same name")
    p.set_defaults(run=run_plan)

    p = actions.add_parser("plans", parents=[common], help="list the plans in the registry")
    p.set_defaults(run=run_plans)

    p = actions.add_parser(
        "diff",
        parents=[common],
        help="what changed between two certification runs of the same product",
        description=(
            "Requirements newly failed, fixed and waived, and every fact of the certificate that "
            "changed. Both certificates are verified against the trusted keys."
        ),
    )
    p.add_argument(
        "a", type=Path, metavar="CERT_A", help="the earlier certificate (file or run folder)"
    )
    p.add_argument("b", type=Path, metavar="CERT_B", help="the later certificate")
    p.set_defaults(run=run_diff)

    p = actions.add_parser(
        "deploy",
        parents=[common],
        help="record the build an agency runs in production",
        description="A new build needs re-certification: its readiness follows the build recorded here.",
    )
    p.add_argument("organ_id", metavar="ORGAN_ID", help="the agency")
    for name in ("vendor", "product", "version", "build"):
        p.add_argument(f"--{name}", required=True, help=f"the software's {name}")
    p.add_argument(
        "--system", metavar="SYSTEM_ID", help="its connection system (default: the agency's)"
    )
    p.add_argument(
        "--since", type=iso_day, metavar="DATE", help="in production since (default: today)"
    )
    p.add_argument("--note", default="", help="why, for the audit log")
    p.set_defaults(run=run_deploy)

    p = actions.add_parser(
        "decide",
        parents=[common],
        help="record an officer's word on a blocked agency: expected ready date, fix time",
    )
    p.add_argument("phase", metavar="PHASE", help="the plan")
    p.add_argument("organ_id", metavar="ORGAN_ID", help="the agency")
    p.add_argument(
        "--expected-ready",
        type=iso_day,
        metavar="DATE",
        help="when it is expected to be ready (the simulation connects it then)",
    )
    p.add_argument(
        "--fix-days",
        type=int,
        metavar="N",
        help="days its vendor needs to fix what blocks it (the forecast uses them)",
    )
    p.add_argument("--note", default="", help="why")
    p.set_defaults(run=run_decide)

    p = actions.add_parser(
        "simulate",
        parents=[common, judging],
        help="simulate the phase as it stands against everyone ready on schedule",
        description=(
            "Runs the rollout simulator twice per replication with the same seeds: every member "
            "connected on its planned date, and as it stands (ready members on their date, the "
            "others on paper until they are certified: the date the officer expects, else the "
            "go-live forecast's). "
            "Prints the paired differences with 95 % confidence intervals (electronic share, "
            "paper letters and pages, time to status 06, peak-hour hub load, paper-free date per "
            "tier) and stores the result for the web board. About 20 s for a phase of 30 "
            "provinces over five weeks on two cores."
        ),
    )
    p.add_argument("phase", metavar="PHASE", help="the plan")
    p.add_argument(
        "--replications",
        "-r",
        type=at_least(1),
        default=REPLICATIONS,
        metavar="R",
        help=f"replications of each arm (default {REPLICATIONS}; more give narrower intervals)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=2016,
        metavar="S",
        help="seed of the first replication (default 2016)",
    )
    p.add_argument(
        "--days",
        type=at_least(1),
        metavar="N",
        help="days from the phase's start (default: the phase's window); longer runs reach "
        "the paper-free dates",
    )
    p.add_argument(
        "--scale",
        type=share,
        default=SCALE,
        metavar="X",
        help=f"districts and communes at this share of their number (default {SCALE:g}; the "
        "national traffic is the same at any scale)",
    )
    p.add_argument(
        "--scenario",
        default="baseline-2016",
        metavar="SCENARIO",
        help="the simulator's base scenario (default baseline-2016)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=at_least(1),
        metavar="N",
        help="local worker processes (default: one per core)",
    )
    p.add_argument(
        "--no-forecast",
        action="store_true",
        help="blocked members without an officer's date stay on paper through the window "
        "(default: they connect on their date in the go-live forecast)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(run=run_simulate)

    p = actions.add_parser(
        "forecast",
        parents=[common, judging],
        help="when the phase will be ready, and what each week of delay costs",
    )
    p.add_argument("phase", metavar="PHASE", help="the plan")
    p.add_argument(
        "--capacity",
        type=at_least(1),
        default=5,
        metavar="N",
        help="certification runs a week (default 5)",
    )
    p.set_defaults(run=run_forecast)

    p = actions.add_parser(
        "serve",
        parents=[common, judging],
        help="serve the web board (read-only without the admin token)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port (default 8090; 0 = any free port)")
    p.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="the token that unlocks changes (default: a new random one, printed)",
    )
    p.set_defaults(run=run_serve)

    p = actions.add_parser(
        "export",
        parents=[common, judging],
        help="write the board as static HTML and CSV",
        description=(
            "Static pages (index.html), readiness.csv, certificates.csv and each phase's CSV and "
            "JSON, with a run.json; when DIR is reports/out/board/RUN-ID the front page "
            "(reports/out/index.html) is rebuilt to link it."
        ),
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write into")
    p.set_defaults(run=run_export)


# --- shared ------------------------------------------------------------------------------


class _Fail(Exception):
    """A reason the command cannot run (exit 2)."""


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``run`` with a reason it cannot run (``_Fail``, the board's errors) as one line, exit 2."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        from board.errors import BoardError

        try:
            return run(args)
        except (_Fail, BoardError) as exc:
            print(f"lienthong board: {exc}", file=sys.stderr)
            return EXIT_CANNOT

    return guarded


def _clock(args: argparse.Namespace) -> Any:
    """The clock readiness is judged by: ``--as-of`` noon in Vietnam, or the real clock."""
    from spec.clock import SYSTEM_CLOCK, VIETNAM, FixedClock

    if getattr(args, "as_of", None) is None:
        return SYSTEM_CLOCK
    return FixedClock(datetime.combine(args.as_of, time(12, 0), VIETNAM))


def _who(args: argparse.Namespace) -> str:
    if args.who:
        return str(args.who)
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown user"


def _registry(args: argparse.Namespace) -> Any:
    """The registry, on the real clock: the audit log says when a change was really made."""
    from board.paths import default_registry
    from board.registry import open_registry

    return open_registry(args.registry or default_registry(), who=_who(args))


def _trusted(args: argparse.Namespace) -> Any:
    from board.certificates import load_trusted_keys
    from reports.keys import default_trusted_keys

    folder = args.trusted_keys
    if folder is None and not args.trusted_key:
        folder = default_trusted_keys()
    return load_trusted_keys(args.trusted_key, folder)


def _certificate_reader(trusted: Any) -> Callable[[Path], Any]:
    """Reads a certificate (file or run folder) verified against ``trusted`` on today's Vietnam
    date, with the transcript beside it checked; refusals raise ``CertificateRefused``."""
    from axis.transcript import verify_file
    from board.certificates import read_certificate
    from spec.clock import vietnam_today

    today = vietnam_today()
    return lambda path: read_certificate(path, trusted, today=today, check_transcript=verify_file)


def _trust_note(trusted: Any) -> str | None:
    if trusted:
        return None
    return (
        "note: no trusted key configured, so no certificate counts; give --trusted-key FILE "
        "(`lienthong keys export-public` writes it) or put the office's public keys in the "
        "trusted-keys folder (docs/board.md)"
    )


# --- actions -----------------------------------------------------------------------------


@_guarded
def run_import(args: argparse.Namespace) -> int:
    from board.errors import CertificateRefused

    trusted = _trusted(args)
    read = _certificate_reader(trusted)
    accepted, refused = [], 0
    for path in args.certificates:
        try:
            certificate = read(path)
        except CertificateRefused as exc:
            refused += 1
            print(f"REFUSED {exc.source} ({exc.kind}):")
            for reason in exc.reasons:
                print(f"  - {reason}")
            continue
        accepted.append((certificate, str(path.resolve())))
    with _registry(args) as registry:
        outcomes = registry.import_certificates(accepted, who=_who(args), deploy=args.deploy)
    for outcome in outcomes:
        c = outcome.certificate
        word = "imported" if outcome.added else "already in the registry, unchanged"
        validity = f"valid until {c.valid_until}" if c.valid_until else "no validity"
        print(
            f"{word}: {c.party.organ_id} {c.party.agency} — {c.software.label}, "
            f"{c.profile}, {c.verdict.value}, {validity} ({c.short})"
        )
        if outcome.deployment is not None:
            print(f"  deployment recorded: runs {c.software.label} via {c.party.system_id}")
    note = _trust_note(trusted)
    if note and refused:
        print(note, file=sys.stderr)
    print(f"{len(outcomes)} imported or already present, {refused} refused")
    return EXIT_NEGATIVE if refused else EXIT_OK


@_guarded
def run_status(args: argparse.Namespace) -> int:
    from board.status import board_status, phase_json
    from board.text import overview_lines, phase_lines

    trusted = _trusted(args)
    with _registry(args) as registry:
        phases = board_status(registry, trusted=trusted, clock=_clock(args), plans=args.phase)
        members = {a.organ_id for p in phases for a in p.agencies}
        agencies = registry.agencies(members)
    if args.json:
        print(json.dumps([phase_json(p, agencies) for p in phases], ensure_ascii=False, indent=2))
    elif args.phase:
        for i, phase in enumerate(phases):
            print(("\n" if i else "") + "\n".join(phase_lines(phase, agencies)))
    else:
        print("\n".join(overview_lines(phases)))
    note = _trust_note(trusted)
    if note:
        print(note, file=sys.stderr)
    if args.phase and not all(p.ready for p in phases):
        return EXIT_NEGATIVE
    return EXIT_OK


@_guarded
def run_plan(args: argparse.Namespace) -> int:
    from board.plans import parse_plan

    try:
        text = args.file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Fail(f"cannot read plan {str(args.file)!r}: {exc}") from None
    with _registry(args) as registry:
        plan = parse_plan(text, str(args.file), registry.resolve)
        added = registry.load_plan(plan, who=_who(args), replace=args.replace)
    word = "loaded" if added else "replaced"
    print(f"plan {plan.name} {word}: {len(plan.members)} members, {plan.start} to {plan.end}")
    return EXIT_OK


@_guarded
def run_plans(args: argparse.Namespace) -> int:
    with _registry(args) as registry:
        for plan in registry.plans():
            print(
                f"{plan.name:16} {plan.start}..{plan.end} {len(plan.members):4} members  {plan.title}"
            )
    return EXIT_OK


@_guarded
def run_diff(args: argparse.Namespace) -> int:
    from board.diff import diff_certificates
    from board.errors import CertificateRefused
    from board.text import diff_lines

    read = _certificate_reader(_trusted(args))
    try:
        a, b = read(args.a), read(args.b)
    except CertificateRefused as exc:
        raise _Fail(f"{exc.source} refused ({exc.kind}): {'; '.join(exc.reasons)}") from None
    print("\n".join(diff_lines(diff_certificates(a, b))))
    return EXIT_OK


@_guarded
def run_deploy(args: argparse.Namespace) -> int:
    from board.certificates import Software

    software = Software(args.vendor, args.product, args.version, args.build)
    with _registry(args) as registry:
        d = registry.record_deployment(
            args.organ_id,
            software,
            system_id=args.system,
            since=args.since,
            who=_who(args),
            note=args.note,
        )
    print(f"{d.organ_id} runs {software.label} via {d.system_id} since {d.since}")
    return EXIT_OK


@_guarded
def run_decide(args: argparse.Namespace) -> int:
    with _registry(args) as registry:
        d = registry.decide(
            args.phase,
            args.organ_id,
            expected_ready=args.expected_ready,
            fix_days=args.fix_days,
            note=args.note,
            who=_who(args),
        )
    print(
        f"{d.organ_id} in {d.plan}: expected ready {d.expected_ready or '—'}, "
        f"fix {d.fix_days if d.fix_days is not None else '—'} days"
    )
    return EXIT_OK


def simulate_and_store(
    registry: Any, readiness: Any, options: dict[str, Any], who: str, *, use_forecast: bool
) -> Any:
    """Run the phase simulation of ``readiness`` and store it in the registry for the board."""
    from board.forecast import forecast_phase, ready_dates
    from board.simulate import simulate_phase

    decisions = registry.decisions(readiness.plan.name)
    forecast = forecast_phase(readiness, decisions) if use_forecast else None
    result = simulate_phase(readiness.plan, ready_dates(readiness, decisions, forecast), **options)
    registry.store_simulation(readiness.plan.name, result.to_json(), who=who)
    return result


@_guarded
def run_simulate(args: argparse.Namespace) -> int:
    from board.forecast import forecast_phase
    from board.simulate import PhaseSimulation
    from board.status import phase_status
    from board.text import forecast_lines, simulation_lines

    trusted = _trusted(args)
    with _registry(args) as registry:
        readiness = phase_status(registry, args.phase, trusted=trusted, clock=_clock(args))
        options = {
            "replications": args.replications,
            "seed": args.seed,
            "days": args.days,
            "scenario": args.scenario,
            "scale": args.scale,
            "jobs": args.jobs,
            "progress": not args.quiet,
        }
        started = monotonic()
        result: PhaseSimulation = simulate_and_store(
            registry, readiness, options, _who(args), use_forecast=not args.no_forecast
        )
        seconds = monotonic() - started
        forecast = forecast_phase(readiness, registry.decisions(args.phase), simulation=result)
        agencies = registry.agencies(a.organ_id for a in readiness.agencies)
    print("\n".join(simulation_lines(result)))
    print(f"  ({2 * result.replications} runs in {seconds:.1f} s)")
    print()
    print("\n".join(forecast_lines(forecast, agencies)))
    return EXIT_OK


@_guarded
def run_forecast(args: argparse.Namespace) -> int:
    from board.forecast import forecast_phase
    from board.simulate import PhaseSimulation
    from board.status import phase_status
    from board.text import forecast_lines

    trusted = _trusted(args)
    with _registry(args) as registry:
        readiness = phase_status(registry, args.phase, trusted=trusted, clock=_clock(args))
        stored = registry.latest_simulation(args.phase)
        forecast = forecast_phase(
            readiness,
            registry.decisions(args.phase),
            capacity=args.capacity,
            simulation=PhaseSimulation.from_json(stored) if stored else None,
        )
        agencies = registry.agencies(a.organ_id for a in readiness.agencies)
    print("\n".join(forecast_lines(forecast, agencies)))
    return EXIT_OK


@_guarded
def run_serve(args: argparse.Namespace) -> int:
    import secrets

    from axis.server import ServerFailed, serve_app
    from board.web import board_app

    token = args.admin_token or secrets.token_urlsafe(24)
    if len(token) < 16:
        raise _Fail("--admin-token must be at least 16 characters")
    trusted = _trusted(args)
    with _registry(args) as registry:
        app = board_app(registry, trusted, clock=_clock(args), admin_token=token)

        def announce(url: str) -> None:
            print(f"onboarding board listening on {url}")
            print(f"  registry:     {registry.path}")
            print(f"  trusted keys: {len(trusted.keys)}")
            print(f"  admin token:  {token}  (sign in at {url}/admin to make changes)")
            sys.stdout.flush()

        try:
            serve_app(app, args.host, args.port, announce=announce)
        except ServerFailed as exc:
            raise _Fail(str(exc)) from None
    return EXIT_OK


@_guarded
def run_export(args: argparse.Namespace) -> int:
    from board.export import export_board
    from lienthong.front import refresh_front_page

    trusted = _trusted(args)
    with _registry(args) as registry:
        result = export_board(
            registry, args.out, trusted=trusted, clock=_clock(args), created=datetime.now(UTC)
        )
    print(f"board exported: {result.index.resolve()} ({result.pages} pages; {result.summary})")
    refresh_front_page(result.folder, "board")
    return EXIT_OK
