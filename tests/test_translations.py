"""Translations: every error the user can meet is translated, in English and Chinese alike."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import string
from typing import Any

import pytest

COMPONENT = Path(__file__).parent.parent / "custom_components" / "yunjing"
LANGUAGES = ("en", "zh-Hans")


def _translations(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8")
    )
    return data


def _paths(tree: object, prefix: str = "") -> set[str]:
    if not isinstance(tree, dict):
        return {prefix}
    return {
        path
        for key, value in tree.items()
        for path in _paths(value, f"{prefix}.{key}" if prefix else key)
    }


def _billing_error_codes() -> dict[str, set[str]]:
    """Each code raised in billing/ with the placeholders its raise sites give."""
    codes: dict[str, set[str]] = {}
    for source in (COMPONENT / "billing").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "BillingError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                given = {keyword.arg for keyword in node.keywords if keyword.arg}
                codes.setdefault(str(node.args[0].value), given).intersection_update(
                    given
                )
    return codes


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_have_the_same_keys() -> None:
    assert _paths(_translations("en")) == _paths(_translations("zh-Hans"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_billing_error_is_translated_with_placeholders_it_is_given(
    language: str,
) -> None:
    exceptions = _translations(language)["exceptions"]
    codes = _billing_error_codes()
    assert len(codes) > 30
    missing = sorted(set(codes) - set(exceptions))
    assert missing == []
    unknown_placeholders = {
        code: sorted(_fields(exceptions[code]["message"]) - given)
        for code, given in codes.items()
        if _fields(exceptions[code]["message"]) - given
    }
    assert unknown_placeholders == {}


def test_every_error_key_raised_by_the_glue_is_translated() -> None:
    exceptions = _translations("en")["exceptions"]
    raisers = {
        "ServiceValidationError",
        "HomeAssistantError",
        "UpdateFailed",
        "ConfigEntryNotReady",
        "ConfigEntryError",
        "user_error",
    }
    keys: set[str] = set()
    for source in COMPONENT.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                not isinstance(node, ast.Call)
                or getattr(node.func, "id", None) not in raisers
            ):
                continue
            keys.update(
                str(keyword.value.value)
                for keyword in node.keywords
                if keyword.arg == "translation_key"
                and isinstance(keyword.value, ast.Constant)
            )
            if node.args and isinstance(node.args[0], ast.Constant):
                keys.add(str(node.args[0].value))
    assert keys
    assert sorted(keys - set(exceptions)) == []


def test_every_service_is_described_and_translated() -> None:
    import yaml  # type: ignore[import-untyped]

    services = yaml.safe_load((COMPONENT / "services.yaml").read_text(encoding="utf-8"))
    for language in LANGUAGES:
        translated = _translations(language)["services"]
        assert set(services) == set(translated), language
        for name, service in services.items():
            assert set(service.get("fields", {})) == set(translated[name]["fields"]), (
                language,
                name,
            )
