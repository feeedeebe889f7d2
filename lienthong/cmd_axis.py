"""``lienthong axis``: run the fake axis, check a transcript export, run the axis demo."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from axis.config import (
    DEFAULT_BODY_TIMEOUT_S,
    DEFAULT_HEADER_TIMEOUT_S,
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_HEADERS,
)
from axis.peer_settings import DEFAULT_TIME_SCALE

EXIT_OK, EXIT_TAMPERED, EXIT_UNREADABLE = 0, 1, 2
EXIT_BAD_CONFIG = 2


SYSTEMS_ENV = "LIENTHONG_AXIS_SYSTEMS"
TOKEN_ENV = "LIENTHONG_AXIS_ADMIN_TOKEN"


def _system_lines(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _systems(args: argparse.Namespace) -> list[str]:
    """``--system`` values, then the lines of ``--systems-file`` and of $LIENTHONG_AXIS_SYSTEMS
    (secrets there do not show in the process list)."""
    from axis.errors import ConfigError

    texts = list(args.system)
    for path in args.systems_file:
        try:
            texts += _system_lines(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--systems-file {str(path)!r} cannot be read: {exc}") from None
    texts += _system_lines(os.environ.get(SYSTEMS_ENV, ""))
    return texts


def _admin_token(args: argparse.Namespace) -> str | None:
    from axis.errors import ConfigError

    if args.admin_token_file is not None:
        try:
            token = args.admin_token_file.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"--admin-token-file {str(args.admin_token_file)!r} cannot be read: {exc}"
            ) from None
        if not token:
            raise ConfigError(f"--admin-token-file {str(args.admin_token_file)!r} is empty")
        return token
    return args.admin_token or os.environ.get(TOKEN_ENV) or None


def _serve(args: argparse.Namespace) -> int:
    from axis.config import AxisConfig, SystemSpec
    from axis.errors import AxisError
    from axis.peer_settings import PeerSettings
    from axis.server import serve

    try:
        peers = (
            None
            if args.no_peers
            else PeerSettings(
                time_scale=args.peer_time_scale, file=args.peers, poll_s=args.peer_poll
            )
        )
        config = AxisConfig(
            host=args.host,
            port=args.port,
            data_dir=args.data,
            strict=args.strict,
            tolerate_8bit_headers=args.tolerate_8bit_headers,
            max_body_bytes=args.max_body_bytes,
            max_header_bytes=args.max_header_bytes,
            header_timeout_s=args.header_timeout,
            body_timeout_s=args.body_timeout,
            fault_file=args.faults,
            seed=args.seed,
            systems=tuple(SystemSpec.parse(text) for text in _systems(args)),
            seed_defaults=not args.no_default_systems,
            peers=peers,
            admin_token=_admin_token(args),
            run_id=args.run_id,
        )
        return serve(config, out=lambda line: print(line, flush=True))
    except AxisError as exc:
        print(f"lienthong axis serve: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG


def _verify(args: argparse.Namespace) -> int:
    from axis.transcript import verify_file

    try:
        result = verify_file(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read transcript {str(args.file)!r}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(result)
    return EXIT_OK if result.ok else EXIT_TAMPERED


def _demo(args: argparse.Namespace) -> int:
    from axis.demo import run_demo

    return run_demo(out=lambda line: print(line, flush=True))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "axis",
        help="the fake Trục liên thông: serve it, verify its transcript, run its demo",
        description=(
            "The fake axis speaks VNPT's VXP protocol: point a vendor's SDK at its endpoint "
            "and use the systemId/secret it prints."
        ),
    )
    commands = parser.add_subparsers(dest="axis_command", metavar="ACTION", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the fake axis on a real port until interrupted",
        description=(
            "Starts the fake axis and prints its endpoint, the admin token and the credentials "
            "of the systems it knows."
        ),
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=8800, help="port (default 8800; 0 picks a free one)"
    )
    serve.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="folder for the SQLite database (owner-only); a restart keeps everything "
        "(default: a temporary folder deleted at exit)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="refuse documents with error-level findings and invalid agency codes "
        "(default: lenient, findings only recorded)",
    )
    serve.add_argument("--faults", type=Path, metavar="FILE", help="fault plan, YAML or JSON")
    serve.add_argument(
        "--system",
        action="append",
        default=[],
        metavar="ID:SECRET[:CODE,…]",
        help="add a connection system and the agencies it serves (repeatable); it takes a code "
        "a default system holds. Secrets given here show in the process list: prefer "
        f"--systems-file or ${SYSTEMS_ENV}",
    )
    serve.add_argument(
        "--systems-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help=f"systems, one ID:SECRET[:CODE,…] per line (# comments); also read from ${SYSTEMS_ENV}",
    )
    serve.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="derive the default systems' secrets and the DocIds from N, so a run can be "
        "repeated (default: random secrets at every start)",
    )
    serve.add_argument(
        "--run-id",
        metavar="ID",
        help="salt of the DocIds with the seed (default: random, recorded in the transcript's "
        "start event): the same seed and run id give the same DocIds",
    )
    serve.add_argument(
        "--no-default-systems",
        action="store_true",
        help="do not add the default systems (VPCP G22, Nghệ An H41, Cao Bằng H14, Bộ Xây dựng G17)",
    )
    serve.add_argument(
        "--peers",
        type=Path,
        metavar="FILE",
        help="how the simulated peer agencies behave, per system (YAML, axis/peers.schema.json); "
        "without it every default system answers each document 01 → 03 → 04 → 05 → 06",
    )
    serve.add_argument(
        "--no-peers",
        action="store_true",
        help="do not play the default systems: they answer nothing unless you drive them",
    )
    serve.add_argument(
        "--peer-time-scale",
        type=float,
        default=DEFAULT_TIME_SCALE,
        metavar="X",
        help=f"the peers' handling times pass X times faster than real time (default "
        f"{DEFAULT_TIME_SCALE:g}: an hour of an agency's work takes five seconds)",
    )
    serve.add_argument(
        "--peer-poll",
        type=float,
        default=1.0,
        metavar="S",
        help="how often a peer polls its inbox, in seconds (default 1)",
    )
    serve.add_argument(
        "--tolerate-8bit-headers",
        action="store_true",
        help="accept a bad signature when a signed header has bytes >= 0x80 (the SDK's "
        "truncation when the endpoint URL has a port)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="N",
        help="largest request body accepted (default 50 MiB; 413 beyond)",
    )
    serve.add_argument(
        "--max-header-bytes",
        type=int,
        default=DEFAULT_MAX_HEADERS,
        metavar="N",
        help="largest request line and headers (default 64 KiB; 431 beyond)",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT_S,
        metavar="S",
        help="seconds a client may take to send a request's headers (default 10; 408 beyond)",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=DEFAULT_BODY_TIMEOUT_S,
        metavar="S",
        help="seconds a body may stall (default 30; ten times that in all; 408 beyond)",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help=f"admin API and dashboard token (default: ${TOKEN_ENV}, else random)",
    )
    serve.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="FILE",
        help="read the admin token from FILE (it does not show in the process list)",
    )
    serve.set_defaults(run=_serve)

    verify = commands.add_parser(
        "verify-transcript",
        help="check the hash chain of a transcript export (JSON Lines)",
        description="Exit 0 when the chain is intact, 1 at the first edited line, 2 when unreadable.",
    )
    verify.add_argument("file", type=Path, metavar="FILE", help="transcript export (.jsonl)")
    verify.set_defaults(run=_verify)

    demo = commands.add_parser(
        "demo",
        help="start an axis, exchange documents and statuses between two systems, print timelines",
    )
    demo.set_defaults(run=_demo)
