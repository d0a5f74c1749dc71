"""Serve a building YAML until interrupted: python -m ...meters.simulator [building.yaml]."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from .building import DEMO_BUILDING, load_building
from .server import Simulator


async def _serve(path: Path) -> None:
    building = load_building(path)
    async with Simulator(building) as sim:
        print(f"Modbus TCP on {building.host}:{sim.tcp_port}")
        print(f"RTU over TCP on {building.host}:{sim.rtu_over_tcp_port}")
        for room in sim.rooms.values():
            print(
                f"  unit {room.unit_id:3d}  {room.model.name:24s} room {room.spec.room}"
            )
        await asyncio.Event().wait()


def main() -> None:
    """Parse arguments and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        description="Serve a simulated building of meters."
    )
    parser.add_argument("building", type=Path, nargs="?", default=DEMO_BUILDING)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.building))


if __name__ == "__main__":
    main()
