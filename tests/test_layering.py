"""The device and domain libraries stay free of Home Assistant (DESIGN.md section 1)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "custom_components" / "yunjing"


def _imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("library", ["meters", "billing"])
def test_library_does_not_import_homeassistant(library: str) -> None:
    sources = sorted((PACKAGE / library).rglob("*.py"))
    assert sources, f"{library}/ has no Python files"
    offenders = {
        str(source.relative_to(PACKAGE)): sorted(
            name
            for name in _imported_modules(source)
            if name.split(".")[0] == "homeassistant"
        )
        for source in sources
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_detector_sees_an_import(tmp_path: Path) -> None:
    source = tmp_path / "bad.py"
    source.write_text("from homeassistant.core import HomeAssistant\nimport os\n")
    assert _imported_modules(source) == {"homeassistant.core", "os"}
