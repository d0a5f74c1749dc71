"""billing/ is a plain library: no homeassistant import, no float money."""

import ast
from pathlib import Path
import re
import subprocess
import sys

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


def test_billing_imports_without_homeassistant() -> None:
    """Every billing module imports in a fresh interpreter without loading homeassistant."""
    names = [m.stem for m in MODULES if m.stem != "__init__"]
    script = (
        "import sys, runpy\n"
        f"child = runpy.run_path({str(BILLING.parents[2] / 'tests' / 'billing' / 'crash_child.py')!r})\n"
        f"for name in {names!r}:\n"
        "    child['import_billing_alone'](name)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'homeassistant'], 'homeassistant imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
