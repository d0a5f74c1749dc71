"""Config flows: the hub (connection, billing, reconfigure), its tariff options, rooms and tenants."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.const import DOMAIN
from custom_components.yunjing.meters.simulator import Simulator

from .conftest import add_subentry, hub_entry, room_subentry
from .test_init import state

BILLING = {"price": "0.56", "currency": "CNY", "billing_day": 1, "poll_interval": 10}


async def _start(hass: HomeAssistant, kind: str) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["tcp", "rtu_over_tcp", "serial", "simulated"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["step_id"] == kind
    return result["flow_id"]


async def _finish(hass: HomeAssistant, flow_id: str, **billing: Any) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, BILLING | billing)


async def test_tcp_gateway_is_added(hass: HomeAssistant, simulator: Simulator) -> None:
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": " 127.0.0.1 ", "port": simulator.tcp_port}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "billing"
    result = await _finish(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"127.0.0.1:{simulator.tcp_port}"
    assert result["data"] == {
        "connection_type": "tcp",
        "host": "127.0.0.1",
        "port": simulator.tcp_port,
        "currency": "CNY",
        "billing_day": 1,
        "poll_interval": 10,
    }
    assert result["options"]["tariff"] == {
        "kind": "flat",
        "rates": {"flat": "0.56"},
        "free_kwh": "0",
        "monthly_fee": "0",
    }
    assert result["result"].unique_id == f"tcp:127.0.0.1:{simulator.tcp_port}"
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


async def test_rtu_over_tcp_gateway_is_added(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await _start(hass, "rtu_over_tcp")
    await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": simulator.rtu_over_tcp_port}
    )
    result = await _finish(hass, flow_id, billing_day=31)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["connection_type"] == "rtu_over_tcp"
    assert result["data"]["billing_day"] == 31
    await hass.async_block_till_done()


async def test_bad_price_is_refused_and_nothing_created(
    hass: HomeAssistant, tcp_gateway: int
) -> None:
    flow_id = await _start(hass, "tcp")
    await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": tcp_gateway}
    )
    for price, error in (
        ("-1", "rate_negative"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_not_finite"),
        ("0.1234567", "rate_too_precise"),
    ):
        result = await _finish(hass, flow_id, price=price)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"price": error}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_unreachable_gateway_shows_error_then_recovers(
    hass: HomeAssistant, closed_port: int, tcp_gateway: int
) -> None:
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": closed_port}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": tcp_gateway}
    )
    assert result["step_id"] == "billing"


async def test_blank_host_is_refused(hass: HomeAssistant) -> None:
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "   ", "port": 502}
    )
    assert result["errors"] == {"base": "address_required"}


async def test_serial_port_that_does_not_exist(hass: HomeAssistant) -> None:
    flow_id = await _start(hass, "serial")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "device": "/dev/ttyYUNJING404",
            "baudrate": "9600",
            "parity": "E",
            "bytesize": "8",
            "stopbits": "1",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_same_gateway_twice_is_aborted(
    hass: HomeAssistant, tcp_gateway: int
) -> None:
    MockConfigEntry(
        domain=DOMAIN, unique_id=f"tcp:127.0.0.1:{tcp_gateway}", data={}
    ).add_to_hass(hass)
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": tcp_gateway}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_simulated_building_needs_no_hardware(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    flow_id = await _start(hass, "simulated")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"time_scale": 3600}
    )
    assert result["step_id"] == "billing"
    result = await _finish(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["connection_type"] == "simulated"
    assert result["data"]["time_scale"] == 3600
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.simulator is not None
    # A second simulated hub would be the same building.
    flow = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"next_step_id": "simulated"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_restarted_simulated_building_counts_on_from_the_ledger(
    hass: HomeAssistant, hass_config_dir: str, socket_enabled: None
) -> None:
    flow_id = await _start(hass, "simulated")
    await hass.config_entries.flow.async_configure(flow_id, {"time_scale": 1})
    entry = (await _finish(hass, flow_id))["result"]
    room = room_subentry("room101", "101", "sdm120", 1, relay=False)
    add_subentry(hass, entry, room)
    await hass.async_block_till_done()
    # The last run billed 50 kWh more than the building's initial count.
    counted = entry.runtime_data.simulator.room(1).import_wh
    billed = counted + 50_000
    ledger = entry.runtime_data.coordinator.ledger
    await hass.async_add_executor_job(
        ledger.replace_meter, "room101", dt_util.utcnow(), counted, billed
    )
    # A restart builds the building afresh from its initial counts.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.simulator.room(1).import_wh >= billed
    assert ir.async_get(hass).async_get_issue(DOMAIN, "meter_reset_room101") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_moves_the_hub_to_a_new_address(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, closed_port: int
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": hub.entry_id}
    )
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"host": "127.0.0.1", "port": closed_port, "poll_interval": 30},
    )
    assert result["errors"] == {"base": "cannot_connect"}
    async with Simulator(simulator.building) as moved:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {"host": "127.0.0.1", "port": moved.tcp_port, "poll_interval": 30},
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert hub.data["port"] == moved.tcp_port
        assert hub.data["poll_interval"] == 30
        await hass.async_block_till_done()
        assert hub.state is ConfigEntryState.LOADED
        assert hub.runtime_data.coordinator.last_update_success


async def _add_subentry(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM, result
    return result


async def test_room_flow_reads_the_meter_before_saving(
    hass: HomeAssistant, hass_config_dir: str, simulator: Simulator
) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = hub_entry(simulator, subentries=[])
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    room: dict[str, Any] = {
        "name": "101",
        "model": "dds238_2",
        "unit_id": 1,
        "has_relay": True,
    }
    cases: tuple[tuple[dict[str, Any], dict[str, str]], ...] = (
        ({"unit_id": 9}, {"base": "meter_not_responding"}),
        ({"name": "  "}, {"name": "name_required"}),
        ({"name": "1" * 201}, {"name": "name_too_long"}),
        ({"model": "sdm120", "unit_id": 3}, {"has_relay": "model_has_no_relay"}),
    )
    # The form's own bounds refuse what no bus can address or no meter can rate.
    bounds: tuple[dict[str, Any], ...] = (
        {"unit_id": 0},
        {"unit_id": 248},
        {"rated_power_w": 5},
    )
    for change in bounds:
        result = await _add_subentry(hass, entry, "room")
        with pytest.raises(InvalidData):
            await hass.config_entries.subentries.async_configure(
                result["flow_id"], room | change
            )
    for change, errors in cases:
        result = await _add_subentry(hass, entry, "room")
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], room | change
        )
        assert result["errors"] == errors, change
    assert entry.subentries == {}

    result = await _add_subentry(hass, entry, "room")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], room
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # The room's entities appear without a reload of the hub.
    assert state(hass, "sensor.101_energy_import") == "100"
    assert state(hass, "switch.101_power_supply") == "on"

    result = await _add_subentry(hass, entry, "room")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], room | {"name": "102"}
    )
    assert result["errors"] == {"unit_id": "unit_id_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], room | {"name": "101 ", "unit_id": 2, "model": "em115_do"}
    )
    assert result["errors"] == {"name": "name_in_use"}

    # Removing the room removes its device and entities.
    (room_id,) = entry.subentries
    assert hass.config_entries.async_remove_subentry(entry, room_id)
    await hass.async_block_till_done()
    assert er.async_get(hass).async_get("sensor.101_energy_import") is None


async def test_tenant_flow_moves_in_and_validates_levels(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    tenant = {
        "name": "Han Meimei",
        "rooms": ["room103"],
        "notify_targets": [],
        "language": "zh-Hans",
        "alarm_level_1": "20",
        "alarm_level_2": "5",
        "credit_limit": "0",
        "reconnect_level": "1",
    }
    cases: tuple[tuple[dict[str, Any], dict[str, str]], ...] = (
        (
            {"alarm_level_1": "5", "alarm_level_2": "20"},
            {"base": "levels_not_descending"},
        ),
        ({"alarm_level_2": "abc"}, {"alarm_level_2": "amount_invalid"}),
        ({"credit_limit": "0.001"}, {"credit_limit": "amount_too_precise"}),
        (
            {"reconnect_level": "-1"},
            {"reconnect_level": "reconnect_below_credit_limit"},
        ),
        ({"name": "li lei"}, {"name": "name_in_use"}),
        ({"name": "L" * 201}, {"name": "name_too_long"}),
    )
    for change, errors in cases:
        result = await _add_subentry(hass, hub, "tenant")
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], tenant | change
        )
        assert result["errors"] == errors, change
    # A room held by Li Lei is not even offered.
    result = await _add_subentry(hass, hub, "tenant")
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], tenant | {"rooms": ["room101"]}
        )
    result = await _add_subentry(hass, hub, "tenant")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], tenant
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert state(hass, "sensor.han_meimei_balance") == "0.00"
    (tenant_id,) = (
        sid for sid, sub in hub.subentries.items() if sub.title == "Han Meimei"
    )
    ledger = hub.runtime_data.coordinator.ledger
    assert await hass.async_add_executor_job(ledger.balance, tenant_id) == 0
    # Room 103 is now Han Meimei's: nobody else can move in.
    with pytest.raises(BillingError) as err:
        await hass.async_add_executor_job(
            ledger.move_in, "room103", "lilei", dt_util.utcnow(), 300_000
        )
    assert err.value.code == "room_occupied"


async def test_tariff_options_change_the_price_from_a_date(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(hub.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["tariff", "protection"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "tariff"}
    )
    assert result["step_id"] == "tariff"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"kind": "tou"}
    )
    assert result["step_id"] == "prices"
    form = {
        "price_peak": "0.80",
        "price_valley": "0.30",
        "default_rate": "peak",
        "workday_windows": "22:00-06:00 valley",
        "free_kwh": "0",
        "monthly_fee": "0",
        "effective_from": "2000-01-01",
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["errors"] == {"effective_from": "effective_in_past"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        form
        | {"effective_from": "2099-01-01", "workday_windows": "22:00 to 06:00 valley"},
    )
    assert result["errors"] == {"workday_windows": "windows_invalid"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form | {"effective_from": "2099-01-01", "price_peak": "-0.8"}
    )
    assert result["errors"] == {"price_peak": "rate_negative"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form | {"effective_from": "2099-01-01"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hub.options["tariff"]["kind"] == "tou"
    assert hub.options["effective_from"] == "2099-01-01"


async def test_room_moved_to_another_meter_bills_no_difference_between_meters(
    hass: HomeAssistant, hass_config_dir: str, simulator: Simulator
) -> None:
    from .conftest import room_subentry
    from .test_init import poll_after

    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = hub_entry(
        simulator, subentries=[room_subentry("room103", "103", "dds238_2", 1, True)]
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await poll_after(hass, simulator, 3600)  # unit 1: 100 -> 101 kWh, 0.50
    assert state(hass, "sensor.103_cost_this_period") == "0.50"
    # Room 103 is rewired to the EM115 DO at unit 2, which reads 201 kWh.
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "room"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": "room103"},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "103", "model": "em115_do", "unit_id": 2, "has_relay": True},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    await poll_after(hass, simulator, 60)
    # The 100 kWh between the two meters' counts is never billed: billing
    # continues from what the new meter read when it was fitted.
    assert state(hass, "sensor.103_energy_this_period") == "1.000"
    assert state(hass, "sensor.103_cost_this_period") == "0.50"
    ledger = entry.runtime_data.coordinator.ledger
    last_wh, _ = await hass.async_add_executor_job(ledger.room_reading, "room103")
    assert last_wh == 201_000
