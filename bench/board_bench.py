"""The onboarding board at the scale of the 2016 plan: 500 certificates over the members of
TP.HCM, phase 1 and phase 2 (73 agencies), in one registry file.

(a) importing 500 certificates (format 2, issued by reports' real issuing over a report of the
    full profile's requirements): read the certificate and the report beside it, verify them
    with reports' verification against the trusted keys, map, store with the deployment and the
    audit entry, per certificate; against the bare work in the same run: an Ed25519 verify and
    an INSERT of the same bytes.
(b) ``board status`` for the whole 2016 plan (every member's readiness in the three phases),
    ms per call: from a freshly opened registry (what the command does) and from an open one
    (what the web board does);
(c) the board's phase page for phase 2 (42 members): rendered in process, and fetched over
    HTTP from the live server;
each of (b) and (c) also as a ratio to a bare SQLite query of the same rows (members, their
deployments and certificates) in the same run.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from board.certificates import TrustedKeys, read_certificate
from board.registry import open_registry
from board.status import board_status
from conformance.profiles import profile
from reports.certificate import canonical_json, issue_certificate
from reports.keys import CertificateSigner
from reports.layout import CERTIFICATE_JSON, REPORT_JSON
from reports.model import Conditions, Outcome, Report, RequirementResult, SutIdentity
from spec.catalogue import catalogue_digest
from spec.clock import VIETNAM, FixedClock

CERTIFICATES = 500
PLAN_2016 = ("hcm-2016", "phase-1-2016", "phase-2-2016")
PAGE_PHASE = "phase-2-2016"
NOW = datetime(2016, 3, 1, 9, 0, tzinfo=VIETNAM)
CLOCK = FixedClock(NOW)
BUILDS = ("b1", "b2", "b3")

BARE_QUERY = """
SELECT m.plan, m.organ_id, m.role, a.name, a.tier, a.province_name,
       v.version, v.build, p.vendor, p.product, d.system_id,
       c.digest, c.document
FROM plan_members m
JOIN agencies a ON a.organ_id = m.organ_id
LEFT JOIN deployments d ON d.organ_id = m.organ_id AND d.current = 1
LEFT JOIN versions v ON v.id = d.version_id
LEFT JOIN products p ON p.id = v.product_id
LEFT JOIN certificates c ON c.organ_id = m.organ_id
WHERE m.plan IN ({})
"""


def _per_call(work: Callable[[], object], *, seconds: float = 2.0, least: int = 5) -> float:
    """Seconds per call of ``work``, best of repeated timing loops."""
    work()
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while True:
        calls, started = 0, time.perf_counter()
        while calls < least or time.perf_counter() - started < 0.2:
            work()
            calls += 1
        best = min(best, (time.perf_counter() - started) / calls)
        if time.perf_counter() > deadline:
            return best


def _report(
    party: tuple[str, str, str], product: str, version: str, build: str, *, failed: bool,
    finished: datetime, results: tuple[RequirementResult, ...], failing: RequirementResult,
) -> Report:  # fmt: skip
    organ_id, name, system = party
    return Report(
        suite_version="0.1.0",
        profile="full",
        seed=0,
        time_scale=300.0,
        started=finished - timedelta(minutes=3),
        finished=finished,
        sut=SutIdentity(
            product, f"Vendor {product}", version, build, "1.1", "http", organ_id, name, system
        ),
        axis_endpoint="http://127.0.0.1:8088",
        requirements=(failing, *results[1:]) if failed else results,
        transcript_sha256="ab" * 32,
        transcript_events=400,
        conditions=Conditions(
            True, {}, 4, None, "in-process", "bench", None, catalogue_digest(), "c4" * 32
        ),
    )


def _write_certificates(
    folder: Path, signer: CertificateSigner, members: list[tuple[str, str, str]]
) -> list[Path]:
    """500 run folders (certificate and report) over ``members`` (organ id, name, system):
    mostly certified and valid, some expired, some failed, over three builds of two
    products; each report judges every requirement of the full profile."""
    ids = profile("full").requirement_ids
    results = tuple(RequirementResult.of(i, Outcome.PASSED) for i in ids)
    failing = RequirementResult.of(ids[0], Outcome.FAILED)
    paths = []
    for i in range(CERTIFICATES):
        product = "QLVB eOffice" if i % 2 else "DocFlow"
        build = BUILDS[(i // len(members)) % 3]
        issued = NOW - timedelta(days=i % 400)
        report = _report(
            members[i % len(members)], product, f"{4 + i % 3}.0", build, failed=i % 11 == 0,
            finished=issued, results=results, failing=failing,
        )  # fmt: skip
        document = issue_certificate(report, signer, issued=issued)
        run = folder / f"c{i:03d}"
        run.mkdir(parents=True)
        (run / CERTIFICATE_JSON).write_text(json.dumps(document), "utf-8")
        (run / REPORT_JSON).write_text(report.dumps(), "utf-8")
        paths.append(run / CERTIFICATE_JSON)
    return paths


def main() -> None:
    from starlette.applications import Starlette  # noqa: F401  (imported before timing)

    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        root = Path(tmp)
        signer = CertificateSigner.generate()
        trusted = TrustedKeys.of(signer.fingerprint)
        registry_path = root / "board.sqlite"
        with open_registry(registry_path, clock=CLOCK, who="bench") as registry:
            members = list(
                dict.fromkeys(m.organ_id for name in PLAN_2016 for m in registry.plan(name).members)
            )
            agencies = registry.agencies(members)
            parties = [(o, agencies[o].name, agencies[o].system_id) for o in members]
        paths = _write_certificates(root / "certificates", signer, parties)

        # (a) import, per certificate
        started = time.perf_counter()
        with open_registry(registry_path, clock=CLOCK, who="bench") as registry:
            found = [(read_certificate(p, trusted, today=NOW.date()), str(p)) for p in paths]
            registry.import_certificates(found, who="bench")
        import_s = (time.perf_counter() - started) / len(paths)
        bare_import_s = _bare_import(root, paths, signer)

        # (b) status of the whole 2016 plan
        def status_cold() -> object:
            with open_registry(registry_path, clock=CLOCK) as fresh:
                return board_status(fresh, trusted=trusted, clock=CLOCK, plans=PLAN_2016)

        warm_registry = open_registry(registry_path, clock=CLOCK)
        try:
            phases = board_status(warm_registry, trusted=trusted, clock=CLOCK, plans=PLAN_2016)
            ready = sum(a.ready for p in phases for a in p.agencies)
            total = sum(len(p.agencies) for p in phases)
            cold = _per_call(status_cold)
            warm = _per_call(
                lambda: board_status(warm_registry, trusted=trusted, clock=CLOCK, plans=PLAN_2016)
            )
            bare_plan = _per_call(lambda: _bare_query(registry_path, PLAN_2016))
            bare_page = _per_call(lambda: _bare_query(registry_path, (PAGE_PHASE,)))
            page_render, page_http = _phase_page(warm_registry, trusted)
        finally:
            warm_registry.close()

    print(
        f"registry: {len(members)} agencies in {', '.join(PLAN_2016)}; {CERTIFICATES} certificates"
    )
    print(
        f"(a) import, per certificate:          {import_s * 1e3:8.2f} ms   (bare verify + INSERT {bare_import_s * 1e3:.3f} ms; ratio {import_s / bare_import_s:.1f})"
    )
    print(f"    bare SQLite query of the 2016 plan's rows: {bare_plan * 1e3:8.2f} ms")
    print(f"(b) board status, whole 2016 plan ({total} member rows, {ready} ready):")
    print(
        f"    fresh registry (the command):      {cold * 1e3:8.2f} ms per call   ratio to bare query {cold / bare_plan:6.1f}"
    )
    print(
        f"    open registry (the web board):     {warm * 1e3:8.2f} ms per call   ratio to bare query {warm / bare_plan:6.1f}"
    )
    print(f"    bare SQLite query of {PAGE_PHASE}'s rows: {bare_page * 1e3:8.2f} ms")
    print(
        f"(c) phase page {PAGE_PHASE}, rendered:   {page_render * 1e3:8.2f} ms per call   ratio to bare query {page_render / bare_page:6.1f}"
    )
    print(
        f"    phase page over HTTP (live server): {page_http * 1e3:8.2f} ms per call   ratio to bare query {page_http / bare_page:6.1f}"
    )


def _bare_query(path: Path, plans: tuple[str, ...]) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(BARE_QUERY.format(",".join("?" * len(plans))), plans).fetchall()
    finally:
        db.close()


def _bare_import(root: Path, paths: list[Path], signer: CertificateSigner) -> float:
    """Per certificate: read, one Ed25519 verify and one INSERT of the bytes, in one
    transaction."""
    db = sqlite3.connect(root / "bare.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE c (digest TEXT PRIMARY KEY, document TEXT)")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer.public_key))
    started = time.perf_counter()
    db.execute("BEGIN")
    for path in paths:
        data = path.read_bytes()
        document = json.loads(data)
        body = {k: v for k, v in document.items() if k != "signature"}
        public.verify(base64.b64decode(document["signature"]), canonical_json(body))
        db.execute("INSERT INTO c VALUES (?, ?)", (str(path), data.decode()))
    db.execute("COMMIT")
    elapsed = (time.perf_counter() - started) / len(paths)
    db.close()
    return elapsed


def _phase_page(registry: object, trusted: TrustedKeys) -> tuple[float, float]:
    import httpx

    from axis.server import running_app
    from board.web.app import BoardApp
    from board.web.render import Links

    board = BoardApp(registry, trusted, clock=CLOCK, admin_token="bench-" + "x" * 20)  # type: ignore[arg-type]

    def render() -> str:
        context = board.pages.phase(PAGE_PHASE)
        return board.renderer.render(
            "phase.html.j2", links=Links("/"), admin=False, trusted_count=1, **context
        )

    rendered = _per_call(render)
    with running_app(board.app()) as url, httpx.Client(base_url=url) as client:

        def fetch() -> None:
            response = client.get(f"/phase/{PAGE_PHASE}")
            if response.status_code != 200:
                raise RuntimeError(f"phase page answered {response.status_code}")

        served = _per_call(fetch)
    return rendered, served


if __name__ == "__main__":
    main()
