"""The pymodbus TCP server with one fix the simulator needs.

pymodbus 3.13's ServerRequestHandler reads ``last_pdu`` again after awaiting
the datastore, so a reply held back (a late or dead meter) goes out with the
transaction and unit id of whichever request arrived meanwhile: meter 2's late
registers would answer meter 3's request. A real gateway never does that, so
the handler here keeps the request it is answering.
"""

from __future__ import annotations

from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.pdu import ExceptionResponse
from pymodbus.server import ModbusTcpServer
from pymodbus.server.requesthandler import ServerRequestHandler


class _RequestHandler(ServerRequestHandler):
    async def handle_request(self) -> None:
        request, address = self.last_pdu, self.last_addr
        if not request:
            return
        response: Any
        try:
            response = await request.datastore_update(
                self.server.context, request.dev_id
            )
        except Exception:
            response = ExceptionResponse(request.function_code, ExcCodes.DEVICE_FAILURE)
        response.transaction_id = request.transaction_id
        response.dev_id = request.dev_id
        self.server_send(response, address)  # type: ignore[no-untyped-call]


class GatewayServer(ModbusTcpServer):
    """A Modbus TCP (or RTU over TCP) listener answering each request as asked."""

    def callback_new_connection(self) -> _RequestHandler:
        return _RequestHandler(  # type: ignore[no-untyped-call]
            self, self.trace_packet, self.trace_pdu, self.trace_connect
        )
