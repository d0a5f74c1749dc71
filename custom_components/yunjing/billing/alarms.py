"""Balance alarms per tenant: reminder, final warning, arrears.

Pure: the caller passes the balance after each deduction or recharge and the
persisted `AlarmState`; the result says which notifications to send. Each level
notifies once per downward crossing; a recharge that lifts the balance above a
level re-arms it silently (the recharge receipt is sent elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any


class InvalidAlarmLevels(ValueError):
    """The alarm thresholds are not ordered level_1 > level_2 > credit_limit."""


class AlarmLevel(StrEnum):
    """Alarm levels, in increasing severity."""

    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    ARREARS = "arrears"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {AlarmLevel.LEVEL_1: 1, AlarmLevel.LEVEL_2: 2, AlarmLevel.ARREARS: 3}


@dataclass(frozen=True, kw_only=True)
class AlarmLevels:
    """Thresholds of one tenant; a level is reached at or below its threshold.

    `level_1` (reminder) and `level_2` (final warning) may be None (disabled).
    Arrears is always on: balance at or below `credit_limit`.
    """

    level_1: Decimal | None = None
    level_2: Decimal | None = None
    credit_limit: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        floor = self.credit_limit
        for name, value in (("level_2", self.level_2), ("level_1", self.level_1)):
            if value is None:
                continue
            if value <= floor:
                raise InvalidAlarmLevels(
                    f"{name} ({value}) must be above {floor} "
                    "(level_1 > level_2 > credit_limit)"
                )
            floor = value

    def threshold(self, level: AlarmLevel) -> Decimal | None:
        match level:
            case AlarmLevel.LEVEL_1:
                return self.level_1
            case AlarmLevel.LEVEL_2:
                return self.level_2
            case AlarmLevel.ARREARS:
                return self.credit_limit


@dataclass(frozen=True)
class AlarmState:
    """Persisted: the most severe level already notified and not re-armed."""

    notified: AlarmLevel | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"notified": None if self.notified is None else str(self.notified)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AlarmState:
        raw = data.get("notified")
        return cls(None if raw is None else AlarmLevel(raw))


@dataclass(frozen=True)
class AlarmEvent:
    """One notification to send: `balance` fell to or below `threshold`."""

    level: AlarmLevel
    balance: Decimal
    threshold: Decimal


def current_level(balance: Decimal, levels: AlarmLevels) -> AlarmLevel | None:
    """The most severe level the balance is at or below, or None."""
    for level in (AlarmLevel.ARREARS, AlarmLevel.LEVEL_2, AlarmLevel.LEVEL_1):
        threshold = levels.threshold(level)
        if threshold is not None and balance <= threshold:
            return level
    return None


def evaluate(
    balance: Decimal, levels: AlarmLevels, state: AlarmState
) -> tuple[AlarmState, tuple[AlarmEvent, ...]]:
    """Compare the balance with the thresholds and the notified level.

    A fall past several levels at once (e.g. after an outage) sends only the
    most severe one: one notification, the one that matters.
    """
    level = current_level(balance, levels)
    notified = state.notified
    if level is None:
        return AlarmState(None), ()
    if notified is not None and level.severity <= notified.severity:
        # Same level, or a recharge lifted the balance to a milder one: re-arm
        # the levels above it without notifying.
        return AlarmState(level), ()
    threshold = levels.threshold(level)
    assert threshold is not None  # current_level only returns enabled levels
    return AlarmState(level), (AlarmEvent(level, balance, threshold),)


def days_left(
    balance: Decimal,
    daily_costs: Sequence[Decimal],
    *,
    credit_limit: Decimal = Decimal(0),
) -> int | None:
    """Whole days until the balance reaches the credit limit at the average daily cost.

    `daily_costs` are the costs of the last days (usually 7); None when there is
    no consumption to extrapolate from. Rounded down: a warning errs early.
    """
    total = sum(daily_costs, Decimal(0))
    if not daily_costs or total <= 0:
        return None
    headroom = balance - credit_limit
    if headroom <= 0:
        return 0
    average = total / len(daily_costs)
    return int((headroom / average).to_integral_value(rounding=ROUND_FLOOR))
