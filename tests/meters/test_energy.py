"""Readings to energy: the issue's validation cases as written, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

from hypothesis import given, settings, strategies as st

from custom_components.yunjing.meters.energy import (
    EnergyCounter,
    EnergyStep,
    Event,
    Rejection,
)
from custom_components.yunjing.meters.models import MODELS

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_failed_read_and_zero_blip_are_never_billed_or_a_baseline() -> None:
    # 3.737 kWh, then a failed read, then 0.000, then 3.746 -> 0.009 kWh billed
    counter = EnergyCounter(rated_power_w=10_000)
    steps = [
        counter.update(3_737, at(0)),
        counter.update(None, at(1)),
        counter.update(0, at(2)),
        counter.update(3_746, at(3)),
    ]
    assert [step.delta_wh for step in steps] == [0, 0, 0, 9]
    assert [step.rejected for step in steps] == [
        None,
        Rejection.NO_VALUE,
        Rejection.ZERO_READING,
        None,
    ]
    assert steps[3] == EnergyStep(delta_wh=9, from_reading=3_737, to_reading=3_746)
    assert counter.baseline_wh == 3_746


def test_exception_or_timeout_is_never_a_zero() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(5_000, at(0))
    step = counter.update(None, at(1))
    assert step == EnergyStep(
        delta_wh=0, from_reading=5_000, to_reading=None, rejected=Rejection.NO_VALUE
    )
    assert counter.baseline_wh == 5_000


def test_delta_above_rated_power_times_time_is_rejected_and_reported() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(1_000, at(0))
    # 6 minutes at 10 kW is at most 1,000 Wh; 1,001 Wh is impossible
    step = counter.update(2_001, at(6))
    assert step == EnergyStep(
        delta_wh=0,
        from_reading=1_000,
        to_reading=2_001,
        rejected=Rejection.ABOVE_RATED_POWER,
    )
    assert counter.baseline_wh == 1_000
    # exactly rated power x time is possible and billed
    assert counter.update(2_000, at(6)).delta_wh == 1_000


def test_explicit_meter_replacement_bills_no_negative_delta_and_no_credit() -> None:
    # old meter closes at 12,345.6 kWh, new meter reads 3.2 then 4.0 -> 0.8 kWh billed
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(12_345_600, at(0))
    closing = counter.replace_meter(at(10), final_old_wh=12_345_600)
    first = counter.update(3_200, at(20))
    second = counter.update(4_000, at(30))
    assert closing == EnergyStep(
        delta_wh=0,
        from_reading=12_345_600,
        to_reading=12_345_600,
        event=Event.METER_REPLACED,
    )
    assert first == EnergyStep(
        delta_wh=0, from_reading=None, to_reading=3_200, event=Event.BASELINE
    )
    assert second == EnergyStep(delta_wh=800, from_reading=3_200, to_reading=4_000)
    assert closing.delta_wh + first.delta_wh + second.delta_wh == 800


def test_old_meter_final_reading_is_billed_when_replaced() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(12_345_000, at(0))
    assert counter.replace_meter(at(60), final_old_wh=12_345_600).delta_wh == 600


def test_backward_reading_without_replacement_is_rejected() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(12_345_600, at(0))
    step = counter.update(3_200, at(1))
    assert step.rejected is Rejection.BACKWARD_READING
    assert step.delta_wh == 0
    assert counter.baseline_wh == 12_345_600


def test_reset_is_accepted_after_three_rising_polls_over_fifteen_minutes() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(50_000, at(0))
    steps = [
        counter.update(0, at(1)),  # a zero never counts towards a reset
        counter.update(10, at(2)),
        counter.update(30, at(10)),
        counter.update(40, at(16)),  # three rising polls, but only 14 minutes
        counter.update(60, at(17)),  # 15 minutes since the first low reading
        counter.update(75, at(18)),
    ]
    assert [step.rejected for step in steps] == [
        Rejection.ZERO_READING,
        Rejection.BACKWARD_READING,
        Rejection.BACKWARD_READING,
        Rejection.BACKWARD_READING,
        None,
        None,
    ]
    # confirmed at 60 Wh: billed from the first low reading (10)
    assert steps[4] == EnergyStep(
        delta_wh=50, from_reading=10, to_reading=60, event=Event.RESET_CONFIRMED
    )
    assert steps[5] == EnergyStep(delta_wh=15, from_reading=60, to_reading=75)


def test_a_rebooting_meter_reading_zero_is_never_a_reset() -> None:
    # 100 kWh billed; the meter shows 0 for half an hour, then its true count.
    counter = EnergyCounter(rated_power_w=13_800)
    counter.update(100_000, at(0))
    for minute in range(1, 31):
        assert counter.update(0, at(minute)).rejected is Rejection.ZERO_READING
    assert counter.baseline_wh == 100_000
    step = counter.update(100_200, at(31))
    assert step == EnergyStep(delta_wh=200, from_reading=100_000, to_reading=100_200)


def test_an_idle_reset_meter_is_not_confirmed_and_keeps_few_candidates() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(50_000, at(0))
    for minute in range(1, 200):
        step = counter.update(5, at(minute))  # reset, but nothing is drawn
        assert step.rejected is Rejection.BACKWARD_READING
    assert counter.baseline_wh == 50_000
    assert len(counter.reset_candidates) <= counter.reset_confirm_polls


def test_a_drop_that_does_not_persist_is_not_a_reset() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(50_000, at(0))
    counter.update(0, at(1))
    counter.update(10, at(2))
    step = counter.update(50_020, at(3))
    assert step == EnergyStep(delta_wh=20, from_reading=50_000, to_reading=50_020)
    assert counter.reset_candidates == []


def test_decreasing_drops_restart_the_reset_count() -> None:
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(50_000, at(0))
    counter.update(300, at(1))
    counter.update(200, at(2))  # lower than the previous drop: starts over
    step = counter.update(250, at(3))
    assert step.rejected is Rejection.BACKWARD_READING
    assert counter.baseline_wh == 50_000


def test_integer_counter_rollover() -> None:
    # DDS238-2: uint32 of 0.01 kWh wraps at 2**32 x 10 Wh
    modulus = 2**32 * 10
    counter = EnergyCounter(rated_power_w=18_400, counter_modulus_wh=modulus)
    counter.update(modulus - 40, at(0))
    step = counter.update(60, at(1))
    assert step == EnergyStep(
        delta_wh=100, from_reading=modulus - 40, to_reading=60, event=Event.ROLLOVER
    )


def test_state_survives_a_round_trip_through_json() -> None:
    counter = EnergyCounter(rated_power_w=10_000, counter_modulus_wh=2**32 * 10)
    counter.update(50_000, at(0))
    counter.update(0, at(1))
    restored = EnergyCounter.from_dict(json.loads(json.dumps(counter.to_dict())))
    assert restored == counter
    assert restored.update(50_100, at(2)).delta_wh == 100


readings = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
gaps = st.floats(min_value=0.0, max_value=7_200.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    rated_power_w=st.integers(min_value=100, max_value=100_000),
    polls=st.lists(st.tuples(gaps, readings), max_size=40),
    replace_at=st.integers(min_value=-1, max_value=40),
)
def test_no_accepted_delta_is_negative_or_above_rated_power_x_time(
    rated_power_w: int, polls: list[tuple[float, int | None]], replace_at: int
) -> None:
    counter = EnergyCounter(rated_power_w=rated_power_w, counter_modulus_wh=2**32 * 10)
    now = T0
    billed = 0
    last_billed_at = T0
    for index, (gap, reading) in enumerate(polls):
        now += timedelta(seconds=gap)
        if index == replace_at:
            step = counter.replace_meter(now, final_old_wh=reading)
        else:
            step = counter.update(reading, now)
        elapsed = (now - last_billed_at).total_seconds()
        assert step.delta_wh >= 0
        assert step.delta_wh * 3600 <= rated_power_w * elapsed
        if step.delta_wh:
            last_billed_at = now
        billed += step.delta_wh
        assert billed * 3600 <= rated_power_w * (now - T0).total_seconds()


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=10**8),
    increments=st.lists(st.integers(min_value=0, max_value=160), max_size=40),
)
def test_a_plausible_forward_series_is_billed_exactly(
    start: int, increments: list[int]
) -> None:
    # 160 Wh per minute is 9.6 kW, within a 10 kW rating
    counter = EnergyCounter(rated_power_w=10_000)
    counter.update(start, at(0))
    value = start
    billed = 0
    for minute, increment in enumerate(increments, start=1):
        value += increment
        billed += counter.update(value, at(minute)).delta_wh
    assert billed == value - start


def test_counter_for_a_model_with_a_wrapping_integer_counter() -> None:
    counter = EnergyCounter.for_model(MODELS["dds238_2"])
    assert counter.rated_power_w == 18_400
    assert counter.counter_modulus_wh == 42_949_672_960
    assert EnergyCounter.for_model(
        MODELS["sdm120"], rated_power_w=5_000
    ) == EnergyCounter(rated_power_w=5_000)
