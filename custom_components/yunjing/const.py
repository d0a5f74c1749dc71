"""Constants of the Yunjing integration.

Events on Home Assistant's bus, for automations and blueprints
(`platform: event`, `event_type: yunjing_...`).

Every event carries `hub` (config entry id). Events about a tenant carry
`tenant` (subentry id), `tenant_device_id`, `tenant_name`, `language`
("en" / "zh-Hans") and `notify_targets` (the tenant's list); events about a
room carry `room` (subentry id), `room_device_id`, `room_name`, and the
room's tenant fields when it has one (else `tenant` is None). Amounts are
decimal strings in the currency's minor unit ("12.50"), times ISO 8601
strings in UTC; every event also carries `currency` (ISO code).

yunjing_balance_alarm   tenant fields, level (level_1 | level_2 | arrears),
                        balance, threshold, days_left (int or None), currency
yunjing_power_cut       room fields, reason (arrears | vacant_open), balance
yunjing_power_restored  room fields, reason (recharged | manual_keep_on |
                        vacant_charge_landlord | reclose | reset), balance
                        (None for reclose and reset)
yunjing_keep_on_started room fields, reason (manual | holiday | weekend |
                        protected_hours), ends_at (or None), balance
yunjing_keep_on_ended   room fields, balance, cut_at (when the cut falls
                        due; None when keep-on stopped holding for another
                        reason, e.g. a recharge)
yunjing_load_trip       room fields, violation (over_power | resistive_load),
                        action (trip | alarm), power_w, reclose_at (or None),
                        reclosures_left
yunjing_lockout         room fields, violation, power_w
yunjing_recharge        tenant fields, amount, balance, reference, entry_id,
                        currency
yunjing_bill_issued     tenant fields (tenant None: the landlord account),
                        period_start, period_end,
                        opening_balance, closing_balance, energy_charged,
                        fees, recharges, currency
yunjing_meter_offline   room fields, unit_id
yunjing_relay_failed    room fields, command (cut | restore | trip |
                        reclose): not confirmed by read-back after retries;
                        also a repair issue relay_failed_<room>
"""

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

# Room subentry: malignant-load protection (all optional; mode off by default)
CONF_LOAD_MODE: Final = "load_mode"
LOAD_MODES: Final = ["off", "alarm_only", "trip"]
CONF_OVER_POWER_W: Final = "over_power_w"  # mode 1 limit; 0 disables mode 1
CONF_OVER_POWER_S: Final = "over_power_s"
CONF_RESISTIVE_MIN_W: Final = "resistive_min_w"  # mode 2 minimum step; 0 disables
CONF_RESISTIVE_PF: Final = "resistive_pf"
CONF_ALLOWED_LOADS: Final = "allowed_loads_w"  # text "550, 1200"
CONF_RECLOSE_MINUTES: Final = "reclose_minutes"
CONF_MAX_RECLOSURES: Final = "max_reclosures"
LOAD_DEFAULTS: Final = {
    CONF_LOAD_MODE: "off",
    CONF_OVER_POWER_W: 0,
    CONF_OVER_POWER_S: 60,
    CONF_RESISTIVE_MIN_W: 0,
    CONF_RESISTIVE_PF: 0.97,
    CONF_ALLOWED_LOADS: "",
    CONF_RECLOSE_MINUTES: 5,
    CONF_MAX_RECLOSURES: 3,
}

# Hub options: protection (options["protection"])
CONF_PROTECTION: Final = "protection"
CONF_CUT_OFF: Final = "cut_off"
CONF_WEEKENDS: Final = "weekends"
CONF_HOLIDAY_ENTITY: Final = "holiday_entity"
CONF_PROTECTED_DATES: Final = "protected_dates"
CONF_PROTECTED_START: Final = "protected_start"
CONF_PROTECTED_END: Final = "protected_end"
CONF_MIN_OFF_MINUTES: Final = "min_off_minutes"
CONF_MAX_RELAY_OPS: Final = "max_relay_operations"
CONF_WARNING_MINUTES: Final = "warning_minutes"
CONF_VACANT_POLICY: Final = "vacant_policy"
VACANT_POLICIES: Final = ["open", "charge_landlord"]
CONF_LANDLORD_NOTIFY: Final = "landlord_notify_targets"
PROTECTION_DEFAULTS: Final = {
    CONF_CUT_OFF: False,
    CONF_WEEKENDS: False,
    CONF_PROTECTED_DATES: "",
    CONF_MIN_OFF_MINUTES: 5,
    CONF_MAX_RELAY_OPS: 6,
    CONF_WARNING_MINUTES: 30,
    CONF_VACANT_POLICY: "charge_landlord",
    CONF_LANDLORD_NOTIFY: [],
}
LANGUAGES: Final = ["en", "zh-Hans"]

# A meter offline for this long becomes a repair issue.
OFFLINE_REPAIR_AFTER: Final = timedelta(minutes=30)

# Events on Home Assistant's bus: payloads are documented in the module docstring.
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
EVENT_RELAY_FAILED: Final = "yunjing_relay_failed"
