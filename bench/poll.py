"""Poll-cycle benchmark: 1, 32 and 247 simulated meters on one gateway.

Usage: scripts/run python -m bench.poll [--cycles N] [--kind tcp|rtu_over_tcp]

The simulator runs in its own process (python -m ...meters.simulator), so the
CPU time measured here is the polling side only. For each gateway size two
strategies read the same meters:

- whole meter: Bus.read_all, one request per register block of the model;
- per entity: one request per value group, as Home Assistant's core modbus
  integration does with one sensor entity per register.

Reported per meter per cycle: requests, wall-clock cycle time, CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
import socket
import sys
import tempfile
import time

from modbus_connection.model import RegisterField

from custom_components.yunjing.meters.bus import (
    Bus,
    BusKind,
    BusSettings,
    open_connection,
)
from custom_components.yunjing.meters.maps.registry import MAPS
from custom_components.yunjing.meters.models import MODELS, MeterModel

MODEL_CYCLE = ["sdm120", "ddsu666", "dds238_2", "em115_do", "sdm630", "dtsu666"]


@dataclass(frozen=True)
class Figures:
    requests_per_meter: float
    cycle_ms: float
    cpu_ms_per_meter: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _building_yaml(meters: int, tcp_port: int, rtu_port: int) -> str:
    lines = [
        f"gateway: {{host: 127.0.0.1, tcp_port: {tcp_port}, rtu_over_tcp_port: {rtu_port}}}",
        "time_scale: 1.0",
        "meters:",
    ]
    for unit_id in range(1, meters + 1):
        model = MODEL_CYCLE[(unit_id - 1) % len(MODEL_CYCLE)]
        lines += [
            f"  - {{unit_id: {unit_id}, model: {model}, import_kwh: {unit_id * 10.5}, appliances:",
            "      [{name: base, kind: base, power_w: 300, power_factor: 0.9}]}",
        ]
    return "\n".join(lines) + "\n"


def _meters(count: int) -> list[tuple[int, MeterModel]]:
    return [
        (unit_id, MODELS[MODEL_CYCLE[(unit_id - 1) % len(MODEL_CYCLE)]])
        for unit_id in range(1, count + 1)
    ]


async def _wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError(f"simulator did not listen on {port}")


async def _whole_meter(
    settings: BusSettings, meters: Sequence[tuple[int, MeterModel]], cycles: int
) -> Figures:
    bus = Bus(settings)
    try:
        await bus.read_all(meters)  # connect and warm up
        requests = bus.stats.requests
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(cycles):
            readings = await bus.read_all(meters)
            assert all(reading is not None for reading in readings.values())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        requests = bus.stats.requests - requests
    finally:
        await bus.close()
    return _figures(requests, wall, cpu, len(meters), cycles)


async def _per_entity(
    settings: BusSettings, meters: Sequence[tuple[int, MeterModel]], cycles: int
) -> Figures:
    connection = open_connection(settings)
    plans = []
    for unit_id, model in meters:
        registers = MAPS[model.id].registers
        unit = connection.for_unit(unit_id)
        read = (
            unit.read_input_registers
            if registers.register_space == "input"
            else unit.read_holding_registers
        )
        fields = [
            f
            for f in registers.declared_fields.values()
            if isinstance(f, RegisterField)
        ]
        plans.append((read, fields))

    async def cycle() -> int:
        requests = 0
        for read, fields in plans:
            for field in fields:
                field.decode(await read(field.address, field.count))
                requests += 1
        return requests

    try:
        await cycle()
        requests = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(cycles):
            requests += await cycle()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await connection.close()
    return _figures(requests, wall, cpu, len(meters), cycles)


def _figures(
    requests: int, wall: float, cpu: float, meters: int, cycles: int
) -> Figures:
    return Figures(
        requests_per_meter=requests / meters / cycles,
        cycle_ms=wall * 1000 / cycles,
        cpu_ms_per_meter=cpu * 1000 / meters / cycles,
    )


async def _run(sizes: Sequence[int], cycles: int, kind: BusKind) -> None:
    print(
        f"transport: {kind}, models cycled: {', '.join(MODEL_CYCLE)}, message spacing 0"
    )
    print(
        f"{'meters':>6} {'strategy':<12} {'req/meter/cycle':>16} "
        f"{'cycle ms':>9} {'CPU ms/meter/cycle':>19}"
    )
    for size in sizes:
        tcp_port, rtu_port = _free_port(), _free_port()
        with tempfile.TemporaryDirectory() as folder:
            building = Path(folder) / "building.yaml"
            building.write_text(
                _building_yaml(size, tcp_port, rtu_port), encoding="utf-8"
            )
            server = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "custom_components.yunjing.meters.simulator",
                str(building),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                port = tcp_port if kind is BusKind.TCP else rtu_port
                await _wait_listening(port)
                settings = BusSettings(
                    kind=kind,
                    host="127.0.0.1",
                    port=port,
                    timeout=2.0,
                    retries=0,
                    message_spacing=0.0,
                )
                meters = _meters(size)
                rounds = max(3, cycles // max(1, size // 8))
                for name, strategy in (
                    ("whole meter", _whole_meter),
                    ("per entity", _per_entity),
                ):
                    figures = await strategy(settings, meters, rounds)
                    print(
                        f"{size:>6} {name:<12} {figures.requests_per_meter:>16.2f} "
                        f"{figures.cycle_ms:>9.1f} {figures.cpu_ms_per_meter:>19.3f}"
                    )
            finally:
                server.terminate()
                await server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument(
        "--kind", choices=[BusKind.TCP, BusKind.RTU_OVER_TCP], default=BusKind.TCP
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 32, 247])
    args = parser.parse_args()
    asyncio.run(_run(args.sizes, args.cycles, BusKind(args.kind)))


if __name__ == "__main__":
    main()
