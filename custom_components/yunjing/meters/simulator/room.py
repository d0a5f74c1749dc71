"""One simulated room: appliances behind a meter with a relay, and its faults."""

from __future__ import annotations

from dataclasses import dataclass
import math

from ..maps.registry import MAPS
from ..models import MODELS, MeterModel
from ..reading import Reading
from .building import ApplianceKind, ApplianceSpec, MeterSpec
from .clock import SimClock

# Energy is integrated in steps no longer than this (simulated seconds), so
# a fridge cycle is followed even when time is accelerated.
_MAX_STEP_S = 10.0


@dataclass
class Faults:
    """Fault injection for one meter; tests and the demo flip these at will."""

    dead: bool = False
    """No reply at all (meter powered off)."""
    busy: bool = False
    """Every request answered with Modbus exception 06 (server device busy)."""
    busy_requests: int = 0
    """The next N requests answered busy."""
    late_s: float = 0.0
    """Delay before each reply."""
    zero_blips: int = 0
    """The next N reads report 0 energy (the counter itself is kept)."""


class Appliance:
    """An appliance's power at a given simulated time."""

    def __init__(self, spec: ApplianceSpec) -> None:
        self.spec = spec
        self.on = spec.on

    def power_w(self, clock: SimClock, seconds: float) -> float:
        """Active power drawn at ``seconds`` after the building's start."""
        spec = self.spec
        match spec.kind:
            case ApplianceKind.BASE:
                running = True
            case ApplianceKind.FRIDGE:
                running = seconds % (spec.on_s + spec.off_s) < spec.on_s
            case ApplianceKind.LIGHTS:
                local = clock.start.timetz()
                hour = (local.hour + local.minute / 60 + seconds / 3600) % 24
                if spec.from_hour <= spec.to_hour:
                    running = spec.from_hour <= hour < spec.to_hour
                else:
                    running = hour >= spec.from_hour or hour < spec.to_hour
            case ApplianceKind.SWITCHED:
                running = self.on
        return spec.power_w if running else 0.0

    def reactive_var(self, power_w: float) -> float:
        """Reactive power at the given active power (inductive)."""
        return power_w * math.tan(
            math.acos(min(max(self.spec.power_factor, 0.01), 1.0))
        )


class Room:
    """A meter's live state; the simulator's register maps encode ``reading()``."""

    def __init__(
        self, spec: MeterSpec, clock: SimClock, voltage_v: float, frequency_hz: float
    ) -> None:
        self.spec = spec
        self.unit_id = spec.unit_id
        self.model: MeterModel = MODELS[spec.model]
        self.meter_map = MAPS[spec.model]
        self.serial_number = spec.serial_number or 20_260_000 + spec.unit_id
        self.faults = Faults()
        self.relay_closed = spec.relay_closed
        self.appliances = {item.name: Appliance(item) for item in spec.appliances}
        self._clock = clock
        self._voltage_v = voltage_v
        self._frequency_hz = frequency_hz
        # Counted in watt-seconds: whole-second steps of whole-watt loads add
        # up exactly, so an hour at 1,840 W is exactly 1,840 Wh.
        self._import_ws = float(round(spec.import_kwh * 3_600_000))
        self._export_ws = float(round(spec.export_kwh * 3_600_000))
        self._integrated_to = clock.seconds()

    def switch(self, appliance: str, on: bool) -> None:
        """Switch a SWITCHED appliance (energy so far is integrated first)."""
        self._integrate()
        self.appliances[appliance].on = on

    def set_relay(self, closed: bool) -> None:
        """Open or close the relay; an open relay cuts the room's power."""
        self._integrate()
        self.relay_closed = closed

    def reset_counter(self) -> None:
        """Counter reset, as a meter cleared by its owner or a firmware fault."""
        self._integrate()
        self._import_ws = 0.0
        self._export_ws = 0.0

    def continue_from(self, import_wh: int) -> None:
        """Count on from a reading kept elsewhere (e.g. billed before a restart), never back."""
        self._integrate()
        self._import_ws = max(self._import_ws, float(import_wh * 3600))

    @property
    def import_wh(self) -> int:
        """The import counter now, in whole Wh."""
        self._integrate()
        return int(self._import_ws // 3600)

    @property
    def power_w(self) -> float:
        """Active power drawn now."""
        return self._power_at(self._clock.seconds())[0]

    def _power_at(self, seconds: float) -> tuple[float, float]:
        if not self.relay_closed:
            return 0.0, 0.0
        power = reactive = 0.0
        for appliance in self.appliances.values():
            drawn = appliance.power_w(self._clock, seconds)
            power += drawn
            reactive += appliance.reactive_var(drawn)
        return power, reactive

    def _integrate(self) -> None:
        now = self._clock.seconds()
        at = self._integrated_to
        while at < now:
            step = min(_MAX_STEP_S, now - at)
            self._import_ws += self._power_at(at)[0] * step
            at += step
        self._integrated_to = max(at, now)

    def reading(self, *, zero_energy: bool = False) -> Reading:
        """What the meter shows now; ``zero_energy`` for a zero blip."""
        self._integrate()
        power, reactive = self._power_at(self._clock.seconds())
        apparent = math.hypot(power, reactive)
        import_wh, export_wh = (
            int(self._import_ws // 3600),
            int(self._export_ws // 3600),
        )
        if zero_energy:
            import_wh = export_wh = 0
        return Reading(
            voltage_v=self._voltage_v,
            current_a=apparent / self._voltage_v / self.model.phases,
            power_w=power,
            reactive_power_var=reactive,
            power_factor=power / apparent if apparent else 1.0,
            frequency_hz=self._frequency_hz,
            import_wh=import_wh,
            export_wh=export_wh,
            relay_closed=self.relay_closed,
        )
