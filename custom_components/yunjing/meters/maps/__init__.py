"""Register maps of the supported meter models, as code.

Each model module transcribes the public register map gathered in the project's
reference data (reference/meters/*.csv, not read at run time) and names its
sources. A map is shared by the driver (Bus) and the simulator, so both sides
agree on address, type, word order and scale by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from modbus_connection.model import Component, RegisterSpace

from ..reading import Reading

type Values = Mapping[str, float | int | None]
"""Decoded register fields of one read, keyed by field name."""


@dataclass(frozen=True, kw_only=True)
class RelayMap:
    """Where a model keeps its relay and how it is commanded (always FC16)."""

    state_field: str
    state_space: RegisterSpace
    state_address: int
    closed_value: int
    open_value: int
    command_address: int
    command: Callable[[bool, int | None], list[int]]
    """Words to write for (closed, serial number); the serial is None unless needed."""
    serial_space: RegisterSpace | None = None
    serial_address: int | None = None
    """Where the serial number a keyed command needs is read (uint32, high word first)."""

    def decode(self, value: float | int | None) -> bool | None:
        """True when closed (power flows), None for any other pattern."""
        if value == self.closed_value:
            return True
        if value == self.open_value:
            return False
        return None

    def encode(self, closed: bool) -> int:
        """The state register value for a relay position."""
        return self.closed_value if closed else self.open_value


@dataclass(frozen=True, kw_only=True)
class MeterMap:
    """How one model's registers become a Reading, and back (for the simulator)."""

    registers: type[Component]
    decode: Callable[[Values], Reading]
    encode: Callable[[Reading], dict[str, float | int]]
    relay: RelayMap | None = None


def kwh_to_wh(kwh: float | int | None) -> int | None:
    """Energy in integer Wh, rounded once at the point of decoding."""
    return None if kwh is None else round(kwh * 1000)


def wh_to_kwh(wh: int | None) -> float:
    """Energy in kWh for encoding a register."""
    return 0.0 if wh is None else wh / 1000


def number(value: float | int | None, *, scale: float = 1.0) -> float | None:
    """A decoded register as a float, keeping None for a missing or NaN value.

    Rounded to 7 significant digits, the precision of a float32 register, so
    0.8 reads as 0.8 and not 0.800000011920929.
    """
    return None if value is None else float(f"{float(value) * scale:.7g}")


def highest(*values: float | int | None) -> float | None:
    """The largest present value, e.g. the most loaded phase's current."""
    present = [float(v) for v in values if v is not None]
    return number(max(present)) if present else None


def mean(*values: float | int | None) -> float | None:
    """The average of present values, e.g. the mean phase voltage."""
    present = [float(v) for v in values if v is not None]
    return number(sum(present) / len(present)) if present else None


def zero(value: float | None) -> float:
    """A value to encode: the simulator writes 0 where a reading has none."""
    return 0.0 if value is None else value
