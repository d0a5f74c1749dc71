"""Every model read from the simulator over real TCP on 127.0.0.1."""

from __future__ import annotations

from modbus_connection import IllegalDataValueError
import pytest

from custom_components.yunjing.meters.bus import Bus, BusKind, open_connection
from custom_components.yunjing.meters.models import MODELS, Quantity
from custom_components.yunjing.meters.reading import Reading
from custom_components.yunjing.meters.simulator import Simulator

from .conftest import frozen_building, room

# The air conditioner (1,840 W, PF 0.8) on 230 V at 50 Hz, counter at 12,345.6 kWh.
SINGLE_PHASE = Reading(
    voltage_v=230.0,
    current_a=10.0,
    power_w=1840.0,
    reactive_power_var=1380.0,
    power_factor=0.8,
    frequency_hz=50.0,
    import_wh=12_345_600,
    export_wh=0,
)

EXPECTED: dict[str, Reading] = {
    "sdm120": SINGLE_PHASE,
    "ddsu666": SINGLE_PHASE,
    # three phase: the 2,300 VA spread over three phases is 3.333 A per line
    "sdm630": Reading(
        voltage_v=230.0,
        current_a=3.333333,
        power_w=1840.0,
        reactive_power_var=1380.0,
        power_factor=0.8,
        frequency_hz=50.0,
        import_wh=12_345_600,
        export_wh=0,
    ),
    "dtsu666": Reading(
        voltage_v=230.0,
        current_a=3.333,
        power_w=1840.0,
        reactive_power_var=1380.0,
        power_factor=0.8,
        frequency_hz=50.0,
        import_wh=12_345_600,
        export_wh=0,
    ),
    # integer registers: 0.01 kWh, 0.01 A, whole W and var
    "dds238_2": Reading(
        voltage_v=230.0,
        current_a=10.0,
        power_w=1840.0,
        reactive_power_var=1380.0,
        power_factor=0.8,
        frequency_hz=50.0,
        import_wh=12_345_600,
        export_wh=0,
        relay_closed=True,
    ),
    # no reactive power register
    "em115_do": Reading(
        voltage_v=230.0,
        current_a=10.0,
        power_w=1840.0,
        power_factor=0.8,
        frequency_hz=50.0,
        import_wh=12_345_600,
        export_wh=0,
        relay_closed=True,
    ),
}

REQUESTS_PER_READ = {
    "sdm120": 1,
    "sdm630": 1,
    "ddsu666": 2,
    "dtsu666": 2,
    "dds238_2": 2,
    "em115_do": 3,
}


@pytest.mark.parametrize("kind", [BusKind.TCP, BusKind.RTU_OVER_TCP])
@pytest.mark.parametrize("model_id", sorted(MODELS))
async def test_read_every_model(model_id: str, kind: BusKind) -> None:
    building = frozen_building(room(7, model_id, import_kwh=12_345.6))
    async with Simulator(building) as sim:
        bus = Bus(sim.bus_settings(kind))
        try:
            reading = await bus.read(7, MODELS[model_id])
        finally:
            await bus.close()
    assert reading == EXPECTED[model_id]
    assert bus.stats.requests == REQUESTS_PER_READ[model_id]
    assert bus.stats.failures == 0


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_reading_has_what_the_model_provides(model_id: str) -> None:
    model = MODELS[model_id]
    reading = EXPECTED[model_id]
    assert (reading.reactive_power_var is not None) == (
        Quantity.REACTIVE_POWER in model.provides
    )
    assert (reading.relay_closed is not None) == model.has_relay


@pytest.mark.parametrize("kind", [BusKind.TCP, BusKind.RTU_OVER_TCP])
@pytest.mark.parametrize("model_id", ["dds238_2", "em115_do"])
async def test_relay_switches_and_reads_back(model_id: str, kind: BusKind) -> None:
    model = MODELS[model_id]
    building = frozen_building(room(4, model_id, import_kwh=100.0))
    async with Simulator(building) as sim:
        bus = Bus(sim.bus_settings(kind))
        try:
            assert await bus.set_relay(4, model, closed=False) is True
            assert sim.room(4).relay_closed is False
            opened = await bus.read(4, model)
            assert await bus.set_relay(4, model, closed=True) is True
            closed = await bus.read(4, model)
        finally:
            await bus.close()
    assert opened is not None
    assert opened.relay_closed is False
    assert opened.power_w == 0.0  # the open relay really cuts the room
    assert opened.current_a == 0.0
    assert closed is not None
    assert closed.relay_closed is True
    assert closed.power_w == 1840.0


async def test_em115_rejects_a_command_with_the_wrong_key() -> None:
    building = frozen_building(room(4, "em115_do", serial_number=0x12345678))
    async with Simulator(building) as sim:
        connection = open_connection(sim.bus_settings())
        try:
            with pytest.raises(IllegalDataValueError):
                await connection.for_unit(4).write_registers(0x0566, [0x0000, 0xAAAA])
            await connection.for_unit(4).write_registers(0x0566, [0x1020, 0xAAAA])
        finally:
            await connection.close()
        assert sim.room(4).relay_closed is False  # only the right key opened it


async def test_relay_on_a_model_without_one_is_refused() -> None:
    building = frozen_building(room(1, "sdm120"))
    async with Simulator(building) as sim:
        bus = Bus(sim.bus_settings())
        try:
            with pytest.raises(ValueError, match="no relay"):
                await bus.set_relay(1, MODELS["sdm120"], closed=False)
        finally:
            await bus.close()
