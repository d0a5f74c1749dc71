"""Constants of the Yunjing integration."""

from typing import Final

DOMAIN: Final = "yunjing"

CONF_CONNECTION_TYPE: Final = "connection_type"
CONF_BAUDRATE: Final = "baudrate"
CONF_BYTESIZE: Final = "bytesize"
CONF_PARITY: Final = "parity"
CONF_STOPBITS: Final = "stopbits"

DEFAULT_TCP_PORT: Final = 502
DEFAULT_BAUDRATE: Final = 9600
