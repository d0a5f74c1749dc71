"""One decoded reading of a meter."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What a meter reported in one poll; None where the model has no such value.

    Energy is integer Wh (DESIGN.md section 3: no float energy past decoding).
    Three-phase meters report the mean phase-to-neutral voltage, the most
    loaded line's current, and total power, reactive power and power factor.
    """

    voltage_v: float | None = None
    current_a: float | None = None
    power_w: float | None = None
    reactive_power_var: float | None = None
    power_factor: float | None = None
    frequency_hz: float | None = None
    import_wh: int | None = None
    export_wh: int | None = None
    relay_closed: bool | None = None
