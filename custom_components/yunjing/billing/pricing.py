"""Splitting consumption intervals and pricing energy.

Split rule (the one used for TOU windows, tariff changes, hours and billing
periods alike): the Wh of a delta are spread evenly over its interval
(constant power), and a piece ending t microseconds after the start gets
floor(wh * t / total) - (what earlier pieces got), so the pieces add up to the
delta exactly. A delta of zero duration is priced at its start.

Intervals are cut at every UTC quarter hour (the local offset is constant
inside one: time zones change offset only at quarter-hour instants), at
billing-period starts, at tariff changes, and at the local time-of-use edges.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
import itertools
from zoneinfo import ZoneInfo

from .errors import BillingError
from .periods import Period, PeriodCalendar
from .tariff import RateName, Tariff

QUARTER_HOUR = timedelta(minutes=15)
MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

type HolidayRule = Callable[[date], bool]


def weekend_is_holiday(day: date) -> bool:
    """Default holiday rule: Saturdays and Sundays."""
    return day.weekday() >= 5


@dataclass(frozen=True, slots=True)
class TimedSlice:
    """Part of a delta with one period, tariff and named rate."""

    start: datetime
    end: datetime
    wh: int
    period: Period
    tariff: Tariff
    rate: RateName


@dataclass(frozen=True, slots=True)
class PricedEnergy:
    """Energy of one rate and tier and its exact cost in nano units."""

    rate: RateName
    tier: int
    wh: int
    free_wh: int
    cost_nanos: int


@dataclass(frozen=True, slots=True)
class TariffTimeline:
    """Tariffs in force from UTC instants, sorted by instant."""

    starts: tuple[datetime, ...]
    tariffs: tuple[Tariff, ...]

    def at(self, instant: datetime) -> Tariff | None:
        """The tariff in force at the instant, if any."""
        index = bisect_right(self.starts, instant) - 1
        return self.tariffs[index] if index >= 0 else None

    def changes_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Tariff changes strictly inside (start, end)."""
        return [moment for moment in self.starts if start < moment < end]


def _ceil_quarter(instant: datetime) -> datetime:
    quarters = -(-(instant - EPOCH) // QUARTER_HOUR)
    return EPOCH + quarters * QUARTER_HOUR


def allocate(
    start: datetime, end: datetime, wh: int, cuts: Sequence[datetime]
) -> list[tuple[datetime, datetime, int]]:
    """Spread `wh` over [start, end) cut at `cuts` (the split rule)."""
    total = (end - start) // MICROSECOND
    if total <= 0:
        return [(start, end, wh)]
    points = [start, *cuts, end]
    pieces: list[tuple[datetime, datetime, int]] = []
    given = 0
    for piece_start, piece_end in itertools.pairwise(points):
        upto = wh * ((piece_end - start) // MICROSECOND) // total
        pieces.append((piece_start, piece_end, upto - given))
        given = upto
    return pieces


@dataclass(frozen=True, slots=True)
class Pricer:
    """Where and how energy of an interval is priced."""

    calendar: PeriodCalendar
    timeline: TariffTimeline
    is_holiday: HolidayRule

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone."""
        return self.calendar.zone

    def _edges(self, start: datetime, end: datetime, tariff: Tariff) -> list[datetime]:
        local = start.astimezone(self.zone)
        offset = local.utcoffset()
        assert offset is not None
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        schedule = tariff.schedule(self.is_holiday(local.date()))
        edges: list[datetime] = []
        for minute in schedule.edges:
            edge = (midnight + timedelta(minutes=minute) - offset).replace(tzinfo=UTC)
            if start < edge < end:
                edges.append(edge)
        return edges

    def slices(self, start: datetime, end: datetime, wh: int) -> list[TimedSlice]:
        """Cut [start, end) where price may change and spread `wh` over it."""
        coarse: set[datetime] = set(self.calendar.boundaries_between(start, end))
        coarse.update(self.timeline.changes_between(start, end))
        quarter = _ceil_quarter(start)
        while quarter < end:
            if quarter > start:
                coarse.add(quarter)
            quarter += QUARTER_HOUR
        points = [start, *sorted(coarse), end]
        cuts: list[datetime] = []
        for piece_start, piece_end in itertools.pairwise(points):
            tariff = self._tariff(piece_start)
            cuts.extend(self._edges(piece_start, piece_end, tariff))
            if piece_end != end:
                cuts.append(piece_end)
        cuts.sort()
        result: list[TimedSlice] = []
        period: Period | None = None
        for piece_start, piece_end, piece_wh in allocate(start, end, wh, cuts):
            if period is None or not period.contains(piece_start):
                period = self.calendar.containing(piece_start)
            tariff = self._tariff(piece_start)
            local = piece_start.astimezone(self.zone)
            rate = tariff.rate_name_at(local.time(), self.is_holiday(local.date()))
            result.append(
                TimedSlice(piece_start, piece_end, piece_wh, period, tariff, rate)
            )
        return result

    def _tariff(self, instant: datetime) -> Tariff:
        tariff = self.timeline.at(instant)
        if tariff is None:
            raise BillingError(
                "no_tariff", "No tariff is in force at {time}", time=instant.isoformat()
            )
        return tariff


def price_energy(
    tariff: Tariff, rate: RateName, wh: int, period_wh_before: int
) -> list[PricedEnergy]:
    """Price `wh` consumed at `rate` after `period_wh_before` Wh of the period.

    The free quota is used first; tier limits count all energy of the period.
    """
    base = tariff.rate_micros(rate)
    cuts = {period_wh_before, period_wh_before + wh}
    if period_wh_before < tariff.free_wh < period_wh_before + wh:
        cuts.add(tariff.free_wh)
    for limit, _ in tariff.tier_micros:
        if limit is not None and period_wh_before < limit < period_wh_before + wh:
            cuts.add(limit)
    points = sorted(cuts)
    priced: list[PricedEnergy] = []
    for low, high in itertools.pairwise(points):
        tier = _tier_index(tariff, low)
        add_on = tariff.tier_micros[tier][1]
        free = low < tariff.free_wh
        amount = high - low
        priced.append(
            PricedEnergy(
                rate=rate,
                tier=tier,
                wh=amount,
                free_wh=amount if free else 0,
                cost_nanos=0 if free else amount * (base + add_on),
            )
        )
    return priced


def _tier_index(tariff: Tariff, period_wh: int) -> int:
    """The tier of the Wh that follows `period_wh` Wh of the period."""
    for index, (limit, _) in enumerate(tariff.tier_micros):
        if limit is None or period_wh < limit:
            return index
    return len(tariff.tier_micros) - 1
