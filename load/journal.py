"""The client side's own record of a load run: what each simulated system sent and was told,
what it received and acked, one JSON object per line.

The axis's transcript says what the axis did; the journal says what the clients saw. The
correctness checks hold one against the other, so an axis that answers ``OK`` and then loses
the message is caught even if its own records agree with themselves. Each locust process writes
its own file (``journal-<pid>.jsonl``) in the plan's journal folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["Journal", "read_journals"]

PATTERN = "journal-*.jsonl"


class Journal:
    """An append-only journal file; ``write`` buffers, ``flush``/``close`` write it out."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"journal-{os.getpid()}.jsonl"
        self._file: IO[str] | None = open(self.path, "a", encoding="utf-8")  # noqa: SIM115

    def __repr__(self) -> str:
        return f"Journal({str(self.path.parent)!r})"

    def write(self, event: str, **data: Any) -> None:
        if self._file is None:
            raise ValueError(f"journal {str(self.path)!r} is closed")
        self._file.write(json.dumps({"ev": event, **data}, separators=(",", ":")) + "\n")

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_journals(folder: Path) -> Iterator[dict[str, Any]]:
    """Every entry of every journal file in ``folder``, file by file, in written order. A
    torn last line (a process killed mid-write) is skipped."""
    for path in sorted(Path(folder).glob(PATTERN)):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    break
                yield json.loads(line)
