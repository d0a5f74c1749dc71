"""Executor of the protection policy for one hub: alarms, cut/restore, keep-on, load protection.

The rules live in `billing/` (alarms, keep_on, relay_policy, load_protection)
and `meters/load.py`; this module feeds them the poll cycle's readings and
balances, executes what they decide on the bus (every relay command read
back), persists their state in a `Store` per hub entry, fires the documented
events (see const.py) and sends notifications.

A room's relay closes only when neither the arrears policy nor load
protection holds it open. The landlord's switch may open a relay at any time
but may not close one that a policy holds open (see `async_switch_by_hand`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .billing import alarms, keep_on, load_protection, relay_policy
from .billing.alarms import AlarmState
from .billing.keep_on import DailyWindow, KeepOnRules, KeepOnStatus, TodaysCalendar
from .billing.load_protection import (
    LoadAction,
    LoadMode,
    LoadPhase,
    LoadProtectionState,
    LoadSettings,
    Violation,
)
from .billing.records import Bill, CycleFigures, MoneyResult
from .billing.relay_policy import (
    CommandOutcome,
    RelayAction,
    RelayPolicyState,
    RelayReason,
    RelaySettings,
    VacantPolicy,
)
from .const import (
    CONF_ALLOWED_LOADS,
    CONF_CURRENCY,
    CONF_CUT_OFF,
    CONF_HOLIDAY_ENTITY,
    CONF_LANDLORD_NOTIFY,
    CONF_LANGUAGE,
    CONF_LOAD_MODE,
    CONF_MAX_RECLOSURES,
    CONF_MAX_RELAY_OPS,
    CONF_MIN_OFF_MINUTES,
    CONF_NOTIFY,
    CONF_OVER_POWER_S,
    CONF_OVER_POWER_W,
    CONF_PROTECTED_DATES,
    CONF_PROTECTED_END,
    CONF_PROTECTED_START,
    CONF_PROTECTION,
    CONF_RECLOSE_MINUTES,
    CONF_RESISTIVE_MIN_W,
    CONF_RESISTIVE_PF,
    CONF_VACANT_POLICY,
    CONF_WARNING_MINUTES,
    CONF_WEEKENDS,
    DOMAIN,
    EVENT_BALANCE_ALARM,
    EVENT_BILL_ISSUED,
    EVENT_KEEP_ON_ENDED,
    EVENT_KEEP_ON_STARTED,
    EVENT_LOAD_TRIP,
    EVENT_LOCKOUT,
    EVENT_METER_OFFLINE,
    EVENT_POWER_CUT,
    EVENT_POWER_RESTORED,
    EVENT_RECHARGE,
    EVENT_RELAY_FAILED,
    LOAD_DEFAULTS,
    PROTECTION_DEFAULTS,
)
from .errors import user_error
from .meters.load import (
    AllowedLoad,
    PowerPoint,
    PowerSample,
    increment,
    is_overloaded,
    is_resistive_increment,
    is_whitelisted,
)
from .meters.reading import Reading
from .notifications import async_send, payload_text, render

if TYPE_CHECKING:
    from .coordinator import MeterCoordinator, RoomConfig, TenantConfig

_LOGGER = logging.getLogger(__name__)
STORE_VERSION = 1
MAX_SAMPLES = 2000
# Notifications the landlord's targets also receive.
LANDLORD_KINDS = {
    "arrears",
    "power_cut",
    "load_trip",
    "load_alarm",
    "lockout",
    "relay_failed",
}


@dataclass(frozen=True, kw_only=True)
class RoomProtection:
    """What the entities show of a room's protection."""

    locked_out: bool = False
    tripped: bool = False
    cut_for_arrears: bool = False
    holding_on: bool = False  # keep-on is what keeps the power on now
    malignant_load: bool = False
    keep_on: str | None = None
    load_phase: str = LoadPhase.NORMAL.value
    relay_closed: bool | None = None  # as read back after this cycle's commands


def parse_dates(text: str) -> list[date]:
    """'2026-10-01, 2026-10-02' as dates; ValueError if one is malformed."""
    return [
        date.fromisoformat(part.strip())
        for part in text.replace(";", ",").replace("\n", ",").split(",")
        if part.strip()
    ]


def parse_loads(text: str) -> list[float]:
    """'550, 1200' as watts; ValueError if one is malformed or not positive."""
    loads = [
        float(part.strip())
        for part in text.replace(";", ",").split(",")
        if part.strip()
    ]
    if any(not 0 < load <= 1_000_000 for load in loads):
        raise ValueError(text)
    return loads


def load_settings(data: Mapping[str, Any], has_relay: bool) -> LoadSettings:
    """A room subentry's load protection (trip needs a relay: without one it only alarms)."""
    mode = LoadMode(data.get(CONF_LOAD_MODE, LOAD_DEFAULTS[CONF_LOAD_MODE]))
    if mode is LoadMode.TRIP and not has_relay:
        mode = LoadMode.ALARM_ONLY
    return LoadSettings(
        mode=mode,
        reclose_delay=timedelta(
            minutes=data.get(CONF_RECLOSE_MINUTES, LOAD_DEFAULTS[CONF_RECLOSE_MINUTES])
        ),
        max_reclosures_per_day=int(
            data.get(CONF_MAX_RECLOSURES, LOAD_DEFAULTS[CONF_MAX_RECLOSURES])
        ),
    )


class Protection:
    """Protection state and execution for one hub."""

    def __init__(self, coordinator: MeterCoordinator) -> None:
        """Empty state; `async_load` reads the stored state."""
        self.coordinator = coordinator
        self.hass: HomeAssistant = coordinator.hass
        entry = coordinator.config_entry
        self.store: Store[dict[str, Any]] = Store(
            self.hass, STORE_VERSION, f"{DOMAIN}.{entry.entry_id}.protection"
        )
        self.relay: dict[str, RelayPolicyState] = {}
        self.alarms: dict[str, AlarmState] = {}
        self.load: dict[str, LoadProtectionState] = {}
        self.manual_tenants: dict[str, datetime] = {}
        self.manual_rooms: dict[str, datetime] = {}
        self.keep_on_active: dict[str, str] = {}
        self.rooms: dict[str, RoomProtection] = {}
        self._saved: dict[str, Any] | None = None
        self._samples: dict[str, list[PowerSample]] = {}
        self._points: dict[str, PowerPoint] = {}
        self._offline: set[str] = set()
        # A cycle and a landlord's reset never interleave their relay commands.
        self._lock = asyncio.Lock()

    # --- state -----------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """The policy state as it is stored (also shown in diagnostics)."""
        return {
            "relay": {key: state.as_dict() for key, state in self.relay.items()},
            "alarms": {key: state.as_dict() for key, state in self.alarms.items()},
            "load": {key: state.as_dict() for key, state in self.load.items()},
            "manual_tenants": {
                key: until.isoformat() for key, until in self.manual_tenants.items()
            },
            "manual_rooms": {
                key: until.isoformat() for key, until in self.manual_rooms.items()
            },
            "keep_on_active": dict(self.keep_on_active),
        }

    async def async_load(self) -> None:
        """Read the stored policy state (before the first poll)."""
        data = await self.store.async_load() or {}
        self.relay = {
            key: RelayPolicyState.from_dict(value)
            for key, value in data.get("relay", {}).items()
        }
        self.alarms = {
            key: AlarmState.from_dict(value)
            for key, value in data.get("alarms", {}).items()
        }
        self.load = {
            key: LoadProtectionState.from_dict(value)
            for key, value in data.get("load", {}).items()
        }
        self.manual_tenants = {
            key: datetime.fromisoformat(value)
            for key, value in data.get("manual_tenants", {}).items()
        }
        self.manual_rooms = {
            key: datetime.fromisoformat(value)
            for key, value in data.get("manual_rooms", {}).items()
        }
        self.keep_on_active = dict(data.get("keep_on_active", {}))
        self._saved = self.as_dict()

    async def async_save(self) -> None:
        """Save the state if it changed."""
        data = self.as_dict()
        if data != self._saved:
            await self.store.async_save(data)
            self._saved = data

    # --- settings ----------------------------------------------------------

    @property
    def options(self) -> dict[str, Any]:
        """The hub's protection options with defaults."""
        stored: dict[str, Any] = self.coordinator.config_entry.options.get(
            CONF_PROTECTION, {}
        )
        return {**PROTECTION_DEFAULTS, **stored}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.hass.config.time_zone)

    def _rules(self, now: datetime) -> KeepOnRules:
        options = self.options
        today = now.astimezone(self.tz).date()
        calendar = TodaysCalendar(today)  # nothing known: weekdays work
        entity_id = options.get(CONF_HOLIDAY_ENTITY)
        state = self.hass.states.get(entity_id) if entity_id else None
        if state is not None and state.state in ("on", "off"):
            if state.domain == "calendar":
                calendar = TodaysCalendar.from_calendar(today, state.state == "on")
            else:
                calendar = TodaysCalendar.from_workday_sensor(
                    today, state.state == "on"
                )
        window = None
        if options.get(CONF_PROTECTED_START) and options.get(CONF_PROTECTED_END):
            start = time.fromisoformat(options[CONF_PROTECTED_START])
            end = time.fromisoformat(options[CONF_PROTECTED_END])
            if start != end:
                window = DailyWindow(start, end)
        return KeepOnRules(
            weekends=bool(options[CONF_WEEKENDS]),
            is_holiday=calendar.is_holiday,
            is_workday=calendar.is_workday,
            extra_dates=frozenset(parse_dates(options[CONF_PROTECTED_DATES])),
            protected_hours=window,
            manual_tenants=dict(self.manual_tenants),
            manual_rooms=dict(self.manual_rooms),
        )

    def _relay_settings(self, tenant: TenantConfig | None) -> RelaySettings:
        options = self.options
        credit = tenant.levels.credit_limit if tenant else Decimal(0)
        reconnect = tenant.reconnect_level if tenant else Decimal(0)
        return RelaySettings(
            credit_limit=credit,
            reconnect_level=max(reconnect, credit),
            min_off_time=timedelta(minutes=options[CONF_MIN_OFF_MINUTES]),
            max_operations_per_hour=int(options[CONF_MAX_RELAY_OPS]),
            warning_period=timedelta(minutes=options[CONF_WARNING_MINUTES]),
            vacant_policy=VacantPolicy(options[CONF_VACANT_POLICY]),
        )

    # --- event payloads ----------------------------------------------------

    def _device_id(self, subentry_id: str) -> str | None:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, subentry_id), self.coordinator.config_entry.entry_id
        )
        return None if device is None else device.id

    def _tenant_fields(self, tenant_id: str | None) -> dict[str, Any]:
        entry = self.coordinator.config_entry
        subentry = entry.subentries.get(tenant_id) if tenant_id else None
        if subentry is None:
            return {
                "tenant": None,
                "tenant_device_id": None,
                "tenant_name": None,
                "language": self.hass.config.language,
                "notify_targets": [],
            }
        return {
            "tenant": tenant_id,
            "tenant_device_id": self._device_id(subentry.subentry_id),
            "tenant_name": subentry.title,
            "language": subentry.data.get(CONF_LANGUAGE, "en"),
            "notify_targets": list(subentry.data.get(CONF_NOTIFY, [])),
        }

    def _room_fields(self, room_id: str, tenant_id: str | None) -> dict[str, Any]:
        subentry = self.coordinator.config_entry.subentries.get(room_id)
        return {
            "room": room_id,
            "room_device_id": self._device_id(room_id),
            "room_name": subentry.title if subentry else room_id,
            **self._tenant_fields(tenant_id),
        }

    def _fire(self, event: str, fields: dict[str, Any], **data: Any) -> None:
        payload = {
            "hub": self.coordinator.config_entry.entry_id,
            **fields,
            "currency": self.coordinator.config_entry.data[CONF_CURRENCY],
        }
        payload.update(
            payload_text(data, self.coordinator.config_entry.data[CONF_CURRENCY])
        )
        self.hass.bus.async_fire(event, payload)

    def _notify(self, kind: str, fields: dict[str, Any], **values: Any) -> None:
        """Send a notification to the tenant (their language) and, for some kinds, the landlord."""
        currency = self.coordinator.config_entry.data[CONF_CURRENCY]
        common = {
            "tenant": fields.get("tenant_name") or "",
            "room": fields.get("room_name") or "",
            "currency": currency,
            **values,
        }
        sends = []
        if fields.get("notify_targets"):
            title, message = render(kind, fields["language"], **common)
            sends.append(
                async_send(self.hass, fields["notify_targets"], title, message)
            )
        landlord = self.options[CONF_LANDLORD_NOTIFY]
        if landlord and kind in LANDLORD_KINDS:
            title, message = render(kind, self.hass.config.language, **common)
            sends.append(async_send(self.hass, landlord, title, message))
        for send in sends:
            self.hass.async_create_task(send, f"{DOMAIN} notify {kind}")

    def _local(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M")

    # --- the poll cycle -----------------------------------------------------

    def bills_issued(
        self, bills: list[Bill], tenants: Mapping[str, TenantConfig]
    ) -> None:
        """The bill-issued event of each bill a cycle closed (the ledger returns them once)."""
        for bill in bills:
            self._fire(
                EVENT_BILL_ISSUED,
                self._tenant_fields(
                    bill.account_id if bill.account_id in tenants else None
                ),
                period_start=bill.period_start,
                period_end=bill.period_end,
                opening_balance=bill.opening_balance,
                closing_balance=bill.closing_balance,
                energy_charged=bill.energy_charged,
                fees=bill.fees,
                recharges=bill.recharges,
            )

    @asynccontextmanager
    async def idle(self) -> AsyncIterator[None]:
        """No cycle or landlord's switch sends a relay command meanwhile."""
        async with self._lock:
            yield

    async def async_run(self, *args: Any) -> dict[str, RoomProtection]:
        """Evaluate and execute the policy after a cycle's billing (see `_async_run`)."""
        async with self._lock:
            return await self._async_run(*args)

    async def _async_run(
        self,
        now: datetime,
        rooms: Mapping[str, RoomConfig],
        readings: Mapping[str, Reading | None],
        figures: CycleFigures,
        tenants: Mapping[str, TenantConfig],
    ) -> dict[str, RoomProtection]:
        """Evaluate and execute the policy after a cycle's billing; returns room states."""
        for manual in (self.manual_tenants, self.manual_rooms):
            for key in [key for key, until in manual.items() if until <= now]:
                del manual[key]
        balances: dict[str, Decimal] = {}
        for tenant in tenants.values():
            account = figures.accounts.get(tenant.tenant_id)
            if account is None:
                continue
            balances[tenant.tenant_id] = account.balance
            self._alarm(tenant, account.balance, account.daily_costs)
        room_tenant: dict[str, TenantConfig] = {
            room: t for t in tenants.values() for room in t.rooms
        }
        rules = self._rules(now)
        result: dict[str, RoomProtection] = {}
        for room in rooms.values():
            result[room.room_id] = await self._room(
                now,
                room,
                readings.get(room.room_id),
                room_tenant.get(room.room_id),
                balances,
                rules,
            )
        for room_id in set(self.relay) - set(rooms):
            del self.relay[room_id]
        for room_id in set(self.load) - set(rooms):
            del self.load[room_id]
        self.rooms = result
        await self.async_save()
        return result

    def _alarm(self, tenant: TenantConfig, balance: Decimal, daily_costs: Any) -> None:
        state = self.alarms.get(tenant.tenant_id, AlarmState())
        state, events = alarms.evaluate(balance, tenant.levels, state)
        self.alarms[tenant.tenant_id] = state
        left = alarms.days_left(
            balance, daily_costs, credit_limit=tenant.levels.credit_limit
        )
        fields = self._tenant_fields(tenant.tenant_id)
        for event in events:
            self._fire(
                EVENT_BALANCE_ALARM,
                fields,
                level=event.level.value,
                balance=event.balance,
                threshold=event.threshold,
                days_left=left,
            )
            self._notify(
                event.level.value,
                fields,
                balance=event.balance,
                days_left=left,
                credit_limit=tenant.levels.credit_limit,
            )

    async def _room(
        self,
        now: datetime,
        room: RoomConfig,
        reading: Reading | None,
        tenant: TenantConfig | None,
        balances: Mapping[str, Decimal],
        rules: KeepOnRules,
    ) -> RoomProtection:
        room_id = room.room_id
        tenant_id = tenant.tenant_id if tenant else None
        fields = self._room_fields(room_id, tenant_id)
        if reading is None:
            if room_id not in self._offline:
                self._offline.add(room_id)
                self._fire(EVENT_METER_OFFLINE, fields, unit_id=room.unit_id)
            self._points.pop(room_id, None)
            self._samples.pop(room_id, None)
            return RoomProtection()
        self._offline.discard(room_id)
        relay_closed = reading.relay_closed is not False
        subentry = self.coordinator.config_entry.subentries[room_id]
        lsettings = load_settings(subentry.data, room.has_relay)

        # Malignant load first: a safety trip does not wait for billing rules.
        violation = self._violation(room_id, subentry.data, reading, now, relay_closed)
        lstate, ldecision = load_protection.evaluate(
            now=now,
            tz=self.tz,
            violation=violation,
            settings=lsettings,
            state=self.load.get(room_id, LoadProtectionState()),
        )
        self.load[room_id] = lstate
        if ldecision.action in (LoadAction.TRIP, LoadAction.LOCKOUT):
            if relay_closed and await self._switch(
                room, fields, closed=False, command="trip"
            ):
                relay_closed = False
                self._points.pop(room_id, None)
                self._samples.pop(room_id, None)
            event = (
                EVENT_LOAD_TRIP
                if ldecision.action is LoadAction.TRIP
                else EVENT_LOCKOUT
            )
            extra: dict[str, Any] = {
                "violation": ldecision.violation,
                "power_w": reading.power_w,
            }
            if ldecision.action is LoadAction.TRIP:
                extra |= {
                    "action": "trip",
                    "reclose_at": ldecision.due_at,
                    "reclosures_left": ldecision.reclosures_left,
                }
            self._fire(event, fields, **extra)
            self._notify(
                "load_trip" if ldecision.action is LoadAction.TRIP else "lockout",
                fields,
                violation=ldecision.violation,
                due_at=self._local(ldecision.due_at),
            )
        elif ldecision.action is LoadAction.ALARM:
            self._fire(
                EVENT_LOAD_TRIP,
                fields,
                violation=ldecision.violation,
                power_w=reading.power_w,
                action="alarm",
                reclose_at=None,
                reclosures_left=ldecision.reclosures_left,
            )
            self._notify("load_alarm", fields, violation=ldecision.violation)

        # Arrears cut-off and restore.
        rstate = self.relay.get(room_id, RelayPolicyState())
        keep: KeepOnStatus | None = None
        reason: RelayReason | None = None
        if (
            self.options[CONF_CUT_OFF]
            and room.has_relay
            and (tenant is None or tenant_id in balances)
        ):
            balance = balances.get(tenant_id) if tenant_id else None
            keep = keep_on.keep_on_status(now, self.tz, rules, tenant_id, room_id)
            settings = self._relay_settings(tenant)
            rstate, decision = relay_policy.decide(
                now=now,
                balance=balance,
                power_on=relay_closed,
                keep_on=keep,
                settings=settings,
                state=rstate,
            )
            reason = decision.reason
            self.relay[room_id] = rstate
            self._keep_on_events(room_id, fields, decision, keep, balance)
            if decision.action is RelayAction.CUT:
                if await self._command(room, fields, decision.action, now, settings):
                    relay_closed = False
                    self._points.pop(room_id, None)
                    self._samples.pop(room_id, None)
                    self._fire(
                        EVENT_POWER_CUT, fields, reason=decision.reason, balance=balance
                    )
                    self._notify("power_cut", fields, balance=balance)
            elif decision.action is RelayAction.RESTORE:
                if self.load[room_id].holds_open:
                    # Load protection keeps it open: release our hold, it recloses.
                    self.relay[room_id] = replace(
                        rstate, off_since=None, operations=rstate.operations[:-1]
                    )
                elif await self._command(room, fields, decision.action, now, settings):
                    relay_closed = True
                    self._fire(
                        EVENT_POWER_RESTORED,
                        fields,
                        reason=decision.reason,
                        balance=balance,
                    )
                    self._notify("power_restored", fields)
            elif decision.action is RelayAction.WARN_BEFORE_CUT:
                self._notify(
                    "warn_before_cut",
                    fields,
                    balance=balance,
                    cut_at=self._local(decision.due_at),
                )
        else:
            self.relay.pop(room_id, None)
            self.keep_on_active.pop(room_id, None)

        if (
            ldecision.action is LoadAction.RECLOSE
            and not self.relay.get(room_id, RelayPolicyState()).holds_open
            and not relay_closed
            and await self._switch(room, fields, closed=True, command="reclose")
        ):
            relay_closed = True
            self._fire(EVENT_POWER_RESTORED, fields, reason="reclose", balance=None)

        status = self._status(room_id, reason, keep, violation)
        return replace(status, relay_closed=relay_closed if room.has_relay else None)

    def _status(
        self,
        room_id: str,
        reason: RelayReason | None,
        keep: KeepOnStatus | None,
        violation: Violation | None,
    ) -> RoomProtection:
        lstate = self.load[room_id]
        return RoomProtection(
            locked_out=lstate.phase is LoadPhase.LOCKED_OUT,
            tripped=lstate.phase is LoadPhase.TRIPPED,
            cut_for_arrears=self.relay.get(room_id, RelayPolicyState()).holds_open,
            holding_on=reason
            in (
                RelayReason.KEEP_ON,
                RelayReason.KEEP_ON_ENDED,
                RelayReason.WARNING_PERIOD,
                RelayReason.MANUAL_KEEP_ON,
            ),
            malignant_load=lstate.phase is not LoadPhase.NORMAL
            or (violation is not None and lstate.alarm_active),
            keep_on=keep.reason.value if keep is not None else None,
            load_phase=lstate.phase.value,
        )

    def _keep_on_events(
        self,
        room_id: str,
        fields: dict[str, Any],
        decision: relay_policy.RelayDecision,
        keep: KeepOnStatus | None,
        balance: Decimal | None,
    ) -> None:
        """keep_on_started when keep-on starts holding back a due cut; ended when it stops."""
        holding = decision.reason is RelayReason.KEEP_ON and keep is not None
        was = self.keep_on_active.get(room_id)
        if holding and keep is not None and was is None:
            self.keep_on_active[room_id] = keep.reason.value
            self._fire(
                EVENT_KEEP_ON_STARTED,
                fields,
                reason=keep.reason.value,
                ends_at=keep.ends_at,
                balance=balance,
            )
        elif not holding and was is not None:
            del self.keep_on_active[room_id]
            cut_at = (
                decision.due_at
                if decision.action is RelayAction.WARN_BEFORE_CUT
                else None
            )
            self._fire(EVENT_KEEP_ON_ENDED, fields, balance=balance, cut_at=cut_at)

    def _violation(
        self,
        room_id: str,
        data: Mapping[str, Any],
        reading: Reading,
        now: datetime,
        relay_closed: bool,
    ) -> Violation | None:
        """Mode 1 and mode 2 detection from this poll's reading (meters/load.py)."""
        if not relay_closed or reading.power_w is None:
            # Nothing flows; the first reading after the relay closes is a new baseline.
            self._points.pop(room_id, None)
            self._samples.pop(room_id, None)
            return None
        settings: dict[str, Any] = {**LOAD_DEFAULTS, **data}
        samples = self._samples.setdefault(room_id, [])
        samples.append(PowerSample(at=now.timestamp(), power_w=reading.power_w))
        del samples[:-MAX_SAMPLES]
        point = PowerPoint(
            power_w=reading.power_w,
            reactive_power_var=reading.reactive_power_var,
            power_factor=reading.power_factor,
        )
        before = self._points.get(room_id)
        self._points[room_id] = point
        limit = float(settings[CONF_OVER_POWER_W])
        if limit > 0 and is_overloaded(
            samples, limit, float(settings[CONF_OVER_POWER_S])
        ):
            return Violation.OVER_POWER
        minimum = float(settings[CONF_RESISTIVE_MIN_W])
        if minimum > 0 and before is not None:
            step = increment(before, point)
            try:
                allowed = [
                    AllowedLoad(power_w=load)
                    for load in parse_loads(str(settings[CONF_ALLOWED_LOADS]))
                ]
            except ValueError:
                allowed = []
            if is_resistive_increment(
                step, minimum, float(settings[CONF_RESISTIVE_PF])
            ) and not is_whitelisted(step.delta_power_w, allowed):
                return Violation.RESISTIVE_LOAD
        return None

    # --- relay commands -----------------------------------------------------

    async def _set(self, room: RoomConfig, closed: bool) -> bool:
        try:
            return await self.coordinator.bus.set_relay(
                room.unit_id, room.model, closed
            )
        except ValueError:
            return False

    async def _switch(
        self, room: RoomConfig, fields: dict[str, Any], *, closed: bool, command: str
    ) -> bool:
        """A load-protection command (not capped); a failure is reported."""
        if await self._set(room, closed):
            ir.async_delete_issue(self.hass, DOMAIN, f"relay_failed_{room.room_id}")
            return True
        self._report(room, fields, command)
        return False

    async def _command(
        self,
        room: RoomConfig,
        fields: dict[str, Any],
        action: RelayAction,
        now: datetime,
        settings: RelaySettings,
    ) -> bool:
        """A cut or restore, read back; retried, then reported."""
        while True:
            confirmed = await self._set(room, action is RelayAction.RESTORE)
            state, result = relay_policy.command_result(
                now=now,
                action=action,
                confirmed=confirmed,
                settings=settings,
                state=self.relay[room.room_id],
            )
            self.relay[room.room_id] = state
            if result.outcome is CommandOutcome.CONFIRMED:
                ir.async_delete_issue(self.hass, DOMAIN, f"relay_failed_{room.room_id}")
                return True
            if result.outcome is CommandOutcome.REPORT:
                self._report(room, fields, action.value)
                return False

    def _report(self, room: RoomConfig, fields: dict[str, Any], command: str) -> None:
        _LOGGER.error("Relay of room %s did not %s", room.name, command)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"relay_failed_{room.room_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="relay_failed",
            translation_placeholders={"room": room.name},
        )
        self._fire(EVENT_RELAY_FAILED, fields, command=command)
        self._notify("relay_failed", fields, command=command)

    # --- services and the switch ------------------------------------------------

    async def async_switch_by_hand(self, room: RoomConfig, closed: bool) -> bool:
        """The landlord's switch, never in the middle of a cycle. True if read back as set.

        It does not silently override protection: closing a relay a policy
        holds open is refused (reset a lockout with its button, grant keep-on,
        or recharge the tenant).
        """
        async with self._lock:
            if closed and (held := self.hold_reason(room.room_id)) is not None:
                raise user_error(f"relay_held_{held}", room=room.name)
            return await self._set(room, closed)

    def hold_reason(self, room_id: str) -> str | None:
        """Why a policy holds a room's relay open (locked_out, tripped, arrears), or None."""
        lstate = self.load.get(room_id)
        if lstate is not None and lstate.phase is LoadPhase.LOCKED_OUT:
            return "locked_out"
        if lstate is not None and lstate.phase is LoadPhase.TRIPPED:
            return "tripped"
        if self.relay.get(room_id, RelayPolicyState()).holds_open:
            return "arrears"
        return None

    async def async_set_keep_on(
        self, tenant_id: str | None, room_id: str | None, until: datetime | None
    ) -> None:
        """Manual keep-on for a tenant or a room until a moment; None clears it."""
        async with self._lock:
            self._set_keep_on(tenant_id, room_id, until)
            await self.async_save()

    def _set_keep_on(
        self, tenant_id: str | None, room_id: str | None, until: datetime | None
    ) -> None:
        target = self.manual_tenants if tenant_id else self.manual_rooms
        key = tenant_id or room_id
        assert key is not None
        if until is None:
            target.pop(key, None)
        else:
            target[key] = until

    async def async_reset_lockout(self, room: RoomConfig) -> bool:
        """The landlord's reset; closes the relay unless the arrears policy holds it. True if closed."""
        async with self._lock:
            return await self._async_reset_lockout(room)

    async def _async_reset_lockout(self, room: RoomConfig) -> bool:
        subentry = self.coordinator.config_entry.subentries[room.room_id]
        state, decision = load_protection.reset_lockout(
            now=self.coordinator.now(),
            tz=self.tz,
            settings=load_settings(subentry.data, room.has_relay),
            state=self.load.get(room.room_id, LoadProtectionState()),
        )
        self.load[room.room_id] = state
        closed = False
        if (
            decision.action is LoadAction.RECLOSE
            and room.has_relay
            and not self.relay.get(room.room_id, RelayPolicyState()).holds_open
        ):
            fields = self._room_fields(room.room_id, self._tenant_of(room.room_id))
            closed = await self._switch(room, fields, closed=True, command="reclose")
            if closed:
                self._fire(EVENT_POWER_RESTORED, fields, reason="reset", balance=None)
        await self.async_save()
        return closed

    def _tenant_of(self, room_id: str) -> str | None:
        from .coordinator import tenant_configs

        for tenant in tenant_configs(self.coordinator.config_entry).values():
            if room_id in tenant.rooms:
                return tenant.tenant_id
        return None

    def recharged(self, tenant_id: str, result: MoneyResult, reference: str) -> None:
        """A recharge applied: the recharge event and the tenant's receipt."""
        if not result.applied:
            return
        fields = self._tenant_fields(tenant_id)
        self._fire(
            EVENT_RECHARGE,
            fields,
            amount=result.amount,
            balance=result.balance,
            reference=reference,
            entry_id=result.entry_id,
        )
        self._notify("recharge", fields, amount=result.amount, balance=result.balance)
