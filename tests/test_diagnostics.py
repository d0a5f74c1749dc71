"""Diagnostics redact what identifies the landlord's tenants and network."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)


async def test_diagnostics_are_redacted(
    hass: HomeAssistant, hub: MockConfigEntry, hass_client: Any
) -> None:
    diagnostics: Any = await get_diagnostics_for_config_entry(hass, hass_client, hub)
    text = json.dumps(diagnostics)
    assert "Li Lei" not in text
    assert "127.0.0.1" not in text
    assert diagnostics["entry"]["data"]["host"] == "**REDACTED**"
    assert diagnostics["bus"]["requests"] > 0
    assert diagnostics["rooms"]["room101"]["online"] is True
    assert diagnostics["rooms"]["room101"]["reading"]["import_wh"] == 100_000
    assert diagnostics["ledger"]["chain_problems"] == []
    assert set(diagnostics["protection"]) >= {"relay", "alarms", "load"}
