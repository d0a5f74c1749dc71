"""Options: a menu of the tariff and the hub's protection settings; room load-protection fields."""

from __future__ import annotations

from datetime import time
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TimeSelector,
)
import probatio as vol

from .const import (
    CONF_ALLOWED_LOADS,
    CONF_CUT_OFF,
    CONF_HOLIDAY_ENTITY,
    CONF_LANDLORD_NOTIFY,
    CONF_LOAD_MODE,
    CONF_MAX_RECLOSURES,
    CONF_MAX_RELAY_OPS,
    CONF_MIN_OFF_MINUTES,
    CONF_OVER_POWER_S,
    CONF_OVER_POWER_W,
    CONF_PROTECTED_DATES,
    CONF_PROTECTED_END,
    CONF_PROTECTED_START,
    CONF_PROTECTION,
    CONF_RECLOSE_MINUTES,
    CONF_RESISTIVE_MIN_W,
    CONF_RESISTIVE_PF,
    CONF_VACANT_POLICY,
    CONF_WARNING_MINUTES,
    CONF_WEEKENDS,
    LOAD_DEFAULTS,
    LOAD_MODES,
    PROTECTION_DEFAULTS,
    VACANT_POLICIES,
)
from .protection import parse_dates, parse_loads
from .selectors import notify_targets, number_box
from .tariff_form import TariffOptionsFlow

HOLIDAY_DOMAINS = ["binary_sensor", "calendar"]


class HubOptionsFlow(TariffOptionsFlow):
    """Menu: the tariff, or protection (keep-on, relay limits, vacant rooms, landlord)."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What to change."""
        if self._entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        return self.async_show_menu(
            step_id="init", menu_options=["tariff", "protection"]
        )

    async def async_step_protection(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Cut-off, keep-on, relay limits, vacant rooms and the landlord's notifications."""
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = {
            **PROTECTION_DEFAULTS,
            **self._entry.options.get(CONF_PROTECTION, {}),
        }
        if user_input is not None:
            defaults = {**PROTECTION_DEFAULTS, **user_input}
            data = self._protection_data(user_input, errors)
            if not errors:
                return self.async_create_entry(
                    data={**self._entry.options, CONF_PROTECTION: data}
                )
        fields: dict[Any, Any] = {
            vol.Required(
                CONF_CUT_OFF, default=defaults[CONF_CUT_OFF]
            ): BooleanSelector(),
            vol.Required(
                CONF_WEEKENDS, default=defaults[CONF_WEEKENDS]
            ): BooleanSelector(),
            vol.Optional(
                CONF_HOLIDAY_ENTITY,
                description={"suggested_value": defaults.get(CONF_HOLIDAY_ENTITY)},
            ): EntitySelector(EntitySelectorConfig(domain=HOLIDAY_DOMAINS)),
            vol.Optional(
                CONF_PROTECTED_DATES,
                description={"suggested_value": defaults[CONF_PROTECTED_DATES]},
            ): TextSelector(TextSelectorConfig(multiline=True)),
            vol.Optional(
                CONF_PROTECTED_START,
                description={"suggested_value": defaults.get(CONF_PROTECTED_START)},
            ): TimeSelector(),
            vol.Optional(
                CONF_PROTECTED_END,
                description={"suggested_value": defaults.get(CONF_PROTECTED_END)},
            ): TimeSelector(),
            vol.Required(
                CONF_MIN_OFF_MINUTES, default=defaults[CONF_MIN_OFF_MINUTES]
            ): number_box(0, 1440, "min"),
            vol.Required(
                CONF_MAX_RELAY_OPS, default=defaults[CONF_MAX_RELAY_OPS]
            ): number_box(1, 60),
            vol.Required(
                CONF_WARNING_MINUTES, default=defaults[CONF_WARNING_MINUTES]
            ): number_box(0, 1440, "min"),
            vol.Required(
                CONF_VACANT_POLICY, default=defaults[CONF_VACANT_POLICY]
            ): SelectSelector(
                SelectSelectorConfig(
                    options=VACANT_POLICIES,
                    mode=SelectSelectorMode.LIST,
                    translation_key=CONF_VACANT_POLICY,
                )
            ),
            vol.Optional(
                CONF_LANDLORD_NOTIFY, default=defaults[CONF_LANDLORD_NOTIFY]
            ): SelectSelector(
                SelectSelectorConfig(
                    options=notify_targets(self.hass), multiple=True, custom_value=True
                )
            ),
        }
        return self.async_show_form(
            step_id="protection", data_schema=vol.Schema(fields), errors=errors
        )

    def _protection_data(
        self, user_input: dict[str, Any], errors: dict[str, str]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            CONF_CUT_OFF: bool(user_input[CONF_CUT_OFF]),
            CONF_WEEKENDS: bool(user_input[CONF_WEEKENDS]),
            CONF_MIN_OFF_MINUTES: int(user_input[CONF_MIN_OFF_MINUTES]),
            CONF_MAX_RELAY_OPS: int(user_input[CONF_MAX_RELAY_OPS]),
            CONF_WARNING_MINUTES: int(user_input[CONF_WARNING_MINUTES]),
            CONF_VACANT_POLICY: user_input[CONF_VACANT_POLICY],
            CONF_LANDLORD_NOTIFY: list(user_input.get(CONF_LANDLORD_NOTIFY, [])),
        }
        entity_id = user_input.get(CONF_HOLIDAY_ENTITY)
        if entity_id:
            if entity_id.split(".", 1)[0] not in HOLIDAY_DOMAINS:
                errors[CONF_HOLIDAY_ENTITY] = "holiday_entity_invalid"
            data[CONF_HOLIDAY_ENTITY] = entity_id
        text = str(user_input.get(CONF_PROTECTED_DATES) or "")
        try:
            dates = parse_dates(text)
        except ValueError:
            errors[CONF_PROTECTED_DATES] = "dates_invalid"
        else:
            data[CONF_PROTECTED_DATES] = ", ".join(day.isoformat() for day in dates)
        start = user_input.get(CONF_PROTECTED_START)
        end = user_input.get(CONF_PROTECTED_END)
        if bool(start) != bool(end):
            errors["base"] = "protected_hours_incomplete"
        elif start and end:
            try:
                same = time.fromisoformat(start) == time.fromisoformat(end)
            except ValueError:
                errors["base"] = "protected_hours_invalid"
            else:
                if same:
                    errors["base"] = "protected_hours_invalid"
                data[CONF_PROTECTED_START] = start
                data[CONF_PROTECTED_END] = end
        for key, low, high in (
            (CONF_MIN_OFF_MINUTES, 0, 1440),
            (CONF_MAX_RELAY_OPS, 1, 60),
            (CONF_WARNING_MINUTES, 0, 1440),
        ):
            if not low <= data[key] <= high:
                errors[key] = "out_of_range"
        return data


def load_fields(defaults: dict[str, Any]) -> dict[Any, Any]:
    """Room flow fields for malignant-load protection (all optional, with defaults)."""
    values: dict[str, Any] = {
        **LOAD_DEFAULTS,
        **{k: v for k, v in defaults.items() if k in LOAD_DEFAULTS},
    }
    return {
        vol.Optional(CONF_LOAD_MODE, default=values[CONF_LOAD_MODE]): SelectSelector(
            SelectSelectorConfig(
                options=LOAD_MODES,
                mode=SelectSelectorMode.DROPDOWN,
                translation_key=CONF_LOAD_MODE,
            )
        ),
        vol.Optional(CONF_OVER_POWER_W, default=values[CONF_OVER_POWER_W]): number_box(
            0, 200_000, "W"
        ),
        vol.Optional(CONF_OVER_POWER_S, default=values[CONF_OVER_POWER_S]): number_box(
            0, 3600, "s"
        ),
        vol.Optional(
            CONF_RESISTIVE_MIN_W, default=values[CONF_RESISTIVE_MIN_W]
        ): number_box(0, 200_000, "W"),
        vol.Optional(CONF_RESISTIVE_PF, default=values[CONF_RESISTIVE_PF]): number_box(
            0.5, 1.0, step=0.01
        ),
        vol.Optional(
            CONF_ALLOWED_LOADS, default=values[CONF_ALLOWED_LOADS]
        ): TextSelector(),
        vol.Optional(
            CONF_RECLOSE_MINUTES, default=values[CONF_RECLOSE_MINUTES]
        ): number_box(0, 1440, "min"),
        vol.Optional(
            CONF_MAX_RECLOSURES, default=values[CONF_MAX_RECLOSURES]
        ): number_box(0, 100),
    }


def load_data(user_input: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Validated load-protection settings of a room form."""
    values: dict[str, Any] = {
        **LOAD_DEFAULTS,
        **{k: v for k, v in user_input.items() if k in LOAD_DEFAULTS and v is not None},
    }
    data: dict[str, Any] = {CONF_LOAD_MODE: values[CONF_LOAD_MODE]}
    if data[CONF_LOAD_MODE] not in LOAD_MODES:
        errors[CONF_LOAD_MODE] = "load_mode_invalid"
    for key, low, high in (
        (CONF_OVER_POWER_W, 0, 200_000),
        (CONF_OVER_POWER_S, 0, 3600),
        (CONF_RESISTIVE_MIN_W, 0, 200_000),
        (CONF_RECLOSE_MINUTES, 0, 1440),
        (CONF_MAX_RECLOSURES, 0, 100),
    ):
        value = values[key]
        if value != int(value) or not low <= value <= high:
            errors[key] = "out_of_range"
        data[key] = int(value)
    pf = float(values[CONF_RESISTIVE_PF])
    if not 0.5 <= pf <= 1.0:
        errors[CONF_RESISTIVE_PF] = "out_of_range"
    data[CONF_RESISTIVE_PF] = pf
    text = str(values[CONF_ALLOWED_LOADS] or "")
    try:
        loads = parse_loads(text)
    except ValueError:
        errors[CONF_ALLOWED_LOADS] = "allowed_loads_invalid"
        loads = []
    data[CONF_ALLOWED_LOADS] = ", ".join(f"{load:g}" for load in loads)
    if (
        data[CONF_LOAD_MODE] != "off"
        and data[CONF_OVER_POWER_W] == 0
        and data[CONF_RESISTIVE_MIN_W] == 0
    ):
        errors["base"] = "load_mode_without_limits"
    return data
