"""Translate a hub config entry's data into the meter library's bus settings."""

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_PORT

from .const import (
    CONF_BAUDRATE,
    CONF_BYTESIZE,
    CONF_CONNECTION_TYPE,
    CONF_PARITY,
    CONF_STOPBITS,
    DEFAULT_BAUDRATE,
    DEFAULT_TCP_PORT,
)
from .meters.bus import BusKind, BusSettings


def bus_settings(data: Mapping[str, Any]) -> BusSettings:
    """Bus settings for the gateway or serial port stored in an entry."""
    kind = BusKind(data[CONF_CONNECTION_TYPE])
    if kind is BusKind.SERIAL:
        return BusSettings(
            kind=kind,
            device=data[CONF_DEVICE],
            baudrate=int(data.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
            bytesize=int(data.get(CONF_BYTESIZE, 8)),  # type: ignore[arg-type]
            parity=data.get(CONF_PARITY, "N"),
            stopbits=int(data.get(CONF_STOPBITS, 1)),  # type: ignore[arg-type]
        )
    return BusSettings(
        kind=kind,
        host=data[CONF_HOST],
        port=int(data.get(CONF_PORT, DEFAULT_TCP_PORT)),
    )
