"""The ``run.json`` index of a report folder: what a later front page lists for each run.

Every run that writes a human report writes ``reports/out/<kind>/<run-id>/`` with the report
and this index: ``{"kind", "title", "created", "seed", "summary", "verdict", "index"}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from reports.errors import ReportFormatError
from spec.jsonmap import JsonMapped, Layout

RUN_INDEX = "run.json"
_KIND = re.compile(r"[a-z][a-z0-9-]*")

__all__ = ["RUN_INDEX", "RunIndex", "read_run_index", "run_folder", "write_run_index"]


@dataclass(frozen=True, slots=True)
class RunIndex(JsonMapped):
    """One run as the front page lists it; ``index`` is the page to open, relative to the
    folder. Its JSON form is ``spec/schemas/run-index.schema.json``."""

    json_layout: ClassVar[Layout] = Layout(error=ReportFormatError, what="run index")
    kind: str
    title: str
    created: datetime
    seed: int | None
    summary: str
    verdict: str | None
    index: str = "report.html"

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.kind):
            raise ReportFormatError(f"kind={self.kind!r} must be lowercase letters, digits, '-'")
        if self.created.tzinfo is None:
            raise ReportFormatError(f"created={self.created!r} must carry a timezone")
        if "\n" in self.summary:
            raise ReportFormatError(f"summary={self.summary!r} must be one line")


def run_folder(out_dir: Path, kind: str, created: datetime, seed: int | None) -> Path:
    """``out_dir/<kind>/<run-id>`` for a run (not created); the run id sorts by time and names
    the seed, e.g. ``20250314T090000-seed1234``."""
    run_id = created.strftime("%Y%m%dT%H%M%S") + (f"-seed{seed}" if seed is not None else "")
    return Path(out_dir) / kind / run_id


def write_run_index(folder: Path, index: RunIndex) -> Path:
    """Write ``folder/run.json`` (creating the folder) and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RUN_INDEX
    path.write_text(json.dumps(index.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path


def read_run_index(folder: Path) -> RunIndex:
    """The index of the run in ``folder``; raises ``ReportFormatError`` when it is missing a
    field or not JSON, ``OSError`` when it cannot be read."""
    path = Path(folder) / RUN_INDEX
    try:
        data = json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise ReportFormatError(f"{str(path)!r} is not a run index: {exc!r}") from exc
    return RunIndex.from_json(data, where=f"{str(path)!r} is not a run index")
