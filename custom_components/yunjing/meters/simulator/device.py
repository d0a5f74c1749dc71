"""A simulated meter as a pymodbus SimDevice answering from its Room.

Registers are filled on each request by encoding the room's live reading with
the same register map the driver decodes (maps/), so a mismatch between the
two is impossible by construction; what the tests check is the wire.
"""

from __future__ import annotations

import asyncio
from typing import Any

from modbus_connection.encode import encode_uint32
from modbus_connection.model import Range, RegisterField, RegisterSpace
from pymodbus.constants import ExcCodes
from pymodbus.simulator import DataType, SimData, SimDevice

from .room import Room

_READ_FUNCTIONS: dict[int, RegisterSpace] = {3: "holding", 4: "input"}
_WRITE_FUNCTIONS = {6, 16}


class MeterDevice:
    """Serves one Room; ``closing`` releases requests held by a dead meter."""

    def __init__(self, room: Room, closing: asyncio.Event) -> None:
        self.room = room
        self._closing = closing
        meter_map = room.meter_map
        self._space: RegisterSpace = meter_map.registers.register_space
        self._fields: list[RegisterField[Any]] = [
            value
            for value in meter_map.registers.declared_fields.values()
            if isinstance(value, RegisterField)
        ]
        self._import_field = meter_map.registers.declared_fields["import_energy"]
        self._ranges: dict[RegisterSpace, list[Range]] = {"holding": [], "input": []}
        self._ranges[self._space].extend(meter_map.registers.register_ranges or ())
        relay = meter_map.relay
        if relay is not None:
            command = (
                relay.command_address,
                relay.command_address + len(relay.command(True, 0)) - 1,
            )
            if command not in self._ranges["holding"]:
                self._ranges["holding"].append(command)
            if relay.serial_space is not None and relay.serial_address is not None:
                self._ranges[relay.serial_space].append(
                    (relay.serial_address, relay.serial_address + 1)
                )

    def sim_device(self) -> SimDevice:
        """The pymodbus device: the model's readable ranges, answered by ``action``."""

        def block(space: RegisterSpace) -> list[SimData]:
            ranges = sorted(self._ranges[space]) or [(0, 0)]
            datatype = DataType.REGISTERS if self._ranges[space] else DataType.INVALID
            return [
                SimData(low, count=high - low + 1, values=0, datatype=datatype)
                for low, high in ranges
            ]

        no_bits = [SimData(0, values=False, datatype=DataType.BITS)]
        return SimDevice(
            id=self.room.unit_id,
            simdata=(no_bits, list(no_bits), block("holding"), block("input")),
            action=self.action,
        )

    async def action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        """Answer one request: faults first, then relay commands, then reads."""
        faults = self.room.faults
        if faults.dead:
            await self._closing.wait()  # no reply until the simulator closes
            return ExcCodes.GATEWAY_NO_RESPONSE
        if faults.late_s:
            await asyncio.sleep(faults.late_s)
        if faults.busy or faults.busy_requests > 0:
            faults.busy_requests = max(0, faults.busy_requests - 1)
            return ExcCodes.DEVICE_BUSY
        if function_code in _WRITE_FUNCTIONS:
            return self._write(function_code, address, set_values)
        space = _READ_FUNCTIONS.get(function_code)
        if space is None:
            return ExcCodes.ILLEGAL_FUNCTION
        self._fill(space, start_address, address, count, registers)
        return None

    def _write(
        self, function_code: int, address: int, values: list[int] | list[bool] | None
    ) -> ExcCodes | None:
        relay = self.room.meter_map.relay
        if relay is None or address != relay.command_address or not values:
            return ExcCodes.ILLEGAL_ADDRESS
        if function_code != 16:
            return ExcCodes.ILLEGAL_FUNCTION  # both relay models take only FC16
        words = [int(value) for value in values]
        if relay.serial_address is not None:
            # Keyed command: [key, state]; the key comes from the serial number.
            closed_words = relay.command(True, self.room.serial_number)
            open_words = relay.command(False, self.room.serial_number)
            auto = [closed_words[0], 0x8888]
            if words in (closed_words, auto):
                self.room.set_relay(True)
            elif words == open_words:
                self.room.set_relay(False)
            else:
                return ExcCodes.ILLEGAL_VALUE
            return None
        if words not in ([relay.closed_value], [relay.open_value]):
            return ExcCodes.ILLEGAL_VALUE
        self.room.set_relay(words == [relay.closed_value])
        return None

    def _fill(
        self,
        space: RegisterSpace,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
    ) -> None:
        end = address + count
        relay = self.room.meter_map.relay
        if (
            relay is not None
            and space == relay.serial_space
            and relay.serial_address is not None
        ):
            offset = relay.serial_address - start_address
            registers[offset : offset + 2] = encode_uint32(self.room.serial_number)
        if space != self._space:
            return
        energy = self._import_field
        blip = (
            self.room.faults.zero_blips > 0
            and address < energy.address + energy.count
            and energy.address < end
        )
        if blip:
            self.room.faults.zero_blips -= 1
        values = self.room.meter_map.encode(self.room.reading(zero_energy=blip))
        for field in self._fields:
            if field.address + field.count <= address or field.address >= end:
                continue
            offset = field.address - start_address
            registers[offset : offset + field.count] = field.encode(values[field.name])
