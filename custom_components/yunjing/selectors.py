"""Form helpers shared by the config, options and subentry flows."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)


def number_box(
    minimum: float, maximum: float, unit: str | None = None, step: float = 1
) -> NumberSelector:
    """A number typed in a box, with bounds the form enforces."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            mode=NumberSelectorMode.BOX,
            **({"unit_of_measurement": unit} if unit else {}),
        )
    )


def notify_targets(hass: HomeAssistant) -> list[str]:
    """Notify services (as notify.<name>) and notify entities a message can go to."""
    services = hass.services.async_services_for_domain("notify")
    return sorted(
        {
            *(
                f"notify.{name}"
                for name in services
                if name not in ("send_message", "persistent_notification")
            ),
            *hass.states.async_entity_ids("notify"),
        }
    )
