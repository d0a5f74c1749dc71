"""The poll cycle of one hub: read every meter, bill the accepted energy, publish a snapshot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from . import repairs
from .billing.alarms import AlarmLevels, current_level, days_left
from .billing.errors import BillingError
from .billing.ledger import Ledger
from .billing.records import Bill, ConsumptionDelta, CycleFigures, Settlement
from .billing.room_status import room_status
from .billing.tariff import Tariff, tariff_from_dict
from .const import (
    CONF_ALARM_1,
    CONF_ALARM_2,
    CONF_CREDIT_LIMIT,
    CONF_EFFECTIVE_FROM,
    CONF_HAS_RELAY,
    CONF_MODEL,
    CONF_POLL_INTERVAL,
    CONF_RATED_POWER,
    CONF_RECONNECT_LEVEL,
    CONF_ROOMS,
    CONF_TARIFF,
    CONF_UNIT_ID,
    DOMAIN,
    OFFLINE_REPAIR_AFTER,
    SUBENTRY_ROOM,
    SUBENTRY_TENANT,
)
from .errors import billing_error, user_error
from .meters.bus import Bus
from .meters.energy import (
    EnergyCounter,
    Event,
    Rejection,
    fits_rated_power,
)
from .meters.models import MODELS, MeterModel
from .meters.reading import Reading
from .protection import Protection, RoomProtection

if TYPE_CHECKING:
    from .runtime import YunjingConfigEntry

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RoomConfig:
    """A room subentry as the poll cycle needs it."""

    room_id: str
    name: str
    model: MeterModel
    unit_id: int
    rated_power_w: int
    has_relay: bool


@dataclass(frozen=True, kw_only=True)
class TenantConfig:
    """A tenant subentry as the poll cycle needs it."""

    tenant_id: str
    name: str
    rooms: tuple[str, ...]
    levels: AlarmLevels
    reconnect_level: Decimal = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class RoomData:
    """What the entities of one room show."""

    reading: Reading | None
    energy_period_kwh: Decimal
    cost_period: Decimal
    status: str
    malignant_load: bool = False
    keep_on: str | None = None
    load_phase: str = "normal"


@dataclass(frozen=True, kw_only=True)
class TenantData:
    """What the entities of one tenant show."""

    balance: Decimal
    alarm_level: str
    days_left: int | None
    energy_period_kwh: Decimal
    cost_period: Decimal


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """One poll cycle's result, read by every entity of the hub."""

    period_start: datetime
    rooms: dict[str, RoomData]
    tenants: dict[str, TenantData]
    requests: int
    failures: int
    cycle_seconds: float | None


def room_configs(entry: YunjingConfigEntry) -> dict[str, RoomConfig]:
    """The rooms of a hub, by subentry id."""
    return {
        subentry_id: RoomConfig(
            room_id=subentry_id,
            name=subentry.title,
            model=MODELS[subentry.data[CONF_MODEL]],
            unit_id=subentry.data[CONF_UNIT_ID],
            rated_power_w=subentry.data[CONF_RATED_POWER],
            has_relay=subentry.data[CONF_HAS_RELAY],
        )
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_ROOM
    }


def tenant_configs(entry: YunjingConfigEntry) -> dict[str, TenantConfig]:
    """The tenants of a hub, by subentry id."""
    return {
        subentry_id: TenantConfig(
            tenant_id=subentry_id,
            name=subentry.title,
            rooms=tuple(subentry.data.get(CONF_ROOMS, ())),
            levels=AlarmLevels(
                level_1=Decimal(subentry.data[CONF_ALARM_1]),
                level_2=Decimal(subentry.data[CONF_ALARM_2]),
                credit_limit=Decimal(subentry.data[CONF_CREDIT_LIMIT]),
            ),
            reconnect_level=Decimal(subentry.data.get(CONF_RECONNECT_LEVEL, "0")),
        )
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_TENANT
    }


class MeterCoordinator(DataUpdateCoordinator[Snapshot]):
    """Polls one bus and bills what it reads; all entities of the hub read its snapshot."""

    config_entry: YunjingConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: YunjingConfigEntry,
        bus: Bus,
        ledger: Ledger,
        clock: Callable[[], datetime],
    ) -> None:
        """A coordinator for the hub's bus and ledger.

        `clock` is the hub's time: Home Assistant's, or a simulated building's
        (which may run faster, so that a month of billing passes in minutes).
        """
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(seconds=entry.data[CONF_POLL_INTERVAL]),
        )
        self.bus = bus
        self.ledger = ledger
        self.now = clock
        self._counters: dict[str, EnergyCounter] = {}
        self._offline: dict[str, datetime] = {}
        # One poll, subentry change or move at a time; closing the ledger waits
        # for it (and the ledger refuses anything after, with a clear error).
        self._work = asyncio.Lock()
        self._closed = False
        # Rooms a tenant is listed for but not moved into: their meter had not answered.
        self._awaiting_reading: set[str] = set()
        self.protection = Protection(self)

    async def async_ledger_job[T](self, func: Callable[..., T], *args: Any) -> T:
        """Run a ledger call in the executor (the ledger does blocking SQLite I/O)."""
        return await self.hass.async_add_executor_job(func, *args)

    def _live_readings(self) -> dict[str, int]:
        """For every room that answered the last poll, the last reading its counter accepted.

        Moves in and out start and end at these readings, so a reading the
        counter refused (above the rated power, a drop) never bills anyone,
        and the ledger's reading stays the counter's baseline.
        """
        if self.data is None:
            return {}
        live: dict[str, int] = {}
        for room_id, room in self.data.rooms.items():
            counter = self._counters.get(room_id)
            if (
                room.reading is not None
                and counter is not None
                and counter.baseline_wh is not None
            ):
                live[room_id] = counter.baseline_wh
        return live

    async def async_sync_ledger(self, *, tenants_too: bool = True) -> None:
        """Give the ledger the rooms and tenants of the subentries.

        A tenant moves into their rooms at the rooms' live readings, so tenants
        wait (`tenants_too=False`) until the meters have been read once. A room
        listed for a tenant that the ledger does not show them holding is tried
        again at every sync, and at the first poll after its meter answers.
        """
        rooms = room_configs(self.config_entry)
        tenants = tenant_configs(self.config_entry) if tenants_too else {}
        live = self._live_readings()
        skipped, held, closed = await self.async_ledger_job(
            self._sync_ledger, rooms, tenants, live, self.now()
        )
        if tenants_too:
            self._list_what_the_ledger_holds(rooms, held, closed)
        self._awaiting_reading = {room for _, room, _ in skipped if room not in live}
        for tenant_id, room_id, reason in skipped:
            _LOGGER.warning(
                "Tenant %s was not moved into room %s (%s); %s",
                tenants[tenant_id].name,
                rooms[room_id].name,
                reason,
                "it is done once the meter answers"
                if room_id in self._awaiting_reading
                else "it is tried again when the hub's rooms or tenants change,"
                " or call yunjing.move_in",
            )
        for room_id in set(self._counters) - set(rooms):
            del self._counters[room_id]

    def _sync_ledger(
        self,
        rooms: dict[str, RoomConfig],
        tenants: dict[str, TenantConfig],
        live: dict[str, int],
        now: datetime,
    ) -> tuple[list[tuple[str, str, str]], dict[str, str], set[str]]:
        """Executor: open what the ledger lacks, move tenants into the rooms listed for them.

        Returns the (tenant, room, reason) of each move-in not done, the rooms
        held (room -> tenant) and the closed tenant accounts.
        """
        known_rooms, known_accounts = self.ledger.known_ids()
        for room in rooms.values():
            if room.room_id not in known_rooms:
                self.ledger.add_room(room.room_id, room.name)
        open_accounts = self.ledger.open_accounts()
        held = self.ledger.occupancy()
        skipped: list[tuple[str, str, str]] = []
        for tenant in tenants.values():
            if tenant.tenant_id not in known_accounts:
                self.ledger.open_account(tenant.tenant_id, tenant.name)
            elif tenant.tenant_id not in open_accounts:
                continue  # moved out: the account takes no room
            for room_id in tenant.rooms:
                if room_id not in rooms or held.get(room_id) == tenant.tenant_id:
                    continue
                reading = live.get(room_id)
                if reading is None:
                    skipped.append(
                        (tenant.tenant_id, room_id, "its meter has not answered")
                    )
                    continue
                try:
                    self.ledger.move_in(room_id, tenant.tenant_id, now, reading)
                except BillingError as err:
                    skipped.append((tenant.tenant_id, room_id, str(err)))
                    continue
                held[room_id] = tenant.tenant_id
        return skipped, held, known_accounts - set(open_accounts)

    def _list_what_the_ledger_holds(
        self, rooms: dict[str, RoomConfig], held: dict[str, str], closed: set[str]
    ) -> None:
        """Tenants' room lists as the ledger has them.

        A move in or out commits the ledger, then the tenant's room list; after
        a crash between the two the ledger, which bills, decides. So does it
        for a room listed for one tenant while another moved in. Rooms listed
        but held by nobody yet (waiting for their meter) stay listed.
        """
        for tenant in tenant_configs(self.config_entry).values():
            subentry = self.config_entry.subentries[tenant.tenant_id]
            listed = list(subentry.data.get(CONF_ROOMS, []))
            if tenant.tenant_id in closed:
                wanted = []
            else:
                wanted = [
                    room
                    for room in listed
                    if held.get(room) in (None, tenant.tenant_id)
                ] + sorted(
                    room
                    for room, holder in held.items()
                    if holder == tenant.tenant_id
                    and room in rooms
                    and room not in listed
                )
            if wanted != listed:
                self.hass.config_entries.async_update_subentry(
                    self.config_entry,
                    subentry,
                    data={**subentry.data, CONF_ROOMS: wanted},
                )

    async def async_apply_subentry_changes(self) -> set[str]:
        """Subentries added, changed or removed: bring the ledger in line, one change at a time.

        First what was removed (a removed tenant is settled, a removed room's
        tenancy ends), then what was added (accounts opened, rooms moved into).
        Returns the ids of the subentries the ledger now has.
        """
        async with self._work:
            if self._closed:
                return set()
            in_ledger = set(self.config_entry.subentries)
            await self._async_settle_removed()
            await self.async_sync_ledger()
            return in_ledger

    async def async_close(self) -> None:
        """Stop polling, close the bus and then the ledger, once the work under way is done.

        The bus closes as soon as no relay command is under way, which cuts a
        poll's reads short: it stops before billing. A poll already billing
        finishes that and announces its bills, but sends no relay command.
        """
        self._closed = True
        await self.async_shutdown()
        async with self.protection.idle():  # relay commands under way finish
            await self.bus.close()
        async with self._work:
            await self.async_ledger_job(self.ledger.close)

    async def _async_settle_removed(self) -> None:
        rooms = room_configs(self.config_entry)
        tenants = tenant_configs(self.config_entry)
        live = {
            room_id: wh
            for room_id, wh in self._live_readings().items()
            if room_id in rooms
        }
        settlements, ended = await self.async_ledger_job(
            self._settle_removed, set(rooms), set(tenants), live, self.now()
        )
        for name, settlement in settlements:
            if settlement.refunded or settlement.arrears:
                repairs.async_tenant_removed_with_balance(
                    self.hass,
                    settlement.account_id,
                    name,
                    refunded=f"{settlement.refunded} {self.ledger.currency}",
                    arrears=f"{settlement.arrears} {self.ledger.currency}",
                )
        for tenant_id, room_ids in ended.items():
            if (tenant := self.config_entry.subentries.get(tenant_id)) is None:
                continue
            listed = tenant.data.get(CONF_ROOMS, [])
            self.hass.config_entries.async_update_subentry(
                self.config_entry,
                tenant,
                data={
                    **tenant.data,
                    CONF_ROOMS: [room for room in listed if room not in room_ids],
                },
            )

    def _settle_removed(
        self,
        rooms: set[str],
        tenants: set[str],
        live: dict[str, int],
        now: datetime,
    ) -> tuple[list[tuple[str, Settlement]], dict[str, set[str]]]:
        """Executor: settle open accounts of removed tenants, end tenancies of removed rooms.

        Returns (name, settlement) of each tenant settled and the rooms ended
        per remaining tenant.
        """
        held = self.ledger.occupancy()
        settlements: list[tuple[str, Settlement]] = []
        ended: dict[str, set[str]] = {}
        for account_id, name in sorted(self.ledger.open_accounts().items()):
            if account_id in tenants:
                continue
            their_rooms = [
                room for room, tenant in held.items() if tenant == account_id
            ]
            finals = {room: live[room] for room in their_rooms if room in live}
            try:
                settlement = self.ledger.move_out(account_id, now, None, finals)
            except BillingError as err:
                _LOGGER.error("Removed tenant %s could not be settled: %s", name, err)
                continue
            settlements.append((name, settlement))
        for room_id, account_id in held.items():
            if room_id in rooms or account_id not in tenants:
                continue
            try:
                self.ledger.end_occupancy(room_id, now, None)
            except BillingError as err:
                _LOGGER.error(
                    "Tenancy of removed room %s could not be ended: %s", room_id, err
                )
                continue
            ended.setdefault(account_id, set()).add(room_id)
        return settlements, ended

    async def async_move_in(
        self, tenant_id: str, room_id: str, user: str | None
    ) -> None:
        """Move a tenant into a vacant room at its current reading."""
        async with self._work:
            reading = self._live_readings().get(room_id)
            if reading is None:
                raise user_error(
                    "meter_offline", room=self.config_entry.subentries[room_id].title
                )
            try:
                await self.async_ledger_job(
                    self.ledger.move_in, room_id, tenant_id, self.now(), reading, user
                )
            except BillingError as err:
                raise billing_error(err) from err
        tenant = self.config_entry.subentries[tenant_id]
        listed = tenant.data.get(CONF_ROOMS, [])
        if room_id not in listed:
            self.hass.config_entries.async_update_subentry(
                self.config_entry,
                tenant,
                data={**tenant.data, CONF_ROOMS: [*listed, room_id]},
            )

    async def async_move_out(self, tenant_id: str, user: str | None) -> Settlement:
        """Settle and close a tenant's account at the rooms' current readings.

        Every room the tenant holds that still exists must answer; a room
        removed meanwhile ends at its last recorded reading.
        """
        tenant = self.config_entry.subentries[tenant_id]
        configured = room_configs(self.config_entry)
        async with self._work:
            held = await self.async_ledger_job(self.ledger.occupancy)
            rooms = [
                room
                for room, account in held.items()
                if account == tenant_id and room in configured
            ]
            live = self._live_readings()
            offline = [room for room in rooms if room not in live]
            if offline:
                raise user_error(
                    "meter_offline",
                    room=", ".join(configured[room].name for room in offline),
                )
            settlement = await self.async_ledger_job(
                self.ledger.move_out,
                tenant_id,
                self.now(),
                user,
                {room: live[room] for room in rooms},
            )
        self.hass.config_entries.async_update_subentry(
            self.config_entry, tenant, data={**tenant.data, CONF_ROOMS: []}
        )
        return settlement

    async def async_replace_meter(
        self, room_id: str, old_final_wh: int, new_start_wh: int, user: str | None
    ) -> None:
        """Close the old meter at its final reading and start counting the new one.

        A final reading the room's rated power could not have reached since
        the last billed reading is refused (a typed digit too many).
        """
        room = room_configs(self.config_entry)[room_id]
        async with self._work:
            now = self.now()
            last_wh, last_at = await self.async_ledger_job(
                self.ledger.room_reading, room_id
            )
            if (
                last_wh is not None
                and last_at is not None
                and old_final_wh > last_wh
                and not fits_rated_power(
                    old_final_wh - last_wh,
                    room.rated_power_w,
                    (now - last_at).total_seconds(),
                )
            ):
                raise user_error(
                    "reading_implausible",
                    room=room.name,
                    reading=f"{old_final_wh / 1000:.3f}",
                    kwh=f"{(old_final_wh - last_wh) / 1000:.3f}",
                    last=f"{last_wh / 1000:.3f}",
                    since=dt_util.as_local(last_at).strftime("%Y-%m-%d %H:%M"),
                    rated_power=room.rated_power_w,
                )
            await self.async_ledger_job(
                self.ledger.replace_meter,
                room_id,
                now,
                old_final_wh,
                new_start_wh,
                user,
            )
            self._counters.pop(room_id, None)
        await self.async_request_refresh()

    async def async_meter_changed(self, room_id: str, new_start_wh: int) -> None:
        """Another meter (unit id or model) now counts a room.

        The old count closes at its last billed reading and the new meter starts
        at what it reads now, so the difference between two meters is never billed.
        """
        async with self._work:
            last_wh, _ = await self.async_ledger_job(self.ledger.room_reading, room_id)
            if last_wh is not None:
                await self.async_ledger_job(
                    self.ledger.replace_meter,
                    room_id,
                    self.now(),
                    last_wh,
                    new_start_wh,
                    None,
                )
            self._counters.pop(room_id, None)

    async def async_set_relay(self, room_id: str, closed: bool) -> None:
        """Switch a room's relay and confirm it by reading it back."""
        room = room_configs(self.config_entry)[room_id]
        if not room.has_relay:
            raise user_error("no_relay", room=room.name)
        if not await self.protection.async_switch_by_hand(room, closed):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="relay_failed",
                translation_placeholders={"room": room.name},
            )
        await self.async_request_refresh()

    async def async_reset_lockout(self, room_id: str) -> None:
        """The landlord's reset of a room's malignant-load trip or lockout."""
        room = room_configs(self.config_entry)[room_id]
        await self.protection.async_reset_lockout(room)
        await self.async_refresh()

    async def async_set_keep_on(
        self, tenant_id: str | None, room_id: str | None, until: datetime | None
    ) -> None:
        """Manual keep-on for a tenant or a room until a moment (None clears it)."""
        if until is not None and until <= self.now():
            raise user_error("keep_on_in_past", until=until.isoformat())
        await self.protection.async_set_keep_on(tenant_id, room_id, until)
        await self.async_refresh()

    async def _async_update_data(self) -> Snapshot:
        async with self._work:
            if self._closed:
                return self.data  # unloading: nothing more is read or billed
            if self._awaiting_reading & set(self._live_readings()):
                try:
                    await self.async_sync_ledger()
                except Exception:
                    # The poll bills what it reads all the same; the next one retries.
                    _LOGGER.exception("Waiting move-ins could not be done")
            return await self._async_poll()

    async def _async_poll(self) -> Snapshot:
        now = self.now()
        rooms = room_configs(self.config_entry)
        readings = await self.bus.read_all(
            [(room.unit_id, room.model) for room in rooms.values()]
        )
        if self._closed:
            return self.data  # the hub unloads: these reads were cut short
        deltas: list[ConsumptionDelta] = []
        # Counts that start again: room -> (old count's final reading, or None
        # for the ledger's last; the new count's first reading).
        restarts: dict[str, tuple[int | None, int]] = {}
        room_readings: dict[str, Reading | None] = {}
        await self._async_load_counters(rooms)
        for room in rooms.values():
            reading = readings.get(room.unit_id)
            room_readings[room.room_id] = reading
            self._track_availability(room, reading, now)
            counter = self._counters[room.room_id]
            started = counter.baseline_at
            step = counter.update(None if reading is None else reading.import_wh, now)
            if step.rejected is Rejection.ABOVE_RATED_POWER:
                _LOGGER.warning(
                    "Room %s: %s Wh in one poll is above the rated power of %s W; not billed",
                    room.name,
                    step.to_reading
                    and step.from_reading
                    and step.to_reading - step.from_reading,
                    room.rated_power_w,
                )
            from_reading = step.from_reading
            if step.event is Event.RESET_CONFIRMED and from_reading is not None:
                restarts[room.room_id] = (None, from_reading)
            if step.event is Event.ROLLOVER and counter.counter_modulus_wh:
                # The count passed its maximum: close it there, go on from 0.
                restarts[room.room_id] = (counter.counter_modulus_wh, 0)
                from_reading = 0
            if step.rejected is Rejection.BACKWARD_READING and reading is not None:
                repairs.async_suspected_reset(
                    self.hass,
                    self.config_entry.entry_id,
                    room.room_id,
                    room.name,
                    step.from_reading or 0,
                    reading.import_wh or 0,
                )
            elif step.delta_wh > 0 or step.event is Event.RESET_CONFIRMED:
                repairs.async_reset_resolved(self.hass, room.room_id)
            if (
                step.delta_wh > 0
                and started is not None
                and from_reading is not None
                and step.to_reading is not None
            ):
                deltas.append(
                    ConsumptionDelta(
                        room_id=room.room_id,
                        start=started,
                        end=now,
                        wh=step.to_reading - from_reading,
                        from_reading_wh=from_reading,
                        to_reading_wh=step.to_reading,
                    )
                )
        try:
            figures, unbilled, bills = await self.async_ledger_job(
                self._bill_cycle, deltas, restarts, now
            )
        except Exception as err:
            # The ledger did not commit (or not all of it): counters that moved
            # this cycle start again from the ledger's reading next poll.
            for room_id in {delta.room_id for delta in deltas} | set(restarts):
                self._counters.pop(room_id, None)
            if not isinstance(err, BillingError):
                _LOGGER.exception("The ledger could not record this poll")
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="billing_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        for room_id in unbilled:
            # Its counter no longer continues the ledger: start again from the ledger's reading.
            self._counters.pop(room_id, None)
        tenants = tenant_configs(self.config_entry)
        self.protection.bills_issued(bills, tenants)
        if self._closed:
            # Unloading closed the bus while this cycle billed: no relay command
            # would get through, and a failed one must not be reported.
            return self.data
        protection = await self.protection.async_run(
            now, rooms, room_readings, figures, tenants
        )
        return self._snapshot(rooms, room_readings, figures, protection)

    async def _async_load_counters(self, rooms: dict[str, RoomConfig]) -> None:
        """Counters for new rooms (or new ratings) start from the ledger's last billed reading."""
        missing = [
            room
            for room in rooms.values()
            if (counter := self._counters.get(room.room_id)) is None
            or counter.rated_power_w != room.rated_power_w
        ]
        if not missing:
            return
        baselines = await self.async_ledger_job(self._baselines, missing)
        for room in missing:
            baseline_wh, baseline_at = baselines[room.room_id]
            self._counters[room.room_id] = EnergyCounter(
                rated_power_w=room.rated_power_w,
                counter_modulus_wh=room.model.counter_modulus_wh,
                baseline_wh=baseline_wh,
                baseline_at=baseline_at,
            )

    def _baselines(
        self, rooms: list[RoomConfig]
    ) -> dict[str, tuple[int | None, datetime | None]]:
        """Executor: each room's last billed reading; a room just added (its
        subentry change not applied yet) is added to the ledger first."""
        known_rooms, _ = self.ledger.known_ids()
        for room in rooms:
            if room.room_id not in known_rooms:
                self.ledger.add_room(room.room_id, room.name)
        return {room.room_id: self.ledger.room_reading(room.room_id) for room in rooms}

    def _track_availability(
        self, room: RoomConfig, reading: Reading | None, now: datetime
    ) -> None:
        """Log a meter going offline and coming back once each; a long outage is a repair issue."""
        since = self._offline.get(room.room_id)
        if reading is None and since is None:
            self._offline[room.room_id] = now
            _LOGGER.warning(
                "Meter of room %s (unit %s) is offline", room.name, room.unit_id
            )
        elif (
            reading is None
            and since is not None
            and now - since >= OFFLINE_REPAIR_AFTER
        ):
            repairs.async_meter_offline(self.hass, room.room_id, room.name, since)
        elif reading is not None and since is not None:
            del self._offline[room.room_id]
            repairs.async_meter_online(self.hass, room.room_id)
            _LOGGER.info(
                "Meter of room %s (unit %s) is back online", room.name, room.unit_id
            )

    def _bill_cycle(
        self,
        deltas: list[ConsumptionDelta],
        restarts: dict[str, tuple[int | None, int]],
        now: datetime,
    ) -> tuple[CycleFigures, list[str], list[Bill]]:
        """Executor: write the cycle's deductions, close due periods, read the figures."""
        for room_id, (old_final, new_start) in restarts.items():
            # A confirmed reset or a rollover closes the old count in the ledger
            # like a meter replacement, so billing continues from the new count.
            last_wh, _ = self.ledger.room_reading(room_id)
            if last_wh is not None:
                self.ledger.replace_meter(
                    room_id, now, last_wh if old_final is None else old_final, new_start
                )
        unbilled: list[str] = []
        try:
            self.ledger.record_consumption(deltas, now)
        except BillingError:
            # One room's delta does not continue the ledger; bill every other room.
            for delta in deltas:
                try:
                    self.ledger.record_consumption([delta], now)
                except BillingError as err:
                    _LOGGER.error(
                        "Room %s not billed this cycle: %s", delta.room_id, err
                    )
                    unbilled.append(delta.room_id)
        bills = self.ledger.close_due_periods(now)
        return self.ledger.figures(now), unbilled, list(bills)

    def _snapshot(
        self,
        rooms: dict[str, RoomConfig],
        readings: dict[str, Reading | None],
        figures: CycleFigures,
        protection: dict[str, RoomProtection] | None = None,
    ) -> Snapshot:
        tenants = tenant_configs(self.config_entry)
        tenant_data: dict[str, TenantData] = {}
        level_of_room: dict[str, str | None] = {}
        for tenant in tenants.values():
            account = figures.accounts.get(tenant.tenant_id)
            if account is None:
                continue
            level = current_level(account.balance, tenant.levels)
            for room_id in tenant.rooms:
                level_of_room[room_id] = None if level is None else level.value
            tenant_data[tenant.tenant_id] = TenantData(
                balance=account.balance,
                alarm_level=level.value if level else "none",
                days_left=days_left(
                    account.balance,
                    account.daily_costs,
                    credit_limit=tenant.levels.credit_limit,
                ),
                energy_period_kwh=account.kwh,
                cost_period=account.amount,
            )
        room_data = {}
        for room in rooms.values():
            reading = readings[room.room_id]
            usage = figures.rooms.get(room.room_id)
            guard = (protection or {}).get(room.room_id, RoomProtection())
            status = room_status(
                online=reading is not None,
                locked_out=guard.locked_out,
                tripped=guard.tripped,
                cut_for_arrears=guard.cut_for_arrears,
                keep_on=guard.holding_on,
                low_balance=level_of_room.get(room.room_id) is not None,
            )
            if (
                reading is not None
                and guard.relay_closed is not None
                and guard.relay_closed != reading.relay_closed
            ):
                # A relay switched in this cycle: show what was read back.
                reading = dataclasses.replace(reading, relay_closed=guard.relay_closed)
            room_data[room.room_id] = RoomData(
                reading=reading,
                energy_period_kwh=usage.kwh if usage else Decimal(0),
                cost_period=usage.amount if usage else Decimal(0),
                status=status,
                malignant_load=guard.malignant_load,
                keep_on=guard.keep_on,
                load_phase=guard.load_phase,
            )
        return Snapshot(
            period_start=figures.period_start,
            rooms=room_data,
            tenants=tenant_data,
            requests=self.bus.stats.requests,
            failures=self.bus.stats.failures,
            cycle_seconds=self.bus.stats.last_cycle_seconds,
        )

    async def async_ensure_tariff(self) -> None:
        """A new ledger takes the tariff in the options (the hub's first flat price)."""
        options = self.config_entry.options
        if CONF_TARIFF not in options:
            return
        tariff = tariff_from_dict(options[CONF_TARIFF])
        effective = date.fromisoformat(options[CONF_EFFECTIVE_FROM])

        def ensure() -> None:
            if self.ledger.tariff_at(self.now()) is None:
                self.ledger.set_tariff(tariff, effective, None)

        await self.async_ledger_job(ensure)

    async def async_set_tariff(self, tariff: Tariff, effective: date) -> None:
        """Record a tariff in the ledger, effective from a local date."""
        await self.async_ledger_job(self.ledger.set_tariff, tariff, effective, None)
