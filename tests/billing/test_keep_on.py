"""Keep-on rules against explicit instants: weekends, China's calendar, hours, manual."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, strategies as st
import pytest

from custom_components.yunjing.billing.keep_on import (
    DailyWindow,
    InvalidKeepOnRules,
    KeepOnReason,
    KeepOnRules,
    KeepOnStatus,
    TodaysCalendar,
    keep_on_reason,
    keep_on_status,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CN_2025 = holidays.country_holidays("CN", years=2025)
EVENINGS = DailyWindow(time(18), time(9))


def at(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    micro: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=SHANGHAI)


def reason(
    now: datetime, rules: KeepOnRules, tenant: str = "t1", room: str = "r1"
) -> KeepOnReason | None:
    return keep_on_reason(now, SHANGHAI, rules, tenant, room)


def status(
    now: datetime, rules: KeepOnRules, tenant: str = "t1", room: str = "r1"
) -> KeepOnStatus | None:
    return keep_on_status(now, SHANGHAI, rules, tenant, room)


def test_no_rules_no_keep_on() -> None:
    assert status(at(2025, 11, 1, 12), KeepOnRules()) is None


def test_weekend_option() -> None:
    rules = KeepOnRules(weekends=True)
    # 2025-11-01 is a Saturday; keep-on runs to Monday 00:00 local.
    assert status(at(2025, 11, 1, 12), rules) == KeepOnStatus(
        KeepOnReason.WEEKEND, at(2025, 11, 3, 0)
    )
    assert reason(at(2025, 11, 2, 23, 59, 59), rules) is KeepOnReason.WEEKEND
    assert reason(at(2025, 10, 31, 23, 59, 59), rules) is None
    assert reason(at(2025, 11, 3, 0), rules) is None
    assert reason(at(2025, 11, 1, 12), KeepOnRules(weekends=False)) is None
    # The weekend is a local one: Friday 16:00 UTC is Saturday 00:00 in Shanghai.
    assert reason(datetime(2025, 10, 31, 16, tzinfo=UTC), rules) is KeepOnReason.WEEKEND
    assert reason(datetime(2025, 10, 31, 15, 59, tzinfo=UTC), rules) is None


def test_what_the_holidays_package_says_about_china_2025() -> None:
    """The calendar facts the next tests rely on, checked against the package."""
    assert date(2025, 10, 1) in CN_2025
    assert date(2025, 10, 8) in CN_2025  # holiday in lieu of Saturday 10-11
    assert date(2025, 9, 28) not in CN_2025
    assert date(2025, 9, 28).weekday() == 6  # a Sunday ...
    assert CN_2025.is_working_day(date(2025, 9, 28))  # ... that is a make-up workday
    assert CN_2025.is_working_day(date(2025, 10, 11))  # Saturday make-up workday
    assert not CN_2025.is_working_day(date(2025, 10, 4))


CHINA = KeepOnRules(
    weekends=True,
    is_holiday=lambda day: day in CN_2025,
    is_workday=CN_2025.is_working_day,
)


def test_chinese_holiday_keeps_power_on_through_golden_week() -> None:
    assert status(at(2025, 10, 1, 10), CHINA) == KeepOnStatus(
        KeepOnReason.HOLIDAY, at(2025, 10, 9, 0)
    )
    assert reason(at(2025, 10, 4, 10), CHINA) is KeepOnReason.WEEKEND
    assert reason(at(2025, 10, 8, 23, 59), CHINA) is KeepOnReason.HOLIDAY
    assert reason(at(2025, 10, 9, 0), CHINA) is None


def test_make_up_workday_on_a_weekend_allows_a_cut() -> None:
    assert reason(at(2025, 9, 28, 10), CHINA) is None
    assert reason(at(2025, 10, 11, 10), CHINA) is None
    assert reason(at(2025, 9, 27, 10), CHINA) is KeepOnReason.WEEKEND
    # Saturday 09-27 keep-on ends at midnight: Sunday 09-28 is a workday.
    assert status(at(2025, 9, 27, 10), CHINA) == KeepOnStatus(
        KeepOnReason.WEEKEND, at(2025, 9, 28, 0)
    )
    # Without a workday calendar the Sunday is an ordinary weekend day.
    plain = KeepOnRules(weekends=True, is_holiday=lambda day: day in CN_2025)
    assert reason(at(2025, 9, 28, 10), plain) is KeepOnReason.WEEKEND


def test_a_workday_entity_alone_can_be_the_holiday_calendar() -> None:
    """The glue may pass "not a workday" as is_holiday, with the weekend option off."""
    rules = KeepOnRules(is_holiday=lambda day: not CN_2025.is_working_day(day))
    assert reason(at(2025, 10, 4, 10), rules) is KeepOnReason.HOLIDAY
    assert reason(at(2025, 9, 28, 10), rules) is None
    assert status(at(2025, 10, 1, 10), rules) == KeepOnStatus(
        KeepOnReason.HOLIDAY, at(2025, 10, 9, 0)
    )


def test_landlord_dates() -> None:
    rules = KeepOnRules(extra_dates=frozenset({date(2025, 11, 5)}))
    assert status(at(2025, 11, 5, 0), rules) == KeepOnStatus(
        KeepOnReason.HOLIDAY, at(2025, 11, 6, 0)
    )
    assert reason(at(2025, 11, 4, 23, 59, 59), rules) is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2025, 11, 5, 17, 59, 59, 999999), None),
        (
            at(2025, 11, 5, 18),
            KeepOnStatus(KeepOnReason.PROTECTED_HOURS, at(2025, 11, 6, 9)),
        ),
        (
            at(2025, 11, 5, 23, 59, 59),
            KeepOnStatus(KeepOnReason.PROTECTED_HOURS, at(2025, 11, 6, 9)),
        ),
        (
            at(2025, 11, 6, 0),
            KeepOnStatus(KeepOnReason.PROTECTED_HOURS, at(2025, 11, 6, 9)),
        ),
        (
            at(2025, 11, 6, 8, 59, 59, 999999),
            KeepOnStatus(KeepOnReason.PROTECTED_HOURS, at(2025, 11, 6, 9)),
        ),
        (at(2025, 11, 6, 9), None),
        (at(2025, 11, 6, 12), None),
        # 10:00 UTC is 18:00 in Shanghai.
        (
            datetime(2025, 11, 5, 10, tzinfo=UTC),
            KeepOnStatus(KeepOnReason.PROTECTED_HOURS, at(2025, 11, 6, 9)),
        ),
    ],
)
def test_protected_hours_across_midnight_at_the_boundaries(
    now: datetime, expected: KeepOnStatus | None
) -> None:
    assert status(now, KeepOnRules(protected_hours=EVENINGS)) == expected


def test_protected_hours_joined_with_a_weekend() -> None:
    rules = KeepOnRules(weekends=True, protected_hours=EVENINGS)
    # Friday evening runs into the weekend, then into Monday morning.
    assert status(at(2025, 10, 31, 18), rules) == KeepOnStatus(
        KeepOnReason.PROTECTED_HOURS, at(2025, 11, 3, 9)
    )


def test_protected_hours_within_a_day() -> None:
    rules = KeepOnRules(protected_hours=DailyWindow(time(12), time(14)))
    assert reason(at(2025, 11, 5, 11, 59), rules) is None
    assert status(at(2025, 11, 5, 12), rules) == KeepOnStatus(
        KeepOnReason.PROTECTED_HOURS, at(2025, 11, 5, 14)
    )
    assert reason(at(2025, 11, 5, 14), rules) is None


def test_protected_hours_over_a_dst_change() -> None:
    rules = KeepOnRules(protected_hours=DailyWindow(time(22), time(6)))
    # Berlin springs forward in the night of 2025-03-30: 06:00 CEST is 04:00 UTC.
    now = datetime(2025, 3, 29, 23, tzinfo=BERLIN)
    result = keep_on_status(now, BERLIN, rules, "t1", "r1")
    assert result == KeepOnStatus(
        KeepOnReason.PROTECTED_HOURS, datetime(2025, 3, 30, 4, tzinfo=UTC)
    )


def test_manual_keep_on_per_tenant_and_per_room_until_expiry() -> None:
    until = at(2025, 11, 5, 12)
    rules = KeepOnRules(
        manual_tenants={"t1": until}, manual_rooms={"r9": at(2025, 11, 5, 15)}
    )
    assert status(at(2025, 11, 5, 11, 59, 59), rules) == KeepOnStatus(
        KeepOnReason.MANUAL, until
    )
    assert reason(at(2025, 11, 5, 12), rules) is None
    assert reason(at(2025, 11, 5, 11), rules, tenant="t2") is None
    assert status(at(2025, 11, 5, 11), rules, tenant="t2", room="r9") == KeepOnStatus(
        KeepOnReason.MANUAL, at(2025, 11, 5, 15)
    )
    # A vacant room (no tenant) still honours its room keep-on.
    assert (
        keep_on_reason(at(2025, 11, 5, 11), SHANGHAI, rules, None, "r9")
        is KeepOnReason.MANUAL
    )


def test_manual_keep_on_running_into_protected_hours() -> None:
    rules = KeepOnRules(
        protected_hours=EVENINGS, manual_tenants={"t1": at(2025, 11, 5, 20)}
    )
    assert status(at(2025, 11, 5, 17), rules) == KeepOnStatus(
        KeepOnReason.MANUAL, at(2025, 11, 6, 9)
    )


def test_keep_on_without_end_in_sight() -> None:
    rules = KeepOnRules(is_holiday=lambda _day: True)
    assert status(at(2025, 11, 5, 17), rules) == KeepOnStatus(
        KeepOnReason.HOLIDAY, None
    )


def test_invalid_input() -> None:
    with pytest.raises(InvalidKeepOnRules):
        DailyWindow(time(9), time(9))
    with pytest.raises(InvalidKeepOnRules):
        keep_on_reason(datetime(2025, 11, 5, 12), SHANGHAI, KeepOnRules(), "t1", "r1")
    with pytest.raises(InvalidKeepOnRules):
        KeepOnRules(manual_rooms={"r1": datetime(2025, 11, 5, 12)})


@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2025, 12, 31)
    ),
    weekends=st.booleans(),
    window=st.none()
    | st.tuples(st.integers(0, 23), st.integers(0, 23)).filter(lambda w: w[0] != w[1]),
    manual_hours=st.none() | st.integers(1, 100),
    probe=st.integers(0, 1000),
)
def test_keep_on_holds_without_a_gap_until_its_end(
    start: datetime,
    weekends: bool,
    window: tuple[int, int] | None,
    manual_hours: int | None,
    probe: int,
) -> None:
    now = start.replace(tzinfo=SHANGHAI)
    rules = KeepOnRules(
        weekends=weekends,
        is_holiday=lambda day: day in CN_2025,
        is_workday=CN_2025.is_working_day,
        protected_hours=None
        if window is None
        else DailyWindow(time(window[0]), time(window[1])),
        manual_tenants={}
        if manual_hours is None
        else {"t1": now + timedelta(hours=manual_hours)},
    )
    result = status(now, rules)
    if result is None:
        return
    assert result.ends_at is not None
    assert result.ends_at > now
    assert reason(result.ends_at, rules) is None
    inside = now + (result.ends_at - now) * probe / 1000
    if inside < result.ends_at:
        assert reason(inside, rules) is not None


def _rules(calendar: TodaysCalendar) -> KeepOnRules:
    return KeepOnRules(
        weekends=True, is_holiday=calendar.is_holiday, is_workday=calendar.is_workday
    )


def test_a_workday_sensor_speaks_for_today_only() -> None:
    # National Day 2025-10-01 (a Wednesday): the sensor is off on a weekday.
    national_day = _rules(TodaysCalendar.from_workday_sensor(date(2025, 10, 1), False))
    assert reason(at(2025, 10, 1, 10), national_day) is KeepOnReason.HOLIDAY
    # The search for the end sees tomorrow as an ordinary Thursday.
    assert status(at(2025, 10, 1, 10), national_day) == KeepOnStatus(
        KeepOnReason.HOLIDAY, at(2025, 10, 2, 0)
    )
    # Saturday 2025-10-11 is a make-up workday: the sensor is on, no weekend keep-on.
    make_up = _rules(TodaysCalendar.from_workday_sensor(date(2025, 10, 11), True))
    assert reason(at(2025, 10, 11, 10), make_up) is None
    assert reason(at(2025, 10, 12, 10), make_up) is KeepOnReason.WEEKEND
    # Off on a Sunday is just the weekend.
    sunday = _rules(TodaysCalendar.from_workday_sensor(date(2025, 10, 12), False))
    assert reason(at(2025, 10, 12, 10), sunday) is KeepOnReason.WEEKEND


def test_a_calendar_event_in_progress_makes_today_a_holiday() -> None:
    event = _rules(TodaysCalendar.from_calendar(date(2025, 10, 1), True))
    assert reason(at(2025, 10, 1, 10), event) is KeepOnReason.HOLIDAY
    assert reason(at(2025, 10, 2, 10), event) is None
    no_event = _rules(TodaysCalendar.from_calendar(date(2025, 10, 1), False))
    assert reason(at(2025, 10, 1, 10), no_event) is None
    # Nothing known: weekdays work and weekends are weekends.
    unknown = _rules(TodaysCalendar(date(2025, 10, 11)))
    assert reason(at(2025, 10, 11, 10), unknown) is KeepOnReason.WEEKEND
    assert reason(at(2025, 10, 13, 10), unknown) is None
