"""billing/ is a plain library: no homeassistant import, no float money."""

import ast
from pathlib import Path
import re

import pytest

BILLING = (
    Path(__file__).resolve().parents[2] / "custom_components" / "yunjing" / "billing"
)
MODULES = sorted(BILLING.rglob("*.py"))


def test_there_are_modules() -> None:
    assert {"ledger.py", "money.py", "tariff.py", "periods.py"} <= {
        m.name for m in MODULES
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_no_homeassistant_import(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.append(node.module)
    assert not [name for name in imported if name.split(".")[0] == "homeassistant"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_no_float(module: Path) -> None:
    assert not re.search(
        r"float\(|: float|-> float", module.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_clock_is_injected(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    assert not re.search(
        r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(", text
    )
