"""The transcript's hash chain: how an event is written down, chained, exported and verified.

The axis records everything that happens as an append-only list of events. Each event's hash is
``sha256(prev_hash + canonical JSON of {seq, ts, kind, data})`` with ``prev_hash`` of the first
event ``GENESIS``; the export is one canonical JSON object per line with ``prev`` and ``hash``
added. Changing, inserting, reordering or deleting any line (but the last ones, which only an
anchored head hash can protect) breaks the chain, and ``verify_lines`` says where.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

GENESIS = "0" * 64

__all__ = [
    "GENESIS",
    "Verification",
    "canonical",
    "chain_hash",
    "record_bytes",
    "verify_file",
    "verify_lines",
]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (orjson's compact form). Strings that are
    not valid Unicode (lone surrogates) are written with ``?`` in their place."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return orjson.dumps(_clean(value), option=orjson.OPT_SORT_KEYS)


def record_bytes(seq: int, ts: str, kind: str, data_json: bytes) -> bytes:
    """``canonical({"seq", "ts", "kind", "data"})`` assembled from the data's canonical JSON,
    so each event's data is serialised once (keys in sorted order: data, kind, seq, ts)."""
    return b'{"data":%s,"kind":%s,"seq":%d,"ts":%s}' % (
        data_json,
        orjson.dumps(kind),
        seq,
        orjson.dumps(ts),
    )


def chain_hash(prev: str, record: bytes) -> str:
    """The hash of an event record (its canonical bytes) chained to the previous hash."""
    return hashlib.sha256(prev.encode("ascii") + record).hexdigest()


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
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return "", f"not JSON ({exc})"
    if not isinstance(obj, dict) or set(obj) != {"seq", "ts", "kind", "data", "prev", "hash"}:
        return "", "not an event object with exactly seq, ts, kind, data, prev, hash"
    if canonical(obj) != line.encode("utf-8"):
        return "", "line is not in canonical form (edited by hand?)"
    if obj["seq"] != seq:
        return "", f"seq is {obj['seq']!r}, expected {seq}"
    if obj["prev"] != prev:
        return "", f"prev is {obj['prev']!r}, expected the previous line's hash {prev!r}"
    record = canonical({k: obj[k] for k in ("seq", "ts", "kind", "data")})
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
    with open(path, encoding="utf-8", newline="") as handle:
        return verify_lines(handle)
