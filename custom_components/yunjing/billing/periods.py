"""Monthly billing periods in a local time zone.

A period starts at local midnight of the billing day and ends at local
midnight of the next month's billing day. A billing day of 29-31 is clamped to
the last day of a shorter month and comes back the month after
(Jan 31 -> Feb 28 -> Mar 31 -> Apr 30), so every month has exactly one period.
Instants are aware datetimes; boundaries are returned in UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
import functools
from zoneinfo import ZoneInfo

from .errors import BillingError


def check_billing_day(billing_day: int) -> int:
    """The billing day, if it is 1-31."""
    if (
        isinstance(billing_day, bool)
        or not isinstance(billing_day, int)
        or not 1 <= billing_day <= 31
    ):
        raise BillingError(
            "billing_day_invalid",
            "Billing day must be 1-31, got {day}",
            day=billing_day,
        )
    return billing_day


def boundary_date(year: int, month: int, billing_day: int) -> date:
    """The local date a period starts in the given month (clamped)."""
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(billing_day, last_day))


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant of local 00:00 of `day` (DST-safe)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def require_aware(instant: datetime, what: str = "time") -> datetime:
    """The instant in UTC; naive datetimes are rejected."""
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise BillingError(
            "time_not_aware",
            "{what} must be a timezone-aware datetime, got {value}",
            what=what,
            value=instant,
        )
    return instant.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """One billing period; `key` counts months (year * 12 + month - 1)."""

    key: int
    start_date: date
    end_date: date
    start: datetime
    end: datetime

    def contains(self, instant: datetime) -> bool:
        """Whether the instant lies in [start, end)."""
        return self.start <= instant < self.end


@functools.lru_cache(maxsize=1024)
def _period(billing_day: int, zone: ZoneInfo, key: int) -> Period:
    year, month_index = divmod(key, 12)
    next_year, next_index = divmod(key + 1, 12)
    start_date = boundary_date(year, month_index + 1, billing_day)
    end_date = boundary_date(next_year, next_index + 1, billing_day)
    return Period(
        key=key,
        start_date=start_date,
        end_date=end_date,
        start=local_midnight(start_date, zone),
        end=local_midnight(end_date, zone),
    )


@dataclass(frozen=True, slots=True)
class PeriodCalendar:
    """Periods for one billing day and time zone."""

    billing_day: int
    zone: ZoneInfo

    def __post_init__(self) -> None:
        check_billing_day(self.billing_day)

    def period(self, key: int) -> Period:
        """The period starting in month `key`."""
        return _period(self.billing_day, self.zone, key)

    def containing(self, instant: datetime) -> Period:
        """The period that contains the instant."""
        utc = require_aware(instant)
        local_day = utc.astimezone(self.zone).date()
        key = local_day.year * 12 + local_day.month - 1
        # The local date gives the right month except right around a boundary
        # whose midnight does not exist locally; compare instants to be sure.
        for candidate in (key - 1, key, key + 1):
            period = self.period(candidate)
            if period.contains(utc):
                return period
        raise AssertionError(f"no period contains {instant}")  # pragma: no cover

    def containing_date(self, day: date) -> Period:
        """The period that contains local date `day`."""
        return self.containing(local_midnight(day, self.zone))

    def boundaries_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Period starts strictly inside (start, end)."""
        result: list[datetime] = []
        period = self.containing(start)
        while period.end < end:
            result.append(period.end)
            period = self.period(period.key + 1)
        return result
