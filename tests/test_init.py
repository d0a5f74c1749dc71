"""The hub on real Home Assistant: setup, polling, billing, restart, relay and offline meters."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.const import DOMAIN
from custom_components.yunjing.coordinator import room_configs
from custom_components.yunjing.meters.simulator import Simulator

from .conftest import add_subentry, hub_entry, room_subentry, tenant_subentry


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def poll_after(hass: HomeAssistant, simulator: Simulator, seconds: int) -> None:
    """Let `seconds` of simulated time pass for the meters, then poll."""
    simulator.advance(seconds)
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def recharge(
    hass: HomeAssistant, tenant_device: str, amount: str, reference: str, context: Any
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "recharge",
        {"tenant": tenant_device, "amount": amount, "reference": reference},
        blocking=True,
        return_response=True,
        context=context,
    )


def device_id(hass: HomeAssistant, subentry_id: str) -> str:
    (device,) = dr.async_get(hass).async_get_devices(
        identifiers={(DOMAIN, subentry_id)}
    )
    return device.id


async def test_setup_creates_rooms_tenants_and_hub(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    assert hub.state is ConfigEntryState.LOADED
    assert state(hass, "sensor.101_energy_import") == "100"
    assert state(hass, "sensor.102_energy_import") == "200"
    assert state(hass, "sensor.103_energy_import") == "300"
    assert state(hass, "sensor.101_power") == "1000.0"
    assert state(hass, "switch.101_power_supply") == "on"
    assert hass.states.get("switch.103_power_supply") is None  # SDM120: no relay
    assert state(hass, "sensor.li_lei_balance") == "0.00"
    assert state(hass, "sensor.li_lei_alarm_level") == "arrears"
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), hub.entry_id)
    assert sorted(str(device.name) for device in devices) == [
        "101",
        "102",
        "103",
        "Li Lei",
        "Test building",
    ]


async def test_poll_bills_energy_to_the_tenant(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    hass_admin_user: Any,
) -> None:
    tenant = device_id(hass, "lilei")
    context = Context(user_id=hass_admin_user.id)
    result = await recharge(hass, tenant, "100", "R-1", context)
    assert result["applied"] is True
    assert result["balance"] == "100.00"
    # One hour: rooms 101 and 102 each draw 1 kWh at 0.50 -> 1.00 in all.
    await poll_after(hass, simulator, 3600)
    assert state(hass, "sensor.101_energy_import") == "101"
    assert state(hass, "sensor.li_lei_balance") == "99.00"
    assert state(hass, "sensor.li_lei_energy_this_period") == "2.000"
    assert state(hass, "sensor.101_cost_this_period") == "0.50"
    # Room 103 is vacant and idle: nothing charged to anyone.
    assert state(hass, "sensor.103_cost_this_period") == "0.00"


async def test_restart_changes_no_balance_and_reprices_nothing(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    hass_admin_user: Any,
) -> None:

    tenant = device_id(hass, "lilei")
    await recharge(hass, tenant, "50", "R-2", Context(user_id=hass_admin_user.id))
    await poll_after(hass, simulator, 1800)  # 2 x 0.5 kWh x 0.50 = 0.50
    assert state(hass, "sensor.li_lei_balance") == "49.50"

    assert await hass.config_entries.async_reload(hub.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "sensor.li_lei_balance") == "49.50"

    await poll_after(hass, simulator, 1800)  # another 0.50, counted once
    assert state(hass, "sensor.li_lei_balance") == "49.00"
    assert state(hass, "sensor.li_lei_energy_this_period") == "2.000"


async def test_relay_switches_the_room_and_reads_back(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator
) -> None:
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.102_power_supply"}, blocking=True
    )
    assert simulator.room(2).relay_closed is False
    assert state(hass, "switch.102_power_supply") == "off"
    await poll_after(hass, simulator, 600)
    assert state(hass, "sensor.102_power") == "0.0"

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.102_power_supply"}, blocking=True
    )
    assert simulator.room(2).relay_closed is True
    assert state(hass, "switch.102_power_supply") == "on"


async def test_the_switch_waits_for_a_protection_cycle_under_way(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator
) -> None:
    protection = hub.runtime_data.coordinator.protection
    async with protection._lock:  # a cycle deciding on this relay
        switching = hass.async_create_task(
            hass.services.async_call(
                "switch",
                "turn_off",
                {"entity_id": "switch.102_power_supply"},
                blocking=True,
            )
        )
        await asyncio.sleep(0.1)
        assert simulator.room(2).relay_closed is True
    await switching
    assert simulator.room(2).relay_closed is False


async def test_offline_meter_makes_its_readings_unavailable_only(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator.room(3).faults.dead = True
    await poll_after(hass, simulator, 10)
    await poll_after(hass, simulator, 10)
    assert state(hass, "sensor.103_energy_import") == "unavailable"
    assert state(hass, "sensor.103_status") == "offline"
    assert state(hass, "sensor.101_energy_import") != "unavailable"
    assert caplog.text.count("Meter of room 103 (unit 3) is offline") == 1

    simulator.room(3).faults.dead = False
    await poll_after(hass, simulator, 10)
    assert state(hass, "sensor.103_energy_import") == "300"
    assert caplog.text.count("is back online") == 1


async def test_unload_closes_the_hub(hass: HomeAssistant, hub: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(hub.entry_id)
    await hass.async_block_till_done()
    assert hub.state is ConfigEntryState.NOT_LOADED
    assert state(hass, "sensor.li_lei_balance") == "unavailable"


async def test_an_update_while_the_hub_unloads_is_left_to_the_next_setup(
    hass: HomeAssistant, hub: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    # A reconfigure updates the entry and reloads it: the update listener's
    # ledger work must not outlive the runtime it started with.
    hass.config_entries.async_update_entry(hub, title="renamed")
    assert await hass.config_entries.async_unload(hub.entry_id)
    await hass.async_block_till_done()
    assert hub.state is ConfigEntryState.NOT_LOADED
    assert "Error doing job" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_work_queued_behind_closing_gets_a_clear_refusal(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    coordinator = hub.runtime_data.coordinator
    async with coordinator._work:  # a poll under way
        closing = hass.async_create_task(coordinator.async_close())
        replacing = hass.async_create_task(
            coordinator.async_replace_meter("room101", 100_000, 0, None)
        )
        await asyncio.sleep(0.1)
    await closing
    with pytest.raises(BillingError) as err:
        await replacing
    assert err.value.code == "ledger_closed"


async def test_unloading_lets_a_relay_command_under_way_finish(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator
) -> None:
    coordinator = hub.runtime_data.coordinator
    room = room_configs(hub)["room102"]
    async with coordinator.protection.idle():  # a cut under way
        closing = hass.async_create_task(coordinator.async_close())
        await asyncio.sleep(0.1)
        assert await coordinator.bus.set_relay(room.unit_id, room.model, False)
    await closing
    assert simulator.room(2).relay_closed is False


async def test_a_cycle_cut_short_by_unloading_sends_no_relay_command(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    coordinator = hub.runtime_data.coordinator
    bill_cycle = coordinator._bill_cycle

    def unloading_meanwhile(*args: Any) -> Any:
        result = bill_cycle(*args)
        coordinator._closed = True  # async_close began while the ledger wrote
        return result

    async def no_protection(*args: Any) -> Any:
        raise AssertionError("protection ran on a closing hub")

    announced: list[Any] = []
    monkeypatch.setattr(coordinator, "_bill_cycle", unloading_meanwhile)
    monkeypatch.setattr(coordinator.protection, "async_run", no_protection)
    monkeypatch.setattr(
        coordinator.protection, "bills_issued", lambda *args: announced.append(args)
    )
    before = coordinator.data
    await poll_after(hass, simulator, 60)
    assert coordinator.last_update_success
    assert coordinator.data is before
    assert len(announced) == 1  # the cycle's bills (none here) are still announced
    coordinator._closed = False


async def test_a_tenant_device_appears_only_once_the_ledger_has_the_account(
    hass: HomeAssistant, hub: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = hub.runtime_data.coordinator
    ledger = coordinator.ledger
    without_account: list[str] = []

    @callback
    def device_created(event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        if event.data["action"] != "create":
            return
        device = dr.async_get(hass).async_get(event.data["device_id"])
        assert device is not None
        _, accounts = ledger.known_ids()
        subentry = hub.subentries.get(device.config_subentry_id or "")
        if subentry is None or subentry.subentry_type != "tenant":
            return
        if subentry.subentry_id not in accounts:
            without_account.append(subentry.title)

    hass.bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, device_created)
    sync = coordinator.async_sync_ledger

    async def another_tenant_arrives_meanwhile(**kwargs: Any) -> None:
        await sync(**kwargs)
        if "hanmeimei" not in hub.subentries:
            add_subentry(hass, hub, tenant_subentry("hanmeimei", "Han Meimei", []))

    monkeypatch.setattr(
        coordinator, "async_sync_ledger", another_tenant_arrives_meanwhile
    )
    add_subentry(hass, hub, tenant_subentry("wangfang", "Wang Fang", []))
    await hass.async_block_till_done()
    assert without_account == []
    assert state(hass, "sensor.han_meimei_balance") == "0.00"


async def test_a_poll_before_the_subentry_change_is_applied_bills_the_new_room(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    coordinator = hub.runtime_data.coordinator

    async def not_yet() -> set[str]:  # the update listener has not run yet
        return set()

    monkeypatch.setattr(coordinator, "async_apply_subentry_changes", not_yet)
    add_subentry(hass, hub, room_subentry("room104", "104", "sdm120", 4, False))
    await hass.async_block_till_done()
    await poll_after(hass, simulator, 60)
    assert coordinator.last_update_success  # room 104 has no ledger row yet: added
    rooms, _ = await hass.async_add_executor_job(coordinator.ledger.known_ids)
    assert "room104" in rooms
    await hass.async_block_till_done()


async def test_unique_ids_come_from_subentries(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    entry = registry.async_get("sensor.li_lei_balance")
    assert entry is not None
    assert entry.unique_id == "lilei_balance"
    assert entry.config_subentry_id == "lilei"


async def test_a_ledger_made_in_another_time_zone_stops_setup_with_a_reason(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_unload(hub.entry_id)
    await hass.config.async_set_time_zone("Europe/Berlin")
    await hass.config_entries.async_setup(hub.entry_id)
    await hass.async_block_till_done()
    assert hub.state is ConfigEntryState.SETUP_ERROR
    assert hub.reason is not None
    assert "time_zone" in hub.reason


async def test_level_numbers_keep_the_levels_consistent(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    from homeassistant.exceptions import ServiceValidationError

    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.li_lei_alarm_level_1_reminder", "value": 30},
        blocking=True,
    )
    assert hub.subentries["lilei"].data["alarm_level_1"] == "30.00"
    cases = (
        ("number.li_lei_alarm_level_2_final_warning", 40, "levels_not_descending"),
        ("number.li_lei_credit_limit", 2, "reconnect_below_credit_limit"),
    )
    for entity_id, value, error in cases:
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                "number",
                "set_value",
                {"entity_id": entity_id, "value": value},
                blocking=True,
            )
        assert err.value.translation_key == error
    assert hub.subentries["lilei"].data["credit_limit"] == "0"


async def test_a_room_added_to_a_tenant_is_moved_into_once_it_answers(
    hass: HomeAssistant, simulator: Simulator, hass_admin_user: Any
) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = hub_entry(
        simulator,
        subentries=[
            room_subentry("room101", "101", "dds238_2", 1, True),
            room_subentry("room102", "102", "em115_do", 2, True),
            tenant_subentry("lilei", "Li Lei", ["room101"]),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await recharge(
        hass, device_id(hass, "lilei"), "10", "R-6", Context(user_id=hass_admin_user.id)
    )
    ledger = entry.runtime_data.coordinator.ledger
    # Li Lei takes room 102 while its meter does not answer: the move-in waits.
    simulator.room(2).faults.dead = True
    await poll_after(hass, simulator, 0)
    lilei = entry.subentries["lilei"]
    hass.config_entries.async_update_subentry(
        entry, lilei, data={**lilei.data, "rooms": ["room101", "room102"]}
    )
    await hass.async_block_till_done()
    assert await hass.async_add_executor_job(ledger.occupancy) == {"room101": "lilei"}
    # The meter answers; the poll after that moves Li Lei in.
    simulator.room(2).faults.dead = False
    await poll_after(hass, simulator, 0)
    assert await hass.async_add_executor_job(ledger.occupancy) == {"room101": "lilei"}
    await poll_after(hass, simulator, 0)
    assert await hass.async_add_executor_job(ledger.occupancy) == {
        "room101": "lilei",
        "room102": "lilei",
    }
    await poll_after(hass, simulator, 3600)  # 2 rooms x 1 kWh x 0.50 = 1.00
    assert state(hass, "sensor.li_lei_balance") == "9.00"


async def test_after_a_crash_between_ledger_and_room_list_the_ledger_decides(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator
) -> None:
    # Home Assistant stopped after the ledger moved Li Lei into room 103 and
    # before the tenant's room list said so.
    ledger = hub.runtime_data.coordinator.ledger
    now = hub.runtime_data.coordinator.now()
    await hass.async_add_executor_job(ledger.move_in, "room103", "lilei", now, 300_000)
    assert await hass.config_entries.async_reload(hub.entry_id)
    await hass.async_block_till_done()
    assert hub.subentries["lilei"].data["rooms"] == ["room101", "room102", "room103"]
    # A tenant waiting for room 103's meter loses it to the one who moved in.
    add_subentry(hass, hub, tenant_subentry("hanmeimei", "Han Meimei", ["room103"]))
    await hass.async_block_till_done()
    assert hub.subentries["hanmeimei"].data["rooms"] == []
    # Same after a move-out: the closed account holds no room.
    ledger = hub.runtime_data.coordinator.ledger
    now = hub.runtime_data.coordinator.now()
    await hass.async_add_executor_job(ledger.move_out, "lilei", now)
    assert await hass.config_entries.async_reload(hub.entry_id)
    await hass.async_block_till_done()
    assert hub.subentries["lilei"].data["rooms"] == []


async def test_a_ledger_failure_leaves_the_energy_to_the_next_poll(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    simulator: Simulator,
    hass_admin_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    await recharge(
        hass, device_id(hass, "lilei"), "10", "R-7", Context(user_id=hass_admin_user.id)
    )
    coordinator = hub.runtime_data.coordinator

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(coordinator.ledger, "record_consumption", broken)
    await poll_after(hass, simulator, 3600)
    assert coordinator.last_update_success is False
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == "billing_failed"
    monkeypatch.undo()
    # The next poll bills both hours: 2 rooms x 2 kWh x 0.50 = 2.00.
    await poll_after(hass, simulator, 3600)
    assert coordinator.last_update_success is True
    assert state(hass, "sensor.li_lei_balance") == "8.00"
