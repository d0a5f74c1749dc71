"""Child process for the crash-safety test: writes recharges until killed.

Usage: python -m tests.billing.crash_child DB FIRST_NUMBER
Prints "ready" once the ledger is open, then "ack R-<n>" after each recharge
call has returned (committed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
import sys

from custom_components.yunjing.billing.ledger import Ledger


class _Clock:
    def now(self) -> datetime:
        return datetime(2024, 3, 1, 12, tzinfo=UTC)


def main() -> None:
    """Recharge t1 with R-<first>, R-<first+1>, ... forever."""
    path, first = Path(sys.argv[1]), int(sys.argv[2])
    ledger = Ledger.open(
        path, currency="CNY", time_zone="UTC", billing_day=1, clock=_Clock()
    )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    number = first
    while True:
        ledger.recharge("t1", "1.00", f"R-{number}")
        sys.stdout.write(f"ack R-{number}\n")
        sys.stdout.flush()
        number += 1


if __name__ == "__main__":
    main()
