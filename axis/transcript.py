"""The transcript's hash chain: how an event is written down, chained, exported and verified.

The axis records everything that happens as an append-only list of events. Each event's hash is
``sha256(prev_hash + canonical JSON of {seq, ts, kind, data})`` with ``prev_hash`` of the first
event ``GENESIS``; the export is one canonical JSON object per line with ``prev`` and ``hash``
added. Changing, inserting, reordering or deleting any line (but the last ones, which only an
anchored head hash can protect) breaks the chain, and ``verify_lines`` says where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64

__all__ = ["GENESIS", "Event", "Verification", "canonical", "chain_hash", "verify_file"]


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, ASCII only (``\\u`` escapes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(prev: str, record: dict[str, Any]) -> str:
    """The hash of an event record chained to the previous event's hash."""
    return hashlib.sha256(prev.encode("ascii") + canonical(record)).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """One transcript event. ``data`` holds the details; ``system``, ``doc_id`` and ``op``
    (when the event has them) are also in ``data`` and are what filters match on."""

    seq: int
    ts: str
    kind: str
    data: dict[str, Any]
    prev: str
    hash: str

    @property
    def record(self) -> dict[str, Any]:
        return {"seq": self.seq, "ts": self.ts, "kind": self.kind, "data": self.data}

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "prev": self.prev, "hash": self.hash}

    def line(self) -> str:
        """The event as one JSON Lines line (without the newline)."""
        return canonical(self.to_json()).decode("ascii")

    def matches(self, **wanted: Any) -> bool:
        """Whether every given field (``kind`` or a key of ``data``) has the given value;
        ``None`` values are ignored."""
        for key, value in wanted.items():
            if value is None:
                continue
            have = self.kind if key == "kind" else self.data.get(key)
            if have != value:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a transcript export."""

    ok: bool
    events: int
    head: str
    bad_line: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"transcript valid: {self.events} events, head {self.head}"
        return f"transcript broken at line {self.bad_line}: {self.reason}"


def _check_line(line: str, prev: str, seq: int) -> tuple[str, str]:
    """(hash, "") for a good line, or ("", reason)."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return "", f"not JSON ({exc})"
    if not isinstance(obj, dict) or set(obj) != {"seq", "ts", "kind", "data", "prev", "hash"}:
        return "", "not an event object with exactly seq, ts, kind, data, prev, hash"
    if canonical(obj).decode("ascii") != line:
        return "", "line is not in canonical form (edited by hand?)"
    if obj["seq"] != seq:
        return "", f"seq is {obj['seq']!r}, expected {seq}"
    if obj["prev"] != prev:
        return "", f"prev is {obj['prev']!r}, expected the previous line's hash {prev!r}"
    record = {k: obj[k] for k in ("seq", "ts", "kind", "data")}
    expected = chain_hash(prev, record)
    if obj["hash"] != expected:
        return "", f"hash is {obj['hash']!r}, but the content hashes to {expected!r}"
    return expected, ""


def verify_lines(lines: Iterable[str]) -> Verification:
    """Check a whole transcript export, line by line (line numbers start at 1)."""
    prev = GENESIS
    count = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n").rstrip("\r")
        if not line:
            return Verification(False, count, prev, number, "empty line")
        digest, reason = _check_line(line, prev, count + 1)
        if reason:
            return Verification(False, count, prev, number, reason)
        prev = digest
        count += 1
    return Verification(True, count, prev)


def verify_file(path: Path) -> Verification:
    """Check a JSON Lines export. Raises ``OSError``/``UnicodeDecodeError`` when unreadable."""
    with open(path, encoding="ascii") as handle:
        return verify_lines(handle)
