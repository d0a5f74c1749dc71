"""The relay of a room's meter."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_HAS_RELAY, SUBENTRY_ROOM
from .entity import RoomEntity
from .runtime import YunjingConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YunjingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a relay switch for each room whose meter has one."""
    coordinator = entry.runtime_data.coordinator

    def add(subentry: ConfigSubentry) -> None:
        if subentry.subentry_type == SUBENTRY_ROOM and subentry.data[CONF_HAS_RELAY]:
            async_add_entities(
                [RelaySwitch(coordinator, subentry, "relay")],
                config_subentry_id=subentry.subentry_id,
            )

    entry.runtime_data.add_entities_for_subentries(entry, add)


class RelaySwitch(RoomEntity, SwitchEntity):
    """On: the room has power. Every command is read back from the meter."""

    _attr_translation_key = "relay"
    _attr_device_class = SwitchDeviceClass.OUTLET

    @property
    def is_on(self) -> bool | None:
        """The relay state the meter last reported."""
        room = self.room
        return (
            None if room is None or room.reading is None else room.reading.relay_closed
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Close the relay (power on)."""
        await self.coordinator.async_set_relay(self.room_id, closed=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Open the relay (power off)."""
        await self.coordinator.async_set_relay(self.room_id, closed=False)
