"""A landlord's day on a real Home Assistant: recharge, consumption, relay, bill.

Home Assistant runs as its own process on a temporary configuration, the
meters are the simulator's (another process, read over Modbus TCP), and
everything is done through the REST and websocket APIs, as the frontend and
the landlord's scripts would. Expected money figures are written by hand
from the tariff (10.00 CNY per kWh) and the meter readings.
"""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from scripts.demo import Client, room_form, tenant_form, wait_for

from .conftest import Instance

PRICE = Decimal("10.00")
OPENING_KWH = Decimal("100.000")  # the building's reading; the relay starts open
# Levels: alarm 1.50 and 1.00, credit limit 0, reconnect at 0.50.
LEVELS = ("1.50", "1.00", "0", "0.50")
WAIT = 30.0  # seconds, for anything that takes a poll or two (polls every 2 s)


async def _hub(client: Client, modbus_port: int) -> tuple[str, str, str]:
    """Hub, room 101 and tenant Li Lei through the real flows; (entry, tenant device, room device)."""
    hub = await client.config_flow(
        "yunjing",
        {"next_step_id": "tcp"},
        {"host": "127.0.0.1", "port": modbus_port},
        {"price": "10.00", "currency": "CNY", "billing_day": 1, "poll_interval": 2},
    )
    assert hub["type"] == "create_entry", hub
    entry_id = hub["result"]["entry_id"]
    # Rated power: 72 x simulated time makes the 1 kW heater look like 72 kW.
    await client.subentry_flow(
        entry_id, "room", room_form("101", "dds238_2", 1, rated_power_w=200_000)
    )
    (room,) = await client.ws("config_entries/subentries/list", entry_id=entry_id)
    # A tenant moves in at the room's live reading: wait for the room's first poll.
    await wait_for(
        lambda: client.state("sensor.101_energy_import"),
        lambda state: state not in (None, "unknown", "unavailable"),
        within=WAIT,
    )
    await client.subentry_flow(
        entry_id, "tenant", tenant_form("Li Lei", [room["subentry_id"]], LEVELS)
    )
    devices = await wait_for(
        lambda: client.devices(entry_id),
        lambda found: {"Li Lei", "101"} <= set(found),
        within=WAIT,
    )
    return entry_id, devices["Li Lei"], devices["101"]


async def _balance(client: Client) -> Decimal | None:
    state = await client.state("sensor.li_lei_balance")
    return None if state in (None, "unknown", "unavailable") else Decimal(state)


async def _recharge(client: Client, tenant: str, amount: str, reference: str) -> Any:
    return await client.call(
        "yunjing",
        "recharge",
        {"tenant": tenant, "amount": amount, "reference": reference},
        response=True,
    )


async def test_recharge_consume_cut_by_hand_and_bill(instance: Instance) -> None:
    """Balance rises by a recharge and falls with use; the switch drives the real relay; the bill adds up."""
    client, meter = instance.client, instance.meter
    _entry_id, tenant, _room = await _hub(client, meter.port)

    assert await wait_for(
        lambda: _balance(client), lambda value: value is not None, within=WAIT
    ) == Decimal("0.00")
    answer = await _recharge(client, tenant, "2.00", "E2E-1")
    assert Decimal(str(answer["balance"])) == Decimal("2.00")
    await wait_for(
        lambda: _balance(client), lambda value: value == Decimal("2.00"), within=WAIT
    )

    # Power on from Home Assistant: the meter's relay closes and the heater runs.
    await client.call(
        "switch", "turn_on", {"entity_id": "switch.101_power_supply"}, response=False
    )
    assert (await meter.read()).relay_closed is True
    await wait_for(
        lambda: _balance(client),
        lambda value: value is not None and value < Decimal("2.00"),
        within=WAIT,
    )

    # Power off: the relay opens in the simulator and the counter stops.
    await client.call(
        "switch", "turn_off", {"entity_id": "switch.101_power_supply"}, response=False
    )
    reading = await meter.read()
    assert reading.relay_closed is False
    assert reading.import_wh is not None
    closing_kwh = Decimal(reading.import_wh) / 1000
    assert closing_kwh > OPENING_KWH
    await wait_for(
        lambda: client.state("sensor.101_energy_import"),
        lambda state: (
            state is not None
            and state not in ("unknown", "unavailable")
            and Decimal(state) == closing_kwh
        ),
        within=WAIT,
    )
    assert (await meter.read()).import_wh == reading.import_wh  # nothing more counted

    # A second recharge; the same reference again is not applied twice.
    await _recharge(client, tenant, "3.00", "E2E-2")
    again = await _recharge(client, tenant, "3.00", "E2E-2")
    assert again["applied"] is False

    # The counter's last step may wait a poll: a 10 Wh step seen a moment after
    # the previous poll looks above the rated power and is billed at the next one.
    bill = await wait_for(
        lambda: client.call("yunjing", "get_bill", {"tenant": tenant}, response=True),
        lambda bill: (
            Decimal(str(bill["rooms"][0]["closing_reading_kwh"])) == closing_kwh
        ),
        within=WAIT,
    )
    kwh = closing_kwh - OPENING_KWH
    energy = (kwh * PRICE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert bill["account_name"] == "Li Lei"
    assert bill["currency"] == "CNY"
    assert Decimal(str(bill["opening_balance"])) == Decimal("0.00")
    assert Decimal(str(bill["recharges"])) == Decimal("5.00")
    assert Decimal(str(bill["refunds"])) == 0
    (room_line,) = bill["rooms"]
    assert room_line["name"] == "101"
    assert Decimal(str(room_line["opening_reading_kwh"])) == OPENING_KWH
    assert Decimal(str(room_line["closing_reading_kwh"])) == closing_kwh
    assert Decimal(str(room_line["kwh"])) == kwh
    assert Decimal(str(room_line["energy_amount"])) == energy
    assert Decimal(str(bill["energy_charged"])) == energy
    assert Decimal(str(bill["closing_balance"])) == Decimal("5.00") - energy
    assert [
        (Decimal(str(row["amount"])), row["reference"])
        for row in bill["recharge_entries"]
    ] == [(Decimal("2.00"), "E2E-1"), (Decimal("3.00"), "E2E-2")]
    await wait_for(
        lambda: _balance(client),
        lambda value: value == Decimal("5.00") - energy,
        within=WAIT,
    )


async def _relay(instance: Instance) -> bool | None:
    return (await instance.meter.read()).relay_closed


@pytest.mark.relay_closed_at_start
async def test_arrears_cut_off_and_restore_on_the_real_relay(
    instance: Instance,
) -> None:
    """With cut-off on, arrears open the relay and a recharge closes it, twice."""
    client = instance.client
    entry_id, tenant, _room = await _hub(client, instance.meter.port)
    # The heater runs from the start: Li Lei, with nothing paid, is in arrears.
    await wait_for(
        lambda: _balance(client),
        lambda value: value is not None and value < 0,
        within=WAIT,
    )
    assert await _relay(instance) is True  # cut-off is off by default
    # Cut-off on, no keep-on (weekends, dates, hours), no minimum off time.
    result = await client.options_flow(
        entry_id,
        {"next_step_id": "protection"},
        {
            "cut_off": True,
            "weekends": False,
            "min_off_minutes": 0,
            "max_relay_operations": 60,
            "warning_minutes": 0,
            "vacant_policy": "charge_landlord",
            "landlord_notify_targets": [],
        },
    )
    assert result["type"] == "create_entry", result

    for cycle in (1, 2):
        # In arrears: the relay opens in the meter and the counter stops.
        await wait_for(
            lambda: _relay(instance), lambda closed: closed is False, within=WAIT
        )
        await wait_for(
            lambda: client.state("sensor.101_status"),
            lambda state: state == "cut_for_arrears",
            within=WAIT,
        )
        # A poll later the last step is billed; then nothing moves any more.
        await asyncio.sleep(3)
        stopped = (await instance.meter.read()).import_wh
        balance = await _balance(client)
        assert balance is not None and balance <= 0
        await asyncio.sleep(3)
        assert (await instance.meter.read()).import_wh == stopped
        assert await _balance(client) == balance

        # A recharge to 2.00, above the reconnect level (0.50), closes it again.
        await _recharge(client, tenant, str(Decimal("2.00") - balance), f"E2E-{cycle}")
        await wait_for(
            lambda: _relay(instance), lambda closed: closed is True, within=WAIT
        )
        assert (await client.state("sensor.101_status")) in ("normal", "low_balance")
