"""End to end: a real `hass` process on a temporary configuration and a simulated building.

Every test in this folder is marked `e2e`; `pytest -m "not e2e"` leaves them out.
Each test starts its own simulator and Home Assistant and stops both, whatever
happens, within bounded time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import re
import socket
import sys

import pytest

from custom_components.yunjing.meters.bus import Bus, BusKind, BusSettings
from custom_components.yunjing.meters.models import MODELS
from custom_components.yunjing.meters.reading import Reading
from scripts.demo import USERNAME, Client

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-password"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0

# A 1,000 W heater that is always on, at 72 x simulated time: 20 Wh per real
# second while the relay is closed, nothing while it is open. The relay starts
# open unless the test is marked `relay_closed_at_start`.
BUILDING = """\
gateway: {{host: 127.0.0.1, tcp_port: 0, rtu_over_tcp_port: 0}}
time_scale: {time_scale}
meters:
  - unit_id: 1
    model: dds238_2
    room: "101"
    import_kwh: 100.0
    relay_closed: {relay_closed}
    appliances:
      - {{name: heater, kind: base, power_w: 1000, power_factor: 1.0}}
"""
TIME_SCALE = 72

CONFIGURATION = """\
homeassistant:
  name: Yunjing end to end
  time_zone: Asia/Shanghai
  currency: CNY
  country: CN
  unit_system: metric
  latitude: 31.23
  longitude: 121.47
  elevation: 0
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
auth:
config:
onboarding:
logger:
  default: warning
  logs:
    custom_components.yunjing: debug
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `e2e`."""
    folder = Path(__file__).parent
    for item in items:
        if folder in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers", "e2e: a real Home Assistant process (deselect: -m 'not e2e')"
    )
    config.addinivalue_line(
        "markers", "relay_closed_at_start: the simulated meter's relay starts closed"
    )


@dataclass
class Meter:
    """Unit 1 of the simulated gateway, read over Modbus as the landlord's gateway would be."""

    port: int

    async def read(self) -> Reading:
        """One reading of the meter (relay state and import counter)."""
        bus = Bus(BusSettings(kind=BusKind.TCP, host="127.0.0.1", port=self.port))
        try:
            reading = await bus.read(1, MODELS["dds238_2"])
        finally:
            await bus.close()
        assert reading is not None, "the simulated meter did not answer"
        return reading


@dataclass
class Instance:
    """A running Home Assistant logged in as its owner, and the simulator beside it."""

    client: Client
    meter: Meter
    config: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL if it does not end in time."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


async def _start_simulator(
    folder: Path, log: Path, relay_closed: bool
) -> tuple[asyncio.subprocess.Process, int]:
    building = folder / "building.yaml"
    building.write_text(
        BUILDING.format(
            time_scale=TIME_SCALE, relay_closed="true" if relay_closed else "false"
        )
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "custom_components.yunjing.meters.simulator",
        str(building),
        cwd=ROOT,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=log.open("wb"),
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
    except BaseException:
        await _stop(process)
        raise
    match = re.search(rb"Modbus TCP on [\d.]+:(\d+)", line)
    if match is None:
        await _stop(process)
        pytest.fail(f"simulator did not start: {line!r}, see {log}")
    return process, int(match[1])


@pytest.fixture
async def instance(
    socket_enabled: None, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Instance]:
    """The simulator and a fresh Home Assistant, onboarded; both stopped afterwards."""
    config = tmp_path / "config"
    config.mkdir()
    port = _free_port()
    (config / "configuration.yaml").write_text(CONFIGURATION.format(port=port))
    simulator, modbus_port = await _start_simulator(
        tmp_path,
        tmp_path / "simulator.log",
        request.node.get_closest_marker("relay_closed_at_start") is not None,
    )
    log = tmp_path / "hass.log"
    hass = None
    try:
        with log.open("wb") as output:
            hass = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(config),
                "--skip-pip",
                # From the repository, Home Assistant imports custom_components/yunjing
                # as scripts/develop does.
                cwd=ROOT,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )
        async with Client(f"http://127.0.0.1:{port}") as client:
            await client.wait_until_up(START_TIMEOUT)
            await client.onboard("Owner", USERNAME, PASSWORD)
            await client.wait_until_running(START_TIMEOUT)
            yield Instance(client, Meter(modbus_port), config, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            if hass is not None:
                await _stop(hass)
            await _stop(simulator)
        # Shown by pytest only when the test fails (captured output).
        tail = (
            log.read_text(errors="replace").splitlines()[-80:] if log.exists() else []
        )
        sys.stderr.write("--- hass log (tail) ---\n" + "\n".join(tail) + "\n")
