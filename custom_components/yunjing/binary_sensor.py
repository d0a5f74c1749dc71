"""Binary sensors of a room: malignant load detected, keep-on in force."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import SUBENTRY_ROOM
from .coordinator import MeterCoordinator, RoomData
from .entity import RoomEntity
from .runtime import YunjingConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RoomBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor computed from a room's snapshot."""

    value_fn: Callable[[RoomData], bool]


ROOM_BINARY_SENSORS: tuple[RoomBinarySensorDescription, ...] = (
    RoomBinarySensorDescription(
        key="malignant_load",
        translation_key="malignant_load",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda room: room.malignant_load,
    ),
    RoomBinarySensorDescription(
        key="keep_on",
        translation_key="keep_on",
        value_fn=lambda room: room.keep_on is not None,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YunjingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each room's protection binary sensors."""
    coordinator = entry.runtime_data.coordinator

    def add(subentry: ConfigSubentry) -> None:
        if subentry.subentry_type == SUBENTRY_ROOM:
            async_add_entities(
                [
                    RoomBinarySensor(coordinator, subentry, description)
                    for description in ROOM_BINARY_SENSORS
                ],
                config_subentry_id=subentry.subentry_id,
            )

    entry.runtime_data.add_entities_for_subentries(entry, add)


class RoomBinarySensor(RoomEntity, BinarySensorEntity):
    """A protection state of one room."""

    entity_description: RoomBinarySensorDescription

    def __init__(
        self,
        coordinator: MeterCoordinator,
        subentry: ConfigSubentry,
        description: RoomBinarySensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, subentry, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """The value from the latest snapshot."""
        room = self.room
        return None if room is None else self.entity_description.value_fn(room)

    @property
    def extra_state_attributes(self) -> dict[str, str | None] | None:
        """Why keep-on applies (manual, holiday, weekend, protected_hours)."""
        room = self.room
        if self.entity_description.key != "keep_on" or room is None:
            return None
        return {"reason": room.keep_on}
