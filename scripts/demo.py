"""Configure a running Home Assistant as the Yunjing demo, through its real APIs.

Used by `scripts/develop` (python scripts/demo.py --config config) and by the
end-to-end test (tests/e2e), which imports the client. Only the standard
library and aiohttp: onboarding REST, config and subentry flows over REST,
services over REST, the device registry and dashboards over the websocket API.

Nothing here writes Home Assistant's storage files: every change goes through
the same API the frontend uses, so the demo exercises the real flows.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
DEMO_STATE = ".yunjing_demo.json"
USERNAME = "admin"
PASSWORD = "yunjing-demo"
CLIENT_ID = "http://127.0.0.1:8123/"


class ApiError(RuntimeError):
    """Home Assistant answered something other than what the demo expected."""


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Client:
    """A small client of Home Assistant's REST and websocket APIs."""

    def __init__(self, url: str, token: str | None = None) -> None:
        """A client for the instance at `url` (no request is made yet)."""
        self.url = url.rstrip("/")
        self.token = token
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_id = 0

    async def __aenter__(self) -> Client:
        """Open the HTTP session."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the websocket and the session."""
        await self.close()

    async def close(self) -> None:
        """Close the websocket and the session."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The open HTTP session."""
        assert self._session is not None, "use `async with Client(...)`"
        return self._session

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(
        self, method: str, path: str, payload: Any = None, *, expect: int = 200
    ) -> Any:
        """A REST call; the decoded JSON answer (or text)."""
        async with self.session.request(
            method, self.url + path, json=payload, headers=self._headers()
        ) as response:
            text = await response.text()
            if response.status != expect:
                raise ApiError(f"{method} {path}: HTTP {response.status}: {text}")
            try:
                return json.loads(text) if text else None
            except json.JSONDecodeError:
                return text

    async def wait_until_up(self, seconds: float) -> None:
        """Wait until the HTTP server answers.

        It asks the login page's list of auth providers, which needs no token:
        an unauthenticated API call would count as a failed login.
        """
        deadline = time.monotonic() + seconds
        while True:
            try:
                async with self.session.get(
                    self.url + "/auth/providers",
                    timeout=aiohttp.ClientTimeout(total=5),
                ) as response:
                    if response.status in (200, 400):  # 400: onboarding not done
                        return
            except aiohttp.ClientError, TimeoutError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"Home Assistant did not answer on {self.url}")
            await asyncio.sleep(1)

    async def wait_until_running(self, seconds: float) -> None:
        """Wait until Home Assistant has finished starting (state RUNNING)."""
        deadline = time.monotonic() + seconds
        while (await self.request("GET", "/api/config"))["state"] != "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError("Home Assistant did not finish starting")
            await asyncio.sleep(1)

    # Onboarding and tokens

    async def onboarded(self) -> bool | None:
        """Whether the owner account exists; None while onboarding is not served.

        Home Assistant serves /api/onboarding only until onboarding is done,
        and only once the onboarding integration is set up.
        """
        async with self.session.get(self.url + "/api/onboarding") as response:
            if response.status == 404:
                return None
            if response.status != 200:
                raise ApiError(f"GET /api/onboarding: HTTP {response.status}")
            steps = await response.json()
        return not any(step["step"] == "user" and not step["done"] for step in steps)

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner (admin) account and log in as them."""
        answer = await self.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": CLIENT_ID,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        await self._token_from_code(answer["auth_code"])

    async def finish_onboarding(self) -> None:
        """Mark the remaining onboarding steps done so the frontend opens directly."""
        await self.request("POST", "/api/onboarding/core_config", {})
        await self.request("POST", "/api/onboarding/analytics", {})
        await self.request(
            "POST",
            "/api/onboarding/integration",
            {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID},
        )

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the frontend does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": CLIENT_ID, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise ApiError(f"login refused: {result}")
        await self._token_from_code(result["result"])

    async def _token_from_code(self, code: str) -> None:
        async with self.session.post(
            self.url + "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": CLIENT_ID,
            },
        ) as response:
            if response.status != 200:
                raise ApiError(f"token refused: {await response.text()}")
            self.token = (await response.json())["access_token"]

    # Websocket

    async def ws(self, command: str, **payload: Any) -> Any:
        """One websocket command; its result."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(self.url + "/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            answer = await self._ws.receive_json()
            if answer["type"] != "auth_ok":
                raise ApiError(f"websocket auth refused: {answer}")
        self._ws_id += 1
        await self._ws.send_json({"id": self._ws_id, "type": command, **payload})
        while True:
            message = await self._ws.receive_json(timeout=60)
            if message.get("id") == self._ws_id and message["type"] == "result":
                break
        if not message["success"]:
            raise ApiError(f"{command}: {message['error']}")
        return message["result"]

    # Flows

    async def config_flow(self, handler: str, *steps: dict[str, Any]) -> Any:
        """Run a config flow through the given steps; the last answer."""
        result = await self.request(
            "POST", "/api/config/config_entries/flow", {"handler": handler}
        )
        for data in steps:
            result = await self.request(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", data
            )
            if result.get("errors"):
                raise ApiError(f"{handler} flow refused {data}: {result['errors']}")
        return result

    async def subentry_flow(
        self, entry_id: str, kind: str, data: dict[str, Any]
    ) -> Any:
        """Add a subentry of a config entry through its flow; the final answer."""
        result = await self.request(
            "POST",
            "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, kind]},
        )
        result = await self.request(
            "POST",
            f"/api/config/config_entries/subentries/flow/{result['flow_id']}",
            data,
        )
        if result.get("type") != "create_entry":
            raise ApiError(f"{kind} flow refused {data}: {result}")
        return result

    async def options_flow(self, entry_id: str, *steps: dict[str, Any]) -> Any:
        """Run an entry's options flow through the given steps."""
        result = await self.request(
            "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
        )
        for data in steps:
            result = await self.request(
                "POST",
                f"/api/config/config_entries/options/flow/{result['flow_id']}",
                data,
            )
            if result.get("errors"):
                raise ApiError(f"options flow refused {data}: {result['errors']}")
        return result

    # Services, states, registries

    async def call(
        self, domain: str, service: str, data: dict[str, Any], *, response: bool
    ) -> Any:
        """Call a service; its response data when `response`."""
        path = f"/api/services/{domain}/{service}"
        answer = await self.request(
            "POST", path + ("?return_response" if response else ""), data
        )
        return answer["service_response"] if response else answer

    async def state(self, entity_id: str) -> str | None:
        """An entity's state, or None when it does not exist."""
        async with self.session.get(
            f"{self.url}/api/states/{entity_id}", headers=self._headers()
        ) as answer:
            if answer.status == 404:
                return None
            if answer.status != 200:
                raise ApiError(f"state of {entity_id}: HTTP {answer.status}")
            return str((await answer.json())["state"])

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of a domain."""
        return list(
            await self.request(
                "GET", f"/api/config/config_entries/entry?domain={domain}"
            )
        )

    async def devices(self, entry_id: str) -> dict[str, str]:
        """Device id by device name, for the devices of a config entry."""
        devices = await self.ws("config/device_registry/list")
        return {
            device["name"]: device["id"]
            for device in devices
            if entry_id in device["config_entries"]
        }


async def wait_for(
    probe: Any, check: Any, *, within: float, interval: float = 0.5
) -> Any:
    """Call `await probe()` until `check(value)` holds; the value (TimeoutError after `within` seconds)."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"last value {value!r}")
        await asyncio.sleep(interval)


# The demo


@dataclass(frozen=True)
class DemoTenant:
    """A tenant of the demo: rooms, levels and the recharge that sets the balance."""

    name: str
    rooms: tuple[str, ...]
    recharge: str
    levels: tuple[str, str, str, str] = ("20", "5", "0", "1")
    story: str = ""


DEMO_TENANTS = (
    DemoTenant("Li Lei", ("101", "102", "103"), "300.00", story="holds three rooms"),
    DemoTenant("Han Meimei", ("201",), "22.00", story="near her alarm level 1 (20.00)"),
    DemoTenant(
        "Wang Fang",
        ("202",),
        "12.00",
        levels=("50", "30", "20", "25"),
        story="in arrears (12.00, credit limit 20.00) during a manual keep-on",
    ),
)
PRICE = "0.60"
FAST_TIME_SCALE = 10_000


def demo_rooms() -> list[tuple[str, str, int]]:
    """(room name, model id, unit id) of the demo building's meters."""
    sys.path.insert(0, str(ROOT))
    from custom_components.yunjing.meters.simulator.building import (
        DEMO_BUILDING,
        load_building,
    )

    building = load_building(DEMO_BUILDING)
    return [(meter.room, meter.model, meter.unit_id) for meter in building.meters]


def has_relay(model: str) -> bool:
    """Whether a meter model has a relay (the room form refuses a relay otherwise)."""
    from custom_components.yunjing.meters.models import MODELS

    return MODELS[model].has_relay


def room_form(name: str, model: str, unit_id: int, **extra: Any) -> dict[str, Any]:
    """The room flow's form as a user fills it in."""
    return {
        "name": name,
        "model": model,
        "unit_id": unit_id,
        "has_relay": has_relay(model),
    } | extra


def tenant_form(
    name: str, room_ids: list[str], levels: tuple[str, str, str, str]
) -> dict[str, Any]:
    """The tenant flow's form as a user fills it in."""
    return {
        "name": name,
        "rooms": room_ids,
        "notify_targets": [],
        "language": "en",
        "alarm_level_1": levels[0],
        "alarm_level_2": levels[1],
        "credit_limit": levels[2],
        "reconnect_level": levels[3],
    }


def entity_slug(name: str) -> str:
    """The object id Home Assistant derives from a device name."""
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


UNWANTED_DEFAULTS = ("google_translate", "radio_browser")


async def configure_demo(
    client: Client, *, time_scale: int, poll_interval: int
) -> dict[str, Any]:
    """Core settings, the simulated hub, rooms, tenants, balances, script, dashboard."""
    # Onboarding adds these; offline and without their requirements here they
    # only fill the log with errors.
    for domain in UNWANTED_DEFAULTS:
        for entry in await client.entries(domain):
            await client.request(
                "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
            )
    await client.ws(
        "config/core/update",
        time_zone="Asia/Shanghai",
        currency="CNY",
        country="CN",
        unit_system="metric",
    )
    hub = await client.config_flow(
        "yunjing",
        {"next_step_id": "simulated"},
        {"time_scale": time_scale},
        {
            "price": PRICE,
            "currency": "CNY",
            "billing_day": 1,
            "poll_interval": poll_interval,
        },
    )
    if hub.get("type") != "create_entry":
        raise ApiError(f"hub not created: {hub}")
    entry_id = hub["result"]["entry_id"]
    room_ids: dict[str, str] = {}
    for name, model, unit_id in demo_rooms():
        await client.subentry_flow(entry_id, "room", room_form(name, model, unit_id))
        subentries = await client.ws(
            "config_entries/subentries/list", entry_id=entry_id
        )
        room_ids |= {sub["title"]: sub["subentry_id"] for sub in subentries}
    # A tenant moves in at the live readings of their rooms: wait for a poll of every room.
    await wait_for(
        lambda: _all_read(client, [name for name, _model, _unit in demo_rooms()]),
        bool,
        within=60,
    )
    for tenant in DEMO_TENANTS:
        await client.subentry_flow(
            entry_id,
            "tenant",
            tenant_form(
                tenant.name, [room_ids[room] for room in tenant.rooms], tenant.levels
            ),
        )
    devices = await wait_for(
        lambda: client.devices(entry_id),
        lambda found: all(tenant.name in found for tenant in DEMO_TENANTS),
        within=60,
    )
    for tenant in DEMO_TENANTS:
        await client.call(
            "yunjing",
            "recharge",
            {
                "tenant": devices[tenant.name],
                "amount": tenant.recharge,
                "reference": f"DEMO-{entity_slug(tenant.name).upper()}-1",
            },
            response=True,
        )
    # Protection: cut-off on, keep-on at weekends; the landlord's notifications
    # go to Home Assistant's notification panel. Wang Fang, in arrears, keeps
    # power under a manual keep-on (as a landlord grants over a holiday).
    await client.options_flow(
        entry_id,
        {"next_step_id": "protection"},
        {
            "cut_off": True,
            "weekends": True,
            "min_off_minutes": 5,
            "max_relay_operations": 6,
            "warning_minutes": 30,
            "vacant_policy": "charge_landlord",
            "landlord_notify_targets": ["notify.persistent_notification"],
        },
    )
    until = datetime.now(UTC) + (
        timedelta(days=3650) if time_scale > 1 else timedelta(days=7)
    )
    await client.call(
        "yunjing",
        "set_keep_on",
        {"tenant": devices["Wang Fang"], "until": until.isoformat(timespec="seconds")},
        response=False,
    )
    await create_recharge_script(client)
    await create_blueprint_automations(client)
    await create_dashboard(client, devices)
    return {"entry_id": entry_id, "devices": devices}


RECHARGE_SCRIPT = "yunjing_recharge"


async def create_blueprint_automations(client: Client) -> None:
    """Automations from blueprints the integration installed: receipts, low balance, statements."""
    for automation_id, blueprint, alias in (
        ("yunjing_recharge_receipt", "recharge_receipt.yaml", "Recharge receipt"),
        ("yunjing_low_balance", "low_balance.yaml", "Low balance"),
        ("yunjing_bill_statement", "bill_statement.yaml", "Bill statement"),
    ):
        await client.request(
            "POST",
            f"/api/config/automation/config/{automation_id}",
            {
                "alias": f"Yunjing: {alias}",
                "description": "From the Yunjing blueprint (demo).",
                "use_blueprint": {
                    "path": f"yunjing/{blueprint}",
                    "input": {"landlord_targets": ["notify.persistent_notification"]},
                },
            },
        )


async def _all_read(client: Client, rooms: list[str]) -> bool:
    """Whether every room's energy counter has been read."""
    for room in rooms:
        state = await client.state(f"sensor.{entity_slug(room)}_energy_import")
        if state in (None, "unknown", "unavailable"):
            return False
    return True


async def create_recharge_script(client: Client) -> None:
    """A script the dashboard runs to recharge a tenant (saved through the script editor's API)."""
    await client.request(
        "POST",
        f"/api/config/script/config/{RECHARGE_SCRIPT}",
        {
            "alias": "Recharge a tenant",
            "icon": "mdi:cash-plus",
            "mode": "queued",
            "fields": {
                "tenant": {
                    "name": "Tenant",
                    "required": True,
                    "selector": {
                        "device": {
                            "filter": {
                                "integration": "yunjing",
                                "model": "Prepaid account",
                            }
                        }
                    },
                },
                "amount": {
                    "name": "Amount",
                    "required": True,
                    "example": "100",
                    "selector": {"text": {}},
                },
                "reference": {
                    "name": "Receipt reference (blank: one is made up)",
                    "selector": {"text": {}},
                },
            },
            "sequence": [
                {
                    "action": "yunjing.recharge",
                    "data": {
                        "tenant": "{{ tenant }}",
                        "amount": "{{ amount | string }}",
                        "reference": "{{ reference | default('', true) or "
                        "'DASH-' ~ now().strftime('%Y%m%d-%H%M%S-%f') }}",
                    },
                }
            ],
        },
    )


def dashboard_config(devices: dict[str, str]) -> dict[str, Any]:
    """The Yunjing dashboard: tenants, rooms, recharge, recent operations."""
    rooms = [name for name, _model, _unit in demo_rooms()]
    tenant_rows = []
    for tenant in DEMO_TENANTS:
        slug = entity_slug(tenant.name)
        tenant_rows.append(
            {
                "type": "entities",
                "title": f"{tenant.name} ({', '.join(tenant.rooms)})",
                "entities": [
                    {"entity": f"sensor.{slug}_balance", "name": "Balance"},
                    {"entity": f"sensor.{slug}_alarm_level", "name": "Alarm level"},
                    {"entity": f"sensor.{slug}_days_left", "name": "Days left"},
                    {
                        "entity": f"number.{slug}_alarm_level_1_reminder",
                        "name": "Alarm level 1",
                    },
                    {
                        "entity": f"number.{slug}_credit_limit",
                        "name": "Credit limit",
                    },
                ],
            }
        )
    room_rows = []
    for room in rooms:
        slug = entity_slug(room)
        room_rows.append(
            {
                "entity": f"sensor.{slug}_power",
                "name": f"{room} power",
                "secondary_info": "last-changed",
            }
        )
        room_rows.append({"entity": f"sensor.{slug}_status", "name": f"{room} status"})
    relays = [
        {"entity": f"switch.{entity_slug(room)}_power_supply", "name": room}
        for room, model, _unit in demo_rooms()
        if has_relay(model)
    ]
    quick = [
        {
            "type": "button",
            "name": f"{tenant.name} +50",
            "icon": "mdi:cash-plus",
            "tap_action": {
                "action": "perform-action",
                "perform_action": f"script.{RECHARGE_SCRIPT}",
                "data": {"tenant": devices[tenant.name], "amount": "50"},
                "confirmation": {"text": f"Recharge {tenant.name} with 50.00?"},
            },
        }
        for tenant in DEMO_TENANTS
    ]
    logged = [
        f"sensor.{entity_slug(tenant.name)}_alarm_level" for tenant in DEMO_TENANTS
    ] + [relay["entity"] for relay in relays]
    return {
        "title": "Yunjing",
        "views": [
            {
                "title": "Building",
                "path": "building",
                "icon": "mdi:home-lightning-bolt",
                "cards": [
                    {
                        "type": "glance",
                        "title": "Balances",
                        "entities": [
                            {
                                "entity": f"sensor.{entity_slug(t.name)}_balance",
                                "name": t.name,
                            }
                            for t in DEMO_TENANTS
                        ],
                    },
                    *tenant_rows,
                    {"type": "entities", "title": "Rooms", "entities": room_rows},
                    {"type": "entities", "title": "Relays", "entities": relays},
                    {
                        "type": "vertical-stack",
                        "cards": [
                            {
                                "type": "entities",
                                "title": "Recharge",
                                "entities": [
                                    {
                                        "entity": f"script.{RECHARGE_SCRIPT}",
                                        "name": "Recharge a tenant (open to fill in)",
                                    }
                                ],
                            },
                            {"type": "horizontal-stack", "cards": quick},
                        ],
                    },
                    {
                        "type": "logbook",
                        "title": "Recent operations",
                        "hours_to_show": 24,
                        "target": {"entity_id": logged},
                    },
                ],
            }
        ],
    }


async def create_dashboard(client: Client, devices: dict[str, str]) -> None:
    """A storage-mode dashboard in the sidebar, created and saved through the websocket API."""
    existing = await client.ws("lovelace/dashboards/list")
    if not any(board["url_path"] == "yunjing-demo" for board in existing):
        await client.ws(
            "lovelace/dashboards/create",
            url_path="yunjing-demo",
            title="Yunjing",
            icon="mdi:home-lightning-bolt",
            show_in_sidebar=True,
            require_admin=False,
            mode="storage",
        )
    await client.ws(
        "lovelace/config/save",
        url_path="yunjing-demo",
        config=dashboard_config(devices),
    )


async def confirm_http_config(client: Client) -> None:
    """Keep the HTTP settings of configuration.yaml.

    Home Assistant moves them to its storage on the first start as a trial
    ("pending") and, unless confirmed within 5 minutes, reverts and restarts;
    the demo confirms them, as the frontend's prompt would.
    """
    config = await client.ws("http/config")
    if config.get("pending"):
        await client.ws("http/config/promote")


async def run_demo(url: str, config: Path, fast: bool, seconds: float) -> None:
    """Wait for Home Assistant, configure the demo on first start, print the login."""
    state_file = config / DEMO_STATE
    async with Client(url) as client:
        await client.wait_until_up(seconds)
        onboarded = await client.onboarded()
        deadline = time.monotonic() + 60
        while onboarded is None and not state_file.exists():
            # Not served yet, or onboarded by hand: wait a while for a clear answer.
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
            onboarded = await client.onboarded()
        if onboarded is False:
            started = time.monotonic()
            await client.onboard("Landlord", USERNAME, PASSWORD)
            await client.finish_onboarding()
            await client.wait_until_running(seconds)
            await confirm_http_config(client)
            result = await configure_demo(
                client,
                time_scale=FAST_TIME_SCALE if fast else 1,
                poll_interval=5 if fast else 10,
            )
            state_file.write_text(
                json.dumps(
                    {
                        "username": USERNAME,
                        "password": PASSWORD,
                        "fast": fast,
                        "entry_id": result["entry_id"],
                    },
                    indent=2,
                )
            )
            _say(
                f"demo: configured through the flows in {time.monotonic() - started:.1f} s"
            )
        elif not state_file.exists():
            _say(
                "demo: this config/ was set up by hand (no demo login is known);"
                " `scripts/develop --reset` recreates the demo"
            )
            return
        else:
            await client.login(USERNAME, PASSWORD)
            await client.wait_until_running(seconds)
            if not await client.entries("yunjing"):
                _say(
                    "demo: the Yunjing hub was removed; `scripts/develop --reset` recreates it"
                )
        saved = json.loads(state_file.read_text())
        _say(
            "\n".join(
                [
                    "",
                    "=" * 64,
                    f" Yunjing demo on {url}",
                    f"   login: {saved['username']} / {saved['password']}",
                    f"   dashboard: {url}/yunjing-demo/building",
                    "   simulated time: "
                    + (
                        f"{FAST_TIME_SCALE}x (a month in ~4 min)"
                        if saved.get("fast")
                        else "real time"
                    ),
                    *[
                        await _tenant_line(client, tenant, onboarded is False)
                        for tenant in DEMO_TENANTS
                    ],
                    "=" * 64,
                    "",
                ]
            )
        )


async def _tenant_line(client: Client, tenant: DemoTenant, first_start: bool) -> str:
    """A tenant's rooms and balance now; on the first start, what the demo set up."""
    balance = await client.state(f"sensor.{entity_slug(tenant.name)}_balance")
    line = f"   {tenant.name} ({', '.join(tenant.rooms)}): balance {balance}"
    return f"{line}; {tenant.story}" if first_start and tenant.story else line


def main() -> None:
    """Command line: configure the demo of `scripts/develop`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--fast", action="store_true", help="a month in ~4 minutes")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    try:
        asyncio.run(run_demo(args.url, args.config, args.fast, args.timeout))
    except (ApiError, TimeoutError, aiohttp.ClientError) as err:
        _say(f"demo: not configured: {err}")
        sys.exit(1)


if __name__ == "__main__":
    main()
