"""The axis's durable state in one SQLite file (WAL): systems, agencies, stored messages, one
delivery per recipient system, and the hash-chained transcript.

A message is stored once; each recipient system gets a delivery row that its acks move through
``pending`` → ``done``/``fail``/… Every change and the transcript events that describe it are
written in one transaction, committed before the axis answers, so a crash (even ``kill -9``)
leaves either all of a call or none of it. The file and its folder are owner-only: the secrets
inside are kept in clear because the HMAC check needs them.

The read-only queries (``list_systems``, ``list_messages``, ``timeline``, ``events_after``, …,
in :mod:`axis.store_queries`) are the interface for the dashboard and the admin API.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from axis.errors import ConfigError
from axis.records import (
    AGENCY_COLS,
    DELIVERY_COLS,
    DONE,
    MESSAGE_COLS,
    PENDING,
    Agency,
    Delivery,
    StoredMessage,
    System,
    agency_row,
    delivery_row,
    iso_utc,
)
from axis.store_queries import StoreQueries
from axis.transcript import GENESIS, Event, canonical, chain_hash, record_bytes

SCHEMA_VERSION = "1"
DB_NAME = "axis.sqlite"

Clock = Callable[[], float]
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS systems (
    system_id TEXT PRIMARY KEY, secret TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS agencies (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, alt_code TEXT, system_id TEXT NOT NULL,
    name TEXT NOT NULL, mail TEXT NOT NULL, mobile TEXT NOT NULL, fax TEXT NOT NULL,
    pcode TEXT NOT NULL, level INTEGER NOT NULL, valid INTEGER NOT NULL,
    deleted INTEGER NOT NULL, version INTEGER NOT NULL, modified REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS agencies_alt ON agencies (alt_code);
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
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, kind TEXT NOT NULL, system_id TEXT,
    doc_id TEXT, op TEXT, data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_doc ON events (doc_id) WHERE doc_id IS NOT NULL;
"""

__all__ = [
    "DONE",
    "PENDING",
    "Agency",
    "Delivery",
    "Store",
    "StoredMessage",
    "System",
    "open_store",
]


def _make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def _touch_private(path: Path) -> None:
    # SQLite gives the -wal and -shm files the main file's permissions, so creating the main
    # file owner-only first keeps all three private.
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class Store(StoreQueries):
    """One SQLite database, used through one connection guarded by a lock.

    Writes happen inside ``transaction()``; ``event(kind, data)`` appends a transcript event
    to the open transaction. The in-memory chain head follows commits and rollbacks."""

    def __init__(
        self, path: Path, *, seed: int, clock: Clock = time.time, run_id: str = ""
    ) -> None:
        self.path = path
        self.seed = seed
        self.run_id = run_id
        self.clock = clock
        _make_private_dir(path.parent)
        _touch_private(path)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0.5)
        self._lock = threading.RLock()
        self._in_tx = False
        self._tx_head: tuple[int, str] = (0, GENESIS)
        self._pending: list[tuple[Any, ...]] = []
        self._savepoints = 0
        self._inbox_cache: dict[tuple[str, str, int], tuple[Any, float]] = {}
        self._agency_cache: dict[tuple[str, bool], Agency | None] = {}
        # Whether any delivery was ever delayed (a fault): only then can a cached inbox expire.
        self._delayed = False
        self._listeners: list[Callable[[int], None]] = []
        db = self._db
        # One process owns the database: the exclusive lock keeps the WAL index in memory
        # (commits cost half as much) and makes a second axis on the same folder fail clearly.
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            db.close()
            raise ConfigError(
                f"database {str(path)!r} cannot be opened ({exc}); is another axis using it?"
            ) from None
        # NORMAL in WAL mode survives a crash of the process (kill -9), which is what the axis
        # promises; only a power cut can lose the last commits.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA temp_store=MEMORY")
        # Checkpoints (the only fsyncs) every 16 MB of WAL rather than 4 MB.
        db.execute("PRAGMA wal_autocheckpoint=4000")
        self._check_schema()
        self._delayed = bool(
            db.execute("SELECT 1 FROM deliveries WHERE visible_at>created LIMIT 1").fetchone()
        )
        self._doc_counter = self._load_doc_counter()
        row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        self._head: tuple[int, str] = (row[0], row[1]) if row else (0, GENESIS)
        self._systems: dict[str, System] = {}
        self._load_systems()

    def __repr__(self) -> str:
        return f"open_store({str(self.path)!r}, seed={self.seed!r}, run_id={self.run_id!r})"

    def _check_schema(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise ConfigError(
                f"database {str(self.path)!r} has schema {row[0]!r}, this axis needs "
                f"{SCHEMA_VERSION!r}; use another --data folder"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- transactions and the transcript -------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._in_tx

    def begin(self) -> None:
        """Open a write transaction held until ``commit``/``rollback`` (the app's group commit:
        the calls of one event-loop turn share it). Holds the store's lock meanwhile."""
        self._lock.acquire()
        if self._in_tx:
            self._lock.release()
            raise RuntimeError("begin() inside an open transaction")
        self._db.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        self._tx_head = self._head

    def commit(self) -> None:
        """Write the buffered transcript events and commit; wake the listeners."""
        if not self._in_tx:
            raise RuntimeError("commit() without begin()")
        head = self._tx_head
        try:
            if self._pending:
                self._db.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?)", self._pending)
            self._db.execute("COMMIT")
        except BaseException:
            self._abort()
            raise
        self._pending = []
        self._in_tx = False
        self._lock.release()
        if self._head != head:
            for listener in self._listeners:
                listener(self._head[0])

    def rollback(self) -> None:
        """Undo everything since ``begin``, transcript events included."""
        if not self._in_tx:
            raise RuntimeError("rollback() without begin()")
        self._abort()

    def _abort(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        finally:
            self._pending = []
            self._head = self._tx_head
            self._in_tx = False
            self._invalidate()
            self._load_systems()
            self._lock.release()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction committed at the end of the block; inside an open one it is a
        savepoint of it (undone if the block raises, committed with the outer transaction)."""
        with self._lock:
            if self._in_tx:
                with self.savepoint():
                    yield
                return
            self.begin()
            try:
                yield
            except BaseException:
                self.rollback()
                raise
            self.commit()

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: undo the block's writes and events if it raises."""
        if not self._in_tx:
            raise RuntimeError("savepoint() needs an open transaction")
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        head, pending = self._head, len(self._pending)
        self._db.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._db.execute(f"ROLLBACK TO {name}")
            self._db.execute(f"RELEASE {name}")
            self._invalidate()
            self._head = head
            del self._pending[pending:]
            raise
        self._db.execute(f"RELEASE {name}")

    def events_mark(self) -> tuple[tuple[int, str], int]:
        """Where the transcript stands in the open transaction (for ``events_undo``)."""
        return self._head, len(self._pending)

    def events_undo(self, mark: tuple[tuple[int, str], int]) -> None:
        """Drop the events appended since ``mark`` (a call that failed half-way)."""
        self._head = mark[0]
        del self._pending[mark[1] :]

    def event(self, kind: str, data: dict[str, Any]) -> Event:
        """Append an event to the transcript (written when the transaction commits)."""
        if not self._in_tx:
            raise RuntimeError("event() needs an open transaction")
        seq, prev = self._head
        seq += 1
        ts = iso_utc(self.clock())
        data_json = canonical(data)
        digest = chain_hash(prev, record_bytes(seq, ts, kind, data_json))
        self._pending.append(
            (
                seq,
                ts,
                kind,
                data.get("system"),
                data.get("doc_id"),
                data.get("op"),
                data_json.decode("utf-8"),
                prev,
                digest,
            )
        )
        self._head = (seq, digest)
        return Event(seq, ts, kind, data, prev, digest)

    def add_listener(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(head_seq)`` after every commit that appended events."""
        self._listeners.append(listener)

    @property
    def head(self) -> tuple[int, str]:
        """(sequence number, hash) of the last committed transcript event."""
        return self._head

    # --- systems ------------------------------------------------------------------------

    def _load_systems(self) -> None:
        rows = self._db.execute("SELECT system_id, secret, name FROM systems").fetchall()
        self._systems = {r[0]: System(*r) for r in rows}

    def system(self, system_id: str) -> System | None:
        return self._systems.get(system_id)

    def systems_view(self) -> dict[str, System]:
        """Every system by id (the live cache: do not modify)."""
        return self._systems

    def put_system(self, system_id: str, secret: str, name: str = "") -> bool:
        """Add a system or change its secret/name; True when something changed."""
        old = self._systems.get(system_id)
        if old is not None and old.secret == secret and (not name or old.name == name):
            return False
        with self.transaction():
            self._db.execute(
                "INSERT INTO systems VALUES (?,?,?,?) ON CONFLICT (system_id) DO UPDATE SET "
                "secret=excluded.secret, name=CASE WHEN excluded.name='' THEN name "
                "ELSE excluded.name END",
                (system_id, secret, name, self.clock()),
            )
        self._load_systems()
        return True

    # --- agencies -----------------------------------------------------------------------

    def find_agency(self, code: str, *, include_deleted: bool = False) -> Agency | None:
        """The agency registered as ``code`` in either of its forms (cached: routing asks for
        the same few agencies all the time)."""
        key = (code, include_deleted)
        with self._lock:
            if key in self._agency_cache:
                return self._agency_cache[key]
            rows = self._db.execute(
                f"SELECT {AGENCY_COLS} FROM agencies WHERE code=? OR alt_code=? "
                "ORDER BY code=? DESC",
                (code, code, code),
            ).fetchall()
            found = None
            for row in rows:
                agency = agency_row(row)
                if include_deleted or not agency.deleted:
                    found = agency
                    break
            if len(self._agency_cache) > 100_000:
                self._agency_cache.clear()
            self._agency_cache[key] = found
            return found

    def put_agency(
        self,
        code: str,
        system_id: str,
        *,
        alt_code: str | None,
        level: int,
        valid: bool,
        name: str = "",
        mail: str = "",
        mobile: str = "",
        fax: str = "",
        pcode: str = "",
    ) -> Agency:
        """Register (or re-register, undeleting) ``code`` as served by ``system_id``."""
        now = self.clock()
        self._agency_cache.clear()
        with self.transaction():
            self._db.execute(
                "INSERT INTO agencies (code, alt_code, system_id, name, mail, mobile, fax, "
                "pcode, level, valid, deleted, version, modified) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,0,1,?) ON CONFLICT (code) DO UPDATE SET "
                "alt_code=excluded.alt_code, system_id=excluded.system_id, "
                "name=excluded.name, mail=excluded.mail, mobile=excluded.mobile, "
                "fax=excluded.fax, pcode=excluded.pcode, level=excluded.level, "
                "valid=excluded.valid, deleted=0, version=version+1, modified=excluded.modified",
                (code, alt_code, system_id, name, mail, mobile, fax, pcode, level, int(valid), now),
            )
        agency = self.find_agency(code)
        if agency is None:  # pragma: no cover - just written in the same transaction
            raise RuntimeError(f"agency {code!r} vanished after insert")
        return agency

    def delete_agency(self, code: str) -> bool:
        """Mark ``code`` deleted (kept for getSynchronizeUnit); False when it is not there."""
        self._agency_cache.clear()
        with self.transaction():
            cur = self._db.execute(
                "UPDATE agencies SET deleted=1, version=version+1, modified=? "
                "WHERE code=? AND deleted=0",
                (self.clock(), code),
            )
        return cur.rowcount > 0

    def agencies(self, *, include_deleted: bool = False) -> list[Agency]:
        where = "" if include_deleted else "WHERE deleted=0"
        with self._lock:
            rows = self._db.execute(f"SELECT {AGENCY_COLS} FROM agencies {where} ORDER BY id")
            return [agency_row(r) for r in rows]

    # --- messages and deliveries --------------------------------------------------------

    def find_duplicate(self, sender: str, sha256: str) -> str | None:
        """The DocId of what ``sender`` already sent with this body hash, if anything."""
        with self._lock:
            row = self._db.execute(
                "SELECT doc_id FROM messages WHERE sender=? AND sha256=?", (sender, sha256)
            ).fetchone()
        return row[0] if row else None

    def _load_doc_counter(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key='doc_counter'").fetchone()
        top = self._db.execute("SELECT max(seq) FROM messages").fetchone()[0]
        return max(int(row[0]) if row else 0, top or 0)

    def _save_doc_counter(self) -> None:
        self._db.execute(
            "INSERT INTO meta VALUES ('doc_counter', ?) ON CONFLICT (key) DO UPDATE "
            "SET value=excluded.value",
            (str(self._doc_counter),),
        )

    def _next_doc_id(self) -> tuple[int, str]:
        # DocIds come from the seed, the run id and a counter: the same seed, run id and calls
        # give the same ids, and another run (another run id) other ids. The counter lives in
        # memory, is recovered from the messages at start, and is saved when a reset deletes
        # them, so an id is never issued twice for committed messages.
        self._doc_counter += 1
        counter = self._doc_counter
        salt = f"{self.seed}:{self.run_id}" if self.run_id else str(self.seed)
        digest = hashlib.sha256(f"lienthong-axis-doc:{salt}:{counter}".encode()).digest()
        return counter, str(uuid.UUID(bytes=digest[:16], version=4))

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
        system id to the recipient codes it serves); returns the new DocId. Must run inside a
        transaction."""
        if not self._in_tx:
            raise RuntimeError("add_message() needs an open transaction()")
        seq, doc_id = self._next_doc_id()
        now = self.clock()
        db = self._db
        for system_id in deliveries:
            self._invalidate(system_id)
        if visible_after > 0:
            self._delayed = True
        db.execute(
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
        db.executemany(
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

    def message(self, doc_id: str) -> StoredMessage | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {MESSAGE_COLS} FROM messages WHERE doc_id=?", (doc_id,)
            ).fetchone()
        return StoredMessage(*row) if row else None

    def body(self, doc_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM messages WHERE doc_id=?", (doc_id,)).fetchone()
        return bytes(row[0]) if row else None

    def readable_body(self, system_id: str, doc_id: str) -> bytes | None:
        """The stored bytes when ``system_id`` sent the message or has a visible delivery of
        it; None otherwise (the caller answers "not found" either way)."""
        now = self.clock()
        with self._lock:
            row = self._db.execute(
                "SELECT m.body FROM messages m WHERE m.doc_id=? AND (m.sender=? OR EXISTS "
                "(SELECT 1 FROM deliveries d WHERE d.doc_id=m.doc_id AND d.system_id=? "
                "AND d.visible_at<=?))",
                (doc_id, system_id, system_id, now),
            ).fetchone()
        return bytes(row[0]) if row else None

    def delivery(self, system_id: str, doc_id: str) -> Delivery | None:
        """The visible delivery of ``doc_id`` to ``system_id``, if any."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {DELIVERY_COLS} FROM deliveries WHERE doc_id=? AND system_id=? "
                "AND visible_at<=?",
                (doc_id, system_id, self.clock()),
            ).fetchone()
        return delivery_row(row) if row else None

    def set_delivery_status(self, delivery: Delivery, status: str, desc: str) -> None:
        """Record an ack; ``done`` stops the listing, any other word keeps it listed."""
        self._invalidate(delivery.system_id)
        self._db.execute(
            "UPDATE deliveries SET status=?, status_desc=?, updated=?, listed=? WHERE id=?",
            (status, desc, self.clock(), int(status != DONE), delivery.id),
        )

    def inbox(self, system_id: str, messagetype: str, limit: int) -> list[tuple[Any, ...]]:
        """Listed, visible deliveries of ``system_id``, oldest first, joined with their message:
        (doc_id, service_type, messagetype, created, updated, from_code, to_codes, status,
        status_desc)."""
        with self._lock:
            return self._db.execute(
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
        reset, a delayed one due): clients poll their inbox far more often than it changes.
        Treat the result as read-only."""
        key = (system_id, messagetype, limit)
        with self._lock:
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
        row = self._db.execute(
            "SELECT min(visible_at) FROM deliveries WHERE system_id=? AND messagetype=? "
            "AND listed=1 AND visible_at>?",
            (system_id, messagetype, now),
        ).fetchone()
        return math.inf if row[0] is None else float(row[0])

    def _invalidate(self, system_id: str | None = None) -> None:
        if system_id is None:
            self._inbox_cache.clear()
            self._agency_cache.clear()
            return
        for key in [k for k in self._inbox_cache if k[0] == system_id]:
            del self._inbox_cache[key]

    def inbox_count(self, system_id: str, messagetype: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM deliveries WHERE system_id=? AND messagetype=? "
                "AND listed=1 AND visible_at<=?",
                (system_id, messagetype, self.clock()),
            ).fetchone()
        return int(row[0])

    def sent(
        self, system_id: str, messagetype: str, doc_id: str | None, limit: int
    ) -> list[tuple[StoredMessage, list[Delivery]]]:
        """Messages ``system_id`` sent (newest first), each with its deliveries."""
        with self._lock:
            if doc_id is None:
                rows = self._db.execute(
                    f"SELECT {MESSAGE_COLS} FROM messages WHERE sender=? AND messagetype=? "
                    "ORDER BY seq DESC LIMIT ?",
                    (system_id, messagetype, limit),
                ).fetchall()
            else:
                rows = self._db.execute(
                    f"SELECT {MESSAGE_COLS} FROM messages WHERE sender=? AND messagetype=? "
                    "AND doc_id=?",
                    (system_id, messagetype, doc_id),
                ).fetchall()
            out = []
            for row in rows:
                msg = StoredMessage(*row)
                deliveries = [
                    delivery_row(d)
                    for d in self._db.execute(
                        f"SELECT {DELIVERY_COLS} FROM deliveries WHERE doc_id=? ORDER BY id",
                        (msg.doc_id,),
                    )
                ]
                out.append((msg, deliveries))
        return out

    def reset(self, *, messages: bool = True, registry: bool = True) -> None:
        """Forget messages and deliveries, and/or systems and agencies (inside a transaction);
        the transcript and the DocId counter carry on."""
        if not self._in_tx:
            raise RuntimeError("reset() needs an open transaction()")
        tables = (["deliveries", "messages"] if messages else []) + (
            ["agencies", "systems"] if registry else []
        )
        self._invalidate()
        self._save_doc_counter()
        for table in tables:
            self._db.execute(f"DELETE FROM {table}")
        if registry:
            self._systems = {}


def open_store(
    path: Path | str, *, seed: int = 0, clock: Clock = time.time, run_id: str = ""
) -> Store:
    """Open (creating if needed) the store at ``path``: a database file, or a folder that holds
    ``axis.sqlite``. ``run_id`` salts the DocIds issued (see ``Store._next_doc_id``)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / DB_NAME
    return Store(path, seed=seed, clock=clock, run_id=run_id)
