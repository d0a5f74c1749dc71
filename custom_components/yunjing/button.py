"""A room's "reset lockout" button: the landlord's reset after malignant-load lockout."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import SUBENTRY_ROOM
from .entity import RoomEntity
from .runtime import YunjingConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YunjingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a reset button for each room."""
    coordinator = entry.runtime_data.coordinator

    def add(subentry: ConfigSubentry) -> None:
        if subentry.subentry_type == SUBENTRY_ROOM:
            async_add_entities(
                [ResetLockoutButton(coordinator, subentry, "reset_lockout")],
                config_subentry_id=subentry.subentry_id,
            )

    entry.runtime_data.add_entities_for_subentries(entry, add)


class ResetLockoutButton(RoomEntity, ButtonEntity):
    """Ends a trip or lockout and closes the relay (unless the room is cut for arrears)."""

    _attr_translation_key = "reset_lockout"
    _attr_entity_category = EntityCategory.CONFIG

    async def async_press(self) -> None:
        """Reset the room's load protection."""
        await self.coordinator.async_reset_lockout(self.room_id)
