-- The onboarding board's registry (SQLite, WAL). Version in meta.schema_version.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE systems (
    system_id TEXT PRIMARY KEY,
    owner     TEXT               -- the level-1 organ that runs it
);

CREATE TABLE agencies (
    organ_id      TEXT PRIMARY KEY,           -- QCVN 102 form
    qd20_id       TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    tier          TEXT NOT NULL,              -- central, province, district, commune
    parent        TEXT,
    province      TEXT,                       -- level-1 code (H44), NULL for central bodies
    province_name TEXT,
    system_id     TEXT NOT NULL REFERENCES systems (system_id),
    derived       INTEGER NOT NULL
);
CREATE INDEX agencies_province ON agencies (province);
CREATE INDEX agencies_tier ON agencies (tier);

CREATE TABLE products (
    id      INTEGER PRIMARY KEY,
    vendor  TEXT NOT NULL,
    product TEXT NOT NULL,
    UNIQUE (vendor, product)
);

CREATE TABLE versions (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id),
    version    TEXT NOT NULL,
    build      TEXT                           -- NULL: the software names no build
);
CREATE UNIQUE INDEX versions_build ON versions (product_id, version, IFNULL(build, ''));

CREATE TABLE deployments (
    id          INTEGER PRIMARY KEY,
    organ_id    TEXT NOT NULL REFERENCES agencies (organ_id),
    version_id  INTEGER NOT NULL REFERENCES versions (id),
    system_id   TEXT NOT NULL,
    since       TEXT NOT NULL,                -- Vietnam date
    current     INTEGER NOT NULL,             -- 1 for the agency's deployment today
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deployments_agency ON deployments (organ_id, current);

CREATE TABLE certificates (
    digest      TEXT PRIMARY KEY,             -- SHA-256 of the canonical certificate (its QR code)
    organ_id    TEXT NOT NULL REFERENCES agencies (organ_id),
    version_id  INTEGER NOT NULL REFERENCES versions (id),
    verdict     TEXT NOT NULL,
    profile     TEXT NOT NULL,
    issued      TEXT NOT NULL,
    valid_until TEXT,                         -- NULL unless CERTIFIED
    signer      TEXT NOT NULL,
    document    TEXT NOT NULL,                -- the signed document (lienthong-certificate/2)
    results     TEXT,                         -- [[id, level, verdict], ...] from report.json
    checks      TEXT NOT NULL,                -- {"checked": [...], "notes": [...]} at import
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE INDEX certificates_agency ON certificates (organ_id);

CREATE TABLE plans (
    name              TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    start             TEXT NOT NULL,
    "end"             TEXT NOT NULL,
    source            TEXT NOT NULL,
    note              TEXT NOT NULL,
    require_signature INTEGER NOT NULL,
    position          INTEGER NOT NULL
);

CREATE TABLE plan_members (
    plan     TEXT NOT NULL REFERENCES plans (name) ON DELETE CASCADE,
    organ_id TEXT NOT NULL REFERENCES agencies (organ_id),
    role     TEXT NOT NULL,
    planned  TEXT NOT NULL,
    derived  INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (plan, organ_id)
);

CREATE TABLE decisions (
    plan           TEXT NOT NULL REFERENCES plans (name) ON DELETE CASCADE,
    organ_id       TEXT NOT NULL REFERENCES agencies (organ_id),
    expected_ready TEXT,
    fix_days       INTEGER,
    note           TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    decided_by     TEXT NOT NULL,
    PRIMARY KEY (plan, organ_id)
);

CREATE TABLE simulations (
    id       INTEGER PRIMARY KEY,
    plan     TEXT NOT NULL REFERENCES plans (name) ON DELETE CASCADE,
    run_at   TEXT NOT NULL,
    run_by   TEXT NOT NULL,
    result   TEXT NOT NULL                    -- board.simulate.PhaseSimulation as JSON
);

CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,                    -- Vietnam time, ISO with offset
    who     TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL                     -- JSON
);
