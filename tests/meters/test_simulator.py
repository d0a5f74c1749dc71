"""The simulated building: loads, energy from power, relay, time, faults."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.yunjing.meters.bus import Bus
from custom_components.yunjing.meters.energy import EnergyCounter, Event, Rejection
from custom_components.yunjing.meters.models import MODELS
from custom_components.yunjing.meters.simulator import (
    ApplianceKind,
    ApplianceSpec,
    Building,
    MeterSpec,
    Simulator,
    parse_building,
)

from .conftest import START, frozen_building, room

SDM120 = MODELS["sdm120"]


async def test_energy_is_integrated_from_power() -> None:
    async with Simulator(frozen_building(room(1, "sdm120", import_kwh=100.0))) as sim:
        sim.advance(3_600)  # one hour of the 1,840 W air conditioner
        assert sim.room(1).import_wh == 101_840
        sim.room(1).switch("kettle", True)
        sim.advance(1_800)  # half an hour of 1,840 + 1,800 W
        assert sim.room(1).import_wh == 103_660


async def test_open_relay_cuts_power_and_energy() -> None:
    async with Simulator(frozen_building(room(1, "dds238_2", import_kwh=10.0))) as sim:
        sim.room(1).set_relay(False)
        sim.advance(3_600)
        assert sim.room(1).power_w == 0.0
        assert sim.room(1).import_wh == 10_000
        sim.room(1).set_relay(True)
        assert sim.room(1).power_w == 1_840.0


async def test_fridge_cycles_and_lights_follow_the_clock() -> None:
    building = Building(
        meters=(
            MeterSpec(
                unit_id=1,
                model="sdm120",
                appliances=(
                    ApplianceSpec(
                        name="fridge",
                        kind=ApplianceKind.FRIDGE,
                        power_w=100,
                        power_factor=0.8,
                        on_s=600,
                        off_s=1_200,
                    ),
                    ApplianceSpec(
                        name="lights",
                        kind=ApplianceKind.LIGHTS,
                        power_w=60,
                        from_hour=18,
                        to_hour=23,
                    ),
                ),
            ),
        ),
        time_scale=0.0,
        start=datetime(2026, 1, 15, 17, 0, tzinfo=UTC),
    )
    async with Simulator(building) as sim:
        kitchen = sim.room(1)
        assert kitchen.power_w == 100.0  # 17:00, fridge running, lights off
        sim.advance(600)
        assert kitchen.power_w == 0.0  # 17:10, fridge resting
        sim.advance(3_000)
        assert kitchen.power_w == 160.0  # 18:00, fridge again and lights on
        # 17:00-18:00: the fridge ran 600 + 600 s (the cycle is 1,800 s) = 33 Wh
        assert kitchen.import_wh == 33


async def test_time_acceleration() -> None:
    building = Building(meters=(room(1, "sdm120"),), time_scale=3_600.0, start=START)
    async with Simulator(building) as sim:
        await asyncio.sleep(0.05)  # 3 simulated minutes or more at 1,840 W
        assert sim.room(1).import_wh >= 92


async def test_yaml_description() -> None:
    building = parse_building(
        {
            "gateway": {"host": "127.0.0.1", "tcp_port": 0},
            "time_scale": 60,
            "start": "2026-01-15T18:00:00+08:00",
            "meters": [
                {
                    "unit_id": 9,
                    "model": "em115_do",
                    "room": "301",
                    "import_kwh": 1.5,
                    "appliances": [
                        {"name": "heater", "power_w": 2000, "on": True},
                        {
                            "name": "tv",
                            "kind": "base",
                            "power_w": 80,
                            "power_factor": 0.9,
                        },
                    ],
                }
            ],
        }
    )
    assert building.time_scale == 60.0
    assert building.start == datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    meter = building.meters[0]
    assert (meter.unit_id, meter.model, meter.room, meter.import_kwh) == (
        9,
        "em115_do",
        "301",
        1.5,
    )
    assert [(a.name, a.kind, a.power_w, a.on) for a in meter.appliances] == [
        ("heater", ApplianceKind.SWITCHED, 2_000.0, True),
        ("tv", ApplianceKind.BASE, 80.0, False),
    ]


async def test_zero_blip_and_counter_reset_seen_through_the_bus() -> None:
    async with Simulator(frozen_building(room(1, "sdm120", import_kwh=3.737))) as sim:
        bus = Bus(sim.bus_settings())
        counter = EnergyCounter(rated_power_w=SDM120.rated_power_w)
        now = START

        async def poll(minutes: float) -> tuple[int, Rejection | None, Event | None]:
            nonlocal now
            sim.advance(minutes * 60)
            now += timedelta(minutes=minutes)
            reading = await bus.read(1, SDM120)
            step = counter.update(reading.import_wh if reading else None, now)
            return step.delta_wh, step.rejected, step.event

        try:
            assert await poll(0) == (0, None, Event.BASELINE)
            sim.room(1).faults.zero_blips = 1
            assert await poll(1) == (0, Rejection.ZERO_READING, None)
            # 2 minutes at 1,840 W since the baseline = 61 Wh (61.33 rounded down)
            assert await poll(1) == (61, None, None)
            sim.room(1).reset_counter()
            # the counter restarts at 0: 30 and 61 Wh one minute apart, then
            # 521 Wh 15 minutes later (17 minutes at 1,840 W = 521.33)
            assert await poll(1) == (0, Rejection.BACKWARD_READING, None)
            assert await poll(1) == (0, Rejection.BACKWARD_READING, None)
            # the third rising low reading, 16 minutes after the first, confirms
            # the reset: billed from the first (30)
            assert await poll(15) == (491, None, Event.RESET_CONFIRMED)
        finally:
            await bus.close()


async def test_dead_meter_comes_back() -> None:
    async with Simulator(frozen_building(room(1, "sdm120"))) as sim:
        bus = Bus(sim.bus_settings(timeout=0.1, retries=0))
        try:
            sim.room(1).faults.dead = True
            assert await bus.read(1, SDM120) is None
            sim.room(1).faults.dead = False
            reading = await bus.read(1, SDM120)
        finally:
            await bus.close()
    assert reading is not None
    assert reading.power_w == 1_840.0


async def test_a_taken_port_fails_cleanly() -> None:
    async with Simulator(frozen_building(room(1, "sdm120"))) as first:
        taken = replace(frozen_building(room(1, "sdm120")), tcp_port=first.tcp_port)
        with pytest.raises(RuntimeError):
            await Simulator(taken).start()
