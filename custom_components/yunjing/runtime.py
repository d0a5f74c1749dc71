"""What a loaded hub entry holds, and how platforms learn of new subentries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .coordinator import MeterCoordinator
from .meters.simulator import Simulator

type SubentryAdder = Callable[[ConfigSubentry], None]


@dataclass
class YunjingRuntime:
    """Everything one hub entry holds while it is loaded."""

    coordinator: MeterCoordinator
    hub_device_id: str
    simulator: Simulator | None = None
    _adders: list[SubentryAdder] = field(default_factory=list)
    _known: set[str] = field(default_factory=set)

    def add_entities_for_subentries(
        self, entry: YunjingConfigEntry, adder: SubentryAdder
    ) -> None:
        """Call `adder` for every subentry now and for each one added later."""
        self._adders.append(adder)
        for subentry in entry.subentries.values():
            adder(subentry)
        self._known.update(entry.subentries)

    def new_subentries(self, entry: YunjingConfigEntry) -> set[str]:
        """Give the subentries added since the last call to every platform.

        Returns the ids of the subentries removed since the last call.
        """
        for subentry_id, subentry in entry.subentries.items():
            if subentry_id in self._known:
                continue
            self._known.add(subentry_id)
            for adder in self._adders:
                adder(subentry)
        removed = self._known - set(entry.subentries)
        self._known -= removed
        return removed


type YunjingConfigEntry = ConfigEntry[YunjingRuntime]
