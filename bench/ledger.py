"""Ledger benchmark: poll-cycle write time, durable recharges, database growth.

Usage: scripts/run python -m bench.ledger [--rooms 1000] [--cycles 30]
       [--recharges 300] [--sample-rooms 50] [--sample-hours 24] [--long-days 62]

1. Poll cycle: `--rooms` rooms, each with a tenant, on a time-of-use tariff;
   every cycle prices one 10 s delta per room and writes it in one
   transaction (`record_consumption`). The cycle crossing local midnight also
   seals the day's charges into the journal (one deduction row per room); it
   is reported separately.
2. Durable recharges: sequential `recharge` calls, each its own transaction
   with synchronous=FULL (an fsync per commit).
3. Database growth: storage grows per room and hour (one consumption row per
   room, hour, rate and tier), per room and day (one journal deduction row)
   and per room and month (room_period, bill), not per poll. We measure
   (a) `--sample-rooms` rooms polled every 10 s for `--sample-hours` hours and
   (b) the same rooms for `--long-days` days polled every 5 minutes (same rows
   per hour, 30x fewer calls, and month closes with bills), and extrapolate the
   bytes per room-hour of (b) to 100 room-years (876,000 room-hours). (a)
   checks that 10 s polling adds nothing per hour that (b) misses.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
import random
import sqlite3
import statistics
import tempfile
import time

from custom_components.yunjing.billing.ledger import Ledger
from custom_components.yunjing.billing.records import ConsumptionDelta
from custom_components.yunjing.billing.tariff import tariff_from_dict

TARIFF = tariff_from_dict(
    {
        "kind": "tou_tiered",
        "rates": {"peak": "0.62", "flat": "0.48", "valley": "0.31"},
        "workday": {
            "default": "flat",
            "windows": [
                {"start": "08:00", "end": "12:00", "rate": "peak"},
                {"start": "18:00", "end": "22:00", "rate": "peak"},
                {"start": "22:00", "end": "06:00", "rate": "valley"},
            ],
        },
        "holiday": {"default": "valley", "windows": []},
        "tiers": [
            {"up_to_kwh": "200", "surcharge": "0"},
            {"up_to_kwh": "400", "surcharge": "0.05"},
            {"up_to_kwh": None, "surcharge": "0.30"},
        ],
    }
)
START = datetime(2024, 1, 1, tzinfo=UTC)
ROOM_HOURS_PER_100_ROOM_YEARS = 100 * 8760


@dataclass
class Clock:
    """A clock the benchmark advances."""

    current: datetime

    def now(self) -> datetime:
        return self.current


class Building:
    """A ledger with `rooms` occupied rooms and their meters."""

    def __init__(self, path: Path, rooms: int, seed: int = 1) -> None:
        self.clock = Clock(START)
        self.ledger = Ledger.open(
            path,
            currency="CNY",
            time_zone="Asia/Shanghai",
            billing_day=1,
            clock=self.clock,
        )
        self.ledger.set_tariff(TARIFF, date(2023, 12, 1), None)
        self.room_ids = [f"room-{n:04d}" for n in range(rooms)]
        for n, room_id in enumerate(self.room_ids):
            self.ledger.add_room(room_id, room_id)
            self.ledger.open_account(f"tenant-{n:04d}", f"Tenant {n}")
            self.ledger.move_in(room_id, f"tenant-{n:04d}", START, 0)
            self.ledger.recharge(f"tenant-{n:04d}", "500.00", f"open-{n}")
        self.readings = dict.fromkeys(self.room_ids, 0)
        self.last = START
        self.random = random.Random(seed)

    def cycle(self, seconds: int) -> float:
        """One poll cycle of `seconds`; returns the write time in seconds."""
        end = self.last + timedelta(seconds=seconds)
        deltas = []
        for room_id in self.room_ids:
            # 0-1.2 kW average load
            wh = self.random.randint(0, 12 * seconds // 36)
            before = self.readings[room_id]
            deltas.append(
                ConsumptionDelta(room_id, self.last, end, wh, before, before + wh)
            )
            self.readings[room_id] = before + wh
        self.clock.current = end
        started = time.perf_counter()
        self.ledger.record_consumption(deltas, end)
        if local_day(end) != local_day(self.last):
            self.ledger.close_due_periods(end)
        elapsed = time.perf_counter() - started
        self.last = end
        return elapsed

    def close(self) -> None:
        self.ledger.close()


def local_day(instant: datetime) -> date:
    """The benchmark's local date (Asia/Shanghai, UTC+8 without DST)."""
    return (instant + timedelta(hours=8)).date()


def file_bytes(path: Path) -> int:
    """Size of the database after a checkpoint (WAL folded in)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        return int((pages - free) * page_size)
    finally:
        connection.close()


def bench_poll_cycle(directory: Path, rooms: int, cycles: int) -> None:
    building = Building(directory / "cycle.db", rooms)
    try:
        building.cycle(10)  # warm-up
        plain = [building.cycle(10) for _ in range(cycles)]
        # one cycle across local midnight: jump to 23:59:50 Shanghai time
        building.last = building.last.replace(hour=15, minute=59, second=50)
        sealing = building.cycle(10)
    finally:
        building.close()
    print(f"poll cycle, {rooms} rooms priced and written in one transaction:")
    print(
        f"  median {statistics.median(plain) * 1000:.1f} ms,"
        f" max {max(plain) * 1000:.1f} ms over {len(plain)} cycles"
    )
    print(
        f"  the cycle across local midnight (also seals {rooms} daily deduction rows"
        f" into the journal): {sealing * 1000:.1f} ms"
    )


def bench_recharges(directory: Path, count: int) -> None:
    clock = Clock(START)
    ledger = Ledger.open(
        directory / "recharge.db",
        currency="CNY",
        time_zone="Asia/Shanghai",
        billing_day=1,
        clock=clock,
    )
    try:
        ledger.open_account("t", "Tenant")
        started = time.perf_counter()
        for n in range(count):
            ledger.recharge("t", "10.00", f"R-{n}")
        elapsed = time.perf_counter() - started
    finally:
        ledger.close()
    print(
        f"durable recharges (synchronous=FULL, one transaction each): {count / elapsed:.0f}/s"
        f" ({elapsed / count * 1000:.2f} ms each, {count} sequential calls)"
    )


def bench_growth(
    directory: Path, rooms: int, sample_hours: int, long_days: int
) -> None:
    results = []
    for label, seconds, hours in (
        ("10 s polling", 10, sample_hours),
        ("5 min polling", 300, long_days * 24),
    ):
        path = directory / f"growth-{seconds}.db"
        building = Building(path, rooms)
        try:
            building.ledger.flush_pending()
        finally:
            building.close()
        baseline = file_bytes(path)
        building = Building.__new__(Building)
        building.clock = Clock(START)
        building.ledger = Ledger.open(
            path,
            currency="CNY",
            time_zone="Asia/Shanghai",
            billing_day=1,
            clock=building.clock,
        )
        building.room_ids = [f"room-{n:04d}" for n in range(rooms)]
        building.readings = dict.fromkeys(building.room_ids, 0)
        building.last = START
        building.random = random.Random(2)
        started = time.perf_counter()
        try:
            for _ in range(hours * 3600 // seconds):
                building.cycle(seconds)
            building.ledger.flush_pending()
        finally:
            building.close()
        elapsed = time.perf_counter() - started
        grown = file_bytes(path) - baseline
        per_room_hour = grown / (rooms * hours)
        results.append(per_room_hour)
        print(
            f"growth, {label}: {rooms} rooms x {hours} h -> {grown / 1e6:.2f} MB"
            f" = {per_room_hour:.0f} bytes per room-hour ({elapsed:.0f} s to write)"
        )
    per_100_room_years = results[-1] * ROOM_HOURS_PER_100_ROOM_YEARS
    print(
        f"database size per 100 room-years at 10 s polling (extrapolated from the"
        f" {long_days}-day run): {per_100_room_years / 1e6:.0f} MB;"
        f" 200 rooms for a year: {per_100_room_years * 2 / 1e6:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--recharges", type=int, default=300)
    parser.add_argument("--sample-rooms", type=int, default=50)
    parser.add_argument("--sample-hours", type=int, default=24)
    parser.add_argument("--long-days", type=int, default=62)
    parser.add_argument(
        "--directory",
        type=Path,
        default=None,
        help="where the files go (default: a temporary directory)",
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=arguments.directory) as name:
        directory = Path(name)
        bench_poll_cycle(directory, arguments.rooms, arguments.cycles)
        bench_recharges(directory, arguments.recharges)
        bench_growth(
            directory,
            arguments.sample_rooms,
            arguments.sample_hours,
            arguments.long_days,
        )


if __name__ == "__main__":
    main()
