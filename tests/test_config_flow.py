"""The hub config flow: connection types, test before configure, one hub per gateway."""

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yunjing.const import DOMAIN


async def _start(hass: HomeAssistant, kind: str) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["tcp", "rtu_over_tcp", "serial"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    return result["flow_id"]


async def test_tcp_gateway_is_added(hass: HomeAssistant, tcp_gateway: int) -> None:
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": " 127.0.0.1 ", "port": tcp_gateway}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"127.0.0.1:{tcp_gateway}"
    assert result["data"] == {
        "connection_type": "tcp",
        "host": "127.0.0.1",
        "port": tcp_gateway,
    }
    assert result["result"].unique_id == f"tcp:127.0.0.1:{tcp_gateway}"


async def test_rtu_over_tcp_gateway_is_added(
    hass: HomeAssistant, tcp_gateway: int
) -> None:
    flow_id = await _start(hass, "rtu_over_tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": tcp_gateway}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["connection_type"] == "rtu_over_tcp"
    assert result["result"].unique_id == f"rtu_over_tcp:127.0.0.1:{tcp_gateway}"


async def test_unreachable_gateway_shows_error_then_recovers(
    hass: HomeAssistant, closed_port: int, tcp_gateway: int
) -> None:
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": closed_port}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": tcp_gateway}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_blank_host_is_refused(hass: HomeAssistant) -> None:
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "   ", "port": 502}
    )
    assert result["errors"] == {"base": "address_required"}


async def test_serial_port_that_does_not_exist(hass: HomeAssistant) -> None:
    flow_id = await _start(hass, "serial")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "device": "/dev/ttyYUNJING404",
            "baudrate": "9600",
            "parity": "E",
            "bytesize": "8",
            "stopbits": "1",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_same_gateway_twice_is_aborted(
    hass: HomeAssistant, tcp_gateway: int
) -> None:
    MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"tcp:127.0.0.1:{tcp_gateway}",
        data={"connection_type": "tcp", "host": "127.0.0.1", "port": tcp_gateway},
    ).add_to_hass(hass)
    flow_id = await _start(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": "127.0.0.1", "port": tcp_gateway}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_setup_and_unload(hass: HomeAssistant, tcp_gateway: int) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"tcp:127.0.0.1:{tcp_gateway}",
        data={"connection_type": "tcp", "host": "127.0.0.1", "port": tcp_gateway},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state.value == "loaded"
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state.value == "not_loaded"


async def test_unreachable_gateway_retries_setup(
    hass: HomeAssistant, closed_port: int
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"connection_type": "tcp", "host": "127.0.0.1", "port": closed_port},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state.value == "setup_retry"
