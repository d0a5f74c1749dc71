"""Crash safety: a writer killed with SIGKILL loses no acknowledged recharge."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
import random
import signal
import subprocess
import sys
import threading

from .ledger_helpers import FakeClock, opened

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = 6


def _run_until_killed(path: Path, first: int, delay: float) -> list[str]:
    """Start a writer, kill it `delay` seconds after it is ready; its acks."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path), str(first)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    acks: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "ready":
                ready.set()
            elif line.startswith("ack "):
                acks.append(line.split()[1])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert ready.wait(60), "writer did not start"
        threading.Event().wait(delay)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        reader.join()
        assert child.stdout is not None
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return acks


def test_sigkill_loses_no_acknowledged_recharge(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    clock = FakeClock(datetime(2024, 3, 1, 12, tzinfo=UTC))
    with opened(path, clock) as ledger:
        ledger.open_account("t1", "Tenant")
    chance = random.Random(20261203)
    acknowledged: list[str] = []
    next_number = 1
    for _ in range(ROUNDS):
        # The next writer retries the first unacknowledged reference: it may
        # or may not have been committed before the kill.
        acks = _run_until_killed(path, next_number, chance.uniform(0.05, 0.8))
        acknowledged.extend(acks)
        if acks:
            next_number = int(acks[-1].removeprefix("R-")) + 1
    assert len(acknowledged) > ROUNDS
    with opened(path, clock, with_tariff=False) as ledger:
        assert ledger.verify_chain() == []
        references = [
            e.reference for e in ledger.journal_entries("t1") if e.kind == "recharge"
        ]
        assert len(references) == len(set(references))
        assert set(acknowledged) <= set(references)
        assert (
            len(references) - len(acknowledged) <= ROUNDS
        )  # applied, killed before the ack
        assert ledger.balance("t1") == Decimal(len(references))
