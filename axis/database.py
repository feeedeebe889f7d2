"""The axis's one SQLite database (WAL) and its one transaction helper.

The registry, the mailbox and the transcript chain each own their tables and their in-memory
caches; they share this connection, its lock and its transactions, so one call's changes to all
three commit or vanish together. Each of them is a :class:`Participant`: told when a transaction
begins, asked to write what it buffered before the commit, told when it committed or rolled
back (to drop caches or reset its chain head), and able to mark and restore its in-memory state
around a savepoint.

The file and its folder are owner-only: the registry keeps the systems' secrets in clear,
because the HMAC check needs them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from axis.errors import ConfigError

SCHEMA_VERSION = "2"
DB_NAME = "axis.sqlite"

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

__all__ = ["DB_NAME", "Database", "Participant"]


def _make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def _touch_private(path: Path) -> None:
    # SQLite gives the -wal and -shm files the main file's permissions, so creating the main
    # file owner-only first keeps all three private.
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class Participant:
    """A part of the store with state beside its tables; every hook is optional."""

    def begun(self) -> None:
        """A write transaction began."""

    def flush(self) -> None:
        """Write what was buffered, inside the transaction, just before it commits."""

    def committed(self) -> None:
        """The transaction committed."""

    def rolled_back(self) -> None:
        """The transaction (or a savepoint of it) was undone: forget what it changed."""

    def mark(self) -> Any:
        """In-memory state to restore if the savepoint about to start is undone."""
        return None

    def restore(self, mark: Any) -> None:
        """Go back to ``mark`` (the savepoint was undone)."""


class Database:
    """One connection guarded by one lock. Writes happen between ``begin`` and ``commit`` (or
    inside ``transaction()``); ``savepoint()`` undoes a part of an open transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _make_private_dir(path.parent)
        _touch_private(path)
        self.conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=0.5
        )
        self.lock = threading.RLock()
        self._in_tx = False
        self._savepoints = 0
        self._participants: list[Participant] = []
        conn = self.conn
        # One process owns the database: the exclusive lock keeps the WAL index in memory
        # (commits cost half as much) and makes a second axis on the same folder fail clearly.
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_META)
        except sqlite3.OperationalError as exc:
            conn.close()
            raise ConfigError(
                f"database {str(path)!r} cannot be opened ({exc}); is another axis using it?"
            ) from None
        # NORMAL in WAL mode survives a crash of the process (kill -9), which is what the axis
        # promises; only a power cut can lose the last commits.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA temp_store=MEMORY")
        # Checkpoints (the only fsyncs) every 16 MB of WAL rather than 4 MB.
        conn.execute("PRAGMA wal_autocheckpoint=4000")
        self._check_schema()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    def _check_schema(self) -> None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self.conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise ConfigError(
                f"database {str(self.path)!r} has schema {row[0]!r}, this axis needs "
                f"{SCHEMA_VERSION!r}; use another --data folder"
            )

    def create(self, ddl: str) -> None:
        """Create a part's tables (idempotent)."""
        self.conn.executescript(ddl)

    def join(self, participant: Participant) -> None:
        self._participants.append(participant)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # --- meta values ----------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    # --- transactions ---------------------------------------------------------------------

    def require_transaction(self, what: str) -> None:
        if not self._in_tx:
            raise RuntimeError(f"{what} needs an open transaction()")

    def begin(self) -> None:
        """Open a write transaction held until ``commit``/``rollback`` (the app's group commit:
        the calls of one event-loop turn share it). Holds the lock meanwhile."""
        self.lock.acquire()
        if self._in_tx:
            self.lock.release()
            raise RuntimeError("begin() inside an open transaction")
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        for part in self._participants:
            part.begun()

    def commit(self) -> None:
        """Let the parts write what they buffered, commit, and tell them."""
        if not self._in_tx:
            raise RuntimeError("commit() without begin()")
        try:
            for part in self._participants:
                part.flush()
            self.conn.execute("COMMIT")
        except BaseException:
            self._abort()
            raise
        self._in_tx = False
        self.lock.release()
        for part in self._participants:
            part.committed()

    def rollback(self) -> None:
        """Undo everything since ``begin``."""
        if not self._in_tx:
            raise RuntimeError("rollback() without begin()")
        self._abort()

    def _abort(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        finally:
            self._in_tx = False
            for part in self._participants:
                part.rolled_back()
            self.lock.release()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction committed at the end of the block; inside an open one it is a
        savepoint of it (undone if the block raises, committed with the outer transaction)."""
        with self.lock:
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
        """Inside a transaction: undo the block's writes (and the parts' state) if it raises."""
        self.require_transaction("savepoint()")
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        marks = [part.mark() for part in self._participants]
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            for part, mark in zip(self._participants, marks, strict=True):
                part.restore(mark)
            raise
        self.conn.execute(f"RELEASE {name}")
