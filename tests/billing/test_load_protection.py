"""Malignant-load protection: alarm once, trip, reclose after a delay, lockout, reset."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
import json
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.yunjing.billing.load_protection import (
    InvalidLoadSettings,
    LoadAction,
    LoadDecision,
    LoadMode,
    LoadPhase,
    LoadProtectionState,
    LoadSettings,
    Violation,
    evaluate,
    reset_lockout,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 5, 10, tzinfo=SHANGHAI)
MIN = timedelta(minutes=1)
KETTLE = Violation.RESISTIVE_LOAD


@dataclass
class Room:
    settings: LoadSettings = field(
        default_factory=lambda: LoadSettings(
            reclose_delay=5 * MIN, max_reclosures_per_day=2
        )
    )
    state: LoadProtectionState = field(default_factory=LoadProtectionState)

    def poll(self, now: datetime, violation: Violation | None = None) -> LoadDecision:
        self.state, decision = evaluate(
            now=now,
            tz=SHANGHAI,
            violation=violation,
            settings=self.settings,
            state=self.state,
        )
        return decision

    def reset(self, now: datetime) -> LoadDecision:
        self.state, decision = reset_lockout(
            now=now, tz=SHANGHAI, settings=self.settings, state=self.state
        )
        return decision


def test_trip_reclose_twice_then_lockout_until_reset() -> None:
    room = Room()
    assert room.poll(T0) == LoadDecision(LoadAction.NONE, reclosures_left=2)
    assert room.poll(T0, KETTLE) == LoadDecision(
        LoadAction.TRIP, KETTLE, T0 + 5 * MIN, 2
    )
    assert room.state.holds_open
    assert room.poll(T0 + 4 * MIN) == LoadDecision(
        LoadAction.NONE, KETTLE, T0 + 5 * MIN, 2
    )
    assert room.poll(T0 + 5 * MIN) == LoadDecision(LoadAction.RECLOSE, KETTLE, None, 1)
    assert not room.state.holds_open
    assert room.poll(T0 + 6 * MIN, Violation.OVER_POWER) == LoadDecision(
        LoadAction.TRIP, Violation.OVER_POWER, T0 + 11 * MIN, 1
    )
    assert room.poll(T0 + 11 * MIN) == LoadDecision(
        LoadAction.RECLOSE, Violation.OVER_POWER, None, 0
    )
    # Third trip the same day: no reclose left.
    assert room.poll(T0 + 12 * MIN, KETTLE) == LoadDecision(LoadAction.LOCKOUT, KETTLE)
    assert room.state.phase is LoadPhase.LOCKED_OUT
    assert room.state.trips_today == 3
    # Lockout outlasts the day; only the landlord ends it.
    assert room.poll(T0 + 2 * 24 * 60 * MIN) == LoadDecision(LoadAction.NONE, KETTLE)
    assert room.state.phase is LoadPhase.LOCKED_OUT
    later = T0 + 2 * 24 * 60 * MIN + MIN
    assert room.reset(later) == LoadDecision(LoadAction.RECLOSE, KETTLE, None, 2)
    assert room.state.phase is LoadPhase.NORMAL
    assert room.poll(later + MIN, KETTLE).action is LoadAction.TRIP


def test_reset_counts_afresh_the_same_day() -> None:
    room = Room(settings=LoadSettings(max_reclosures_per_day=0))
    assert room.poll(T0, KETTLE).action is LoadAction.LOCKOUT
    assert room.reset(T0 + MIN).action is LoadAction.RECLOSE
    assert room.poll(T0 + 2 * MIN, KETTLE).action is LoadAction.LOCKOUT


def test_reset_during_a_reclose_delay_closes_now_and_in_normal_does_nothing() -> None:
    room = Room()
    assert room.reset(T0) == LoadDecision(LoadAction.NONE, reclosures_left=2)
    room.poll(T0, KETTLE)
    assert room.reset(T0 + MIN) == LoadDecision(LoadAction.RECLOSE, KETTLE, None, 2)
    assert room.poll(T0 + 5 * MIN) == LoadDecision(LoadAction.NONE, reclosures_left=2)


def test_reclose_count_is_per_local_day() -> None:
    room = Room(settings=LoadSettings(reclose_delay=5 * MIN, max_reclosures_per_day=1))
    evening = datetime(2025, 11, 5, 23, 50, tzinfo=SHANGHAI)
    assert room.poll(evening, KETTLE).action is LoadAction.TRIP
    assert room.poll(evening + 5 * MIN).action is LoadAction.RECLOSE
    # 15:59 UTC is 23:59 in Shanghai: same local day, no reclose left.
    same_day = datetime(2025, 11, 5, 15, 59, tzinfo=UTC)
    blocked = Room(settings=room.settings, state=room.state)
    assert blocked.poll(same_day, KETTLE).action is LoadAction.LOCKOUT
    # 16:10 UTC is 00:10 the next day in Shanghai: a new allowance.
    next_day = datetime(2025, 11, 5, 16, 10, tzinfo=UTC)
    assert room.poll(next_day, KETTLE) == LoadDecision(
        LoadAction.TRIP, KETTLE, next_day + 5 * MIN, 1
    )
    assert room.state.day == date(2025, 11, 6)
    assert room.state.trips_today == 1


def test_alarm_only_notifies_once_per_episode_and_never_trips() -> None:
    room = Room(settings=LoadSettings(mode=LoadMode.ALARM_ONLY))
    assert room.poll(T0, Violation.OVER_POWER) == LoadDecision(
        LoadAction.ALARM, Violation.OVER_POWER, None, 3
    )
    assert room.poll(T0 + MIN, Violation.OVER_POWER).action is LoadAction.NONE
    assert room.poll(T0 + 2 * MIN).action is LoadAction.NONE
    assert room.poll(T0 + 3 * MIN, KETTLE) == LoadDecision(
        LoadAction.ALARM, KETTLE, None, 3
    )
    assert not room.state.holds_open


def test_mode_off_ignores_violations() -> None:
    room = Room(settings=LoadSettings(mode=LoadMode.OFF))
    assert room.poll(T0, KETTLE) == LoadDecision(LoadAction.NONE, reclosures_left=3)
    assert room.state.phase is LoadPhase.NORMAL


def test_restart_in_the_middle_of_a_reclose_delay() -> None:
    room = Room()
    room.poll(T0, KETTLE)
    saved = json.dumps(room.state.as_dict())
    restarted = Room(state=LoadProtectionState.from_dict(json.loads(saved)))
    assert restarted.state == room.state
    assert restarted.poll(T0 + 4 * MIN + 59 * timedelta(seconds=1)) == LoadDecision(
        LoadAction.NONE, KETTLE, T0 + 5 * MIN, 2
    )
    assert restarted.poll(T0 + 5 * MIN) == LoadDecision(
        LoadAction.RECLOSE, KETTLE, None, 1
    )
    # A restart that lasted past the delay recloses on the first poll.
    late = Room(state=LoadProtectionState.from_dict(json.loads(saved)))
    assert late.poll(T0 + 60 * MIN).action is LoadAction.RECLOSE


def test_lockout_survives_restart() -> None:
    room = Room(settings=LoadSettings(max_reclosures_per_day=0))
    room.poll(T0, KETTLE)
    restored = LoadProtectionState.from_dict(
        json.loads(json.dumps(room.state.as_dict()))
    )
    assert restored == room.state
    assert restored.phase is LoadPhase.LOCKED_OUT
    assert LoadProtectionState.from_dict({}) == LoadProtectionState()


def test_invalid_input() -> None:
    with pytest.raises(InvalidLoadSettings):
        LoadSettings(max_reclosures_per_day=-1)
    with pytest.raises(InvalidLoadSettings):
        LoadSettings(reclose_delay=-MIN)
    with pytest.raises(InvalidLoadSettings):
        Room().poll(datetime(2025, 11, 5, 10), KETTLE)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=240),  # minutes since the last poll
            st.none() | st.sampled_from(list(Violation)),
            st.integers(min_value=0, max_value=40),  # 0: the landlord presses reset
        ),
        max_size=80,
    ),
    st.sampled_from(list(LoadMode)),
)
def test_invariants_over_random_histories(
    steps: list[tuple[int, Violation | None, int]], mode: LoadMode
) -> None:
    settings = LoadSettings(mode=mode, reclose_delay=30 * MIN, max_reclosures_per_day=2)
    room = Room(settings=settings)
    now = T0
    automatic: dict[date, int] = {}
    locked = False
    for minutes, violation, reset in steps:
        now += minutes * MIN
        day = now.astimezone(SHANGHAI).date()
        if reset == 0:
            decision = room.reset(now)
            if decision.action is LoadAction.RECLOSE:
                locked = False
                automatic[day] = 0
            continue
        decision = room.poll(now, violation)
        if mode is not LoadMode.TRIP:
            assert decision.action in (LoadAction.NONE, LoadAction.ALARM)
        if decision.action is LoadAction.RECLOSE:
            assert not locked
            automatic[day] = automatic.get(day, 0) + 1
            assert automatic[day] <= settings.max_reclosures_per_day
        if decision.action is LoadAction.LOCKOUT:
            locked = True
        assert room.state.holds_open == (room.state.phase is not LoadPhase.NORMAL)
