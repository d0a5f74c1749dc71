"""Eastron SDM120 and SDM630 (input registers, float32, high word first).

Sources: volkszaehler/mbmd meters/rs485/sdm120.go and sdm.go; esphome
components/sdm_meter/sdm_meter_registers.h; gianfrdp/SDM120C sdm120c.c.
Both models are read as one block from 0x0000 to 0x004B: Eastron meters answer
up to 40 parameters (80 registers) per request and the gaps inside the block
are part of the same measurement table.
"""

from __future__ import annotations

from modbus_connection.model import Component, float32

from ..reading import Reading
from . import MeterMap, Values, highest, kwh_to_wh, number, wh_to_kwh, zero


class Sdm120Registers(Component):
    """SDM120 measurement table."""

    register_space = "input"
    register_ranges = ((0x0000, 0x004B),)

    voltage = float32(0x0000)
    current = float32(0x0006)
    power = float32(0x000C)  # negative when exporting
    reactive_power = float32(0x0018)
    power_factor = float32(0x001E)
    frequency = float32(0x0046)
    import_energy = float32(0x0048)  # kWh
    export_energy = float32(0x004A)  # kWh


def _decode_sdm120(values: Values) -> Reading:
    return Reading(
        voltage_v=number(values["voltage"]),
        current_a=number(values["current"]),
        power_w=number(values["power"]),
        reactive_power_var=number(values["reactive_power"]),
        power_factor=number(values["power_factor"]),
        frequency_hz=number(values["frequency"]),
        import_wh=kwh_to_wh(values["import_energy"]),
        export_wh=kwh_to_wh(values["export_energy"]),
    )


def _encode_sdm120(reading: Reading) -> dict[str, float | int]:
    return {
        "voltage": zero(reading.voltage_v),
        "current": zero(reading.current_a),
        "power": zero(reading.power_w),
        "reactive_power": zero(reading.reactive_power_var),
        "power_factor": zero(reading.power_factor),
        "frequency": zero(reading.frequency_hz),
        "import_energy": wh_to_kwh(reading.import_wh),
        "export_energy": wh_to_kwh(reading.export_wh),
    }


SDM120 = MeterMap(
    registers=Sdm120Registers, decode=_decode_sdm120, encode=_encode_sdm120
)


class Sdm630Registers(Component):
    """SDM630 measurement table (three phase; totals for power and energy)."""

    register_space = "input"
    register_ranges = ((0x0000, 0x004B),)

    current_l1 = float32(0x0006)
    current_l2 = float32(0x0008)
    current_l3 = float32(0x000A)
    voltage_average = float32(0x002A)  # average L-N
    power = float32(0x0034)
    reactive_power = float32(0x003C)
    power_factor = float32(0x003E)
    frequency = float32(0x0046)
    import_energy = float32(0x0048)  # kWh
    export_energy = float32(0x004A)  # kWh


def _decode_sdm630(values: Values) -> Reading:
    return Reading(
        voltage_v=number(values["voltage_average"]),
        current_a=highest(
            values["current_l1"], values["current_l2"], values["current_l3"]
        ),
        power_w=number(values["power"]),
        reactive_power_var=number(values["reactive_power"]),
        power_factor=number(values["power_factor"]),
        frequency_hz=number(values["frequency"]),
        import_wh=kwh_to_wh(values["import_energy"]),
        export_wh=kwh_to_wh(values["export_energy"]),
    )


def _encode_sdm630(reading: Reading) -> dict[str, float | int]:
    # The simulator loads the three phases evenly.
    return {
        "current_l1": zero(reading.current_a),
        "current_l2": zero(reading.current_a),
        "current_l3": zero(reading.current_a),
        "voltage_average": zero(reading.voltage_v),
        "power": zero(reading.power_w),
        "reactive_power": zero(reading.reactive_power_var),
        "power_factor": zero(reading.power_factor),
        "frequency": zero(reading.frequency_hz),
        "import_energy": wh_to_kwh(reading.import_wh),
        "export_energy": wh_to_kwh(reading.export_wh),
    }


SDM630 = MeterMap(
    registers=Sdm630Registers, decode=_decode_sdm630, encode=_encode_sdm630
)
