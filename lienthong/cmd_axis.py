"""``lienthong axis``: run the fake axis, check a transcript export, run the axis demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_TAMPERED, EXIT_UNREADABLE = 0, 1, 2
EXIT_BAD_CONFIG = 2


def _serve(args: argparse.Namespace) -> int:
    from axis.config import AxisConfig, SystemSpec
    from axis.errors import AxisError
    from axis.server import serve

    try:
        config = AxisConfig(
            host=args.host,
            port=args.port,
            data_dir=args.data,
            strict=args.strict,
            tolerate_8bit_headers=args.tolerate_8bit_headers,
            max_body_bytes=args.max_body_bytes,
            fault_file=args.faults,
            seed=args.seed,
            systems=tuple(SystemSpec.parse(text) for text in args.system),
            seed_defaults=not args.no_default_systems,
            admin_token=args.admin_token,
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
        metavar="ID:SECRET",
        help="add a connection system (repeatable)",
    )
    serve.add_argument(
        "--seed", type=int, default=0, help="seed of secrets, DocIds and faults (default 0)"
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
        "--tolerate-8bit-headers",
        action="store_true",
        help="accept a bad signature when a signed header has bytes >= 0x80 (the SDK's "
        "truncation when the endpoint URL has a port)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=50 * 1024 * 1024,
        metavar="N",
        help="largest request body accepted (default 50 MiB)",
    )
    serve.add_argument(
        "--admin-token", metavar="TOKEN", help="admin API bearer token (default: random)"
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
