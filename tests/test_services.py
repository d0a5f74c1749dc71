"""Services on real Home Assistant: money operations, questions, bad input and permissions.

Expected figures are worked out by hand: rooms 101 and 102 each draw 1 kWh per
simulated hour, the flat price is 0.50 per kWh.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yunjing.const import DOMAIN
from custom_components.yunjing.meters.simulator import Simulator

from .test_init import device_id, poll_after, state


@pytest.fixture
def admin(hass_admin_user: Any) -> Context:
    return Context(user_id=hass_admin_user.id)


async def call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    context: Context,
    response: bool = True,
) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response, context=context
    )


def journal_size(hub: MockConfigEntry) -> int:
    return len(hub.runtime_data.coordinator.ledger.journal_entries())


async def test_recharge_is_applied_once_per_reference(
    hass: HomeAssistant, hub: MockConfigEntry, admin: Context
) -> None:
    tenant = device_id(hass, "lilei")
    first = await call(
        hass, "recharge", {"tenant": tenant, "amount": "100", "reference": "R-1"}, admin
    )
    again = await call(
        hass, "recharge", {"tenant": tenant, "amount": "100", "reference": "R-1"}, admin
    )
    assert (first["applied"], first["balance"]) == (True, "100.00")
    assert (again["applied"], again["balance"]) == (False, "100.00")
    await hass.async_block_till_done()
    assert state(hass, "sensor.li_lei_balance") == "100.00"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "recharge",
            {"tenant": tenant, "amount": "99", "reference": "R-1"},
            admin,
        )
    assert err.value.translation_key == "reference_amount_mismatch"


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("-5", "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_not_finite"),
        ("Infinity", "amount_not_finite"),
        ("0.001", "amount_too_precise"),
        ("1e12", "amount_too_large"),
        ("20000", "amount_above_maximum"),
    ],
)
async def test_bad_amounts_are_refused_and_write_nothing(
    hass: HomeAssistant, hub: MockConfigEntry, admin: Context, amount: str, error: str
) -> None:
    before = journal_size(hub)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "recharge",
            {
                "tenant": device_id(hass, "lilei"),
                "amount": amount,
                "reference": "R-bad",
            },
            admin,
        )
    assert err.value.translation_key == error
    assert journal_size(hub) == before


async def test_unknown_tenant_and_non_admin_are_refused(
    hass: HomeAssistant, hub: MockConfigEntry, admin: Context, hass_read_only_user: Any
) -> None:
    data = {"amount": "10", "reference": "R-9"}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "recharge", data | {"tenant": "no-such-device"}, admin)
    assert err.value.translation_key == "unknown_tenant_device"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "recharge", data | {"tenant": device_id(hass, "room101")}, admin
        )
    assert err.value.translation_key == "unknown_tenant_device"
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "recharge",
            data | {"tenant": device_id(hass, "lilei")},
            Context(user_id=hass_read_only_user.id),
        )
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "get_bill",
            {"tenant": device_id(hass, "lilei")},
            Context(user_id=hass_read_only_user.id),
        )
    assert journal_size(hub) == 0


async def test_refund_correct_and_their_limits(
    hass: HomeAssistant, hub: MockConfigEntry, admin: Context
) -> None:
    tenant = device_id(hass, "lilei")
    recharge = await call(
        hass, "recharge", {"tenant": tenant, "amount": "30", "reference": "R-2"}, admin
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "refund",
            {"tenant": tenant, "amount": "30.01", "reference": "F-1"},
            admin,
        )
    assert err.value.translation_key == "refund_above_balance"
    refund = await call(
        hass, "refund", {"tenant": tenant, "amount": "10", "reference": "F-1"}, admin
    )
    assert refund["balance"] == "20.00"
    correction = await call(
        hass,
        "correct",
        {"tenant": tenant, "entry_id": recharge["entry_id"], "reason": "bounced"},
        admin,
    )
    assert correction["balance"] == "-10.00"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "correct",
            {"tenant": tenant, "entry_id": recharge["entry_id"], "reason": "again"},
            admin,
        )
    assert err.value.translation_key == "already_corrected"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "correct", {"tenant": tenant, "entry_id": 999, "reason": "x"}, admin
        )
    assert err.value.translation_key == "unknown_entry"
    before = journal_size(hub)
    for not_whole in (recharge["entry_id"] + 0.9, True):
        with pytest.raises(vol.Invalid):
            await call(
                hass,
                "correct",
                {"tenant": tenant, "entry_id": not_whole, "reason": "x"},
                admin,
            )
    assert journal_size(hub) == before


async def test_bill_usage_recharges_and_reports(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    tenant = device_id(hass, "lilei")
    await call(
        hass, "recharge", {"tenant": tenant, "amount": "100", "reference": "R-3"}, admin
    )
    await poll_after(hass, simulator, 3600)

    bill = await call(hass, "get_bill", {"tenant": tenant}, admin)
    assert bill["opening_balance"] == "0.00"
    assert bill["recharges"] == "100.00"
    assert bill["energy_charged"] == "1.00"
    assert bill["closing_balance"] == "99.00"
    assert {room["room_id"]: room["energy_amount"] for room in bill["rooms"]} == {
        "room101": "0.50",
        "room102": "0.50",
    }

    usage = await call(hass, "get_usage", {"tenant": tenant}, admin)
    assert (usage["kwh"], usage["amount"]) == ("2.000", "1.00")
    one_room = await call(
        hass, "get_usage", {"tenant": tenant, "room": device_id(hass, "room102")}, admin
    )
    assert [room["room_id"] for room in one_room["rooms"]] == ["room102"]
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "get_usage",
            {"tenant": tenant, "room": device_id(hass, "room103")},
            admin,
        )
    assert err.value.translation_key == "room_not_held"

    recharges = await call(
        hass,
        "get_recharges",
        {"tenant": tenant, "start": "2020-01-01", "end": "2099-12-31"},
        admin,
    )
    assert [(row["reference"], row["amount"]) for row in recharges["recharges"]] == [
        ("R-3", "100.00")
    ]
    # Without dates: the 30 days up to today (or up to `end`).
    assert await call(hass, "get_recharges", {"tenant": tenant}, admin) == recharges
    old = await call(
        hass, "get_recharges", {"tenant": tenant, "end": "2024-01-31"}, admin
    )
    assert old == {"recharges": []}
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "get_recharges",
            {"tenant": tenant, "start": "2026-02-01", "end": "2026-01-01"},
            admin,
        )
    assert err.value.translation_key == "range_reversed"

    inventory = await call(
        hass, "get_report", {"hub": hub.entry_id, "report": "inventory"}, admin
    )
    assert {row["account_id"]: row["balance"] for row in inventory["accounts"]}[
        "lilei"
    ] == "99.00"
    operations = await call(
        hass, "get_report", {"hub": hub.entry_id, "report": "operations"}, admin
    )
    recharge_ops = [
        row for row in operations["operations"] if row["action"] == "recharge"
    ]
    assert [row["user"] for row in recharge_ops] == [admin.user_id]
    for report in ("income_expenditure", "energy_comparison", "payment_trends"):
        assert await call(
            hass, "get_report", {"hub": hub.entry_id, "report": report}, admin
        )


async def test_move_out_settles_and_move_in_needs_an_open_account(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    tenant = device_id(hass, "lilei")
    await call(
        hass, "recharge", {"tenant": tenant, "amount": "10", "reference": "R-4"}, admin
    )
    await poll_after(hass, simulator, 3600)  # 1.00 charged
    settlement = await call(hass, "move_out", {"tenant": tenant}, admin)
    assert settlement["refunded"] == "9.00"
    assert settlement["balance"] == "0.00"
    assert hub.subentries["lilei"].data["rooms"] == []
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "move_in",
            {"tenant": tenant, "room": device_id(hass, "room101")},
            admin,
            response=False,
        )
    assert err.value.translation_key == "account_closed"


async def test_move_out_ends_at_the_last_reading_the_counter_accepted(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    tenant = device_id(hass, "lilei")
    await call(
        hass, "recharge", {"tenant": tenant, "amount": "10", "reference": "R-4"}, admin
    )
    await poll_after(hass, simulator, 3600)  # 1.00 charged
    simulator.room(1).faults.zero_blips = 1  # the last poll read 0.000 kWh
    await poll_after(hass, simulator, 60)
    settlement = await call(hass, "move_out", {"tenant": tenant}, admin)
    # 101's 0.000 is neither a final reading nor a reason to refuse the move-out:
    # both rooms end at their last billed readings (102's extra minute: 0.01).
    assert settlement["final_energy_charge"] == "0.00"
    assert settlement["refunded"] == "8.99"


async def test_replace_meter_continues_billing_from_the_new_meter(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    room = device_id(hass, "room101")
    simulator.room(1).reset_counter()  # the electrician fits a new meter reading 0
    await call(
        hass,
        "replace_meter",
        {"room": room, "old_final_kwh": "100", "new_start_kwh": "0"},
        admin,
        response=False,
    )
    await poll_after(hass, simulator, 3600)
    assert state(hass, "sensor.101_energy_import") == "1"
    assert state(hass, "sensor.101_energy_this_period") == "1.000"
    for reading in ("-1", "abc", "0.0001", "100000001"):
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass,
                "replace_meter",
                {"room": room, "old_final_kwh": reading, "new_start_kwh": "0"},
                admin,
                response=False,
            )
        assert err.value.translation_key == "reading_invalid"


async def test_replace_meter_refuses_a_final_reading_the_room_cannot_reach(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    subentry = hub.subentries["room101"]
    hass.config_entries.async_update_subentry(
        hub, subentry, data={**subentry.data, "rated_power_w": 2000}
    )
    await hass.async_block_till_done()
    balance = state(hass, "sensor.li_lei_balance")
    with pytest.raises(ServiceValidationError) as err:
        # 1000 for 100.0: 900 kWh since setup, moments ago, from a room rated 2 kW
        await call(
            hass,
            "replace_meter",
            {
                "room": device_id(hass, "room101"),
                "old_final_kwh": "1000",
                "new_start_kwh": "0",
            },
            admin,
            response=False,
        )
    assert err.value.translation_key == "reading_implausible"
    assert (err.value.translation_placeholders or {}).get("kwh") == "900.000"
    ledger = hub.runtime_data.coordinator.ledger
    reading, _ = await hass.async_add_executor_job(ledger.room_reading, "room101")
    assert reading == 100_000
    assert state(hass, "sensor.li_lei_balance") == balance


async def test_removing_a_held_room_ends_its_tenancy(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    tenant = device_id(hass, "lilei")
    await call(
        hass, "recharge", {"tenant": tenant, "amount": "10", "reference": "R-5"}, admin
    )
    await poll_after(hass, simulator, 3600)  # 2 rooms x 1 kWh x 0.50 = 1.00
    assert hass.config_entries.async_remove_subentry(hub, "room102")
    await hass.async_block_till_done()
    assert hub.subentries["lilei"].data["rooms"] == ["room101"]
    ledger = hub.runtime_data.coordinator.ledger
    assert await hass.async_add_executor_job(ledger.occupancy) == {"room101": "lilei"}
    await poll_after(hass, simulator, 3600)  # room 101 only: 0.50
    assert state(hass, "sensor.li_lei_balance") == "8.50"
    settlement = await call(hass, "move_out", {"tenant": tenant}, admin)
    assert settlement["refunded"] == "8.50"
    assert settlement["balance"] == "0.00"


async def test_move_in_does_not_list_a_room_twice(
    hass: HomeAssistant, hub: MockConfigEntry, simulator: Simulator, admin: Context
) -> None:
    # Room 103 is listed while its meter is dead (never read): the move-in waits.
    simulator.room(3).faults.dead = True
    await poll_after(hass, simulator, 10)
    lilei = hub.subentries["lilei"]
    hass.config_entries.async_update_subentry(
        hub, lilei, data={**lilei.data, "rooms": ["room101", "room102", "room103"]}
    )
    await hass.async_block_till_done()
    simulator.room(3).faults.dead = False
    await poll_after(hass, simulator, 10)
    await call(
        hass,
        "move_in",
        {"tenant": device_id(hass, "lilei"), "room": device_id(hass, "room103")},
        admin,
        response=False,
    )
    assert hub.subentries["lilei"].data["rooms"] == ["room101", "room102", "room103"]
