"""Hiking DDS238-2 ZN/SR: single phase, holding registers, with a relay.

Source: xbeaudouin/domoticz-ds238-modbus-tcp README.md (a copy of gist
alphp/95e1efe916c0dd6df7156f43dd521d53). Energy counters are uint32 in
0.01 kWh, high word first. The relay (0x001A) accepts only function 16. The
measurement block (0x0000-0x0011) and the relay are read separately: bridging
them would read the address/baud register 0x0015 and undocumented addresses.
"""

from __future__ import annotations

from modbus_connection.model import Component, gauge, integer, uint32

from ..reading import Reading
from . import MeterMap, RelayMap, Values, number, zero

RELAY_ADDRESS = 0x001A


class Dds238Registers(Component):
    """DDS238-2 ZN/SR measurement block and relay."""

    register_space = "holding"
    register_ranges = ((0x0000, 0x0011), (RELAY_ADDRESS, RELAY_ADDRESS))

    export_energy = uint32(0x0008)  # 0.01 kWh
    import_energy = uint32(0x000A)  # 0.01 kWh
    voltage = gauge(0x000C, 0.1, signed=False)
    current = gauge(0x000D, 0.01, signed=False)
    power = integer(0x000E, signed=True)
    reactive_power = integer(0x000F, signed=False)
    power_factor = gauge(0x0010, 0.001, signed=False)
    frequency = gauge(0x0011, 0.01, signed=False)
    relay = integer(RELAY_ADDRESS, signed=False, writable=True, force_fc16=True)


def _hundredths_to_wh(value: float | int | None) -> int | None:
    return None if value is None else int(value) * 10


def _decode(values: Values) -> Reading:
    return Reading(
        voltage_v=number(values["voltage"]),
        current_a=number(values["current"]),
        power_w=number(values["power"]),
        reactive_power_var=number(values["reactive_power"]),
        power_factor=number(values["power_factor"]),
        frequency_hz=number(values["frequency"]),
        import_wh=_hundredths_to_wh(values["import_energy"]),
        export_wh=_hundredths_to_wh(values["export_energy"]),
        relay_closed=RELAY.decode(values["relay"]),
    )


def _encode(reading: Reading) -> dict[str, float | int]:
    return {
        "export_energy": (reading.export_wh or 0) // 10 % 2**32,
        "import_energy": (reading.import_wh or 0) // 10 % 2**32,
        "voltage": zero(reading.voltage_v),
        "current": zero(reading.current_a),
        "power": round(zero(reading.power_w)),
        "reactive_power": abs(round(zero(reading.reactive_power_var))),
        "power_factor": abs(zero(reading.power_factor)),
        "frequency": zero(reading.frequency_hz),
        "relay": RELAY.encode(reading.relay_closed is not False),
    }


RELAY = RelayMap(
    state_field="relay",
    state_space="holding",
    state_address=RELAY_ADDRESS,
    closed_value=1,
    open_value=0,
    command_address=RELAY_ADDRESS,
    command=lambda closed, _serial: [1 if closed else 0],
)

DDS238_2 = MeterMap(
    registers=Dds238Registers,
    decode=_decode,
    encode=_encode,
    relay=RELAY,
)
