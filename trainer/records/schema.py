"""The store's tables, as numbered migrations.

A store records which migrations it has in `schema_version`; opening it applies the missing
ones in order, each in its own transaction, and refuses a store written by a newer version.
To change the schema, append a migration: never edit one that has shipped.

The LRS outbox (issue 8) is expected to arrive as migration 2: an `outbox` table keyed by
statement id with the attempt's ledger seq, and a `receipts` table holding the ledger head
hash each push sent.
"""

from __future__ import annotations

# Columns derived from the ledger body are generated and stored by SQLite itself, so the
# report's GROUP BY reads plain columns and nobody can change them apart from the body
# that the hash covers.
_LEDGER_DERIVED = """
    kind TEXT GENERATED ALWAYS AS (json_extract(body, '$.kind')) STORED,
    attempt_id TEXT GENERATED ALWAYS AS (json_extract(body, '$.attempt_id')) STORED,
    trainee_id TEXT GENERATED ALWAYS AS (json_extract(body, '$.trainee.id')) STORED,
    trainee_key TEXT GENERATED ALWAYS AS (
        coalesce(nullif(json_extract(body, '$.trainee.program_id'), ''), json_extract(body, '$.trainee.id'))) STORED,
    trainee_name TEXT GENERATED ALWAYS AS (json_extract(body, '$.trainee.name')) STORED,
    scenario_id TEXT GENERATED ALWAYS AS (json_extract(body, '$.scenario.id')) STORED,
    mode TEXT GENERATED ALWAYS AS (json_extract(body, '$.mode')) STORED,
    local_date TEXT GENERATED ALWAYS AS (json_extract(body, '$.local_date')) STORED,
    category TEXT GENERATED ALWAYS AS (json_extract(body, '$.credit.category')) STORED,
    completed INTEGER GENERATED ALWAYS AS (json_extract(body, '$.credit.completed')) STORED,
    passed INTEGER GENERATED ALWAYS AS (json_extract(body, '$.credit.passed')) STORED,
    credited_minutes REAL GENERATED ALWAYS AS (json_extract(body, '$.credit.minutes')) STORED,
    credited_hours REAL GENERATED ALWAYS AS (json_extract(body, '$.credit.hours')) STORED,
    policy TEXT GENERATED ALWAYS AS (json_extract(body, '$.credit.policy')) STORED
"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "trainees, attempts, turns, reflections, overrides, the ledger, imports",
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE trainees (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            program_id TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );

        CREATE TABLE attempts (
            id TEXT PRIMARY KEY,
            trainee_id TEXT NOT NULL REFERENCES trainees(id),
            scenario_id TEXT NOT NULL,
            scenario_version TEXT NOT NULL,
            scenario_title TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            estimated_minutes REAL NOT NULL,
            hour_category TEXT NOT NULL,
            mode TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'abandoned')),
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_activity REAL NOT NULL,       -- unix time of the last action seen
            ended_at TEXT,
            engaged_seconds REAL NOT NULL DEFAULT 0,
            state_json TEXT,                   -- the engine's saved State (holds free text)
            result_json TEXT,                  -- summary of the finished attempt (no free text)
            ledger_seq INTEGER
        );
        CREATE INDEX attempts_by_trainee ON attempts (trainee_id, status);

        -- Every transcript entry of an attempt, as the engine wrote it (free text included).
        CREATE TABLE turns (
            attempt_id TEXT NOT NULL REFERENCES attempts(id),
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL,
            node TEXT NOT NULL,
            entry_json TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (attempt_id, idx)
        ) WITHOUT ROWID;

        CREATE TABLE reflections (
            attempt_id TEXT PRIMARY KEY REFERENCES attempts(id),
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE overrides (
            id INTEGER PRIMARY KEY,
            attempt_id TEXT NOT NULL REFERENCES attempts(id),
            turn_index INTEGER NOT NULL,
            target TEXT NOT NULL,
            target_id TEXT NOT NULL,
            value INTEGER NOT NULL,
            reason TEXT NOT NULL,
            by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );

        -- The hash chains: this store's own (store_id = meta.store_id) and any imported ones.
        CREATE TABLE ledger (
            store_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            body TEXT,                         -- canonical JSON; NULL for an imported stub
            body_sha256 TEXT,                  -- set for stubs only
            imported_at TEXT,                  -- NULL for this store's own records
            {_LEDGER_DERIVED},
            PRIMARY KEY (store_id, seq)
        );
        CREATE INDEX ledger_by_trainee ON ledger (trainee_id, kind);
        CREATE INDEX ledger_by_attempt ON ledger (attempt_id);

        -- xAPI statements merged by `records import`, deduplicated by statement id.
        CREATE TABLE statements (
            id TEXT PRIMARY KEY,
            statement TEXT NOT NULL,           -- canonical JSON as received
            digest TEXT NOT NULL,              -- sha256 of the statement without LRS-set fields
            registration TEXT,
            verb TEXT,
            actor TEXT,
            source TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX statements_by_registration ON statements (registration);

        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL,
            format TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            added INTEGER NOT NULL,
            duplicates INTEGER NOT NULL,
            conflicts INTEGER NOT NULL,
            summary TEXT NOT NULL
        );
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]
