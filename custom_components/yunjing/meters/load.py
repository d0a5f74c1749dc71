"""Load-analysis primitives for the protection policy (pure functions).

- Overload: total power above a limit for at least a given time.
- Resistive increment: a step in power of at least a minimum whose own power
  factor, from the step's dP and dQ, is at least a threshold (a kettle or a
  heater, PF ~1.0, as opposed to an air conditioner, PF ~0.8). Q is derived
  from P and PF when the meter has no reactive power register.
- Whitelist: increments the landlord allows, e.g. 550 W +/- 10 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import math


@dataclass(frozen=True, kw_only=True)
class PowerSample:
    """Total power of a room at one instant (``at`` in seconds, any origin)."""

    at: float
    power_w: float


def overload_seconds(samples: Sequence[PowerSample], limit_w: float) -> float:
    """How long the latest run of samples has stayed above ``limit_w``.

    Measured from the first sample of the trailing run above the limit to the
    last sample; 0 when the last sample is not above it.
    """
    run_start: float | None = None
    for sample in samples:
        if sample.power_w > limit_w:
            if run_start is None:
                run_start = sample.at
        else:
            run_start = None
    if run_start is None:
        return 0.0
    return samples[-1].at - run_start


def is_overloaded(
    samples: Sequence[PowerSample], limit_w: float, min_seconds: float
) -> bool:
    """Whether total power has been above ``limit_w`` for at least ``min_seconds``."""
    if not samples or samples[-1].power_w <= limit_w:
        return False
    return overload_seconds(samples, limit_w) >= min_seconds


@dataclass(frozen=True, kw_only=True)
class PowerPoint:
    """Active power with its reactive power, or the power factor to derive it."""

    power_w: float
    reactive_power_var: float | None = None
    power_factor: float | None = None

    @property
    def reactive_var(self) -> float:
        """Q as measured, else derived from P and |PF| (inductive assumed); 0 if unknown."""
        if self.reactive_power_var is not None:
            return abs(self.reactive_power_var)
        if self.power_factor is None:
            return 0.0
        power_factor = min(abs(self.power_factor), 1.0)
        if power_factor == 0.0:
            return 0.0
        return abs(self.power_w) * math.tan(math.acos(power_factor))


@dataclass(frozen=True, kw_only=True)
class Increment:
    """The change between two power points."""

    delta_power_w: float
    delta_reactive_var: float

    @property
    def power_factor(self) -> float:
        """The increment's own power factor, dP / sqrt(dP^2 + dQ^2)."""
        apparent = math.hypot(self.delta_power_w, self.delta_reactive_var)
        return 0.0 if apparent == 0.0 else abs(self.delta_power_w) / apparent


def increment(before: PowerPoint, after: PowerPoint) -> Increment:
    """The step from ``before`` to ``after``."""
    return Increment(
        delta_power_w=after.power_w - before.power_w,
        delta_reactive_var=after.reactive_var - before.reactive_var,
    )


def is_resistive_increment(
    step: Increment, min_power_w: float, min_power_factor: float
) -> bool:
    """A switched-on load of at least ``min_power_w`` with PF >= ``min_power_factor``."""
    return step.delta_power_w >= min_power_w and step.power_factor >= min_power_factor


@dataclass(frozen=True, kw_only=True)
class AllowedLoad:
    """An appliance the landlord allows: its power and a relative tolerance."""

    power_w: float
    tolerance: float = 0.10

    def matches(self, delta_power_w: float) -> bool:
        """Whether an increment is this appliance (bounds included)."""
        margin = self.power_w * self.tolerance
        return self.power_w - margin <= delta_power_w <= self.power_w + margin


def is_whitelisted(delta_power_w: float, allowed: Iterable[AllowedLoad]) -> bool:
    """Whether an increment matches any allowed appliance."""
    return any(load.matches(delta_power_w) for load in allowed)
