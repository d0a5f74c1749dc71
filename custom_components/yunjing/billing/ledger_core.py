"""Internals of the ledger: transactions, charging energy, sealing, closing periods.

`Ledger` (ledger.py) is the public API built on this; see its docstring for
the rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
import json
import sqlite3
import threading
from typing import Any
from zoneinfo import ZoneInfo

from . import journal
from .errors import BillingError
from .journal import NewEntry
from .money import (
    from_minor,
    nanos_to_minor,
    prorate,
    to_minor,
)
from .periods import (
    Period,
    PeriodCalendar,
    local_midnight,
    require_aware,
)
from .pricing import (
    HolidayRule,
    Pricer,
    TariffTimeline,
    price_energy,
)
from .records import (
    Bill,
    Clock,
    jsonable,
)
from .reports import Reports
from .tariff import tariff_from_dict
from .validation import (
    EARLIEST,
    HOUR_US,
    LATEST,
    from_us,
    to_us,
)

LANDLORD_ACCOUNT_ID = "landlord"
DEFAULT_MAX_RECHARGE = "10000"


@dataclass(frozen=True, slots=True)
class AccountRow:
    key: int
    account_id: str
    name: str
    kind: str
    closed_at: int | None
    balance_minor: int


@dataclass(slots=True)
class RoomPeriodState:
    wh: int
    free_wh: int
    cost_nanos: int
    charged_minor: int
    opening_reading_wh: int | None
    closing_reading_wh: int | None


@dataclass(slots=True)
class ChargeBatch:
    """Changes of one transaction, written together by `_flush`."""

    room_periods: dict[tuple[int, int, int], RoomPeriodState]
    consumption: dict[tuple[int, int, int, int, str, int], list[int]]
    pending: dict[tuple[int, int, int, int], int]
    balance_change: dict[int, int]

    @classmethod
    def empty(cls) -> ChargeBatch:
        return cls({}, {}, {}, {})


class LedgerCore:
    """State and internal operations shared by the `Ledger` API."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        currency: str,
        zone: ZoneInfo,
        billing_day: int,
        clock: Clock,
        is_holiday: HolidayRule,
        max_recharge: Decimal,
    ) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self.currency = currency
        self.zone = zone
        self.calendar = PeriodCalendar(billing_day, zone)
        self._clock = clock
        self._is_holiday = is_holiday
        self._max_recharge = max_recharge
        self._day_starts: dict[date, int] = {}
        self._pricer = Pricer(self.calendar, TariffTimeline((), ()), is_holiday)
        self._reload_tariffs()
        self._landlord_key = self._account(LANDLORD_ACCOUNT_ID).key
        self._reports = Reports(connection, currency, self.calendar)

    def _begin(self, statement: str) -> None:
        try:
            self._db.execute(statement)
        except sqlite3.ProgrammingError as err:
            # Closed (the hub is unloading): a clear refusal, nothing written.
            raise BillingError("ledger_closed", "The ledger is closed") from err

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._lock:
            self._begin("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException as err:
                self._db.execute("ROLLBACK")
                # Cached state may reflect the rolled-back transaction.
                self._reload_tariffs()
                if isinstance(err, OverflowError):
                    # A figure beyond SQLite's 64-bit integers (absurd readings or prices).
                    raise BillingError(
                        "value_too_large", "A figure is too large to record"
                    ) from err
                raise

    @contextmanager
    def _read(self) -> Iterator[None]:
        with self._lock:
            self._begin("BEGIN")
            try:
                yield
            finally:
                self._db.execute("COMMIT")

    def _now(self) -> datetime:
        return require_aware(self._clock.now(), "clock")

    def _check_time(
        self, instant: datetime, what: str, now: datetime | None = None
    ) -> datetime:
        utc = require_aware(instant, what)
        if not EARLIEST <= utc < LATEST:
            raise BillingError(
                "time_out_of_range",
                "{what} {value} is out of range",
                what=what,
                value=instant,
            )
        if utc > (now or self._now()):
            raise BillingError(
                "time_in_future",
                "{what} {value} is in the future",
                what=what,
                value=instant,
            )
        return utc

    def _amount(self, minor: int) -> Decimal:
        return from_minor(minor, self.currency)

    def _account(self, account_id: str) -> AccountRow:
        row = self._db.execute(
            "SELECT key, account_id, name, kind, closed_at, balance_minor"
            " FROM account WHERE account_id = ?",
            (account_id,),
        ).fetchone()
        if row is None:
            raise BillingError(
                "unknown_account", "There is no account {account}", account=account_id
            )
        return AccountRow(*row)

    def _open_account(self, account_id: str) -> AccountRow:
        account = self._account(account_id)
        if account.closed_at is not None:
            raise BillingError(
                "account_closed", "Account {account} is closed", account=account_id
            )
        return account

    def _room(self, room_id: str) -> tuple[int, int | None, int | None]:
        """(key, last reading Wh, last reading time) of a room."""
        row = self._db.execute(
            "SELECT key, reading_wh, reading_at FROM room WHERE room_id = ?", (room_id,)
        ).fetchone()
        if row is None:
            raise BillingError("unknown_room", "There is no room {room}", room=room_id)
        return int(row[0]), row[1], row[2]

    def _payer(self, room_key: int) -> int:
        row = self._db.execute(
            "SELECT account_key FROM occupancy WHERE room_key = ? AND end_at IS NULL",
            (room_key,),
        ).fetchone()
        return self._landlord_key if row is None else int(row[0])

    def _open_period(self) -> Period:
        row = self._db.execute(
            "SELECT value FROM setting WHERE name = 'open_period_key'"
        ).fetchone()
        return self.calendar.period(int(row[0]))

    def _balance_minor(self, account_key: int) -> int:
        row = self._db.execute(
            "SELECT balance_minor FROM account WHERE key = ?", (account_key,)
        ).fetchone()
        return int(row[0])

    def _log(
        self,
        action: str,
        user: str | None,
        parameters: Mapping[str, Any],
        account_key: int | None = None,
        before: int | None = None,
        after: int | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO operation (at, user_id, action, params, account_key,"
            " balance_before_minor, balance_after_minor) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                to_us(self._now()),
                user,
                action,
                json.dumps(jsonable(dict(parameters)), sort_keys=True),
                account_key,
                before,
                after,
            ),
        )

    def _append(self, entries: list[NewEntry]) -> list[int]:
        ids = journal.append(self._db, entries, to_us(self._now()))
        changes: dict[int, int] = {}
        for entry in entries:
            if entry.kind != "deduction":  # deductions were counted while pending
                changes[entry.account_key] = (
                    changes.get(entry.account_key, 0) + entry.amount_minor
                )
        self._db.executemany(
            "UPDATE account SET balance_minor = balance_minor + ? WHERE key = ?",
            [(change, key) for key, change in changes.items()],
        )
        return ids

    def _reload_tariffs(self) -> None:
        rows = self._db.execute(
            "SELECT effective_at, data FROM tariff ORDER BY effective_at"
        ).fetchall()
        timeline = TariffTimeline(
            tuple(from_us(row[0]) for row in rows),
            tuple(tariff_from_dict(json.loads(row[1])) for row in rows),
        )
        self._pricer = Pricer(self.calendar, timeline, self._is_holiday)

    def _charge_energy(
        self,
        batch: ChargeBatch,
        room_key: int,
        payer_key: int,
        start_us: int,
        end_us: int,
        wh: int,
        from_reading_wh: int,
        open_period: Period,
    ) -> None:
        end_us = max(end_us, start_us)
        reading = from_reading_wh
        for piece in self._pricer.slices(from_us(start_us), from_us(end_us), wh):
            # Energy of a period already closed is priced as of when it was used
            # and booked in the open period: closed bills never change.
            period = (
                piece.period if piece.period.key >= open_period.key else open_period
            )
            state_key = (room_key, period.key, payer_key)
            state = batch.room_periods.get(state_key) or self._load_room_period(
                state_key
            )
            batch.room_periods[state_key] = state
            if state.opening_reading_wh is None:
                state.opening_reading_wh = reading
            reading += piece.wh
            state.closing_reading_wh = reading
            if piece.wh == 0:
                continue
            piece_start = to_us(piece.start)
            hour = piece_start // HOUR_US
            for priced in price_energy(piece.tariff, piece.rate, piece.wh, state.wh):
                row_key = (
                    room_key,
                    period.key,
                    hour,
                    payer_key,
                    priced.rate.value,
                    priced.tier,
                )
                totals = batch.consumption.setdefault(row_key, [0, 0, 0])
                totals[0] += priced.wh
                totals[1] += priced.free_wh
                totals[2] += priced.cost_nanos
                state.free_wh += priced.free_wh
                state.cost_nanos += priced.cost_nanos
            state.wh += piece.wh
            charged = nanos_to_minor(state.cost_nanos, self.currency)
            due = charged - state.charged_minor
            state.charged_minor = charged
            if due:
                local_day = piece.start.astimezone(self.zone).date()
                bucket = max(self._day_start_us(local_day), to_us(period.start))
                pending_key = (payer_key, room_key, period.key, bucket)
                batch.pending[pending_key] = batch.pending.get(pending_key, 0) + due
                batch.balance_change[payer_key] = (
                    batch.balance_change.get(payer_key, 0) - due
                )
            else:
                batch.balance_change.setdefault(payer_key, 0)

    def _day_start_us(self, day: date) -> int:
        """Local midnight of `day` in µs (cached: called for every priced piece)."""
        cached = self._day_starts.get(day)
        if cached is None:
            cached = self._day_starts[day] = to_us(local_midnight(day, self.zone))
        return cached

    def _load_room_period(self, key: tuple[int, int, int]) -> RoomPeriodState:
        row = self._db.execute(
            "SELECT wh, free_wh, cost_nanos, charged_minor, opening_reading_wh,"
            " closing_reading_wh FROM room_period"
            " WHERE room_key = ? AND period_key = ? AND account_key = ?",
            key,
        ).fetchone()
        return (
            RoomPeriodState(0, 0, 0, 0, None, None)
            if row is None
            else RoomPeriodState(*row)
        )

    def _flush(self, batch: ChargeBatch) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO room_period (room_key, period_key, account_key, wh,"
            " free_wh, cost_nanos, charged_minor, opening_reading_wh, closing_reading_wh)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    *key,
                    s.wh,
                    s.free_wh,
                    s.cost_nanos,
                    s.charged_minor,
                    s.opening_reading_wh,
                    s.closing_reading_wh,
                )
                for key, s in batch.room_periods.items()
            ],
        )
        self._db.executemany(
            "INSERT INTO consumption (room_key, period_key, hour, account_key, rate, tier,"
            " wh, free_wh, cost_nanos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO UPDATE SET wh = wh + excluded.wh,"
            " free_wh = free_wh + excluded.free_wh,"
            " cost_nanos = cost_nanos + excluded.cost_nanos",
            [(*key, *totals) for key, totals in batch.consumption.items()],
        )
        self._db.executemany(
            "INSERT INTO pending_charge (account_key, room_key, period_key, at, minor)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET minor = minor + excluded.minor",
            [(*key, minor) for key, minor in batch.pending.items()],
        )
        self._db.executemany(
            "UPDATE account SET balance_minor = balance_minor + ? WHERE key = ?",
            [(change, key) for key, change in batch.balance_change.items() if change],
        )

    def _seal(self, condition: str, parameters: tuple[int, ...]) -> None:
        """Move pending charges matching `condition` into the journal."""
        rows = self._db.execute(
            "SELECT account_key, room_key, period_key, at, minor FROM pending_charge"
            f" WHERE {condition} ORDER BY at, account_key, room_key",
            parameters,
        ).fetchall()
        if not rows:
            return
        entries = [
            NewEntry(
                at=at,
                account_key=account_key,
                kind="deduction",
                amount_minor=-minor,
                room_key=room_key,
                period_key=period_key,
            )
            for account_key, room_key, period_key, at, minor in rows
            if minor
        ]
        self._append(entries)
        self._db.execute(f"DELETE FROM pending_charge WHERE {condition}", parameters)

    def _existing_reference(
        self, kind: str, reference: str, account: AccountRow, minor: int
    ) -> int | None:
        row = self._db.execute(
            "SELECT id, account_key, amount_minor FROM journal WHERE kind = ? AND reference = ?",
            (kind, reference),
        ).fetchone()
        if row is None:
            return None
        if row[1] != account.key:
            raise BillingError(
                "reference_account_mismatch",
                "Reference {reference} was already used for another account",
                reference=reference,
            )
        if abs(row[2]) != minor:
            raise BillingError(
                "reference_amount_mismatch",
                "Reference {reference} was already applied with amount {amount}",
                reference=reference,
                amount=self._amount(abs(row[2])),
            )
        return int(row[0])

    def _advance_reading(
        self,
        room_key: int,
        reading: int | None,
        reading_at: int | None,
        at: datetime,
        new_reading: int,
        room_id: str,
    ) -> int:
        """Charge the current payer up to `new_reading` at `at`; returns at in µs."""
        at_us = to_us(at)
        if reading is not None and reading_at is not None:
            if new_reading < reading:
                raise BillingError(
                    "reading_lower_than_last",
                    "Room {room}: reading {reading} Wh is lower than the last {last} Wh",
                    room=room_id,
                    reading=new_reading,
                    last=reading,
                )
            if at_us < reading_at:
                raise BillingError(
                    "time_before_last_reading",
                    "Room {room}: {time} is before the last reading",
                    room=room_id,
                    time=at.isoformat(),
                )
            if new_reading > reading:
                batch = ChargeBatch.empty()
                self._charge_energy(
                    batch,
                    room_key,
                    self._payer(room_key),
                    reading_at,
                    at_us,
                    new_reading - reading,
                    reading,
                    self._open_period(),
                )
                self._flush(batch)
        self._db.execute(
            "UPDATE room SET reading_wh = ?, reading_at = ? WHERE key = ?",
            (new_reading, at_us, room_key),
        )
        return at_us

    def _close_due(self, now: datetime) -> list[Bill]:
        bills: list[Bill] = []
        period = self._open_period()
        while period.end <= now:
            bills.extend(self._close_period(period))
            period = self.calendar.period(period.key + 1)
        return bills

    def _close_period(self, period: Period) -> list[Bill]:
        start_us, end_us = to_us(period.start), to_us(period.end)
        self._seal("period_key <= ?", (period.key,))
        occupancies = self._db.execute(
            "SELECT o.account_key, o.room_key, o.start_at, COALESCE(o.end_at, ?)"
            " FROM occupancy o JOIN account a ON a.key = o.account_key"
            " WHERE a.closed_at IS NULL AND o.start_at < ? AND COALESCE(o.end_at, ?) > ?",
            (end_us, end_us, end_us, start_us),
        ).fetchall()
        self._append(
            self._fee_entries(period, [tuple(row) for row in occupancies], end_us - 1)
        )
        account_keys = [
            int(row[0])
            for row in self._db.execute(
                "SELECT key FROM account WHERE opened_at < ? AND (closed_at IS NULL OR closed_at >= ?)"
                " ORDER BY key",
                (end_us, start_us),
            )
        ]
        now_us = to_us(self._now())
        bills = [
            self._reports.bill(account_key, period, closed=True)
            for account_key in account_keys
        ]
        for account_key, bill in zip(account_keys, bills, strict=True):
            self._db.execute(
                "INSERT OR REPLACE INTO bill (account_key, period_key, created_at, data)"
                " VALUES (?, ?, ?, ?)",
                (account_key, period.key, now_us, json.dumps(bill.as_dict())),
            )
        self._db.execute(
            "UPDATE setting SET value = ? WHERE name = 'open_period_key'",
            (str(period.key + 1),),
        )
        self._log(
            "close_period",
            None,
            {"period_start": period.start_date, "bills": len(account_keys)},
        )
        return bills

    def _fee_entries(
        self, period: Period, holdings: list[tuple[int, ...]], at_us: int
    ) -> list[NewEntry]:
        """Fee rows for (account, room, held from, held until) within `period`."""
        tariff = self._pricer.timeline.at(period.start)
        if tariff is None or not tariff.monthly_fee:
            return []
        start_us, end_us = to_us(period.start), to_us(period.end)
        entries: list[NewEntry] = []
        for account_key, room_key, held_from, held_until in holdings:
            held = min(held_until, end_us) - max(held_from, start_us)
            if held <= 0 or account_key == self._landlord_key:
                continue
            fee = prorate(tariff.monthly_fee, held, end_us - start_us, self.currency)
            minor = to_minor(fee, self.currency)
            if minor:
                entries.append(
                    NewEntry(
                        at_us,
                        account_key,
                        "fee",
                        -minor,
                        room_key=room_key,
                        period_key=period.key,
                    )
                )
        return entries
