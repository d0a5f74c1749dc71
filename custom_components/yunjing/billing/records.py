"""Inputs and results of the ledger: frozen dataclasses with `as_dict()`.

`as_dict()` gives JSON-friendly values (Decimal as a string, dates and
datetimes in ISO 8601) for Home Assistant service responses.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol


class Clock(Protocol):
    """Where the ledger gets the current time (injected, aware datetimes)."""

    def now(self) -> datetime:
        """The current time."""


def jsonable(value: Any) -> Any:
    """A JSON-friendly copy of a record value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: jsonable(getattr(value, item.name)) for item in fields(value)
        }
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


class Record:
    """Mixin: `as_dict()` for frozen result dataclasses."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-friendly values."""
        result = jsonable(self)
        assert isinstance(result, dict)
        return result


@dataclass(frozen=True, slots=True)
class ConsumptionDelta(Record):
    """Energy a room's meter counted between two accepted readings."""

    room_id: str
    start: datetime
    end: datetime
    wh: int
    from_reading_wh: int
    to_reading_wh: int


@dataclass(frozen=True, slots=True)
class ConsumptionResult(Record):
    """What one `record_consumption` call did."""

    applied: tuple[str, ...]
    already_applied: tuple[str, ...]
    balances: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class JournalEntry(Record):
    """One journal row (amount positive for money in, negative for money out)."""

    entry_id: int
    at: datetime
    account_id: str
    kind: str
    amount: Decimal
    room_id: str | None
    reference: str | None
    corrects: int | None
    note: str | None
    user: str | None


@dataclass(frozen=True, slots=True)
class MoneyResult(Record):
    """Result of a recharge, refund or correction."""

    applied: bool
    entry_id: int
    account_id: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Settlement(Record):
    """Result of a move-out."""

    account_id: str
    at: datetime
    final_energy_charge: Decimal
    fees: Decimal
    refunded: Decimal
    arrears: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class ChainProblem(Record):
    """Something `verify_chain` found wrong."""

    entry_id: int | None
    problem: str


@dataclass(frozen=True, slots=True)
class BillLine(Record):
    """Energy of one room at one rate and tier; cost exact (not rounded)."""

    rate: str
    tier: int
    kwh: Decimal
    free_kwh: Decimal
    exact_cost: Decimal


@dataclass(frozen=True, slots=True)
class BillRoom(Record):
    """One room on a bill; `energy_amount` is the period's cost rounded once."""

    room_id: str
    name: str
    opening_reading_kwh: Decimal | None
    closing_reading_kwh: Decimal | None
    kwh: Decimal
    free_kwh: Decimal
    lines: tuple[BillLine, ...]
    energy_amount: Decimal
    fees: Decimal


@dataclass(frozen=True, slots=True)
class Bill(Record):
    """An account's statement for one billing period."""

    account_id: str
    account_name: str
    currency: str
    period_start: date
    period_end: date
    closed: bool
    opening_balance: Decimal
    closing_balance: Decimal
    rooms: tuple[BillRoom, ...]
    energy_charged: Decimal
    fees: Decimal
    recharges: Decimal
    refunds: Decimal
    corrections: Decimal
    recharge_entries: tuple[JournalEntry, ...]


@dataclass(frozen=True, slots=True)
class DailyUsage(Record):
    """Energy of one local day."""

    day: date
    kwh: Decimal


@dataclass(frozen=True, slots=True)
class RoomUsage(Record):
    """Energy and charge of one room in a period."""

    room_id: str
    name: str
    kwh: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Usage(Record):
    """Usage of the current period, in total, per room and per day."""

    period_start: date
    period_end: date
    kwh: Decimal
    amount: Decimal
    rooms: tuple[RoomUsage, ...]
    daily: tuple[DailyUsage, ...]


@dataclass(frozen=True, slots=True)
class AccountBalance(Record):
    """One account's balance at a moment."""

    account_id: str
    name: str
    kind: str
    is_open: bool
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Inventory(Record):
    """Every balance at a moment."""

    at: datetime
    accounts: tuple[AccountBalance, ...]
    prepaid_held: Decimal
    arrears: Decimal


@dataclass(frozen=True, slots=True)
class IncomeExpenditure(Record):
    """Money movements of one billing period."""

    period_start: date
    period_end: date
    recharges: Decimal
    refunds: Decimal
    energy_charged: Decimal
    landlord_energy: Decimal
    fees: Decimal
    corrections: Decimal
    prepaid_held: Decimal
    arrears: Decimal


@dataclass(frozen=True, slots=True)
class Operation(Record):
    """One operation log row."""

    operation_id: int
    at: datetime
    user: str | None
    action: str
    parameters: dict[str, Any]
    account_id: str | None
    balance_before: Decimal | None
    balance_after: Decimal | None


@dataclass(frozen=True, slots=True)
class RoomComparison(Record):
    """A room's energy this period against the previous one."""

    room_id: str
    name: str
    kwh: Decimal
    previous_kwh: Decimal
    change_percent: Decimal | None
    share_percent: Decimal | None


@dataclass(frozen=True, slots=True)
class EnergyComparison(Record):
    """Month over month and room against room (largest first)."""

    period_start: date
    previous_period_start: date
    kwh: Decimal
    previous_kwh: Decimal
    rooms: tuple[RoomComparison, ...]


@dataclass(frozen=True, slots=True)
class PaymentMonth(Record):
    """Recharges of one billing period."""

    period_start: date
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AccountFigures(Record):
    """A tenant account as the poll cycle shows it."""

    balance: Decimal
    kwh: Decimal
    amount: Decimal
    daily_costs: tuple[Decimal, ...]
    """Exact energy cost of each of the last local days, oldest first."""


@dataclass(frozen=True, slots=True)
class RoomFigures(Record):
    """A room's energy and charges in the open period."""

    kwh: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CycleFigures(Record):
    """Everything the entities of a hub show after one poll cycle."""

    period_start: datetime
    accounts: dict[str, AccountFigures]
    rooms: dict[str, RoomFigures]
