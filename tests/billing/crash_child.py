"""Child process for the crash-safety test: writes recharges until killed.

Usage: python tests/billing/crash_child.py DB FIRST_NUMBER
Prints "ready" once the ledger is open, then "ack R-<n>" after each recharge
call has returned (committed).
"""

from __future__ import annotations

from datetime import UTC, datetime
import importlib
from pathlib import Path
import sys
import types

ROOT = Path(__file__).resolve().parents[2]


def import_billing_alone(module: str) -> types.ModuleType:
    """Import a billing module without running the integration's __init__."""
    for name, path in (
        ("custom_components", ROOT / "custom_components"),
        ("custom_components.yunjing", ROOT / "custom_components" / "yunjing"),
    ):
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules.setdefault(name, package)
    return importlib.import_module(f"custom_components.yunjing.billing.{module}")


class _Clock:
    def now(self) -> datetime:
        return datetime(2024, 3, 1, 12, tzinfo=UTC)


def main() -> None:
    """Recharge t1 with R-<first>, R-<first+1>, ... forever."""
    path, first = Path(sys.argv[1]), int(sys.argv[2])
    ledger = import_billing_alone("ledger").Ledger.open(
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
