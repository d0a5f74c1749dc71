"""Repair issues: a meter offline for long, and a suspected reset confirmed as a replacement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
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


async def test_removing_a_tenant_settles_them_and_frees_their_rooms(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    hass_admin_user: Any,
) -> None:
    from homeassistant.core import Context

    from .conftest import add_subentry, tenant_subentry
    from .test_init import device_id

    await hass.services.async_call(
        DOMAIN,
        "recharge",
        {"tenant": device_id(hass, "lilei"), "amount": "25", "reference": "R-1"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await poll_after(hass, simulator, 3600)  # 2 rooms x 1 kWh x 0.50 = 1.00
    assert state(hass, "sensor.li_lei_balance") == "24.00"
    assert hass.config_entries.async_remove_subentry(hub, "lilei")
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "tenant_removed_lilei")
    assert issue is not None
    assert issue.translation_placeholders == {
        "tenant": "Li Lei",
        "refunded": "24.00 CNY",
        "arrears": "0.00 CNY",
    }
    ledger = hub.runtime_data.coordinator.ledger
    assert await hass.async_add_executor_job(ledger.balance, "lilei") == 0
    assert await hass.async_add_executor_job(ledger.open_accounts) == {}

    # Room 101 is free: a new tenant moves in and pays for it; Li Lei pays nothing more.
    new_tenant = tenant_subentry("hanmeimei", "Han Meimei", ["room101"])
    add_subentry(hass, hub, new_tenant)
    await hass.async_block_till_done()
    await poll_after(hass, simulator, 3600)
    assert state(hass, "sensor.han_meimei_balance") == "-0.50"
    assert await hass.async_add_executor_job(ledger.balance, "lilei") == 0


@pytest.mark.parametrize("while_unloaded", [False, True])
async def test_removing_a_tenant_in_arrears_says_what_is_owed(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    while_unloaded: bool,
) -> None:
    await poll_after(hass, simulator, 7200)  # 2 rooms x 2 kWh x 0.50 = 2.00 owed
    if while_unloaded:  # then setup settles the removed tenant
        assert await hass.config_entries.async_unload(hub.entry_id)
    assert hass.config_entries.async_remove_subentry(hub, "lilei")
    if while_unloaded:
        assert await hass.config_entries.async_setup(hub.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "tenant_removed_lilei")
    assert issue is not None
    assert issue.translation_placeholders == {
        "tenant": "Li Lei",
        "refunded": "0.00 CNY",
        "arrears": "2.00 CNY",
    }
    ledger = hub.runtime_data.coordinator.ledger
    assert await hass.async_add_executor_job(ledger.open_accounts) == {}


async def test_removing_a_settled_tenant_raises_no_issue(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    # Nothing consumed, nothing paid: the account closes at 0.00, no money to hand over.
    assert hass.config_entries.async_remove_subentry(hub, "lilei")
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, "tenant_removed_lilei") is None
    ledger = hub.runtime_data.coordinator.ledger
    assert await hass.async_add_executor_job(ledger.open_accounts) == {}


async def test_a_failing_listener_is_logged_not_lost(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import sqlite3

    ledger = hub.runtime_data.coordinator.ledger

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ledger, "move_out", broken)
    assert hass.config_entries.async_remove_subentry(hub, "lilei")
    await hass.async_block_till_done()
    assert "Test building" in caplog.text
    assert "disk I/O error" in caplog.text
    monkeypatch.undo()
    # The next change retries the settlement.
    hass.config_entries.async_update_entry(hub, title="Test building 2")
    await hass.async_block_till_done()
    assert await hass.async_add_executor_job(ledger.open_accounts) == {}


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


async def test_a_counter_that_rolls_over_keeps_billing(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator
) -> None:
    # Room 101's DDS238-2 counts 0.01 kWh in 32 bits: it wraps at 42,949,672.96 kWh.
    ledger = hub.runtime_data.coordinator.ledger
    near_the_top = 2**32 * 10 - 500
    simulator.room(1)._import_ws = near_the_top * 3600
    await hass.async_add_executor_job(
        ledger.replace_meter, "room101", dt_util.utcnow(), 100_000, near_the_top
    )
    hub.runtime_data.coordinator._counters.pop("room101")
    await poll_after(hass, simulator, 60)
    await poll_after(
        hass, simulator, 3540
    )  # 1 kWh at 1 kW: 500 Wh up to the top, 500 after
    assert simulator.room(1).import_wh % (2**32 * 10) < 1000
    assert state(hass, "sensor.101_energy_this_period") == "1.000"
    assert state(hass, "sensor.101_cost_this_period") == "0.50"
    await poll_after(hass, simulator, 3600)
    assert state(hass, "sensor.101_energy_this_period") == "2.000"


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
    meter._import_ws = (billed_before + 100) * 3600
    await poll_after(hass, simulator, 60)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "meter_reset_room102") is None
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    result = await response.json()
    assert (result["type"], result["reason"]) == ("abort", "already_resolved")
    ledger = hub.runtime_data.coordinator.ledger
    last_wh, _ = await hass.async_add_executor_job(ledger.room_reading, "room102")
    assert last_wh == meter.import_wh
