"""The append-only, hash-chained journal.

Each row's hash is SHA-256 over the previous row's hash and the row's own
fields; the head (last id and hash) is kept in `setting`, so an edited,
removed or truncated row breaks the chain and `verify` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import json
import sqlite3

from .records import ChainProblem

GENESIS = bytes(32)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A journal row to append."""

    at: int
    account_key: int
    kind: str
    amount_minor: int
    room_key: int | None = None
    period_key: int | None = None
    reference: str | None = None
    corrects: int | None = None
    note: str | None = None
    user_id: str | None = None


_COLUMNS = (
    "id, at, recorded_at, account_key, kind, amount_minor, room_key, period_key,"
    " reference, corrects, note, user_id"
)


def _digest(prev_hash: bytes, fields: tuple[object, ...]) -> bytes:
    payload = json.dumps(list(fields), separators=(",", ":")).encode()
    return hashlib.sha256(prev_hash + payload).digest()


def _head(connection: sqlite3.Connection) -> tuple[int, bytes]:
    rows = dict(
        connection.execute(
            "SELECT name, value FROM setting WHERE name IN ('head_id', 'head_hash')"
        ).fetchall()
    )
    if not rows:
        return 0, GENESIS
    return int(rows["head_id"]), bytes.fromhex(rows["head_hash"])


def append(
    connection: sqlite3.Connection, entries: list[NewEntry], recorded_at: int
) -> list[int]:
    """Append rows inside the caller's transaction; returns their ids."""
    if not entries:
        return []
    head_id, head_hash = _head(connection)
    rows = []
    ids = []
    for entry in entries:
        head_id += 1
        fields = (
            head_id,
            entry.at,
            recorded_at,
            entry.account_key,
            entry.kind,
            entry.amount_minor,
            entry.room_key,
            entry.period_key,
            entry.reference,
            entry.corrects,
            entry.note,
            entry.user_id,
        )
        digest = _digest(head_hash, fields)
        rows.append((*fields, head_hash, digest))
        head_hash = digest
        ids.append(head_id)
    connection.executemany(
        f"INSERT INTO journal ({_COLUMNS}, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.executemany(
        "INSERT INTO setting (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [("head_id", str(head_id)), ("head_hash", head_hash.hex())],
    )
    return ids


def verify(connection: sqlite3.Connection) -> list[ChainProblem]:
    """Every break in the chain: edited, removed, reordered or truncated rows."""
    problems: list[ChainProblem] = []
    expected_id = 1
    prev_hash = GENESIS
    for row in connection.execute(
        f"SELECT {_COLUMNS}, prev_hash, hash FROM journal ORDER BY id"
    ):
        fields = tuple(row[:12])
        entry_id = int(row[0])
        stored_prev, stored_hash = bytes(row[12]), bytes(row[13])
        if entry_id != expected_id:
            problems.append(
                ChainProblem(
                    expected_id, f"rows {expected_id}-{entry_id - 1} are missing"
                )
            )
        if stored_prev != prev_hash:
            problems.append(ChainProblem(entry_id, "does not follow the previous row"))
        if _digest(stored_prev, fields) != stored_hash:
            problems.append(ChainProblem(entry_id, "was edited after it was written"))
        prev_hash = stored_hash
        expected_id = entry_id + 1
    head_id, head_hash = _head(connection)
    if head_id != expected_id - 1 or head_hash != prev_hash:
        problems.append(
            ChainProblem(
                head_id or None, "the last rows were removed or the head was changed"
            )
        )
    return problems
