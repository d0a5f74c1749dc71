"""Diagnostics of a hub, with addresses, names and notify targets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_NAME
from homeassistant.core import HomeAssistant

from .const import CONF_LANDLORD_NOTIFY, CONF_NOTIFY
from .runtime import YunjingConfigEntry

TO_REDACT = {
    CONF_HOST,
    CONF_DEVICE,
    CONF_NAME,
    CONF_NOTIFY,
    CONF_LANDLORD_NOTIFY,
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: YunjingConfigEntry
) -> dict[str, Any]:
    """The hub's settings, subentries, last poll and ledger health."""
    coordinator = entry.runtime_data.coordinator
    snapshot = coordinator.data
    chain_problems = await coordinator.async_ledger_job(coordinator.ledger.verify_chain)
    return {
        "entry": async_redact_data(
            {"data": dict(entry.data), "options": dict(entry.options)}, TO_REDACT
        ),
        "subentries": [
            async_redact_data(
                {
                    "subentry_id": subentry.subentry_id,
                    "type": subentry.subentry_type,
                    "title": subentry.title,
                    "data": dict(subentry.data),
                },
                TO_REDACT,
            )
            for subentry in entry.subentries.values()
        ],
        "bus": {
            "requests": coordinator.bus.stats.requests,
            "failures": coordinator.bus.stats.failures,
            "last_cycle_seconds": coordinator.bus.stats.last_cycle_seconds,
            "last_update_success": coordinator.last_update_success,
        },
        "rooms": {
            room_id: {
                "online": room.reading is not None,
                "status": room.status,
                "reading": None if room.reading is None else vars(room.reading),
            }
            for room_id, room in (snapshot.rooms.items() if snapshot else ())
        },
        "protection": coordinator.protection.as_dict(),
        "ledger": {
            "chain_problems": [problem.as_dict() for problem in chain_problems],
        },
    }
