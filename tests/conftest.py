"""Fixtures shared by the Home Assistant tests."""

from collections.abc import AsyncIterator
import socket

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/yunjing in every test."""


@pytest.fixture
async def tcp_gateway(socket_enabled: None) -> AsyncIterator[int]:
    """A TCP listener on 127.0.0.1 standing in for a gateway that accepts connections."""
    import asyncio

    writers: list[asyncio.StreamWriter] = []

    async def accept(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield port
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.fixture
def closed_port(socket_enabled: None) -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
