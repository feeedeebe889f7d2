"""The onboarding board's stage of ``lienthong demo``: phase 1 of 2016 on the board, filled from
real certification runs.

The reference SUT is certified, for real and today, as several phase-1 agencies (``certify
--organ-id``): on the profile each agency's role needs (full for two-way exchange), one on the
receiver profile only, one with the mutant that repeats a status planted, and two with short
validities. Each run is signed with the installation's key, as ``lienthong certify`` signs;
the board trusts that key only because the stage exports it into the board's trusted-keys
folder (``lienthong keys export-public``), never implicitly.

Certificates carry real issue dates and their validity in Vietnam time, so the stage judges
readiness **as of six weeks from today** (``--as-of``): the office asks whether phase 1's
members, as certified today, will all be ready then. By that date the one-month certificate
has expired and the two-month one expires within the month. The stage imports the runs (and
refuses a forged copy), records that one province has since deployed a newer build and the
officer's word on the mutant's agency, prints phase 1's readiness and blockers, simulates the
phase as it stands against everyone on schedule, and exports the board under
``reports/out/board/`` where the front page links it. Every step is the ``lienthong`` command
it prints.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PHASE = "phase-1-2016"
OFFICER = "Phòng kiểm định (demo)"
AHEAD_DAYS = 42
"""How far ahead of today the stage judges readiness: past the one-month certificate's end."""
REPLICATIONS = 3
DAYS: int | None = None  # the phase's window
SCALE = 0.05
JOBS = 2
EXPLORATION_EXAMPLES = 1
FAILING_REQUIREMENT = "LC-NO-REPEAT"
"""The mutant run plants the catalogue's defect that fails this requirement."""


@dataclass(frozen=True, slots=True)
class DemoRun:
    """One certification run of the stage: the agency certified, the profile, the validity,
    the mutant planted (None: the reference SUT as it is) and why it is in the demo."""

    organ_id: str
    profile: str
    validity_months: int
    mutant: str | None
    why: str


def _banner(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)), flush=True)


def _mutant() -> str:
    """The catalogue's mutant that fails :data:`FAILING_REQUIREMENT` (looked up, not named:
    the catalogue's names may change); the full profile exercises every mutant's defect."""
    from conformance.mutants import MUTANTS

    return next(m for m in MUTANTS if FAILING_REQUIREMENT in m.fails).name


def demo_runs() -> tuple[DemoRun, ...]:
    """The runs of the stage, for phase-1 agencies of the 2016 plan (all two-way)."""
    return (
        DemoRun("000.00.00.G14", "full", 12, None, "ready"),
        DemoRun("000.00.00.H49", "full", 12, None, "ready"),
        DemoRun("000.00.00.H15", "full", 2, None, "expires within 30 days of the as-of date"),
        DemoRun("000.00.00.H58", "full", 1, None, "expired by the as-of date"),
        DemoRun("000.00.00.H26", "full", 12, None, "the province deploys a newer build"),
        DemoRun("000.00.00.H08", "receiver", 12, None, "receiver profile for a two-way agency"),
        DemoRun("000.00.00.H19", "full", 12, _mutant(), "a mutant: NOT CERTIFIED"),
    )


class _RunFailed(Exception):
    """A certification run that could not run, or not with the verdict the demo rests on."""


def _certify(run: DemoRun, out: Path) -> Path:
    """Certify the reference SUT as ``run`` says, for real; its run folder."""
    from conformance.certify import run_prepared, summary_lines
    from conformance.errors import CouldNotRun
    from conformance.prepared import prepare
    from conformance.settings import CertifySettings

    settings = CertifySettings(
        adapter="reference",
        organ_id=run.organ_id,
        profile=run.profile,
        mutant=run.mutant,
        officer=OFFICER,
        validity_months=run.validity_months,
        exploration_examples=EXPLORATION_EXAMPLES,
        out_dir=out,
    )
    try:
        result = run_prepared(prepare(settings))
    except CouldNotRun as exc:
        raise _RunFailed(str(exc)) from exc
    summary_lines(result)
    if result.folder is None or result.verdict is None:
        raise _RunFailed(f"the run for {run.organ_id} gave no verdict: {result.message}")
    return result.folder


def _command(argv: Sequence[str]) -> int:
    """Run ``lienthong ARGV`` in this process, printing it first as a user would type it."""
    from lienthong.cli import main

    shown = " ".join(a if a and " " not in a else json.dumps(a, ensure_ascii=False) for a in argv)
    print(f"\n$ lienthong {shown}", flush=True)
    return main(list(argv))


def _forge(run_folder: Path, folder: Path) -> Path:
    """A copy of a genuine certificate made out to Hà Nội: what the board must refuse."""
    from reports.layout import CERTIFICATE_JSON

    document = json.loads((run_folder / CERTIFICATE_JSON).read_text("utf-8"))
    document["party"] = {
        "organ_id": "000.00.00.H24",
        "agency": "Ủy ban nhân dân thành phố Hà Nội",
        "system_id": "00.24.W00",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CERTIFICATE_JSON
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path


def demo_stage(args: argparse.Namespace) -> int:
    """Certify phase-1 agencies for real, fill a registry with the runs, print phase 1's
    readiness and blockers, simulate the phase as it stands, export the board."""
    from reports.layout import CERTIFICATE_JSON
    from reports.run_index import run_folder
    from spec.clock import vietnam_today

    today = vietnam_today()
    as_of = as_of_date(today)
    _banner(f"board: {PHASE} certified today ({today}), judged as of {as_of}")
    out = Path(args.out)
    work = out / "board" / "demo"
    shutil.rmtree(work, ignore_errors=True)
    registry = work / "registry.sqlite"
    keys = work / "trusted-keys"
    keys.mkdir(parents=True)
    board = ["--registry", str(registry), "--trusted-keys", str(keys), "--as", OFFICER]
    judged = [*board, "--as-of", as_of.isoformat()]

    folders: dict[str, Path] = {}
    for run in demo_runs():
        mutant = f" --mutant {run.mutant}" if run.mutant else ""
        print(
            f"\n$ lienthong certify --adapter reference --organ-id {run.organ_id} --profile "
            f"{run.profile} --validity-months {run.validity_months} --officer "
            f'"{OFFICER}" --exploration-examples {EXPLORATION_EXAMPLES}{mutant}   # {run.why}',
            flush=True,
        )
        try:
            folders[run.organ_id] = _certify(run, out / "certify")
        except _RunFailed as exc:
            print(f"board demo: {exc}")
            return 1
    forged = _forge(folders["000.00.00.G14"], work / "forged-for-hanoi")

    _banner("board: import, deployments, decisions")
    print("The runs are signed with the installation's key. The board trusts it because it is")
    print("exported into the board's trusted-keys folder: trust is explicit, never implicit.")
    if _command(["keys", "export-public", "--out", str(keys / "installation.pem")]):
        return 1
    if _command(["board", "import", *map(str, folders.values()), *board]):
        print("board demo: the certification runs did not all import")
        return 1
    print("\nA copy of a certificate made out to Hà Nội instead:")
    if _command(["board", "import", str(forged), *board]) != 1:
        print("board demo: the forged copy was not refused")
        return 1
    h26 = json.loads((folders["000.00.00.H26"] / CERTIFICATE_JSON).read_text("utf-8"))
    software = h26["software"]
    newer = f"{software['build'] or 'unnamed'}+hotfix.1"
    steps = [
        ["board", "deploy", "000.00.00.H26", "--vendor", software["vendor"], "--product",
         software["product"], "--version", software["version"], "--build", newer,
         "--note", "the province installed a hotfix after certification", *board],
        ["board", "decide", PHASE, "000.00.00.H19", "--expected-ready",
         (as_of + timedelta(days=21)).isoformat(), "--fix-days", "14",
         "--note", "the vendor fixes the repeated status", *board],
    ]  # fmt: skip
    for step in steps:
        if _command(step):
            return 1

    _banner(f"board: {PHASE} as of {as_of}")
    if _command(["board", "status", "--phase", PHASE, *judged]) not in (0, 1):
        return 1

    _banner(f"board: {PHASE} as it stands against everyone on schedule, simulated")
    simulate = ["board", "simulate", PHASE, "-r", str(REPLICATIONS), "--scale", str(SCALE)]
    simulate += ["--days", str(DAYS)] if DAYS else []
    if _command([*simulate, "-j", str(JOBS), "-q", *judged]):
        return 1

    _banner("board: the static export, linked from the front page")
    export = run_folder(out, "board", datetime.now(UTC), None)
    return _command(["board", "export", "--out", str(export), *judged])


def as_of_date(today: date) -> date:
    """The date the stage judges readiness on, for ``today`` (a Vietnam date)."""
    return today + timedelta(days=AHEAD_DAYS)
