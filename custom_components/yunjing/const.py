"""Constants of the Yunjing integration."""

from datetime import timedelta
from typing import Final

DOMAIN: Final = "yunjing"

# Hub entry data: the bus
CONF_CONNECTION_TYPE: Final = "connection_type"
CONNECTION_SIMULATED: Final = "simulated"
CONF_TIME_SCALE: Final = "time_scale"
# 10,000 x: a 30-day month passes in about 4 minutes.
MAX_TIME_SCALE: Final = 10_000
CONF_BAUDRATE: Final = "baudrate"
CONF_BYTESIZE: Final = "bytesize"
CONF_PARITY: Final = "parity"
CONF_STOPBITS: Final = "stopbits"
DEFAULT_TCP_PORT: Final = 502
DEFAULT_BAUDRATE: Final = 9600

# Hub entry data: billing
CONF_CURRENCY: Final = "currency"
CONF_BILLING_DAY: Final = "billing_day"
CONF_POLL_INTERVAL: Final = "poll_interval"
DEFAULT_POLL_INTERVAL: Final = 10
MIN_POLL_INTERVAL: Final = 2
MAX_POLL_INTERVAL: Final = 3600

# Hub options: the tariff
CONF_TARIFF: Final = "tariff"
CONF_PRICE: Final = "price"
CONF_TARIFF_KIND: Final = "kind"
CONF_EFFECTIVE_FROM: Final = "effective_from"

# Subentries
SUBENTRY_ROOM: Final = "room"
SUBENTRY_TENANT: Final = "tenant"
CONF_MODEL: Final = "model"
CONF_UNIT_ID: Final = "unit_id"
CONF_RATED_POWER: Final = "rated_power_w"
CONF_HAS_RELAY: Final = "has_relay"
CONF_ROOMS: Final = "rooms"
CONF_NOTIFY: Final = "notify_targets"
CONF_LANGUAGE: Final = "language"
CONF_ALARM_1: Final = "alarm_level_1"
CONF_ALARM_2: Final = "alarm_level_2"
CONF_CREDIT_LIMIT: Final = "credit_limit"
CONF_RECONNECT_LEVEL: Final = "reconnect_level"
LANGUAGES: Final = ["en", "zh-Hans"]

# A meter offline for this long becomes a repair issue.
OFFLINE_REPAIR_AFTER: Final = timedelta(minutes=30)

# Events on Home Assistant's bus, for automations and blueprints. Every event
# carries `hub` (config entry id) and, where it applies, `tenant` / `room`
# (subentry ids), `tenant_device_id` / `room_device_id`, names and amounts
# (amounts as decimal strings).
EVENT_BALANCE_ALARM: Final = "yunjing_balance_alarm"
EVENT_POWER_CUT: Final = "yunjing_power_cut"
EVENT_POWER_RESTORED: Final = "yunjing_power_restored"
EVENT_KEEP_ON_STARTED: Final = "yunjing_keep_on_started"
EVENT_KEEP_ON_ENDED: Final = "yunjing_keep_on_ended"
EVENT_LOAD_TRIP: Final = "yunjing_load_trip"
EVENT_LOCKOUT: Final = "yunjing_lockout"
EVENT_RECHARGE: Final = "yunjing_recharge"
EVENT_BILL_ISSUED: Final = "yunjing_bill_issued"
EVENT_METER_OFFLINE: Final = "yunjing_meter_offline"
