"""The axis's durable state: one SQLite file (WAL) holding three parts over one transaction
helper (:mod:`axis.database`):

- ``registry`` (:mod:`axis.store_registry`): connection systems and the agencies they serve;
- ``mailbox`` (:mod:`axis.store_mailbox`): messages stored once, a delivery per recipient;
- ``transcript`` (:mod:`axis.store_transcript`): the hash-chained, typed transcript.

Every change and the transcript events that describe it are written in one transaction,
committed before the axis answers, so a crash (even ``kill -9``) leaves either all of a call or
none of it. This module adds what spans the parts: a document's timeline, the counts, the
systems with their traffic, and a reset.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axis.database import DB_NAME, Database
from axis.events import Event, EventBody
from axis.records import DONE, PENDING, Agency, Delivery, StoredMessage, System
from axis.store_mailbox import Mailbox
from axis.store_registry import RegistryStore
from axis.store_transcript import TranscriptChain

Clock = Callable[[], float]

__all__ = [
    "DONE",
    "PENDING",
    "Agency",
    "Clock",
    "Delivery",
    "Store",
    "StoredMessage",
    "System",
    "open_store",
]


class Store:
    """The three parts over one database. ``transaction()`` (and ``begin``/``commit``) spans
    them all; ``record(event)`` appends to the transcript inside it."""

    def __init__(
        self, path: Path, *, seed: int, clock: Clock = time.time, run_id: str = ""
    ) -> None:
        self.path = path
        self.seed = seed
        self.run_id = run_id
        self.clock = clock
        self.db = Database(path)
        self.registry = RegistryStore(self.db, clock)
        self.mailbox = Mailbox(self.db, seed=seed, clock=clock, run_id=run_id)
        self.transcript = TranscriptChain(self.db, clock)
        self.transaction = self.db.transaction
        self.savepoint = self.db.savepoint
        self.begin = self.db.begin
        self.commit = self.db.commit
        self.rollback = self.db.rollback

    def __repr__(self) -> str:
        return f"open_store({str(self.path)!r}, seed={self.seed!r}, run_id={self.run_id!r})"

    def close(self) -> None:
        self.db.close()

    @property
    def head(self) -> tuple[int, str]:
        """(sequence number, hash) of the last transcript event."""
        return self.transcript.head

    def record(self, body: EventBody) -> Event:
        """Append ``body`` to the transcript, in the open transaction."""
        return self.transcript.record(body)

    def reset(self, *, messages: bool = True, registry: bool = True) -> None:
        """Forget messages and deliveries, and/or systems and agencies (inside a transaction);
        the transcript and the DocId counter carry on."""
        self.db.require_transaction("reset()")
        if messages:
            self.mailbox.forget()
        if registry:
            self.registry.forget()

    # --- what spans the parts -------------------------------------------------------------

    def timeline(self, doc_id: str) -> list[Event]:
        """Every event about ``doc_id`` and about the messages that report on the same business
        document (same DocumentId), in order."""
        return self.transcript.events_about(self.mailbox.family(doc_id))

    def counts(self) -> dict[str, int]:
        return {
            **self.registry.counts(),
            **self.mailbox.counts(),
            "events": self.transcript.head[0],
        }

    def list_systems(self) -> list[dict[str, Any]]:
        """Every system with its agency codes and delivery counts (no secrets)."""
        conn = self.db.conn
        with self.db.lock:
            agencies: dict[str, list[str]] = {}
            for code, system_id in conn.execute(
                "SELECT code, system_id FROM agencies WHERE deleted=0 ORDER BY id"
            ):
                agencies.setdefault(system_id, []).append(code)
            counts = {
                (r[0], r[1]): r[2]
                for r in conn.execute(
                    "SELECT system_id, listed, count(*) FROM deliveries GROUP BY system_id, listed"
                )
            }
            sent = dict(conn.execute("SELECT sender, count(*) FROM messages GROUP BY sender"))
        return [
            {
                "system_id": system.system_id,
                "name": system.name,
                "simulated": system.simulated,
                "agencies": agencies.get(system.system_id, []),
                "sent": sent.get(system.system_id, 0),
                "pending": counts.get((system.system_id, 1), 0),
                "done": counts.get((system.system_id, 0), 0),
            }
            for system in sorted(self.registry.systems_view().values(), key=_system_id)
        ]


def _system_id(system: System) -> str:
    return system.system_id


def open_store(
    path: Path | str, *, seed: int = 0, clock: Clock = time.time, run_id: str = ""
) -> Store:
    """Open (creating if needed) the store at ``path``: a database file, or a folder that holds
    ``axis.sqlite``. ``run_id`` salts the DocIds issued (see ``Mailbox._next_doc_id``)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / DB_NAME
    return Store(path, seed=seed, clock=clock, run_id=run_id)
