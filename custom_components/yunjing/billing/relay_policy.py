"""Arrears cut-off and restore for one room's relay.

Pure: each poll the coordinator passes the paying tenant's balance (None for a
vacant room), the relay state it read back, the keep-on status and the
persisted `RelayPolicyState`; `decide` answers what to do and why. After
executing a cut or restore and reading the relay back, the coordinator calls
`command_result`, which says whether to retry or to report.

A relay that is off for another reason (malignant-load trip or lockout, the
landlord's switch) is left alone: `decide` only restores what it opened. The
coordinator closes a relay only if neither this policy nor load protection
holds it open (`RelayPolicyState.holds_open`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .keep_on import KeepOnReason, KeepOnStatus

HOUR = timedelta(hours=1)


class InvalidRelaySettings(ValueError):
    """Relay policy settings or the clock passed in are not usable."""


class VacantPolicy(StrEnum):
    """What a room without a tenant gets: power off, or power on billed to the landlord."""

    OPEN = "open"
    CHARGE_LANDLORD = "charge_landlord"


class RelayAction(StrEnum):
    NONE = "none"
    CUT = "cut"
    RESTORE = "restore"
    WARN_BEFORE_CUT = "warn_before_cut"


class RelayReason(StrEnum):
    """Why `decide` chose its action."""

    OK = "ok"  # none: relay on, nothing owed
    ARREARS = (
        "arrears"  # cut, or none while already off: balance at/below the credit limit
    )
    VACANT_OPEN = "vacant_open"  # cut, or none while already off: vacant room kept off
    KEEP_ON = "keep_on"  # none: a cut is due but keep-on applies (pending cut)
    KEEP_ON_ENDED = "keep_on_ended"  # warn_before_cut: keep-on ended, still in arrears
    WARNING_PERIOD = "warning_period"  # none: warned, the cut is due at due_at
    BELOW_RECONNECT_LEVEL = "below_reconnect_level"  # none: stays off
    MIN_OFF_TIME = "min_off_time"  # none: restore allowed at due_at
    RECHARGED = "recharged"  # restore: balance at/above the reconnect level
    MANUAL_KEEP_ON = "manual_keep_on"  # restore: the landlord granted keep-on
    VACANT_CHARGE_LANDLORD = "vacant_charge_landlord"  # restore: landlord pays
    RATE_LIMITED = "rate_limited"  # none: operations-per-hour cap, retry at due_at
    COMMAND_FAILED = "command_failed"  # none: reported failure, retry at due_at
    OFF_BY_OTHER = "off_by_other"  # none: relay off for a reason not ours


@dataclass(frozen=True, kw_only=True)
class RelaySettings:
    """Per-room (or per-landlord) protection options.

    Arrears: balance at or below `credit_limit`. Restore needs the balance at
    or above `reconnect_level` (and out of arrears) and `min_off_time` since
    the cut. `command_attempts` counts the first attempt; retries are not
    extra operations for the hourly cap.
    """

    credit_limit: Decimal = Decimal(0)
    reconnect_level: Decimal = Decimal(0)
    min_off_time: timedelta = timedelta(minutes=5)
    max_operations_per_hour: int = 6
    warning_period: timedelta = timedelta(0)
    vacant_policy: VacantPolicy = VacantPolicy.OPEN
    command_attempts: int = 3
    failure_backoff: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.reconnect_level < self.credit_limit:
            raise InvalidRelaySettings("reconnect_level must be >= credit_limit")
        if self.max_operations_per_hour < 1 or self.command_attempts < 1:
            raise InvalidRelaySettings("operation cap and attempts must be >= 1")
        for delay in (self.min_off_time, self.warning_period, self.failure_backoff):
            if delay < timedelta(0):
                raise InvalidRelaySettings("delays must not be negative")


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    _require_aware(parsed)
    return parsed


@dataclass(frozen=True)
class RelayPolicyState:
    """Persisted per room; survives a Home Assistant restart.

    `off_since`: this policy holds the relay open since then (cleared when a
    restore is confirmed). `pending_cut_since`: arrears met keep-on, a cut is
    owed when keep-on ends. `operations`: relay commands of the last hour.
    """

    off_since: datetime | None = None
    pending_cut_since: datetime | None = None
    warned_at: datetime | None = None
    operations: tuple[datetime, ...] = ()
    failed_attempts: int = 0
    blocked_until: datetime | None = None

    @property
    def holds_open(self) -> bool:
        return self.off_since is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "off_since": _dt(self.off_since),
            "pending_cut_since": _dt(self.pending_cut_since),
            "warned_at": _dt(self.warned_at),
            "operations": [_dt(op) for op in self.operations],
            "failed_attempts": self.failed_attempts,
            "blocked_until": _dt(self.blocked_until),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RelayPolicyState:
        operations = tuple(_parse(op) for op in data.get("operations", ()))
        return cls(
            off_since=_parse(data.get("off_since")),
            pending_cut_since=_parse(data.get("pending_cut_since")),
            warned_at=_parse(data.get("warned_at")),
            operations=tuple(op for op in operations if op is not None),
            failed_attempts=int(data.get("failed_attempts", 0)),
            blocked_until=_parse(data.get("blocked_until")),
        )


@dataclass(frozen=True)
class RelayDecision:
    """What to do now; `due_at` is when the decision may change by itself."""

    action: RelayAction
    reason: RelayReason
    due_at: datetime | None = None


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidRelaySettings(f"{moment!r} has no time zone")


def _rate_limited(
    now: datetime, settings: RelaySettings, state: RelayPolicyState
) -> RelayDecision | None:
    if len(state.operations) < settings.max_operations_per_hour:
        return None
    return RelayDecision(
        RelayAction.NONE, RelayReason.RATE_LIMITED, min(state.operations) + HOUR
    )


def decide(
    *,
    now: datetime,
    balance: Decimal | None,
    power_on: bool,
    keep_on: KeepOnStatus | None,
    settings: RelaySettings,
    state: RelayPolicyState,
) -> tuple[RelayPolicyState, RelayDecision]:
    """Decide cut / restore / warn / nothing for one room at `now`.

    `balance` is the paying tenant's balance, None for a vacant room. Never
    cuts while `keep_on` is not None.
    """
    _require_aware(now)
    state = replace(
        state, operations=tuple(op for op in state.operations if op > now - HOUR)
    )
    if state.blocked_until is not None:
        if now < state.blocked_until:
            return state, RelayDecision(
                RelayAction.NONE, RelayReason.COMMAND_FAILED, state.blocked_until
            )
        state = replace(state, blocked_until=None)

    off_reason: RelayReason | None = None
    if balance is None:
        if settings.vacant_policy is VacantPolicy.OPEN:
            off_reason = RelayReason.VACANT_OPEN
    elif balance <= settings.credit_limit:
        off_reason = RelayReason.ARREARS

    if power_on:
        return _while_on(now, off_reason, keep_on, settings, state)
    return _while_off(now, balance, off_reason, keep_on, settings, state)


def _while_on(
    now: datetime,
    off_reason: RelayReason | None,
    keep_on: KeepOnStatus | None,
    settings: RelaySettings,
    state: RelayPolicyState,
) -> tuple[RelayPolicyState, RelayDecision]:
    # The relay is on, so nothing is held open unless this call cuts it. This
    # also forgets a hold after a failed cut, a relay closed by someone else,
    # or a restore whose confirmation was never recorded.
    state = replace(state, off_since=None)
    if off_reason is None:
        cleared = replace(state, pending_cut_since=None, warned_at=None)
        return cleared, RelayDecision(RelayAction.NONE, RelayReason.OK)
    if keep_on is not None:
        pending = replace(
            state, pending_cut_since=state.pending_cut_since or now, warned_at=None
        )
        return pending, RelayDecision(
            RelayAction.NONE, RelayReason.KEEP_ON, keep_on.ends_at
        )
    if state.pending_cut_since is not None:
        if state.warned_at is None:
            warned = replace(state, warned_at=now)
            return warned, RelayDecision(
                RelayAction.WARN_BEFORE_CUT,
                RelayReason.KEEP_ON_ENDED,
                now + settings.warning_period,
            )
        cut_at = state.warned_at + settings.warning_period
        if now < cut_at:
            return state, RelayDecision(
                RelayAction.NONE, RelayReason.WARNING_PERIOD, cut_at
            )
    limited = _rate_limited(now, settings, state)
    if limited is not None:
        return state, limited
    cut = replace(
        state,
        off_since=now,
        pending_cut_since=None,
        warned_at=None,
        operations=(*state.operations, now),
        failed_attempts=0,
    )
    return cut, RelayDecision(RelayAction.CUT, off_reason)


def _while_off(
    now: datetime,
    balance: Decimal | None,
    off_reason: RelayReason | None,
    keep_on: KeepOnStatus | None,
    settings: RelaySettings,
    state: RelayPolicyState,
) -> tuple[RelayPolicyState, RelayDecision]:
    state = replace(state, pending_cut_since=None, warned_at=None)
    if state.off_since is None:
        if off_reason is not None and keep_on is None:
            # Off already (e.g. a load trip): take it over, so a reclose does
            # not power a room in arrears.
            return replace(state, off_since=now), RelayDecision(
                RelayAction.NONE, off_reason
            )
        return state, RelayDecision(RelayAction.NONE, RelayReason.OFF_BY_OTHER)

    restore_reason: RelayReason | None = None
    stay_reason = RelayReason.BELOW_RECONNECT_LEVEL
    if off_reason is RelayReason.VACANT_OPEN:
        stay_reason = RelayReason.VACANT_OPEN
    elif balance is None:
        restore_reason = RelayReason.VACANT_CHARGE_LANDLORD
    elif off_reason is None and balance >= settings.reconnect_level:
        restore_reason = RelayReason.RECHARGED
    if restore_reason is None:
        if keep_on is None or keep_on.reason is not KeepOnReason.MANUAL:
            return state, RelayDecision(RelayAction.NONE, stay_reason)
        # A landlord's manual keep-on also brings power back.
        restore_reason = RelayReason.MANUAL_KEEP_ON

    allowed_at = state.off_since + settings.min_off_time
    if now < allowed_at:
        return state, RelayDecision(
            RelayAction.NONE, RelayReason.MIN_OFF_TIME, allowed_at
        )
    limited = _rate_limited(now, settings, state)
    if limited is not None:
        return state, limited
    restoring = replace(state, operations=(*state.operations, now), failed_attempts=0)
    if restore_reason is RelayReason.MANUAL_KEEP_ON:
        # Still owed: when the keep-on ends, warn before cutting again, even if
        # no poll falls inside the keep-on after this one.
        restoring = replace(restoring, pending_cut_since=now)
    return restoring, RelayDecision(RelayAction.RESTORE, restore_reason)


class CommandOutcome(StrEnum):
    CONFIRMED = "confirmed"  # read back as commanded
    RETRY = "retry"  # send the same command again now
    REPORT = "report"  # give up: raise a repair issue and fire an event


@dataclass(frozen=True)
class CommandResult:
    outcome: CommandOutcome
    attempts_left: int


def command_result(
    *,
    now: datetime,
    action: RelayAction,
    confirmed: bool,
    settings: RelaySettings,
    state: RelayPolicyState,
) -> tuple[RelayPolicyState, CommandResult]:
    """Record the read-back of a cut or restore the coordinator executed.

    After `settings.command_attempts` failures the result is REPORT and
    `decide` waits `failure_backoff` before trying again.
    """
    _require_aware(now)
    if action not in (RelayAction.CUT, RelayAction.RESTORE):
        raise InvalidRelaySettings(f"{action} is not a relay command")
    if confirmed:
        off_since = None if action is RelayAction.RESTORE else state.off_since
        done = replace(
            state, off_since=off_since, failed_attempts=0, blocked_until=None
        )
        return done, CommandResult(CommandOutcome.CONFIRMED, settings.command_attempts)
    failed = state.failed_attempts + 1
    if failed < settings.command_attempts:
        return replace(state, failed_attempts=failed), CommandResult(
            CommandOutcome.RETRY, settings.command_attempts - failed
        )
    blocked = replace(
        state, failed_attempts=0, blocked_until=now + settings.failure_backoff
    )
    return blocked, CommandResult(CommandOutcome.REPORT, 0)
