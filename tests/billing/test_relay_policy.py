"""Arrears cut-off, keep-on, hysteresis, rate cap and read-back for one room."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D
import json
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from hypothesis import given, strategies as st
import pytest

from custom_components.yunjing.billing.keep_on import (
    DailyWindow,
    KeepOnReason,
    KeepOnRules,
    KeepOnStatus,
    keep_on_status,
)
from custom_components.yunjing.billing.relay_policy import (
    CommandOutcome,
    CommandResult,
    InvalidRelaySettings,
    RelayAction,
    RelayDecision,
    RelayPolicyState,
    RelayReason,
    RelaySettings,
    VacantPolicy,
    command_result,
    decide,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 5, 10, tzinfo=SHANGHAI)  # a Wednesday
MIN = timedelta(minutes=1)
SETTINGS = RelaySettings(reconnect_level=D("5.00"), min_off_time=5 * MIN)


@dataclass
class Room:
    """The coordinator's side: executes commands, reads back, persists state."""

    settings: RelaySettings = SETTINGS
    power_on: bool = True
    state: RelayPolicyState = field(default_factory=RelayPolicyState)
    relay_works: bool = True

    def poll(
        self, now: datetime, balance: D | None, keep_on: KeepOnStatus | None = None
    ) -> RelayDecision:
        self.state, decision = decide(
            now=now,
            balance=balance,
            power_on=self.power_on,
            keep_on=keep_on,
            settings=self.settings,
            state=self.state,
        )
        if decision.action in (RelayAction.CUT, RelayAction.RESTORE):
            if self.relay_works:
                self.power_on = decision.action is RelayAction.RESTORE
            self.state, _ = command_result(
                now=now,
                action=decision.action,
                confirmed=self.relay_works,
                settings=self.settings,
                state=self.state,
            )
        return decision


def none(reason: RelayReason, due_at: datetime | None = None) -> RelayDecision:
    return RelayDecision(RelayAction.NONE, reason, due_at)


def test_hysteresis_from_the_issue() -> None:
    room = Room()
    assert room.poll(T0, D("0.02")) == none(RelayReason.OK)
    # A 0.03 deduction: -0.01 -> cut.
    assert room.poll(T0 + MIN, D("-0.01")) == RelayDecision(
        RelayAction.CUT, RelayReason.ARREARS
    )
    assert not room.power_on
    assert room.state.off_since == T0 + MIN
    # A 0.01 recharge: 0.00 is still arrears and below the reconnect level.
    assert room.poll(T0 + 20 * MIN, D("0.00")) == none(
        RelayReason.BELOW_RECONNECT_LEVEL
    )
    assert room.poll(T0 + 21 * MIN, D("4.99")) == none(
        RelayReason.BELOW_RECONNECT_LEVEL
    )
    assert room.poll(T0 + 22 * MIN, D("5.00")) == RelayDecision(
        RelayAction.RESTORE, RelayReason.RECHARGED
    )
    assert room.power_on
    assert room.state.off_since is None


def test_reconnect_level_equal_to_credit_limit_still_needs_leaving_arrears() -> None:
    room = Room(settings=RelaySettings(min_off_time=timedelta(0)))
    assert room.poll(T0, D("-0.01")).action is RelayAction.CUT
    assert room.poll(T0 + MIN, D("0.00")) == none(RelayReason.BELOW_RECONNECT_LEVEL)
    assert room.poll(T0 + 2 * MIN, D("0.01")) == RelayDecision(
        RelayAction.RESTORE, RelayReason.RECHARGED
    )


def test_restore_waits_for_the_minimum_off_time() -> None:
    room = Room()
    room.poll(T0, D("-1"))
    assert room.poll(T0 + 2 * MIN, D("50")) == none(
        RelayReason.MIN_OFF_TIME, T0 + 5 * MIN
    )
    assert room.poll(T0 + 5 * MIN, D("50")) == RelayDecision(
        RelayAction.RESTORE, RelayReason.RECHARGED
    )


def test_credit_limit_below_zero() -> None:
    room = Room(settings=RelaySettings(credit_limit=D("-10")))
    assert room.poll(T0, D("-9.99")) == none(RelayReason.OK)
    assert room.poll(T0 + MIN, D("-10.00")).action is RelayAction.CUT


def test_no_cut_during_keep_on_then_warn_then_cut_when_it_ends() -> None:
    room = Room(settings=RelaySettings(warning_period=10 * MIN))
    evening = KeepOnStatus(
        KeepOnReason.PROTECTED_HOURS, datetime(2025, 11, 6, 9, tzinfo=SHANGHAI)
    )
    night = datetime(2025, 11, 5, 22, tzinfo=SHANGHAI)
    assert room.poll(night, D("-0.50"), evening) == none(
        RelayReason.KEEP_ON, evening.ends_at
    )
    assert room.state.pending_cut_since == night
    assert room.poll(night + 60 * MIN, D("-0.80"), evening).action is RelayAction.NONE
    nine = datetime(2025, 11, 6, 9, tzinfo=SHANGHAI)
    assert room.poll(nine, D("-1.20")) == RelayDecision(
        RelayAction.WARN_BEFORE_CUT, RelayReason.KEEP_ON_ENDED, nine + 10 * MIN
    )
    assert room.poll(nine + 5 * MIN, D("-1.25")) == none(
        RelayReason.WARNING_PERIOD, nine + 10 * MIN
    )
    assert room.poll(nine + 10 * MIN, D("-1.30")) == RelayDecision(
        RelayAction.CUT, RelayReason.ARREARS
    )
    assert room.state.pending_cut_since is None


def test_recharge_during_keep_on_cancels_the_pending_cut() -> None:
    room = Room()
    ends = T0 + 60 * MIN
    room.poll(T0, D("-1"), KeepOnStatus(KeepOnReason.MANUAL, ends))
    assert room.poll(T0 + MIN, D("20")) == none(RelayReason.OK)
    assert room.state == RelayPolicyState()
    assert room.poll(ends, D("19")) == none(RelayReason.OK)


def test_arrears_without_keep_on_cuts_without_warning() -> None:
    assert Room().poll(T0, D("-0.01")) == RelayDecision(
        RelayAction.CUT, RelayReason.ARREARS
    )


def test_restart_in_the_middle_of_a_keep_on() -> None:
    """Pending cut survives a JSON round trip; the real keep-on rules drive it."""
    rules = KeepOnRules(protected_hours=DailyWindow(time(18), time(9)))
    room = Room()
    night = datetime(2025, 11, 5, 23, tzinfo=SHANGHAI)
    keep_on = keep_on_status(night, SHANGHAI, rules, "t1", "r1")
    assert room.poll(night, D("-2"), keep_on) == none(
        RelayReason.KEEP_ON, datetime(2025, 11, 6, 9, tzinfo=SHANGHAI)
    )
    saved = json.dumps(room.state.as_dict())

    restarted = Room(state=RelayPolicyState.from_dict(json.loads(saved)))
    assert restarted.state == room.state
    before_nine = datetime(2025, 11, 6, 8, 59, tzinfo=SHANGHAI)
    keep_on = keep_on_status(before_nine, SHANGHAI, rules, "t1", "r1")
    assert restarted.poll(before_nine, D("-2"), keep_on).reason is RelayReason.KEEP_ON
    nine = datetime(2025, 11, 6, 9, tzinfo=SHANGHAI)
    assert keep_on_status(nine, SHANGHAI, rules, "t1", "r1") is None
    assert restarted.poll(nine, D("-2")).action is RelayAction.WARN_BEFORE_CUT
    assert restarted.poll(nine, D("-2")) == RelayDecision(
        RelayAction.CUT, RelayReason.ARREARS
    )


def test_a_weekend_replayed_on_a_frozen_clock(freezer: FrozenDateTimeFactory) -> None:
    """The coordinator's loop on a frozen wall clock: Friday-evening arrears,
    weekend and protected hours keep power on, Monday 09:00 warn, then cut."""
    rules = KeepOnRules(weekends=True, protected_hours=DailyWindow(time(18), time(9)))
    room = Room()

    def poll(balance: D) -> RelayDecision:
        now = datetime.now(UTC)
        return room.poll(now, balance, keep_on_status(now, SHANGHAI, rules, "t1", "r1"))

    freezer.move_to("2025-10-31T11:00:00+00:00")  # Friday 19:00 in Shanghai
    monday_nine = datetime(2025, 11, 3, 9, tzinfo=SHANGHAI)
    assert poll(D("-0.50")) == none(RelayReason.KEEP_ON, monday_nine)
    freezer.move_to("2025-11-02T04:00:00+00:00")  # Sunday noon
    assert poll(D("-3.10")) == none(RelayReason.KEEP_ON, monday_nine)
    freezer.move_to("2025-11-03T00:59:59+00:00")  # Monday 08:59:59
    assert poll(D("-4.00")).reason is RelayReason.KEEP_ON
    freezer.tick(1)
    assert poll(D("-4.00")).action is RelayAction.WARN_BEFORE_CUT
    freezer.tick(30)
    assert poll(D("-4.00")) == RelayDecision(RelayAction.CUT, RelayReason.ARREARS)
    assert room.state.off_since == datetime(2025, 11, 3, 1, 0, 30, tzinfo=UTC)


def test_state_round_trip_with_every_field() -> None:
    state = RelayPolicyState(
        off_since=T0,
        pending_cut_since=T0 - MIN,
        warned_at=T0 - 2 * MIN,
        operations=(T0 - 3 * MIN, datetime(2025, 11, 5, 1, 57, tzinfo=UTC)),
        failed_attempts=2,
        blocked_until=T0 + MIN,
    )
    stored = state.as_dict()
    # Stored in UTC: 10:00 in Shanghai is 02:00 UTC.
    assert stored["off_since"] == "2025-11-05T02:00:00+00:00"
    assert stored["operations"][1] == "2025-11-05T01:57:00+00:00"
    assert RelayPolicyState.from_dict(json.loads(json.dumps(stored))) == state
    assert RelayPolicyState.from_dict({}) == RelayPolicyState()


def test_operations_per_hour_cap() -> None:
    room = Room(
        settings=RelaySettings(min_off_time=timedelta(0), max_operations_per_hour=3)
    )
    assert room.poll(T0, D("-1")).action is RelayAction.CUT
    assert room.poll(T0 + 10 * MIN, D("1")).action is RelayAction.RESTORE
    assert room.poll(T0 + 20 * MIN, D("-1")).action is RelayAction.CUT
    # The fourth operation within the hour waits until the first one ages out.
    assert room.poll(T0 + 30 * MIN, D("1")) == none(
        RelayReason.RATE_LIMITED, T0 + 60 * MIN
    )
    assert room.poll(T0 + 60 * MIN, D("1")) == RelayDecision(
        RelayAction.RESTORE, RelayReason.RECHARGED
    )


def test_relay_off_for_another_reason_is_left_alone() -> None:
    room = Room(power_on=False)
    assert room.poll(T0, D("30")) == none(RelayReason.OFF_BY_OTHER)
    assert not room.state.holds_open


def test_relay_already_off_in_arrears_is_taken_over() -> None:
    """A load trip opened it; in arrears the policy now holds it open."""
    room = Room(power_on=False)
    assert room.poll(T0, D("-1")) == none(RelayReason.ARREARS)
    assert room.state.off_since == T0
    assert room.state.holds_open
    assert room.poll(T0 + 10 * MIN, D("10")).action is RelayAction.RESTORE


def test_already_off_during_keep_on_is_not_taken_over() -> None:
    room = Room(power_on=False)
    keep_on = KeepOnStatus(KeepOnReason.WEEKEND, T0 + 60 * MIN)
    assert room.poll(T0, D("-1"), keep_on) == none(RelayReason.OFF_BY_OTHER)
    assert not room.state.holds_open


def test_manual_keep_on_restores_a_cut_room_then_cut_resumes() -> None:
    room = Room()
    room.poll(T0, D("-1"))
    manual = KeepOnStatus(KeepOnReason.MANUAL, T0 + 120 * MIN)
    assert room.poll(T0 + MIN, D("-1"), manual) == none(
        RelayReason.MIN_OFF_TIME, T0 + 5 * MIN
    )
    assert room.poll(T0 + 5 * MIN, D("-1"), manual) == RelayDecision(
        RelayAction.RESTORE, RelayReason.MANUAL_KEEP_ON
    )
    assert room.poll(T0 + 6 * MIN, D("-1"), manual).reason is RelayReason.KEEP_ON
    assert room.poll(T0 + 120 * MIN, D("-1")).action is RelayAction.WARN_BEFORE_CUT
    assert room.poll(T0 + 121 * MIN, D("-1")).action is RelayAction.CUT


def test_manual_keep_on_restore_still_warns_when_no_poll_falls_inside_it() -> None:
    room = Room()
    room.poll(T0, D("-1"))
    manual = KeepOnStatus(KeepOnReason.MANUAL, T0 + 60 * MIN)
    assert room.poll(T0 + 10 * MIN, D("-1"), manual) == RelayDecision(
        RelayAction.RESTORE, RelayReason.MANUAL_KEEP_ON
    )
    # The next poll comes after the keep-on: warn first, cut after the warning.
    assert room.poll(T0 + 61 * MIN, D("-1")).action is RelayAction.WARN_BEFORE_CUT


def test_weekend_keep_on_does_not_restore_a_cut_room() -> None:
    room = Room()
    room.poll(T0, D("-1"))
    weekend = KeepOnStatus(KeepOnReason.WEEKEND, T0 + 600 * MIN)
    assert room.poll(T0 + 30 * MIN, D("-1"), weekend) == none(
        RelayReason.BELOW_RECONNECT_LEVEL
    )


def test_vacant_room_open_policy() -> None:
    room = Room(settings=RelaySettings(vacant_policy=VacantPolicy.OPEN))
    assert room.poll(T0, None) == RelayDecision(
        RelayAction.CUT, RelayReason.VACANT_OPEN
    )
    assert room.poll(T0 + 60 * MIN, None) == none(RelayReason.VACANT_OPEN)
    # A new tenant with credit moves in.
    assert room.poll(T0 + 61 * MIN, D("100")) == RelayDecision(
        RelayAction.RESTORE, RelayReason.RECHARGED
    )


def test_vacant_room_charged_to_landlord() -> None:
    settings = RelaySettings(vacant_policy=VacantPolicy.CHARGE_LANDLORD)
    assert Room(settings=settings).poll(T0, None) == none(RelayReason.OK)
    # The last tenant left in arrears: the room is powered again, on the landlord.
    room = Room(settings=settings)
    room.poll(T0, D("-3"))
    assert room.poll(T0 + 10 * MIN, None) == RelayDecision(
        RelayAction.RESTORE, RelayReason.VACANT_CHARGE_LANDLORD
    )


def test_failed_command_is_retried_then_reported_then_retried_after_backoff() -> None:
    settings = RelaySettings(command_attempts=3, failure_backoff=60 * MIN)
    state, decision = decide(
        now=T0,
        balance=D("-1"),
        power_on=True,
        keep_on=None,
        settings=settings,
        state=RelayPolicyState(),
    )
    assert decision.action is RelayAction.CUT
    outcomes: list[CommandResult] = []
    for _ in range(3):
        state, result = command_result(
            now=T0,
            action=RelayAction.CUT,
            confirmed=False,
            settings=settings,
            state=state,
        )
        outcomes.append(result)
    assert outcomes == [
        CommandResult(CommandOutcome.RETRY, 2),
        CommandResult(CommandOutcome.RETRY, 1),
        CommandResult(CommandOutcome.REPORT, 0),
    ]
    state, decision = decide(
        now=T0 + 30 * MIN,
        balance=D("-1"),
        power_on=True,
        keep_on=None,
        settings=settings,
        state=state,
    )
    assert decision == none(RelayReason.COMMAND_FAILED, T0 + 60 * MIN)
    state, decision = decide(
        now=T0 + 60 * MIN,
        balance=D("-1"),
        power_on=True,
        keep_on=None,
        settings=settings,
        state=state,
    )
    assert decision == RelayDecision(RelayAction.CUT, RelayReason.ARREARS)
    state, result = command_result(
        now=T0 + 60 * MIN,
        action=RelayAction.CUT,
        confirmed=True,
        settings=settings,
        state=state,
    )
    assert result == CommandResult(CommandOutcome.CONFIRMED, 3)
    assert state.off_since == T0 + 60 * MIN


def test_a_failed_cut_holds_nothing_open_while_the_relay_is_on() -> None:
    room = Room(settings=RelaySettings(command_attempts=1, failure_backoff=10 * MIN))
    room.relay_works = False
    assert room.poll(T0, D("-1")).action is RelayAction.CUT
    assert room.power_on
    assert room.poll(
        T0 + 10 * MIN, D("-1"), KeepOnStatus(KeepOnReason.WEEKEND, None)
    ) == none(RelayReason.KEEP_ON)
    assert not room.state.holds_open


def test_failed_restore_keeps_the_hold_and_tries_again() -> None:
    room = Room(settings=RelaySettings(command_attempts=1, failure_backoff=10 * MIN))
    room.poll(T0, D("-1"))
    room.relay_works = False
    assert room.poll(T0 + 5 * MIN, D("10")).action is RelayAction.RESTORE
    assert not room.power_on
    assert room.state.holds_open
    assert room.poll(T0 + 6 * MIN, D("10")) == none(
        RelayReason.COMMAND_FAILED, T0 + 15 * MIN
    )
    room.relay_works = True
    assert room.poll(T0 + 15 * MIN, D("10")).action is RelayAction.RESTORE
    assert room.power_on


@pytest.mark.parametrize(
    "kwargs",
    [
        {"credit_limit": D("1"), "reconnect_level": D("0")},
        {"max_operations_per_hour": 0},
        {"command_attempts": 0},
        {"min_off_time": timedelta(seconds=-1)},
    ],
)
def test_invalid_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidRelaySettings):
        RelaySettings(**kwargs)  # type: ignore[arg-type]


def test_naive_clock_and_non_commands_are_rejected() -> None:
    with pytest.raises(InvalidRelaySettings):
        decide(
            now=datetime(2025, 11, 5),
            balance=D(1),
            power_on=True,
            keep_on=None,
            settings=SETTINGS,
            state=RelayPolicyState(),
        )
    with pytest.raises(InvalidRelaySettings):
        command_result(
            now=T0,
            action=RelayAction.NONE,
            confirmed=True,
            settings=SETTINGS,
            state=RelayPolicyState(),
        )


KEEP_ON = st.none() | st.sampled_from(list(KeepOnReason))


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=30),  # minutes since the last poll
            st.none() | st.integers(min_value=-500, max_value=1500),  # cents
            KEEP_ON,
            st.booleans(),  # relay read-back works
        ),
        max_size=60,
    ),
    st.sampled_from(list(VacantPolicy)),
)
def test_invariants_over_random_histories(
    steps: list[tuple[int, int | None, KeepOnReason | None, bool]], vacant: VacantPolicy
) -> None:
    settings = RelaySettings(
        reconnect_level=D("5.00"),
        min_off_time=10 * MIN,
        max_operations_per_hour=4,
        command_attempts=2,
        vacant_policy=vacant,
    )
    room = Room(settings=settings)
    now = T0
    operations: list[datetime] = []
    for minutes, cents, keep_on_reason, works in steps:
        now += minutes * MIN
        balance = None if cents is None else D(cents).scaleb(-2)
        keep_on = None if keep_on_reason is None else KeepOnStatus(keep_on_reason, None)
        room.relay_works = works
        off_since = room.state.off_since
        decision = room.poll(now, balance, keep_on)
        if decision.action is RelayAction.CUT:
            assert keep_on is None
        if decision.action is RelayAction.RESTORE:
            assert off_since is not None
            assert now - off_since >= settings.min_off_time
            if keep_on_reason is not KeepOnReason.MANUAL and balance is not None:
                assert balance >= settings.reconnect_level
            if balance is None:
                assert (
                    vacant is VacantPolicy.CHARGE_LANDLORD
                    or keep_on_reason is KeepOnReason.MANUAL
                )
        if decision.action in (RelayAction.CUT, RelayAction.RESTORE):
            operations.append(now)
            recent = [op for op in operations if op > now - timedelta(hours=1)]
            assert len(recent) <= settings.max_operations_per_hour
