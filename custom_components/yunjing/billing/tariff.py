"""Tariffs: flat, time-of-use, tiered (ladder) and their combination.

One pricing rule covers every kind: the price of a kWh is the rate of the
time-of-use window it was consumed in plus the add-on of the tier the period's
cumulative energy is in. A flat tariff has one rate and no tiers; a tiered
tariff has a zero rate and tiers that carry the whole price; a TOU + tier
tariff has window rates and tier surcharges. The first `free_wh` of a period
cost nothing (they still count towards the tiers). `monthly_fee` is charged
per room and period.

Windows are local wall-clock times at minute precision, end exclusive; a
window whose end is not after its start runs across midnight. Time outside
every window gets the schedule's default rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from .errors import BillingError
from .money import parse_decimal, parse_rate, rate_micros

MINUTES_PER_DAY = 24 * 60
MAX_KWH = Decimal(10_000_000)


class RateName(StrEnum):
    """Named time-of-use rates."""

    SPIKE = "spike"
    PEAK = "peak"
    FLAT = "flat"
    VALLEY = "valley"


class TariffKind(StrEnum):
    """How a tariff prices energy."""

    FLAT = "flat"
    TOU = "tou"
    TIERED = "tiered"
    TOU_TIERED = "tou_tiered"


def _invalid(message: str, **placeholders: object) -> BillingError:
    return BillingError("tariff_invalid", message, **placeholders)


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


@dataclass(frozen=True, slots=True)
class TouWindow:
    """A daily window [start, end) at `rate`; end <= start crosses midnight."""

    start: time
    end: time
    rate: RateName

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment.second or moment.microsecond or moment.tzinfo is not None:
                raise _invalid(
                    "Window times are whole minutes, got {value}", value=moment
                )
        if self.start == self.end:
            raise _invalid(
                "Window {start}-{end} is empty", start=self.start, end=self.end
            )

    def minutes(self) -> range | tuple[range, range]:
        """The minutes of the day the window covers."""
        start, end = _minute(self.start), _minute(self.end)
        if end > start:
            return range(start, end)
        return (range(start, MINUTES_PER_DAY), range(0, end))


@dataclass(frozen=True)
class DaySchedule:
    """Time-of-use windows of one kind of day."""

    windows: tuple[TouWindow, ...] = ()
    default: RateName = RateName.FLAT

    def __post_init__(self) -> None:
        self.rate_by_minute  # noqa: B018 - validates overlaps eagerly

    @cached_property
    def rate_by_minute(self) -> tuple[RateName, ...]:
        """The rate of every minute of the day."""
        rates: list[RateName | None] = [None] * MINUTES_PER_DAY
        for window in self.windows:
            covered = window.minutes()
            ranges = covered if isinstance(covered, tuple) else (covered,)
            for minutes in ranges:
                for minute in minutes:
                    if rates[minute] is not None:
                        raise _invalid(
                            "Windows overlap at {hour:02d}:{minute:02d}",
                            hour=minute // 60,
                            minute=minute % 60,
                        )
                    rates[minute] = window.rate
        return tuple(self.default if rate is None else rate for rate in rates)

    @cached_property
    def edges(self) -> tuple[int, ...]:
        """Minutes of the day at which the rate may change (always 0)."""
        edges = {0}
        for window in self.windows:
            edges.add(_minute(window.start))
            edges.add(_minute(window.end))
        return tuple(sorted(edges))

    def rate_at(self, moment: time) -> RateName:
        """The rate at a local wall-clock time."""
        return self.rate_by_minute[_minute(moment)]

    def used_rates(self) -> set[RateName]:
        """Every rate this schedule can return."""
        return set(self.rate_by_minute)


@dataclass(frozen=True, slots=True)
class Tier:
    """A ladder step up to `up_to_wh` of the period (None: no limit).

    `price` is the whole price per kWh in a tiered tariff and the surcharge
    added to the window rate in a TOU + tier tariff.
    """

    up_to_wh: int | None
    price: Decimal


FLAT_SCHEDULE = DaySchedule()


@dataclass(frozen=True, kw_only=True)
class Tariff:
    """A complete, validated tariff."""

    kind: TariffKind
    rates: Mapping[RateName, Decimal] = field(default_factory=dict)
    workday: DaySchedule = FLAT_SCHEDULE
    holiday: DaySchedule | None = None
    tiers: tuple[Tier, ...] = ()
    free_wh: int = 0
    monthly_fee: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name, rate in self.rates.items():
            RateName(name)
            parse_rate(rate, f"rate {name}")
        for tier in self.tiers:
            parse_rate(tier.price, "tier price")
        if self.kind in (TariffKind.FLAT, TariffKind.TOU, TariffKind.TOU_TIERED):
            needed = self.workday.used_rates()
            if self.holiday is not None:
                needed |= self.holiday.used_rates()
            missing = sorted(needed - set(self.rates))
            if missing:
                raise _invalid("No price for rate {rates}", rates=", ".join(missing))
        if self.kind is TariffKind.FLAT and (
            set(self.rates) != {RateName.FLAT} or self.workday.windows or self.holiday
        ):
            raise _invalid("A flat tariff has exactly one rate and no windows")
        if self.kind is TariffKind.TIERED and (
            self.rates or self.workday.windows or self.holiday
        ):
            raise _invalid("A tiered tariff prices by tier only")
        has_tiers = self.kind in (TariffKind.TIERED, TariffKind.TOU_TIERED)
        if has_tiers != bool(self.tiers):
            raise _invalid("Tiers are required by {kind} tariffs only", kind=self.kind)
        if self.tiers:
            limits = [tier.up_to_wh for tier in self.tiers]
            if limits[-1] is not None or None in limits[:-1]:
                raise _invalid("Only the last tier is unlimited, and it must be")
            bounded = [limit for limit in limits[:-1] if limit is not None]
            if any(b <= a for a, b in zip([0, *bounded], bounded, strict=False)):
                raise _invalid("Tier limits must increase and be above zero")
        if (
            isinstance(self.free_wh, bool)
            or not isinstance(self.free_wh, int)
            or self.free_wh < 0
        ):
            raise _invalid(
                "Free quota must be zero or more Wh, got {value}", value=self.free_wh
            )
        fee = self.monthly_fee
        if not isinstance(fee, Decimal) or not fee.is_finite() or fee < 0:
            raise _invalid(
                "Monthly fee must be a non-negative Decimal, got {value}", value=fee
            )

    def schedule(self, holiday: bool) -> DaySchedule:
        """The schedule of a workday or a holiday."""
        if holiday and self.holiday is not None:
            return self.holiday
        return self.workday

    def rate_name_at(self, moment: time, holiday: bool) -> RateName:
        """The named rate at a local wall-clock time."""
        return self.schedule(holiday).rate_at(moment)

    def rate_micros(self, rate: RateName) -> int:
        """The window rate per kWh in millionths (0 for tiered tariffs)."""
        if self.kind is TariffKind.TIERED:
            return 0
        return rate_micros(self.rates[rate])

    @cached_property
    def tier_micros(self) -> tuple[tuple[int | None, int], ...]:
        """(limit Wh, add-on per kWh in millionths) of every tier."""
        if not self.tiers:
            return ((None, 0),)
        return tuple((tier.up_to_wh, rate_micros(tier.price)) for tier in self.tiers)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form that `tariff_from_dict` reads back."""
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is not TariffKind.TIERED:
            data["rates"] = {name.value: str(rate) for name, rate in self.rates.items()}
        if self.kind in (TariffKind.TOU, TariffKind.TOU_TIERED):
            data["workday"] = _schedule_dict(self.workday)
            data["holiday"] = (
                None if self.holiday is None else _schedule_dict(self.holiday)
            )
        if self.tiers:
            key = "price" if self.kind is TariffKind.TIERED else "surcharge"
            data["tiers"] = [
                {
                    "up_to_kwh": None
                    if tier.up_to_wh is None
                    else _kwh_text(tier.up_to_wh),
                    key: str(tier.price),
                }
                for tier in self.tiers
            ]
        data["free_kwh"] = _kwh_text(self.free_wh)
        data["monthly_fee"] = str(self.monthly_fee)
        return data


def _kwh_text(wh: int) -> str:
    kwh = Decimal(wh).scaleb(-3).normalize()
    return f"{kwh:f}"


def _schedule_dict(schedule: DaySchedule) -> dict[str, Any]:
    return {
        "default": schedule.default.value,
        "windows": [
            {
                "start": window.start.strftime("%H:%M"),
                "end": window.end.strftime("%H:%M"),
                "rate": window.rate.value,
            }
            for window in schedule.windows
        ],
    }


def flat_tariff(
    rate: str | Decimal,
    *,
    free_kwh: str | Decimal = "0",
    monthly_fee: str | Decimal = "0",
) -> Tariff:
    """One price for every kWh."""
    return tariff_from_dict(
        {
            "kind": "flat",
            "rates": {"flat": rate},
            "free_kwh": free_kwh,
            "monthly_fee": monthly_fee,
        }
    )


def tariff_from_dict(data: Mapping[str, Any]) -> Tariff:
    """Build and validate a tariff from its dict form (see `Tariff.as_dict`)."""
    if not isinstance(data, Mapping):
        raise _invalid("A tariff must be a mapping")
    try:
        kind = TariffKind(str(data.get("kind")))
    except ValueError:
        raise _invalid("Unknown tariff kind {kind}", kind=data.get("kind")) from None
    known = {"kind", "rates", "workday", "holiday", "tiers", "free_kwh", "monthly_fee"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _invalid("Unknown tariff fields {fields}", fields=", ".join(unknown))
    rates = {
        _rate_name(name): parse_rate(_text(value), f"rate {name}")
        for name, value in _mapping(data.get("rates", {}), "rates").items()
    }
    workday = FLAT_SCHEDULE
    holiday = None
    if kind in (TariffKind.TOU, TariffKind.TOU_TIERED):
        workday = _schedule(data.get("workday"), "workday")
        if data.get("holiday") is not None:
            holiday = _schedule(data["holiday"], "holiday")
    tiers: tuple[Tier, ...] = ()
    if kind in (TariffKind.TIERED, TariffKind.TOU_TIERED):
        price_key = "price" if kind is TariffKind.TIERED else "surcharge"
        raw_tiers = data.get("tiers")
        if not isinstance(raw_tiers, list | tuple) or not raw_tiers:
            raise _invalid("Tiers must be a non-empty list")
        tiers = tuple(
            Tier(
                up_to_wh=None
                if _mapping(raw, "tier").get("up_to_kwh") is None
                else _wh(raw["up_to_kwh"], "tier limit"),
                price=parse_rate(_text(raw.get(price_key)), f"tier {price_key}"),
            )
            for raw in raw_tiers
        )
    fee_text = _text(data.get("monthly_fee", "0"))
    try:
        monthly_fee = parse_rate(fee_text, "monthly fee")
    except BillingError as err:
        raise _invalid("Monthly fee {value} is invalid", value=fee_text) from err
    return Tariff(
        kind=kind,
        rates=rates,
        workday=workday,
        holiday=holiday,
        tiers=tiers,
        free_wh=_wh(data.get("free_kwh", "0"), "free quota"),
        monthly_fee=monthly_fee,
    )


def _text(value: Any) -> str | Decimal | int:
    if isinstance(value, str | Decimal | int) and not isinstance(value, bool):
        return value
    raise _invalid("Expected a decimal string, got {value!r}", value=value)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _invalid("{what} must be a mapping", what=what)
    return value


def _rate_name(name: Any) -> RateName:
    try:
        return RateName(name)
    except ValueError:
        raise _invalid("Unknown rate name {name}", name=name) from None


def _wh(value: Any, what: str) -> int:
    kwh = parse_decimal(_text(value), what)
    wh = kwh * 1000
    if kwh < 0 or kwh > MAX_KWH or wh != wh.to_integral_value():
        raise _invalid(
            "{what} {value} kWh must be whole Wh between 0 and {limit} kWh",
            what=what,
            value=value,
            limit=MAX_KWH,
        )
    return int(wh)


def _time(value: Any) -> time:
    if isinstance(value, str):
        try:
            hours, minutes = value.split(":")
            if hours == "24" and minutes == "00":
                return time(0)
            return time(int(hours), int(minutes))
        except ValueError:
            pass
    raise _invalid("Time {value!r} must be HH:MM", value=value)


def _schedule(value: Any, what: str) -> DaySchedule:
    raw = _mapping(value, what)
    windows = tuple(
        TouWindow(
            start=_time(_mapping(window, "window").get("start")),
            end=_time(window.get("end")),
            rate=_rate_name(window.get("rate")),
        )
        for window in raw.get("windows", [])
    )
    return DaySchedule(windows=windows, default=_rate_name(raw.get("default", "flat")))
