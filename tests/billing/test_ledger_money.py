"""Recharges, refunds, corrections and balances."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
import threading

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.ledger import Ledger

from .ledger_helpers import START, FakeClock, Meter, opened, table_snapshot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_recharge_and_refund(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        result = ledger.recharge("t1", "100.00", "R-1", "admin")
        assert result.applied
        assert result.balance == Decimal("100.00")
        refund = ledger.refund("t1", "30.50", user="admin")
        assert refund.balance == Decimal("69.50")
        assert ledger.balance("t1") == Decimal("69.50")
        kinds = [(e.kind, e.amount) for e in ledger.journal_entries("t1")]
        assert kinds == [("recharge", Decimal("100.00")), ("refund", Decimal("-30.50"))]


def test_repeated_reference_is_already_applied(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        first = ledger.recharge("t1", "50", "R-1")
        again = ledger.recharge("t1", "50.00", "R-1")
        assert not again.applied
        assert again.entry_id == first.entry_id
        assert again.balance == Decimal("50.00")
        with pytest.raises(BillingError) as err:
            ledger.recharge("t1", "60", "R-1")
        assert err.value.code == "reference_amount_mismatch"
        ledger.open_account("t2", "Tenant Two")
        with pytest.raises(BillingError) as err:
            ledger.recharge("t2", "50", "R-1")
        assert err.value.code == "reference_account_mismatch"
        assert ledger.balance("t1") == Decimal("50.00")
        assert ledger.balance("t2") == Decimal("0.00")


def test_ten_deductions_of_0_10_leave_0_00(tmp_path: Path, clock: FakeClock) -> None:
    # 0.5 kWh at 0.20 = 0.10 each, each in its own hour.
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        ledger.add_room("101", "Room 101")
        ledger.move_in("101", "t1", START, 0)
        ledger.recharge("t1", "1.00", "R-1")
        meter = Meter(ledger, "101", START)
        for _ in range(10):
            clock.set(meter.at + timedelta(hours=1))
            meter.consume(500)
        assert ledger.balance("t1") == Decimal("0.00")
        assert str(ledger.balance("t1")) == "0.00"


def test_concurrent_duplicate_recharge_and_deduction(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Balance 160.00, R-1 of 50.00 twice at once with a 0.35 deduction -> 209.65."""
    path = tmp_path / "l.db"
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        ledger.add_room("101", "Room 101")
        ledger.move_in("101", "t1", START, 0)
        ledger.recharge("t1", "160.00", "R-0")
        meter = Meter(ledger, "101", START)
        clock.set(START + timedelta(hours=2))
        second = Ledger.open(
            path, currency="CNY", time_zone="UTC", billing_day=1, clock=clock
        )
        try:
            barrier = threading.Barrier(3)
            errors: list[BaseException] = []

            def run(action: object) -> None:
                try:
                    barrier.wait()
                    action()  # type: ignore[operator]
                except BaseException as err:
                    errors.append(err)

            threads = [
                threading.Thread(
                    target=run, args=(lambda: ledger.recharge("t1", "50.00", "R-1"),)
                ),
                threading.Thread(
                    target=run, args=(lambda: second.recharge("t1", "50.00", "R-1"),)
                ),
                threading.Thread(
                    target=run, args=(lambda: meter.consume(1750),)
                ),  # 1.75 kWh x 0.20
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            assert ledger.balance("t1") == Decimal("209.65")
            assert second.balance("t1") == Decimal("209.65")
            r1 = [e for e in ledger.journal_entries("t1") if e.reference == "R-1"]
            assert len(r1) == 1
            assert ledger.verify_chain() == []
        finally:
            second.close()


def test_refund_above_balance_writes_nothing(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        ledger.recharge("t1", "10.00", "R-1")
        before = table_snapshot(path)
        with pytest.raises(BillingError) as err:
            ledger.refund("t1", "10.01")
        assert err.value.code == "refund_above_balance"
        assert "10.01" in str(err.value)
        assert table_snapshot(path) == before


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-5", "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("NaN", "amount_not_finite"),
        ("inf", "amount_not_finite"),
        ("1e15", "amount_too_large"),
        ("10000.01", "amount_above_maximum"),
        ("1.234", "amount_too_precise"),
        (12.5, "amount_invalid"),
    ],
)
def test_bad_recharge_writes_nothing(
    tmp_path: Path, clock: FakeClock, amount: object, code: str
) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        before = table_snapshot(path)
        with pytest.raises(BillingError) as err:
            ledger.recharge("t1", amount, "R-9")  # type: ignore[arg-type]
        assert err.value.code == code
        assert table_snapshot(path) == before


def test_unknown_account_and_bad_reference(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock) as ledger:
        before = table_snapshot(path)
        with pytest.raises(BillingError) as err:
            ledger.recharge("nobody", "5", "R-1")
        assert err.value.code == "unknown_account"
        assert err.value.placeholders == {"account": "nobody"}
        ledger.open_account("t1", "Tenant One")
        with pytest.raises(BillingError) as err:
            ledger.recharge("t1", "5", "")
        assert err.value.code == "reference_invalid"
        with pytest.raises(BillingError) as err:
            ledger.open_account("t1", "Again")
        assert err.value.code == "account_exists"
        assert table_snapshot(path)["journal"] == before["journal"]


def test_correction_reverses_and_names_the_row(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant One")
        wrong = ledger.recharge("t1", "100.00", "R-1")
        fixed = ledger.correct(wrong.entry_id, "typed 100 instead of 10", "admin")
        assert fixed.amount == Decimal("-100.00")
        assert fixed.balance == Decimal("0.00")
        row = ledger.journal_entries("t1")[-1]
        assert (row.kind, row.corrects, row.note) == (
            "correction",
            wrong.entry_id,
            "typed 100 instead of 10",
        )
        with pytest.raises(BillingError) as err:
            ledger.correct(wrong.entry_id, "again", "admin")
        assert err.value.code == "already_corrected"
        with pytest.raises(BillingError) as err:
            ledger.correct(fixed.entry_id, "undo", "admin")
        assert err.value.code == "cannot_correct_correction"
        with pytest.raises(BillingError) as err:
            ledger.correct(999, "nothing", "admin")
        assert err.value.code == "unknown_entry"


def test_operation_log_records_who_and_balances(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant One", user="admin-1")
        ledger.recharge("t1", "20.00", "R-1", user="admin-1")
        ledger.refund("t1", "5.00", user="admin-2")
        log = ledger.operations(START, START + timedelta(days=1), account_id="t1")
        assert [(o.action, o.user, o.balance_before, o.balance_after) for o in log] == [
            ("open_account", "admin-1", Decimal("0.00"), Decimal("0.00")),
            ("recharge", "admin-1", Decimal("0.00"), Decimal("20.00")),
            ("refund", "admin-2", Decimal("20.00"), Decimal("15.00")),
        ]
        assert log[1].parameters == {
            "account_id": "t1",
            "amount": "20.00",
            "reference": "R-1",
        }
        assert log[1].as_dict()["balance_after"] == "20.00"
