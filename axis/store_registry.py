"""The registry as the store keeps it: connection systems (with their secrets) and the agencies
each one serves, with the caches the hot path reads (every call looks its system up, every send
its recipients).

A system is *simulated* when the axis made it up (the default systems, played by simulated
peers) and operator-added otherwise (``--system``, the admin API): a simulated system yields a
code to an operator-added one that registers it (:mod:`axis.registry`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from axis.database import Database, Participant
from axis.records import AGENCY_COLS, Agency, System, agency_row

Clock = Callable[[], float]

SCHEMA = """
CREATE TABLE IF NOT EXISTS systems (
    system_id TEXT PRIMARY KEY, secret TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL,
    simulated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS agencies (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, alt_code TEXT, system_id TEXT NOT NULL,
    name TEXT NOT NULL, mail TEXT NOT NULL, mobile TEXT NOT NULL, fax TEXT NOT NULL,
    pcode TEXT NOT NULL, level INTEGER NOT NULL, valid INTEGER NOT NULL,
    deleted INTEGER NOT NULL, version INTEGER NOT NULL, modified REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS agencies_alt ON agencies (alt_code);
"""

MAX_CACHED_AGENCIES = 100_000

__all__ = ["RegistryStore"]


class RegistryStore(Participant):
    """Systems and agencies in ``db`` (writes inside the caller's transaction)."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self._db = db
        self.clock = clock
        db.create(SCHEMA)
        self._agency_cache: dict[tuple[str, bool], Agency | None] = {}
        self._systems: dict[str, System] = {}
        self._load_systems()
        db.join(self)

    def __repr__(self) -> str:
        return f"RegistryStore({self._db!r})"

    def rolled_back(self) -> None:
        self._agency_cache.clear()
        self._load_systems()

    def restore(self, mark: Any) -> None:
        self.rolled_back()

    # --- systems ------------------------------------------------------------------------

    def _load_systems(self) -> None:
        rows = self._db.conn.execute(
            "SELECT system_id, secret, name, simulated FROM systems"
        ).fetchall()
        self._systems = {r[0]: System(r[0], r[1], r[2], bool(r[3])) for r in rows}

    def system(self, system_id: str) -> System | None:
        return self._systems.get(system_id)

    def systems_view(self) -> dict[str, System]:
        """Every system by id (the live cache: do not modify)."""
        return self._systems

    def put_system(
        self, system_id: str, secret: str, name: str = "", *, simulated: bool = False
    ) -> bool:
        """Add a system or change its secret, name or kind; True when something changed."""
        old = self._systems.get(system_id)
        if (
            old is not None
            and old.secret == secret
            and old.simulated == simulated
            and (not name or old.name == name)
        ):
            return False
        with self._db.transaction():
            self._db.conn.execute(
                "INSERT INTO systems VALUES (?,?,?,?,?) ON CONFLICT (system_id) DO UPDATE SET "
                "secret=excluded.secret, simulated=excluded.simulated, "
                "name=CASE WHEN excluded.name='' THEN name ELSE excluded.name END",
                (system_id, secret, name, self.clock(), int(simulated)),
            )
        self._load_systems()
        return True

    # --- agencies -----------------------------------------------------------------------

    def find_agency(self, code: str, *, include_deleted: bool = False) -> Agency | None:
        """The agency registered as ``code`` in either of its forms (cached: routing asks for
        the same few agencies all the time)."""
        key = (code, include_deleted)
        with self._db.lock:
            if key in self._agency_cache:
                return self._agency_cache[key]
            rows = self._db.conn.execute(
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
            if len(self._agency_cache) > MAX_CACHED_AGENCIES:
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
        with self._db.transaction():
            self._db.conn.execute(
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
        with self._db.transaction():
            cur = self._db.conn.execute(
                "UPDATE agencies SET deleted=1, version=version+1, modified=? "
                "WHERE code=? AND deleted=0",
                (self.clock(), code),
            )
        return cur.rowcount > 0

    def agencies(self, *, include_deleted: bool = False) -> list[Agency]:
        where = "" if include_deleted else "WHERE deleted=0"
        with self._db.lock:
            rows = self._db.conn.execute(f"SELECT {AGENCY_COLS} FROM agencies {where} ORDER BY id")
            return [agency_row(r) for r in rows]

    def forget(self) -> None:
        """Delete every system and agency (inside a transaction)."""
        self._db.require_transaction("forget()")
        self._agency_cache.clear()
        self._db.conn.execute("DELETE FROM agencies")
        self._db.conn.execute("DELETE FROM systems")
        self._systems = {}

    def counts(self) -> dict[str, int]:
        one = self._db.conn.execute
        with self._db.lock:
            return {
                "systems": one("SELECT count(*) FROM systems").fetchone()[0],
                "agencies": one("SELECT count(*) FROM agencies WHERE deleted=0").fetchone()[0],
            }
