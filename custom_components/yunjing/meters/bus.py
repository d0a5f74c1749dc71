"""The shared connection to one gateway or serial port."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
import logging
import time
from typing import Literal

from modbus_connection import ModbusError, ModbusSerialParams, ModbusTcpParams
from modbus_connection.decode import decode_uint32
from modbus_connection.model import Component
from modbus_connection.pymodbus import ModbusConnection, PymodbusUnit

from .maps import RelayMap
from .maps.registry import MAPS
from .models import MeterModel
from .reading import Reading

_LOGGER = logging.getLogger(__name__)

# What makes a read "no value" for one meter: a timeout, a Modbus exception,
# a lost link, or a reply that does not fit the request (short or desynced).
_NO_VALUE = (ModbusError, IndexError, ValueError)


class BusKind(StrEnum):
    """How the meters are reached."""

    TCP = "tcp"
    RTU_OVER_TCP = "rtu_over_tcp"
    SERIAL = "serial"


@dataclass(frozen=True, kw_only=True)
class BusSettings:
    """Where the bus is and how to pace it."""

    kind: BusKind
    host: str = ""
    port: int = 502
    device: str = ""
    baudrate: int = 9600
    bytesize: Literal[7, 8] = 8
    parity: Literal["N", "E", "O"] = "N"
    stopbits: Literal[1, 2] = 1
    timeout: float = 1.0
    retries: int = 1
    message_spacing: float = 0.02

    @property
    def params(self) -> ModbusTcpParams | ModbusSerialParams:
        """The modbus-connection parameters for this bus."""
        if self.kind is BusKind.TCP:
            return ModbusTcpParams(host=self.host, port=self.port)
        device = self.device
        if self.kind is BusKind.RTU_OVER_TCP:
            host = f"[{self.host}]" if ":" in self.host else self.host
            device = f"socket://{host}:{self.port}"
        return ModbusSerialParams(
            device=device,
            baudrate=self.baudrate,
            bytesize=self.bytesize,
            parity=self.parity,
            stopbits=self.stopbits,
        )

    @property
    def endpoint_id(self) -> str:
        """A stable identity of the gateway or port: one hub per endpoint."""
        if self.kind is BusKind.SERIAL:
            return f"serial:{self.device}"
        return f"{self.kind}:{self.host.lower()}:{self.port}"


def open_connection(settings: BusSettings) -> ModbusConnection:
    """A paced connection for the bus; it connects on first use."""
    return ModbusConnection(
        settings.params,
        timeout=settings.timeout,
        message_spacing=settings.message_spacing,
    )


async def probe(settings: BusSettings) -> None:
    """Open and close the link; raises ModbusConnectionError when it cannot."""
    connection = open_connection(settings)
    try:
        await connection.connect()
    finally:
        await connection.close()


@dataclass
class BusStats:
    """Counters of one bus since it was opened."""

    requests: int = 0
    failures: int = 0
    """Requests that got no usable answer (timeout, exception, lost link)."""
    last_cycle_seconds: float | None = None
    """Wall time of the last read_all."""


class _CountingUnit(PymodbusUnit):
    """A unit handle that counts the requests this library sends."""

    def __init__(self, connection: ModbusConnection, unit_id: int, stats: BusStats):
        super().__init__(connection, unit_id)
        self._stats = stats

    async def read_holding_registers(self, address: int, count: int) -> list[int]:
        self._stats.requests += 1
        try:
            return await super().read_holding_registers(address, count)
        except ModbusError:
            self._stats.failures += 1
            raise

    async def read_input_registers(self, address: int, count: int) -> list[int]:
        self._stats.requests += 1
        try:
            return await super().read_input_registers(address, count)
        except ModbusError:
            self._stats.failures += 1
            raise

    async def write_registers(self, address: int, values: list[int]) -> None:
        self._stats.requests += 1
        try:
            await super().write_registers(address, values)
        except ModbusError:
            self._stats.failures += 1
            raise


class Bus:
    """All meters behind one gateway or serial port, on one paced connection.

    Requests are serialised by the connection's pacer, so a relay command
    issued while read_all runs is sent between two reads of the cycle.
    """

    def __init__(self, settings: BusSettings) -> None:
        self.settings = settings
        self.stats = BusStats()
        self._connection = open_connection(settings)
        self._units: dict[int, _CountingUnit] = {}
        self._components: dict[tuple[int, str], Component] = {}
        self._serial_numbers: dict[int, int] = {}

    def _unit(self, unit_id: int) -> _CountingUnit:
        if (unit := self._units.get(unit_id)) is None:
            unit = self._units[unit_id] = _CountingUnit(
                self._connection, unit_id, self.stats
            )
        return unit

    def _component(self, unit_id: int, model: MeterModel) -> Component:
        key = (unit_id, model.id)
        if (component := self._components.get(key)) is None:
            registers = MAPS[model.id].registers
            component = self._components[key] = registers(self._unit(unit_id))
        return component

    async def read(self, unit_id: int, model: MeterModel) -> Reading | None:
        """Read the whole meter; None when it gave no usable answer."""
        component = self._component(unit_id, model)
        for attempt in range(self.settings.retries + 1):
            try:
                await component.async_update(notify=False)
            except _NO_VALUE as err:
                _LOGGER.debug("Meter %s read %d failed: %s", unit_id, attempt, err)
                continue
            values = {
                name: getattr(component, name) for name in component.declared_fields
            }
            return MAPS[model.id].decode(values)
        return None

    async def read_all(
        self, meters: Sequence[tuple[int, MeterModel]]
    ) -> dict[int, Reading | None]:
        """One poll cycle: every meter once, in order; a dead one costs only its timeout."""
        started = time.monotonic()
        readings = {
            unit_id: await self.read(unit_id, model) for unit_id, model in meters
        }
        self.stats.last_cycle_seconds = time.monotonic() - started
        return readings

    async def set_relay(self, unit_id: int, model: MeterModel, closed: bool) -> bool:
        """Command the relay, read it back; True once the read-back matches."""
        relay = MAPS[model.id].relay
        if relay is None:
            raise ValueError(f"{model.name} has no relay")
        unit = self._unit(unit_id)
        for attempt in range(self.settings.retries + 1):
            try:
                serial_number = await self._serial_number(unit_id, relay)
                await unit.write_registers(
                    relay.command_address, relay.command(closed, serial_number)
                )
            except _NO_VALUE as err:
                # The command may have landed although its reply was lost.
                _LOGGER.debug("Relay %s write %d failed: %s", unit_id, attempt, err)
                self._serial_numbers.pop(unit_id, None)
            try:
                state = await self._relay_state(unit, relay)
            except _NO_VALUE as err:
                _LOGGER.debug("Relay %s read-back %d failed: %s", unit_id, attempt, err)
                continue
            if state is closed:
                return True
        return False

    async def _serial_number(self, unit_id: int, relay: RelayMap) -> int | None:
        if relay.serial_address is None:
            return None
        if (serial_number := self._serial_numbers.get(unit_id)) is None:
            unit = self._unit(unit_id)
            read = (
                unit.read_input_registers
                if relay.serial_space == "input"
                else unit.read_holding_registers
            )
            words = await read(relay.serial_address, 2)
            serial_number = self._serial_numbers[unit_id] = decode_uint32(words[:2])
        return serial_number

    @staticmethod
    async def _relay_state(unit: _CountingUnit, relay: RelayMap) -> bool | None:
        read = (
            unit.read_input_registers
            if relay.state_space == "input"
            else unit.read_holding_registers
        )
        words = await read(relay.state_address, 1)
        return relay.decode(words[0])

    async def close(self) -> None:
        """Close the connection; the bus cannot be used afterwards."""
        await self._connection.close()
