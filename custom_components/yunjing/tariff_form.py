"""The options flow that edits a hub's tariff.

Prices are typed as text and parsed by billing/ into Decimal: a number field
would hand over a float, and money is never a float.
"""

from __future__ import annotations

from datetime import date, timedelta
import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    DateSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import dt as dt_util
import probatio as vol

from .billing.errors import BillingError
from .billing.money import parse_rate
from .billing.tariff import RateName, TariffKind, tariff_from_dict
from .const import CONF_EFFECTIVE_FROM, CONF_TARIFF

if TYPE_CHECKING:
    from .runtime import YunjingConfigEntry

PRICE_FIELDS = {rate: f"price_{rate.value}" for rate in RateName}
TIER_LIMITS = ("tier_1_kwh", "tier_2_kwh")
TIER_PRICES = ("tier_1_price", "tier_2_price", "tier_3_price")
WINDOW_FIELDS = {"workday": "workday_windows", "holiday": "holiday_windows"}
_WINDOW = re.compile(r"^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s+([a-z]+)$")


def windows_from_text(text: str) -> list[dict[str, str]]:
    """'08:00-11:00 peak, 22:00-06:00 valley' as tariff windows; ValueError if malformed."""
    windows = []
    for part in re.split(r"[,;\n]+", text.strip().lower()):
        if not part.strip():
            continue
        match = _WINDOW.match(part.strip())
        if match is None or match[3] not in {rate.value for rate in RateName}:
            raise ValueError(part)
        windows.append({"start": match[1], "end": match[2], "rate": match[3]})
    return windows


def windows_to_text(windows: list[dict[str, str]]) -> str:
    """The text form of tariff windows."""
    return ", ".join(f"{w['start']}-{w['end']} {w['rate']}" for w in windows)


def _text_field(key: str, default: str | None, required: bool = False) -> Any:
    marker = vol.Required if required else vol.Optional
    if default is None:
        return marker(key)
    return marker(key, description={"suggested_value": default})


def _form_defaults(tariff: dict[str, Any]) -> dict[str, str]:
    """Form values showing the tariff stored in the options."""
    values: dict[str, str] = {
        "free_kwh": tariff.get("free_kwh", "0"),
        "monthly_fee": tariff.get("monthly_fee", "0"),
    }
    for rate, price in tariff.get("rates", {}).items():
        values[PRICE_FIELDS[RateName(rate)]] = price
    for day, key in WINDOW_FIELDS.items():
        if schedule := tariff.get(day):
            values[key] = windows_to_text(schedule["windows"])
            values["default_rate"] = schedule.get("default", "flat")
    for index, tier in enumerate(tariff.get("tiers", [])):
        if tier.get("up_to_kwh") is not None and index < len(TIER_LIMITS):
            values[TIER_LIMITS[index]] = tier["up_to_kwh"]
        values[TIER_PRICES[index]] = tier.get("price", tier.get("surcharge", ""))
    return values


def _schema(kind: TariffKind, defaults: dict[str, str]) -> vol.Schema:
    fields: dict[Any, Any] = {}
    tou = kind in (TariffKind.TOU, TariffKind.TOU_TIERED)
    if kind is TariffKind.FLAT:
        fields[_text_field("price_flat", defaults.get("price_flat"), True)] = (
            TextSelector()
        )
    if tou:
        for key in PRICE_FIELDS.values():
            fields[_text_field(key, defaults.get(key))] = TextSelector()
        fields[
            vol.Required("default_rate", default=defaults.get("default_rate", "flat"))
        ] = SelectSelector(
            SelectSelectorConfig(
                options=[rate.value for rate in RateName],
                mode=SelectSelectorMode.DROPDOWN,
                translation_key="rate",
            )
        )
        fields[
            _text_field("workday_windows", defaults.get("workday_windows"), True)
        ] = TextSelector()
        fields[_text_field("holiday_windows", defaults.get("holiday_windows"))] = (
            TextSelector()
        )
    if kind in (TariffKind.TIERED, TariffKind.TOU_TIERED):
        for key in (
            TIER_LIMITS[0],
            TIER_PRICES[0],
            TIER_LIMITS[1],
            TIER_PRICES[1],
            TIER_PRICES[2],
        ):
            required = key in (TIER_LIMITS[0], TIER_PRICES[0], TIER_PRICES[1])
            fields[_text_field(key, defaults.get(key), required)] = TextSelector()
    fields[_text_field("free_kwh", defaults.get("free_kwh", "0"), True)] = (
        TextSelector()
    )
    fields[_text_field("monthly_fee", defaults.get("monthly_fee", "0"), True)] = (
        TextSelector()
    )
    fields[vol.Required(CONF_EFFECTIVE_FROM, default=defaults[CONF_EFFECTIVE_FROM])] = (
        DateSelector()
    )
    return vol.Schema(fields)


def tariff_dict_from_form(
    kind: TariffKind, form: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """The tariff dict billing/ reads; field errors are added to `errors`."""
    for key, value in form.items():
        if (
            key.startswith(("price_", "tier_")) and not key.endswith("_kwh")
        ) or key == "monthly_fee":
            try:
                parse_rate(str(value))
            except BillingError as err:
                errors[key] = err.code
    data: dict[str, Any] = {
        "kind": kind.value,
        "free_kwh": str(form.get("free_kwh", "0")).strip(),
        "monthly_fee": str(form.get("monthly_fee", "0")).strip(),
    }
    if kind is not TariffKind.TIERED:
        data["rates"] = {
            rate.value: str(form[key]).strip()
            for rate, key in PRICE_FIELDS.items()
            if str(form.get(key, "")).strip()
        }
    if kind in (TariffKind.TOU, TariffKind.TOU_TIERED):
        default = form.get("default_rate", "flat")
        for day, key in WINDOW_FIELDS.items():
            text = str(form.get(key, "")).strip()
            if day == "holiday" and not text:
                data["holiday"] = None
                continue
            try:
                data[day] = {"default": default, "windows": windows_from_text(text)}
            except ValueError:
                errors[key] = "windows_invalid"
    if kind in (TariffKind.TIERED, TariffKind.TOU_TIERED):
        price_key = "price" if kind is TariffKind.TIERED else "surcharge"
        tiers = []
        for index, price_field in enumerate(TIER_PRICES):
            price = str(form.get(price_field, "")).strip()
            if not price:
                continue
            limit = form.get(TIER_LIMITS[index]) if index < len(TIER_LIMITS) else None
            tiers.append(
                {"up_to_kwh": str(limit).strip() if limit else None, price_key: price}
            )
        data["tiers"] = tiers
    return data


class TariffOptionsFlow(OptionsFlow):
    """Choose a kind of tariff, then its prices, windows and tiers."""

    def __init__(self) -> None:
        """Start from the kind stored in the options."""
        self._kind = TariffKind.FLAT

    @property
    def _entry(self) -> YunjingConfigEntry:
        return self.config_entry

    async def async_step_tariff(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which kind of tariff."""
        if self._entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is not None:
            self._kind = TariffKind(user_input["kind"])
            return await self.async_step_prices()
        current = self._entry.options.get(CONF_TARIFF, {}).get("kind", "flat")
        schema = vol.Schema(
            {
                vol.Required("kind", default=current): SelectSelector(
                    SelectSelectorConfig(
                        options=[kind.value for kind in TariffKind],
                        mode=SelectSelectorMode.LIST,
                        translation_key="tariff_kind",
                    )
                )
            }
        )
        return self.async_show_form(step_id="tariff", data_schema=schema)

    async def async_step_prices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Prices per kWh, windows, tiers, free quota, fee and the date they apply from."""
        errors: dict[str, str] = {}
        placeholders = {"detail": ""}
        today = dt_util.as_local(self._entry.runtime_data.coordinator.now()).date()
        if user_input is not None:
            data = tariff_dict_from_form(self._kind, user_input, errors)
            effective = date.fromisoformat(user_input[CONF_EFFECTIVE_FROM])
            if effective < today:
                errors[CONF_EFFECTIVE_FROM] = "effective_in_past"
            if not errors:
                try:
                    tariff = tariff_from_dict(data)
                    await self._entry.runtime_data.coordinator.async_set_tariff(
                        tariff, effective
                    )
                except BillingError as err:
                    errors["base"] = err.code
                    placeholders["detail"] = str(err)
                else:
                    return self.async_create_entry(
                        data={
                            **self._entry.options,
                            CONF_TARIFF: tariff.as_dict(),
                            CONF_EFFECTIVE_FROM: effective.isoformat(),
                        }
                    )
        stored = self._entry.options.get(CONF_TARIFF, {})
        defaults = _form_defaults(stored if stored.get("kind") == self._kind else {})
        if user_input is not None:
            defaults |= {key: str(value) for key, value in user_input.items()}
        # Tomorrow by default: energy already billed today keeps today's prices.
        defaults.setdefault(
            CONF_EFFECTIVE_FROM, (today + timedelta(days=1)).isoformat()
        )
        return self.async_show_form(
            step_id="prices",
            data_schema=_schema(self._kind, defaults),
            errors=errors,
            description_placeholders=placeholders,
        )
