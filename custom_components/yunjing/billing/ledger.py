"""The prepaid ledger: accounts, rooms, priced consumption, money and bills.

One SQLite file (WAL, synchronous=FULL), one connection used from one thread
at a time (a lock serialises callers). Every write runs in one
`BEGIN IMMEDIATE` transaction: a rejected call raises `BillingError` and writes
nothing.

Decisions the specification left open:
- No drift: per room, period and paying account the ledger keeps the exact
  cost (nano units) and what it charged; each delta charges
  round_half_up(cumulative exact cost) - already charged.
- Deductions are collected per room and local day (`pending_charge`, already
  part of the balance) and written to the journal as one row per room and day
  when the day is over, at move-out and at period close ("sealing"), so the
  journal grows by one row per room and day rather than per poll. The
  balance is the sum of the journal minus the pending charges of the current
  day; after sealing (`flush_pending`) it is exactly the sum of the journal.
  Priced energy itself is kept per room, hour, rate and tier (`consumption`).
- A delta is idempotent by its readings: one starting at the room's last
  reading is applied, one ending at or below it is "already applied", any
  other overlap or gap is an error.
- A delta is spread evenly over its time and split where prices change (see
  `pricing`); each part is priced with the tariff, rate and tier in force
  when it was used. A part that falls in a period already closed (e.g. a
  meter offline across the boundary, or a boundary closed on start after
  downtime) is priced as of its time but booked in the open period, counting
  towards its tiers: closed bills never change.
- Tier counters, free quota and the drift rule run per room, period and
  paying account, so a new tenant starts at the first tier.
- The fixed monthly fee is charged per room to each tenant that held it
  during the period, prorated by time held: at period close, or at move-out
  for the leaving tenant. The tariff in force at the period start decides it.
- A tariff may not start before consumption that is already priced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
import json
from pathlib import Path
import sqlite3
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import journal
from .errors import BillingError
from .journal import NewEntry
from .ledger_core import (
    DEFAULT_MAX_RECHARGE,
    LANDLORD_ACCOUNT_ID,
    AccountRow,
    ChargeBatch,
    LedgerCore,
)
from .money import (
    currency_exponent,
    parse_amount,
    parse_positive_amount,
    to_minor,
)
from .periods import (
    PeriodCalendar,
    check_billing_day,
    local_midnight,
    require_aware,
)
from .pricing import (
    HolidayRule,
    weekend_is_holiday,
)
from .records import (
    Bill,
    ChainProblem,
    Clock,
    ConsumptionDelta,
    ConsumptionResult,
    CycleFigures,
    EnergyComparison,
    IncomeExpenditure,
    Inventory,
    JournalEntry,
    MoneyResult,
    Operation,
    PaymentMonth,
    Settlement,
    Usage,
)
from .schema import migrate
from .tariff import Tariff
from .validation import (
    EARLIEST,
    LATEST,
    check_delta,
    check_id,
    check_reading,
    check_reference,
    check_text,
    from_us,
    to_us,
)

__all__ = ["DEFAULT_MAX_RECHARGE", "LANDLORD_ACCOUNT_ID", "Ledger"]


class Ledger(LedgerCore):
    """The prepaid ledger of one hub. Use `Ledger.open`."""

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        currency: str,
        time_zone: str,
        billing_day: int,
        clock: Clock,
        is_holiday: HolidayRule = weekend_is_holiday,
        max_recharge: str | int | Decimal = DEFAULT_MAX_RECHARGE,
    ) -> Ledger:
        """Open (creating or migrating) the ledger file at `path`.

        Currency, time zone and billing day are fixed when the file is
        created; opening it with other values is an error.
        """
        currency_exponent(currency)
        check_billing_day(billing_day)
        try:
            zone = ZoneInfo(time_zone)
        except ZoneInfoNotFoundError, ValueError:
            raise BillingError(
                "time_zone_unknown", "Unknown time zone {zone}", zone=time_zone
            ) from None
        limit = parse_positive_amount(max_recharge, currency, "maximum recharge")
        try:
            connection = sqlite3.connect(
                path, check_same_thread=False, autocommit=True, timeout=30
            )
        except sqlite3.Error as err:
            raise _unavailable(path, err) from err
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection)
            cls._initialise(connection, currency, time_zone, billing_day, clock)
            return cls(
                connection,
                currency=currency,
                zone=zone,
                billing_day=billing_day,
                clock=clock,
                is_holiday=is_holiday,
                max_recharge=limit,
            )
        except sqlite3.DatabaseError as err:
            connection.close()
            raise _unavailable(path, err) from err
        except BaseException:
            connection.close()
            raise

    @staticmethod
    def _initialise(
        connection: sqlite3.Connection,
        currency: str,
        time_zone: str,
        billing_day: int,
        clock: Clock,
    ) -> None:
        wanted = {
            "currency": currency,
            "time_zone": time_zone,
            "billing_day": str(billing_day),
        }
        connection.execute("BEGIN IMMEDIATE")
        try:
            stored = dict(
                connection.execute("SELECT name, value FROM setting").fetchall()
            )
            if "currency" not in stored:
                now = require_aware(clock.now(), "clock")
                calendar = PeriodCalendar(billing_day, ZoneInfo(time_zone))
                settings = {
                    **wanted,
                    "open_period_key": str(calendar.containing(now).key),
                }
                connection.executemany(
                    "INSERT INTO setting (name, value) VALUES (?, ?)", settings.items()
                )
                connection.execute(
                    "INSERT INTO account (account_id, name, kind, opened_at)"
                    " VALUES (?, 'Landlord', 'landlord', ?)",
                    (LANDLORD_ACCOUNT_ID, to_us(now)),
                )
            else:
                for name, value in wanted.items():
                    if stored[name] != value:
                        raise BillingError(
                            "ledger_settings_mismatch",
                            "The ledger was created with {name} {stored}, not {value}",
                            name=name,
                            stored=stored[name],
                            value=value,
                        )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def set_tariff(
        self, tariff: Tariff, effective_from: date, user: str | None
    ) -> None:
        """Use `tariff` from local midnight of `effective_from` on."""
        if not isinstance(tariff, Tariff):
            raise BillingError(
                "tariff_invalid", "Not a tariff: {value!r}", value=tariff
            )
        if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
            raise BillingError(
                "date_invalid",
                "Effective date must be a date, got {value!r}",
                value=effective_from,
            )
        if not EARLIEST.date() <= effective_from < LATEST.date():
            raise BillingError(
                "time_out_of_range",
                "Effective date {value} is out of range",
                value=effective_from,
            )
        try:
            parse_amount(tariff.monthly_fee, self.currency, "monthly fee")
        except BillingError as err:
            raise BillingError(
                "tariff_invalid",
                "Monthly fee {fee} does not fit {currency}",
                fee=tariff.monthly_fee,
                currency=self.currency,
            ) from err
        effective_at = local_midnight(effective_from, self.zone)
        with self._write():
            priced_until = self._db.execute(
                "SELECT MAX(reading_at) FROM room"
            ).fetchone()[0]
            floor = priced_until or 0
            if to_us(effective_at) < floor:
                raise BillingError(
                    "tariff_in_past",
                    "Consumption up to {time} is already priced; a tariff cannot start on {day}",
                    time=from_us(floor).isoformat(),
                    day=effective_from,
                )
            self._db.execute(
                "INSERT INTO tariff (effective_from, effective_at, data, set_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (effective_from) DO UPDATE SET"
                " data = excluded.data, set_at = excluded.set_at",
                (
                    effective_from.isoformat(),
                    to_us(effective_at),
                    json.dumps(tariff.as_dict()),
                    to_us(self._now()),
                ),
            )
            self._log(
                "set_tariff",
                user,
                {"effective_from": effective_from, "tariff": tariff.as_dict()},
            )
            self._reload_tariffs()

    def tariff_at(self, instant: datetime) -> Tariff | None:
        """The tariff in force at an instant."""
        with self._lock:
            return self._pricer.timeline.at(require_aware(instant))

    def open_account(
        self, account_id: str, name: str, kind: str = "tenant", user: str | None = None
    ) -> None:
        """Open a tenant account (the landlord account exists from the start)."""
        check_id(account_id, "account")
        check_text(name, "name")
        if kind not in ("tenant", "landlord"):
            raise BillingError(
                "account_kind_invalid", "Unknown account kind {kind}", kind=kind
            )
        if kind == "landlord":
            raise BillingError(
                "landlord_exists",
                "The ledger has one landlord account, {account}",
                account=LANDLORD_ACCOUNT_ID,
            )
        with self._write():
            if self._db.execute(
                "SELECT 1 FROM account WHERE account_id = ?", (account_id,)
            ).fetchone():
                raise BillingError(
                    "account_exists",
                    "Account {account} already exists",
                    account=account_id,
                )
            self._db.execute(
                "INSERT INTO account (account_id, name, kind, opened_at) VALUES (?, ?, ?, ?)",
                (account_id, name, kind, to_us(self._now())),
            )
            key = self._account(account_id).key
            self._log(
                "open_account",
                user,
                {"account_id": account_id, "name": name},
                key,
                0,
                0,
            )

    def add_room(self, room_id: str, name: str, user: str | None = None) -> None:
        """Add a room (vacant: its energy is charged to the landlord account)."""
        check_id(room_id, "room")
        check_text(name, "name")
        with self._write():
            if self._db.execute(
                "SELECT 1 FROM room WHERE room_id = ?", (room_id,)
            ).fetchone():
                raise BillingError(
                    "room_exists", "Room {room} already exists", room=room_id
                )
            self._db.execute(
                "INSERT INTO room (room_id, name, added_at) VALUES (?, ?, ?)",
                (room_id, name, to_us(self._now())),
            )
            self._log("add_room", user, {"room_id": room_id, "name": name})

    def record_consumption(
        self, deltas: Iterable[ConsumptionDelta], now: datetime
    ) -> ConsumptionResult:
        """Price and charge one poll cycle of deltas in one transaction."""
        now_utc = self._check_time(now, "now", now=require_aware(now, "now"))
        batch_deltas = list(deltas)
        for delta in batch_deltas:
            check_delta(delta, now_utc)
        with self._write():
            batch = ChargeBatch.empty()
            open_period = self._open_period()
            rooms: dict[str, tuple[int, int | None, int | None]] = {}
            applied: list[str] = []
            already: list[str] = []
            for delta in batch_deltas:
                if delta.room_id not in rooms:
                    rooms[delta.room_id] = self._room(delta.room_id)
                key, reading, reading_at = rooms[delta.room_id]
                if reading is not None and delta.from_reading_wh != reading:
                    if delta.to_reading_wh <= reading:
                        already.append(delta.room_id)
                        continue
                    code = (
                        "reading_overlap"
                        if delta.from_reading_wh < reading
                        else "reading_gap"
                    )
                    raise BillingError(
                        code,
                        "Room {room}: delta from {start} Wh does not continue the last reading {last} Wh",
                        room=delta.room_id,
                        start=delta.from_reading_wh,
                        last=reading,
                    )
                start = to_us(delta.start)
                end = to_us(delta.end)
                if reading_at is not None:
                    start, end = max(start, reading_at), max(end, reading_at)
                self._charge_energy(
                    batch,
                    key,
                    self._payer(key),
                    start,
                    end,
                    delta.wh,
                    delta.from_reading_wh,
                    open_period,
                )
                rooms[delta.room_id] = (key, delta.to_reading_wh, end)
                applied.append(delta.room_id)
            self._flush(batch)
            self._db.executemany(
                "UPDATE room SET reading_wh = ?, reading_at = ? WHERE key = ?",
                [(reading, at, key) for key, reading, at in rooms.values()],
            )
            today = now_utc.astimezone(self.zone).date()
            self._seal("at < ?", (self._day_start_us(today),))
            balances = {
                account_id: self._amount(balance)
                for account_id, balance in self._db.execute(
                    "SELECT account_id, balance_minor FROM account WHERE key IN"
                    f" ({','.join('?' * len(batch.balance_change))})",
                    list(batch.balance_change),
                )
            }
        return ConsumptionResult(tuple(applied), tuple(already), balances)

    def flush_pending(self) -> None:
        """Seal every pending charge into the journal now (e.g. before a backup)."""
        with self._write():
            self._seal("1", ())

    def recharge(
        self,
        account_id: str,
        amount: str | int | Decimal,
        reference: str,
        user: str | None = None,
    ) -> MoneyResult:
        """Add prepaid money; a repeated reference is answered "already applied"."""
        value = parse_positive_amount(amount, self.currency)
        if value > self._max_recharge:
            raise BillingError(
                "amount_above_maximum",
                "Recharge {amount} is above the maximum {maximum}",
                amount=value,
                maximum=self._max_recharge,
            )
        check_reference(reference)
        minor = to_minor(value, self.currency)
        with self._write():
            account = self._account(account_id)
            existing = self._existing_reference("recharge", reference, account, minor)
            if existing is not None:
                return self._already_applied(existing, account, account_id, value)
            if account.closed_at is not None and -account.balance_minor < minor:
                raise BillingError(
                    "account_closed",
                    "Account {account} is closed; only its arrears can be paid",
                    account=account_id,
                )
            return self._post(
                account, account_id, "recharge", value, minor, reference, user
            )

    def refund(
        self,
        account_id: str,
        amount: str | int | Decimal,
        reference: str | None = None,
        user: str | None = None,
    ) -> MoneyResult:
        """Pay money back to a tenant, never more than the balance.

        A closed account can be refunded too: a correction after the move-out
        may leave it credit that is still the tenant's.
        """
        value = parse_positive_amount(amount, self.currency)
        if reference is not None:
            check_reference(reference)
        minor = to_minor(value, self.currency)
        with self._write():
            account = self._account(account_id)
            if reference is not None:
                existing = self._existing_reference("refund", reference, account, minor)
                if existing is not None:
                    return self._already_applied(existing, account, account_id, value)
            if minor > account.balance_minor:
                raise BillingError(
                    "refund_above_balance",
                    "Refund {amount} is above the balance {balance} of {account}",
                    amount=value,
                    balance=self._amount(account.balance_minor),
                    account=account_id,
                )
            return self._post(
                account, account_id, "refund", value, -minor, reference, user
            )

    def _already_applied(
        self, entry_id: int, account: AccountRow, account_id: str, value: Decimal
    ) -> MoneyResult:
        """The answer to a repeated reference: nothing written, the balance as it is."""
        return MoneyResult(
            False, entry_id, account_id, value, self._amount(account.balance_minor)
        )

    def _post(
        self,
        account: AccountRow,
        account_id: str,
        kind: str,
        value: Decimal,
        minor: int,
        reference: str | None,
        user: str | None,
    ) -> MoneyResult:
        """Append one money row to the journal and log the operation (inside a write)."""
        (entry_id,) = self._append(
            [
                NewEntry(
                    to_us(self._now()),
                    account.key,
                    kind,
                    minor,
                    reference=reference,
                    user_id=user,
                )
            ]
        )
        after = self._balance_minor(account.key)
        self._log(
            kind,
            user,
            {"account_id": account_id, "amount": value, "reference": reference},
            account.key,
            account.balance_minor,
            after,
        )
        return MoneyResult(True, entry_id, account_id, value, self._amount(after))

    def correct(
        self,
        entry_id: int,
        reason: str,
        user: str | None = None,
        account_id: str | None = None,
    ) -> MoneyResult:
        """Reverse a journal row with a new row that names it.

        With `account_id`, only a row of that account can be corrected.
        """
        check_text(reason, "reason")
        if isinstance(entry_id, bool) or not isinstance(entry_id, int):
            raise BillingError(
                "unknown_entry", "There is no journal entry {entry}", entry=entry_id
            )
        with self._write():
            row = self._db.execute(
                "SELECT account_key, kind, amount_minor, room_key, period_key FROM journal WHERE id = ?",
                (entry_id,),
            ).fetchone()
            if row is None:
                raise BillingError(
                    "unknown_entry", "There is no journal entry {entry}", entry=entry_id
                )
            account_key, kind, amount_minor, room_key, period_key = row
            if account_id is not None and account_key != self._account(account_id).key:
                raise BillingError(
                    "unknown_entry", "There is no journal entry {entry}", entry=entry_id
                )
            if kind == "correction":
                raise BillingError(
                    "cannot_correct_correction",
                    "Entry {entry} is a correction; correct the original instead",
                    entry=entry_id,
                )
            if self._db.execute(
                "SELECT 1 FROM journal WHERE corrects = ?", (entry_id,)
            ).fetchone():
                raise BillingError(
                    "already_corrected",
                    "Entry {entry} was already corrected",
                    entry=entry_id,
                )
            before = self._balance_minor(account_key)
            (new_id,) = self._append(
                [
                    NewEntry(
                        to_us(self._now()),
                        account_key,
                        "correction",
                        -amount_minor,
                        room_key=room_key,
                        period_key=period_key,
                        corrects=entry_id,
                        note=reason,
                        user_id=user,
                    )
                ]
            )
            after = self._balance_minor(account_key)
            self._log(
                "correct",
                user,
                {"entry_id": entry_id, "reason": reason},
                account_key,
                before,
                after,
            )
            account_id = self._db.execute(
                "SELECT account_id FROM account WHERE key = ?", (account_key,)
            ).fetchone()[0]
        return MoneyResult(
            True, new_id, account_id, self._amount(-amount_minor), self._amount(after)
        )

    def balance(self, account_id: str) -> Decimal:
        """The current balance, including this hour's charges."""
        with self._lock:
            return self._amount(self._account(account_id).balance_minor)

    def move_in(
        self,
        room_id: str,
        account_id: str,
        at: datetime,
        reading_wh: int,
        user: str | None = None,
    ) -> None:
        """Assign a vacant room to a tenant from `at`, at meter reading `reading_wh`.

        Energy between the room's last reading and `reading_wh` is charged to
        the landlord account (the room was vacant).
        """
        at_utc = self._check_time(at, "move-in time")
        check_reading(reading_wh, "move-in reading")
        with self._write():
            room_key, reading, reading_at = self._room(room_id)
            account = self._open_account(account_id)
            if account.kind != "tenant":
                raise BillingError(
                    "account_not_tenant",
                    "Account {account} is not a tenant",
                    account=account_id,
                )
            if self._payer(room_key) != self._landlord_key:
                raise BillingError(
                    "room_occupied", "Room {room} is occupied", room=room_id
                )
            at_us = self._advance_reading(
                room_key, reading, reading_at, at_utc, reading_wh, room_id
            )
            self._db.execute(
                "INSERT INTO occupancy (room_key, account_key, start_at, start_reading_wh)"
                " VALUES (?, ?, ?, ?)",
                (room_key, account.key, at_us, reading_wh),
            )
            self._log(
                "move_in",
                user,
                {
                    "room_id": room_id,
                    "account_id": account_id,
                    "at": at_utc,
                    "reading_wh": reading_wh,
                },
                account.key,
                account.balance_minor,
                self._balance_minor(account.key),
            )

    def move_out(
        self,
        account_id: str,
        at: datetime,
        user: str | None = None,
        final_readings_wh: Mapping[str, int] | None = None,
    ) -> Settlement:
        """End a tenancy: final deduction, fee share, refund of the remainder, close.

        `final_readings_wh` (room id -> meter reading) charges energy since the
        last recorded reading; without it the last recorded reading is final.
        Arrears stay on the closed account (it accepts recharges up to them).
        """
        at_utc = self._check_time(at, "move-out time")
        for reading in (final_readings_wh or {}).values():
            check_reading(reading, "final reading")
        with self._write():
            account = self._open_account(account_id)
            if account.kind != "tenant":
                raise BillingError(
                    "account_not_tenant",
                    "Account {account} is not a tenant",
                    account=account_id,
                )
            self._close_due(at_utc)
            start_balance = self._balance_minor(account.key)
            occupancies = self._db.execute(
                "SELECT o.id, o.room_key, o.start_at, r.room_id, r.reading_wh, r.reading_at"
                " FROM occupancy o JOIN room r ON r.key = o.room_key"
                " WHERE o.account_key = ? AND o.end_at IS NULL",
                (account.key,),
            ).fetchall()
            unknown = set(final_readings_wh or {}) - {row[3] for row in occupancies}
            if unknown:
                raise BillingError(
                    "room_not_held",
                    "Account {account} does not hold room {room}",
                    account=account_id,
                    room=", ".join(sorted(unknown)),
                )
            at_us = to_us(at_utc)
            for occupancy_id, room_key, _, room_id, reading, reading_at in occupancies:
                final = (final_readings_wh or {}).get(room_id, reading)
                if final is not None:
                    self._advance_reading(
                        room_key, reading, reading_at, at_utc, final, room_id
                    )
                self._db.execute(
                    "UPDATE occupancy SET end_at = ?, end_reading_wh = ? WHERE id = ?",
                    (at_us, final if final is not None else 0, occupancy_id),
                )
            energy_minor = start_balance - self._balance_minor(account.key)
            self._seal("account_key = ?", (account.key,))
            period = self._open_period()
            # Every tenancy of the period, also rooms ended earlier in it: period
            # close charges only accounts still open.
            in_period = self._db.execute(
                "SELECT account_key, room_key, start_at, end_at FROM occupancy"
                " WHERE account_key = ? AND start_at < ? AND end_at > ?",
                (account.key, to_us(period.end), to_us(period.start)),
            ).fetchall()
            fee_entries = self._fee_entries(
                period,
                [tuple(row) for row in in_period],
                min(at_us, to_us(period.end) - 1),
            )
            self._append(fee_entries)
            balance = self._balance_minor(account.key)
            refunded = max(balance, 0)
            if refunded:
                self._append(
                    [
                        NewEntry(
                            at_us, account.key, "settlement", -refunded, user_id=user
                        )
                    ]
                )
            self._db.execute(
                "UPDATE account SET closed_at = ? WHERE key = ?", (at_us, account.key)
            )
            after = self._balance_minor(account.key)
            self._log(
                "move_out",
                user,
                {
                    "account_id": account_id,
                    "at": at_utc,
                    "final_readings_wh": dict(final_readings_wh or {}),
                },
                account.key,
                start_balance,
                after,
            )
        return Settlement(
            account_id=account_id,
            at=at_utc,
            final_energy_charge=self._amount(energy_minor),
            fees=self._amount(sum(-entry.amount_minor for entry in fee_entries)),
            refunded=self._amount(refunded),
            arrears=self._amount(max(-after, 0)),
            balance=self._amount(after),
        )

    def end_occupancy(
        self,
        room_id: str,
        at: datetime,
        reading_wh: int | None,
        user: str | None = None,
    ) -> str:
        """End the tenancy of one room (a room taken out of service); returns its tenant.

        The tenant pays the room's energy up to `reading_wh` (None: the last
        recorded reading) and its monthly fee prorated to `at` (at period
        close, or at move-out if the tenant leaves first). The account stays
        open; the room's later energy is the landlord's.
        """
        at_utc = self._check_time(at, "end of occupancy")
        if reading_wh is not None:
            check_reading(reading_wh, "final reading")
        with self._write():
            room_key, reading, reading_at = self._room(room_id)
            row = self._db.execute(
                "SELECT o.id, a.account_id FROM occupancy o JOIN account a"
                " ON a.key = o.account_key WHERE o.room_key = ? AND o.end_at IS NULL",
                (room_key,),
            ).fetchone()
            if row is None:
                raise BillingError(
                    "room_not_held", "Room {room} is not held by a tenant", room=room_id
                )
            occupancy_id, account_id = int(row[0]), str(row[1])
            account = self._account(account_id)
            final = reading if reading_wh is None else reading_wh
            at_us = to_us(at_utc)
            if final is not None:
                at_us = self._advance_reading(
                    room_key, reading, reading_at, at_utc, final, room_id
                )
            self._db.execute(
                "UPDATE occupancy SET end_at = ?, end_reading_wh = ? WHERE id = ?",
                (at_us, final if final is not None else 0, occupancy_id),
            )
            self._log(
                "end_occupancy",
                user,
                {
                    "room_id": room_id,
                    "account_id": account_id,
                    "at": at_utc,
                    "reading_wh": final,
                },
                account.key,
                account.balance_minor,
                self._balance_minor(account.key),
            )
        return account_id

    def replace_meter(
        self,
        room_id: str,
        at: datetime,
        old_final_wh: int,
        new_start_wh: int,
        user: str | None = None,
    ) -> None:
        """Charge the old meter up to its final reading and start the new one."""
        at_utc = self._check_time(at, "replacement time")
        check_reading(old_final_wh, "old meter final reading")
        check_reading(new_start_wh, "new meter start reading")
        with self._write():
            room_key, reading, reading_at = self._room(room_id)
            at_us = self._advance_reading(
                room_key, reading, reading_at, at_utc, old_final_wh, room_id
            )
            self._db.execute(
                "UPDATE room SET reading_wh = ?, reading_at = ? WHERE key = ?",
                (new_start_wh, at_us, room_key),
            )
            self._db.execute(
                "INSERT INTO meter_replacement (room_key, at, old_final_wh, new_start_wh)"
                " VALUES (?, ?, ?, ?)",
                (room_key, at_us, old_final_wh, new_start_wh),
            )
            self._log(
                "replace_meter",
                user,
                {
                    "room_id": room_id,
                    "at": at_utc,
                    "old_final_wh": old_final_wh,
                    "new_start_wh": new_start_wh,
                },
            )

    def close_due_periods(self, now: datetime) -> list[Bill]:
        """Close every period that ended by `now` (also ones missed while down)."""
        now_utc = self._check_time(now, "now", now=require_aware(now, "now"))
        with self._write():
            return self._close_due(now_utc)

    def verify_chain(self) -> list[ChainProblem]:
        """Problems in the journal chain and in the cached balances (empty: all good)."""
        with self._read():
            problems = journal.verify(self._db)
            for account_id, cached, journal_sum, pending in self._db.execute(
                "SELECT a.account_id, a.balance_minor,"
                " (SELECT COALESCE(SUM(amount_minor), 0) FROM journal j WHERE j.account_key = a.key),"
                " (SELECT COALESCE(SUM(minor), 0) FROM pending_charge p WHERE p.account_key = a.key)"
                " FROM account a"
            ):
                if cached != journal_sum - pending:
                    problems.append(
                        ChainProblem(
                            None, f"balance of {account_id} does not match its journal"
                        )
                    )
            return problems

    def journal_entries(self, account_id: str | None = None) -> list[JournalEntry]:
        """Journal rows, oldest first (optionally of one account)."""
        with self._read():
            key = None if account_id is None else self._account(account_id).key
            return self._reports.entries(account_key=key)

    def bill(self, account_id: str, period_start: date | None = None) -> Bill:
        """The bill of the period containing `period_start` (default: the open period)."""
        with self._read():
            account = self._account(account_id)
            open_period = self._open_period()
            period = (
                open_period
                if period_start is None
                else self.calendar.containing_date(period_start)
            )
            return self._reports.bill(
                account.key, period, closed=period.key < open_period.key
            )

    def usage(self, now: datetime, account_id: str | None = None) -> Usage:
        """Usage of the period containing `now`: total, per room, per day."""
        with self._read():
            key = None if account_id is None else self._account(account_id).key
            return self._reports.usage(
                self.calendar.containing(require_aware(now)), key
            )

    def recharges(
        self, start: datetime, end: datetime, account_id: str | None = None
    ) -> list[JournalEntry]:
        """Recharges with start <= time < end."""
        with self._read():
            key = None if account_id is None else self._account(account_id).key
            return self._reports.entries(
                account_key=key,
                kinds=("recharge",),
                start=to_us(require_aware(start)),
                end=to_us(require_aware(end)),
            )

    def inventory(self, at: datetime) -> Inventory:
        """Every account's balance at a moment."""
        with self._read():
            return self._reports.inventory(require_aware(at))

    def income_expenditure(self, period_start: date) -> IncomeExpenditure:
        """Money movements of the period containing `period_start`."""
        with self._read():
            return self._reports.income_expenditure(
                self.calendar.containing_date(period_start)
            )

    def operations(
        self,
        start: datetime,
        end: datetime,
        account_id: str | None = None,
        limit: int = 1000,
    ) -> list[Operation]:
        """Operation log rows with start <= time < end, oldest first."""
        with self._read():
            key = None if account_id is None else self._account(account_id).key
            return self._reports.operations(
                to_us(require_aware(start)), to_us(require_aware(end)), key, limit
            )

    def energy_comparison(self, now: datetime) -> EnergyComparison:
        """This period against the previous one, room by room."""
        with self._read():
            return self._reports.energy_comparison(
                self.calendar.containing(require_aware(now))
            )

    def payment_trends(self, now: datetime, periods: int = 12) -> list[PaymentMonth]:
        """Recharges (count and amount) of the last `periods` billing periods."""
        with self._read():
            return self._reports.payment_trends(
                self.calendar.containing(require_aware(now)), periods
            )

    def room_reading(self, room_id: str) -> tuple[int | None, datetime | None]:
        """The last billed meter reading of a room (Wh) and when it was taken."""
        with self._read():
            _key, reading, reading_at = self._room(room_id)
        return reading, None if reading_at is None else from_us(reading_at)

    def known_ids(self) -> tuple[set[str], set[str]]:
        """The room ids and the tenant account ids (open or closed) in the ledger."""
        with self._read():
            rooms = {row[0] for row in self._db.execute("SELECT room_id FROM room")}
            accounts = {
                row[0]
                for row in self._db.execute(
                    "SELECT account_id FROM account WHERE kind = 'tenant'"
                )
            }
        return rooms, accounts

    def open_accounts(self) -> dict[str, str]:
        """The open tenant accounts: account id -> name."""
        with self._read():
            return {
                str(row[0]): str(row[1])
                for row in self._db.execute(
                    "SELECT account_id, name FROM account"
                    " WHERE kind = 'tenant' AND closed_at IS NULL"
                )
            }

    def occupancy(self) -> dict[str, str]:
        """Who holds each occupied room now: room id -> account id."""
        with self._read():
            return {
                str(row[0]): str(row[1])
                for row in self._db.execute(
                    "SELECT r.room_id, a.account_id FROM occupancy o"
                    " JOIN room r ON r.key = o.room_key"
                    " JOIN account a ON a.key = o.account_key WHERE o.end_at IS NULL"
                )
            }

    def figures(self, now: datetime, days: int = 7) -> CycleFigures:
        """Balances, the open period's energy and charges, and recent daily costs."""
        instant = require_aware(now)
        with self._read():
            return self._reports.figures(
                self.calendar.containing(instant), instant, days
            )


def _unavailable(path: Path, error: sqlite3.Error) -> BillingError:
    return BillingError(
        "ledger_unavailable",
        "The ledger {path} cannot be opened: {error}",
        path=path,
        error=error,
    )
