"""Yunjing: prepaid electricity billing and protection for small landlords."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from modbus_connection import ModbusConnectionError

from .const import DOMAIN
from .entry_data import bus_settings
from .meters.bus import BusSettings, probe


@dataclass
class YunjingRuntime:
    """Everything one hub entry holds while it is loaded."""

    bus_settings: BusSettings


type YunjingConfigEntry = ConfigEntry[YunjingRuntime]


async def async_setup_entry(hass: HomeAssistant, entry: YunjingConfigEntry) -> bool:
    """Set up a hub: one gateway or serial bus."""
    settings = bus_settings(entry.data)
    try:
        await probe(settings)
    except ModbusConnectionError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"target": entry.title},
        ) from err
    entry.runtime_data = YunjingRuntime(bus_settings=settings)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: YunjingConfigEntry) -> bool:
    """Unload a hub."""
    return True
