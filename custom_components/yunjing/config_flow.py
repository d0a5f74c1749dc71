"""Config flow: one hub per Modbus gateway or serial port."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_PORT
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from modbus_connection import ModbusConnectionError
import probatio as vol

from .const import (
    CONF_BAUDRATE,
    CONF_BYTESIZE,
    CONF_CONNECTION_TYPE,
    CONF_PARITY,
    CONF_STOPBITS,
    DEFAULT_BAUDRATE,
    DEFAULT_TCP_PORT,
    DOMAIN,
)
from .entry_data import bus_settings
from .meters.bus import BusKind, probe

PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)


def _choice(options: list[str], key: str) -> SelectSelector:
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
            ): PORT_SELECTOR,
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
            ): _choice(
                ["1200", "2400", "4800", "9600", "19200", "38400", "115200"],
                CONF_BAUDRATE,
            ),
            vol.Required(CONF_PARITY, default=defaults.get(CONF_PARITY, "N")): _choice(
                ["N", "E", "O"], CONF_PARITY
            ),
            vol.Required(
                CONF_BYTESIZE, default=str(defaults.get(CONF_BYTESIZE, 8))
            ): _choice(["7", "8"], CONF_BYTESIZE),
            vol.Required(
                CONF_STOPBITS, default=str(defaults.get(CONF_STOPBITS, 1))
            ): _choice(["1", "2"], CONF_STOPBITS),
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


class YunjingConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a hub: a Modbus TCP gateway, an RTU-over-TCP gateway or a serial port."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask how the meters are connected."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in BusKind]
        )

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

    async def _async_step_bus(
        self, kind: BusKind, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        defaults = user_input or {}
        if user_input is not None:
            data = _clean(kind, user_input)
            settings = bus_settings(data)
            if not (settings.device if kind is BusKind.SERIAL else settings.host):
                errors["base"] = "address_required"
            else:
                await self.async_set_unique_id(settings.endpoint_id)
                self._abort_if_unique_id_configured()
                try:
                    await probe(settings)
                except ModbusConnectionError, ValueError:
                    errors["base"] = "cannot_connect"
                else:
                    title = settings.device or f"{settings.host}:{settings.port}"
                    return self.async_create_entry(title=title, data=data)
        schema = (
            _serial_schema(defaults)
            if kind is BusKind.SERIAL
            else _network_schema(defaults)
        )
        return self.async_show_form(
            step_id=kind.value, data_schema=schema, errors=errors
        )
