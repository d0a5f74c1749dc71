"""Offer the Yunjing automation blueprints: copy them into the configuration on setup.

The blueprints ship inside the component (so a HACS install has them) in
`blueprints/automation/`. On setup each one missing from
`<config>/blueprints/automation/yunjing/` is copied there, where Home
Assistant's blueprint editor lists them. A file already there is never
overwritten: it may be the landlord's edited copy. Each blueprint is offered
once: one the landlord deleted stays deleted.
"""

from __future__ import annotations

import logging
from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

SOURCE = Path(__file__).parent / "blueprints" / "automation"


def _install(target: Path, offered: set[str]) -> list[str]:
    """Copy the blueprints missing from `target` and never offered before; their names."""
    copied = []
    for blueprint in sorted(SOURCE.glob("*.yaml")):
        destination = target / blueprint.name
        if blueprint.name in offered or destination.exists():
            continue
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(blueprint, destination)
        copied.append(blueprint.name)
    return copied


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Copy the automation blueprints missing from the configuration (never fails setup)."""
    target = Path(hass.config.path("blueprints", "automation", DOMAIN))
    store: Store[list[str]] = Store(hass, 1, f"{DOMAIN}.blueprints_offered")
    offered = set(await store.async_load() or [])
    try:
        copied = await hass.async_add_executor_job(_install, target, offered)
    except OSError as err:
        _LOGGER.warning("Could not copy the Yunjing blueprints to %s: %s", target, err)
        return
    if copied:
        await store.async_save(sorted(offered | set(copied)))
        _LOGGER.info("Added blueprints to %s: %s", target, ", ".join(copied))
