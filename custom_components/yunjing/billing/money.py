"""Money: exact decimal amounts, minor units and the single rounding rule.

Amounts are `Decimal` parsed from strings, integers (whole currency units) or
Decimals, never from float. The ledger stores integer minor units; energy
costs are exact integers in nano units (1e-9 of the currency) until they are
rounded once, half-up, by `round_half_up`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from .errors import BillingError

# ISO 4217 minor-unit exponents of the currencies a landlord is likely to use.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CNY": 2,
    "HKD": 2,
    "MOP": 2,
    "TWD": 2,
    "SGD": 2,
    "MYR": 2,
    "THB": 2,
    "PHP": 2,
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "AUD": 2,
    "CAD": 2,
    "NZD": 2,
    "INR": 2,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "IDR": 2,
}

# Largest amount accepted for any single operation, in whole currency units.
ABSURD_AMOUNT = Decimal(1_000_000_000)
# Energy prices are per kWh with at most this many decimals, so that
# price x Wh is an exact integer number of nano units.
RATE_DECIMALS = 6
MAX_RATE = Decimal(1000)
NANO_EXPONENT = 9

_CONTEXT = Context(prec=60)


def currency_exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (CNY 2, JPY 0)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise BillingError(
            "unknown_currency", "Unknown currency {currency}", currency=currency
        ) from None


def round_half_up(value: Decimal, exponent: int) -> Decimal:
    """The one rounding rule: half away from zero to `exponent` decimals."""
    return value.quantize(Decimal(1).scaleb(-exponent), ROUND_HALF_UP, _CONTEXT)


def parse_decimal(value: str | int | Decimal, what: str) -> Decimal:
    """A finite Decimal from a string, an int or a Decimal (never a float)."""
    # bool is an int subclass and float is rejected outright: neither is money.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise BillingError(
            "amount_invalid",
            "{what} must be a decimal string, an integer or a Decimal, not {kind}",
            what=what,
            kind=type(value).__name__,
        )
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise BillingError(
                "amount_invalid",
                "{what} {value!r} is not a number",
                what=what,
                value=value,
            ) from None
    if not number.is_finite():
        raise BillingError(
            "amount_not_finite",
            "{what} must be finite, got {value}",
            what=what,
            value=value,
        )
    return number


def _decimals(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    return max(0, -exponent)


def parse_amount(
    value: str | int | Decimal, currency: str, what: str = "amount"
) -> Decimal:
    """An amount of money in whole currency units, e.g. "19.99" CNY.

    Rejects float, NaN, infinity, more decimals than the currency has and
    absurd magnitudes. The sign is kept; callers decide what sign they accept.
    """
    exponent = currency_exponent(currency)
    number = parse_decimal(value, what)
    if _decimals(number.normalize(_CONTEXT)) > exponent:
        raise BillingError(
            "amount_too_precise",
            "{what} {value} has more than {decimals} decimals for {currency}",
            what=what,
            value=value,
            decimals=exponent,
            currency=currency,
        )
    if abs(number) > ABSURD_AMOUNT:
        raise BillingError(
            "amount_too_large",
            "{what} {value} is absurdly large",
            what=what,
            value=value,
        )
    return number.quantize(Decimal(1).scaleb(-exponent), context=_CONTEXT)


def parse_positive_amount(
    value: str | int | Decimal, currency: str, what: str = "amount"
) -> Decimal:
    """An amount that must be above zero (recharges, refunds)."""
    number = parse_amount(value, currency, what)
    if number <= 0:
        raise BillingError(
            "amount_not_positive",
            "{what} must be above zero, got {value}",
            what=what,
            value=number,
        )
    return number


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact minor units of an amount that has at most the currency's decimals."""
    exponent = currency_exponent(currency)
    scaled = amount.scaleb(exponent, _CONTEXT)
    if scaled != scaled.to_integral_value():
        raise BillingError(
            "amount_too_precise",
            "{value} has more than {decimals} decimals",
            value=amount,
            decimals=exponent,
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """The amount of `minor` minor units, with the currency's decimals."""
    exponent = currency_exponent(currency)
    return (
        Decimal(minor)
        .scaleb(-exponent, _CONTEXT)
        .quantize(Decimal(1).scaleb(-exponent), context=_CONTEXT)
    )


def nanos_to_minor(nanos: int, currency: str) -> int:
    """Round an exact nano-unit cost to minor units (the single rounding rule)."""
    exponent = currency_exponent(currency)
    exact = Decimal(nanos).scaleb(-NANO_EXPONENT, _CONTEXT)
    return to_minor(round_half_up(exact, exponent), currency)


def parse_rate(value: str | int | Decimal, what: str = "rate") -> Decimal:
    """A price per kWh: 0 or more, at most 6 decimals."""
    number = parse_decimal(value, what)
    if number < 0:
        raise BillingError(
            "rate_negative",
            "{what} must not be negative, got {value}",
            what=what,
            value=number,
        )
    if _decimals(number.normalize(_CONTEXT)) > RATE_DECIMALS:
        raise BillingError(
            "rate_too_precise",
            "{what} {value} has more than {decimals} decimals",
            what=what,
            value=number,
            decimals=RATE_DECIMALS,
        )
    if number > MAX_RATE:
        raise BillingError(
            "rate_too_large",
            "{what} {value} per kWh is absurd",
            what=what,
            value=number,
        )
    return number


def rate_micros(rate: Decimal) -> int:
    """A per-kWh rate in millionths; micro-rate x Wh is the exact cost in nanos."""
    return int(rate.scaleb(RATE_DECIMALS, _CONTEXT))


def prorate(amount: Decimal, part: int, whole: int, currency: str) -> Decimal:
    """`amount` x part / whole, rounded by the single rule (fees for part of a period)."""
    if whole <= 0:
        raise ValueError("whole must be positive")
    exact = _CONTEXT.divide(_CONTEXT.multiply(amount, part), whole)
    return round_half_up(exact, currency_exponent(currency))
