"""Waivers: the accepted deviations of a certification run, read from a YAML file.

A waiver excuses the failure of one requirement for a stated reason until its expiry date
(inclusive), approved by a named person. It exists to let a certification go ahead while a
known, accepted deviation is fixed, so the file stays honest: a waiver naming no requirement
of the catalogue is an error before the run starts; one that excuses nothing in the run (the
requirement passed, was not tested or is outside the profile) is listed in the report as
unused; an expired one does not apply and is listed too. Every waiver applied, with its
approver, goes into the signed certificate with the file's SHA-256.

File format (``spec/schemas/waivers.schema.json``)::

    - requirement: LC-STAFFINFO-EXPECTED
      reason: StaffInfo arrives with release 4.2 (ticket VND-118)
      expires: 2025-09-30
      approved_by: Nguyễn Văn A, certification office
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from reports import schema
from reports.errors import ReportFormatError, WaiverError
from reports.model import Outcome, Report, RequirementResult, Waiver
from spec.catalogue import catalogue

__all__ = ["apply_waivers", "load_waivers", "parse_waivers", "unknown_requirements"]


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so the schema sees what the file says."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_waivers(text: str, source: str = "<waivers>") -> tuple[Waiver, ...]:
    """The waivers in YAML (or JSON) ``text``; ``source`` names it in error messages. An empty
    document is no waivers. Raises ``WaiverError``."""
    try:
        data: Any = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise WaiverError([f"{source} is not valid YAML: {_yaml_problem(exc)}"]) from exc
    if data is None:
        return ()
    try:
        schema.check(schema.WAIVERS_SCHEMA, data, source)
    except ReportFormatError as exc:
        raise WaiverError([str(exc)]) from exc
    waivers = []
    problems = []
    for number, entry in enumerate(data, start=1):
        try:
            expires = date.fromisoformat(entry["expires"])
        except ValueError:
            problems.append(
                f"{source}: waiver {number} has expires={entry['expires']!r}, not a date"
            )
            continue
        waivers.append(
            Waiver(entry["requirement"], entry["reason"].strip(), expires, entry["approved_by"])
        )
    doubled = sorted(i for i, n in Counter(w.requirement for w in waivers).items() if n > 1)
    if doubled:
        problems.append(f"{source}: more than one waiver for {', '.join(doubled)}; keep one each")
    if problems:
        raise WaiverError(problems)
    return tuple(waivers)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The YAML error in one line: what and where."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    """The waivers of the YAML file at ``path``. Raises ``WaiverError`` when it cannot be read
    or is not a valid waivers file."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WaiverError([f"cannot read waivers file {str(path)!r}: {exc}"]) from exc
    return parse_waivers(text, str(path))


def apply_waivers(report: Report, waivers: tuple[Waiver, ...], *, today: date) -> Report:
    """The report with every failed requirement that a waiver valid on ``today`` (a Vietnam
    date) names marked waived, the expired waivers in ``expired_waivers`` and the waivers that
    excused nothing (the requirement did not fail, or is outside the profile) in
    ``unused_waivers``: a note for the officer, never a reason to stop (a re-certification
    after the vendor fixed a waived defect leaves its waiver unused).

    Raises ``WaiverError`` listing every waiver that names no requirement of the catalogue
    (a typo, checked before the run by :func:`unknown_requirements`)."""
    if isinstance(today, datetime) or not isinstance(today, date):
        raise TypeError(f"today={today!r} must be a datetime.date (the day the waivers are judged)")
    problems = unknown_requirements(waivers)
    if problems:
        raise WaiverError(problems)
    waived: list[RequirementResult] = []
    expired: list[Waiver] = []
    unused: list[Waiver] = []
    in_report = {r.id: r for r in report.requirements}
    for waiver in waivers:
        result = in_report.get(waiver.requirement)
        if result is not None and result.verdict is Outcome.FAILED and not waiver.valid_on(today):
            expired.append(waiver)
        elif result is not None and result.verdict is Outcome.FAILED:
            waived.append(replace(result, verdict=Outcome.WAIVED, waiver=waiver))
        else:
            unused.append(waiver)
    return report.with_results(
        tuple(waived),
        expired_waivers=(*report.expired_waivers, *expired),
        unused_waivers=(*report.unused_waivers, *unused),
    )


def unknown_requirements(waivers: tuple[Waiver, ...]) -> list[str]:
    """One sentence per waiver that names no requirement of the catalogue."""
    known = catalogue()
    return [
        f"the waiver for {w.requirement!r} names no requirement of spec/requirements/"
        for w in waivers
        if w.requirement not in known
    ]
