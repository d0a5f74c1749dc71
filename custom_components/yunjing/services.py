"""Services: money operations for admins, and questions that return data.

Tenants and rooms are named by their Home Assistant device. Every service is
admin-only (a non-admin user is refused; automations run without a user), and
every money operation records the calling user in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, cast

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util
import probatio as vol

from .billing.errors import BillingError
from .billing.records import Record
from .billing.validation import parse_reading_kwh
from .const import CONF_ROOMS, DOMAIN, SUBENTRY_ROOM, SUBENTRY_TENANT
from .errors import billing_error, user_error
from .runtime import YunjingConfigEntry

ATTR_TENANT = "tenant"
ATTR_ROOM = "room"
ATTR_AMOUNT = "amount"
ATTR_REFERENCE = "reference"
ATTR_ENTRY_ID = "entry_id"
ATTR_REASON = "reason"
ATTR_OLD_FINAL = "old_final_kwh"
ATTR_NEW_START = "new_start_kwh"
ATTR_PERIOD = "period"
ATTR_START = "start"
ATTR_END = "end"
ATTR_REPORT = "report"
ATTR_HUB = "hub"
ATTR_UNTIL = "until"

REPORTS = [
    "inventory",
    "income_expenditure",
    "operations",
    "energy_comparison",
    "payment_trends",
]

# Amounts are strings so that "0.1" stays exactly 0.1 (a number would arrive as a float).
AMOUNT = vol.All(vol.Coerce(str), vol.Length(min=1, max=32))
TEXT = vol.All(cv.string, vol.Strip, vol.Length(min=1, max=200))

TENANT_SCHEMA = vol.Schema({vol.Required(ATTR_TENANT): cv.string})
MONEY_SCHEMA = TENANT_SCHEMA.extend(
    {vol.Required(ATTR_AMOUNT): AMOUNT, vol.Required(ATTR_REFERENCE): TEXT}
)


def _whole_number(value: Any) -> Any:
    """No silent truncation: 1.9 is not journal entry 1 (nor is True)."""
    if isinstance(value, (bool, float)):
        raise vol.Invalid("expected a whole number")
    return value


CORRECT_SCHEMA = TENANT_SCHEMA.extend(
    {
        vol.Required(ATTR_ENTRY_ID): vol.All(
            _whole_number, vol.Coerce(int), vol.Range(min=1)
        ),
        vol.Required(ATTR_REASON): TEXT,
    }
)
ROOM_SCHEMA = vol.Schema({vol.Required(ATTR_ROOM): cv.string})
MOVE_IN_SCHEMA = TENANT_SCHEMA.extend({vol.Required(ATTR_ROOM): cv.string})
REPLACE_SCHEMA = ROOM_SCHEMA.extend(
    {vol.Required(ATTR_OLD_FINAL): AMOUNT, vol.Required(ATTR_NEW_START): AMOUNT}
)
BILL_SCHEMA = TENANT_SCHEMA.extend({vol.Optional(ATTR_PERIOD): cv.date})
USAGE_SCHEMA = TENANT_SCHEMA.extend({vol.Optional(ATTR_ROOM): cv.string})
RANGE_SCHEMA = TENANT_SCHEMA.extend(
    {vol.Optional(ATTR_START): cv.date, vol.Optional(ATTR_END): cv.date}
)
KEEP_ON_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Exclusive(ATTR_TENANT, "target"): cv.string,
            vol.Exclusive(ATTR_ROOM, "target"): cv.string,
            vol.Optional(ATTR_UNTIL): vol.Any(None, cv.datetime),
        }
    ),
    cv.has_at_least_one_key(ATTR_TENANT, ATTR_ROOM),
)
REPORT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_HUB): cv.string,
        vol.Required(ATTR_REPORT): vol.In(REPORTS),
        vol.Optional(ATTR_PERIOD): cv.date,
        vol.Optional(ATTR_START): cv.date,
        vol.Optional(ATTR_END): cv.date,
    }
)


def _subentry_of_device(
    hass: HomeAssistant, device_id: str, kind: str
) -> tuple[YunjingConfigEntry, str]:
    """The loaded hub and subentry id behind a tenant or room device."""
    device = dr.async_get(hass).async_get(device_id)
    if device is not None and device.config_subentry_id is not None:
        entry = hass.config_entries.async_get_entry(device.config_entry_id)
        if entry is not None and entry.domain == DOMAIN:
            subentry = entry.subentries.get(device.config_subentry_id)
            if subentry is not None and subentry.subentry_type == kind:
                if entry.state is not ConfigEntryState.LOADED:
                    raise user_error("hub_not_loaded", hub=entry.title)
                return cast(YunjingConfigEntry, entry), subentry.subentry_id
    raise user_error(f"unknown_{kind}_device", device=device_id)


def _hub(hass: HomeAssistant, entry_id: str) -> YunjingConfigEntry:
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise user_error("unknown_hub", hub=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise user_error("hub_not_loaded", hub=entry.title)
    return cast(YunjingConfigEntry, entry)


async def _ledger_call(
    entry: YunjingConfigEntry, func: Callable[..., Any], *args: Any
) -> Any:
    """Run a ledger operation in the executor; a BillingError becomes a translated error."""
    try:
        return await entry.runtime_data.coordinator.async_ledger_job(func, *args)
    except BillingError as err:
        raise billing_error(err) from err


def _respond(record: Record) -> ServiceResponse:
    """A ledger record as a service response (JSON-friendly values)."""
    return cast(ServiceResponse, record.as_dict())


def _local_start(day: date) -> datetime:
    return dt_util.start_of_local_day(day)


async def _recharge(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    ledger = entry.runtime_data.coordinator.ledger
    result = await _ledger_call(
        entry,
        ledger.recharge,
        tenant,
        call.data[ATTR_AMOUNT],
        call.data[ATTR_REFERENCE],
        call.context.user_id,
    )
    entry.runtime_data.coordinator.protection.recharged(
        tenant, result, call.data[ATTR_REFERENCE]
    )
    await entry.runtime_data.coordinator.async_request_refresh()
    return _respond(result)


async def _set_keep_on(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Keep power on for a tenant's rooms or one room until a moment; no `until` clears it."""
    until = call.data.get(ATTR_UNTIL)
    if until is not None:
        if until.tzinfo is None:
            until = until.replace(tzinfo=dt_util.get_default_time_zone())
        until = dt_util.as_utc(until)
    if ATTR_TENANT in call.data:
        entry, tenant = _subentry_of_device(
            hass, call.data[ATTR_TENANT], SUBENTRY_TENANT
        )
        await entry.runtime_data.coordinator.async_set_keep_on(tenant, None, until)
    else:
        entry, room = _subentry_of_device(hass, call.data[ATTR_ROOM], SUBENTRY_ROOM)
        await entry.runtime_data.coordinator.async_set_keep_on(None, room, until)
    return None


async def _reset_lockout(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """End a room's malignant-load trip or lockout and close its relay."""
    entry, room = _subentry_of_device(hass, call.data[ATTR_ROOM], SUBENTRY_ROOM)
    await entry.runtime_data.coordinator.async_reset_lockout(room)
    return None


async def _refund(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    ledger = entry.runtime_data.coordinator.ledger
    result = await _ledger_call(
        entry,
        ledger.refund,
        tenant,
        call.data[ATTR_AMOUNT],
        call.data[ATTR_REFERENCE],
        call.context.user_id,
    )
    await entry.runtime_data.coordinator.async_request_refresh()
    return _respond(result)


async def _correct(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    coordinator = entry.runtime_data.coordinator
    result = await _ledger_call(
        entry,
        coordinator.ledger.correct,
        call.data[ATTR_ENTRY_ID],
        call.data[ATTR_REASON],
        call.context.user_id,
        tenant,
    )
    await coordinator.async_request_refresh()
    return _respond(result)


async def _move_in(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    room_entry, room = _subentry_of_device(hass, call.data[ATTR_ROOM], SUBENTRY_ROOM)
    if room_entry.entry_id != entry.entry_id:
        raise user_error("room_on_other_hub")
    await entry.runtime_data.coordinator.async_move_in(
        tenant, room, call.context.user_id
    )
    return None


async def _move_out(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    try:
        settlement = await entry.runtime_data.coordinator.async_move_out(
            tenant, call.context.user_id
        )
    except BillingError as err:
        raise billing_error(err) from err
    return _respond(settlement)


async def _replace_meter(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, room = _subentry_of_device(hass, call.data[ATTR_ROOM], SUBENTRY_ROOM)
    try:
        old_wh = parse_reading_kwh(call.data[ATTR_OLD_FINAL], ATTR_OLD_FINAL)
        new_wh = parse_reading_kwh(call.data[ATTR_NEW_START], ATTR_NEW_START)
        await entry.runtime_data.coordinator.async_replace_meter(
            room, old_wh, new_wh, call.context.user_id
        )
    except BillingError as err:
        raise billing_error(err) from err
    return None


async def _get_bill(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    ledger = entry.runtime_data.coordinator.ledger
    bill = await _ledger_call(entry, ledger.bill, tenant, call.data.get(ATTR_PERIOD))
    return _respond(bill)


async def _get_usage(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    ledger = entry.runtime_data.coordinator.ledger
    now = entry.runtime_data.coordinator.now()
    usage = cast(
        dict[str, Any],
        _respond(await _ledger_call(entry, ledger.usage, now, tenant)),
    )
    if ATTR_ROOM in call.data:
        room_entry, room = _subentry_of_device(
            hass, call.data[ATTR_ROOM], SUBENTRY_ROOM
        )
        if room_entry.entry_id != entry.entry_id or room not in entry.subentries[
            tenant
        ].data.get(CONF_ROOMS, []):
            raise user_error("room_not_held")
        usage["rooms"] = [line for line in usage["rooms"] if line["room_id"] == room]
    return cast(ServiceResponse, usage)


def _date_range(call: ServiceCall, today: date) -> tuple[datetime, datetime]:
    """The local days `start` to `end` as instants; by default the 30 days up to `end` (today)."""
    end = call.data.get(ATTR_END, today)
    start = call.data.get(ATTR_START, end - timedelta(days=29))
    if end < start:
        raise user_error("range_reversed")
    return _local_start(start), _local_start(end + timedelta(days=1))


async def _get_recharges(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry, tenant = _subentry_of_device(hass, call.data[ATTR_TENANT], SUBENTRY_TENANT)
    today = dt_util.as_local(entry.runtime_data.coordinator.now()).date()
    ledger = entry.runtime_data.coordinator.ledger
    entries = await _ledger_call(
        entry, ledger.recharges, *_date_range(call, today), tenant
    )
    return {"recharges": [row.as_dict() for row in entries]}


async def _get_report(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = _hub(hass, call.data[ATTR_HUB])
    ledger = entry.runtime_data.coordinator.ledger
    now = entry.runtime_data.coordinator.now()
    today = dt_util.as_local(now).date()
    report = call.data[ATTR_REPORT]
    if report == "inventory":
        result = await _ledger_call(entry, ledger.inventory, now)
        return _respond(result)
    if report == "income_expenditure":
        period = call.data.get(ATTR_PERIOD, today)
        return _respond(await _ledger_call(entry, ledger.income_expenditure, period))
    if report == "energy_comparison":
        return _respond(await _ledger_call(entry, ledger.energy_comparison, now))
    if report == "payment_trends":
        months = await _ledger_call(entry, ledger.payment_trends, now)
        return {"periods": [month.as_dict() for month in months]}
    rows = await _ledger_call(entry, ledger.operations, *_date_range(call, today))
    return {"operations": [row.as_dict() for row in rows]}


type Handler = Callable[
    [HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]
]

SERVICES: tuple[tuple[str, Handler, Any, SupportsResponse], ...] = (
    ("recharge", _recharge, MONEY_SCHEMA, SupportsResponse.OPTIONAL),
    ("refund", _refund, MONEY_SCHEMA, SupportsResponse.OPTIONAL),
    ("correct", _correct, CORRECT_SCHEMA, SupportsResponse.OPTIONAL),
    ("move_in", _move_in, MOVE_IN_SCHEMA, SupportsResponse.NONE),
    ("move_out", _move_out, TENANT_SCHEMA, SupportsResponse.OPTIONAL),
    ("replace_meter", _replace_meter, REPLACE_SCHEMA, SupportsResponse.NONE),
    ("get_bill", _get_bill, BILL_SCHEMA, SupportsResponse.ONLY),
    ("get_usage", _get_usage, USAGE_SCHEMA, SupportsResponse.ONLY),
    ("get_recharges", _get_recharges, RANGE_SCHEMA, SupportsResponse.ONLY),
    ("get_report", _get_report, REPORT_SCHEMA, SupportsResponse.ONLY),
    ("set_keep_on", _set_keep_on, KEEP_ON_SCHEMA, SupportsResponse.NONE),
    ("reset_lockout", _reset_lockout, ROOM_SCHEMA, SupportsResponse.NONE),
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every service of the integration (admin only)."""
    for name, handler, schema, response in SERVICES:
        async_register_admin_service(
            hass,
            DOMAIN,
            name,
            partial(handler, hass),
            schema=schema,
            supports_response=response,
        )
