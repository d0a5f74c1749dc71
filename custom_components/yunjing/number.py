"""A tenant's alarm levels and credit limit, editable from the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .billing.alarms import AlarmLevels, InvalidAlarmLevels
from .billing.errors import BillingError
from .billing.money import parse_amount
from .billing.relay_policy import InvalidRelaySettings, RelaySettings
from .const import (
    CONF_ALARM_1,
    CONF_ALARM_2,
    CONF_CREDIT_LIMIT,
    CONF_CURRENCY,
    CONF_RECONNECT_LEVEL,
    SUBENTRY_TENANT,
)
from .coordinator import MeterCoordinator
from .entity import TenantEntity
from .errors import billing_error, user_error
from .runtime import YunjingConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class LevelDescription(NumberEntityDescription):
    """A money level stored in the tenant's subentry."""

    levels_fn: Callable[[dict[str, Decimal], Decimal], dict[str, Decimal]]


def _set(key: str) -> Callable[[dict[str, Decimal], Decimal], dict[str, Decimal]]:
    return lambda levels, value: levels | {key: value}


LEVELS: tuple[LevelDescription, ...] = tuple(
    LevelDescription(
        key=key,
        translation_key=key,
        device_class=NumberDeviceClass.MONETARY,
        entity_category=EntityCategory.CONFIG,
        mode=NumberMode.BOX,
        native_min_value=-100_000,
        native_max_value=100_000,
        native_step=0.01,
        levels_fn=_set(key),
    )
    for key in (CONF_ALARM_1, CONF_ALARM_2, CONF_CREDIT_LIMIT)
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YunjingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the level numbers of each tenant."""
    coordinator = entry.runtime_data.coordinator
    currency = entry.data[CONF_CURRENCY]

    def add(subentry: ConfigSubentry) -> None:
        if subentry.subentry_type == SUBENTRY_TENANT:
            async_add_entities(
                [
                    LevelNumber(coordinator, subentry, description, currency)
                    for description in LEVELS
                ],
                config_subentry_id=subentry.subentry_id,
            )

    entry.runtime_data.add_entities_for_subentries(entry, add)


class LevelNumber(TenantEntity, NumberEntity):
    """An alarm level or the credit limit of a tenant."""

    entity_description: LevelDescription

    def __init__(
        self,
        coordinator: MeterCoordinator,
        subentry: ConfigSubentry,
        description: LevelDescription,
        currency: str,
    ) -> None:
        """Describe the number."""
        super().__init__(coordinator, subentry, description.key)
        self.entity_description = description
        self._attr_native_unit_of_measurement = currency
        self._currency = currency

    @property
    def _subentry(self) -> ConfigSubentry:
        return self.coordinator.config_entry.subentries[self.tenant_id]

    @property
    def native_value(self) -> float:
        """The level stored in the tenant's subentry."""
        return float(self._subentry.data[self.entity_description.key])

    async def async_set_native_value(self, value: float) -> None:
        """Store a new level if the three levels still descend."""
        subentry = self._subentry
        try:
            amount = parse_amount(
                f"{value:.{8}f}".rstrip("0").rstrip("."), self._currency
            )
        except BillingError as err:
            raise billing_error(err) from err
        levels = self.entity_description.levels_fn(
            {
                key: Decimal(subentry.data[key])
                for key in (CONF_ALARM_1, CONF_ALARM_2, CONF_CREDIT_LIMIT)
            },
            amount,
        )
        try:
            AlarmLevels(
                level_1=levels[CONF_ALARM_1],
                level_2=levels[CONF_ALARM_2],
                credit_limit=levels[CONF_CREDIT_LIMIT],
            )
        except InvalidAlarmLevels as err:
            raise user_error("levels_not_descending") from err
        try:
            RelaySettings(
                credit_limit=levels[CONF_CREDIT_LIMIT],
                reconnect_level=Decimal(subentry.data[CONF_RECONNECT_LEVEL]),
            )
        except InvalidRelaySettings as err:
            raise user_error("reconnect_below_credit_limit") from err
        self.hass.config_entries.async_update_subentry(
            self.coordinator.config_entry,
            subentry,
            data={**subentry.data, self.entity_description.key: str(amount)},
        )
