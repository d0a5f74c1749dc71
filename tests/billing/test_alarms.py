"""Balance alarms: notify once per downward crossing, re-arm after a recharge."""

from decimal import Decimal as D
import json

from hypothesis import given, strategies as st
import pytest

from custom_components.yunjing.billing.alarms import (
    AlarmEvent,
    AlarmLevel,
    AlarmLevels,
    AlarmState,
    InvalidAlarmLevels,
    current_level,
    days_left,
    evaluate,
)

LEVELS = AlarmLevels(level_1=D("20.00"), level_2=D("5.00"))


def run(balances: list[str], state: AlarmState | None = None) -> list[AlarmEvent]:
    """Feed balances in order, return all events."""
    state = state or AlarmState()
    events: list[AlarmEvent] = []
    for balance in balances:
        state, new = evaluate(D(balance), LEVELS, state)
        events.extend(new)
    return events


def test_each_crossing_notifies_once_not_every_poll() -> None:
    events = run(["25.00", "20.50", "19.99", "19.00", "12.00", "5.01", "5.00", "4.00"])
    assert events == [
        AlarmEvent(AlarmLevel.LEVEL_1, D("19.99"), D("20.00")),
        AlarmEvent(AlarmLevel.LEVEL_2, D("5.00"), D("5.00")),
    ]


def test_arrears_at_zero_balance_then_silent() -> None:
    events = run(["0.02", "0.00", "-0.01", "-0.50"], AlarmState(AlarmLevel.LEVEL_2))
    assert events == [AlarmEvent(AlarmLevel.ARREARS, D("0.00"), D("0"))]


def test_recharge_is_silent_and_rearms_for_a_new_crossing() -> None:
    state = AlarmState()
    state, events = evaluate(D("4.00"), LEVELS, state)
    assert [e.level for e in events] == [AlarmLevel.LEVEL_2]
    # Recharge to 10.00: above level 2, still under level 1. Nothing is sent.
    state, events = evaluate(D("10.00"), LEVELS, state)
    assert events == ()
    assert state == AlarmState(AlarmLevel.LEVEL_1)
    # Level 1 was not left, so it does not notify again; level 2 does.
    state, events = evaluate(D("4.99"), LEVELS, state)
    assert events == (AlarmEvent(AlarmLevel.LEVEL_2, D("4.99"), D("5.00")),)
    # Recharge above all levels re-arms everything.
    state, events = evaluate(D("100"), LEVELS, state)
    assert (state, events) == (AlarmState(None), ())
    state, events = evaluate(D("19.00"), LEVELS, state)
    assert [e.level for e in events] == [AlarmLevel.LEVEL_1]


def test_a_fall_past_several_levels_sends_the_most_severe_only() -> None:
    assert run(["30", "-1.00"]) == [AlarmEvent(AlarmLevel.ARREARS, D("-1.00"), D("0"))]


def test_credit_limit_below_zero_and_disabled_levels() -> None:
    levels = AlarmLevels(credit_limit=D("-10"))
    assert current_level(D("-9.99"), levels) is None
    assert current_level(D("-10.00"), levels) is AlarmLevel.ARREARS
    assert current_level(D("0"), LEVELS) is AlarmLevel.ARREARS
    assert current_level(D("20.01"), LEVELS) is None


@pytest.mark.parametrize(
    ("level_1", "level_2", "credit_limit"),
    [("5", "20", "0"), ("10", "10", "0"), ("10", None, "10"), (None, "0", "0")],
)
def test_misordered_levels_are_rejected(
    level_1: str | None, level_2: str | None, credit_limit: str
) -> None:
    with pytest.raises(InvalidAlarmLevels):
        AlarmLevels(
            level_1=None if level_1 is None else D(level_1),
            level_2=None if level_2 is None else D(level_2),
            credit_limit=D(credit_limit),
        )


def test_state_survives_restart_as_json() -> None:
    state, _ = evaluate(D("4.00"), LEVELS, AlarmState())
    restored = AlarmState.from_dict(json.loads(json.dumps(state.as_dict())))
    assert restored == AlarmState(AlarmLevel.LEVEL_2)
    assert evaluate(D("3.00"), LEVELS, restored) == (restored, ())
    assert AlarmState.from_dict(AlarmState().as_dict()) == AlarmState()


@given(st.lists(st.integers(min_value=-3000, max_value=3000), max_size=40))
def test_a_level_notifies_at_most_once_per_recovery(cents: list[int]) -> None:
    """Per level: notifications <= 1 + times the balance rose back above it."""
    state = AlarmState()
    sent = dict.fromkeys(AlarmLevel, 0)
    recoveries = dict.fromkeys(AlarmLevel, 0)
    previous: D | None = None
    for c in cents:
        balance = D(c).scaleb(-2)
        state, events = evaluate(balance, LEVELS, state)
        assert len(events) <= 1
        for event in events:
            assert event.balance <= event.threshold
            sent[event.level] += 1
        for level in AlarmLevel:
            threshold = LEVELS.threshold(level)
            assert threshold is not None
            if previous is not None and previous <= threshold < balance:
                recoveries[level] += 1
        previous = balance
    for level in AlarmLevel:
        assert sent[level] <= 1 + recoveries[level]


def test_days_left() -> None:
    week = [D("3.00"), D("2.50"), D("3.50"), D("3.00"), D("4.00"), D("2.00"), D("3.00")]
    # Average 3.00 a day.
    assert days_left(D("10.00"), week) == 3
    assert days_left(D("9.00"), week) == 3
    assert days_left(D("8.99"), week) == 2
    assert days_left(D("0.00"), week) == 0
    assert days_left(D("-5"), week) == 0
    assert days_left(D("10.00"), week, credit_limit=D("-5.00")) == 5
    assert days_left(D("10.00"), [D("4.00"), D("6.00")]) == 2
    assert days_left(D("10.00"), []) is None
    assert days_left(D("10.00"), [D(0), D(0)]) is None
