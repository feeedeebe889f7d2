"""``python -m conformance.reference``: run the reference SUT on its own, against any axis.

With ``--axis``, ``--system-id``, ``--secret`` and ``--organ-id`` it starts working at once;
without them it waits for ``POST /lienthong/v1/configure`` on its control endpoint (the
adapter contract), whose URL is the first line it prints.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from conformance.clock import HarnessClock
from conformance.contract import Configuration, SigningCredentials
from conformance.errors import ConformanceError
from conformance.reference.behaviour import DEFECTS, Behaviour
from conformance.reference.server import serve
from conformance.reference.sut import DEFAULT_POLL_INTERVAL, ReferenceSut

_ACCOUNT = ("axis", "system_id", "secret", "organ_id")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.reference",
        description="The lienthong reference SUT: a small document-management client that talks "
        "to an axis and is driven through the adapter contract (docs/adapter-contract.md).",
    )
    account = parser.add_argument_group("axis account (give all four, or configure over HTTP)")
    account.add_argument(
        "--axis", metavar="URL", help="the axis endpoint, e.g. http://127.0.0.1:8080"
    )
    account.add_argument(
        "--system-id", metavar="ID", help="the connection system id (e.g. 00.41.W00)"
    )
    account.add_argument("--secret", metavar="S", help="the system's secret (signs every request)")
    account.add_argument(
        "--organ-id", metavar="ORG", help="the agency this SUT serves (e.g. 000.00.00.H41)"
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        help="folder for the register (default: a temporary folder, lost at exit)",
    )
    parser.add_argument(
        "--control-host",
        default="127.0.0.1",
        help="address of the control endpoint (default 127.0.0.1)",
    )
    parser.add_argument(
        "--control-port",
        type=int,
        default=0,
        metavar="N",
        help="port of the control endpoint (default 0: a free port, printed at start)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=DEFAULT_POLL_INTERVAL,
        metavar="SECONDS",
        help=f"model seconds between polls of the axis (default {DEFAULT_POLL_INTERVAL:g})",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="run the clock X times faster than real time (default 1)",
    )
    parser.add_argument(
        "--ca",
        type=Path,
        metavar="PEM",
        help="the test CA certificate that document signatures must chain to",
    )
    parser.add_argument(
        "--signing-key",
        type=Path,
        metavar="PEM",
        help="the agency's signing key (with --signing-cert)",
    )
    parser.add_argument(
        "--signing-cert",
        type=Path,
        metavar="PEM",
        help="the agency's signing certificate (with --signing-key)",
    )
    parser.add_argument(
        "--require-signature",
        action="store_true",
        help="refuse (02) documents without a valid signature",
    )
    parser.add_argument(
        "--defect",
        action="append",
        default=[],
        choices=sorted(DEFECTS),
        metavar="NAME",
        help="plant a defect, by the name the mutant catalogue (lienthong certify --mutant) "
        "uses too (repeatable): " + ", ".join(DEFECTS),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the SUT does")
    return parser


def _configuration(args: argparse.Namespace) -> Configuration | None:
    given = [name for name in _ACCOUNT if getattr(args, name)]
    if not given:
        return None
    missing = [name for name in _ACCOUNT if not getattr(args, name)]
    if missing:
        raise SystemExit(
            f"give all of --axis, --system-id, --secret, --organ-id (missing: {', '.join(missing)})"
        )
    if bool(args.signing_key) != bool(args.signing_cert):
        raise SystemExit("--signing-key and --signing-cert go together")
    signing = None
    if args.signing_key:
        signing = SigningCredentials(
            args.signing_key.read_text("ascii"), args.signing_cert.read_text("ascii")
        )
    return Configuration(
        axis_endpoint=args.axis,
        system_id=args.system_id,
        secret=args.secret,
        organ_id=args.organ_id,
        ca_pem=args.ca.read_text("ascii") if args.ca else None,
        signing=signing,
        require_signature=args.require_signature,
        poll_interval=args.poll_interval,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    if not args.time_scale > 0:
        raise SystemExit(f"--time-scale={args.time_scale!r} must be > 0")
    config = _configuration(args)
    sut = ReferenceSut(
        Behaviour.with_defects(*args.defect),
        data_dir=args.data,
        clock=HarnessClock(args.time_scale),
        poll_interval=args.poll_interval,
    )
    try:
        if config is not None:
            sut.configure(config)
        return serve(
            sut,
            host=args.control_host,
            port=args.control_port,
            out=lambda line: print(line, flush=True),
        )
    except ConformanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
