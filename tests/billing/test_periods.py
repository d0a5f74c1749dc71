"""Billing periods: clamping of the billing day and DST."""

from datetime import UTC, date, datetime, timedelta
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.periods import PeriodCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def test_billing_day_31_clamps_and_comes_back() -> None:
    calendar = PeriodCalendar(31, SHANGHAI)
    period = calendar.containing_date(date(2023, 1, 31))
    starts = [period.start_date]
    for _ in range(4):
        period = calendar.period(period.key + 1)
        starts.append(period.start_date)
    assert starts == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
        date(2023, 5, 31),
    ]


def test_leap_february() -> None:
    calendar = PeriodCalendar(30, SHANGHAI)
    assert calendar.containing_date(date(2024, 3, 1)).start_date == date(2024, 2, 29)


def test_twelve_periods_a_year_none_skipped_or_merged() -> None:
    for day in (1, 15, 28, 29, 30, 31):
        calendar = PeriodCalendar(day, SHANGHAI)
        first = calendar.containing_date(date(2023, 1, 1) + timedelta(days=40))
        periods = [calendar.period(first.key + n) for n in range(12)]
        assert len({p.start_date.month for p in periods}) == 12
        for before, after in itertools.pairwise(periods):
            assert before.end == after.start


def test_period_start_is_local_midnight_in_utc() -> None:
    period = PeriodCalendar(1, SHANGHAI).containing(datetime(2024, 5, 10, tzinfo=UTC))
    assert period.start == datetime(2024, 4, 30, 16, tzinfo=UTC)
    assert period.end == datetime(2024, 5, 31, 16, tzinfo=UTC)


def test_period_containing_a_dst_change() -> None:
    # Berlin leaves summer time on 2023-10-29; the period is one hour longer.
    period = PeriodCalendar(15, BERLIN).containing(
        datetime(2023, 10, 29, 12, tzinfo=UTC)
    )
    assert period.start == datetime(2023, 10, 14, 22, tzinfo=UTC)
    assert period.end == datetime(2023, 11, 14, 23, tzinfo=UTC)


def test_boundary_instant_belongs_to_the_new_period() -> None:
    calendar = PeriodCalendar(1, SHANGHAI)
    boundary = datetime(2024, 1, 31, 16, tzinfo=UTC)
    assert calendar.containing(boundary).start_date == date(2024, 2, 1)
    assert calendar.containing(boundary - timedelta(microseconds=1)).start_date == date(
        2024, 1, 1
    )


@pytest.mark.parametrize("day", [0, 32, -1])
def test_bad_billing_day(day: int) -> None:
    with pytest.raises(BillingError) as err:
        PeriodCalendar(day, SHANGHAI)
    assert err.value.code == "billing_day_invalid"


def test_naive_time_rejected() -> None:
    with pytest.raises(BillingError) as err:
        PeriodCalendar(1, SHANGHAI).containing(datetime(2024, 1, 1))
    assert err.value.code == "time_not_aware"


@given(
    st.integers(min_value=1, max_value=31),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    st.sampled_from(
        [
            "Europe/Berlin",
            "America/New_York",
            "Asia/Shanghai",
            "Australia/Lord_Howe",
            "America/Santiago",
            "Asia/Kathmandu",
        ]
    ),
)
def test_every_instant_is_in_exactly_its_period(
    day: int, moment: datetime, zone: str
) -> None:
    calendar = PeriodCalendar(day, ZoneInfo(zone))
    instant = moment.replace(tzinfo=UTC)
    period = calendar.containing(instant)
    assert period.start <= instant < period.end
    assert calendar.period(period.key + 1).start == period.end
