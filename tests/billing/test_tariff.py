"""Tariff validation, dict round trip and time-of-use windows."""

from datetime import time
from decimal import Decimal
from typing import Any

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.tariff import (
    RateName,
    TariffKind,
    flat_tariff,
    tariff_from_dict,
)

TOU: dict[str, Any] = {
    "kind": "tou",
    "rates": {"peak": "0.60", "valley": "0.30"},
    "workday": {
        "default": "peak",
        "windows": [{"start": "22:00", "end": "06:00", "rate": "valley"}],
    },
    "holiday": {"default": "valley", "windows": []},
}

TOU_TIERED: dict[str, Any] = {
    "kind": "tou_tiered",
    "rates": {"spike": "1.00", "peak": "0.60", "flat": "0.45", "valley": "0.30"},
    "workday": {
        "default": "flat",
        "windows": [
            {"start": "19:00", "end": "21:00", "rate": "spike"},
            {"start": "08:00", "end": "11:00", "rate": "peak"},
            {"start": "23:00", "end": "07:00", "rate": "valley"},
        ],
    },
    "holiday": None,
    "tiers": [
        {"up_to_kwh": "200", "surcharge": "0"},
        {"up_to_kwh": "400", "surcharge": "0.05"},
        {"up_to_kwh": None, "surcharge": "0.30"},
    ],
    "free_kwh": "10",
    "monthly_fee": "5.00",
}


def test_window_across_midnight() -> None:
    tariff = tariff_from_dict(TOU)
    assert tariff.rate_name_at(time(21, 59), holiday=False) is RateName.PEAK
    assert tariff.rate_name_at(time(22, 0), holiday=False) is RateName.VALLEY
    assert tariff.rate_name_at(time(5, 59, 59), holiday=False) is RateName.VALLEY
    assert tariff.rate_name_at(time(6, 0), holiday=False) is RateName.PEAK
    assert tariff.rate_name_at(time(12, 0), holiday=True) is RateName.VALLEY


@pytest.mark.parametrize("data", [TOU, TOU_TIERED])
def test_dict_round_trip(data: dict[str, Any]) -> None:
    tariff = tariff_from_dict(data)
    assert tariff_from_dict(tariff.as_dict()) == tariff
    assert tariff.as_dict()["kind"] == data["kind"]


def test_tou_tiered_fields() -> None:
    tariff = tariff_from_dict(TOU_TIERED)
    assert tariff.kind is TariffKind.TOU_TIERED
    assert tariff.free_wh == 10_000
    assert tariff.monthly_fee == Decimal("5.00")
    assert [tier.up_to_wh for tier in tariff.tiers] == [200_000, 400_000, None]
    assert tariff.as_dict()["tiers"][1] == {"up_to_kwh": "400", "surcharge": "0.05"}


def test_flat_helper() -> None:
    tariff = flat_tariff("0.20")
    assert tariff.as_dict() == {
        "kind": "flat",
        "rates": {"flat": "0.20"},
        "free_kwh": "0",
        "monthly_fee": "0",
    }


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "nuclear"},
        {"kind": "flat", "rates": {"flat": 0.2}},
        {"kind": "flat", "rates": {"flat": "-0.2"}},
        {"kind": "flat", "rates": {"flat": "NaN"}},
        {"kind": "flat", "rates": {"flat": "0.1234567"}},
        {"kind": "flat", "rates": {"peak": "0.2"}},
        {"kind": "flat", "rates": {"flat": "0.2"}, "colour": "red"},
        {
            "kind": "tou",
            "rates": {"peak": "0.6"},
            "workday": {
                "default": "peak",
                "windows": [{"start": "22:00", "end": "06:00", "rate": "valley"}],
            },
        },
        {
            "kind": "tou",
            "rates": {"peak": "0.6", "valley": "0.3"},
            "workday": {
                "default": "peak",
                "windows": [
                    {"start": "22:00", "end": "06:00", "rate": "valley"},
                    {"start": "05:00", "end": "07:00", "rate": "peak"},
                ],
            },
        },
        {
            "kind": "tou",
            "rates": {"peak": "0.6"},
            "workday": {
                "default": "peak",
                "windows": [{"start": "25:00", "end": "06:00", "rate": "peak"}],
            },
        },
        {
            "kind": "tou",
            "rates": {"peak": "0.6"},
            "workday": {
                "default": "peak",
                "windows": [{"start": "06:00", "end": "06:00", "rate": "peak"}],
            },
        },
        {"kind": "tiered", "tiers": []},
        {"kind": "tiered", "tiers": [{"up_to_kwh": "100", "price": "0.5"}]},
        {
            "kind": "tiered",
            "tiers": [
                {"up_to_kwh": "100", "price": "0.5"},
                {"up_to_kwh": "50", "price": "0.8"},
                {"up_to_kwh": None, "price": "0.8"},
            ],
        },
        {
            "kind": "tiered",
            "tiers": [
                {"up_to_kwh": "0.0001", "price": "0.5"},
                {"up_to_kwh": None, "price": "0.8"},
            ],
        },
        {"kind": "flat", "rates": {"flat": "0.2"}, "monthly_fee": "-1"},
        {"kind": "flat", "rates": {"flat": "0.2"}, "free_kwh": "-1"},
    ],
)
def test_invalid_tariffs(data: dict[str, Any]) -> None:
    with pytest.raises(BillingError) as err:
        tariff_from_dict(data)
    assert err.value.code in {
        "tariff_invalid",
        "rate_negative",
        "rate_too_precise",
        "amount_invalid",
        "amount_not_finite",
    }


def test_large_tier_limits_and_quota() -> None:
    tariff = tariff_from_dict(
        {
            "kind": "tiered",
            "tiers": [
                {"up_to_kwh": "2760", "price": "0.4883"},
                {"up_to_kwh": "4800", "price": "0.5383"},
                {"up_to_kwh": None, "price": "0.7883"},
            ],
            "free_kwh": "1500.5",
        }
    )
    assert [tier.up_to_wh for tier in tariff.tiers] == [2_760_000, 4_800_000, None]
    assert tariff.free_wh == 1_500_500
