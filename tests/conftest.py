"""Fixtures shared by the Home Assistant tests: a simulated building and a hub on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
import socket
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigSubentry,
    ConfigSubentryDataWithId,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yunjing.const import DOMAIN
from custom_components.yunjing.meters.simulator import (
    ApplianceKind,
    ApplianceSpec,
    Building,
    MeterSpec,
    Simulator,
)

START = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai

# 1,000 W on all the time: 1 kWh per simulated hour.
HEATER = ApplianceSpec(
    name="heater", kind=ApplianceKind.SWITCHED, power_w=1000, power_factor=1.0, on=True
)
KETTLE = ApplianceSpec(
    name="kettle", kind=ApplianceKind.SWITCHED, power_w=1800, power_factor=1.0
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/yunjing in every test."""


@pytest.fixture
def closed_port(socket_enabled: None) -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def tcp_gateway(socket_enabled: None) -> AsyncIterator[int]:
    """A TCP listener on 127.0.0.1 that accepts connections and says nothing."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[Simulator]:
    """Three meters on one gateway whose time moves only by advance().

    Unit 1 (DDS238-2, relay) and unit 2 (EM115 DO, relay) each run a 1 kW
    heater; unit 3 (SDM120, no relay) is idle.
    """
    building = Building(
        meters=(
            MeterSpec(
                unit_id=1,
                model="dds238_2",
                import_kwh=100.0,
                appliances=(HEATER, KETTLE),
            ),
            MeterSpec(
                unit_id=2, model="em115_do", import_kwh=200.0, appliances=(HEATER,)
            ),
            MeterSpec(unit_id=3, model="sdm120", import_kwh=300.0),
        ),
        time_scale=0.0,
        start=START,
    )
    async with Simulator(building) as sim:
        yield sim


# Tests jump simulated time by an hour in a moment of real time; a rated power
# this high lets such a jump through the impossible-energy check (which the
# meter tests cover on their own).
UNLIMITED_POWER_W = 10**12


def add_subentry(
    hass: HomeAssistant, entry: ConfigEntry, data: ConfigSubentryDataWithId
) -> None:
    """Add a subentry as a finished subentry flow would (its update listener runs)."""
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            subentry_id=data["subentry_id"],
            subentry_type=data["subentry_type"],
            title=data["title"],
            unique_id=data["unique_id"],
            data=MappingProxyType(data["data"]),
        ),
    )


def room_subentry(
    room_id: str, name: str, model: str, unit_id: int, relay: bool, **load: Any
) -> ConfigSubentryDataWithId:
    """A room subentry as the room flow stores it (`load`: malignant-load settings)."""
    return ConfigSubentryDataWithId(
        subentry_id=room_id,
        subentry_type="room",
        title=name,
        unique_id=f"unit_{unit_id}",
        data={
            "model": model,
            "unit_id": unit_id,
            "rated_power_w": UNLIMITED_POWER_W,
            "has_relay": relay,
            **load,
        },
    )


def tenant_subentry(
    tenant_id: str, name: str, rooms: list[str], **levels: str
) -> ConfigSubentryDataWithId:
    """A tenant subentry as the tenant flow stores it."""
    return ConfigSubentryDataWithId(
        subentry_id=tenant_id,
        subentry_type="tenant",
        title=name,
        unique_id=None,
        data={
            "rooms": rooms,
            "notify_targets": [],
            "language": "en",
            "alarm_level_1": levels.get("alarm_level_1", "20"),
            "alarm_level_2": levels.get("alarm_level_2", "5"),
            "credit_limit": levels.get("credit_limit", "0"),
            "reconnect_level": levels.get("reconnect_level", "1"),
        },
    )


def hub_entry(simulator: Simulator, **extra: Any) -> MockConfigEntry:
    """A hub on the simulator: rooms 101 (unit 1), 102 (unit 2), 103 (unit 3); Li Lei holds 101 and 102."""
    return MockConfigEntry(
        entry_id="hub",
        domain=DOMAIN,
        title="Test building",
        unique_id=f"tcp:127.0.0.1:{simulator.tcp_port}",
        data={
            "connection_type": "tcp",
            "host": "127.0.0.1",
            "port": simulator.tcp_port,
            "currency": "CNY",
            "billing_day": 1,
            "poll_interval": 10,
        },
        options={
            "tariff": {
                "kind": "flat",
                "rates": {"flat": "0.50"},
                "free_kwh": "0",
                "monthly_fee": "0",
            },
            "effective_from": "2026-03-01",
        },
        subentries_data=extra.get(
            "subentries",
            [
                room_subentry("room101", "101", "dds238_2", 1, True),
                room_subentry("room102", "102", "em115_do", 2, True),
                room_subentry("room103", "103", "sdm120", 3, False),
                tenant_subentry("lilei", "Li Lei", ["room101", "room102"]),
            ],
        ),
    )


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Home Assistant's config folder (where the ledger lives): a fresh temporary folder."""
    return hass_tmp_config_dir


@pytest.fixture
async def hub(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """A loaded hub on the simulator, Home Assistant in Asia/Shanghai.

    Home Assistant's clock is real: freezegun's frozen clock stalls the Modbus
    client, so tests poll by calling the coordinator rather than moving time.
    """
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = hub_entry(simulator)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
