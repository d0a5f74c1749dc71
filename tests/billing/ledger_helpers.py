"""Shared helpers for ledger tests: a settable clock and a ledger factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
import sqlite3
from typing import Any

from custom_components.yunjing.billing.ledger import Ledger
from custom_components.yunjing.billing.records import ConsumptionDelta
from custom_components.yunjing.billing.tariff import Tariff, flat_tariff


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> datetime:
        self.current = moment
        return moment


START = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)


def make_ledger(
    path: Path,
    clock: FakeClock,
    *,
    tariff: Tariff | None = None,
    with_tariff: bool = True,
    effective_from: date = date(2024, 1, 1),
    time_zone: str = "UTC",
    billing_day: int = 1,
    **options: Any,
) -> Ledger:
    """A ledger with a flat 0.20 tariff (unless given) from `effective_from`."""
    ledger = Ledger.open(
        path,
        currency="CNY",
        time_zone=time_zone,
        billing_day=billing_day,
        clock=clock,
        **options,
    )
    if with_tariff:
        ledger.set_tariff(tariff or flat_tariff("0.20"), effective_from, "admin")
    return ledger


@contextmanager
def opened(path: Path, clock: FakeClock, **kwargs: Any) -> Iterator[Ledger]:
    """`make_ledger` that always closes."""
    ledger = make_ledger(path, clock, **kwargs)
    try:
        yield ledger
    finally:
        ledger.close()


def delta(
    room_id: str, start: datetime, end: datetime, from_wh: int, to_wh: int
) -> ConsumptionDelta:
    """A delta between two readings."""
    return ConsumptionDelta(room_id, start, end, to_wh - from_wh, from_wh, to_wh)


class Meter:
    """Feeds a room's readings to the ledger as a real poller would."""

    def __init__(
        self, ledger: Ledger, room_id: str, at: datetime, reading_wh: int = 0
    ) -> None:
        self.ledger = ledger
        self.room_id = room_id
        self.at = at
        self.reading_wh = reading_wh

    def consume(self, wh: int, seconds: int = 3600) -> None:
        end = self.at + timedelta(seconds=seconds)
        self.ledger.record_consumption(
            [delta(self.room_id, self.at, end, self.reading_wh, self.reading_wh + wh)],
            end,
        )
        self.at = end
        self.reading_wh += wh


def table_snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read through a separate connection."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f"SELECT * FROM {table}").fetchall()
            for table in tables
        }
    finally:
        connection.close()
