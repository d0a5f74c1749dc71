"""A simulated building of meters served over Modbus, for tests, demos and the bench.

Run ``python -m custom_components.yunjing.meters.simulator building.yaml``, or
in code::

    async with Simulator(load_building(DEMO_BUILDING)) as sim:
        bus = Bus(sim.bus_settings())
        sim.room(5).switch("kettle", True)
"""

from .building import (
    DEMO_BUILDING,
    ApplianceKind,
    ApplianceSpec,
    Building,
    MeterSpec,
    load_building,
    parse_building,
)
from .clock import SimClock
from .room import Faults, Room
from .server import Simulator

__all__ = [
    "DEMO_BUILDING",
    "ApplianceKind",
    "ApplianceSpec",
    "Building",
    "Faults",
    "MeterSpec",
    "Room",
    "SimClock",
    "Simulator",
    "load_building",
    "parse_building",
]
