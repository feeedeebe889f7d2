"""The registry: one SQLite file (WAL) holding what the certification office tracks.

Agencies of all four tiers and the connection systems serving them (from ``fixtures``, loaded
when the file is created), software products and their versions and builds, deployments (an
agency runs a build through a system), certificates (as signed, after verification), phase
plans (the shipped ones and the office's own), the officer's decisions on blocked agencies,
phase simulations, and an audit log of every change: who, when (Vietnam time, from the clock
the caller passes in) and what. Every change and its audit entry commit together.

One :class:`Registry` serves one process; its methods are safe to call from several threads
(the web board's worker threads) and another process may read the file at the same time.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from board.certificates import Certificate, Software, stored_certificate
from board.errors import NotFound, RegistryError
from board.model import Agency, AuditEntry, Decision, Deployment, System
from board.plans import SHIPPED_SOURCE, PhasePlan, PlanMember, Role, shipped_plans
from spec.clock import SYSTEM_CLOCK, Clock, vietnam_now
from spec.organ_ids import organ_id_problem, parse_organ_id

SCHEMA_VERSION = "2"
ERA = "2016"
BUSY_TIMEOUT_MS = 10_000

__all__ = ["ERA", "ImportOutcome", "ProductRow", "Registry", "open_registry"]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What importing one certificate did: ``added`` False when it was already there;
    ``deployment`` the deployment it recorded, if any."""

    certificate: Certificate
    added: bool
    deployment: Deployment | None


@dataclass(frozen=True, slots=True)
class ProductRow:
    """A product with how many builds the registry knows and how many agencies run it now."""

    id: int
    vendor: str
    product: str
    builds: int
    agencies: int


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class Registry:
    """The registry in the SQLite file ``path``; create it with :func:`open_registry`."""

    def __init__(self, connection: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self._db = connection
        self.path = path
        self.clock = clock
        self._lock = threading.RLock()
        self._certificates: dict[str, Certificate] = {}

    def __repr__(self) -> str:
        return f"open_registry({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _change(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together, or nothing does."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _now(self) -> datetime:
        return vietnam_now(self.clock)

    def _audit(
        self, db: sqlite3.Connection, who: str, action: str, subject: str, **detail: Any
    ) -> None:
        if not who.strip():
            raise RegistryError("who(='') must name the person making the change")
        db.execute(
            "INSERT INTO audit (at, who, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            (self._now().isoformat(), who.strip(), action, subject, _dumps(detail)),
        )

    # --- agencies and systems ---------------------------------------------------------------

    def resolve(self, organ_id: str) -> str | None:
        """The QCVN 102 id of the agency ``organ_id`` names (either form), or None."""
        rows = self._rows(
            "SELECT organ_id FROM agencies WHERE organ_id = ? OR qd20_id = ?",
            (organ_id, organ_id),
        )
        return rows[0]["organ_id"] if rows else None

    def agency(self, organ_id: str) -> Agency:
        rows = self._rows(
            "SELECT * FROM agencies WHERE organ_id = ? OR qd20_id = ?", (organ_id, organ_id)
        )
        if not rows:
            raise NotFound(f"organ id {organ_id!r} is no agency of the registry")
        return _agency(rows[0])

    def agencies(self, organ_ids: Iterable[str]) -> dict[str, Agency]:
        ids = list(organ_ids)
        rows = self._rows(
            f"SELECT * FROM agencies WHERE organ_id IN ({','.join('?' * len(ids))})", ids
        )
        return {r["organ_id"]: _agency(r) for r in rows}

    def children(self, organ_id: str) -> list[Agency]:
        rows = self._rows("SELECT * FROM agencies WHERE parent = ? ORDER BY organ_id", (organ_id,))
        return [_agency(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many agencies of each tier, and systems, products, certificates, plans."""
        out = {
            r["tier"]: r["n"]
            for r in self._rows("SELECT tier, COUNT(*) n FROM agencies GROUP BY tier")
        }
        for table in ("systems", "products", "certificates", "plans", "deployments"):
            out[table] = self._rows(f"SELECT COUNT(*) n FROM {table}")[0]["n"]
        return out

    def provinces(self) -> list[tuple[str, str]]:
        """(code, name) of every province, in code order."""
        rows = self._rows(
            "SELECT province, province_name FROM agencies WHERE tier = 'province' "
            "AND parent IS NULL ORDER BY province"
        )
        return [(r["province"], r["province_name"]) for r in rows]

    def system(self, system_id: str) -> System:
        rows = self._rows(
            "SELECT s.system_id, s.owner, a.name owner_name, "
            "(SELECT COUNT(*) FROM agencies x WHERE x.system_id = s.system_id) n "
            "FROM systems s LEFT JOIN agencies a ON a.organ_id = s.owner WHERE s.system_id = ?",
            (system_id,),
        )
        if not rows:
            raise NotFound(f"system {system_id!r} is not in the registry")
        r = rows[0]
        return System(r["system_id"], r["owner"], r["owner_name"], r["n"])

    # --- products and deployments -----------------------------------------------------------

    def _version_id(self, db: sqlite3.Connection, software: Software) -> int:
        db.execute(
            "INSERT OR IGNORE INTO products (vendor, product) VALUES (?, ?)",
            (software.vendor, software.product),
        )
        (product_id,) = db.execute(
            "SELECT id FROM products WHERE vendor = ? AND product = ?",
            (software.vendor, software.product),
        ).fetchone()
        db.execute(
            "INSERT OR IGNORE INTO versions (product_id, version, build) VALUES (?, ?, ?)",
            (product_id, software.version, software.build),
        )
        (version_id,) = db.execute(
            "SELECT id FROM versions WHERE product_id = ? AND version = ? AND build IS ?",
            (product_id, software.version, software.build),
        ).fetchone()
        return int(version_id)

    def products(self) -> list[ProductRow]:
        rows = self._rows(
            "SELECT p.id, p.vendor, p.product, "
            "(SELECT COUNT(*) FROM versions v WHERE v.product_id = p.id) builds, "
            "(SELECT COUNT(*) FROM deployments d JOIN versions v ON v.id = d.version_id "
            " WHERE v.product_id = p.id AND d.current = 1) agencies "
            "FROM products p ORDER BY p.vendor, p.product"
        )
        return [
            ProductRow(r["id"], r["vendor"], r["product"], r["builds"], r["agencies"]) for r in rows
        ]

    def product(self, product_id: int) -> ProductRow:
        for row in self.products():
            if row.id == product_id:
                return row
        raise NotFound(f"product {product_id!r} is not in the registry")

    def product_deployments(self, product_id: int) -> list[Deployment]:
        """The current deployments of any build of the product."""
        rows = self._rows(
            _DEPLOYMENTS + " WHERE d.current = 1 AND p.id = ? ORDER BY d.organ_id", (product_id,)
        )
        return [_deployment(r) for r in rows]

    def product_builds(self, product_id: int) -> list[Software]:
        rows = self._rows(
            "SELECT p.vendor, p.product, v.version, v.build FROM versions v "
            "JOIN products p ON p.id = v.product_id WHERE p.id = ? ORDER BY v.id",
            (product_id,),
        )
        return [Software(r["vendor"], r["product"], r["version"], r["build"]) for r in rows]

    def product_id(self, software: Software) -> int | None:
        rows = self._rows(
            "SELECT id FROM products WHERE vendor = ? AND product = ?",
            (software.vendor, software.product),
        )
        return rows[0]["id"] if rows else None

    def deployment(self, organ_id: str) -> Deployment | None:
        return self.deployments([organ_id]).get(organ_id)

    def deployments(self, organ_ids: Iterable[str]) -> dict[str, Deployment]:
        """The current deployment of each agency that has one."""
        ids = list(organ_ids)
        rows = self._rows(
            _DEPLOYMENTS + f" WHERE d.current = 1 AND d.organ_id IN ({','.join('?' * len(ids))})",
            ids,
        )
        return {r["organ_id"]: _deployment(r) for r in rows}

    def deployment_history(self, organ_id: str) -> list[Deployment]:
        rows = self._rows(_DEPLOYMENTS + " WHERE d.organ_id = ? ORDER BY d.id DESC", (organ_id,))
        return [_deployment(r) for r in rows]

    def record_deployment(
        self,
        organ_id: str,
        software: Software,
        *,
        system_id: str | None = None,
        since: date | None = None,
        who: str,
        note: str = "",
    ) -> Deployment:
        """Record that ``organ_id`` runs ``software`` (through ``system_id``, by default its
        registered system) from ``since`` (default today)."""
        agency = self.agency(organ_id)
        system_id = system_id or agency.system_id
        problem = organ_id_problem(system_id)
        if problem or not parse_organ_id(system_id).is_connection_system:
            raise RegistryError(
                f"system_id={system_id!r} is not a connection-system id such as 00.44.W00"
            )
        with self._change() as db:
            deployment = self._deploy(
                db, agency.organ_id, software, system_id, since or self._now().date(), who, note
            )
        return deployment

    def _deploy(
        self,
        db: sqlite3.Connection,
        organ_id: str,
        software: Software,
        system_id: str,
        since: date,
        who: str,
        note: str,
    ) -> Deployment:
        version_id = self._version_id(db, software)
        db.execute("UPDATE deployments SET current = 0 WHERE organ_id = ?", (organ_id,))
        now = self._now()
        db.execute(
            "INSERT INTO deployments (organ_id, version_id, system_id, since, current, "
            "recorded_at, recorded_by, note) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            (organ_id, version_id, system_id, since.isoformat(), now.isoformat(), who, note),
        )
        self._audit(
            db,
            who,
            "deploy",
            organ_id,
            vendor=software.vendor,
            product=software.product,
            version=software.version,
            build=software.build,
            system_id=system_id,
            since=since.isoformat(),
            note=note,
        )
        return Deployment(organ_id, software, system_id, since, now, who, note)

    # --- certificates -----------------------------------------------------------------------

    def import_certificates(
        self,
        certificates: Sequence[tuple[Certificate, str]],
        *,
        who: str,
        deploy: bool = False,
    ) -> list[ImportOutcome]:
        """Store verified certificates (each with the file it came from) in one transaction.
        An agency without a deployment gets the certified build as its deployment; with
        ``deploy`` the certified build replaces the deployment it had. A certificate already
        stored changes nothing. Raises ``RegistryError`` when one names an agency the registry
        does not know (then nothing is stored)."""
        for certificate, source in certificates:
            if self.resolve(certificate.party.organ_id) != certificate.party.organ_id:
                raise RegistryError(
                    f"{source}: it certifies {certificate.party.organ_id!r}, which is no agency of "
                    "the registry (QCVN 102 form expected)"
                )
        out = []
        with self._change() as db:
            for certificate, source in certificates:
                out.append(self._import(db, certificate, source, who, deploy))
        return out

    def _import(
        self, db: sqlite3.Connection, c: Certificate, source: str, who: str, deploy: bool
    ) -> ImportOutcome:
        organ_id = c.party.organ_id
        version_id = self._version_id(db, c.software)
        results = _dumps([[r.id, r.level, r.verdict] for r in c.results]) if c.results else None
        cursor = db.execute(
            "INSERT OR IGNORE INTO certificates (digest, organ_id, version_id, verdict, profile, "
            "issued, valid_until, signer, document, results, checks, source, imported_at, "
            "imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.digest,
                organ_id,
                version_id,
                c.verdict.value,
                c.profile,
                c.issued.isoformat(),
                c.valid_until.isoformat() if c.valid_until else None,
                c.signer,
                _dumps(dict(c.document)),
                results,
                _dumps({"checked": list(c.checked), "notes": list(c.notes)}),
                source,
                self._now().isoformat(),
                who,
            ),
        )
        if cursor.rowcount == 0:
            return ImportOutcome(c, False, None)
        self._audit(
            db,
            who,
            "import",
            organ_id,
            certificate=c.digest,
            verdict=c.verdict.value,
            software=c.software.label,
            vendor=c.software.vendor,
            profile=c.profile,
            valid_until=c.valid_until.isoformat() if c.valid_until else None,
            signer=c.signer,
            source=source,
        )
        current = db.execute(
            "SELECT v.build, p.vendor, p.product FROM deployments d "
            "JOIN versions v ON v.id = d.version_id JOIN products p ON p.id = v.product_id "
            "WHERE d.organ_id = ? AND d.current = 1",
            (organ_id,),
        ).fetchone()
        same = current is not None and tuple(current) == (
            c.software.build,
            c.software.vendor,
            c.software.product,
        )
        deployment = None
        if current is None or (deploy and not same):
            why = "first certificate of the agency" if current is None else "import --deploy"
            deployment = self._deploy(
                db, organ_id, c.software, c.party.system_id, self._now().date(), who, why
            )
        return ImportOutcome(c, True, deployment)

    def _certificate(self, row: sqlite3.Row, *, results: bool = False) -> Certificate:
        digest = row["digest"]
        cached = self._certificates.get(digest)
        if cached is not None and (cached.results is not None or not results):
            return cached
        stored = orjson.loads(row["results"]) if results and row["results"] else None
        checks = orjson.loads(row["checks"]) if results else None
        certificate = stored_certificate(orjson.loads(row["document"]), stored, checks)
        self._certificates[digest] = certificate
        return certificate

    def certificates_of(self, organ_id: str) -> list[Certificate]:
        """Every certificate of the agency, newest first, with their results."""
        rows = self._rows(
            "SELECT digest, document, results, checks FROM certificates WHERE organ_id = ? "
            "ORDER BY issued DESC",
            (organ_id,),
        )
        return [self._certificate(r, results=True) for r in rows]

    def certificates_for(self, organ_ids: Iterable[str]) -> dict[str, list[Certificate]]:
        """The certificates of each agency (without results), newest first. Documents already
        read are not read again: a stored certificate never changes."""
        ids = list(organ_ids)
        marks = ",".join("?" * len(ids))
        rows = self._rows(
            f"SELECT organ_id, digest FROM certificates WHERE organ_id IN ({marks}) "
            "ORDER BY issued DESC",
            ids,
        )
        missing = [r["digest"] for r in rows if r["digest"] not in self._certificates]
        if missing:
            for r in self._rows(
                "SELECT digest, document, NULL results, NULL checks FROM certificates "
                f"WHERE digest IN ({','.join('?' * len(missing))})",
                missing,
            ):
                self._certificate(r)
        out: dict[str, list[Certificate]] = {}
        for r in rows:
            out.setdefault(r["organ_id"], []).append(self._certificates[r["digest"]])
        return out

    def certificate(self, digest: str) -> Certificate:
        """The certificate whose digest is or starts with ``digest`` (at least 8 hex digits)."""
        if len(digest) < 8 or not all(ch in "0123456789abcdef" for ch in digest):
            raise NotFound(f"certificate {digest!r}: give at least 8 hex digits of its digest")
        rows = self._rows(
            "SELECT digest, document, results, checks FROM certificates WHERE digest LIKE ? "
            "LIMIT 2",
            (digest + "%",),
        )
        if len(rows) != 1:
            raise NotFound(
                f"certificate {digest!r} is " + ("ambiguous" if rows else "not in the registry")
            )
        return self._certificate(rows[0], results=True)

    def certificate_source(self, digest: str) -> tuple[str, datetime, str]:
        """Where a certificate was imported from, when and by whom."""
        rows = self._rows(
            "SELECT source, imported_at, imported_by FROM certificates WHERE digest = ?", (digest,)
        )
        if not rows:
            raise NotFound(f"certificate {digest!r} is not in the registry")
        r = rows[0]
        return r["source"], datetime.fromisoformat(r["imported_at"]), r["imported_by"]

    # --- plans ------------------------------------------------------------------------------

    def plans(self) -> list[PhasePlan]:
        rows = self._rows("SELECT * FROM plans ORDER BY position, start, name")
        members = self._rows("SELECT * FROM plan_members ORDER BY plan, position")
        by_plan: dict[str, list[PlanMember]] = {}
        for m in members:
            by_plan.setdefault(m["plan"], []).append(_member(m))
        return [_plan(r, by_plan.get(r["name"], [])) for r in rows]

    def plan(self, name: str) -> PhasePlan:
        rows = self._rows("SELECT * FROM plans WHERE name = ?", (name,))
        if not rows:
            known = ", ".join(
                p["name"] for p in self._rows("SELECT name FROM plans ORDER BY position")
            )
            raise NotFound(f"plan {name!r} is not in the registry (plans: {known})")
        members = self._rows("SELECT * FROM plan_members WHERE plan = ? ORDER BY position", (name,))
        return _plan(rows[0], [_member(m) for m in members])

    def plans_of(self, organ_id: str) -> list[PhasePlan]:
        names = self._rows(
            "SELECT m.plan FROM plan_members m JOIN plans p ON p.name = m.plan "
            "WHERE m.organ_id = ? ORDER BY p.position",
            (organ_id,),
        )
        return [self.plan(r["plan"]) for r in names]

    def load_plan(self, plan: PhasePlan, *, who: str, replace: bool = False) -> bool:
        """Store ``plan``; returns False when a plan of that name was replaced. Replacing a
        shipped plan needs ``replace``."""
        with self._change() as db:
            old = db.execute("SELECT source FROM plans WHERE name = ?", (plan.name,)).fetchone()
            if old is not None and old["source"] == SHIPPED_SOURCE and not replace:
                raise RegistryError(
                    f"plan {plan.name!r} is a shipped plan; give another name, or replace it "
                    "on purpose (--replace)"
                )
            position = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM plans").fetchone()[0]
            if old is not None:
                position = db.execute(
                    "SELECT position FROM plans WHERE name = ?", (plan.name,)
                ).fetchone()[0]
            _store_plan(db, plan, position)
            self._audit(
                db,
                who,
                "plan",
                plan.name,
                replaced=old is not None,
                source=plan.source,
                start=plan.start.isoformat(),
                end=plan.end.isoformat(),
                members=len(plan.members),
            )
        return old is None

    # --- decisions and simulations ----------------------------------------------------------

    def decide(
        self,
        plan: str,
        organ_id: str,
        *,
        expected_ready: date | None,
        fix_days: int | None,
        note: str = "",
        who: str,
    ) -> Decision:
        """Record the officer's word on a member of ``plan``: the date it is expected ready
        and/or the days its fix needs."""
        phase = self.plan(plan)
        agency = self.agency(organ_id)
        if phase.member(agency.organ_id) is None:
            raise RegistryError(
                f"{agency.organ_id} ({agency.name}) is not a member of plan {plan!r}"
            )
        if fix_days is not None and not 0 <= fix_days <= 3650:
            raise RegistryError(f"fix_days={fix_days!r} must be between 0 and 3650")
        if expected_ready is None and fix_days is None:
            raise RegistryError("give an expected ready date, a fix time in days, or both")
        now = self._now()
        with self._change() as db:
            db.execute(
                "INSERT OR REPLACE INTO decisions (plan, organ_id, expected_ready, fix_days, note, "
                "decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    plan,
                    agency.organ_id,
                    expected_ready.isoformat() if expected_ready else None,
                    fix_days,
                    note,
                    now.isoformat(),
                    who,
                ),
            )
            self._audit(
                db,
                who,
                "decide",
                agency.organ_id,
                plan=plan,
                expected_ready=expected_ready.isoformat() if expected_ready else None,
                fix_days=fix_days,
                note=note,
            )
        return Decision(plan, agency.organ_id, expected_ready, fix_days, note, now, who)

    def decisions(self, plan: str) -> dict[str, Decision]:
        rows = self._rows("SELECT * FROM decisions WHERE plan = ?", (plan,))
        return {
            r["organ_id"]: Decision(
                r["plan"],
                r["organ_id"],
                date.fromisoformat(r["expected_ready"]) if r["expected_ready"] else None,
                r["fix_days"],
                r["note"],
                datetime.fromisoformat(r["decided_at"]),
                r["decided_by"],
            )
            for r in rows
        }

    def store_simulation(self, plan: str, result: dict[str, Any], *, who: str) -> None:
        self.plan(plan)
        with self._change() as db:
            db.execute(
                "INSERT INTO simulations (plan, run_at, run_by, result) VALUES (?, ?, ?, ?)",
                (plan, self._now().isoformat(), who, _dumps(result)),
            )
            self._audit(db, who, "simulate", plan, replications=result.get("replications"))

    def latest_simulation(self, plan: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT result FROM simulations WHERE plan = ? ORDER BY id DESC LIMIT 1", (plan,)
        )
        return orjson.loads(rows[0]["result"]) if rows else None

    # --- audit ------------------------------------------------------------------------------

    def audit(self, *, limit: int = 100, subject: str | None = None) -> list[AuditEntry]:
        """The latest changes, newest first (of one subject when given)."""
        sql = "SELECT * FROM audit" + (" WHERE subject = ?" if subject else "")
        rows = self._rows(
            sql + " ORDER BY seq DESC LIMIT ?", ((subject,) if subject else ()) + (limit,)
        )
        return [
            AuditEntry(
                r["seq"],
                datetime.fromisoformat(r["at"]),
                r["who"],
                r["action"],
                r["subject"],
                orjson.loads(r["detail"]),
            )
            for r in rows
        ]


def _store_plan(db: sqlite3.Connection, plan: PhasePlan, position: int) -> None:
    db.execute("DELETE FROM plan_members WHERE plan = ?", (plan.name,))
    db.execute(
        'INSERT OR REPLACE INTO plans (name, title, start, "end", source, note, '
        "require_signature, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            plan.name,
            plan.title,
            plan.start.isoformat(),
            plan.end.isoformat(),
            plan.source,
            plan.note,
            int(plan.require_signature),
            position,
        ),
    )
    db.executemany(
        "INSERT INTO plan_members (plan, organ_id, role, planned, derived, position) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (plan.name, m.organ_id, m.role.value, m.planned.isoformat(), int(m.derived), i)
            for i, m in enumerate(plan.members)
        ],
    )


_DEPLOYMENTS = (
    "SELECT d.organ_id, d.system_id, d.since, d.recorded_at, d.recorded_by, d.note, "
    "p.vendor, p.product, v.version, v.build FROM deployments d "
    "JOIN versions v ON v.id = d.version_id JOIN products p ON p.id = v.product_id"
)


def _agency(r: sqlite3.Row) -> Agency:
    return Agency(
        r["organ_id"],
        r["name"],
        r["tier"],
        r["parent"],
        r["province"],
        r["province_name"],
        r["system_id"],
        bool(r["derived"]),
    )


def _deployment(r: sqlite3.Row) -> Deployment:
    return Deployment(
        r["organ_id"],
        Software(r["vendor"], r["product"], r["version"], r["build"]),
        r["system_id"],
        date.fromisoformat(r["since"]),
        datetime.fromisoformat(r["recorded_at"]),
        r["recorded_by"],
        r["note"],
    )


def _member(r: sqlite3.Row) -> PlanMember:
    return PlanMember(
        r["organ_id"], Role(r["role"]), date.fromisoformat(r["planned"]), bool(r["derived"])
    )


def _plan(r: sqlite3.Row, members: list[PlanMember]) -> PhasePlan:
    return PhasePlan(
        name=r["name"],
        title=r["title"],
        start=date.fromisoformat(r["start"]),
        end=date.fromisoformat(r["end"]),
        members=tuple(members),
        source=r["source"],
        note=r["note"],
        require_signature=bool(r["require_signature"]),
    )


# --- opening and creating ------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except sqlite3.DatabaseError as exc:
        raise RegistryError(f"cannot open registry {str(path)!r}: {exc}") from None
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlite3.DatabaseError as exc:
        db.close()
        raise RegistryError(f"{str(path)!r} is not a board registry: {exc}") from None
    return db


def _create(db: sqlite3.Connection, clock: Clock, who: str) -> None:
    from fixtures import agencies as fx

    network = fx.topology(ERA)
    names = {p.code: p.name for p in fx.provinces(ERA)}
    owners = {a.system_id: a.organ_id for a in network.level1()}
    script = (resources.files("board") / "schema.sql").read_text("utf-8")
    db.executescript(script)
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("schema_version", SCHEMA_VERSION), ("era", ERA)],
    )
    db.executemany(
        "INSERT INTO systems (system_id, owner) VALUES (?, ?)",
        [(s, owners.get(s)) for s in sorted(network.systems())],
    )
    db.executemany(
        "INSERT INTO agencies (organ_id, qd20_id, name, tier, parent, province, province_name, "
        "system_id, derived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                a.organ_id,
                a.qd20_id,
                a.name,
                a.tier.value,
                a.parent,
                a.province,
                names.get(a.province) if a.province else None,
                a.system_id,
                int(a.derived),
            )
            for a in network
        ],
    )
    plans = shipped_plans()
    for position, plan in enumerate(plans):
        _store_plan(db, plan, position)
    db.execute(
        "INSERT INTO audit (at, who, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (
            vietnam_now(clock).isoformat(),
            who,
            "create",
            "registry",
            _dumps(
                {
                    "era": ERA,
                    "agencies": len(network),
                    "systems": len(network.systems()),
                    "plans": [p.name for p in plans],
                }
            ),
        ),
    )
    db.execute("COMMIT")


def open_registry(path: Path, *, clock: Clock = SYSTEM_CLOCK, who: str = "lienthong") -> Registry:
    """The registry in ``path``, created (with the fixtures' agencies, systems and shipped
    plans) when the file does not exist yet; ``who`` is named in the audit log if it is
    created. Raises ``RegistryError`` for a file that is not a registry."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistryError(f"cannot create folder for registry {str(path)!r}: {exc}") from None
    db = _connect(path)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            _create(db, clock, who)
        elif "meta" not in tables:
            raise RegistryError(f"{str(path)!r} is an SQLite file but not a board registry")
        else:
            version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                raise RegistryError(
                    f"registry {str(path)!r} has schema version "
                    f"{version[0] if version else None!r}; this lienthong reads {SCHEMA_VERSION!r} "
                    "(certificate format 2): give another --registry and import the "
                    "certificates again"
                )
    except sqlite3.DatabaseError as exc:
        db.close()
        raise RegistryError(f"{str(path)!r} is not a board registry: {exc}") from None
    except BaseException:
        db.close()
        raise
    return Registry(db, path, clock)
