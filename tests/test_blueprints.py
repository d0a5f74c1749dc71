"""The automation blueprints: offered on setup, and each one runs on its event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.yunjing.blueprints import SOURCE, async_install_blueprints

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "blueprints" / "automation" / "yunjing"
NAMES = [
    "bill_statement.yaml",
    "load_trip.yaml",
    "low_balance.yaml",
    "power_cut_restored.yaml",
    "recharge_receipt.yaml",
]

TENANT: dict[str, Any] = {
    "hub": "hub-entry",
    "tenant": "tenant-subentry",
    "tenant_device_id": "li-lei-device",
    "tenant_name": "Li Lei",
    "language": "en",
    "notify_targets": ["notify.li_lei_configured"],
    "currency": "CNY",
}
ROOM: dict[str, Any] = TENANT | {
    "room": "room-subentry",
    "room_device_id": "room-101-device",
    "room_name": "101",
}


def test_published_blueprints_are_the_ones_the_integration_ships() -> None:
    assert sorted(path.name for path in PUBLISHED.glob("*.yaml")) == NAMES
    for name in NAMES:
        assert (PUBLISHED / name).read_text() == (SOURCE / name).read_text(), name


def _edit(target: Path) -> None:
    target.mkdir(parents=True)
    (target / "low_balance.yaml").write_text("# the landlord's own version\n")


def _contents(target: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(target.glob("*.yaml"))}


async def test_setup_copies_missing_blueprints_and_keeps_edited_ones(
    hass: HomeAssistant,
) -> None:
    target = Path(hass.config.path("blueprints", "automation", "yunjing"))
    await hass.async_add_executor_job(_edit, target)
    await async_install_blueprints(hass)
    installed = await hass.async_add_executor_job(_contents, target)
    shipped = await hass.async_add_executor_job(_contents, SOURCE)
    assert sorted(installed) == NAMES
    assert installed["low_balance.yaml"] == "# the landlord's own version\n"
    for name in NAMES:
        if name != "low_balance.yaml":
            assert installed[name] == shipped[name], name


async def test_a_deleted_blueprint_is_not_offered_again(hass: HomeAssistant) -> None:
    target = Path(hass.config.path("blueprints", "automation", "yunjing"))
    await async_install_blueprints(hass)
    await hass.async_add_executor_job((target / "low_balance.yaml").unlink)
    await async_install_blueprints(hass)
    installed = await hass.async_add_executor_job(_contents, target)
    assert sorted(installed) == [name for name in NAMES if name != "low_balance.yaml"]


async def _automation(
    hass: HomeAssistant, blueprint: str, **inputs: Any
) -> tuple[list[ServiceCall], list[ServiceCall], list[ServiceCall]]:
    """The blueprint installed and used by one automation; calls to the landlord, tenant, configured targets."""
    await async_install_blueprints(hass)
    landlord = async_mock_service(hass, "notify", "landlord_phone")
    tenant = async_mock_service(hass, "notify", "mobile_app_li_lei")
    configured = async_mock_service(hass, "notify", "li_lei_configured")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "use_blueprint": {
                        "path": f"yunjing/{blueprint}",
                        "input": {
                            "landlord_targets": ["notify.landlord_phone"],
                            "tenant_targets": ["mobile_app_li_lei"],
                        }
                        | inputs,
                    }
                }
            ]
        },
    )
    await hass.async_block_till_done()
    return landlord, tenant, configured


def _sent(calls: list[ServiceCall]) -> list[tuple[str, str]]:
    return [(call.data["title"], call.data["message"]) for call in calls]


async def test_low_balance_tells_tenant_and_landlord(hass: HomeAssistant) -> None:
    landlord, tenant, configured = await _automation(hass, "low_balance.yaml")
    hass.bus.async_fire(
        "yunjing_balance_alarm",
        TENANT
        | {
            "level": "level_1",
            "balance": "19.50",
            "threshold": "20.00",
            "days_left": 6,
        },
    )
    await hass.async_block_till_done()
    expected = [
        (
            "Electricity balance low",
            "Li Lei: balance 19.50 CNY (alarm at 20.00). About 6 days left. Please recharge.",
        )
    ]
    assert _sent(landlord) == expected
    assert _sent(tenant) == expected
    assert configured == []  # the tenant's own targets only when asked


async def test_low_balance_filters_levels_tenants_and_hub(hass: HomeAssistant) -> None:
    landlord, _tenant, configured = await _automation(
        hass,
        "low_balance.yaml",
        levels=["arrears"],
        tenants=["li-lei-device"],
        hub="hub-entry",
        use_tenant_targets=True,
    )
    alarm = TENANT | {"balance": "-0.20", "threshold": "0.00", "days_left": None}
    hass.bus.async_fire("yunjing_balance_alarm", alarm | {"level": "level_2"})
    hass.bus.async_fire(
        "yunjing_balance_alarm",
        alarm | {"level": "arrears", "tenant_device_id": "someone-else"},
    )
    hass.bus.async_fire(
        "yunjing_balance_alarm", alarm | {"level": "arrears", "hub": "other-hub"}
    )
    await hass.async_block_till_done()
    assert landlord == []
    hass.bus.async_fire("yunjing_balance_alarm", alarm | {"level": "arrears"})
    await hass.async_block_till_done()
    expected = [
        (
            "Electricity in arrears",
            "Li Lei: balance -0.20 CNY (alarm at 0.00). Please recharge.",
        )
    ]
    assert _sent(landlord) == expected
    assert _sent(configured) == expected


async def test_power_cut_and_restored(hass: HomeAssistant) -> None:
    landlord, tenant, _configured = await _automation(hass, "power_cut_restored.yaml")
    hass.bus.async_fire(
        "yunjing_power_cut", ROOM | {"reason": "arrears", "balance": "-0.40"}
    )
    await hass.async_block_till_done()
    hass.bus.async_fire(
        "yunjing_power_restored", ROOM | {"reason": "recharged", "balance": "49.60"}
    )
    await hass.async_block_till_done()
    assert _sent(landlord) == [
        (
            "Power cut: room 101",
            "Room 101 (Li Lei): power cut (arrears), balance -0.40 CNY. Recharge to restore it.",
        ),
        (
            "Power restored: room 101",
            "Room 101 (Li Lei): power restored (recharged), balance 49.60 CNY.",
        ),
    ]
    assert _sent(tenant) == _sent(landlord)


async def test_load_trip_and_lockout(hass: HomeAssistant) -> None:
    landlord, _tenant, _configured = await _automation(hass, "load_trip.yaml")
    hass.bus.async_fire(
        "yunjing_load_trip",
        ROOM
        | {
            "violation": "resistive",
            "power_w": 2000.0,
            "action": "trip",
            "reclose_at": None,
            "reclosures_left": 2,
        },
    )
    await hass.async_block_till_done()
    hass.bus.async_fire(
        "yunjing_lockout", ROOM | {"violation": "over_power", "power_w": 6100.0}
    )
    await hass.async_block_till_done()
    assert _sent(landlord) == [
        (
            "Load protection: room 101",
            "Room 101 (Li Lei): power tripped (resistive, 2000.0 W).",
        ),
        (
            "Locked out: room 101",
            "Room 101 (Li Lei): power locked off after repeated trips"
            " (over_power, 6100.0 W); the landlord must reset it.",
        ),
    ]


async def test_bill_issued_sends_the_statement(hass: HomeAssistant) -> None:
    landlord, tenant, _configured = await _automation(hass, "bill_statement.yaml")
    hass.bus.async_fire(
        "yunjing_bill_issued",
        TENANT
        | {
            "period_start": "2026-11-01",
            "period_end": "2026-12-01",
            "opening_balance": "35.00",
            "closing_balance": "12.30",
            "energy_charged": "72.70",
            "fees": "0.00",
            "recharges": "50.00",
        },
    )
    await hass.async_block_till_done()
    expected = [
        (
            "Electricity statement 2026-11-01 to 2026-12-01",
            "Li Lei: opening balance 35.00, electricity 72.70, fees 0.00,"
            " recharges 50.00, closing balance 12.30 CNY.",
        )
    ]
    assert _sent(tenant) == expected
    assert _sent(landlord) == expected


async def test_statement_of_vacant_rooms_charged_to_the_landlord(
    hass: HomeAssistant,
) -> None:
    landlord, _tenant, _configured = await _automation(hass, "bill_statement.yaml")
    no_tenant: dict[str, Any] = {
        "tenant": None,
        "tenant_device_id": None,
        "tenant_name": None,
        "notify_targets": [],
    }
    hass.bus.async_fire(
        "yunjing_bill_issued",
        TENANT
        | no_tenant
        | {
            "period_start": "2026-12-01",
            "period_end": "2027-01-01",
            "opening_balance": "0.00",
            "closing_balance": "-507.26",
            "energy_charged": "507.26",
            "fees": "0.00",
            "recharges": "0.00",
        },
    )
    await hass.async_block_till_done()
    assert _sent(landlord) == [
        (
            "Electricity statement 2026-12-01 to 2027-01-01",
            "Vacant rooms (landlord): opening balance 0.00, electricity 507.26,"
            " fees 0.00, recharges 0.00, closing balance -507.26 CNY.",
        )
    ]


@pytest.mark.parametrize("use_tenant_targets", [False, True])
async def test_recharge_receipt(hass: HomeAssistant, use_tenant_targets: bool) -> None:
    landlord, tenant, configured = await _automation(
        hass, "recharge_receipt.yaml", use_tenant_targets=use_tenant_targets
    )
    hass.bus.async_fire(
        "yunjing_recharge",
        TENANT | {"amount": "100.00", "balance": "112.30", "reference": "WX-1"},
    )
    await hass.async_block_till_done()
    expected = [
        (
            "Recharge received",
            "Li Lei: received 100.00 CNY (reference WX-1). New balance 112.30 CNY.",
        )
    ]
    assert _sent(tenant) == expected
    assert _sent(landlord) == expected
    assert _sent(configured) == (expected if use_tenant_targets else [])
