"""The reference SUT's register (sổ văn bản): a SQLite file holding every message it fetched
from the axis, the documents it received and sent, the statuses it sent and received, and the
outbox of messages waiting to go to the axis.

Everything the SUT learns is written here before it acknowledges it, and everything it will
send is written here before it is sent; so a crash loses nothing and a retry re-sends the
very same bytes.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbound (
    axis_doc_id TEXT PRIMARY KEY, messagetype TEXT NOT NULL, raw BLOB, outcome TEXT NOT NULL,
    reason TEXT, document_id TEXT, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS received (
    id INTEGER PRIMARY KEY, document_id TEXT NOT NULL, dedupe_key TEXT NOT NULL UNIQUE,
    axis_doc_id TEXT NOT NULL, sender TEXT NOT NULL, recipients TEXT NOT NULL, code TEXT NOT NULL,
    promulgation_date TEXT NOT NULL, subject TEXT NOT NULL, business_kind TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, downloaded_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS received_document ON received (document_id);
CREATE TABLE IF NOT EXISTS revocations (document_id TEXT PRIMARY KEY, axis_doc_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent (
    id INTEGER PRIMARY KEY, document_id TEXT NOT NULL, business_kind TEXT NOT NULL,
    original_document_id TEXT, code TEXT NOT NULL, promulgation_date TEXT NOT NULL,
    subject TEXT NOT NULL, recipients TEXT NOT NULL, outbox_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sent_document ON sent (document_id);
CREATE TABLE IF NOT EXISTS statuses (
    id INTEGER PRIMARY KEY, direction TEXT NOT NULL, document_id TEXT NOT NULL,
    receiver TEXT NOT NULL, code TEXT NOT NULL, from_org TEXT NOT NULL, to_org TEXT NOT NULL,
    timestamp TEXT, at REAL, description TEXT, axis_doc_id TEXT, outbox_id INTEGER);
CREATE INDEX IF NOT EXISTS statuses_document ON statuses (document_id, receiver);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY, messagetype TEXT NOT NULL, document_id TEXT NOT NULL,
    code TEXT, payload BLOB NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
    axis_doc_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, not_before REAL NOT NULL,
    last_error TEXT);
"""
_TABLES = ("inbound", "received", "revocations", "sent", "statuses", "outbox")

PENDING, SENT, FAILED, ABANDONED = "pending", "sent", "failed", "abandoned"
"""Outbox states: waiting, on the axis, refused by the axis for good, given up (a defect)."""


@dataclass(frozen=True, slots=True)
class Inbound:
    axis_doc_id: str
    messagetype: str
    outcome: str
    reason: str | None
    document_id: str | None


@dataclass(frozen=True, slots=True)
class Received:
    """A document in the incoming register."""

    id: int
    document_id: str
    axis_doc_id: str
    sender: str
    recipients: tuple[str, ...]
    code: str
    promulgation_date: str
    subject: str
    business_kind: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class Sent:
    """A document (or a revoke/update message about one) the SUT sent."""

    id: int
    document_id: str
    business_kind: str
    original_document_id: str | None
    code: str
    promulgation_date: str
    subject: str
    recipients: tuple[str, ...]
    outbox_id: int


@dataclass(frozen=True, slots=True)
class StatusRecord:
    id: int
    direction: str  # "sent" or "received"
    document_id: str
    receiver: str  # the receiving agency whose lifecycle the status belongs to
    code: str
    from_org: str
    to_org: str
    timestamp: str | None
    at: float | None  # model POSIX seconds, for the lifecycle's timestamp order
    description: str | None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    messagetype: str
    document_id: str
    code: str | None
    payload: bytes
    state: str
    axis_doc_id: str | None
    attempts: int
    not_before: float
    last_error: str | None


class Register:
    """The register in the SQLite file ``path`` (WAL mode), safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"Register({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work (nested calls join the outer one); holds the lock."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        with self.transaction():
            return int(self._db.execute(sql, args).lastrowid or 0)

    def wipe(self) -> None:
        """Forget every message and document (the document counter is kept, so numbers are
        never reused)."""
        with self.transaction():
            for table in _TABLES:
                self._db.execute(f"DELETE FROM {table}")

    # -- meta ----------------------------------------------------------------------------

    def next_number(self) -> int:
        """The next document number (số) of this SUT, never reused."""
        with self.transaction():
            row = self._one("SELECT value FROM meta WHERE key='number'")
            number = int(row[0]) + 1 if row else 1
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('number', ?)", (str(number),)
            )
            return number

    # -- inbound -------------------------------------------------------------------------

    def inbound(self, axis_doc_id: str) -> Inbound | None:
        row = self._one(
            "SELECT axis_doc_id, messagetype, outcome, reason, document_id FROM inbound "
            "WHERE axis_doc_id=?",
            (axis_doc_id,),
        )
        return Inbound(*row) if row else None

    def record_inbound(
        self,
        axis_doc_id: str,
        messagetype: str,
        raw: bytes | None,
        outcome: str,
        at: float,
        *,
        reason: str | None = None,
        document_id: str | None = None,
    ) -> None:
        self._run(
            "INSERT OR REPLACE INTO inbound (axis_doc_id, messagetype, raw, outcome, reason, "
            "document_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (axis_doc_id, messagetype, raw, outcome, reason, document_id, at),
        )

    def inbound_ids(self) -> list[str]:
        return [r[0] for r in self._all("SELECT axis_doc_id FROM inbound ORDER BY rowid")]

    # -- received documents --------------------------------------------------------------

    _RECEIVED = (
        "SELECT id, document_id, axis_doc_id, sender, recipients, code, promulgation_date, "
        "subject, business_kind, revoked FROM received"
    )

    @staticmethod
    def _received(row: tuple[Any, ...]) -> Received:
        values = list(row)
        values[4] = tuple(json.loads(values[4]))
        values[9] = bool(values[9])
        return Received(*values)

    def add_received(
        self,
        *,
        document_id: str,
        dedupe_key: str,
        axis_doc_id: str,
        sender: str,
        recipients: list[str],
        code: str,
        promulgation_date: str,
        subject: str,
        business_kind: str,
        downloaded_at: float,
    ) -> Received:
        with self.transaction():
            revoked = self._one("SELECT 1 FROM revocations WHERE document_id=?", (document_id,))
            rowid = self._run(
                "INSERT INTO received (document_id, dedupe_key, axis_doc_id, sender, recipients, "
                "code, promulgation_date, subject, business_kind, revoked, downloaded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    dedupe_key,
                    axis_doc_id,
                    sender,
                    json.dumps(recipients),
                    code,
                    promulgation_date,
                    subject,
                    business_kind,
                    1 if revoked else 0,
                    downloaded_at,
                ),
            )
            row = self._one(self._RECEIVED + " WHERE id=?", (rowid,))
        if row is None:  # pragma: no cover - the row was inserted in this transaction
            raise RuntimeError(f"received row {rowid} vanished")
        return self._received(row)

    def has_dedupe_key(self, key: str) -> bool:
        return self._one("SELECT 1 FROM received WHERE dedupe_key=?", (key,)) is not None

    def received(self, document_id: str) -> Received | None:
        """The latest registration of ``document_id`` (a redelivery registered twice by the
        no-dedupe defect leaves two)."""
        row = self._one(self._RECEIVED + " WHERE document_id=? ORDER BY id DESC", (document_id,))
        return self._received(row) if row else None

    def all_received(self) -> list[Received]:
        return [self._received(r) for r in self._all(self._RECEIVED + " ORDER BY id")]

    def revoke(self, document_id: str, axis_doc_id: str) -> bool:
        """Mark ``document_id`` revoked (also if it arrives later); True if it was registered."""
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO revocations (document_id, axis_doc_id) VALUES (?, ?)",
                (document_id, axis_doc_id),
            )
            cursor = self._db.execute(
                "UPDATE received SET revoked=1 WHERE document_id=?", (document_id,)
            )
            return cursor.rowcount > 0

    # -- sent documents ------------------------------------------------------------------

    _SENT = (
        "SELECT id, document_id, business_kind, original_document_id, code, promulgation_date, "
        "subject, recipients, outbox_id FROM sent"
    )

    @staticmethod
    def _sent(row: tuple[Any, ...]) -> Sent:
        values = list(row)
        values[7] = tuple(json.loads(values[7]))
        return Sent(*values)

    def add_sent(
        self,
        *,
        document_id: str,
        business_kind: str,
        original_document_id: str | None,
        code: str,
        promulgation_date: str,
        subject: str,
        recipients: list[str],
        outbox_id: int,
    ) -> int:
        return self._run(
            "INSERT INTO sent (document_id, business_kind, original_document_id, code, "
            "promulgation_date, subject, recipients, outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                business_kind,
                original_document_id,
                code,
                promulgation_date,
                subject,
                json.dumps(recipients),
                outbox_id,
            ),
        )

    def sent_document(self, document_id: str) -> Sent | None:
        """The document (new or replacement) the SUT issued under ``document_id``."""
        row = self._one(
            self._SENT + " WHERE document_id=? AND business_kind IN ('new', 'replace') ORDER BY id",
            (document_id,),
        )
        return self._sent(row) if row else None

    def all_sent(self) -> list[Sent]:
        return [self._sent(r) for r in self._all(self._SENT + " ORDER BY id")]

    # -- statuses ------------------------------------------------------------------------

    _STATUS = (
        "SELECT id, direction, document_id, receiver, code, from_org, to_org, timestamp, at, "
        "description FROM statuses"
    )

    def add_status(
        self,
        *,
        direction: str,
        document_id: str,
        receiver: str,
        code: str,
        from_org: str,
        to_org: str,
        timestamp: str | None,
        at: float | None,
        description: str | None,
        axis_doc_id: str | None = None,
        outbox_id: int | None = None,
    ) -> int:
        return self._run(
            "INSERT INTO statuses (direction, document_id, receiver, code, from_org, to_org, "
            "timestamp, at, description, axis_doc_id, outbox_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                direction,
                document_id,
                receiver,
                code,
                from_org,
                to_org,
                timestamp,
                at,
                description,
                axis_doc_id,
                outbox_id,
            ),
        )

    def statuses(self, document_id: str, receiver: str | None = None) -> list[StatusRecord]:
        """The statuses of ``document_id`` (at ``receiver`` if given), oldest first."""
        if receiver is None:
            rows = self._all(self._STATUS + " WHERE document_id=? ORDER BY id", (document_id,))
        else:
            rows = self._all(
                self._STATUS + " WHERE document_id=? AND receiver=? ORDER BY id",
                (document_id, receiver),
            )
        return [StatusRecord(*r) for r in rows]

    # -- outbox --------------------------------------------------------------------------

    _OUTBOX = (
        "SELECT id, messagetype, document_id, code, payload, state, axis_doc_id, attempts, "
        "not_before, last_error FROM outbox"
    )

    def enqueue(
        self,
        messagetype: str,
        document_id: str,
        payload: bytes,
        *,
        not_before: float,
        code: str | None = None,
    ) -> int:
        return self._run(
            "INSERT INTO outbox (messagetype, document_id, code, payload, not_before) "
            "VALUES (?, ?, ?, ?, ?)",
            (messagetype, document_id, code, payload, not_before),
        )

    def pending(self) -> list[OutboxItem]:
        rows = self._all(self._OUTBOX + " WHERE state=? ORDER BY id", (PENDING,))
        return [OutboxItem(*r) for r in rows]

    def outbox_item(self, item_id: int) -> OutboxItem | None:
        row = self._one(self._OUTBOX + " WHERE id=?", (item_id,))
        return OutboxItem(*row) if row else None

    def outbox(self) -> list[OutboxItem]:
        return [OutboxItem(*r) for r in self._all(self._OUTBOX + " ORDER BY id")]

    def mark_sent(self, item_id: int, axis_doc_id: str) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE outbox SET state=?, axis_doc_id=?, attempts=attempts+1 WHERE id=?",
                (SENT, axis_doc_id, item_id),
            )
            self._db.execute(
                "UPDATE statuses SET axis_doc_id=? WHERE outbox_id=?", (axis_doc_id, item_id)
            )

    def mark_attempt(self, item_id: int, error: str, *, state: str = PENDING) -> None:
        self._run(
            "UPDATE outbox SET state=?, attempts=attempts+1, last_error=? WHERE id=?",
            (state, error[:500], item_id),
        )

    def replace_payload(self, item_id: int, payload: bytes) -> None:
        self._run("UPDATE outbox SET payload=? WHERE id=?", (payload, item_id))
