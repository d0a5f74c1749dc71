"""Hypothesis invariants of the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
import tempfile
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.tariff import (
    Tariff,
    flat_tariff,
    tariff_from_dict,
)

from .ledger_helpers import FakeClock, delta, opened

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday

operations = st.lists(
    st.one_of(
        st.tuples(st.just("recharge"), st.integers(0, 1), st.integers(-100, 1_000_000)),
        st.tuples(st.just("refund"), st.integers(0, 1), st.integers(1, 100_000)),
        st.tuples(st.just("consume"), st.integers(0, 1), st.integers(0, 30_000)),
        st.tuples(st.just("correct"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("wait"), st.integers(1, 24 * 20), st.just(0)),
        st.tuples(st.just("close"), st.just(0), st.just(0)),
        st.tuples(st.just("tenant_change"), st.integers(0, 1), st.integers(0, 5_000)),
    ),
    max_size=30,
)


@SETTINGS
@given(operations)
def test_balance_is_the_sum_of_the_journal(ops: list[tuple[str, int, int]]) -> None:
    clock = FakeClock(START)
    with (
        tempfile.TemporaryDirectory() as directory,
        opened(Path(directory) / "l.db", clock) as ledger,
    ):
        accounts = ["t0", "t1"]
        for number, account in enumerate(accounts):
            ledger.open_account(account, account)
            ledger.add_room(f"r{number}", "room")
            ledger.move_in(f"r{number}", account, START, 0)
        readings = [0, 0]
        last = [START, START]
        money_in = dict.fromkeys(accounts, Decimal(0))
        references = 0
        tenants = 1
        for kind, index, value in ops:
            now = clock.now()
            try:
                if kind == "recharge":
                    references += 1
                    result = ledger.recharge(
                        accounts[index], Decimal(value) / 100, f"R{references}"
                    )
                    money_in[accounts[index]] += result.amount
                elif kind == "refund":
                    result = ledger.refund(accounts[index], Decimal(value) / 100)
                    money_in[accounts[index]] -= result.amount
                elif kind == "consume":
                    ledger.record_consumption(
                        [
                            delta(
                                f"r{index}",
                                last[index],
                                now,
                                readings[index],
                                readings[index] + value,
                            )
                        ],
                        now,
                    )
                    readings[index] += value
                    last[index] = now
                elif kind == "correct":
                    entries = ledger.journal_entries()
                    if entries:
                        ledger.correct(
                            entries[index % len(entries)].entry_id, "test", "admin"
                        )
                elif kind == "tenant_change":
                    # the tenant leaves with a final reading; a new one moves in
                    final = readings[index] + value
                    settlement = ledger.move_out(
                        accounts[index], now, final_readings_wh={f"r{index}": final}
                    )
                    assert settlement.balance == -settlement.arrears
                    readings[index] = final
                    last[index] = now
                    tenants += 1
                    accounts[index] = f"t{tenants}"
                    money_in[accounts[index]] = Decimal(0)
                    ledger.open_account(accounts[index], accounts[index])
                    ledger.move_in(f"r{index}", accounts[index], now, final)
                elif kind == "wait":
                    clock.set(now + timedelta(hours=index))
                else:
                    ledger.close_due_periods(now)
            except BillingError as err:
                assert err.code in {
                    "amount_not_positive",
                    "refund_above_balance",
                    "already_corrected",
                    "cannot_correct_correction",
                    "amount_above_maximum",
                }
        assert ledger.verify_chain() == []
        ledger.flush_pending()
        assert ledger.verify_chain() == []
        for account in [*money_in, "landlord"]:
            journal_sum = sum(
                (e.amount for e in ledger.journal_entries(account)), Decimal(0)
            )
            assert ledger.balance(account) == journal_sum
        if not any(kind == "correct" for kind, _, _ in ops):
            for account in money_in:
                energy = sum(
                    (
                        e.amount
                        for e in ledger.journal_entries(account)
                        if e.kind in {"deduction", "fee", "settlement"}
                    ),
                    Decimal(0),
                )
                assert ledger.balance(account) == money_in[account] + energy


# Reference prices written out by hand for the test's own pricing model.
PEAK, VALLEY = Decimal("0.60"), Decimal("0.30")
TIER_LIMIT_WH, LOW, HIGH = 100_000, Decimal("0.50"), Decimal("0.80")
SURCHARGE = Decimal("0.10")
FREE_WH = 5_000

TOU_WINDOWS = {
    "default": "peak",
    "windows": [{"start": "22:00", "end": "06:00", "rate": "valley"}],
}
TARIFFS: dict[str, dict[str, Any]] = {
    "flat": {"kind": "flat", "rates": {"flat": "0.60"}},
    "tou": {
        "kind": "tou",
        "rates": {"peak": "0.60", "valley": "0.30"},
        "workday": TOU_WINDOWS,
    },
    "tiered": {
        "kind": "tiered",
        "tiers": [
            {"up_to_kwh": "100", "price": "0.50"},
            {"up_to_kwh": None, "price": "0.80"},
        ],
        "free_kwh": "5",
    },
    "tou_tiered": {
        "kind": "tou_tiered",
        "rates": {"peak": "0.60", "valley": "0.30"},
        "workday": TOU_WINDOWS,
        "holiday": {"default": "valley", "windows": []},
        "tiers": [
            {"up_to_kwh": "100", "surcharge": "0"},
            {"up_to_kwh": None, "surcharge": "0.10"},
        ],
    },
}


def _window_rate(kind: str, hour_start: datetime) -> Decimal:
    if kind == "tou_tiered" and hour_start.weekday() >= 5:
        return VALLEY
    return VALLEY if hour_start.hour >= 22 or hour_start.hour < 6 else PEAK


def _expected_cost(kind: str, polls: list[tuple[datetime, int]]) -> Decimal:
    """Exact cost by a per-Wh walk (slow and obvious), rounded once."""
    total = Decimal(0)
    period_wh = 0
    for hour_start, wh in polls:
        for _ in range(wh):
            if kind == "flat":
                price = PEAK
            elif kind == "tou":
                price = _window_rate(kind, hour_start)
            elif kind == "tiered":
                price = (
                    Decimal(0)
                    if period_wh < FREE_WH
                    else (LOW if period_wh < TIER_LIMIT_WH else HIGH)
                )
            else:
                price = _window_rate(kind, hour_start) + (
                    0 if period_wh < TIER_LIMIT_WH else SURCHARGE
                )
            total += price / 1000
            period_wh += 1
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(TARIFFS)),
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 9_000)), min_size=1, max_size=25
    ),
)
def test_deductions_equal_the_once_rounded_exact_cost(
    kind: str, steps: list[tuple[int, int]]
) -> None:
    tariff: Tariff = (
        tariff_from_dict(TARIFFS[kind]) if kind != "flat" else flat_tariff("0.60")
    )
    clock = FakeClock(START)
    polls: list[tuple[datetime, int]] = []
    with (
        tempfile.TemporaryDirectory() as directory,
        opened(
            Path(directory) / "l.db",
            clock,
            tariff=tariff,
            is_holiday=lambda day: day.weekday() >= 5,
        ) as ledger,
    ):
        ledger.open_account("t", "t")
        ledger.add_room("r", "room")
        ledger.move_in("r", "t", START, 0)
        hour = START
        reading = 0
        for gap_hours, wh in steps:
            hour += timedelta(hours=gap_hours)
            if hour + timedelta(hours=1) > datetime(2024, 3, 31, tzinfo=UTC):
                break
            end = clock.set(hour + timedelta(hours=1))
            # an idle delta up to the hour, then the hour's energy (one window)
            ledger.record_consumption(
                [
                    delta("r", hour, hour, reading, reading),
                    delta("r", hour, end, reading, reading + wh),
                ],
                end,
            )
            polls.append((hour, wh))
            reading += wh
            hour = end
        ledger.flush_pending()
        deductions = sum(
            (e.amount for e in ledger.journal_entries("t") if e.kind == "deduction"),
            Decimal(0),
        )
        assert -deductions == _expected_cost(kind, polls)
        assert ledger.balance("t") == deductions
