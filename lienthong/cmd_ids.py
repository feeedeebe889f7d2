"""``lienthong ids``: look at agency identifiers (mã định danh) the way the harness reads them."""

from __future__ import annotations

import argparse

from spec.organ_ids import explain, organ_id_problem


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ids",
        help="explain agency identifiers (organ ids) in QCVN 102 or QĐ 20/2020 form",
        description=(
            "Agency identifiers (mã định danh): QCVN 102 'LLL.KK.MM.Xnn' read from the right, "
            "or QĐ 20/2020 left to right ('H44.24.46')."
        ),
    )
    actions = parser.add_subparsers(dest="ids_command", metavar="ACTION", required=True)
    explain_parser = actions.add_parser(
        "explain",
        help="say whether an organ id is valid and what its parts mean",
        description=(
            "Print the form, levels, tier, parent and other form of an organ id, and the agency "
            "name when the fixture registry knows it. Exit status 0 when the id is valid, 1 when "
            "it is not (the reason is printed)."
        ),
    )
    explain_parser.add_argument(
        "organ_id",
        metavar="ID",
        help=(
            "the organ id, e.g. 000.00.24.H44, H44.24 or 00.53.W00 (quote it if it has spaces; "
            "put -- before an id that starts with '-')"
        ),
    )
    explain_parser.set_defaults(run=run_explain)


def fixture_name(organ_id: str) -> tuple[str, str] | None:
    """The fixture registry's name and tier for ``organ_id`` (either form), if it knows it."""
    from fixtures.agencies import lookup

    agency = lookup(organ_id)
    return (agency.name, agency.tier.value) if agency is not None else None


def run_explain(args: argparse.Namespace) -> int:
    text: str = args.organ_id
    print(explain(text, name_of=fixture_name))
    return 1 if organ_id_problem(text) else 0
