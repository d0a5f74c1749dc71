"""Simulated time: real time scaled, plus explicit jumps."""

from __future__ import annotations

from datetime import datetime, timedelta
import time


class SimClock:
    """Seconds since the building's start, running ``time_scale`` times real time."""

    def __init__(self, start: datetime, time_scale: float) -> None:
        self.start = start
        self.time_scale = time_scale
        self._real_origin = time.monotonic()
        self._jumped = 0.0

    def seconds(self) -> float:
        """Simulated seconds since start."""
        return (time.monotonic() - self._real_origin) * self.time_scale + self._jumped

    def now(self) -> datetime:
        """The simulated wall-clock time."""
        return self.start + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._jumped += seconds
