"""Base entities: the hub, a room (its meter) and a tenant (their account)."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_MODEL, DOMAIN
from .coordinator import MeterCoordinator, RoomData, TenantData
from .meters.models import MODELS


class YunjingEntity(CoordinatorEntity[MeterCoordinator]):
    """An entity of a Yunjing hub."""

    _attr_has_entity_name = True


class HubEntity(YunjingEntity):
    """An entity of the hub device itself (bus diagnostics)."""

    def __init__(self, coordinator: MeterCoordinator, key: str) -> None:
        """Attach to the hub device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Yunjing",
            model="Meter bus",
        )


class RoomEntity(YunjingEntity):
    """An entity of one room's meter; unavailable while the meter is offline."""

    def __init__(
        self, coordinator: MeterCoordinator, subentry: ConfigSubentry, key: str
    ) -> None:
        """Attach to the room's device."""
        super().__init__(coordinator)
        self.room_id = subentry.subentry_id
        model = MODELS[subentry.data[CONF_MODEL]]
        self._attr_unique_id = f"{subentry.subentry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer=model.name.split(" ", 1)[0],
            model=model.name,
            via_device_id=coordinator.config_entry.runtime_data.hub_device_id,
        )

    @property
    def room(self) -> RoomData | None:
        """This room in the latest snapshot."""
        return self.coordinator.data.rooms.get(self.room_id)

    @property
    def available(self) -> bool:
        """Available while the meter answers."""
        room = self.room
        return super().available and room is not None and room.reading is not None


class TenantEntity(YunjingEntity):
    """An entity of one tenant's account."""

    def __init__(
        self, coordinator: MeterCoordinator, subentry: ConfigSubentry, key: str
    ) -> None:
        """Attach to the tenant's device."""
        super().__init__(coordinator)
        self.tenant_id = subentry.subentry_id
        self._attr_unique_id = f"{subentry.subentry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="Yunjing",
            model="Prepaid account",
            via_device_id=coordinator.config_entry.runtime_data.hub_device_id,
        )

    @property
    def tenant(self) -> TenantData | None:
        """This tenant in the latest snapshot."""
        return self.coordinator.data.tenants.get(self.tenant_id)

    @property
    def available(self) -> bool:
        """Available while the ledger has the account."""
        return super().available and self.tenant is not None
