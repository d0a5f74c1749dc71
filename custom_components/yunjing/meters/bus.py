"""The shared connection to one gateway or serial port."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from modbus_connection import ModbusSerialParams, ModbusTcpParams
from modbus_connection.pymodbus import ModbusConnection


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
