"""Entry point of the ``lienthong`` command.

Each sub-command lives in its own ``lienthong/cmd_*.py`` module exposing
``register(subparsers)``; this module only wires them together and maps errors to exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lienthong import __version__

# Sub-command modules, in the order `lienthong --help` lists them.
COMMAND_MODULES = (
    "lienthong.cmd_validate",
    "lienthong.cmd_ids",
    "lienthong.cmd_demo",
    "lienthong.cmd_contract",
    "lienthong.cmd_certify",
    "lienthong.cmd_report",
    "lienthong.cmd_keys",
    "lienthong.cmd_axis",
    "lienthong.cmd_sim",
    "lienthong.cmd_load",
    "lienthong.cmd_board",
    "lienthong.cmd_front_page",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lienthong",
        description=(
            "Harness for Vietnam's national e-document interchange (liên thông văn bản điện tử): "
            "edXML validation, a fake axis, a conformance suite, a rollout simulator and load tests."
        ),
    )
    parser.add_argument("--version", action="version", version=f"lienthong {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # Said by the sub-command's parser, so that its way of reporting errors holds.
        command_parser = getattr(args, "command_parser", parser)
        command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
