"""Splitting intervals and pricing energy with windows, tiers and quotas."""

from datetime import UTC, date, datetime, timedelta
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from custom_components.yunjing.billing.money import nanos_to_minor
from custom_components.yunjing.billing.periods import PeriodCalendar
from custom_components.yunjing.billing.pricing import (
    Pricer,
    TariffTimeline,
    allocate,
    price_energy,
)
from custom_components.yunjing.billing.tariff import RateName, Tariff, tariff_from_dict

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

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


def _pricer(tariff: Tariff, zone: ZoneInfo = SHANGHAI) -> Pricer:
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return Pricer(
        PeriodCalendar(1, zone), TariffTimeline((start,), (tariff,)), lambda _: False
    )


def _minor(tariff: Tariff, wh: int, before: int) -> int:
    return nanos_to_minor(
        sum(p.cost_nanos for p in price_energy(tariff, RateName.FLAT, wh, before)),
        "CNY",
    )


def test_tiered_120_kwh_costs_66_00() -> None:
    assert _minor(TIERED, 120_000, 0) == 6600


def test_tiered_99_to_102_kwh_costs_2_10() -> None:
    assert _minor(TIERED, 3_000, 99_000) == 210
    tiers = [(p.tier, p.wh) for p in price_energy(TIERED, RateName.FLAT, 3_000, 99_000)]
    assert tiers == [(0, 1_000), (1, 2_000)]


def test_free_quota_is_used_first() -> None:
    tariff = tariff_from_dict(
        {"kind": "flat", "rates": {"flat": "0.50"}, "free_kwh": "10"}
    )
    priced = price_energy(tariff, RateName.FLAT, 12_000, 0)
    assert [(p.wh, p.free_wh) for p in priced] == [(10_000, 10_000), (2_000, 0)]
    assert _minor(tariff, 12_000, 0) == 100


def test_tou_window_boundary_splits_an_interval() -> None:
    # 21:30-22:30 Shanghai = 13:30-14:30 UTC, 1 kWh spread evenly.
    slices = _pricer(OFF_PEAK).slices(
        datetime(2024, 1, 2, 13, 30, tzinfo=UTC),
        datetime(2024, 1, 2, 14, 30, tzinfo=UTC),
        1000,
    )
    by_rate: dict[RateName, int] = {}
    for piece in slices:
        by_rate[piece.rate] = by_rate.get(piece.rate, 0) + piece.wh
    assert by_rate == {RateName.PEAK: 500, RateName.VALLEY: 500}


def test_berlin_25_hour_day_has_two_separate_0200_hours() -> None:
    start = datetime(2023, 10, 28, 22, tzinfo=UTC)  # local midnight, 29 Oct
    end = start + timedelta(hours=25)
    slices = _pricer(OFF_PEAK, BERLIN).slices(start, end, 25_000)
    assert sum(s.wh for s in slices) == 25_000
    local_two = [s for s in slices if s.start.astimezone(BERLIN).hour == 2]
    assert {s.start.hour for s in local_two} == {0, 1}  # two distinct UTC hours
    assert sum(s.wh for s in local_two) == 2_000
    assert all(s.rate is RateName.VALLEY for s in local_two)
    assert end.astimezone(BERLIN).date() == date(2023, 10, 30)


@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=1, max_value=10**12 - 1), max_size=10),
)
def test_allocation_adds_up(wh: int, micros: int, cut_offsets: list[int]) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = start + timedelta(microseconds=micros)
    cuts = sorted(
        {start + timedelta(microseconds=o) for o in cut_offsets if o < micros}
    )
    pieces = allocate(start, end, wh, cuts)
    assert sum(p[2] for p in pieces) == wh
    assert all(p[2] >= 0 for p in pieces)


@given(
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2025, 12, 31)),
    st.integers(min_value=0, max_value=3 * 86_400_000_000),
    st.integers(min_value=0, max_value=100_000),
    st.sampled_from(
        ["Europe/Berlin", "America/Santiago", "Asia/Kathmandu", "Asia/Shanghai"]
    ),
)
def test_slices_are_contiguous_and_each_has_one_rate(
    moment: datetime, micros: int, wh: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    pricer = _pricer(OFF_PEAK, tz)
    start = moment.replace(tzinfo=UTC)
    end = start + timedelta(microseconds=micros)
    slices = pricer.slices(start, end, wh)
    assert sum(s.wh for s in slices) == wh
    assert slices[0].start == start
    assert slices[-1].end == end
    for before, after in itertools.pairwise(slices):
        assert before.end == after.start
    for piece in slices:
        last = max(piece.start, piece.end - timedelta(microseconds=1))
        for instant in (piece.start, last):
            local = instant.astimezone(tz)
            assert OFF_PEAK.rate_name_at(local.time(), holiday=False) is piece.rate
        assert piece.period.contains(piece.start)
        assert piece.start == piece.end or piece.period.contains(last)
