"""``lienthong contract check URL``: check a test build's control interface (the adapter
contract) endpoint by endpoint, in seconds, before a certification run.

Exit code 0 when every endpoint the controller declares answers as the contract says, 1 when an
answer breaks it (each break is printed with its exact key and the shape expected), 2 when the
controller cannot be reached or the options are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_BAD_OPTIONS = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from conformance.contract_check import DEFAULT_TIMEOUT, DEFAULT_WAIT

    parser = subparsers.add_parser(
        "contract",
        help="check a SUT's control interface (the adapter contract) before certifying it",
        description="The adapter contract (docs/adapter-contract.md) between the suite and a "
        "vendor's test build.",
    )
    actions = parser.add_subparsers(dest="contract_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="call every endpoint the controller declares and say what is right and wrong",
        description=(
            "Call every endpoint of the adapter contract that the controller at URL declares "
            "(info, configure against a throw-away fake axis, send, actions, take-back and its "
            "answer, registered documents, reset), check each answer against its JSON Schema "
            "and against what was asked, and print per endpoint what is right and what is "
            "wrong, with the exact key and the shape expected. The run ends with a reset when "
            "the SUT offers one. Exit status: 0 everything right, 1 an answer breaks the "
            "contract, 2 the controller cannot be reached."
        ),
    )
    check.add_argument(
        "url",
        metavar="URL",
        help="base URL of the controller, e.g. http://127.0.0.1:8088 (the paths below it "
        "start with /lienthong/v1)",
    )
    check.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help=f"how long the SUT may take to act on the axis (poll, download, send a status) "
        f"before that step counts as wrong (default {DEFAULT_WAIT:g})",
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long one call of the controller may take (default {DEFAULT_TIMEOUT:g})",
    )
    check.add_argument(
        "--startup",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep trying the first call this long while the test build starts (default 0; "
        "useful in CI right after starting it)",
    )
    check.add_argument(
        "--json", action="store_true", help="print the result as JSON (for machines) at the end"
    )
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from conformance.contract_check import (
        EXIT_CANNOT_CHECK,
        CheckAborted,
        EndpointCheck,
        check_contract,
    )
    from conformance.contract_check.render import endpoint_lines, summary_line

    shown: list[EndpointCheck] = []

    def show(check: EndpointCheck) -> None:
        if args.json:
            return
        if not shown:
            print(f"adapter contract check of {args.url}\n")
        shown.append(check)
        print("\n".join(endpoint_lines(check)), flush=True)

    try:
        report = check_contract(
            args.url, wait=args.wait, timeout=args.timeout, startup=args.startup, on_done=show
        )
    except ValueError as exc:
        print(f"lienthong contract check: {exc}", file=sys.stderr)
        return EXIT_BAD_OPTIONS
    except CheckAborted as exc:
        print(f"lienthong contract check: {exc}", file=sys.stderr)
        return EXIT_CANNOT_CHECK
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"\n{summary_line(report)}")
    return report.exit_code
