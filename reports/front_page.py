"""The front page of every run: ``reports/out/index.html``, one page that lists the latest
certification reports with their verdict badges, the onboarding board's static export,
simulation reports, load tests and the axis dashboard's screenshot, each with its date, seed
and a link.

It is built from what the runs left, never from memory: every ``<kind>/<run-id>/run.json``
under the output folder (``spec/schemas/run-index.schema.json``) and
``dashboard/dashboard.png``. A run.json that does not match the schema, or whose page is
missing, is named in a note rather than linked, so the page never carries a broken link. Links
are relative, so the page works from the file system and from any static server.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from reports.errors import ReportFormatError
from reports.pages import TEMPLATES, page_environment
from reports.run_index import RUN_INDEX, RunIndex, read_run_index
from reports.when import vietnam_time

FRONT_PAGE = "index.html"
DASHBOARD_PNG = Path("dashboard") / "dashboard.png"
LATEST = 10

DASHBOARD_RUNS = 3  # the screenshot says most; a few runs behind it are enough
BOARD_EXPORTS = 3  # the latest export is the board; older ones are history
# (section id, heading, kinds it lists, how many it shows); other kinds go to "Other reports".
SECTIONS: tuple[tuple[str, str, frozenset[str], int], ...] = (
    ("certification", "Certification reports", frozenset({"certification"}), LATEST),
    ("board", "Onboarding board", frozenset({"board"}), BOARD_EXPORTS),
    ("simulation", "Simulation reports", frozenset({"simulation", "sim", "sweep"}), LATEST),
    ("load", "Load tests", frozenset({"load"}), LATEST),
    ("dashboard", "Axis dashboard", frozenset({"dashboard"}), DASHBOARD_RUNS),
)
_PASSING = frozenset({"pass", "passed", "certified", "ok", "conformant"})
_FAILING = frozenset({"fail", "failed", "not certified", "not-certified", "rejected"})

__all__ = ["FrontPageEntry", "collect_runs", "rebuild_front_page"]


@dataclass(frozen=True, slots=True)
class FrontPageEntry:
    """One run as the front page shows it: its index, and ``href``, its page relative to the
    output folder."""

    run: RunIndex
    href: str

    @property
    def badge(self) -> str:
        """``pass``, ``fail``, ``other`` (a verdict of another kind) or ``none``."""
        return _badge(self.run.verdict)


def _badge(verdict: str | None) -> str:
    if verdict is None:
        return "none"
    word = verdict.strip().lower()
    if word in _PASSING:
        return "pass"
    if word in _FAILING:
        return "fail"
    return "other"


def _schema_problem(path: Path) -> str | None:
    import json

    from spec.schemas import validator

    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return f"cannot be read: {exc}"
    error = next(iter(validator("run-index").iter_errors(data)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"does not match run-index.schema.json at {where}: {error.message}"


def collect_runs(out_dir: Path) -> tuple[list[FrontPageEntry], list[str]]:
    """Every run under ``out_dir`` that the page can link, newest first, and a note for each
    run.json it cannot."""
    out_dir = Path(out_dir)
    entries, notes = [], []
    for index_path in sorted(out_dir.glob(f"*/*/{RUN_INDEX}")):
        folder = index_path.parent
        shown = folder.relative_to(out_dir).as_posix()
        problem = _schema_problem(index_path)
        if problem is not None:
            notes.append(f"{shown}/{RUN_INDEX} {problem}")
            continue
        try:
            index = read_run_index(folder)
        except (ReportFormatError, OSError) as exc:
            notes.append(f"{shown}/{RUN_INDEX}: {exc}")
            continue
        target = folder / index.index
        if not target.is_file():
            notes.append(f"{shown}: its page {index.index!r} is missing")
            continue
        entries.append(FrontPageEntry(index, target.relative_to(out_dir).as_posix()))
    entries.sort(key=lambda e: e.run.created, reverse=True)
    return entries, notes


def _sections(entries: list[FrontPageEntry]) -> list[tuple[str, str, list[FrontPageEntry], int]]:
    """(id, heading, latest entries, how many in all) per section, "other" last if any."""
    named = set().union(*(kinds for _, _, kinds, _ in SECTIONS))
    out = []
    for section, heading, kinds, shown in SECTIONS:
        chosen = [e for e in entries if e.run.kind in kinds]
        out.append((section, heading, chosen[:shown], len(chosen)))
    others = [e for e in entries if e.run.kind not in named]
    if others:
        out.append(("other", "Other reports", others[:LATEST], len(others)))
    return out


def _environment() -> jinja2.Environment:
    return page_environment(TEMPLATES, {"when": vietnam_time})


def rebuild_front_page(out_dir: Path, *, now: datetime | None = None) -> Path:
    """Build ``out_dir/index.html`` from the runs found under ``out_dir`` (created if needed);
    returns its path. Written atomically: a reader never sees half a page."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries, notes = collect_runs(out_dir)
    screenshot = out_dir / DASHBOARD_PNG
    shot = None
    if screenshot.is_file():
        taken = datetime.fromtimestamp(screenshot.stat().st_mtime, UTC)
        shot = {"href": DASHBOARD_PNG.as_posix(), "taken": taken}
    page = (
        _environment()
        .get_template("front_page.html.j2")
        .render(
            sections=_sections(entries),
            screenshot=shot,
            notes=notes,
            built=now or datetime.now(UTC),
            total=len(entries),
        )
    )
    target = out_dir / FRONT_PAGE
    fd, temporary = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=out_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(page)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)
    return target
