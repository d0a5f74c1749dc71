"""The meter models the library supports and what each one provides."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Quantity(StrEnum):
    """A value a meter model can report."""

    VOLTAGE = "voltage"
    CURRENT = "current"
    POWER = "power"
    REACTIVE_POWER = "reactive_power"
    POWER_FACTOR = "power_factor"
    FREQUENCY = "frequency"
    IMPORT_ENERGY = "import_energy"
    EXPORT_ENERGY = "export_energy"
    RELAY = "relay"


@dataclass(frozen=True, kw_only=True)
class MeterModel:
    """A supported meter model.

    ``rated_power_w`` is the default ceiling used to reject impossible energy
    deltas (rated current x 230 V per phase, rounded up); a room may override it.
    """

    id: str
    name: str
    provides: frozenset[Quantity]
    phases: int
    rated_power_w: int
    has_relay: bool = False
    counter_modulus_wh: int | None = None
    """Where an integer energy counter wraps, in Wh; None for float registers."""


_MEASURED = frozenset(
    {
        Quantity.VOLTAGE,
        Quantity.CURRENT,
        Quantity.POWER,
        Quantity.POWER_FACTOR,
        Quantity.FREQUENCY,
        Quantity.IMPORT_ENERGY,
        Quantity.EXPORT_ENERGY,
    }
)

MODELS: dict[str, MeterModel] = {
    model.id: model
    for model in (
        # Eastron SDM120-Modbus: 5(45) A single phase.
        MeterModel(
            id="sdm120",
            name="Eastron SDM120",
            provides=_MEASURED | {Quantity.REACTIVE_POWER},
            phases=1,
            rated_power_w=10_400,
        ),
        # Eastron SDM630-Modbus: 10(100) A three phase.
        MeterModel(
            id="sdm630",
            name="Eastron SDM630",
            provides=_MEASURED | {Quantity.REACTIVE_POWER},
            phases=3,
            rated_power_w=69_000,
        ),
        # CHINT DDSU666: 10(60) A single phase.
        MeterModel(
            id="ddsu666",
            name="CHINT DDSU666",
            provides=_MEASURED | {Quantity.REACTIVE_POWER},
            phases=1,
            rated_power_w=13_800,
        ),
        # CHINT DTSU666: 10(80) A three phase (direct connection variant).
        MeterModel(
            id="dtsu666",
            name="CHINT DTSU666",
            provides=_MEASURED | {Quantity.REACTIVE_POWER},
            phases=3,
            rated_power_w=55_200,
        ),
        # Hiking DDS238-2 ZN/SR: 5(80) A single phase with a latching relay.
        MeterModel(
            id="dds238_2",
            name="Hiking DDS238-2 ZN/SR",
            provides=_MEASURED | {Quantity.REACTIVE_POWER, Quantity.RELAY},
            phases=1,
            rated_power_w=18_400,
            has_relay=True,
            counter_modulus_wh=2**32 * 10,  # uint32 of 0.01 kWh
        ),
        # Fineco EM115 DO: 5(45) A single phase with a relay; no reactive register.
        MeterModel(
            id="em115_do",
            name="Fineco EM115 DO",
            provides=_MEASURED | {Quantity.RELAY},
            phases=1,
            rated_power_w=10_400,
            has_relay=True,
        ),
    )
}
