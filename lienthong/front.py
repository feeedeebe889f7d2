"""Keeping the front page current: every command that writes a run folder calls this."""

from __future__ import annotations

from pathlib import Path


def refresh_front_page(run_folder: Path | None, kind: str) -> None:
    """Rebuild ``<out>/index.html`` when ``run_folder`` is ``<out>/<kind>/<run-id>`` (the
    convention of reports.run_index); a folder chosen by hand elsewhere is left alone."""
    if run_folder is None or run_folder.parent.name != kind:
        return
    from reports.front_page import rebuild_front_page

    print(f"front page: {rebuild_front_page(run_folder.parent.parent).resolve()}")
