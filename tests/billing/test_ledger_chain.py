"""Journal chain verification, schema versioning and ledger settings."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
import sqlite3

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.ledger import Ledger
from custom_components.yunjing.billing.schema import SCHEMA_VERSION

from .ledger_helpers import START, FakeClock, Meter, opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def _populate(path: Path, clock: FakeClock) -> None:
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", START, 0)
        for number in range(5):
            ledger.recharge("t1", "10.00", f"R-{number}")
        meter = Meter(ledger, "101", START)
        for _ in range(3):
            clock.set(meter.at + timedelta(hours=1))
            meter.consume(1000)
        ledger.flush_pending()
        assert ledger.verify_chain() == []


def _tamper(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("DROP TRIGGER journal_no_update")
        connection.execute("DROP TRIGGER journal_no_delete")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("statements", "entry", "problem"),
    [
        (["UPDATE journal SET amount_minor = 100000 WHERE id = 3"], 3, "edited"),
        (["DELETE FROM journal WHERE id = 4"], 4, "missing"),
        (
            ["DELETE FROM journal WHERE id = (SELECT MAX(id) FROM journal)"],
            None,
            "removed",
        ),
        (["UPDATE journal SET account_key = 1 WHERE id = 2"], 2, "edited"),
    ],
)
def test_verify_finds_edited_and_removed_rows(
    tmp_path: Path,
    clock: FakeClock,
    statements: list[str],
    entry: int | None,
    problem: str,
) -> None:
    path = tmp_path / "l.db"
    _populate(path, clock)
    _tamper(path, *statements)
    with opened(path, clock, with_tariff=False) as ledger:
        problems = ledger.verify_chain()
    assert problems
    assert any(
        problem in p.problem and (entry is None or p.entry_id == entry)
        for p in problems
    )


def test_journal_rows_cannot_be_updated_or_deleted(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "l.db"
    _populate(path, clock)
    connection = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="never updated"):
            connection.execute("UPDATE journal SET amount_minor = 1")
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            connection.execute("DELETE FROM journal")
    finally:
        connection.close()


def test_edited_cached_balance_is_reported(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "l.db"
    _populate(path, clock)
    _tamper(
        path,
        "UPDATE account SET balance_minor = balance_minor + 100 WHERE account_id = 't1'",
    )
    with opened(path, clock, with_tariff=False) as ledger:
        assert [p.problem for p in ledger.verify_chain()] == [
            "balance of t1 does not match its journal"
        ]


def test_reopen_keeps_everything(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "l.db"
    _populate(path, clock)
    with opened(path, clock, with_tariff=False) as ledger:
        assert ledger.balance("t1") == Decimal("49.40")
        assert ledger.verify_chain() == []


def test_schema_is_versioned(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock):
        pass
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
    finally:
        connection.close()
    with pytest.raises(BillingError) as err:
        Ledger.open(path, currency="CNY", time_zone="UTC", billing_day=1, clock=clock)
    assert err.value.code == "schema_too_new"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"currency": "EUR"}, "ledger_settings_mismatch"),
        ({"billing_day": 5}, "ledger_settings_mismatch"),
        ({"time_zone": "Asia/Shanghai"}, "ledger_settings_mismatch"),
        ({"time_zone": "Mars/Olympus"}, "time_zone_unknown"),
        ({"currency": "XXX"}, "unknown_currency"),
        ({"billing_day": 32}, "billing_day_invalid"),
    ],
)
def test_settings_are_fixed_at_creation(
    tmp_path: Path, clock: FakeClock, options: dict[str, object], code: str
) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock):
        pass
    settings: dict[str, object] = {
        "currency": "CNY",
        "time_zone": "UTC",
        "billing_day": 1,
    }
    with pytest.raises(BillingError) as err:
        Ledger.open(path, clock=clock, **{**settings, **options})  # type: ignore[arg-type]
    assert err.value.code == code


def test_unreadable_file_is_a_billing_error(tmp_path: Path, clock: FakeClock) -> None:
    not_a_database = tmp_path / "junk.db"
    not_a_database.write_bytes(b"this is not an SQLite file, " * 100)
    for path in (not_a_database, tmp_path / "missing" / "dir" / "l.db"):
        with pytest.raises(BillingError) as err:
            Ledger.open(
                path, currency="CNY", time_zone="UTC", billing_day=1, clock=clock
            )
        assert err.value.code == "ledger_unavailable"
        assert str(path) in str(err.value)
