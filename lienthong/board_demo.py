"""The onboarding board's stage of ``lienthong demo``: phase 1 of 2016 as its certification office
would have seen it on 1 March 2016, three weeks before the phase began.

The reference SUT and one mutant are certified for real; their reports become certificates for
several phase-1 agencies (the reference SUT's run certifies six of them, one of which expires
within the month and one of which has since deployed a new build; the mutant's run fails one;
one certificate has expired). Until ``lienthong certify`` issues certificates that name the
agency (the certification issue), :mod:`board.issuing` signs them here with a key made for the
demo and trusted by its registry. Each is imported through the same verification as ``board
import``, with one forged copy refused. The stage prints phase 1's readiness and blockers,
simulates the phase as it stands against everyone on schedule, forecasts the go-live, and
exports the board under ``reports/out/board/`` where the front page links it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from spec.clock import VIETNAM

PHASE = "phase-1-2016"
DEMO_DAY = datetime(2016, 3, 1, 9, 0, tzinfo=VIETNAM)
MUTANT = "repeats-03"
OFFICER = "Phòng kiểm định (demo)"
SOFTWARE = ("lienthong", "reference SUT", "1.0", "ref-2016.02")
NEW_BUILD = "ref-2016.03"
REPLICATIONS = 3
SCENARIO = "baseline-2016"
DAYS: int | None = None  # the phase's window


def _banner(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)), flush=True)


class _RunFailed(Exception):
    """A certification run did not give the verdict the demo rests on."""


def _runs(out: Path) -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    """Certify the reference SUT (CERTIFIED) and the mutant (NOT CERTIFIED) for real; their
    report texts and JSON."""
    from conformance.certify import run as certify
    from conformance.certify import summary_lines
    from conformance.settings import CertifySettings
    from reports.model import Verdict

    found = []
    for mutant, expected in ((None, Verdict.CERTIFIED), (MUTANT, Verdict.NOT_CERTIFIED)):
        who = f"mutant {mutant!r}" if mutant else "the reference SUT"
        print(f"certifying {who} on the full profile ...", flush=True)
        result = certify(CertifySettings(mutant=mutant, out_dir=out))
        summary_lines(result)
        if result.folder is None or result.verdict is not expected:
            raise _RunFailed(
                f"expected {expected.value} for {who}, got {result.verdict.value}: {result.message}"
            )
        text = (result.folder / "report.json").read_text("utf-8")
        found.append((text, json.loads(text)))
    return found[0], found[1]


def demo_stage(args: argparse.Namespace) -> int:
    """Fill a registry from certification runs, print phase 1's readiness, simulate, export."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from board.certificates import Party, Software, WaiverGrant, load_trusted_keys, read_certificate
    from board.errors import CertificateRefused
    from board.export import export_board
    from board.forecast import forecast_phase, ready_dates
    from board.issuing import issue_from_report, write_certificate, write_public_key
    from board.registry import open_registry
    from board.simulate import simulate_phase
    from board.status import phase_status
    from board.text import forecast_lines, phase_lines, simulation_lines
    from lienthong.front import refresh_front_page
    from reports.run_index import run_folder
    from spec.clock import FixedClock

    _banner("board: phase 1 of 2016 as of 1 March 2016")
    out = Path(args.out)
    work = out / "board" / "demo"
    shutil.rmtree(work, ignore_errors=True)
    try:
        (reference_text, reference), (mutant_text, mutant) = _runs(out / "certify")
    except _RunFailed as exc:
        print(f"board demo: {exc}")
        return 1

    clock = FixedClock(DEMO_DAY)
    today = clock.now().date()
    key = Ed25519PrivateKey.generate()
    keys = work / "trusted-keys"
    write_public_key(key, keys)
    trusted = load_trusted_keys(folders=[keys])
    software = Software(*SOFTWARE)
    year = today + timedelta(days=365)
    # (organ id, agency, system, report, valid from, valid until, waivers)
    plan: list[tuple[str, str, str, Any, date, date, tuple[WaiverGrant, ...]]] = [
        ("000.00.00.G14", "Bộ Thông tin và Truyền thông", "02.14.W00", None, today, year, ()),
        ("000.00.00.H08", "Ủy ban nhân dân tỉnh Bình Định", "00.08.W00", None, today, year, ()),
        ("000.00.00.H49", "Ủy ban nhân dân tỉnh Quảng Ninh", "00.49.W00", None, today, year, ()),
        ("000.00.00.H15", "Ủy ban nhân dân thành phố Đà Nẵng", "00.15.W00", None, today, year, ()),
        (
            "000.00.00.H58",
            "Ủy ban nhân dân tỉnh Tiền Giang",
            "00.58.W00",
            None,
            date(2015, 3, 21),
            today + timedelta(days=20),
            (),
        ),
        ("000.00.00.H26", "Ủy ban nhân dân tỉnh Hải Dương", "00.26.W00", None, today, year, ()),
        ("000.00.00.H19", "Ủy ban nhân dân tỉnh Đồng Nai", "00.19.W00", MUTANT, today, year, ()),
        (
            "000.00.00.H12",
            "Ủy ban nhân dân tỉnh Cà Mau",
            "00.12.W00",
            None,
            date(2015, 1, 20),
            date(2016, 1, 19),
            (),
        ),
    ]
    files = []
    for organ_id, name, system, planted, start, until, waivers in plan:
        report, text = (mutant, mutant_text) if planted else (reference, reference_text)
        certificate = issue_from_report(
            key,
            report,
            party=Party(organ_id, name, system),
            software=software,
            issued=datetime.combine(start, DEMO_DAY.time(), VIETNAM),
            valid_from=start,
            valid_until=until,
            officer=OFFICER,
            mutant=planted,
            waivers=waivers,
        )
        files.append(write_certificate(work / "certificates" / organ_id, certificate, text))
    forged = json.loads(files[0].read_text("utf-8"))
    forged["party"] = {
        "organ_id": "000.00.00.H24",
        "agency": "Ủy ban nhân dân thành phố Hà Nội",
        "system_id": "00.24.W00",
    }
    forged_file = write_certificate(
        work / "certificates" / "forged-for-hanoi", forged, reference_text
    )

    with open_registry(work / "registry.sqlite", clock=clock, who=OFFICER) as registry:
        accepted = []
        for path in [*files, forged_file]:
            try:
                accepted.append((read_certificate(path, trusted), str(path)))
            except CertificateRefused as exc:
                print(f"REFUSED {path.parent.name} ({exc.kind}): {'; '.join(exc.reasons)}")
        outcomes = registry.import_certificates(accepted, who=OFFICER)
        print(
            f"imported {sum(o.added for o in outcomes)} certificates, each verified against the demo's trusted key"
        )
        registry.record_deployment(
            "000.00.00.H26",
            Software(*SOFTWARE[:3], NEW_BUILD),
            since=today,
            who=OFFICER,
            note="the province upgraded after certification",
        )
        registry.decide(
            PHASE,
            "000.00.00.H19",
            expected_ready=date(2016, 4, 11),
            fix_days=None,
            note="the vendor fixes the repeated 03 status",
            who=OFFICER,
        )
        readiness = phase_status(registry, PHASE, trusted=trusted, clock=clock)
        agencies = registry.agencies(a.organ_id for a in readiness.agencies)
        print()
        print("\n".join(phase_lines(readiness, agencies)))

        _banner(f"board: simulating {PHASE} as it stands ({REPLICATIONS} replications)")
        decisions = registry.decisions(PHASE)
        forecast = forecast_phase(readiness, decisions)
        simulation = simulate_phase(
            readiness.plan,
            ready_dates(readiness, decisions, forecast),
            replications=REPLICATIONS,
            days=DAYS or (readiness.plan.end - readiness.plan.start).days + 1,
            scenario=SCENARIO,
            jobs=2,
        )
        registry.store_simulation(PHASE, simulation.to_json(), who=OFFICER)
        print("\n".join(simulation_lines(simulation)))
        print()
        forecast = forecast_phase(readiness, decisions, simulation=simulation)
        print("\n".join(forecast_lines(forecast, agencies)))

        created = datetime.now(UTC)
        result = export_board(
            registry,
            run_folder(out, "board", created, None),
            trusted=trusted,
            clock=clock,
            created=created,
        )
    print(f"\nboard exported: {result.index.resolve()}")
    refresh_front_page(result.folder, "board")
    return 0
