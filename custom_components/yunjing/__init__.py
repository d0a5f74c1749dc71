"""Yunjing: prepaid electricity billing and protection for small landlords."""

from __future__ import annotations

from collections.abc import Callable
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from functools import partial
import logging
from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .billing.errors import BillingError
from .billing.ledger import Ledger
from .blueprints import async_install_blueprints
from .const import (
    CONF_BILLING_DAY,
    CONF_CONNECTION_TYPE,
    CONF_CURRENCY,
    CONF_TIME_SCALE,
    CONNECTION_SIMULATED,
    DOMAIN,
)
from .coordinator import MeterCoordinator, room_configs
from .entry_data import bus_settings
from .meters.bus import Bus
from .meters.simulator import DEMO_BUILDING, Simulator, load_building
from .runtime import YunjingConfigEntry, YunjingRuntime
from .services import async_setup_services

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class _LedgerClock:
    """The ledger's clock: the hub's time."""

    now: Callable[[], datetime]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services, once for all hubs."""
    async_setup_services(hass)
    await async_install_blueprints(hass)
    return True


def _open_ledger(
    hass: HomeAssistant, entry: YunjingConfigEntry, clock: Callable[[], datetime]
) -> Ledger:
    folder = Path(hass.config.path(DOMAIN))
    folder.mkdir(exist_ok=True)
    return Ledger.open(
        folder / f"{entry.entry_id}.sqlite3",
        currency=entry.data[CONF_CURRENCY],
        time_zone=hass.config.time_zone,
        billing_day=entry.data[CONF_BILLING_DAY],
        clock=_LedgerClock(clock),
    )


def _continue_counts(
    entry: YunjingConfigEntry, simulator: Simulator, ledger: Ledger
) -> None:
    known_rooms, _ = ledger.known_ids()
    for room in room_configs(entry).values():
        if room.room_id not in known_rooms or room.unit_id not in simulator.rooms:
            continue
        reading, _ = ledger.room_reading(room.room_id)
        if reading is not None:
            simulator.room(room.unit_id).continue_from(reading)


async def async_setup_entry(hass: HomeAssistant, entry: YunjingConfigEntry) -> bool:
    """Set up a hub: its bus, its ledger and the poll cycle."""
    simulator = None
    clock: Callable[[], datetime] = dt_util.utcnow
    if entry.data[CONF_CONNECTION_TYPE] == CONNECTION_SIMULATED:
        building = await hass.async_add_executor_job(load_building, DEMO_BUILDING)
        simulator = Simulator(
            dataclasses.replace(
                building,
                tcp_port=0,
                rtu_over_tcp_port=0,
                start=dt_util.utcnow(),
                time_scale=entry.data.get(CONF_TIME_SCALE, 1),
            )
        )
        await simulator.start()
        settings = simulator.bus_settings()
        clock = simulator.clock.now
    else:
        settings = bus_settings(entry.data)
    bus = Bus(settings)
    try:
        ledger = await hass.async_add_executor_job(_open_ledger, hass, entry, clock)
    except BaseException as err:
        await bus.close()
        if simulator is not None:
            await simulator.close()
        if isinstance(err, BillingError):
            # e.g. Home Assistant's time zone changed since the ledger was made:
            # the landlord must act, retrying will not help.
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key=err.code,
                translation_placeholders=err.placeholders,
            ) from err
        raise
    if simulator is not None:
        # The simulated meters start from the demo's counts; a restart must not
        # look like meters that went backwards.
        await hass.async_add_executor_job(_continue_counts, entry, simulator, ledger)
    coordinator = MeterCoordinator(hass, entry, bus, ledger, clock)
    hub_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer="Yunjing",
        model="Meter bus",
    )
    entry.runtime_data = YunjingRuntime(
        coordinator=coordinator, hub_device_id=hub_device.id, simulator=simulator
    )
    entry.async_on_unload(partial(_async_close, hass, entry.runtime_data))
    await coordinator.protection.async_load()
    await coordinator.async_ensure_tariff()
    await coordinator.async_sync_ledger(tenants_too=False)
    await coordinator.async_config_entry_first_refresh()
    # Also settles what was removed while the hub was unloaded.
    await coordinator.async_apply_subentry_changes()
    await coordinator.async_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


async def _async_close(hass: HomeAssistant, runtime: YunjingRuntime) -> None:
    await runtime.coordinator.async_close()
    if runtime.simulator is not None:
        await runtime.simulator.close()


async def _async_entry_updated(hass: HomeAssistant, entry: YunjingConfigEntry) -> None:
    """Subentries added, changed or removed: tell the ledger, add entities, poll.

    This runs as a task nobody awaits: a failure is logged here, and the next
    change tries the ledger again.
    """
    if entry.state is not ConfigEntryState.LOADED:
        return  # unloading or reloading: the next setup reads the subentries
    runtime = entry.runtime_data
    try:
        in_ledger = await runtime.coordinator.async_apply_subentry_changes()
    except Exception:
        _LOGGER.exception(
            "Hub %s: the ledger could not take the changed rooms and tenants",
            entry.title,
        )
        return
    if entry.state is not ConfigEntryState.LOADED:
        return
    runtime.new_subentries(entry, in_ledger)
    await runtime.coordinator.async_request_refresh()


async def async_unload_entry(hass: HomeAssistant, entry: YunjingConfigEntry) -> bool:
    """Unload a hub."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
