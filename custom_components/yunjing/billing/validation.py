"""Validation of ledger inputs and microsecond timestamps.

Every check raises `BillingError` before anything is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .errors import BillingError
from .periods import require_aware
from .records import ConsumptionDelta

MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 200
# 100 GWh: above every supported meter's counter (the DDS238-2 wraps at 42.9 GWh).
MAX_READING_WH = 10**11
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
HOUR_US = 3_600_000_000


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    delta = instant.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta // timedelta(microseconds=1)


def from_us(micros: int) -> datetime:
    """The UTC datetime of microseconds since the epoch."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def check_id(value: object, what: str) -> None:
    """An id (account, room) of 1-64 characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        raise BillingError(
            f"{what}_id_invalid",
            "The {what} id {value!r} must be 1-64 characters",
            what=what,
            value=value,
        )


def check_text(value: object, what: str) -> None:
    """A name or reason of 1-200 characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_LENGTH:
        raise BillingError(
            f"{what}_invalid", "The {what} must be 1-200 characters", what=what
        )


def check_reference(reference: object) -> None:
    """A payment reference of 1-64 characters."""
    if (
        not isinstance(reference, str)
        or not reference.strip()
        or len(reference) > MAX_ID_LENGTH
    ):
        raise BillingError(
            "reference_invalid",
            "The reference {value!r} must be 1-64 characters",
            value=reference,
        )


def parse_reading_kwh(value: str, what: str) -> int:
    """A meter reading typed in kWh ("12345.6"), as whole Wh."""
    try:
        kwh = Decimal(value.strip())
    except ArithmeticError, AttributeError:
        kwh = Decimal("NaN")
    wh = kwh * 1000 if kwh.is_finite() else kwh
    if not kwh.is_finite() or wh != wh.to_integral_value():
        raise BillingError(
            "reading_invalid",
            "The {what} {value!r} must be kWh with at most three decimals",
            what=what,
            value=value,
        )
    check_reading(int(wh), what)
    return int(wh)


def check_reading(value: object, what: str) -> None:
    """A meter reading: whole Wh, 0 or more."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_READING_WH
    ):
        raise BillingError(
            "reading_invalid",
            "The {what} {value!r} must be whole Wh, 0 or more",
            what=what,
            value=value,
        )


def check_delta(delta: ConsumptionDelta, now: datetime) -> None:
    """A consumption delta that is consistent in itself and not in the future."""
    if not isinstance(delta, ConsumptionDelta):
        raise BillingError(
            "delta_invalid", "Not a consumption delta: {value!r}", value=delta
        )
    check_reading(delta.from_reading_wh, f"from reading of room {delta.room_id}")
    check_reading(delta.to_reading_wh, f"to reading of room {delta.room_id}")
    if delta.to_reading_wh < delta.from_reading_wh:
        raise BillingError(
            "reading_lower_than_last",
            "Room {room}: reading {to} Wh is lower than the last {start} Wh",
            room=delta.room_id,
            to=delta.to_reading_wh,
            start=delta.from_reading_wh,
        )
    if (
        isinstance(delta.wh, bool)
        or not isinstance(delta.wh, int)
        or (delta.wh != delta.to_reading_wh - delta.from_reading_wh)
    ):
        raise BillingError(
            "delta_invalid",
            "Room {room}: {wh} Wh is not the difference of its readings",
            room=delta.room_id,
            wh=delta.wh,
        )
    start = require_aware(delta.start, "delta start")
    end = require_aware(delta.end, "delta end")
    if not EARLIEST <= start <= end:
        raise BillingError(
            "interval_invalid",
            "Room {room}: the delta's interval is invalid",
            room=delta.room_id,
        )
    if end > now:
        raise BillingError(
            "time_in_future",
            "Room {room}: the delta ends after now",
            room=delta.room_id,
        )
