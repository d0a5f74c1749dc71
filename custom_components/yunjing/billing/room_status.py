"""What a room's status sensor says: one precedence for every cause."""

from __future__ import annotations

from enum import StrEnum


class RoomStatus(StrEnum):
    """A room's state as the landlord sees it, the most pressing cause first."""

    OFFLINE = "offline"
    LOCKED_OUT = "locked_out"
    TRIPPED = "tripped"
    CUT_FOR_ARREARS = "cut_for_arrears"
    KEEP_ON = "keep_on"
    LOW_BALANCE = "low_balance"
    NORMAL = "normal"


def room_status(
    *,
    online: bool,
    locked_out: bool,
    tripped: bool,
    cut_for_arrears: bool,
    keep_on: bool,
    low_balance: bool,
) -> RoomStatus:
    """The status of a room: the first of these that applies, in the enum's order."""
    causes = (
        (not online, RoomStatus.OFFLINE),
        (locked_out, RoomStatus.LOCKED_OUT),
        (tripped, RoomStatus.TRIPPED),
        (cut_for_arrears, RoomStatus.CUT_FOR_ARREARS),
        (keep_on, RoomStatus.KEEP_ON),
        (low_balance, RoomStatus.LOW_BALANCE),
    )
    return next((status for applies, status in causes if applies), RoomStatus.NORMAL)
