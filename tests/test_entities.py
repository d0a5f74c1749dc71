"""Every entity of a hub with three rooms and a tenant: ids, classes, units, categories, states."""

from __future__ import annotations

from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion


async def test_entities(
    hass: HomeAssistant, hub: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    registry = er.async_get(hass)
    entities = sorted(
        er.async_entries_for_config_entry(registry, hub.entry_id),
        key=lambda entry: entry.entity_id,
    )
    described = {
        entry.entity_id: {
            "unique_id": entry.unique_id,
            "subentry": entry.config_subentry_id,
            "translation_key": entry.translation_key,
            "device_class": entry.device_class or entry.original_device_class,
            "unit": entry.unit_of_measurement,
            "category": entry.entity_category,
            "disabled_by": entry.disabled_by,
            # Bus counters and cycle time vary from run to run.
            "state": "varies"
            if entry.entity_category is EntityCategory.DIAGNOSTIC
            else None
            if (state := hass.states.get(entry.entity_id)) is None
            else state.state,
        }
        for entry in entities
    }
    assert described == snapshot


async def test_period_figures_reset_each_period_and_balances_never(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    start = hub.runtime_data.coordinator.data.period_start.isoformat()
    for entity_id in (
        "sensor.101_energy_this_period",
        "sensor.101_cost_this_period",
        "sensor.li_lei_energy_this_period",
        "sensor.li_lei_cost_this_period",
    ):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.attributes["last_reset"] == start, entity_id
    balance = hass.states.get("sensor.li_lei_balance")
    assert balance is not None
    assert "last_reset" not in balance.attributes
    assert balance.attributes["state_class"] == "total"
