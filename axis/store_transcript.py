"""The transcript as the store keeps it: an append-only table of typed events, each chained to
the one before by its hash (:mod:`axis.transcript`), written in the same transaction as the
state it describes.

Events recorded inside a transaction are buffered and written just before it commits; the
in-memory chain head follows commits, rollbacks and savepoints. Listeners hear the new head
after every commit that appended events (the admin long-poll and the dashboard wake on it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from axis.database import Database, Participant
from axis.events import Event, EventBody, encode_body, parse_body
from axis.records import iso_utc
from axis.transcript import GENESIS, chain_hash, record_bytes

Clock = Callable[[], float]

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, kind TEXT NOT NULL, system_id TEXT,
    doc_id TEXT, op TEXT, data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_doc ON events (doc_id) WHERE doc_id IS NOT NULL;
"""

_COLUMNS = "seq, ts, kind, data, prev, hash"

__all__ = ["TranscriptChain"]


def _row_event(row: tuple[Any, ...]) -> Event:
    return Event(row[0], row[1], parse_body(row[2], orjson.loads(row[3])), row[4], row[5])


def _row_line(row: tuple[Any, ...]) -> str:
    """The export line of a stored row (canonical JSON with ``prev`` and ``hash``), from the
    data exactly as it was hashed."""
    seq, ts, kind, data, prev, digest = row
    kind_json = orjson.dumps(kind).decode("utf-8")
    ts_json = orjson.dumps(ts).decode("utf-8")
    return (
        f'{{"data":{data},"hash":"{digest}","kind":{kind_json},"prev":"{prev}",'
        f'"seq":{seq},"ts":{ts_json}}}'
    )


class TranscriptChain(Participant):
    """The hash-chained transcript in ``db``; ``record`` appends to the open transaction."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self._db = db
        self.clock = clock
        db.create(SCHEMA)
        row = db.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        self._head: tuple[int, str] = (row[0], row[1]) if row else (0, GENESIS)
        self._tx_head = self._head
        self._pending: list[tuple[Any, ...]] = []
        self._listeners: list[Callable[[int], None]] = []
        db.join(self)

    def __repr__(self) -> str:
        return f"TranscriptChain({self._db!r})"

    @property
    def head(self) -> tuple[int, str]:
        """(sequence number, hash) of the last recorded event (committed, outside a
        transaction)."""
        return self._head

    def add_listener(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(head_seq)`` after every commit that appended events."""
        self._listeners.append(listener)

    # --- writing ------------------------------------------------------------------------

    def record(self, body: EventBody) -> Event:
        """Append an event to the transcript (written when the transaction commits)."""
        self._db.require_transaction("record()")
        seq, prev = self._head
        seq += 1
        ts = iso_utc(self.clock())
        data_json = encode_body(body)
        kind = str(body.KIND)
        digest = chain_hash(prev, record_bytes(seq, ts, kind, data_json))
        system = getattr(body, "system", "") or None
        doc_id = getattr(body, "doc_id", "") or None
        op = getattr(body, "op", "") or None
        self._pending.append(
            (seq, ts, kind, system, doc_id, op, data_json.decode("utf-8"), prev, digest)
        )
        self._head = (seq, digest)
        return Event(seq, ts, body, prev, digest)

    def begun(self) -> None:
        self._tx_head = self._head

    def flush(self) -> None:
        if self._pending:
            self._db.conn.executemany(
                "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?)", self._pending
            )

    def committed(self) -> None:
        self._pending = []
        if self._head != self._tx_head:
            for listener in self._listeners:
                listener(self._head[0])

    def rolled_back(self) -> None:
        self._pending = []
        self._head = self._tx_head

    def mark(self) -> tuple[tuple[int, str], int]:
        return self._head, len(self._pending)

    def restore(self, mark: tuple[tuple[int, str], int]) -> None:
        self._head = mark[0]
        del self._pending[mark[1] :]

    # --- reading ------------------------------------------------------------------------

    def events_after(
        self,
        cursor: int = 0,
        *,
        limit: int = 1000,
        kind: str | None = None,
        system: str | None = None,
        doc_id: str | None = None,
        op: str | None = None,
    ) -> list[Event]:
        """Events with ``seq > cursor``, oldest first, matching every given field."""
        where, args = self._where(cursor, kind, system, doc_id, op)
        args.append(limit)
        with self._db.lock:
            rows = self._db.conn.execute(
                f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY seq LIMIT ?", args
            ).fetchall()
        return [_row_event(r) for r in rows]

    @staticmethod
    def _where(
        cursor: int, kind: str | None, system: str | None, doc_id: str | None, op: str | None
    ) -> tuple[str, list[Any]]:
        where = ["seq>?"]
        args: list[Any] = [cursor]
        for column, value in (("kind", kind), ("system_id", system), ("doc_id", doc_id)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(str(value))
        if op is not None:
            where.append("op=?")
            args.append(op)
        return " AND ".join(where), args

    def events_about(self, doc_ids: Iterable[str]) -> list[Event]:
        """Every event about one of ``doc_ids``, in order."""
        ids = sorted(set(doc_ids))
        marks = ",".join("?" * len(ids))
        with self._db.lock:
            rows = self._db.conn.execute(
                f"SELECT {_COLUMNS} FROM events WHERE doc_id IN ({marks}) ORDER BY seq", ids
            ).fetchall()
        return [_row_event(r) for r in rows]

    def export_lines(self, cursor: int = 0) -> Iterator[str]:
        """The transcript as JSON Lines lines (no newline), from the stored data exactly as it
        was hashed, in batches, from ``cursor``."""
        while True:
            with self._db.lock:
                rows = self._db.conn.execute(
                    f"SELECT {_COLUMNS} FROM events WHERE seq>? ORDER BY seq LIMIT 5000",
                    (cursor,),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_line(row)
            cursor = rows[-1][0]
