"""Fineco EM115 DO: single phase, input registers (float32, high word first), relay.

Source: sman-dk/energy_meter_setuptool energy_meter_setup_tool.py. The relay
state is input register 0x0566 (0x5555 on, 0xAAAA off); a command is a
function 16 write of [key, state] to 0x0566 where the key is derived from the
serial number (input 0xFF00, uint32). The model has no reactive power register.
"""

from __future__ import annotations

from modbus_connection.model import Component, float32, integer

from ..reading import Reading
from . import MeterMap, RelayMap, Values, kwh_to_wh, number, wh_to_kwh, zero

RELAY_ADDRESS = 0x0566
SERIAL_ADDRESS = 0xFF00
RELAY_ON = 0x5555
RELAY_OFF = 0xAAAA


class Em115Registers(Component):
    """EM115 DO measurement blocks and relay state."""

    register_space = "input"
    register_ranges = ((0x0002, 0x000F), (0x0160, 0x016B), (0x0566, 0x0566))

    voltage = float32(0x0002)
    frequency = float32(0x0004)
    current = float32(0x0006)
    power = float32(0x0008)
    power_factor = float32(0x000E)
    import_energy = float32(0x0160)  # kWh
    export_energy = float32(0x0166)  # kWh
    relay = integer(RELAY_ADDRESS, signed=False)


def relay_key(serial_number: int) -> int:
    """The write key the meter expects, from its serial number."""
    return ((serial_number >> 24) + (serial_number >> 8)) & 0x1234


def _command(closed: bool, serial_number: int | None) -> list[int]:
    if serial_number is None:
        raise ValueError("the EM115 relay command needs the meter's serial number")
    return [relay_key(serial_number), RELAY_ON if closed else RELAY_OFF]


def _decode(values: Values) -> Reading:
    return Reading(
        voltage_v=number(values["voltage"]),
        current_a=number(values["current"]),
        power_w=number(values["power"]),
        power_factor=number(values["power_factor"]),
        frequency_hz=number(values["frequency"]),
        import_wh=kwh_to_wh(values["import_energy"]),
        export_wh=kwh_to_wh(values["export_energy"]),
        relay_closed=RELAY.decode(values["relay"]),
    )


def _encode(reading: Reading) -> dict[str, float | int]:
    return {
        "voltage": zero(reading.voltage_v),
        "frequency": zero(reading.frequency_hz),
        "current": zero(reading.current_a),
        "power": zero(reading.power_w),
        "power_factor": zero(reading.power_factor),
        "import_energy": wh_to_kwh(reading.import_wh),
        "export_energy": wh_to_kwh(reading.export_wh),
        "relay": RELAY.encode(reading.relay_closed is not False),
    }


RELAY = RelayMap(
    state_field="relay",
    state_space="input",
    state_address=RELAY_ADDRESS,
    closed_value=RELAY_ON,
    open_value=RELAY_OFF,
    command_address=RELAY_ADDRESS,
    command=_command,
    serial_space="input",
    serial_address=SERIAL_ADDRESS,
)

EM115_DO = MeterMap(
    registers=Em115Registers, decode=_decode, encode=_encode, relay=RELAY
)
