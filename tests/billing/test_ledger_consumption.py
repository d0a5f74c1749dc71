"""Pricing and charging of consumption deltas."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.tariff import flat_tariff, tariff_from_dict

from .ledger_helpers import START, FakeClock, Meter, delta, opened, table_snapshot

TIERED = tariff_from_dict(
    {
        "kind": "tiered",
        "tiers": [
            {"up_to_kwh": "100", "price": "0.50"},
            {"up_to_kwh": None, "price": "0.80"},
        ],
    }
)
OFF_PEAK = tariff_from_dict(
    {
        "kind": "tou",
        "rates": {"peak": "0.60", "valley": "0.30"},
        "workday": {
            "default": "peak",
            "windows": [{"start": "22:00", "end": "06:00", "rate": "valley"}],
        },
    }
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def _tenant(ledger: object, room: str = "101", account: str = "t1") -> None:
    ledger.open_account(account, f"Tenant {account}")  # type: ignore[attr-defined]
    ledger.add_room(room, f"Room {room}")  # type: ignore[attr-defined]
    ledger.move_in(room, account, START, 0)  # type: ignore[attr-defined]


def test_302_kwh_at_0_20_costs_60_40(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _tenant(ledger)
        end = clock.set(START + timedelta(days=10))
        result = ledger.record_consumption([delta("101", START, end, 0, 302_000)], end)
        assert result.applied == ("101",)
        assert result.balances == {"t1": Decimal("-60.40")}
        assert ledger.balance("t1") == Decimal("-60.40")


def test_tiers_120_kwh_and_99_to_102(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock, tariff=TIERED) as ledger:
        _tenant(ledger, "101", "t1")
        _tenant(ledger, "102", "t2")
        end = clock.set(START + timedelta(days=20))
        ledger.record_consumption([delta("101", START, end, 0, 120_000)], end)
        assert ledger.balance("t1") == Decimal("-66.00")
        ledger.record_consumption([delta("102", START, end, 0, 99_000)], end)
        assert ledger.balance("t2") == Decimal("-49.50")
        later = clock.set(end + timedelta(hours=1))
        ledger.record_consumption([delta("102", end, later, 99_000, 102_000)], later)
        assert ledger.balance("t2") == Decimal("-51.60")  # the poll cost 2.10


def test_tier_counter_restarts_each_period(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock, tariff=TIERED) as ledger:
        _tenant(ledger)
        march_end = datetime(2024, 3, 31, 23, tzinfo=UTC)
        clock.set(march_end)
        ledger.record_consumption(
            [delta("101", START, march_end, 0, 100_000)], march_end
        )
        april = clock.set(datetime(2024, 4, 2, tzinfo=UTC))
        ledger.record_consumption(
            [delta("101", march_end, april, 100_000, 110_000)], april
        )
        # Split by time: 1 hour of the 25 falls in March, in the upper tier:
        # 400 Wh x 0.80 = 0.32; 9600 Wh in April restart at 0.50 = 4.80.
        assert ledger.balance("t1") == Decimal("-55.12")
        (march_bill,) = ledger.close_due_periods(april)[1:]
        assert march_bill.rooms[0].kwh == Decimal("100.400")
        assert march_bill.rooms[0].energy_amount == Decimal("50.32")
        april_room = ledger.bill("t1").rooms[0]
        assert (april_room.kwh, april_room.energy_amount) == (
            Decimal("9.600"),
            Decimal("4.80"),
        )
        assert april_room.opening_reading_kwh == Decimal("100.400")


def test_delta_reaching_into_a_closed_period_counts_in_the_open_one(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock, tariff=TIERED) as ledger:
        _tenant(ledger)
        march_end = datetime(2024, 3, 31, 23, tzinfo=UTC)
        clock.set(march_end)
        ledger.record_consumption(
            [delta("101", START, march_end, 0, 100_000)], march_end
        )
        april = clock.set(datetime(2024, 4, 2, tzinfo=UTC))
        ledger.close_due_periods(april)  # closed on start, before the first poll
        ledger.record_consumption(
            [delta("101", march_end, april, 100_000, 110_000)], april
        )
        # All 10 kWh are priced in April's first tier: 50.00 + 5.00.
        assert ledger.balance("t1") == Decimal("-55.00")
        assert ledger.bill("t1", date(2024, 3, 1)).rooms[0].kwh == Decimal("100.000")


def test_late_energy_of_a_closed_period_keeps_the_price_of_its_time(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Meter offline 30 Mar - 2 Apr across a price change on 1 Apr, March closed meanwhile."""
    with opened(tmp_path / "l.db", clock, tariff=flat_tariff("1.00")) as ledger:
        ledger.set_tariff(flat_tariff("2.00"), date(2024, 4, 1), "admin")
        _tenant(ledger)
        offline = datetime(2024, 3, 30, tzinfo=UTC)
        ledger.record_consumption([delta("101", START, offline, 0, 0)], offline)
        ledger.close_due_periods(clock.set(datetime(2024, 4, 1, 0, 5, tzinfo=UTC)))
        back = clock.set(datetime(2024, 4, 2, tzinfo=UTC))
        ledger.record_consumption([delta("101", offline, back, 0, 3000)], back)
        # 2 kWh used in March at 1.00, 1 kWh in April at 2.00; booked in April.
        assert ledger.balance("t1") == Decimal("-4.00")
        april = ledger.bill("t1").rooms[0]
        assert (april.kwh, april.energy_amount) == (Decimal("3.000"), Decimal("4.00"))
        assert ledger.bill("t1", date(2024, 3, 1)).rooms[0].kwh == Decimal("0.000")


def test_time_of_use_boundaries_through_the_ledger(
    tmp_path: Path, clock: FakeClock
) -> None:
    # Tuesday 2024-03-05 in UTC; 1 kWh per interval.
    day = datetime(2024, 3, 5, tzinfo=UTC)
    with opened(tmp_path / "l.db", clock, tariff=OFF_PEAK) as ledger:
        _tenant(ledger)
        reading = 0
        last = START
        for (start, end), expected in [
            (
                (day.replace(hour=21, minute=58), day.replace(hour=21, minute=59)),
                "-0.60",
            ),
            ((day.replace(hour=22), day.replace(hour=22, minute=1)), "-0.90"),
            (
                (
                    day.replace(hour=23, minute=59, second=59) + timedelta(hours=6),
                    day + timedelta(days=1, hours=6),
                ),
                "-1.20",
            ),
            (
                (
                    day + timedelta(days=1, hours=6),
                    day + timedelta(days=1, hours=6, minutes=1),
                ),
                "-1.80",
            ),
        ]:
            clock.set(end)
            ledger.record_consumption(
                [
                    delta("101", last, last, reading, reading),
                    delta("101", start, end, reading, reading + 1000),
                ],
                end,
            )
            reading += 1000
            last = end
            assert ledger.balance("t1") == Decimal(expected)


def test_interval_across_a_window_edge_is_split(
    tmp_path: Path, clock: FakeClock
) -> None:
    with opened(tmp_path / "l.db", clock, tariff=OFF_PEAK) as ledger:
        _tenant(ledger)
        start = datetime(2024, 3, 5, 21, 30, tzinfo=UTC)
        end = clock.set(start + timedelta(hours=1))
        ledger.record_consumption([delta("101", start, end, 0, 2000)], end)
        # 1 kWh peak (0.60) + 1 kWh valley (0.30)
        assert ledger.balance("t1") == Decimal("-0.90")
        lines = ledger.bill("t1").rooms[0].lines
        assert [(line.rate, line.kwh, line.exact_cost) for line in lines] == [
            ("peak", Decimal("1.000"), Decimal("0.60")),
            ("valley", Decimal("1.000"), Decimal("0.30")),
        ]


def test_berlin_25_hour_day(tmp_path: Path, clock: FakeClock) -> None:
    """2023-10-29 has 25 hours; both 02:00 hours are priced and kept separately."""
    tariff = tariff_from_dict(
        {
            "kind": "tou",
            "rates": {"peak": "0.60", "valley": "0.30"},
            "workday": {
                "default": "peak",
                "windows": [{"start": "02:00", "end": "03:00", "rate": "valley"}],
            },
            "holiday": {
                "default": "peak",
                "windows": [{"start": "02:00", "end": "03:00", "rate": "valley"}],
            },
        }
    )
    day_start = datetime(2023, 10, 28, 22, tzinfo=UTC)  # Berlin midnight
    clock.set(day_start)
    with opened(
        tmp_path / "l.db",
        clock,
        tariff=tariff,
        time_zone="Europe/Berlin",
        effective_from=date(2023, 10, 1),
    ) as ledger:
        ledger.open_account("t1", "Tenant")
        ledger.add_room("101", "Room")
        ledger.move_in("101", "t1", day_start, 0)
        meter = Meter(ledger, "101", day_start)
        for _ in range(25):
            clock.set(meter.at + timedelta(hours=1))
            meter.consume(1000)
        # 23 hours at 0.60 and the two 02:00 hours at 0.30
        assert ledger.balance("t1") == Decimal("-14.40")
        usage = ledger.usage(meter.at - timedelta(hours=1), "t1")
        assert [(d.day, d.kwh) for d in usage.daily] == [
            (date(2023, 10, 29), Decimal("25.000"))
        ]
        valley = [
            line for line in ledger.bill("t1").rooms[0].lines if line.rate == "valley"
        ]
        assert valley[0].kwh == Decimal("2.000")


def test_no_drift_for_many_small_polls(tmp_path: Path, clock: FakeClock) -> None:
    # 1000 polls of 3 Wh at 0.20: each costs 0.0006, the total exactly 0.60.
    with opened(tmp_path / "l.db", clock) as ledger:
        _tenant(ledger)
        meter = Meter(ledger, "101", START)
        for _ in range(1000):
            clock.set(meter.at + timedelta(seconds=10))
            meter.consume(3, seconds=10)
        assert ledger.balance("t1") == Decimal("-0.60")
        ledger.flush_pending()
        deductions = [
            e.amount for e in ledger.journal_entries("t1") if e.kind == "deduction"
        ]
        assert sum(deductions) == Decimal("-0.60")
        assert len(deductions) <= 3  # one row per room and hour, not per poll


def test_repeated_delta_is_already_applied(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _tenant(ledger)
        end = clock.set(START + timedelta(hours=1))
        poll = delta("101", START, end, 0, 5000)
        ledger.record_consumption([poll], end)
        again = ledger.record_consumption([poll], end)
        assert again.applied == ()
        assert again.already_applied == ("101",)
        assert ledger.balance("t1") == Decimal("-1.00")


def test_vacant_room_charges_the_landlord(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        ledger.add_room("201", "Stairwell")
        end = clock.set(START + timedelta(hours=1))
        ledger.record_consumption([delta("201", START, end, 0, 10_000)], end)
        assert ledger.balance("landlord") == Decimal("-2.00")


def test_past_is_not_repriced_after_tariff_change_and_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "l.db"
    fourteenth = datetime(2024, 3, 14, tzinfo=UTC)
    with opened(path, clock) as ledger:
        _tenant(ledger)
        ledger.record_consumption([delta("101", START, START, 0, 0)], START)
        end = clock.set(fourteenth + timedelta(hours=12))
        ledger.record_consumption([delta("101", fourteenth, end, 0, 10_000)], end)
        assert ledger.balance("t1") == Decimal("-2.00")
        clock.set(datetime(2024, 3, 14, 23, tzinfo=UTC))
        ledger.set_tariff(flat_tariff("0.25"), date(2024, 3, 15), "admin")
        with pytest.raises(BillingError) as err:
            ledger.set_tariff(flat_tariff("0.30"), date(2024, 3, 14), "admin")
        assert err.value.code == "tariff_in_past"
    clock.set(datetime(2024, 3, 16, tzinfo=UTC))
    with opened(path, clock, with_tariff=False) as ledger:
        assert ledger.balance("t1") == Decimal("-2.00")
        assert ledger.bill("t1").rooms[0].lines[0].exact_cost == Decimal("2.00")
        start = datetime(2024, 3, 15, 12, tzinfo=UTC)
        end = clock.now()
        ledger.record_consumption([delta("101", start, end, 10_000, 20_000)], end)
        assert ledger.balance("t1") == Decimal("-4.50")


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (lambda e: delta("101", START, e, 0, 1000), None),
        (lambda e: delta("nope", START, e, 0, 1000), "unknown_room"),
        (lambda e: delta("102", START, e, 500, 400), "reading_lower_than_last"),
        (lambda e: delta("102", START, e, 100, 400), "reading_gap"),
        (lambda e: delta("102", e, START, 0, 400), "interval_invalid"),
        (
            lambda e: delta("102", START, e + timedelta(days=1), 0, 400),
            "time_in_future",
        ),
        (
            lambda e: delta("102", START.replace(tzinfo=None), e, 0, 400),
            "time_not_aware",
        ),
    ],
)
def test_one_bad_delta_writes_nothing_for_any_room(
    tmp_path: Path, clock: FakeClock, bad: object, code: str | None
) -> None:
    path = tmp_path / "l.db"
    with opened(path, clock) as ledger:
        _tenant(ledger, "101", "t1")
        _tenant(ledger, "102", "t2")
        end = clock.set(START + timedelta(hours=1))
        ledger.record_consumption([delta("102", START, START, 0, 0)], START)
        before = table_snapshot(path)
        deltas = [delta("101", START, end, 0, 1000), bad(end)]  # type: ignore[operator]
        if code is None:
            return
        with pytest.raises(BillingError) as err:
            ledger.record_consumption(deltas, end)
        assert err.value.code == code
        assert table_snapshot(path) == before
        assert ledger.balance("t1") == Decimal("0.00")


def test_overlapping_delta_is_an_error(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock) as ledger:
        _tenant(ledger)
        end = clock.set(START + timedelta(hours=2))
        ledger.record_consumption(
            [delta("101", START, START + timedelta(hours=1), 0, 1000)], end
        )
        with pytest.raises(BillingError) as err:
            ledger.record_consumption([delta("101", START, end, 500, 2000)], end)
        assert err.value.code == "reading_overlap"


def test_delta_without_tariff_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    with opened(tmp_path / "l.db", clock, with_tariff=False) as ledger:
        ledger.add_room("101", "Room")
        end = clock.set(START + timedelta(hours=1))
        with pytest.raises(BillingError) as err:
            ledger.record_consumption([delta("101", START, end, 0, 1000)], end)
        assert err.value.code == "no_tariff"
