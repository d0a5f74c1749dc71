"""Helpers for meter tests: simulated buildings served on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.yunjing.meters.simulator import (
    ApplianceKind,
    ApplianceSpec,
    Building,
    MeterSpec,
)

START = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

# 1,840 W at PF 0.8 on 230 V: Q = 1,380 var, S = 2,300 VA, I = 10 A.
AIR_CONDITIONER = ApplianceSpec(
    name="air_conditioner",
    kind=ApplianceKind.SWITCHED,
    power_w=1840,
    power_factor=0.8,
    on=True,
)
KETTLE = ApplianceSpec(
    name="kettle", kind=ApplianceKind.SWITCHED, power_w=1800, power_factor=1.0
)


def frozen_building(*meters: MeterSpec) -> Building:
    """A building whose time moves only by Simulator.advance()."""
    return Building(meters=meters, time_scale=0.0, start=START)


def room(unit_id: int, model: str, **kwargs: object) -> MeterSpec:
    """A meter with the air conditioner running and a kettle that is off."""
    return MeterSpec(
        unit_id=unit_id,
        model=model,
        appliances=(AIR_CONDITIONER, KETTLE),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Meter tests talk Modbus to the simulator on 127.0.0.1."""
