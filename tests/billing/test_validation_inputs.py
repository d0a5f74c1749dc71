"""Readings typed by a landlord: kWh text to whole Wh."""

import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.validation import parse_reading_kwh


@pytest.mark.parametrize(
    ("text", "wh"),
    [("12345.6", 12_345_600), (" 0 ", 0), ("3.200", 3_200), ("0.001", 1)],
)
def test_kwh_text_is_whole_wh(text: str, wh: int) -> None:
    assert parse_reading_kwh(text, "reading") == wh


@pytest.mark.parametrize("text", ["-1", "abc", "", "0.0001", "NaN", "Infinity", "1e20"])
def test_bad_readings_are_refused(text: str) -> None:
    with pytest.raises(BillingError) as err:
        parse_reading_kwh(text, "reading")
    assert err.value.code == "reading_invalid"
