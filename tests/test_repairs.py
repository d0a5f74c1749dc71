"""Repair issues: a meter offline for long, and a suspected reset confirmed as a replacement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yunjing import coordinator as coordinator_module
from custom_components.yunjing.const import DOMAIN
from custom_components.yunjing.meters.simulator import Simulator

from .test_init import poll_after, state


async def test_meter_offline_for_long_is_a_repair_issue_until_it_answers(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(coordinator_module, "OFFLINE_REPAIR_AFTER", timedelta(0))
    registry = ir.async_get(hass)
    simulator.room(3).faults.dead = True
    await poll_after(hass, simulator, 10)
    await poll_after(hass, simulator, 10)
    issue = registry.async_get_issue(DOMAIN, "meter_offline_room103")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["room"] == "103"
    simulator.room(3).faults.dead = False
    await poll_after(hass, simulator, 10)
    assert registry.async_get_issue(DOMAIN, "meter_offline_room103") is None


async def test_backward_reading_is_never_billed_and_can_be_confirmed_as_a_new_meter(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, hass_client: Any
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    registry = ir.async_get(hass)
    simulator.room(1).reset_counter()  # now reads 0 kWh; 100 kWh were billed so far
    await poll_after(hass, simulator, 600)
    issue = registry.async_get_issue(DOMAIN, "meter_reset_room101")
    assert issue is not None
    assert issue.is_fixable
    assert state(hass, "sensor.101_energy_this_period") == "0.000"

    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue.issue_id}
    )
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    assert registry.async_get_issue(DOMAIN, "meter_reset_room101") is None

    # Billing continues from the new count: one hour at 1 kW is 1 kWh, 0.50.
    await poll_after(hass, simulator, 3600)
    assert state(hass, "sensor.101_energy_this_period") == "1.000"
    assert state(hass, "sensor.101_cost_this_period") == "0.50"


async def test_removing_a_tenant_with_money_is_not_silent(
    hass: HomeAssistant, hub: MockConfigEntry, hass_admin_user: Any
) -> None:
    from homeassistant.core import Context

    from .test_init import device_id

    await hass.services.async_call(
        DOMAIN,
        "recharge",
        {"tenant": device_id(hass, "lilei"), "amount": "25", "reference": "R-1"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert hass.config_entries.async_remove_subentry(hub, "lilei")
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "tenant_removed_lilei")
    assert issue is not None
    assert issue.translation_placeholders == {
        "tenant": "Li Lei",
        "balance": "25.00 CNY",
    }
    ledger = hub.runtime_data.coordinator.ledger
    assert await hass.async_add_executor_job(ledger.balance, "lilei") == 25


async def test_a_meter_showing_zero_for_a_while_bills_only_what_was_used(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator
) -> None:
    simulator.room(1).faults.zero_blips = 5  # a rebooting meter reads 0 five times
    for _ in range(5):
        await poll_after(hass, simulator, 60)
    await poll_after(hass, simulator, 3300)
    # One hour at 1 kW since setup: 1 kWh at 0.50, however the meter rebooted.
    assert state(hass, "sensor.101_energy_this_period") == "1.000"
    assert state(hass, "sensor.101_cost_this_period") == "0.50"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "meter_reset_room101") is None


async def test_a_stale_confirmation_changes_nothing(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, hass_client: Any
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    simulator.room(2).faults.zero_blips = 0
    meter = simulator.room(2)
    billed_before = meter.import_wh
    meter.reset_counter()
    await poll_after(hass, simulator, 60)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "meter_reset_room102")
    assert issue is not None
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue.issue_id}
    )
    flow = await response.json()
    # Meanwhile the "reset" turns out to be a glitch: the count comes back.
    meter._import_ws = (billed_before + 100) * 3600  # noqa: SLF001
    await poll_after(hass, simulator, 60)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "meter_reset_room102") is None
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    result = await response.json()
    assert (result["type"], result["reason"]) == ("abort", "already_resolved")
    ledger = hub.runtime_data.coordinator.ledger
    last_wh, _ = await hass.async_add_executor_job(ledger.room_reading, "room102")
    assert last_wh == meter.import_wh
