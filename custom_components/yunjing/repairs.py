"""Repair issues the landlord must act on, and the fix flow that confirms a meter replacement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
import probatio as vol

from .billing.errors import BillingError
from .const import DOMAIN


def _offline_id(room_id: str) -> str:
    return f"meter_offline_{room_id}"


def _reset_id(room_id: str) -> str:
    return f"meter_reset_{room_id}"


@callback
def async_meter_offline(
    hass: HomeAssistant, room_id: str, room: str, since: datetime
) -> None:
    """A meter has given no reading for long: check its power, wiring and address."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _offline_id(room_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="meter_offline",
        translation_placeholders={
            "room": room,
            "since": since.isoformat(timespec="minutes"),
        },
    )


@callback
def async_meter_online(hass: HomeAssistant, room_id: str) -> None:
    """The meter answers again."""
    ir.async_delete_issue(hass, DOMAIN, _offline_id(room_id))


@callback
def async_suspected_reset(
    hass: HomeAssistant,
    entry_id: str,
    room_id: str,
    room: str,
    last_wh: int,
    reading_wh: int,
) -> None:
    """A meter reads below what was billed: a reset, a swapped meter or a glitch."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _reset_id(room_id),
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="suspected_reset",
        translation_placeholders={
            "room": room,
            "last": f"{last_wh / 1000:.3f}",
            "reading": f"{reading_wh / 1000:.3f}",
        },
        data={
            "entry_id": entry_id,
            "room_id": room_id,
            "last_wh": last_wh,
            "new_start_wh": reading_wh,
        },
    )


@callback
def async_reset_resolved(hass: HomeAssistant, room_id: str) -> None:
    """The backward reading was settled: confirmed by the rule, or the count came back."""
    ir.async_delete_issue(hass, DOMAIN, _reset_id(room_id))


@callback
def async_tenant_removed_with_balance(
    hass: HomeAssistant, tenant_id: str, name: str, *, refunded: str, arrears: str
) -> None:
    """A removed tenant was settled with money to hand back or still owed."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"tenant_removed_{tenant_id}",
        is_fixable=False,
        is_persistent=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="tenant_removed_with_balance",
        translation_placeholders={
            "tenant": name,
            "refunded": refunded,
            "arrears": arrears,
        },
    )


class ConfirmReplacementFlow(RepairsFlow):
    """Confirm that a meter reading below the billed one is a new (or reset) meter."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Remember which room and reading the issue is about."""
        self._data = data

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Ask for confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Record the replacement: the old count closes at its last billed reading."""
        entry = self.hass.config_entries.async_get_entry(self._data["entry_id"])
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        room_id = self._data["room_id"]
        if user_input is not None:
            # The counter's own rule may have settled the reset since the
            # issue was raised, or billing moved on: then there is nothing to
            # confirm, and replacing now would wind the billed reading back.
            if (
                ir.async_get(self.hass).async_get_issue(DOMAIN, _reset_id(room_id))
                is None
            ):
                return self.async_abort(reason="already_resolved")
            coordinator = entry.runtime_data.coordinator
            last_wh, _ = await coordinator.async_ledger_job(
                coordinator.ledger.room_reading, room_id
            )
            if last_wh != self._data["last_wh"]:
                async_reset_resolved(self.hass, room_id)
                return self.async_abort(reason="already_resolved")
            try:
                await coordinator.async_replace_meter(
                    room_id,
                    last_wh,
                    self._data["new_start_wh"],
                    self.context.get("user_id"),
                )
            except BillingError as err:
                return self.async_abort(
                    reason="replacement_refused",
                    description_placeholders={"error": str(err)},
                )
            async_reset_resolved(self.hass, room_id)
            return self.async_create_entry(data={})
        return self.async_show_form(step_id="confirm", data_schema=vol.Schema({}))


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix flow of a suspected meter reset."""
    assert data is not None
    return ConfirmReplacementFlow(data)
