"""The one exception type of the billing library."""

from __future__ import annotations


class BillingError(Exception):
    """A rejected billing operation; nothing was written.

    `code` is snake_case and doubles as the Home Assistant translation key;
    `placeholders` fill the translated message.
    """

    def __init__(self, code: str, message: str, **placeholders: object) -> None:
        self.code = code
        self.placeholders: dict[str, str] = {
            key: str(value) for key, value in placeholders.items()
        }
        super().__init__(message.format(**placeholders))

    def __repr__(self) -> str:
        return f"BillingError({self.code!r}, {str(self)!r})"
