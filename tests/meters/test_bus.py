"""The shared bus: one dead or faulty meter is "no value" for that meter only."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.yunjing.meters.bus import Bus, BusKind
from custom_components.yunjing.meters.models import MODELS, MeterModel
from custom_components.yunjing.meters.simulator import (
    DEMO_BUILDING,
    Simulator,
    load_building,
)

from .conftest import frozen_building, room

MIXED = [
    "sdm120",
    "ddsu666",
    "dds238_2",
    "em115_do",
    "dds238_2",
    "em115_do",
    "sdm630",
    "dtsu666",
]
DDS238 = MODELS["dds238_2"]


def _eight_meters() -> list[tuple[int, MeterModel]]:
    return [(unit_id, MODELS[model]) for unit_id, model in enumerate(MIXED, start=1)]


@pytest.mark.parametrize("kind", [BusKind.TCP, BusKind.RTU_OVER_TCP])
async def test_dead_meter_3_does_not_stall_the_others_or_relay_5(kind: BusKind) -> None:
    building = frozen_building(
        *(room(unit_id, model) for unit_id, model in enumerate(MIXED, start=1))
    )
    async with Simulator(building) as sim:
        sim.room(3).faults.dead = True
        bus = Bus(sim.bus_settings(kind, timeout=0.2, retries=1))
        try:
            for cycle_number, closed in enumerate([False, True, False]):
                cycle = asyncio.create_task(bus.read_all(_eight_meters()))
                await asyncio.sleep(0)  # the cycle holds the bus now
                switched = await bus.set_relay(5, DDS238, closed=closed)
                assert not cycle.done(), cycle_number  # switched within the cycle
                readings = await cycle
                assert switched is True
                assert sim.room(5).relay_closed is closed
                assert [u for u, r in readings.items() if r is None] == [3]
                assert readings[5] is not None
                assert readings[5].relay_closed is closed
        finally:
            await bus.close()


async def test_busy_exception_is_no_value_then_retried() -> None:
    building = frozen_building(room(1, "sdm120"), room(2, "sdm120"))
    async with Simulator(building) as sim:
        no_retry = Bus(sim.bus_settings(retries=0))
        with_retry = Bus(sim.bus_settings(retries=1))
        try:
            sim.room(1).faults.busy_requests = 1
            readings = await no_retry.read_all(
                [(1, MODELS["sdm120"]), (2, MODELS["sdm120"])]
            )
            assert readings[1] is None
            assert readings[2] is not None
            assert no_retry.stats.requests == 2
            assert no_retry.stats.failures == 1

            sim.room(1).faults.busy_requests = 1
            reading = await with_retry.read(1, MODELS["sdm120"])
            assert reading is not None
            assert reading.power_w == 1840.0
            assert with_retry.stats.requests == 2
            assert with_retry.stats.failures == 1
        finally:
            await no_retry.close()
            await with_retry.close()


async def test_late_reply_is_no_value_and_never_lands_on_the_next_meter() -> None:
    # Meter 2's counter differs from 1 and 3, so a misrouted reply would show.
    building = frozen_building(
        room(1, "sdm120", import_kwh=100.0),
        room(2, "sdm120", import_kwh=200.0),
        room(3, "sdm120", import_kwh=300.0),
    )
    async with Simulator(building) as sim:
        sim.room(2).faults.late_s = 0.3
        bus = Bus(sim.bus_settings(timeout=0.1, retries=0))
        try:
            meters = [(unit_id, MODELS["sdm120"]) for unit_id in (1, 2, 3)]
            first = await bus.read_all(meters)
            sim.room(2).faults.late_s = 0.0
            await asyncio.sleep(0.3)  # the late reply arrives while nobody waits
            second = await bus.read_all(meters)
        finally:
            await bus.close()
    assert first[2] is None
    assert [r.import_wh if r else None for r in first.values()] == [
        100_000,
        None,
        300_000,
    ]
    assert [r.import_wh if r else None for r in second.values()] == [
        100_000,
        200_000,
        300_000,
    ]


async def test_unreachable_gateway_is_no_value() -> None:
    building = frozen_building(room(1, "sdm120"))
    async with Simulator(building) as sim:
        settings = sim.bus_settings(timeout=0.2, retries=0)
    bus = Bus(settings)  # the simulator is gone: nothing listens on the port
    try:
        assert await bus.read_all([(1, MODELS["sdm120"])]) == {1: None}
        assert await bus.set_relay(1, DDS238, closed=False) is False
    finally:
        await bus.close()
    assert bus.stats.last_cycle_seconds is not None


async def test_demo_building_serves_eight_rooms_on_one_gateway() -> None:
    # the demo binds 5020/5021; any free port will do here
    building = replace(load_building(DEMO_BUILDING), tcp_port=0, rtu_over_tcp_port=0)
    assert [meter.unit_id for meter in building.meters] == list(range(1, 9))
    assert len({meter.model for meter in building.meters}) == len(MODELS)
    async with Simulator(building) as sim:
        bus = Bus(sim.bus_settings(BusKind.RTU_OVER_TCP))
        try:
            meters = [(meter.unit_id, MODELS[meter.model]) for meter in building.meters]
            readings = await bus.read_all(meters)
        finally:
            await bus.close()
    assert all(reading is not None for reading in readings.values())
    assert readings[6] is not None
    assert readings[6].import_wh is not None
    assert readings[6].import_wh >= 12_345_600
    assert bus.stats.requests == 1 + 2 + 2 + 3 + 2 + 3 + 1 + 2
