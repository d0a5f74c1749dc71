"""The room status precedence."""

from custom_components.yunjing.billing.room_status import RoomStatus, room_status

QUIET = {
    "online": True,
    "locked_out": False,
    "tripped": False,
    "cut_for_arrears": False,
    "keep_on": False,
    "low_balance": False,
}


def test_a_quiet_room_is_normal() -> None:
    assert room_status(**QUIET) is RoomStatus.NORMAL


def test_each_cause_alone() -> None:
    expected = {
        "locked_out": RoomStatus.LOCKED_OUT,
        "tripped": RoomStatus.TRIPPED,
        "cut_for_arrears": RoomStatus.CUT_FOR_ARREARS,
        "keep_on": RoomStatus.KEEP_ON,
        "low_balance": RoomStatus.LOW_BALANCE,
    }
    for cause, status in expected.items():
        assert room_status(**QUIET | {cause: True}) is status, cause
    assert room_status(**QUIET | {"online": False}) is RoomStatus.OFFLINE


def test_the_most_pressing_cause_wins() -> None:
    everything = dict.fromkeys(QUIET, True)
    assert room_status(**everything) is RoomStatus.LOCKED_OUT
    assert room_status(**everything | {"online": False}) is RoomStatus.OFFLINE
    # A room cut for arrears in a tenant's low balance says why its power is off.
    assert (
        room_status(**QUIET | {"cut_for_arrears": True, "low_balance": True})
        is RoomStatus.CUT_FOR_ARREARS
    )
    # Keep-on while in arrears: the power is on because of keep-on.
    assert (
        room_status(**QUIET | {"keep_on": True, "low_balance": True})
        is RoomStatus.KEEP_ON
    )
