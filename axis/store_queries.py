"""The store's read-only queries: what the admin API and the dashboard show (systems,
messages with their deliveries, transcript events, a document's timeline, the export, counts).
A mixin of :class:`axis.store.Store`, kept apart so the write path stays small."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import orjson

from axis.records import MESSAGE_COLS, StoredMessage, iso_utc
from axis.transcript import Event

__all__ = ["StoreQueries"]


class StoreQueries:
    """Read-only queries over the store's connection (each takes the store's lock)."""

    _db: sqlite3.Connection
    _lock: threading.RLock
    _head: tuple[int, str]

    def list_systems(self) -> list[dict[str, Any]]:
        """Every system with its agency codes and delivery counts (no secrets)."""
        with self._lock:
            agencies: dict[str, list[str]] = {}
            for code, system_id in self._db.execute(
                "SELECT code, system_id FROM agencies WHERE deleted=0 ORDER BY id"
            ):
                agencies.setdefault(system_id, []).append(code)
            counts = {
                (r[0], r[1]): r[2]
                for r in self._db.execute(
                    "SELECT system_id, listed, count(*) FROM deliveries GROUP BY system_id, listed"
                )
            }
            sent = dict(self._db.execute("SELECT sender, count(*) FROM messages GROUP BY sender"))
            rows = self._db.execute("SELECT system_id, name FROM systems ORDER BY system_id")
            return [
                {
                    "system_id": sid,
                    "name": name,
                    "agencies": agencies.get(sid, []),
                    "sent": sent.get(sid, 0),
                    "pending": counts.get((sid, 1), 0),
                    "done": counts.get((sid, 0), 0),
                }
                for sid, name in rows
            ]

    def list_messages(self, *, limit: int = 100, after_seq: int = 0) -> list[dict[str, Any]]:
        """Stored messages in arrival order after ``after_seq``, with their deliveries."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {MESSAGE_COLS} FROM messages WHERE seq>? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
            out = []
            for row in rows:
                msg = StoredMessage(*row)
                deliveries = self._db.execute(
                    "SELECT system_id, to_codes, status, updated FROM deliveries WHERE doc_id=? "
                    "ORDER BY id",
                    (msg.doc_id,),
                ).fetchall()
                out.append(
                    {
                        "doc_id": msg.doc_id,
                        "seq": msg.seq,
                        "sender": msg.sender,
                        "messagetype": msg.messagetype,
                        "from_code": msg.from_code,
                        "title": msg.title,
                        "notation": msg.notation,
                        "document_id": msg.document_id,
                        "status_code": msg.status_code,
                        "size": msg.size,
                        "sha256": msg.sha256,
                        "created": iso_utc(msg.created),
                        "deliveries": [
                            {
                                "system_id": d[0],
                                "to": d[1],
                                "status": d[2],
                                "updated": iso_utc(d[3]),
                            }
                            for d in deliveries
                        ],
                    }
                )
        return out

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
        """Transcript events with ``seq > cursor``, oldest first, matching every given field."""
        where = ["seq>?"]
        args: list[Any] = [cursor]
        for column, value in (
            ("kind", kind),
            ("system_id", system),
            ("doc_id", doc_id),
            ("op", op),
        ):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        args.append(limit)
        with self._lock:
            rows = self._db.execute(
                f"SELECT seq, ts, kind, data, prev, hash FROM events WHERE {' AND '.join(where)} "
                "ORDER BY seq LIMIT ?",
                args,
            ).fetchall()
        return [Event(r[0], r[1], r[2], orjson.loads(r[3]), r[4], r[5]) for r in rows]

    def timeline(self, doc_id: str) -> list[Event]:
        """Every event about ``doc_id`` and about the status messages that report on the same
        business document (same DocumentId), in order."""
        with self._lock:
            row = self._db.execute(
                "SELECT document_id FROM messages WHERE doc_id=?", (doc_id,)
            ).fetchone()
            ids = {doc_id}
            if row and row[0]:
                ids.update(
                    r[0]
                    for r in self._db.execute(
                        "SELECT doc_id FROM messages WHERE document_id=?", (row[0],)
                    )
                )
            marks = ",".join("?" * len(ids))
            rows = self._db.execute(
                f"SELECT seq, ts, kind, data, prev, hash FROM events WHERE doc_id IN ({marks}) "
                "ORDER BY seq",
                sorted(ids),
            ).fetchall()
        return [Event(r[0], r[1], r[2], orjson.loads(r[3]), r[4], r[5]) for r in rows]

    def export_lines(self, cursor: int = 0) -> Iterator[str]:
        """The transcript as JSON Lines lines (no newline), in batches, from ``cursor``."""
        while True:
            batch = self.events_after(cursor, limit=5000)
            if not batch:
                return
            for event in batch:
                yield event.line()
            cursor = batch[-1].seq

    def counts(self) -> dict[str, int]:
        with self._lock:
            one = self._db.execute
            return {
                "systems": one("SELECT count(*) FROM systems").fetchone()[0],
                "agencies": one("SELECT count(*) FROM agencies WHERE deleted=0").fetchone()[0],
                "messages": one("SELECT count(*) FROM messages").fetchone()[0],
                "deliveries": one("SELECT count(*) FROM deliveries").fetchone()[0],
                "deliveries_listed": one(
                    "SELECT count(*) FROM deliveries WHERE listed=1"
                ).fetchone()[0],
                "events": self._head[0],
            }
