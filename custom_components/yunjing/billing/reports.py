"""Read-only queries over the ledger database: bills, usage and reports.

Called by `Ledger` inside its lock and a read transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
import json
import sqlite3
from typing import Any

from .money import NANO_EXPONENT, currency_exponent, from_minor, round_half_up
from .periods import Period, PeriodCalendar
from .records import (
    AccountBalance,
    AccountFigures,
    Bill,
    BillLine,
    BillRoom,
    CycleFigures,
    DailyUsage,
    EnergyComparison,
    IncomeExpenditure,
    Inventory,
    JournalEntry,
    Operation,
    PaymentMonth,
    RoomComparison,
    RoomFigures,
    RoomUsage,
    Usage,
)
from .validation import from_us as _dt, to_us as _us

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR = timedelta(hours=1)
_REFUND_KINDS = ("refund", "settlement")


def kwh(wh: int) -> Decimal:
    """Exact kWh of a number of Wh."""
    return Decimal(wh).scaleb(-3)


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return round_half_up(Decimal(part * 100) / Decimal(whole), 1)


class Reports:
    """Queries for one ledger connection."""

    def __init__(
        self, connection: sqlite3.Connection, currency: str, calendar: PeriodCalendar
    ) -> None:
        self._db = connection
        self._currency = currency
        self._exponent = currency_exponent(currency)
        self._calendar = calendar

    def _money(self, minor: int | None) -> Decimal:
        return from_minor(minor or 0, self._currency)

    def _exact(self, nanos: int) -> Decimal:
        """An exact cost with trailing zeros dropped down to the currency's decimals."""
        value = Decimal(nanos).scaleb(-NANO_EXPONENT).normalize()
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent > -self._exponent:
            return value.quantize(Decimal(1).scaleb(-self._exponent))
        return value

    def _scalar(self, sql: str, parameters: tuple[Any, ...]) -> int:
        row = self._db.execute(sql, parameters).fetchone()
        return int(row[0] or 0)

    def balance_at(self, account_key: int, at_us: int) -> int:
        """Balance in minor units of everything before `at_us`."""
        journal_sum = self._scalar(
            "SELECT SUM(amount_minor) FROM journal WHERE account_key = ? AND at < ?",
            (account_key, at_us),
        )
        pending = self._scalar(
            "SELECT SUM(minor) FROM pending_charge WHERE account_key = ? AND at < ?",
            (account_key, at_us),
        )
        return journal_sum - pending

    def entries(
        self,
        *,
        account_key: int | None = None,
        kinds: tuple[str, ...] | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> list[JournalEntry]:
        """Journal rows matching the filters, oldest first."""
        conditions = ["1"]
        parameters: list[Any] = []
        if account_key is not None:
            conditions.append("j.account_key = ?")
            parameters.append(account_key)
        if kinds is not None:
            conditions.append(f"j.kind IN ({','.join('?' * len(kinds))})")
            parameters.extend(kinds)
        if start is not None:
            conditions.append("j.at >= ?")
            parameters.append(start)
        if end is not None:
            conditions.append("j.at < ?")
            parameters.append(end)
        rows = self._db.execute(
            "SELECT j.id, j.at, a.account_id, j.kind, j.amount_minor, r.room_id,"
            " j.reference, j.corrects, j.note, j.user_id FROM journal j"
            " JOIN account a ON a.key = j.account_key LEFT JOIN room r ON r.key = j.room_key"
            f" WHERE {' AND '.join(conditions)} ORDER BY j.at, j.id",
            parameters,
        )
        return [
            JournalEntry(
                entry_id=row[0],
                at=_dt(row[1]),
                account_id=row[2],
                kind=row[3],
                amount=self._money(row[4]),
                room_id=row[5],
                reference=row[6],
                corrects=row[7],
                note=row[8],
                user=row[9],
            )
            for row in rows
        ]

    def _sum_kinds(
        self, account_key: int | None, kinds: tuple[str, ...], period: Period
    ) -> int:
        account_filter = "" if account_key is None else " AND account_key = ?"
        parameters: tuple[Any, ...] = (*kinds, _us(period.start), _us(period.end))
        if account_key is not None:
            parameters = (*parameters, account_key)
        return self._scalar(
            f"SELECT SUM(amount_minor) FROM journal WHERE kind IN ({','.join('?' * len(kinds))})"
            f" AND at >= ? AND at < ?{account_filter}",
            parameters,
        )

    def bill(self, account_key: int, period: Period, *, closed: bool) -> Bill:
        """The statement of one account for one period."""
        account_id, name = self._db.execute(
            "SELECT account_id, name FROM account WHERE key = ?", (account_key,)
        ).fetchone()
        rooms: list[BillRoom] = []
        energy_minor = 0
        for (
            room_key,
            room_id,
            room_name,
            wh,
            free_wh,
            charged,
            opening,
            closing,
        ) in self._db.execute(
            # Rooms charged in the period, and rooms held in it that used nothing.
            "SELECT r.key, r.room_id, r.name, COALESCE(rp.wh, 0), COALESCE(rp.free_wh, 0),"
            " COALESCE(rp.charged_minor, 0), rp.opening_reading_wh, rp.closing_reading_wh"
            " FROM room r LEFT JOIN room_period rp"
            " ON rp.room_key = r.key AND rp.account_key = ? AND rp.period_key = ?"
            " WHERE rp.room_key IS NOT NULL OR EXISTS (SELECT 1 FROM occupancy o"
            " WHERE o.room_key = r.key AND o.account_key = ? AND o.start_at < ?"
            " AND COALESCE(o.end_at, ?) > ?)"
            " ORDER BY r.room_id",
            (
                account_key,
                period.key,
                account_key,
                _us(period.end),
                _us(period.end),
                _us(period.start),
            ),
        ).fetchall():
            lines = tuple(
                BillLine(rate, tier, kwh(line_wh), kwh(line_free), self._exact(nanos))
                for rate, tier, line_wh, line_free, nanos in self._db.execute(
                    "SELECT rate, tier, SUM(wh), SUM(free_wh), SUM(cost_nanos) FROM consumption"
                    " WHERE room_key = ? AND period_key = ? AND account_key = ?"
                    " GROUP BY rate, tier ORDER BY rate, tier",
                    (room_key, period.key, account_key),
                )
            )
            fees = -self._scalar(
                "SELECT SUM(amount_minor) FROM journal WHERE kind = 'fee'"
                " AND account_key = ? AND room_key = ? AND period_key = ?",
                (account_key, room_key, period.key),
            )
            energy_minor += charged
            rooms.append(
                BillRoom(
                    room_id=room_id,
                    name=room_name,
                    opening_reading_kwh=None if opening is None else kwh(opening),
                    closing_reading_kwh=None if closing is None else kwh(closing),
                    kwh=kwh(wh),
                    free_kwh=kwh(free_wh),
                    lines=lines,
                    energy_amount=self._money(charged),
                    fees=self._money(fees),
                )
            )
        fees_minor = -self._scalar(
            "SELECT SUM(amount_minor) FROM journal WHERE kind = 'fee' AND account_key = ?"
            " AND period_key = ?",
            (account_key, period.key),
        )
        return Bill(
            account_id=account_id,
            account_name=name,
            currency=self._currency,
            period_start=period.start_date,
            period_end=period.end_date,
            closed=closed,
            opening_balance=self._money(
                self.balance_at(account_key, _us(period.start))
            ),
            closing_balance=self._money(self.balance_at(account_key, _us(period.end))),
            rooms=tuple(rooms),
            energy_charged=self._money(energy_minor),
            fees=self._money(fees_minor),
            recharges=self._money(self._sum_kinds(account_key, ("recharge",), period)),
            refunds=self._money(-self._sum_kinds(account_key, _REFUND_KINDS, period)),
            corrections=self._money(
                self._sum_kinds(account_key, ("correction",), period)
            ),
            recharge_entries=tuple(
                self.entries(
                    account_key=account_key,
                    kinds=("recharge",),
                    start=_us(period.start),
                    end=_us(period.end),
                )
            ),
        )

    def figures(self, period: Period, now: datetime, days: int) -> CycleFigures:
        """Open tenant accounts and rooms: balance, this period's energy and charges,
        and the exact energy cost of each of the last `days` local days (today
        excluded) that the account was open for all day."""
        today = now.astimezone(self._calendar.zone).date()
        first_day = today - timedelta(days=days)
        first_hour = _us(
            datetime.combine(first_day, datetime.min.time(), self._calendar.zone)
        ) // (3_600_000_000)
        daily: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for account_key, hour, nanos in self._db.execute(
            "SELECT account_key, hour, SUM(cost_nanos) FROM consumption"
            " WHERE hour >= ? GROUP BY account_key, hour",
            (first_hour,),
        ):
            day = (_EPOCH + hour * _HOUR).astimezone(self._calendar.zone).date()
            if first_day <= day < today:
                daily[account_key][day] += nanos
        period_totals = {
            account_key: (wh, charged)
            for account_key, wh, charged in self._db.execute(
                "SELECT account_key, SUM(wh), SUM(charged_minor) FROM room_period"
                " WHERE period_key = ? GROUP BY account_key",
                (period.key,),
            )
        }
        accounts = {}
        for key, account_id, balance, opened_at in self._db.execute(
            "SELECT key, account_id, balance_minor, opened_at FROM account"
            " WHERE kind = 'tenant' AND closed_at IS NULL"
        ):
            wh, charged = period_totals.get(key, (0, 0))
            # Only full days of the account: a new tenant's first (partial) day
            # is not a day's use, nor are the empty days before it.
            opened = _dt(opened_at).astimezone(self._calendar.zone)
            first_full_day = opened.date() + timedelta(days=opened.time() != time(0))
            since = max(first_day, first_full_day)
            accounts[account_id] = AccountFigures(
                balance=self._money(balance),
                kwh=kwh(wh),
                amount=self._money(charged),
                daily_costs=tuple(
                    Decimal(daily[key][since + timedelta(days=offset)]).scaleb(
                        -NANO_EXPONENT
                    )
                    for offset in range((today - since).days)
                ),
            )
        rooms = {
            room_id: RoomFigures(kwh=kwh(wh or 0), amount=self._money(charged))
            for room_id, wh, charged in self._db.execute(
                "SELECT r.room_id, SUM(rp.wh), SUM(rp.charged_minor) FROM room r"
                " LEFT JOIN room_period rp ON rp.room_key = r.key AND rp.period_key = ?"
                " GROUP BY r.key",
                (period.key,),
            )
        }
        return CycleFigures(period_start=period.start, accounts=accounts, rooms=rooms)

    def usage(self, period: Period, account_key: int | None) -> Usage:
        """Energy of a period in total, per room and per local day."""
        account_filter = "" if account_key is None else " AND c.account_key = ?"
        parameters: tuple[Any, ...] = (
            (period.key,) if account_key is None else (period.key, account_key)
        )
        room_rows = self._db.execute(
            "SELECT r.room_id, r.name, SUM(rp.wh), SUM(rp.charged_minor) FROM room_period rp"
            " JOIN room r ON r.key = rp.room_key WHERE rp.period_key = ?"
            + account_filter.replace("c.", "rp.")
            + " GROUP BY r.key ORDER BY r.room_id",
            parameters,
        ).fetchall()
        daily: dict[date, int] = defaultdict(int)
        for hour, wh in self._db.execute(
            "SELECT c.hour, SUM(c.wh) FROM consumption c WHERE c.period_key = ?"
            + account_filter
            + " GROUP BY c.hour",
            parameters,
        ):
            daily[(_EPOCH + hour * _HOUR).astimezone(self._calendar.zone).date()] += wh
        return Usage(
            period_start=period.start_date,
            period_end=period.end_date,
            kwh=kwh(sum(row[2] for row in room_rows)),
            amount=self._money(sum(row[3] for row in room_rows)),
            rooms=tuple(
                RoomUsage(room_id, name, kwh(wh), self._money(charged))
                for room_id, name, wh, charged in room_rows
            ),
            daily=tuple(DailyUsage(day, kwh(wh)) for day, wh in sorted(daily.items())),
        )

    def inventory(self, at: datetime) -> Inventory:
        """Every account's balance at `at`."""
        at_us = _us(at)
        accounts: list[AccountBalance] = []
        prepaid = arrears = 0
        for key, account_id, name, kind, closed_at in self._db.execute(
            "SELECT key, account_id, name, kind, closed_at FROM account WHERE opened_at <= ?"
            " ORDER BY account_id",
            (at_us,),
        ).fetchall():
            balance = self.balance_at(key, at_us + 1)
            if kind == "tenant":
                prepaid += max(balance, 0)
                arrears += max(-balance, 0)
            accounts.append(
                AccountBalance(
                    account_id,
                    name,
                    kind,
                    closed_at is None or closed_at > at_us,
                    self._money(balance),
                )
            )
        return Inventory(
            at, tuple(accounts), self._money(prepaid), self._money(arrears)
        )

    def income_expenditure(self, period: Period) -> IncomeExpenditure:
        """Recharges, refunds, energy, fees and balances of a period."""
        energy: dict[str, int] = defaultdict(int)
        for kind, charged in self._db.execute(
            "SELECT a.kind, SUM(rp.charged_minor) FROM room_period rp"
            " JOIN account a ON a.key = rp.account_key WHERE rp.period_key = ? GROUP BY a.kind",
            (period.key,),
        ):
            energy[kind] = charged
        closing = self.inventory(period.end - timedelta(microseconds=1))
        return IncomeExpenditure(
            period_start=period.start_date,
            period_end=period.end_date,
            recharges=self._money(self._sum_kinds(None, ("recharge",), period)),
            refunds=self._money(-self._sum_kinds(None, _REFUND_KINDS, period)),
            energy_charged=self._money(energy["tenant"]),
            landlord_energy=self._money(energy["landlord"]),
            fees=self._money(-self._sum_kinds(None, ("fee",), period)),
            corrections=self._money(self._sum_kinds(None, ("correction",), period)),
            prepaid_held=closing.prepaid_held,
            arrears=closing.arrears,
        )

    def operations(
        self, start: int, end: int, account_key: int | None, limit: int
    ) -> list[Operation]:
        """Operation log rows in [start, end)."""
        account_filter = "" if account_key is None else " AND o.account_key = ?"
        parameters: tuple[Any, ...] = (
            (start, end) if account_key is None else (start, end, account_key)
        )
        rows = self._db.execute(
            "SELECT o.id, o.at, o.user_id, o.action, o.params, a.account_id,"
            " o.balance_before_minor, o.balance_after_minor FROM operation o"
            " LEFT JOIN account a ON a.key = o.account_key"
            f" WHERE o.at >= ? AND o.at < ?{account_filter} ORDER BY o.id LIMIT ?",
            (*parameters, limit),
        )
        return [
            Operation(
                operation_id=row[0],
                at=_dt(row[1]),
                user=row[2],
                action=row[3],
                parameters=json.loads(row[4]),
                account_id=row[5],
                balance_before=None if row[6] is None else self._money(row[6]),
                balance_after=None if row[7] is None else self._money(row[7]),
            )
            for row in rows
        ]

    def _wh_by_room(self, period_key: int) -> dict[int, int]:
        return {
            room_key: wh
            for room_key, wh in self._db.execute(
                "SELECT room_key, SUM(wh) FROM room_period WHERE period_key = ? GROUP BY room_key",
                (period_key,),
            )
        }

    def energy_comparison(self, period: Period) -> EnergyComparison:
        """Month over month per room and in total; rooms ordered by energy."""
        previous = self._calendar.period(period.key - 1)
        current_wh = self._wh_by_room(period.key)
        previous_wh = self._wh_by_room(previous.key)
        total = sum(current_wh.values())
        rooms = [
            RoomComparison(
                room_id=room_id,
                name=name,
                kwh=kwh(current_wh.get(key, 0)),
                previous_kwh=kwh(previous_wh.get(key, 0)),
                change_percent=_percent(
                    current_wh.get(key, 0) - previous_wh.get(key, 0),
                    previous_wh.get(key, 0),
                ),
                share_percent=_percent(current_wh.get(key, 0), total),
            )
            for key, room_id, name in self._db.execute(
                "SELECT key, room_id, name FROM room"
            )
        ]
        rooms.sort(key=lambda room: (-room.kwh, room.room_id))
        return EnergyComparison(
            period_start=period.start_date,
            previous_period_start=previous.start_date,
            kwh=kwh(total),
            previous_kwh=kwh(sum(previous_wh.values())),
            rooms=tuple(rooms),
        )

    def payment_trends(self, period: Period, count: int) -> list[PaymentMonth]:
        """Recharges per period for the `count` periods ending with `period`."""
        months: list[PaymentMonth] = []
        for key in range(period.key - max(count, 1) + 1, period.key + 1):
            month = self._calendar.period(key)
            number, amount = self._db.execute(
                "SELECT COUNT(*), SUM(amount_minor) FROM journal WHERE kind = 'recharge'"
                " AND at >= ? AND at < ?",
                (_us(month.start), _us(month.end)),
            ).fetchone()
            months.append(PaymentMonth(month.start_date, number, self._money(amount)))
        return months
