"""SQLite schema of the ledger and its migrations (PRAGMA user_version)."""

from __future__ import annotations

from collections.abc import Callable
import sqlite3

from .errors import BillingError

# Times are integer microseconds since the Unix epoch (UTC); `hour` is whole
# hours since the epoch; money is integer minor units; energy integer Wh;
# exact energy cost integer nano units (1e-9 of the currency).
_VERSION_1 = """
CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE account (
    key INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('tenant', 'landlord')),
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    -- sum of the journal minus pending charges; checked by verify_chain
    balance_minor INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE room (
    key INTEGER PRIMARY KEY,
    room_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    reading_wh INTEGER,
    reading_at INTEGER
);
CREATE TABLE occupancy (
    id INTEGER PRIMARY KEY,
    room_key INTEGER NOT NULL REFERENCES room (key),
    account_key INTEGER NOT NULL REFERENCES account (key),
    start_at INTEGER NOT NULL,
    start_reading_wh INTEGER NOT NULL,
    end_at INTEGER,
    end_reading_wh INTEGER
);
CREATE UNIQUE INDEX occupancy_current ON occupancy (room_key) WHERE end_at IS NULL;
CREATE TABLE meter_replacement (
    id INTEGER PRIMARY KEY,
    room_key INTEGER NOT NULL REFERENCES room (key),
    at INTEGER NOT NULL,
    old_final_wh INTEGER NOT NULL,
    new_start_wh INTEGER NOT NULL
);
CREATE TABLE tariff (
    id INTEGER PRIMARY KEY,
    effective_from TEXT NOT NULL UNIQUE,
    effective_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    set_at INTEGER NOT NULL
);
CREATE TABLE consumption (
    room_key INTEGER NOT NULL,
    period_key INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    account_key INTEGER NOT NULL,
    rate TEXT NOT NULL,
    tier INTEGER NOT NULL,
    wh INTEGER NOT NULL,
    free_wh INTEGER NOT NULL,
    cost_nanos INTEGER NOT NULL,
    PRIMARY KEY (room_key, period_key, hour, account_key, rate, tier)
) WITHOUT ROWID;
CREATE TABLE room_period (
    room_key INTEGER NOT NULL,
    period_key INTEGER NOT NULL,
    account_key INTEGER NOT NULL,
    wh INTEGER NOT NULL,
    free_wh INTEGER NOT NULL,
    cost_nanos INTEGER NOT NULL,
    charged_minor INTEGER NOT NULL,
    opening_reading_wh INTEGER,
    closing_reading_wh INTEGER,
    PRIMARY KEY (room_key, period_key, account_key)
) WITHOUT ROWID;
CREATE TABLE pending_charge (
    account_key INTEGER NOT NULL,
    room_key INTEGER NOT NULL,
    period_key INTEGER NOT NULL,
    at INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    PRIMARY KEY (account_key, room_key, period_key, at)
) WITHOUT ROWID;
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    account_key INTEGER NOT NULL REFERENCES account (key),
    kind TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    room_key INTEGER,
    period_key INTEGER,
    reference TEXT,
    corrects INTEGER,
    note TEXT,
    user_id TEXT,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE UNIQUE INDEX journal_reference ON journal (kind, reference) WHERE reference IS NOT NULL;
CREATE UNIQUE INDEX journal_corrects ON journal (corrects) WHERE corrects IS NOT NULL;
CREATE INDEX journal_account_at ON journal (account_key, at);
CREATE INDEX journal_kind_at ON journal (kind, at);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal rows are never updated'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal rows are never deleted'); END;
CREATE TABLE bill (
    id INTEGER PRIMARY KEY,
    account_key INTEGER NOT NULL REFERENCES account (key),
    period_key INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (account_key, period_key)
);
CREATE TABLE operation (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id TEXT,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    account_key INTEGER,
    balance_before_minor INTEGER,
    balance_after_minor INTEGER
);
CREATE INDEX operation_at ON operation (at);
"""


def _to_version_1(connection: sqlite3.Connection) -> None:
    for statement in _split(_VERSION_1):
        connection.execute(statement)


def _split(script: str) -> list[str]:
    """Statements of a script (triggers contain inner semicolons)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [statement for statement in statements if statement]


# MIGRATIONS[n] takes the schema from version n to n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_to_version_1,)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection) -> bool:
    """Bring the schema up to date; True if the database was new."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise BillingError(
                "schema_too_new",
                "The ledger has schema version {found}; this version reads up to {known}",
                found=version,
                known=SCHEMA_VERSION,
            )
        for step in MIGRATIONS[version:]:
            step(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return bool(version == 0)
