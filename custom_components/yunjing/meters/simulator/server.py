"""Serve a simulated building over Modbus TCP and RTU over TCP."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from pymodbus import FramerType

from ..bus import BusKind, BusSettings
from .building import Building
from .clock import SimClock
from .device import MeterDevice
from .gateway import GatewayServer
from .room import Room


class Simulator:
    """A running building: ``async with Simulator(building) as sim: ...``.

    One gateway serves every meter twice, on ``tcp_port`` (Modbus TCP) and on
    ``rtu_over_tcp_port`` (RTU frames over a TCP socket).
    """

    def __init__(self, building: Building) -> None:
        self.building = building
        self.clock = SimClock(building.start, building.time_scale)
        self.rooms: dict[int, Room] = {
            spec.unit_id: Room(
                spec, self.clock, building.voltage_v, building.frequency_hz
            )
            for spec in building.meters
        }
        self._closing = asyncio.Event()
        self._servers: list[GatewayServer] = []
        self.tcp_port = building.tcp_port
        self.rtu_over_tcp_port = building.rtu_over_tcp_port

    def room(self, unit_id: int) -> Room:
        """The live room behind a unit id: switch appliances, inject faults, read state."""
        return self.rooms[unit_id]

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward (energy accrues at the current loads)."""
        self.clock.advance(seconds)

    def bus_settings(
        self,
        kind: BusKind = BusKind.TCP,
        *,
        timeout: float = 1.0,
        retries: int = 1,
        message_spacing: float = 0.0,
    ) -> BusSettings:
        """Settings for a Bus that reaches this building."""
        port = self.tcp_port if kind is BusKind.TCP else self.rtu_over_tcp_port
        return BusSettings(
            kind=kind,
            host=self.building.host,
            port=port,
            timeout=timeout,
            retries=retries,
            message_spacing=message_spacing,
        )

    async def start(self) -> None:
        """Bind both ports and start serving; raises RuntimeError if a port is taken."""
        try:
            for framer, port in (
                (FramerType.SOCKET, self.building.tcp_port),
                (FramerType.RTU, self.building.rtu_over_tcp_port),
            ):
                devices = [
                    MeterDevice(room, self._closing).sim_device()
                    for room in self.rooms.values()
                ]
                server = GatewayServer(
                    devices, framer=framer, address=(self.building.host, port)
                )
                await server.serve_forever(background=True)
                self._servers.append(server)
        except BaseException:
            await self.close()
            raise
        self.tcp_port = self._bound_port(self._servers[0])
        self.rtu_over_tcp_port = self._bound_port(self._servers[1])

    @staticmethod
    def _bound_port(server: GatewayServer) -> int:
        sockets = server.transport.sockets  # type: ignore[attr-defined]
        return int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Release held requests, then stop serving."""
        self._closing.set()
        await asyncio.sleep(0.01)  # let held dead-meter requests finish
        for server in self._servers:
            await server.shutdown()  # type: ignore[no-untyped-call]
        self._servers.clear()
        await asyncio.sleep(0)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
