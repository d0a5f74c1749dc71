"""Period close, bills, fees, move in / move out and meter replacement."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
import json
from pathlib import Path

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.tariff import flat_tariff

from .ledger_helpers import START, FakeClock, Meter, delta, opened, table_snapshot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_bill_reports_and_never_deducts_again(tmp_path: Path, clock: FakeClock) -> None:
    """Deductions reaching 10.00 on a 10.00 balance leave 0.00 after the bill."""
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", START, 0)
        ledger.recharge("t1", "10.00", "R-1")
        meter = Meter(ledger, "101", START)
        for _ in range(50):  # 50 x 1 kWh x 0.20 = 10.00
            clock.set(meter.at + timedelta(hours=7))
            meter.consume(1000, seconds=7 * 3600)
        assert ledger.balance("t1") == Decimal("0.00")
        april = clock.set(datetime(2024, 4, 1, 1, tzinfo=UTC))
        bills = {bill.account_id: bill for bill in ledger.close_due_periods(april)}
        bill = bills["t1"]
        assert ledger.balance("t1") == Decimal("0.00")
        assert (
            bill.opening_balance,
            bill.recharges,
            bill.energy_charged,
            bill.closing_balance,
        ) == (
            Decimal("0.00"),
            Decimal("10.00"),
            Decimal("10.00"),
            Decimal("0.00"),
        )
        assert bill.rooms[0].opening_reading_kwh == Decimal("0.000")
        assert bill.rooms[0].closing_reading_kwh == Decimal("50.000")
        assert bill.closed
        assert [e.reference for e in bill.recharge_entries] == ["R-1"]
        json.dumps(bill.as_dict())
        assert ledger.close_due_periods(april) == []
        assert ledger.balance("t1") == Decimal("0.00")


def test_missed_boundaries_are_all_closed(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock, billing_day=31) as ledger:
        ledger.open_account("t1", "Tenant")
        clock.set(datetime(2024, 6, 15, tzinfo=UTC))
        bills = ledger.close_due_periods(clock.now())
        starts = sorted({(b.period_start, b.period_end) for b in bills})
        assert starts == [
            (date(2024, 2, 29), date(2024, 3, 31)),
            (date(2024, 3, 31), date(2024, 4, 30)),
            (date(2024, 4, 30), date(2024, 5, 31)),
        ]
        assert ledger.bill("t1").period_start == date(2024, 5, 31)


def test_monthly_fee_prorated_by_occupancy(tmp_path: Path, clock: FakeClock) -> None:
    tariff = flat_tariff("0.20", monthly_fee="31.00")
    with opened(tmp_path / "l.db", clock, tariff=tariff) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.open_account("t2", "Tenant")
        ledger.add_room("101", "Room")
        ledger.add_room("102", "Room")
        ledger.move_in("101", "t1", START, 0)
        ledger.move_in(
            "102", "t2", clock.set(START + timedelta(days=21)), 0
        )  # 10 of 31 days
        clock.set(datetime(2024, 4, 1, tzinfo=UTC))
        ledger.close_due_periods(clock.now())
        assert ledger.balance("t1") == Decimal("-31.00")
        assert ledger.balance("t2") == Decimal("-10.00")
        # A room held but unused is on the bill, with its share of the fee.
        (room,) = ledger.bill("t2", date(2024, 3, 1)).rooms
        assert (room.room_id, room.kwh, room.fees) == ("102", Decimal(0), Decimal(10))
        assert ledger.bill("t2", date(2024, 3, 1)).fees == Decimal("10.00")


def test_move_out_settles_and_closes(tmp_path: Path, clock: FakeClock) -> None:
    tariff = flat_tariff("0.20", monthly_fee="31.00")
    with opened(tmp_path / "l.db", clock, tariff=tariff) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", START, 1000)
        ledger.recharge("t1", "100.00", "R-1")
        meter = Meter(ledger, "101", START, 1000)
        clock.set(START + timedelta(days=3))
        meter.consume(20_000, seconds=3 * 86400)  # 4.00
        out = clock.set(START + timedelta(days=10))
        settlement = ledger.move_out(
            "t1", out, "admin", final_readings_wh={"101": 26_000}
        )
        assert settlement.final_energy_charge == Decimal("1.00")  # 5 kWh x 0.20
        assert settlement.fees == Decimal("10.00")  # 10 of 31 days
        assert settlement.refunded == Decimal("85.00")
        assert settlement.balance == Decimal("0.00")
        assert ledger.balance("t1") == Decimal("0.00")
        with pytest.raises(BillingError) as err:
            ledger.recharge("t1", "5", "R-2")
        assert err.value.code == "account_closed"
        # the room is vacant again: its energy goes to the landlord
        later = clock.set(out + timedelta(hours=1))
        ledger.record_consumption([delta("101", out, later, 26_000, 31_000)], later)
        assert ledger.balance("landlord") == Decimal("-1.00")
        assert ledger.verify_chain() == []


def test_credit_from_a_correction_after_move_out_can_be_refunded(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", START, 0)
        ledger.recharge("t1", "10.00", "R-1")
        Meter(ledger, "101", START).consume(10_000, seconds=3600)  # 2.00
        ledger.move_out("t1", clock.set(START + timedelta(days=1)))
        (deduction,) = [
            e for e in ledger.journal_entries("t1") if e.kind == "deduction"
        ]
        ledger.correct(deduction.entry_id, "meter was wrong", "admin")
        assert ledger.balance("t1") == Decimal("2.00")
        with pytest.raises(BillingError) as err:
            ledger.refund("t1", "2.01", "F-1")
        assert err.value.code == "refund_above_balance"
        assert ledger.refund("t1", "2.00", "F-1").balance == Decimal("0.00")
        assert ledger.verify_chain() == []


def test_move_out_with_arrears(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", START, 0)
        out = clock.set(START + timedelta(days=1))
        settlement = ledger.move_out("t1", out, final_readings_wh={"101": 10_000})
        assert (settlement.refunded, settlement.arrears) == (
            Decimal("0.00"),
            Decimal("2.00"),
        )
        with pytest.raises(BillingError):
            ledger.recharge("t1", "2.01", "R-1")
        assert ledger.recharge("t1", "2.00", "R-1").balance == Decimal("0.00")


def test_move_in_rules(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.open_account("t2", "Tenant")
        ledger.add_room("101", "Room")
        ledger.record_consumption([delta("101", START, START, 5000, 5000)], START)
        before = table_snapshot(path)
        cases: list[tuple[Callable[[], None], str]] = [
            (
                lambda: ledger.move_in("101", "t1", START, 4000),
                "reading_lower_than_last",
            ),
            (lambda: ledger.move_in("999", "t1", START, 6000), "unknown_room"),
            (lambda: ledger.move_in("101", "nobody", START, 6000), "unknown_account"),
            (
                lambda: ledger.move_in("101", "landlord", START, 6000),
                "account_not_tenant",
            ),
            (
                lambda: ledger.move_in("101", "t1", START + timedelta(days=1), 6000),
                "time_in_future",
            ),
            (lambda: ledger.move_in("101", "t1", START, -1), "reading_invalid"),
        ]
        for call, code in cases:
            with pytest.raises(BillingError) as err:
                call()
            assert err.value.code == code
        assert table_snapshot(path) == before
        clock.set(START + timedelta(hours=1))
        ledger.move_in("101", "t1", clock.now(), 6000)  # 1 kWh while vacant
        assert ledger.balance("landlord") == Decimal("-0.20")
        with pytest.raises(BillingError) as err:
            ledger.move_in("101", "t2", clock.now(), 6000)
        assert err.value.code == "room_occupied"


def test_meter_replacement(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", START, 50_000)
        swap = clock.set(START + timedelta(hours=5))
        ledger.replace_meter(
            "101", swap, old_final_wh=55_000, new_start_wh=10, user="admin"
        )
        end = clock.set(swap + timedelta(hours=1))
        result = ledger.record_consumption([delta("101", swap, end, 10, 1010)], end)
        assert result.applied == ("101",)
        assert ledger.balance("t1") == Decimal("-1.20")
        with pytest.raises(BillingError) as err:
            ledger.replace_meter("101", end, old_final_wh=5, new_start_wh=0)
        assert err.value.code == "reading_lower_than_last"


def test_move_out_charges_the_fee_of_a_room_ended_earlier_in_the_period(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A room taken out of service on day 10, the tenant leaves on day 20: both fees count."""
    tariff = flat_tariff("0.20", monthly_fee="31.00")
    with opened(tmp_path / "l.db", clock, tariff=tariff) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.add_room("102", "Room")
        ledger.move_in("101", "t1", START, 0)
        ledger.move_in("102", "t1", START, 0)
        ledger.recharge("t1", "100.00", "R-1")
        ledger.end_occupancy("101", clock.set(START + timedelta(days=10)), None)
        settlement = ledger.move_out("t1", clock.set(START + timedelta(days=20)))
        # 101: 10 of 31 days, 102: 20 of 31 days, at 31.00 a month.
        assert settlement.fees == Decimal("30.00")
        assert settlement.refunded == Decimal("70.00")
        clock.set(datetime(2024, 4, 1, tzinfo=UTC))
        ledger.close_due_periods(clock.now())
        assert ledger.balance("t1") == Decimal("0.00")
        assert ledger.verify_chain() == []


def test_end_occupancy_charges_to_the_reading_and_stops_the_fee(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A removed room: the tenant pays its energy up to the reading and 10 of 31 days' fee."""
    tariff = flat_tariff("0.20", monthly_fee="31.00")
    with opened(tmp_path / "l.db", clock, tariff=tariff) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.add_room("102", "Room")
        ledger.move_in("101", "t1", START, 1000)
        ledger.move_in("102", "t1", START, 0)
        assert ledger.occupancy() == {"101": "t1", "102": "t1"}
        assert ledger.open_accounts() == {"t1": "Tenant"}
        ended = clock.set(START + timedelta(days=10))
        # 101 read 6 kWh more: 1.20; 102 ends at its last recorded reading: 0.00
        assert ledger.end_occupancy("101", ended, 7000, "admin") == "t1"
        assert ledger.end_occupancy("102", ended, None) == "t1"
        assert ledger.balance("t1") == Decimal("-1.20")
        assert ledger.occupancy() == {}
        with pytest.raises(BillingError) as err:
            ledger.end_occupancy("101", ended, None)
        assert err.value.code == "room_not_held"
        # Later energy of 101 is the landlord's; the account stays open.
        later = clock.set(ended + timedelta(hours=1))
        ledger.record_consumption([delta("101", ended, later, 7000, 8000)], later)
        assert ledger.balance("landlord") == Decimal("-0.20")
        clock.set(datetime(2024, 4, 1, tzinfo=UTC))
        ledger.close_due_periods(clock.now())
        # Fee: 2 rooms x 10 of 31 days x 31.00 = 20.00, not 62.00.
        assert ledger.balance("t1") == Decimal("-21.20")
        assert ledger.verify_chain() == []
        ledger.move_out("t1", clock.now())
        assert ledger.open_accounts() == {}
