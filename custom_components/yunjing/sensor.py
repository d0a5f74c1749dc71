"""Sensors: meter readings and period figures per room, money per tenant, bus diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import (
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_CURRENCY, SUBENTRY_ROOM, SUBENTRY_TENANT
from .coordinator import MeterCoordinator, RoomData, Snapshot, TenantData
from .entity import HubEntity, RoomEntity, TenantEntity
from .meters.models import MODELS, Quantity
from .runtime import YunjingConfigEntry

PARALLEL_UPDATES = 0

ROOM_STATUSES = [
    "normal",
    "low_balance",
    "keep_on",
    "cut_for_arrears",
    "tripped",
    "locked_out",
    "offline",
]
ALARM_LEVELS = ["none", "level_1", "level_2", "arrears"]


@dataclass(frozen=True, kw_only=True)
class FigureDescription(SensorEntityDescription):
    """A sensor of a room or a tenant."""

    monetary: bool = False
    """Its unit is the hub's currency."""
    per_period: bool = False
    """It restarts at each billing period (its last_reset is the period start)."""


@dataclass(frozen=True, kw_only=True)
class RoomSensorDescription(FigureDescription):
    """A sensor of a room."""

    value_fn: Callable[[RoomData], float | int | Decimal | str | None]
    needs: Quantity | None = None
    always_available: bool = False


@dataclass(frozen=True, kw_only=True)
class TenantSensorDescription(FigureDescription):
    """A sensor of a tenant."""

    value_fn: Callable[[TenantData], float | int | Decimal | str | None]


@dataclass(frozen=True, kw_only=True)
class HubSensorDescription(SensorEntityDescription):
    """A diagnostic sensor of the hub's bus."""

    value_fn: Callable[[Snapshot], float | int | None]


def _reading(attribute: str) -> Callable[[RoomData], float | int | None]:
    def value(room: RoomData) -> float | int | None:
        return None if room.reading is None else getattr(room.reading, attribute)

    return value


def _kwh(wh: int | None) -> Decimal | None:
    return None if wh is None else Decimal(wh) / 1000


ROOM_SENSORS: tuple[RoomSensorDescription, ...] = (
    RoomSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        needs=Quantity.POWER,
        value_fn=_reading("power_w"),
    ),
    RoomSensorDescription(
        key="energy_import",
        translation_key="energy_import",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        needs=Quantity.IMPORT_ENERGY,
        value_fn=lambda room: (
            None if room.reading is None else _kwh(room.reading.import_wh)
        ),
    ),
    RoomSensorDescription(
        key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,
        needs=Quantity.VOLTAGE,
        value_fn=_reading("voltage_v"),
    ),
    RoomSensorDescription(
        key="current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        needs=Quantity.CURRENT,
        value_fn=_reading("current_a"),
    ),
    RoomSensorDescription(
        key="power_factor",
        device_class=SensorDeviceClass.POWER_FACTOR,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        needs=Quantity.POWER_FACTOR,
        value_fn=_reading("power_factor"),
    ),
    RoomSensorDescription(
        key="frequency",
        device_class=SensorDeviceClass.FREQUENCY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfFrequency.HERTZ,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        entity_category=EntityCategory.DIAGNOSTIC,
        needs=Quantity.FREQUENCY,
        value_fn=_reading("frequency_hz"),
    ),
    RoomSensorDescription(
        key="energy_period",
        per_period=True,
        translation_key="energy_period",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        always_available=True,
        value_fn=lambda room: room.energy_period_kwh,
    ),
    RoomSensorDescription(
        key="cost_period",
        per_period=True,
        translation_key="cost_period",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        monetary=True,
        always_available=True,
        value_fn=lambda room: room.cost_period,
    ),
    RoomSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=ROOM_STATUSES,
        always_available=True,
        value_fn=lambda room: room.status,
    ),
)

TENANT_SENSORS: tuple[TenantSensorDescription, ...] = (
    TenantSensorDescription(
        key="balance",
        translation_key="balance",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        monetary=True,
        value_fn=lambda tenant: tenant.balance,
    ),
    TenantSensorDescription(
        key="alarm_level",
        translation_key="alarm_level",
        device_class=SensorDeviceClass.ENUM,
        options=ALARM_LEVELS,
        value_fn=lambda tenant: tenant.alarm_level,
    ),
    TenantSensorDescription(
        key="days_left",
        translation_key="days_left",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        value_fn=lambda tenant: tenant.days_left,
    ),
    TenantSensorDescription(
        key="energy_period",
        per_period=True,
        translation_key="energy_period",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda tenant: tenant.energy_period_kwh,
    ),
    TenantSensorDescription(
        key="cost_period",
        per_period=True,
        translation_key="cost_period",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        monetary=True,
        value_fn=lambda tenant: tenant.cost_period,
    ),
)

HUB_SENSORS: tuple[HubSensorDescription, ...] = (
    HubSensorDescription(
        key="requests",
        translation_key="requests",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda snapshot: snapshot.requests,
    ),
    HubSensorDescription(
        key="failures",
        translation_key="failures",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda snapshot: snapshot.failures,
    ),
    HubSensorDescription(
        key="cycle_time",
        translation_key="cycle_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda snapshot: snapshot.cycle_seconds,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YunjingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's sensors now, and each room's and tenant's as they are added."""
    coordinator = entry.runtime_data.coordinator
    currency = entry.data[CONF_CURRENCY]
    async_add_entities(
        HubSensor(coordinator, description) for description in HUB_SENSORS
    )

    def add(subentry: ConfigSubentry) -> None:
        entities: list[SensorEntity] = []
        if subentry.subentry_type == SUBENTRY_ROOM:
            provides = MODELS[subentry.data["model"]].provides
            entities = [
                RoomSensor(coordinator, subentry, description, currency)
                for description in ROOM_SENSORS
                if description.needs is None or description.needs in provides
            ]
        elif subentry.subentry_type == SUBENTRY_TENANT:
            entities = [
                TenantSensor(coordinator, subentry, description, currency)
                for description in TENANT_SENSORS
            ]
        async_add_entities(entities, config_subentry_id=subentry.subentry_id)

    entry.runtime_data.add_entities_for_subentries(entry, add)


class FigureSensor(SensorEntity):
    """A room's or tenant's figure: currency unit and period reset from its description."""

    entity_description: FigureDescription
    coordinator: MeterCoordinator

    def _describe(self, description: FigureDescription, currency: str) -> None:
        self.entity_description = description
        if description.monetary:
            self._attr_native_unit_of_measurement = currency

    @property
    def last_reset(self) -> datetime | None:
        """Period figures restart at each billing period; the others never do."""
        if self.entity_description.per_period:
            return self.coordinator.data.period_start
        return None


class RoomSensor(RoomEntity, FigureSensor):
    """A sensor of one room."""

    entity_description: RoomSensorDescription

    def __init__(
        self,
        coordinator: MeterCoordinator,
        subentry: ConfigSubentry,
        description: RoomSensorDescription,
        currency: str,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, subentry, description.key)
        self._describe(description, currency)

    @property
    def available(self) -> bool:
        """Period figures come from the ledger and stay available while the meter is offline."""
        if self.entity_description.always_available:
            return self.coordinator.last_update_success and self.room is not None
        return super().available

    @property
    def native_value(self) -> float | int | Decimal | str | None:
        """The value from the latest snapshot."""
        room = self.room
        return None if room is None else self.entity_description.value_fn(room)


class TenantSensor(TenantEntity, FigureSensor):
    """A sensor of one tenant."""

    entity_description: TenantSensorDescription

    def __init__(
        self,
        coordinator: MeterCoordinator,
        subentry: ConfigSubentry,
        description: TenantSensorDescription,
        currency: str,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, subentry, description.key)
        self._describe(description, currency)

    @property
    def native_value(self) -> float | int | Decimal | str | None:
        """The value from the latest snapshot."""
        tenant = self.tenant
        return None if tenant is None else self.entity_description.value_fn(tenant)


class HubSensor(HubEntity, SensorEntity):
    """A diagnostic sensor of the bus."""

    entity_description: HubSensorDescription

    def __init__(
        self, coordinator: MeterCoordinator, description: HubSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | int | None:
        """The value from the latest snapshot."""
        return self.entity_description.value_fn(self.coordinator.data)
