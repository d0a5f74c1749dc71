"""The description of a simulated building, loaded from YAML or built in code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no types-PyYAML in the pinned test env

from ..models import MODELS

DEMO_BUILDING = Path(__file__).with_name("demo_building.yaml")


class ApplianceKind(StrEnum):
    """How an appliance's power varies over time."""

    BASE = "base"
    """Always on (standby loads, router)."""
    FRIDGE = "fridge"
    """Compressor cycling: on for ``on_s``, off for ``off_s``."""
    LIGHTS = "lights"
    """On between ``from_hour`` and ``to_hour`` of the building's local time."""
    SWITCHED = "switched"
    """On or off as switched by a test or the demo (kettle, heater, air conditioner)."""


@dataclass(frozen=True, kw_only=True)
class ApplianceSpec:
    """One appliance in a room."""

    name: str
    kind: ApplianceKind
    power_w: float
    power_factor: float = 1.0
    on: bool = False
    on_s: float = 600.0
    off_s: float = 1200.0
    from_hour: float = 18.0
    to_hour: float = 23.0


@dataclass(frozen=True, kw_only=True)
class MeterSpec:
    """One meter (one room) on the gateway."""

    unit_id: int
    model: str
    room: str = ""
    import_kwh: float = 0.0
    export_kwh: float = 0.0
    serial_number: int = 0
    """0 picks a serial number derived from the unit id."""
    relay_closed: bool = True
    appliances: tuple[ApplianceSpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Building:
    """A gateway serving meters over Modbus TCP and RTU over TCP on one host."""

    meters: tuple[MeterSpec, ...]
    host: str = "127.0.0.1"
    tcp_port: int = 0
    """0 binds any free port."""
    rtu_over_tcp_port: int = 0
    time_scale: float = 1.0
    """Simulated seconds per real second; 0 freezes time except for advance()."""
    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    voltage_v: float = 230.0
    frequency_hz: float = 50.0

    def __post_init__(self) -> None:
        """Reject what no real gateway could serve."""
        seen: set[int] = set()
        for meter in self.meters:
            if not 1 <= meter.unit_id <= 247:
                raise ValueError(f"unit id {meter.unit_id} is outside 1..247")
            if meter.unit_id in seen:
                raise ValueError(f"unit id {meter.unit_id} is used twice")
            if meter.model not in MODELS:
                raise ValueError(f"unknown meter model {meter.model!r}")
            seen.add(meter.unit_id)


def _appliance(data: dict[str, Any]) -> ApplianceSpec:
    return ApplianceSpec(
        name=str(data["name"]),
        kind=ApplianceKind(data.get("kind", "switched")),
        power_w=float(data["power_w"]),
        power_factor=float(data.get("power_factor", 1.0)),
        on=bool(data.get("on", False)),
        on_s=float(data.get("on_s", 600.0)),
        off_s=float(data.get("off_s", 1200.0)),
        from_hour=float(data.get("from_hour", 18.0)),
        to_hour=float(data.get("to_hour", 23.0)),
    )


def _meter(data: dict[str, Any]) -> MeterSpec:
    return MeterSpec(
        unit_id=int(data["unit_id"]),
        model=str(data["model"]),
        room=str(data.get("room", "")),
        import_kwh=float(data.get("import_kwh", 0.0)),
        export_kwh=float(data.get("export_kwh", 0.0)),
        serial_number=int(data.get("serial_number", 0)),
        relay_closed=bool(data.get("relay_closed", True)),
        appliances=tuple(_appliance(item) for item in data.get("appliances", [])),
    )


def parse_building(data: dict[str, Any]) -> Building:
    """A building from the plain data of a YAML file."""
    gateway = data.get("gateway", {})
    extra: dict[str, Any] = {}
    if "start" in data:
        start = data["start"]
        start = (
            start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
        )
        if start.tzinfo is None:
            raise ValueError("start needs a UTC offset, e.g. 2026-01-01T18:00:00+08:00")
        extra["start"] = start
    return Building(
        meters=tuple(_meter(item) for item in data["meters"]),
        host=str(gateway.get("host", "127.0.0.1")),
        tcp_port=int(gateway.get("tcp_port", 0)),
        rtu_over_tcp_port=int(gateway.get("rtu_over_tcp_port", 0)),
        time_scale=float(data.get("time_scale", 1.0)),
        voltage_v=float(data.get("voltage_v", 230.0)),
        frequency_hz=float(data.get("frequency_hz", 50.0)),
        **extra,
    )


def load_building(path: Path) -> Building:
    """Read a building YAML file."""
    with path.open(encoding="utf-8") as file:
        return parse_building(yaml.safe_load(file))
