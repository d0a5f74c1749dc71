"""Malignant-load protection for one room: alarm, trip, reclose, lockout.

Pure: detection (mode 1, total power above a limit for T seconds; mode 2, a
resistive increment) happens upstream; each poll passes the violation found
now, if any. After a trip the relay recloses automatically after a delay, at
most `max_reclosures_per_day` times per local day; the next trip that day
locks the room out until the landlord calls `reset_lockout`.

The coordinator closes the relay on RECLOSE only if the relay policy does not
hold it open for arrears (`RelayPolicyState.holds_open`). Trips are safety
actions and do not count against the relay policy's hourly operation cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class InvalidLoadSettings(ValueError):
    """Load protection settings or the clock passed in are not usable."""


class LoadMode(StrEnum):
    OFF = "off"
    ALARM_ONLY = "alarm_only"
    TRIP = "trip"


class Violation(StrEnum):
    OVER_POWER = "over_power"  # mode 1: total power above the limit for >= T s
    RESISTIVE_LOAD = "resistive_load"  # mode 2: resistive increment, not whitelisted


class LoadPhase(StrEnum):
    NORMAL = "normal"
    TRIPPED = "tripped"  # relay open, reclose pending
    LOCKED_OUT = "locked_out"  # relay open until the landlord resets


class LoadAction(StrEnum):
    NONE = "none"
    ALARM = "alarm"  # notify only (alarm_only mode)
    TRIP = "trip"  # open the relay; reclose at due_at
    RECLOSE = "reclose"  # close the relay
    LOCKOUT = "lockout"  # open the relay; no automatic reclose


@dataclass(frozen=True, kw_only=True)
class LoadSettings:
    mode: LoadMode = LoadMode.TRIP
    reclose_delay: timedelta = timedelta(minutes=5)
    max_reclosures_per_day: int = 3

    def __post_init__(self) -> None:
        if self.reclose_delay < timedelta(0) or self.max_reclosures_per_day < 0:
            raise InvalidLoadSettings("reclose delay and count must not be negative")


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse_dt(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    _require_aware(parsed)
    return parsed


@dataclass(frozen=True)
class LoadProtectionState:
    """Persisted per room; counters belong to the local date `day`."""

    phase: LoadPhase = LoadPhase.NORMAL
    tripped_at: datetime | None = None
    reclose_due: datetime | None = None
    last_violation: Violation | None = None
    day: date | None = None
    trips_today: int = 0
    reclosures_today: int = 0
    alarm_active: bool = False  # alarm_only: this violation was already reported

    @property
    def holds_open(self) -> bool:
        return self.phase is not LoadPhase.NORMAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": str(self.phase),
            "tripped_at": _dt(self.tripped_at),
            "reclose_due": _dt(self.reclose_due),
            "last_violation": None
            if self.last_violation is None
            else str(self.last_violation),
            "day": None if self.day is None else self.day.isoformat(),
            "trips_today": self.trips_today,
            "reclosures_today": self.reclosures_today,
            "alarm_active": self.alarm_active,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoadProtectionState:
        violation = data.get("last_violation")
        day = data.get("day")
        return cls(
            phase=LoadPhase(data.get("phase", LoadPhase.NORMAL)),
            tripped_at=_parse_dt(data.get("tripped_at")),
            reclose_due=_parse_dt(data.get("reclose_due")),
            last_violation=None if violation is None else Violation(violation),
            day=None if day is None else date.fromisoformat(day),
            trips_today=int(data.get("trips_today", 0)),
            reclosures_today=int(data.get("reclosures_today", 0)),
            alarm_active=bool(data.get("alarm_active", False)),
        )


@dataclass(frozen=True)
class LoadDecision:
    """`due_at`: when a pending reclose falls due. `reclosures_left`: today."""

    action: LoadAction
    violation: Violation | None = None
    due_at: datetime | None = None
    reclosures_left: int = 0


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidLoadSettings(f"{moment!r} has no time zone")


def _on_day(
    state: LoadProtectionState, now: datetime, tz: ZoneInfo
) -> LoadProtectionState:
    _require_aware(now)
    today = now.astimezone(tz).date()
    if state.day == today:
        return state
    return replace(state, day=today, trips_today=0, reclosures_today=0)


def _left(settings: LoadSettings, state: LoadProtectionState) -> int:
    return max(settings.max_reclosures_per_day - state.reclosures_today, 0)


def evaluate(
    *,
    now: datetime,
    tz: ZoneInfo,
    violation: Violation | None,
    settings: LoadSettings,
    state: LoadProtectionState,
) -> tuple[LoadProtectionState, LoadDecision]:
    """One poll: the violation detected now (None if none) -> what to do."""
    state = _on_day(state, now, tz)
    match state.phase:
        case LoadPhase.LOCKED_OUT:
            return state, LoadDecision(LoadAction.NONE, state.last_violation)
        case LoadPhase.TRIPPED:
            # The relay is open, so nothing is detected; only the timer runs.
            due = state.reclose_due or now
            if now < due:
                return state, LoadDecision(
                    LoadAction.NONE,
                    state.last_violation,
                    due,
                    _left(settings, state),
                )
            closed = replace(
                state,
                phase=LoadPhase.NORMAL,
                tripped_at=None,
                reclose_due=None,
                reclosures_today=state.reclosures_today + 1,
                alarm_active=False,
            )
            return closed, LoadDecision(
                LoadAction.RECLOSE,
                state.last_violation,
                None,
                _left(settings, closed),
            )
        case LoadPhase.NORMAL:
            pass

    if violation is None or settings.mode is LoadMode.OFF:
        return replace(state, alarm_active=False), LoadDecision(
            LoadAction.NONE, reclosures_left=_left(settings, state)
        )
    if settings.mode is LoadMode.ALARM_ONLY:
        action = LoadAction.NONE if state.alarm_active else LoadAction.ALARM
        alarmed = replace(state, alarm_active=True, last_violation=violation)
        return alarmed, LoadDecision(
            action, violation, reclosures_left=_left(settings, state)
        )

    tripped = replace(
        state,
        tripped_at=now,
        last_violation=violation,
        trips_today=state.trips_today + 1,
        alarm_active=False,
    )
    if _left(settings, state) == 0:
        locked = replace(tripped, phase=LoadPhase.LOCKED_OUT, reclose_due=None)
        return locked, LoadDecision(LoadAction.LOCKOUT, violation)
    due = now + settings.reclose_delay
    pending = replace(tripped, phase=LoadPhase.TRIPPED, reclose_due=due)
    return pending, LoadDecision(
        LoadAction.TRIP, violation, due, _left(settings, state)
    )


def reset_lockout(
    *,
    now: datetime,
    tz: ZoneInfo,
    settings: LoadSettings,
    state: LoadProtectionState,
) -> tuple[LoadProtectionState, LoadDecision]:
    """The landlord's reset: close now and start the day's reclose count afresh.

    Also ends a pending reclose delay early. Does nothing in the normal phase.
    """
    state = _on_day(state, now, tz)
    if state.phase is LoadPhase.NORMAL:
        return state, LoadDecision(
            LoadAction.NONE, reclosures_left=_left(settings, state)
        )
    reset = replace(
        state,
        phase=LoadPhase.NORMAL,
        tripped_at=None,
        reclose_due=None,
        reclosures_today=0,
        alarm_active=False,
    )
    return reset, LoadDecision(
        LoadAction.RECLOSE, state.last_violation, None, _left(settings, reset)
    )
