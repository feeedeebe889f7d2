"""The mailbox as the store keeps it: each message stored once, one delivery per recipient
system moving ``pending`` → ``done``/``fail``/…, and the inbox answers cached between changes
(clients poll their inbox far more often than it changes).

DocIds come from the seed, the run id and a counter: the same seed, run id and calls give the
same ids, and another run (another run id) other ids. The counter lives in memory, is recovered
from the messages at start, and is saved when a reset deletes them, so an id is never issued
twice for committed messages.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from axis.database import Database, Participant
from axis.records import (
    DELIVERY_COLS,
    DONE,
    MESSAGE_COLS,
    PENDING,
    Delivery,
    StoredMessage,
    delivery_row,
    iso_utc,
)

Clock = Callable[[], float]
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    doc_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, sender TEXT NOT NULL,
    messagetype TEXT NOT NULL, service_type TEXT NOT NULL, sha256 TEXT NOT NULL,
    size INTEGER NOT NULL, body BLOB NOT NULL, created REAL NOT NULL, from_code TEXT NOT NULL,
    title TEXT NOT NULL, notation TEXT NOT NULL, document_id TEXT NOT NULL,
    status_code TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_dedupe ON messages (sender, sha256);
CREATE INDEX IF NOT EXISTS messages_sent ON messages (sender, messagetype, seq);
CREATE INDEX IF NOT EXISTS messages_business ON messages (document_id);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, system_id TEXT NOT NULL,
    messagetype TEXT NOT NULL, to_codes TEXT NOT NULL, status TEXT NOT NULL,
    status_desc TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
    visible_at REAL NOT NULL, listed INTEGER NOT NULL, UNIQUE (doc_id, system_id)
);
CREATE INDEX IF NOT EXISTS deliveries_inbox ON deliveries (system_id, messagetype, listed, id);
"""

__all__ = ["Mailbox"]


class Mailbox(Participant):
    """Messages and deliveries in ``db``; writes happen inside the caller's transaction."""

    def __init__(
        self, db: Database, *, seed: int, clock: Clock = time.time, run_id: str = ""
    ) -> None:
        self._db = db
        self.seed = seed
        self.run_id = run_id
        self.clock = clock
        db.create(SCHEMA)
        self._inbox_cache: dict[tuple[str, str, int], tuple[Any, float]] = {}
        # Whether any delivery was ever delayed (a fault): only then can a cached inbox expire.
        self._delayed = bool(
            db.conn.execute("SELECT 1 FROM deliveries WHERE visible_at>created LIMIT 1").fetchone()
        )
        self._doc_counter = self._load_doc_counter()
        db.join(self)

    def __repr__(self) -> str:
        return f"Mailbox({self._db!r}, seed={self.seed!r})"

    def rolled_back(self) -> None:
        self._inbox_cache.clear()

    def restore(self, mark: Any) -> None:
        self._inbox_cache.clear()

    # --- DocIds -------------------------------------------------------------------------

    def _load_doc_counter(self) -> int:
        saved = self._db.meta("doc_counter")
        top = self._db.conn.execute("SELECT max(seq) FROM messages").fetchone()[0]
        return max(int(saved) if saved else 0, top or 0)

    def _next_doc_id(self) -> tuple[int, str]:
        self._doc_counter += 1
        counter = self._doc_counter
        salt = f"{self.seed}:{self.run_id}" if self.run_id else str(self.seed)
        digest = hashlib.sha256(f"lienthong-axis-doc:{salt}:{counter}".encode()).digest()
        return counter, str(uuid.UUID(bytes=digest[:16], version=4))

    # --- writing ------------------------------------------------------------------------

    def add_message(
        self,
        *,
        sender: str,
        messagetype: str,
        service_type: str,
        body: bytes,
        sha256: str,
        from_code: str,
        title: str,
        notation: str,
        document_id: str,
        status_code: str,
        deliveries: dict[str, list[str]],
        visible_after: float = 0.0,
    ) -> str:
        """Store one message and a pending delivery per recipient system (``deliveries`` maps a
        system id to the recipient codes it serves); returns the new DocId."""
        self._db.require_transaction("add_message()")
        seq, doc_id = self._next_doc_id()
        now = self.clock()
        conn = self._db.conn
        for system_id in deliveries:
            self._invalidate(system_id)
        if visible_after > 0:
            self._delayed = True
        conn.execute(
            "INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc_id,
                seq,
                sender,
                messagetype,
                service_type,
                sha256,
                len(body),
                body,
                now,
                from_code,
                title,
                notation,
                document_id,
                status_code,
            ),
        )
        conn.executemany(
            "INSERT INTO deliveries (doc_id, system_id, messagetype, to_codes, status, "
            "status_desc, created, updated, visible_at, listed) VALUES (?,?,?,?,?,?,?,?,?,1)",
            [
                (
                    doc_id,
                    system_id,
                    messagetype,
                    ",".join(codes),
                    PENDING,
                    "waiting for the receiver",
                    now,
                    now,
                    now + visible_after,
                )
                for system_id, codes in deliveries.items()
            ],
        )
        return doc_id

    def set_delivery_status(self, delivery: Delivery, status: str, desc: str) -> None:
        """Record an ack; ``done`` stops the listing, any other word keeps it listed."""
        self._invalidate(delivery.system_id)
        self._db.conn.execute(
            "UPDATE deliveries SET status=?, status_desc=?, updated=?, listed=? WHERE id=?",
            (status, desc, self.clock(), int(status != DONE), delivery.id),
        )

    def forget(self) -> None:
        """Delete every message and delivery (inside a transaction); the DocId counter carries
        on."""
        self._db.require_transaction("forget()")
        self._inbox_cache.clear()
        self._db.set_meta("doc_counter", str(self._doc_counter))
        self._db.conn.execute("DELETE FROM deliveries")
        self._db.conn.execute("DELETE FROM messages")

    # --- reading ------------------------------------------------------------------------

    def find_duplicate(self, sender: str, sha256: str) -> str | None:
        """The DocId of what ``sender`` already sent with this body hash, if anything."""
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT doc_id FROM messages WHERE sender=? AND sha256=?", (sender, sha256)
            ).fetchone()
        return row[0] if row else None

    def message(self, doc_id: str) -> StoredMessage | None:
        with self._db.lock:
            row = self._db.conn.execute(
                f"SELECT {MESSAGE_COLS} FROM messages WHERE doc_id=?", (doc_id,)
            ).fetchone()
        return StoredMessage(*row) if row else None

    def body(self, doc_id: str) -> bytes | None:
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT body FROM messages WHERE doc_id=?", (doc_id,)
            ).fetchone()
        return bytes(row[0]) if row else None

    def readable_body(self, system_id: str, doc_id: str) -> bytes | None:
        """The stored bytes when ``system_id`` sent the message or has a visible delivery of
        it; None otherwise (the caller answers "not found" either way)."""
        now = self.clock()
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT m.body FROM messages m WHERE m.doc_id=? AND (m.sender=? OR EXISTS "
                "(SELECT 1 FROM deliveries d WHERE d.doc_id=m.doc_id AND d.system_id=? "
                "AND d.visible_at<=?))",
                (doc_id, system_id, system_id, now),
            ).fetchone()
        return bytes(row[0]) if row else None

    def delivery(self, system_id: str, doc_id: str) -> Delivery | None:
        """The visible delivery of ``doc_id`` to ``system_id``, if any."""
        with self._db.lock:
            row = self._db.conn.execute(
                f"SELECT {DELIVERY_COLS} FROM deliveries WHERE doc_id=? AND system_id=? "
                "AND visible_at<=?",
                (doc_id, system_id, self.clock()),
            ).fetchone()
        return delivery_row(row) if row else None

    def inbox(self, system_id: str, messagetype: str, limit: int) -> list[tuple[Any, ...]]:
        """Listed, visible deliveries of ``system_id``, oldest first, joined with their message:
        (doc_id, service_type, messagetype, created, updated, from_code, to_codes, status,
        status_desc)."""
        with self._db.lock:
            return self._db.conn.execute(
                "SELECT d.doc_id, m.service_type, d.messagetype, d.created, d.updated, "
                "m.from_code, d.to_codes, d.status, d.status_desc FROM deliveries d "
                "JOIN messages m ON m.doc_id=d.doc_id WHERE d.system_id=? AND d.messagetype=? "
                "AND d.listed=1 AND d.visible_at<=? ORDER BY d.id LIMIT ?",
                (system_id, messagetype, self.clock(), limit),
            ).fetchall()

    def inbox_view(
        self,
        system_id: str,
        messagetype: str,
        limit: int,
        render: Callable[[list[tuple[Any, ...]]], T],
    ) -> T:
        """``render(inbox(...))``, cached until that inbox changes (a delivery added, acked or
        reset, a delayed one due). Treat the result as read-only."""
        key = (system_id, messagetype, limit)
        with self._db.lock:
            hit = self._inbox_cache.get(key)
            now = self.clock()
            if hit is not None and now < hit[1]:
                return hit[0]  # type: ignore[no-any-return]
            value = render(self.inbox(system_id, messagetype, limit))
            self._inbox_cache[key] = (value, self._next_visible(system_id, messagetype, now))
            return value

    def _next_visible(self, system_id: str, messagetype: str, now: float) -> float:
        if not self._delayed:
            return math.inf
        row = self._db.conn.execute(
            "SELECT min(visible_at) FROM deliveries WHERE system_id=? AND messagetype=? "
            "AND listed=1 AND visible_at>?",
            (system_id, messagetype, now),
        ).fetchone()
        return math.inf if row[0] is None else float(row[0])

    def _invalidate(self, system_id: str) -> None:
        for key in [k for k in self._inbox_cache if k[0] == system_id]:
            del self._inbox_cache[key]

    def inbox_count(self, system_id: str, messagetype: str) -> int:
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT count(*) FROM deliveries WHERE system_id=? AND messagetype=? "
                "AND listed=1 AND visible_at<=?",
                (system_id, messagetype, self.clock()),
            ).fetchone()
        return int(row[0])

    def sent(
        self, system_id: str, messagetype: str, doc_id: str | None, limit: int
    ) -> list[tuple[StoredMessage, list[Delivery]]]:
        """Messages ``system_id`` sent (newest first), each with its deliveries."""
        conn = self._db.conn
        with self._db.lock:
            if doc_id is None:
                rows = conn.execute(
                    f"SELECT {MESSAGE_COLS} FROM messages WHERE sender=? AND messagetype=? "
                    "ORDER BY seq DESC LIMIT ?",
                    (system_id, messagetype, limit),
                ).fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {MESSAGE_COLS} FROM messages WHERE sender=? AND messagetype=? "
                    "AND doc_id=?",
                    (system_id, messagetype, doc_id),
                ).fetchall()
            return [(StoredMessage(*row), self._deliveries(row[0])) for row in rows]

    def _deliveries(self, doc_id: str) -> list[Delivery]:
        return [
            delivery_row(d)
            for d in self._db.conn.execute(
                f"SELECT {DELIVERY_COLS} FROM deliveries WHERE doc_id=? ORDER BY id", (doc_id,)
            )
        ]

    def list_messages(self, *, limit: int = 100, after_seq: int = 0) -> list[dict[str, Any]]:
        """Stored messages in arrival order after ``after_seq``, with their deliveries."""
        with self._db.lock:
            rows = self._db.conn.execute(
                f"SELECT {MESSAGE_COLS} FROM messages WHERE seq>? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
            return [_message_json(StoredMessage(*row), self._deliveries(row[0])) for row in rows]

    def family(self, doc_id: str) -> set[str]:
        """``doc_id`` and every message about the same business document (same DocumentId)."""
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT document_id FROM messages WHERE doc_id=?", (doc_id,)
            ).fetchone()
            ids = {doc_id}
            if row and row[0]:
                ids.update(
                    r[0]
                    for r in self._db.conn.execute(
                        "SELECT doc_id FROM messages WHERE document_id=?", (row[0],)
                    )
                )
        return ids

    def counts(self) -> dict[str, int]:
        one = self._db.conn.execute
        with self._db.lock:
            return {
                "messages": one("SELECT count(*) FROM messages").fetchone()[0],
                "deliveries": one("SELECT count(*) FROM deliveries").fetchone()[0],
                "deliveries_listed": one(
                    "SELECT count(*) FROM deliveries WHERE listed=1"
                ).fetchone()[0],
            }


def _message_json(msg: StoredMessage, deliveries: list[Delivery]) -> dict[str, Any]:
    return {
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
                "system_id": d.system_id,
                "to": d.to_codes,
                "status": d.status,
                "updated": iso_utc(d.updated),
            }
            for d in deliveries
        ],
    }
