"""Notifications to tenants and the landlord: message templates and delivery.

A target is either `notify.<service>` (a legacy notify service, e.g. a mobile
app or an SMS gateway) or a `notify.*` entity id (sent through
`notify.send_message`). Messages are written in the tenant's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
import logging

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .billing.money import currency_exponent, round_half_up

_LOGGER = logging.getLogger(__name__)

HOW_TO_RECHARGE = {
    "en": "Please recharge with your landlord.",
    "zh-Hans": "请联系房东充值。",
}

# (title, message) per kind and language; placeholders are filled with str.format.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "level_1": {
        "en": (
            "Electricity balance low",
            "{tenant}: your balance is {balance} {currency}{days}. {how}",
        ),
        "zh-Hans": (
            "电费余额不足",
            "{tenant}：您的电费余额为 {balance} {currency}{days}。{how}",
        ),
    },
    "level_2": {
        "en": (
            "Electricity will be cut soon",
            "{tenant}: your balance is {balance} {currency}{days}. "
            "Power is cut when it reaches {credit_limit} {currency}. {how}",
        ),
        "zh-Hans": (
            "即将停电",
            "{tenant}：您的电费余额为 {balance} {currency}{days}，"
            "余额降至 {credit_limit} {currency} 时将停电。{how}",
        ),
    },
    "arrears": {
        "en": (
            "Electricity balance used up",
            "{tenant}: your balance is {balance} {currency}; power may be cut. {how}",
        ),
        "zh-Hans": (
            "电费已欠费",
            "{tenant}：您的电费余额为 {balance} {currency}，可能随时停电。{how}",
        ),
    },
    "warn_before_cut": {
        "en": (
            "Power cut ahead",
            "{tenant}: keep-on has ended and your balance is {balance} {currency}; "
            "room {room} will be cut at {cut_at}. {how}",
        ),
        "zh-Hans": (
            "即将停电",
            "{tenant}：保电期已结束，您的余额为 {balance} {currency}，"
            "房间 {room} 将于 {cut_at} 停电。{how}",
        ),
    },
    "power_cut": {
        "en": (
            "Power cut",
            "{tenant}: power to room {room} was cut (balance {balance} {currency}). {how}",
        ),
        "zh-Hans": (
            "已停电",
            "{tenant}：房间 {room} 已停电（余额 {balance} {currency}）。{how}",
        ),
    },
    "power_restored": {
        "en": ("Power restored", "{tenant}: power to room {room} is back on."),
        "zh-Hans": ("已恢复供电", "{tenant}：房间 {room} 已恢复供电。"),
    },
    "recharge": {
        "en": (
            "Recharge received",
            "{tenant}: we received {amount} {currency}; your balance is {balance} {currency}.",
        ),
        "zh-Hans": (
            "充值成功",
            "{tenant}：已收到充值 {amount} {currency}，当前余额 {balance} {currency}。",
        ),
    },
    "load_trip": {
        "en": (
            "Dangerous appliance detected",
            "Room {room}: {violation}; power was switched off and comes back at {due_at}.",
        ),
        "zh-Hans": (
            "检测到违规电器",
            "房间 {room}：{violation}，已断电，将于 {due_at} 自动恢复。",
        ),
    },
    "load_alarm": {
        "en": ("Dangerous appliance detected", "Room {room}: {violation}."),
        "zh-Hans": ("检测到违规电器", "房间 {room}：{violation}。"),
    },
    "lockout": {
        "en": (
            "Power locked out",
            "Room {room}: {violation} again; power stays off until the landlord resets it.",
        ),
        "zh-Hans": (
            "已锁定断电",
            "房间 {room}：再次{violation}，需房东复位后才能恢复供电。",
        ),
    },
    "relay_failed": {
        "en": ("Relay not responding", "Room {room}: the relay did not {command}."),
        "zh-Hans": ("继电器无响应", "房间 {room}：继电器未能{command}。"),
    },
}

VIOLATIONS = {
    "over_power": {"en": "total power above the limit", "zh-Hans": "总功率超限"},
    "resistive_load": {
        "en": "a resistive appliance (e.g. a kettle or heater) was switched on",
        "zh-Hans": "使用了大功率电阻性电器（如电热水壶、电暖器）",
    },
}
COMMANDS = {
    "cut": {"en": "open", "zh-Hans": "断开"},
    "restore": {"en": "close", "zh-Hans": "闭合"},
}


def language_of(language: str | None) -> str:
    """en or zh-Hans."""
    return "zh-Hans" if language and language.startswith("zh") else "en"


def render(kind: str, language: str, **values: object) -> tuple[str, str]:
    """The title and message of a notification in a language."""
    lang = language_of(language)
    title, message = TEMPLATES[kind][lang]
    filled: dict[str, object] = {"how": HOW_TO_RECHARGE[lang], **values}
    days = values.get("days_left")
    if days is None:
        filled["days"] = ""
    elif lang == "en":
        filled["days"] = f", about {days} day(s) left"
    else:
        filled["days"] = f"，约可用 {days} 天"
    if (violation := values.get("violation")) in VIOLATIONS:
        filled["violation"] = VIOLATIONS[str(violation)][lang]
    if (command := values.get("command")) in COMMANDS:
        filled["command"] = COMMANDS[str(command)][lang]
    return title, message.format_map(_Missing(filled))


class _Missing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


async def async_send(
    hass: HomeAssistant, targets: Iterable[str], title: str, message: str
) -> None:
    """Send to every target; a failing target is logged and does not stop the others."""
    for target in targets:
        domain, _, name = target.partition(".")
        if domain != "notify" or not name:
            _LOGGER.warning(
                "Notify target %s is not a notify service or entity", target
            )
            continue
        try:
            if hass.states.get(target) is not None:
                await hass.services.async_call(
                    "notify",
                    "send_message",
                    {"entity_id": target, "title": title, "message": message},
                    blocking=True,
                )
            else:
                await hass.services.async_call(
                    "notify",
                    name,
                    {"title": title, "message": message},
                    blocking=True,
                )
        except (HomeAssistantError, ValueError) as err:
            _LOGGER.warning("Notification to %s failed: %s", target, err)


def payload_text(values: Mapping[str, object], currency: str) -> dict[str, object]:
    """Event data: amounts as decimal strings in the currency's minor unit, times as UTC ISO strings."""
    exponent = currency_exponent(currency)
    result: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, Decimal):
            result[key] = str(round_half_up(value, exponent))
        elif isinstance(value, datetime):
            result[key] = value.astimezone(UTC).isoformat()
        elif value is None or isinstance(value, (bool, int, float, list)):
            result[key] = value
        else:
            result[key] = str(value)
    return result
