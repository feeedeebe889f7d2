"""The board as static files: HTML pages for the front page and for anyone without the server,
and CSV for spreadsheets.

``export_board`` writes the overview (``index.html``), a page per phase, per agency that is in a
plan or has a certificate, per certificate and per product, the audit log, the stylesheet and
script, ``readiness.csv`` (one line per member per phase), ``certificates.csv`` and each phase's
CSV and JSON, and a ``run.json`` so the front page (``reports/front_page.py``) links it. Links
are relative: the folder works from the file system and from any static server.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from board.certificates import TrustedKeys
from board.registry import Registry
from board.status import CSV_COLUMNS, csv_rows, csv_text, phase_csv, phase_json
from board.web.pages import Pages
from board.web.render import ASSETS, Links, Renderer
from reports.run_index import RunIndex, write_run_index
from spec.clock import Clock, vietnam_today

KIND = "board"
CERTIFICATE_COLUMNS = (
    "digest",
    "organ_id",
    "agency",
    "system_id",
    "vendor",
    "product",
    "version",
    "build",
    "profile",
    "verdict",
    "require_signature",
    "must_passed",
    "must_waived",
    "must_total",
    "mutant",
    "waivers",
    "issued",
    "valid_from",
    "valid_until",
    "signer",
    "verification",
)

__all__ = ["KIND", "ExportResult", "export_board"]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the export went: its folder, its front page and how many pages it wrote."""

    folder: Path
    index: Path
    pages: int
    summary: str


class _Writer:
    def __init__(self, folder: Path, pages: Pages, trusted_count: int, clock: Clock) -> None:
        self.folder = folder
        self.pages = pages
        self.renderer = Renderer()
        self.trusted_count = trusted_count
        self.today = vietnam_today(clock)
        self.written = 0

    def page(self, path: str, template: str, context: dict[str, Any]) -> Path:
        depth = path.count("/")
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        context = dict(context)
        html = self.renderer.render(
            template,
            links=Links("../" * depth, static=True),
            admin=False,
            trusted_count=self.trusted_count,
            today=context.pop("today", self.today),
            **context,
        )
        target.write_text(html, "utf-8")
        self.written += 1
        return target

    def text(self, path: str, text: str) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")


def export_board(
    registry: Registry,
    out: Path,
    *,
    trusted: TrustedKeys,
    clock: Clock,
    created: datetime,
) -> ExportResult:
    """Write the static board into ``out`` (created; pages already there are replaced)."""
    out = Path(out)
    pages = Pages(registry, trusted, clock)
    w = _Writer(out, pages, len(trusted.keys), clock)
    overview = pages.overview()
    index = w.page("index.html", "overview.html.j2", overview)
    agencies: set[str] = set()
    readiness_rows: list[list[str]] = []
    for phase in overview["phases"]:
        name = phase.plan.name
        context = pages.phase(name)
        w.page(f"phase/{name}.html", "phase.html.j2", context)
        data = phase_json(context["readiness"], context["agencies"])
        w.text(f"phase/{name}.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        w.text(f"phase/{name}.csv", phase_csv(data))
        readiness_rows += csv_rows(data)
        agencies.update(a.organ_id for a in phase.agencies)
    certificates = registry.certificates_for(sorted(agencies | _certified(registry)))
    agencies |= set(certificates)
    for organ_id in sorted(agencies):
        w.page(f"agency/{organ_id}.html", "agency.html.j2", pages.agency(organ_id))
    cert_rows = []
    for found in certificates.values():
        for c in found:
            context = pages.certificate(c.digest)
            w.page(f"certificate/{c.digest}.html", "certificate.html.j2", context)
            w.text(
                f"certificate/{c.digest}.json",
                json.dumps(dict(c.document), ensure_ascii=False, indent=2) + "\n",
            )
            cert_rows.append(_certificate_row(c, context["verification"].status.value))
    for product in registry.products():
        w.page(f"product/{product.id}.html", "product.html.j2", pages.product(product.id))
    w.page("audit.html", "audit.html.j2", pages.audit())
    w.text("readiness.csv", csv_text(CSV_COLUMNS, readiness_rows))
    w.text("certificates.csv", csv_text(CERTIFICATE_COLUMNS, cert_rows))
    (out / "static").mkdir(exist_ok=True)
    for name in ASSETS.names():
        shutil.copyfile(ASSETS.path(name), out / "static" / name)
    phases = overview["phases"]
    ready = sum(p.ready for p in phases)
    summary = (
        f"{len(phases)} phases ({ready} ready), {len(cert_rows)} certificates, "
        f"{len(agencies)} agencies, as of {w.today}"
    )
    write_run_index(
        out,
        RunIndex(
            kind=KIND,
            title="Onboarding board",
            created=created,
            seed=None,
            summary=summary,
            verdict=None,
            index="index.html",
        ),
    )
    return ExportResult(out, index, w.written, summary)


def _certified(registry: Registry) -> set[str]:
    return {d.organ_id for p in registry.products() for d in registry.product_deployments(p.id)}


def _certificate_row(c: Any, trust: str) -> list[Any]:
    return [
        c.digest,
        c.party.organ_id,
        c.party.agency,
        c.party.system_id,
        c.software.vendor,
        c.software.product,
        c.software.version,
        c.software.build or "",
        c.profile,
        c.verdict.value,
        "yes" if c.require_signature else "no",
        c.must_passed,
        c.must_waived,
        c.must_total,
        c.mutant or "",
        "; ".join(f"{w.requirement} until {w.expires} ({w.approved_by})" for w in c.waivers),
        c.issued.isoformat(),
        c.valid_from.isoformat(),
        c.valid_until.isoformat() if c.valid_until else "",
        c.signer,
        trust,
    ]
