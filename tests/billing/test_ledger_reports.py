"""Queries: usage, recharges, inventory, income and expenditure, comparison, trends."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
import json
from pathlib import Path

import pytest

from custom_components.yunjing.billing.ledger import Ledger

from .ledger_helpers import START, FakeClock, Meter, delta, opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def _month(ledger: Ledger, clock: FakeClock) -> None:
    """March: t1 in 101 uses 3 + 2 kWh on two days; t2 in 102 uses 10 kWh; 103 vacant 1 kWh."""
    for account, room in (("t1", "101"), ("t2", "102")):
        ledger.open_account(account, f"Tenant {account}")
        ledger.add_room(room, f"Room {room}")
        ledger.move_in(room, account, START, 0)
    ledger.add_room("103", "Stairs")
    ledger.recharge("t1", "50.00", "R-1", "admin")
    clock.set(START + timedelta(days=1, hours=1))
    ledger.recharge("t2", "20.00", "R-2", "admin")
    day1, day2 = START + timedelta(hours=10), START + timedelta(days=1, hours=10)
    clock.set(day2)
    ledger.record_consumption(
        [
            delta("101", START, day1, 0, 3000),
            delta("101", day1, day2, 3000, 3000),
            delta("102", START, day2, 0, 10_000),
            delta("103", START, day2, 0, 1000),
        ],
        day2,
    )
    end = clock.set(day2 + timedelta(hours=1))
    ledger.record_consumption([delta("101", day2, end, 3000, 5000)], end)


def test_usage_total_rooms_and_daily(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        usage = ledger.usage(clock.now(), "t1")
        assert (usage.kwh, usage.amount) == (Decimal("5.000"), Decimal("1.00"))
        assert [(d.day, d.kwh) for d in usage.daily] == [
            (date(2024, 3, 1), Decimal("3.000")),
            (date(2024, 3, 2), Decimal("2.000")),
        ]
        everyone = ledger.usage(clock.now())
        assert everyone.kwh == Decimal("16.000")
        assert [(r.room_id, r.kwh, r.amount) for r in everyone.rooms] == [
            ("101", Decimal("5.000"), Decimal("1.00")),
            ("102", Decimal("10.000"), Decimal("2.00")),
            ("103", Decimal("1.000"), Decimal("0.20")),
        ]
        assert json.loads(json.dumps(usage.as_dict()))["daily"][0] == {
            "day": "2024-03-01",
            "kwh": "3.000",
        }


def test_recharges_and_payment_trends(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        records = ledger.recharges(START, START + timedelta(days=1))
        assert [(r.account_id, r.amount, r.reference, r.user) for r in records] == [
            ("t1", Decimal("50.00"), "R-1", "admin")
        ]
        assert len(ledger.recharges(START, START + timedelta(days=31))) == 2
        clock.set(datetime(2024, 4, 3, tzinfo=UTC))
        ledger.recharge("t1", "5.00", "R-3")
        trends = ledger.payment_trends(clock.now(), periods=3)
        assert [(t.period_start, t.count, t.amount) for t in trends] == [
            (date(2024, 2, 1), 0, Decimal("0.00")),
            (date(2024, 3, 1), 2, Decimal("70.00")),
            (date(2024, 4, 1), 1, Decimal("5.00")),
        ]


def test_inventory_and_income_expenditure(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        ledger.open_account("t3", "Tenant t3")
        ledger.refund("t1", "9.00")
        clock.set(datetime(2024, 4, 2, tzinfo=UTC))
        ledger.close_due_periods(clock.now())
        inventory = ledger.inventory(datetime(2024, 3, 31, 23, tzinfo=UTC))
        assert [(a.account_id, a.balance) for a in inventory.accounts] == [
            ("landlord", Decimal("-0.20")),
            ("t1", Decimal("40.00")),
            ("t2", Decimal("18.00")),
            ("t3", Decimal("0.00")),
        ]
        assert (inventory.prepaid_held, inventory.arrears) == (
            Decimal("58.00"),
            Decimal("0.00"),
        )
        report = ledger.income_expenditure(date(2024, 3, 1))
        assert (
            report.recharges,
            report.refunds,
            report.energy_charged,
            report.landlord_energy,
        ) == (
            Decimal("70.00"),
            Decimal("9.00"),
            Decimal("3.00"),
            Decimal("0.20"),
        )
        assert report.prepaid_held == Decimal("58.00")
        json.dumps(report.as_dict())


def test_energy_comparison(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        april = clock.set(datetime(2024, 4, 2, tzinfo=UTC))
        last = datetime(2024, 3, 2, 11, tzinfo=UTC)
        ledger.record_consumption(
            [
                delta("101", last, april, 5000, 15_000),
                delta("102", last, april, 10_000, 15_000),
            ],
            april,
        )
        comparison = ledger.energy_comparison(datetime(2024, 4, 15, tzinfo=UTC))
        assert comparison.period_start == date(2024, 4, 1)
        # 10 kWh are split by time: 709 of the 733 hours are in March, which
        # gets floor(10000 x 709 / 733) = 9672 Wh; April the remaining 328 Wh.
        rooms = {r.room_id: r for r in comparison.rooms}
        assert rooms["101"].kwh == Decimal("0.328")
        assert rooms["101"].previous_kwh == Decimal("14.672")
        assert rooms["103"].change_percent == Decimal("-100.0")
        assert comparison.rooms[0].room_id == "101"


def test_bill_balances_add_up(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        clock.set(datetime(2024, 4, 2, tzinfo=UTC))
        bills = {b.account_id: b for b in ledger.close_due_periods(clock.now())}
        for bill in bills.values():
            assert bill.closing_balance == (
                bill.opening_balance
                + bill.recharges
                - bill.refunds
                - bill.energy_charged
                - bill.fees
                + bill.corrections
            )
        assert bills["t1"].closing_balance == Decimal("49.00")
        assert bills["t1"].rooms[0].lines[0].kwh == Decimal("5.000")


def test_operations_query(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        actions = [
            o.action
            for o in ledger.operations(
                START - timedelta(days=1), clock.now() + timedelta(days=1)
            )
        ]
        assert actions[:4] == ["set_tariff", "open_account", "add_room", "move_in"]
        assert actions.count("recharge") == 2


def test_poll_cycle_helpers(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        rooms, accounts = ledger.known_ids()
        assert rooms == {"101", "102", "103"}
        assert accounts == {"t1", "t2"}
        assert ledger.room_reading("101") == (
            5000,
            datetime(2024, 3, 2, 11, tzinfo=UTC),
        )
        clock.set(datetime(2024, 3, 3, 12, tzinfo=UTC))
        figures = ledger.figures(clock.now(), days=2)
        t1 = figures.accounts["t1"]
        assert (t1.balance, t1.kwh, t1.amount) == (
            Decimal("49.00"),
            Decimal("5.000"),
            Decimal("1.00"),
        )
        assert t1.daily_costs == (
            Decimal("0.6"),
            Decimal("0.4"),
        )  # exact, 1 and 2 March
        # The account opened at midnight on 1 March: a week's figures hold only
        # its 2 days, not five empty days besides.
        assert ledger.figures(clock.now(), days=7).accounts["t1"].daily_costs == (
            Decimal("0.6"),
            Decimal("0.4"),
        )
        assert figures.rooms["102"].amount == Decimal("2.00")


def test_daily_costs_leave_out_the_partial_first_day(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        late = clock.set(START + timedelta(hours=23))
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", late, 0)
        meter = Meter(ledger, "101", late)
        meter.consume(1000, seconds=3600)  # 1 kWh in the first hour
        meter.consume(24_000, seconds=86400)  # 24 kWh the next day
        clock.set(START + timedelta(days=2, hours=1))
        costs = ledger.figures(clock.now(), days=7).accounts["t1"].daily_costs
        assert costs == (Decimal("4.8"),)  # 2 March only, 24 kWh at 0.20


def test_correction_limited_to_the_tenant(tmp_path: Path, clock: FakeClock) -> None:
    from custom_components.yunjing.billing.errors import BillingError

    with opened(tmp_path / "l.db", clock) as ledger:
        _month(ledger, clock)
        r1 = ledger.recharges(START, START + timedelta(days=1))[0]
        with pytest.raises(BillingError) as err:
            ledger.correct(r1.entry_id, "wrong tenant", "admin", account_id="t2")
        assert err.value.code == "unknown_entry"
        result = ledger.correct(
            r1.entry_id, "bank reversed it", "admin", account_id="t1"
        )
        assert result.balance == Decimal("-1.00")
