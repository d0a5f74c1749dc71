"""Bad input: a clear error naming what is wrong, and nothing written."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.ledger import Ledger
from custom_components.yunjing.billing.tariff import flat_tariff

from .ledger_helpers import START, FakeClock, opened, table_snapshot

CASES: list[tuple[str, Callable[[Ledger], object], str]] = [
    (
        "move-in before 2000",
        lambda ledger: ledger.move_in("101", "t1", datetime(1990, 1, 1, tzinfo=UTC), 0),
        "time_out_of_range",
    ),
    (
        "naive move-in time",
        lambda ledger: ledger.move_in("101", "t1", datetime(2024, 3, 1), 0),
        "time_not_aware",
    ),
    (
        "tariff from 1999",
        lambda ledger: ledger.set_tariff(flat_tariff("0.3"), date(1999, 1, 1), None),
        "time_out_of_range",
    ),
    (
        "tariff date is a datetime",
        lambda ledger: ledger.set_tariff(flat_tariff("0.3"), START, None),
        "date_invalid",
    ),
    (
        "fee finer than fen",
        lambda ledger: ledger.set_tariff(
            flat_tariff("0.3", monthly_fee="1.001"), date(2024, 4, 1), None
        ),
        "tariff_invalid",
    ),
    (
        "not a tariff",
        lambda ledger: ledger.set_tariff(
            {"kind": "flat"},  # type: ignore[arg-type]
            date(2024, 4, 1),
            None,
        ),
        "tariff_invalid",
    ),
    (
        "refund of unknown account",
        lambda ledger: ledger.refund("ghost", "1"),
        "unknown_account",
    ),
    (
        "refund of a negative amount",
        lambda ledger: ledger.refund("t1", "-1"),
        "amount_not_positive",
    ),
    ("empty room id", lambda ledger: ledger.add_room("", "Room"), "room_id_invalid"),
    ("existing room", lambda ledger: ledger.add_room("101", "Room"), "room_exists"),
    (
        "second landlord",
        lambda ledger: ledger.open_account("boss", "Boss", kind="landlord"),
        "landlord_exists",
    ),
    (
        "odd account kind",
        lambda ledger: ledger.open_account("x", "X", kind="friend"),
        "account_kind_invalid",
    ),
    (
        "move out of unknown account",
        lambda ledger: ledger.move_out("ghost", START),
        "unknown_account",
    ),
    (
        "move out of a room not held",
        lambda ledger: ledger.move_out("t1", START, final_readings_wh={"102": 5}),
        "room_not_held",
    ),
    (
        "final reading below the last",
        lambda ledger: ledger.move_out("t1", START, final_readings_wh={"101": 5}),
        "reading_lower_than_last",
    ),
    (
        "meter replaced in an unknown room",
        lambda ledger: ledger.replace_meter("999", START, 1, 0),
        "unknown_room",
    ),
    (
        "correction without reason",
        lambda ledger: ledger.correct(1, "", None),
        "reason_invalid",
    ),
    (
        "a float reading",
        lambda ledger: ledger.move_in(
            "102",
            "t1",
            START,
            1.5,  # type: ignore[arg-type]
        ),
        "reading_invalid",
    ),
    (
        "recharge above the maximum",
        lambda ledger: ledger.recharge("t1", "10000.01", "R-9"),
        "amount_above_maximum",
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "code"), CASES, ids=[case[0] for case in CASES]
)
def test_bad_input_is_refused_and_writes_nothing(
    tmp_path: Path, name: str, call: Callable[[Ledger], object], code: str
) -> None:
    path = tmp_path / "l.db"
    clock = FakeClock(START)
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.add_room("102", "Room")
        ledger.move_in("101", "t1", START, 1000)
        ledger.recharge("t1", "10.00", "R-1")
        before = table_snapshot(path)
        with pytest.raises(BillingError) as err:
            call(ledger)
        assert err.value.code == code, name
        assert str(err.value)
        assert all(isinstance(value, str) for value in err.value.placeholders.values())
        assert table_snapshot(path) == before
        assert ledger.balance("t1") == Decimal("10.00")


def test_clock_may_not_run_ahead_of_deltas(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.add_room("101", "Room")
        with pytest.raises(BillingError) as err:
            ledger.close_due_periods(START - timedelta(days=365 * 30))
        assert err.value.code == "time_out_of_range"
