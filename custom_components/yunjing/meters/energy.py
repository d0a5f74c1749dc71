"""Turn cumulative meter readings into accepted energy deltas (integer Wh).

Rules (DESIGN.md section 3, "Readings"):

- A failed read is "no value": nothing is billed and the baseline stays.
- A delta above rated power x elapsed time since the baseline is rejected with
  ``above_rated_power`` and not billed; the baseline stays, so the energy is
  billed later if a later reading makes it physically possible.
- A backward reading (a 0 blip included) is never a baseline on its own.
- Reset rule: a drop is accepted as a meter reset when ``reset_confirm_polls``
  consecutive readings (default 3) are all below the baseline, do not decrease
  among themselves, rise from the first to the last (the new count is really
  running) and span at least ``reset_confirm_seconds`` (default 15 minutes).
  A zero never starts or confirms a reset: it is what a rebooting or misread
  meter shows. The first of them becomes the new baseline and the energy
  counted from it to the last one is billed. The energy between the
  last reading before the reset and the reset itself is unknowable and is
  neither billed nor credited.
- Rollover: a model with an integer counter that wraps (``counter_modulus_wh``)
  may read below the baseline right after wrapping; when the wrapped delta fits
  rated power x elapsed time it is accepted as a rollover.
- Meter replacement is explicit (``replace_meter``): the old meter's final
  reading closes it, and the new meter's first reading is a fresh baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .models import MeterModel


class Rejection(StrEnum):
    """Why a reading produced no billed energy."""

    NO_VALUE = "no_value"
    ZERO_READING = "zero_reading"
    BACKWARD_READING = "backward_reading"
    ABOVE_RATED_POWER = "above_rated_power"
    NOT_LATER = "not_later"
    """The reading is not later than the baseline, so no time passed."""


class Event(StrEnum):
    """Something a step did besides billing a forward delta."""

    BASELINE = "baseline"
    RESET_CONFIRMED = "reset_confirmed"
    ROLLOVER = "rollover"
    METER_REPLACED = "meter_replaced"


@dataclass(frozen=True, kw_only=True)
class EnergyStep:
    """The outcome of one reading: billed energy and the readings it spans."""

    delta_wh: int
    from_reading: int | None
    to_reading: int | None
    rejected: Rejection | None = None
    event: Event | None = None


def fits_rated_power(delta_wh: int, rated_power_w: int, elapsed_s: float) -> bool:
    """Whether a meter rated ``rated_power_w`` can count ``delta_wh`` in ``elapsed_s``."""
    return delta_wh * 3600 <= rated_power_w * elapsed_s


@dataclass
class EnergyCounter:
    """Validation state of one meter; persist it with ``to_dict``."""

    rated_power_w: int
    counter_modulus_wh: int | None = None
    reset_confirm_polls: int = 3
    reset_confirm_seconds: float = 900.0
    baseline_wh: int | None = None
    baseline_at: datetime | None = None
    reset_candidates: list[tuple[int, datetime]] = field(default_factory=list)

    @classmethod
    def for_model(
        cls, model: MeterModel, rated_power_w: int | None = None
    ) -> EnergyCounter:
        """A fresh counter for a meter of ``model`` (a room may lower the rating)."""
        return cls(
            rated_power_w=rated_power_w or model.rated_power_w,
            counter_modulus_wh=model.counter_modulus_wh,
        )

    def update(self, reading_wh: int | None, at: datetime) -> EnergyStep:
        """Validate one reading taken at ``at`` (timezone-aware)."""
        baseline, baseline_at = self.baseline_wh, self.baseline_at
        if reading_wh is None:
            return EnergyStep(
                delta_wh=0,
                from_reading=baseline,
                to_reading=None,
                rejected=Rejection.NO_VALUE,
            )
        if baseline is None or baseline_at is None:
            self._move_baseline(reading_wh, at)
            return EnergyStep(
                delta_wh=0,
                from_reading=None,
                to_reading=reading_wh,
                event=Event.BASELINE,
            )
        elapsed = (at - baseline_at).total_seconds()
        if reading_wh >= baseline:
            self.reset_candidates.clear()
            return self._forward(
                baseline, reading_wh, reading_wh - baseline, at, elapsed
            )
        if self.counter_modulus_wh is not None:
            wrapped = reading_wh + self.counter_modulus_wh - baseline
            if elapsed > 0 and fits_rated_power(wrapped, self.rated_power_w, elapsed):
                self.reset_candidates.clear()
                self._move_baseline(reading_wh, at)
                return EnergyStep(
                    delta_wh=wrapped,
                    from_reading=baseline,
                    to_reading=reading_wh,
                    event=Event.ROLLOVER,
                )
        return self._backward(baseline, reading_wh, at)

    def replace_meter(
        self, at: datetime, final_old_wh: int | None = None
    ) -> EnergyStep:
        """Close the old meter (billing up to its final reading) and start afresh."""
        step = EnergyStep(
            delta_wh=0,
            from_reading=self.baseline_wh,
            to_reading=final_old_wh,
            event=Event.METER_REPLACED,
        )
        baseline, baseline_at = self.baseline_wh, self.baseline_at
        if (
            final_old_wh is not None
            and baseline is not None
            and baseline_at is not None
        ):
            delta = final_old_wh - baseline
            elapsed = (at - baseline_at).total_seconds()
            if delta < 0:
                step = EnergyStep(
                    delta_wh=0,
                    from_reading=baseline,
                    to_reading=final_old_wh,
                    rejected=Rejection.BACKWARD_READING,
                    event=Event.METER_REPLACED,
                )
            elif delta > 0 and not fits_rated_power(delta, self.rated_power_w, elapsed):
                step = EnergyStep(
                    delta_wh=0,
                    from_reading=baseline,
                    to_reading=final_old_wh,
                    rejected=Rejection.ABOVE_RATED_POWER,
                    event=Event.METER_REPLACED,
                )
            else:
                step = EnergyStep(
                    delta_wh=delta,
                    from_reading=baseline,
                    to_reading=final_old_wh,
                    event=Event.METER_REPLACED,
                )
        self.baseline_wh = None
        self.baseline_at = None
        self.reset_candidates.clear()
        return step

    def _forward(
        self, baseline: int, reading_wh: int, delta: int, at: datetime, elapsed: float
    ) -> EnergyStep:
        if delta > 0 and elapsed <= 0:
            rejected: Rejection | None = Rejection.NOT_LATER
        elif not fits_rated_power(delta, self.rated_power_w, elapsed):
            rejected = Rejection.ABOVE_RATED_POWER
        else:
            rejected = None
        if rejected is not None:
            return EnergyStep(
                delta_wh=0,
                from_reading=baseline,
                to_reading=reading_wh,
                rejected=rejected,
            )
        self._move_baseline(reading_wh, at)
        return EnergyStep(delta_wh=delta, from_reading=baseline, to_reading=reading_wh)

    def _backward(self, baseline: int, reading_wh: int, at: datetime) -> EnergyStep:
        unconfirmed = EnergyStep(
            delta_wh=0,
            from_reading=baseline,
            to_reading=reading_wh,
            rejected=Rejection.ZERO_READING
            if reading_wh == 0
            else Rejection.BACKWARD_READING,
        )
        if reading_wh == 0:
            return unconfirmed
        candidates = self.reset_candidates
        if candidates and reading_wh < candidates[-1][0]:
            candidates.clear()
        candidates.append((reading_wh, at))
        # The first candidate and the latest few are all the rule looks at.
        del candidates[1 : -self.reset_confirm_polls + 1 or None]
        (first_wh, first_at), (last_wh, last_at) = candidates[0], candidates[-1]
        elapsed = (last_at - first_at).total_seconds()
        if (
            len(candidates) < self.reset_confirm_polls
            or last_wh <= first_wh
            or elapsed < self.reset_confirm_seconds
        ):
            return unconfirmed
        candidates.clear()
        delta = last_wh - first_wh
        billed = fits_rated_power(delta, self.rated_power_w, elapsed)
        self._move_baseline(last_wh, last_at)
        return EnergyStep(
            delta_wh=delta if billed else 0,
            from_reading=first_wh,
            to_reading=last_wh,
            rejected=None if billed else Rejection.ABOVE_RATED_POWER,
            event=Event.RESET_CONFIRMED,
        )

    def _move_baseline(self, reading_wh: int, at: datetime) -> None:
        self.baseline_wh = reading_wh
        self.baseline_at = at

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready state."""
        return {
            "rated_power_w": self.rated_power_w,
            "counter_modulus_wh": self.counter_modulus_wh,
            "reset_confirm_polls": self.reset_confirm_polls,
            "baseline_wh": self.baseline_wh,
            "baseline_at": None
            if self.baseline_at is None
            else self.baseline_at.isoformat(),
            "reset_candidates": [
                [wh, at.isoformat()] for wh, at in self.reset_candidates
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnergyCounter:
        """Restore the state written by ``to_dict``."""
        baseline_at = data.get("baseline_at")
        return cls(
            rated_power_w=int(data["rated_power_w"]),
            counter_modulus_wh=data.get("counter_modulus_wh"),
            reset_confirm_polls=int(data.get("reset_confirm_polls", 3)),
            baseline_wh=data.get("baseline_wh"),
            baseline_at=None
            if baseline_at is None
            else datetime.fromisoformat(baseline_at),
            reset_candidates=[
                (int(wh), datetime.fromisoformat(at))
                for wh, at in data.get("reset_candidates", [])
            ],
        )
