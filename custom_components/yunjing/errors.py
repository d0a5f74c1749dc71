"""Errors the user sees: translated, with their placeholders as text."""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError

from .billing.errors import BillingError
from .const import DOMAIN


def user_error(key: str, **placeholders: object) -> ServiceValidationError:
    """A translated error for bad input or a refused action."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={
            name: str(value) for name, value in placeholders.items()
        },
    )


def billing_error(err: BillingError) -> ServiceValidationError:
    """A ledger's refusal, translated by its code."""
    return user_error(err.code, **err.placeholders)
