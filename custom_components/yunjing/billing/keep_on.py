"""Keep-on: when power must not be cut even in arrears.

Weekends (option), holidays (an injected calendar, so China's holidays and
make-up workdays come from a Home Assistant workday/calendar entity), the
landlord's own dates, protected daily hours (e.g. 18:00-09:00) and manual
keep-on for a tenant or a room until a given time. Days and hours are local
wall-clock time in the given time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# Keep-on that lasts longer than this (e.g. a calendar that never ends) has no
# known end; the search for the end stops here.
END_SEARCH_HORIZON = timedelta(days=400)
SATURDAY, SUNDAY = 5, 6


class InvalidKeepOnRules(ValueError):
    """The keep-on rules or the clock passed in are not usable."""


class KeepOnReason(StrEnum):
    """Why power is kept on; in this order of precedence."""

    MANUAL = "manual"
    HOLIDAY = "holiday"
    WEEKEND = "weekend"
    PROTECTED_HOURS = "protected_hours"


@dataclass(frozen=True)
class DailyWindow:
    """Local hours [start, end); an end at or before the start spans midnight."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise InvalidKeepOnRules("protected hours need a start and end that differ")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidKeepOnRules("protected hours are local wall-clock times")

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def _never(_day: date) -> bool:
    return False


@dataclass(frozen=True)
class TodaysCalendar:
    """What a holiday calendar or a workday sensor says, known for today only.

    A calendar with an event in progress (an all-day event: the whole day)
    makes today a holiday. A workday sensor that is off on a weekday makes
    today a holiday; on at a weekend, today is a make-up workday. Other days
    follow the weekday: Monday to Friday work.
    """

    today: date
    holiday: bool = False
    workday: bool | None = None

    @classmethod
    def from_calendar(cls, today: date, event_in_progress: bool) -> TodaysCalendar:
        return cls(today, holiday=event_in_progress)

    @classmethod
    def from_workday_sensor(cls, today: date, is_workday: bool) -> TodaysCalendar:
        return cls(
            today,
            holiday=not is_workday and today.weekday() < SATURDAY,
            workday=is_workday,
        )

    def is_holiday(self, day: date) -> bool:
        return day == self.today and self.holiday

    def is_workday(self, day: date) -> bool:
        if day == self.today and self.workday is not None:
            return self.workday
        return day.weekday() < SATURDAY


@dataclass(frozen=True, kw_only=True)
class KeepOnRules:
    """One landlord's keep-on options.

    `is_holiday` says whether a local date is a day off (public holiday or a
    holiday in lieu). `is_workday`, when given, says whether a date is a
    working day; a weekend day it calls a working day (a make-up workday) gets
    no weekend keep-on. Manual keep-on maps a tenant or room id to the moment
    it ends (aware datetime).
    """

    weekends: bool = False
    weekend_days: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    is_holiday: Callable[[date], bool] = _never
    is_workday: Callable[[date], bool] | None = None
    extra_dates: frozenset[date] = frozenset()
    protected_hours: DailyWindow | None = None
    manual_tenants: Mapping[str, datetime] = field(default_factory=dict)
    manual_rooms: Mapping[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for until in (*self.manual_tenants.values(), *self.manual_rooms.values()):
            _require_aware(until)


@dataclass(frozen=True)
class KeepOnStatus:
    """Keep-on in force: why, and the first moment it no longer applies.

    `ends_at` is None when keep-on does not end within END_SEARCH_HORIZON.
    """

    reason: KeepOnReason
    ends_at: datetime | None


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidKeepOnRules(f"{moment!r} has no time zone")


def _manual_until(
    rules: KeepOnRules, tenant_id: str | None, room_id: str | None
) -> list[datetime]:
    untils: list[datetime] = []
    if tenant_id is not None and tenant_id in rules.manual_tenants:
        untils.append(rules.manual_tenants[tenant_id])
    if room_id is not None and room_id in rules.manual_rooms:
        untils.append(rules.manual_rooms[room_id])
    return untils


def _day_reason(rules: KeepOnRules, day: date) -> KeepOnReason | None:
    if day in rules.extra_dates or rules.is_holiday(day):
        return KeepOnReason.HOLIDAY
    if (
        rules.weekends
        and day.weekday() in rules.weekend_days
        and not (rules.is_workday is not None and rules.is_workday(day))
    ):
        return KeepOnReason.WEEKEND
    return None


def keep_on_reason(
    now: datetime,
    tz: ZoneInfo,
    rules: KeepOnRules,
    tenant_id: str | None,
    room_id: str | None,
) -> KeepOnReason | None:
    """Why power must stay on at `now` for this tenant's room, or None."""
    _require_aware(now)
    if any(now < until for until in _manual_until(rules, tenant_id, room_id)):
        return KeepOnReason.MANUAL
    local = now.astimezone(tz)
    day_reason = _day_reason(rules, local.date())
    if day_reason is not None:
        return day_reason
    if rules.protected_hours is not None and rules.protected_hours.contains(
        local.time().replace(tzinfo=None)
    ):
        return KeepOnReason.PROTECTED_HOURS
    return None


def _local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _next_change(
    moment: datetime, tz: ZoneInfo, rules: KeepOnRules, manual: list[datetime]
) -> datetime | None:
    """The earliest instant after `moment` at which a rule can stop applying."""
    local = moment.astimezone(tz)
    candidates = [_local_instant(local.date() + timedelta(days=1), time(0), tz)]
    if rules.protected_hours is not None:
        for offset in (0, 1):
            day = local.date() + timedelta(days=offset)
            candidates.append(_local_instant(day, rules.protected_hours.end, tz))
    candidates.extend(manual)
    later = [c for c in candidates if c > moment]
    return min(later) if later else None


def keep_on_status(
    now: datetime,
    tz: ZoneInfo,
    rules: KeepOnRules,
    tenant_id: str | None,
    room_id: str | None,
) -> KeepOnStatus | None:
    """Keep-on in force at `now` and when it ends, or None if a cut is allowed now."""
    reason = keep_on_reason(now, tz, rules, tenant_id, room_id)
    if reason is None:
        return None
    manual = _manual_until(rules, tenant_id, room_id)
    horizon = now + END_SEARCH_HORIZON
    moment: datetime | None = now
    while moment is not None and moment < horizon:
        moment = _next_change(moment, tz, rules, manual)
        if moment is not None and (
            keep_on_reason(moment, tz, rules, tenant_id, room_id) is None
        ):
            return KeepOnStatus(reason, moment)
    return KeepOnStatus(reason, None)
