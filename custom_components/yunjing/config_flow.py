"""Config flow: one hub per Modbus gateway or serial port, and its tariff options."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import dt as dt_util
from modbus_connection import ModbusConnectionError
import probatio as vol

from .billing.errors import BillingError
from .billing.money import CURRENCY_EXPONENTS
from .billing.tariff import flat_tariff
from .const import (
    CONF_BAUDRATE,
    CONF_BILLING_DAY,
    CONF_BYTESIZE,
    CONF_CONNECTION_TYPE,
    CONF_CURRENCY,
    CONF_EFFECTIVE_FROM,
    CONF_PARITY,
    CONF_POLL_INTERVAL,
    CONF_PRICE,
    CONF_STOPBITS,
    CONF_TARIFF,
    CONF_TIME_SCALE,
    CONNECTION_SIMULATED,
    DEFAULT_BAUDRATE,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_TCP_PORT,
    DOMAIN,
    MAX_POLL_INTERVAL,
    MAX_TIME_SCALE,
    MIN_POLL_INTERVAL,
    SUBENTRY_ROOM,
    SUBENTRY_TENANT,
)
from .entry_data import bus_settings
from .meters.bus import BusKind, probe
from .protection_form import HubOptionsFlow
from .selectors import number_box
from .subentry_flows import RoomSubentryFlow, TenantSubentryFlow

CONNECTION_TYPES = [*(kind.value for kind in BusKind), CONNECTION_SIMULATED]


def choice(options: list[str], key: str) -> SelectSelector:
    """A drop-down whose labels come from the selector translations."""
    return SelectSelector(
        SelectSelectorConfig(
            options=options, mode=SelectSelectorMode.DROPDOWN, translation_key=key
        )
    )


def _network_schema(defaults: dict[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_HOST, default=defaults.get(CONF_HOST, "")
            ): TextSelector(),
            vol.Required(
                CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_TCP_PORT)
            ): number_box(1, 65535),
        }
    )


def _serial_schema(defaults: dict[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_DEVICE, default=defaults.get(CONF_DEVICE, "")
            ): TextSelector(),
            vol.Required(
                CONF_BAUDRATE,
                default=str(defaults.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
            ): choice(
                ["1200", "2400", "4800", "9600", "19200", "38400", "115200"],
                CONF_BAUDRATE,
            ),
            vol.Required(CONF_PARITY, default=defaults.get(CONF_PARITY, "N")): choice(
                ["N", "E", "O"], CONF_PARITY
            ),
            vol.Required(
                CONF_BYTESIZE, default=str(defaults.get(CONF_BYTESIZE, 8))
            ): choice(["7", "8"], CONF_BYTESIZE),
            vol.Required(
                CONF_STOPBITS, default=str(defaults.get(CONF_STOPBITS, 1))
            ): choice(["1", "2"], CONF_STOPBITS),
        }
    )


def _clean(kind: BusKind, user_input: dict[str, Any]) -> dict[str, Any]:
    """Entry data from a submitted form: stripped text, integers where numbers."""
    if kind is BusKind.SERIAL:
        return {
            CONF_CONNECTION_TYPE: kind.value,
            CONF_DEVICE: user_input[CONF_DEVICE].strip(),
            CONF_BAUDRATE: int(user_input[CONF_BAUDRATE]),
            CONF_PARITY: user_input[CONF_PARITY],
            CONF_BYTESIZE: int(user_input[CONF_BYTESIZE]),
            CONF_STOPBITS: int(user_input[CONF_STOPBITS]),
        }
    return {
        CONF_CONNECTION_TYPE: kind.value,
        CONF_HOST: user_input[CONF_HOST].strip(),
        CONF_PORT: int(user_input[CONF_PORT]),
    }


async def _check_bus(data: dict[str, Any]) -> str | None:
    """The error key for a bus that cannot be used, or None."""
    settings = bus_settings(data)
    if not (settings.device if settings.kind is BusKind.SERIAL else settings.host):
        return "address_required"
    try:
        await probe(settings)
    except ModbusConnectionError, ValueError:
        return "cannot_connect"
    return None


def _bus_title(data: dict[str, Any]) -> str:
    if data[CONF_CONNECTION_TYPE] == CONNECTION_SIMULATED:
        return "Simulated building"
    settings = bus_settings(data)
    return settings.device or f"{settings.host}:{settings.port}"


def _unique_id(data: dict[str, Any]) -> str:
    if data[CONF_CONNECTION_TYPE] == CONNECTION_SIMULATED:
        return CONNECTION_SIMULATED
    return bus_settings(data).endpoint_id


class YunjingConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a hub: a Modbus TCP gateway, an RTU-over-TCP gateway, a serial port or a simulated building."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with no bus chosen."""
        self._bus_data: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HubOptionsFlow:
        """The tariff and the protection settings are edited in the options."""
        return HubOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Rooms (one meter each) and tenants (one prepaid account each)."""
        return {SUBENTRY_ROOM: RoomSubentryFlow, SUBENTRY_TENANT: TenantSubentryFlow}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask how the meters are connected."""
        return self.async_show_menu(step_id="user", menu_options=CONNECTION_TYPES)

    async def async_step_tcp(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Modbus TCP gateway."""
        return await self._async_step_bus(BusKind.TCP, user_input)

    async def async_step_rtu_over_tcp(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A gateway passing Modbus RTU frames through TCP."""
        return await self._async_step_bus(BusKind.RTU_OVER_TCP, user_input)

    async def async_step_serial(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """An RS-485 adapter on a serial port."""
        return await self._async_step_bus(BusKind.SERIAL, user_input)

    async def async_step_simulated(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A built-in simulated building, to try Yunjing without hardware."""
        await self.async_set_unique_id(CONNECTION_SIMULATED)
        self._abort_if_unique_id_configured()
        if user_input is not None:
            self._bus_data = {
                CONF_CONNECTION_TYPE: CONNECTION_SIMULATED,
                CONF_TIME_SCALE: int(user_input[CONF_TIME_SCALE]),
            }
            return await self.async_step_billing()
        schema = vol.Schema(
            {vol.Required(CONF_TIME_SCALE, default=1): number_box(1, MAX_TIME_SCALE)}
        )
        return self.async_show_form(step_id="simulated", data_schema=schema)

    async def _async_step_bus(
        self, kind: BusKind, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(kind, user_input)
            if (error := await _check_bus(data)) is None:
                await self.async_set_unique_id(_unique_id(data))
                self._abort_if_unique_id_configured()
                self._bus_data = data
                return await self.async_step_billing()
            errors["base"] = error
        return self.async_show_form(
            step_id=kind.value,
            data_schema=_bus_schema(kind, user_input or {}),
            errors=errors,
        )

    async def async_step_billing(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Currency, billing day, poll interval and the first (flat) price of the hub."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                **self._bus_data,
                CONF_CURRENCY: user_input[CONF_CURRENCY],
                CONF_BILLING_DAY: int(user_input[CONF_BILLING_DAY]),
                CONF_POLL_INTERVAL: int(user_input[CONF_POLL_INTERVAL]),
            }
            try:
                tariff = flat_tariff(str(user_input[CONF_PRICE]).strip())
            except BillingError as err:
                errors[CONF_PRICE] = err.code
            else:
                return self.async_create_entry(
                    title=_bus_title(data),
                    data=data,
                    options={
                        CONF_TARIFF: tariff.as_dict(),
                        CONF_EFFECTIVE_FROM: dt_util.now().date().isoformat(),
                    },
                )
        currency = self.hass.config.currency
        schema = vol.Schema(
            {
                vol.Required(CONF_PRICE): TextSelector(),
                vol.Required(
                    CONF_CURRENCY,
                    default=currency if currency in CURRENCY_EXPONENTS else "CNY",
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=sorted(CURRENCY_EXPONENTS),
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_BILLING_DAY, default=1): number_box(1, 31),
                vol.Required(
                    CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL
                ): number_box(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, "s"),
            }
        )
        return self.async_show_form(
            step_id="billing",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address of the gateway or port, or the poll interval."""
        entry = self._get_reconfigure_entry()
        connection_type = entry.data[CONF_CONNECTION_TYPE]
        errors: dict[str, str] = {}
        poll = {
            vol.Required(
                CONF_POLL_INTERVAL,
                default=entry.data.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
            ): number_box(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, "s")
        }
        if connection_type == CONNECTION_SIMULATED:
            schema = vol.Schema(poll)
        else:
            kind = BusKind(connection_type)
            schema = _bus_schema(kind, user_input or dict(entry.data)).extend(poll)
        if user_input is not None:
            updates: dict[str, Any] = {
                CONF_POLL_INTERVAL: int(user_input[CONF_POLL_INTERVAL])
            }
            if connection_type != CONNECTION_SIMULATED:
                updates |= _clean(BusKind(connection_type), user_input)
                error = await _check_bus(updates)
                if error is None:
                    await self.async_set_unique_id(_unique_id(updates))
                    if any(
                        other.unique_id == self.unique_id
                        for other in self._async_current_entries(include_ignore=False)
                        if other.entry_id != entry.entry_id
                    ):
                        return self.async_abort(reason="already_configured")
                else:
                    errors["base"] = error
            if not errors:
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=self.unique_id or entry.unique_id,
                    title=_bus_title({**entry.data, **updates}),
                    data_updates=updates,
                )
        return self.async_show_form(
            step_id="reconfigure", data_schema=schema, errors=errors
        )


def _bus_schema(kind: BusKind, defaults: dict[str, Any]) -> vol.Schema:
    if kind is BusKind.SERIAL:
        return _serial_schema(defaults)
    return _network_schema(defaults)
