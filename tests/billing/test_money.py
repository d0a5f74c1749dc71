"""Money parsing, minor units and the rounding rule."""

from decimal import Decimal

from hypothesis import given, strategies as st
import pytest

from custom_components.yunjing.billing.errors import BillingError
from custom_components.yunjing.billing.money import (
    currency_exponent,
    from_minor,
    nanos_to_minor,
    parse_amount,
    parse_positive_amount,
    parse_rate,
    rate_micros,
    round_half_up,
    to_minor,
)


def test_string_amount_to_minor_units() -> None:
    assert to_minor(parse_amount("19.99", "CNY"), "CNY") == 1999
    assert from_minor(1999, "CNY") == Decimal("19.99")
    assert str(from_minor(5, "CNY")) == "0.05"


def test_integer_amount_is_whole_units() -> None:
    assert parse_amount(50, "CNY") == Decimal("50.00")
    assert parse_amount(500, "JPY") == Decimal(500)


def test_302_kwh_at_0_20_costs_60_40() -> None:
    nanos = rate_micros(parse_rate("0.20")) * 302_000
    assert nanos_to_minor(nanos, "CNY") == 6040


def test_ten_deductions_of_0_10_from_1_00_leave_0_00() -> None:
    balance = parse_amount("1.00", "CNY")
    for _ in range(10):
        balance -= parse_amount("0.10", "CNY")
    assert balance == Decimal("0.00")
    assert str(balance) == "0.00"


def test_half_up_rounding() -> None:
    assert round_half_up(Decimal("0.005"), 2) == Decimal("0.01")
    assert round_half_up(Decimal("0.0049999"), 2) == Decimal("0.00")
    assert round_half_up(Decimal("2.5"), 0) == Decimal(3)
    assert nanos_to_minor(5_000_000, "CNY") == 1  # 0.005 -> 0.01
    assert nanos_to_minor(4_999_999, "CNY") == 0


def test_currency_exponents() -> None:
    assert currency_exponent("CNY") == 2
    assert currency_exponent("EUR") == 2
    assert currency_exponent("JPY") == 0
    with pytest.raises(BillingError) as err:
        currency_exponent("XYZ")
    assert err.value.code == "unknown_currency"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1.5, "amount_invalid"),
        (True, "amount_invalid"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_not_finite"),
        ("Infinity", "amount_not_finite"),
        (Decimal("-inf"), "amount_not_finite"),
        ("1.001", "amount_too_precise"),
        ("1e12", "amount_too_large"),
    ],
)
def test_bad_amounts_are_rejected(value: object, code: str) -> None:
    with pytest.raises(BillingError) as err:
        parse_amount(value, "CNY")  # type: ignore[arg-type]
    assert err.value.code == code
    assert str(err.value)


@pytest.mark.parametrize("value", ["0", "-5", "0.00"])
def test_positive_amount_rejects_zero_and_negative(value: str) -> None:
    with pytest.raises(BillingError) as err:
        parse_positive_amount(value, "CNY")
    assert err.value.code == "amount_not_positive"


def test_jpy_has_no_decimals() -> None:
    with pytest.raises(BillingError):
        parse_amount("1.5", "JPY")


@given(st.integers(min_value=-(10**11), max_value=10**11))
def test_minor_round_trip(minor: int) -> None:
    assert to_minor(from_minor(minor, "CNY"), "CNY") == minor
