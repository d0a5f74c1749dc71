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

    def new_subentries(self, entry: YunjingConfigEntry, in_ledger: set[str]) -> None:
        """Give every platform the subentries added since, once the ledger has them.

        Until then a tenant's device would take recharges for an account
        that does not exist yet.
        """
        for subentry_id, subentry in entry.subentries.items():
            if subentry_id in self._known or subentry_id not in in_ledger:
                continue
            self._known.add(subentry_id)
            for adder in self._adders:
                adder(subentry)
        self._known &= set(entry.subentries)


type YunjingConfigEntry = ConfigEntry[YunjingRuntime]
