"""Subentry flows: a room (one meter) and a tenant (one prepaid account)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio as vol

from .billing.alarms import AlarmLevels, InvalidAlarmLevels
from .billing.errors import BillingError
from .billing.money import parse_amount
from .billing.relay_policy import InvalidRelaySettings, RelaySettings
from .billing.validation import MAX_TEXT_LENGTH
from .const import (
    CONF_ALARM_1,
    CONF_ALARM_2,
    CONF_CREDIT_LIMIT,
    CONF_CURRENCY,
    CONF_HAS_RELAY,
    CONF_LANGUAGE,
    CONF_MODEL,
    CONF_NOTIFY,
    CONF_RATED_POWER,
    CONF_RECONNECT_LEVEL,
    CONF_ROOMS,
    CONF_UNIT_ID,
    LANGUAGES,
    SUBENTRY_ROOM,
    SUBENTRY_TENANT,
)
from .meters.models import MODELS
from .protection_form import load_data, load_fields
from .selectors import notify_targets, number_box

if TYPE_CHECKING:
    from .runtime import YunjingConfigEntry

TENANT_DEFAULTS = {
    CONF_ALARM_1: "20",
    CONF_ALARM_2: "5",
    CONF_CREDIT_LIMIT: "0",
    CONF_RECONNECT_LEVEL: "1",
}


class _HubSubentryFlow(ConfigSubentryFlow):
    """Common to the subentries of a loaded hub."""

    @property
    def _hub(self) -> YunjingConfigEntry:
        return self._get_entry()

    def _subentries(self, kind: str) -> dict[str, Any]:
        return {
            subentry_id: subentry
            for subentry_id, subentry in self._hub.subentries.items()
            if subentry.subentry_type == kind
        }

    def _name_error(self, kind: str, name: str, own_id: str | None) -> str | None:
        """Why a room or tenant name cannot be used (the ledger keeps 1-200 characters)."""
        if not name:
            return "name_required"
        if len(name) > MAX_TEXT_LENGTH:
            return "name_too_long"
        if any(
            subentry.title.casefold() == name.casefold()
            for subentry_id, subentry in self._subentries(kind).items()
            if subentry_id != own_id
        ):
            return "name_in_use"
        return None


class RoomSubentryFlow(_HubSubentryFlow):
    """A room and its meter; the meter is read before the room is saved."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Name, meter model, unit id, rated power and relay."""
        return await self._async_step_room("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a room's name or meter settings."""
        return await self._async_step_room(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    async def _async_step_room(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        hub = self._hub
        if hub.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        own_id = subentry.subentry_id if subentry else None
        defaults = dict(subentry.data) | {CONF_NAME: subentry.title} if subentry else {}
        if user_input is not None:
            defaults = user_input
            name = user_input[CONF_NAME].strip()
            model = MODELS[user_input[CONF_MODEL]]
            unit_id = user_input[CONF_UNIT_ID]
            rated = user_input.get(CONF_RATED_POWER) or model.rated_power_w
            has_relay = bool(user_input.get(CONF_HAS_RELAY, model.has_relay))
            if name_error := self._name_error(SUBENTRY_ROOM, name, own_id):
                errors[CONF_NAME] = name_error
            if unit_id != int(unit_id) or not 1 <= unit_id <= 247:
                errors[CONF_UNIT_ID] = "unit_id_out_of_range"
            elif any(
                other.data[CONF_UNIT_ID] == int(unit_id)
                for other_id, other in self._subentries(SUBENTRY_ROOM).items()
                if other_id != own_id
            ):
                errors[CONF_UNIT_ID] = "unit_id_in_use"
            if rated != int(rated) or not 100 <= rated <= 200_000:
                errors[CONF_RATED_POWER] = "rated_power_out_of_range"
            if has_relay and not model.has_relay:
                errors[CONF_HAS_RELAY] = "model_has_no_relay"
            load = load_data(user_input, errors)
            import_wh: int | None = None
            if not errors:
                reading = await hub.runtime_data.coordinator.bus.read(
                    int(unit_id), model
                )
                import_wh = None if reading is None else reading.import_wh
                if import_wh is None:
                    errors["base"] = "meter_not_responding"
            if not errors and import_wh is not None:
                data = {
                    CONF_MODEL: model.id,
                    CONF_UNIT_ID: int(unit_id),
                    CONF_RATED_POWER: int(rated),
                    CONF_HAS_RELAY: has_relay,
                    **load,
                }
                if subentry is None:
                    return self.async_create_entry(
                        title=name, data=data, unique_id=f"unit_{int(unit_id)}"
                    )
                if (subentry.data[CONF_UNIT_ID], subentry.data[CONF_MODEL]) != (
                    data[CONF_UNIT_ID],
                    data[CONF_MODEL],
                ):
                    try:
                        await hub.runtime_data.coordinator.async_meter_changed(
                            subentry.subentry_id, import_wh
                        )
                    except BillingError:  # the hub unloaded meanwhile
                        return self.async_abort(reason="hub_not_loaded")
                return self.async_update_and_abort(
                    hub,
                    subentry,
                    title=name,
                    data=data,
                    unique_id=f"unit_{int(unit_id)}",
                )
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_NAME, default=defaults.get(CONF_NAME, "")
                ): TextSelector(),
                vol.Required(
                    CONF_MODEL, default=defaults.get(CONF_MODEL, "sdm120")
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=model.id, label=model.name)
                            for model in MODELS.values()
                        ],
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(
                    CONF_UNIT_ID, default=defaults.get(CONF_UNIT_ID, 1)
                ): number_box(1, 247),
                vol.Optional(
                    CONF_RATED_POWER,
                    description={"suggested_value": defaults.get(CONF_RATED_POWER)},
                ): number_box(100, 200_000, "W"),
                vol.Required(
                    CONF_HAS_RELAY, default=defaults.get(CONF_HAS_RELAY, True)
                ): BooleanSelector(),
                **load_fields(defaults),
            }
        )
        return self.async_show_form(step_id=step_id, data_schema=schema, errors=errors)


class TenantSubentryFlow(_HubSubentryFlow):
    """A tenant: rooms held, notify targets, language and money levels."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Name, rooms, notifications and alarm levels of a new tenant."""
        return await self._async_step_tenant("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a tenant's notifications, language and levels."""
        return await self._async_step_tenant(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    def _free_rooms(self, own_id: str | None) -> dict[str, str]:
        """Rooms not held by another tenant: subentry id → name."""
        held = {
            room
            for tenant_id, tenant in self._subentries(SUBENTRY_TENANT).items()
            if tenant_id != own_id
            for room in tenant.data.get(CONF_ROOMS, [])
        }
        return {
            room_id: room.title
            for room_id, room in self._subentries(SUBENTRY_ROOM).items()
            if room_id not in held
        }

    async def _async_step_tenant(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        hub = self._hub
        if hub.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        own_id = subentry.subentry_id if subentry else None
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = TENANT_DEFAULTS | (
            dict(subentry.data) | {CONF_NAME: subentry.title} if subentry else {}
        )
        free_rooms = self._free_rooms(own_id)
        if user_input is not None:
            defaults = defaults | user_input
            name = user_input[CONF_NAME].strip()
            if name_error := self._name_error(SUBENTRY_TENANT, name, own_id):
                errors[CONF_NAME] = name_error
            rooms = (
                user_input.get(CONF_ROOMS, [])
                if subentry is None
                else subentry.data[CONF_ROOMS]
            )
            if any(room not in free_rooms for room in rooms):
                errors[CONF_ROOMS] = "room_taken"
            levels = self._levels(user_input, errors)
            if not errors:
                data = {
                    CONF_ROOMS: list(rooms),
                    CONF_NOTIFY: list(user_input.get(CONF_NOTIFY, [])),
                    CONF_LANGUAGE: user_input[CONF_LANGUAGE],
                    **{key: str(value) for key, value in levels.items()},
                }
                if subentry is None:
                    return self.async_create_entry(title=name, data=data)
                return self.async_update_and_abort(hub, subentry, title=name, data=data)
        fields: dict[Any, Any] = {
            vol.Required(
                CONF_NAME, default=defaults.get(CONF_NAME, "")
            ): TextSelector(),
        }
        if subentry is None:
            fields[vol.Optional(CONF_ROOMS, default=[])] = SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=k, label=v)
                        for k, v in free_rooms.items()
                    ],
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                )
            )
        fields |= {
            vol.Optional(
                CONF_NOTIFY, default=defaults.get(CONF_NOTIFY, [])
            ): SelectSelector(
                SelectSelectorConfig(
                    options=notify_targets(self.hass), multiple=True, custom_value=True
                )
            ),
            vol.Required(
                CONF_LANGUAGE,
                default=defaults.get(
                    CONF_LANGUAGE,
                    "zh-Hans" if self.hass.config.language.startswith("zh") else "en",
                ),
            ): SelectSelector(
                SelectSelectorConfig(options=LANGUAGES, translation_key="language")
            ),
        }
        for key in TENANT_DEFAULTS:
            fields[vol.Required(key, default=str(defaults[key]))] = TextSelector()
        return self.async_show_form(
            step_id=step_id, data_schema=vol.Schema(fields), errors=errors
        )

    def _levels(
        self, user_input: dict[str, Any], errors: dict[str, str]
    ) -> dict[str, Decimal]:
        currency = self._hub.data[CONF_CURRENCY]
        levels: dict[str, Decimal] = {}
        for key in TENANT_DEFAULTS:
            try:
                levels[key] = parse_amount(str(user_input[key]), currency, key)
            except BillingError as err:
                errors[key] = err.code
        if errors:
            return levels
        try:
            AlarmLevels(
                level_1=levels[CONF_ALARM_1],
                level_2=levels[CONF_ALARM_2],
                credit_limit=levels[CONF_CREDIT_LIMIT],
            )
        except InvalidAlarmLevels:
            errors["base"] = "levels_not_descending"
            return levels
        try:
            RelaySettings(
                credit_limit=levels[CONF_CREDIT_LIMIT],
                reconnect_level=levels[CONF_RECONNECT_LEVEL],
            )
        except InvalidRelaySettings:
            errors[CONF_RECONNECT_LEVEL] = "reconnect_below_credit_limit"
        return levels
