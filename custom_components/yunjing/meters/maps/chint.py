"""CHINT DDSU666 (single phase) and DTSU666 (three phase); float32, high word first.

DDSU666 sources: arendst/Tasmota xnrg_11_ddsu666.ino (function 04) and
OpenEMS MeterChintDdsu666Impl.java (function 03); the sources disagree on the
function code, we follow Tasmota's input registers. Power is in kW and kvar.

DTSU666 sources: volkszaehler/mbmd meters/rs485/dtsu666.go, OpenEMS
MeterChintDtsu666Impl.java, CHINT DTSU666-CT manual ZTY0.464.1448. Raw floats
are in 0.1 V, mA, 0.1 W, 0.1 var, PF x1000 and 0.01 Hz. For energy the
sources disagree (0x101E in mbmd/SolaX manual, 0x401E in aggsoft, 0x4000 in
upstream OpenEMS with unverified meaning); we read the 0x101E block.
"""

from __future__ import annotations

from modbus_connection.model import Component, float32

from ..reading import Reading
from . import MeterMap, Values, highest, kwh_to_wh, mean, number, wh_to_kwh, zero


class Ddsu666Registers(Component):
    """DDSU666 measurement table: two blocks (0x2000 and 0x4000)."""

    register_space = "input"
    register_ranges = ((0x2000, 0x200F), (0x4000, 0x400B))

    voltage = float32(0x2000)
    current = float32(0x2002)
    # kW and kvar, scaled in _decode: the library truncates a float scaled by
    # a whole factor to int, which would turn 0.145 kW (float32 0.14499..) into 144 W.
    power = float32(0x2004)
    reactive_power = float32(0x2006)
    power_factor = float32(0x200A)
    frequency = float32(0x200E)
    import_energy = float32(0x4000)  # kWh
    export_energy = float32(0x400A)  # kWh


def _decode_ddsu666(values: Values) -> Reading:
    return Reading(
        voltage_v=number(values["voltage"]),
        current_a=number(values["current"]),
        power_w=number(values["power"], scale=1000),
        reactive_power_var=number(values["reactive_power"], scale=1000),
        power_factor=number(values["power_factor"]),
        frequency_hz=number(values["frequency"]),
        import_wh=kwh_to_wh(values["import_energy"]),
        export_wh=kwh_to_wh(values["export_energy"]),
    )


def _encode_ddsu666(reading: Reading) -> dict[str, float | int]:
    return {
        "voltage": zero(reading.voltage_v),
        "current": zero(reading.current_a),
        "power": zero(reading.power_w) / 1000,
        "reactive_power": zero(reading.reactive_power_var) / 1000,
        "power_factor": zero(reading.power_factor),
        "frequency": zero(reading.frequency_hz),
        "import_energy": wh_to_kwh(reading.import_wh),
        "export_energy": wh_to_kwh(reading.export_wh),
    }


DDSU666 = MeterMap(
    registers=Ddsu666Registers, decode=_decode_ddsu666, encode=_encode_ddsu666
)


class Dtsu666Registers(Component):
    """DTSU666 measurement table: 0x2006-0x2045 and the 0x101E energy block."""

    register_space = "holding"
    register_ranges = ((0x101E, 0x1031), (0x2000, 0x2045))

    voltage_a = float32(0x2006, scale=0.1)
    voltage_b = float32(0x2008, scale=0.1)
    voltage_c = float32(0x200A, scale=0.1)
    current_a = float32(0x200C, scale=0.001)
    current_b = float32(0x200E, scale=0.001)
    current_c = float32(0x2010, scale=0.001)
    power = float32(0x2012, scale=0.1)
    reactive_power = float32(0x201A, scale=0.1)
    power_factor = float32(0x202A, scale=0.001)
    frequency = float32(0x2044, scale=0.01)
    import_energy = float32(0x101E)  # kWh
    export_energy = float32(0x1028)  # kWh


def _decode_dtsu666(values: Values) -> Reading:
    return Reading(
        voltage_v=mean(values["voltage_a"], values["voltage_b"], values["voltage_c"]),
        current_a=highest(
            values["current_a"], values["current_b"], values["current_c"]
        ),
        power_w=number(values["power"]),
        reactive_power_var=number(values["reactive_power"]),
        power_factor=number(values["power_factor"]),
        frequency_hz=number(values["frequency"]),
        import_wh=kwh_to_wh(values["import_energy"]),
        export_wh=kwh_to_wh(values["export_energy"]),
    )


def _encode_dtsu666(reading: Reading) -> dict[str, float | int]:
    # The simulator loads the three phases evenly.
    return {
        "voltage_a": zero(reading.voltage_v),
        "voltage_b": zero(reading.voltage_v),
        "voltage_c": zero(reading.voltage_v),
        "current_a": zero(reading.current_a),
        "current_b": zero(reading.current_a),
        "current_c": zero(reading.current_a),
        "power": zero(reading.power_w),
        "reactive_power": zero(reading.reactive_power_var),
        "power_factor": zero(reading.power_factor),
        "frequency": zero(reading.frequency_hz),
        "import_energy": wh_to_kwh(reading.import_wh),
        "export_energy": wh_to_kwh(reading.export_wh),
    }


DTSU666 = MeterMap(
    registers=Dtsu666Registers, decode=_decode_dtsu666, encode=_encode_dtsu666
)
