"""Socket Mode: apps.connections.open hands out a one-time websocket URL; envelopes go down
it and acknowledgements come back, as with Slack's applink servers."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from tests.platforms.slack.changes import Changes
from tests.platforms.slack.webapi import Context, Method
from tests.platforms.slack.world import Args, World


@dataclass(frozen=True, slots=True)
class Ack:
    """A Socket Mode acknowledgement: `payload` is None for a bare ack."""

    envelope_id: str
    payload: Mapping[str, Any] | None
    at: float


class SocketMode:
    def __init__(self, world: World, changes: Changes) -> None:
        self.acks: list[Ack] = []
        self._world = world
        self._changes = changes
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._connections = 0

    def methods(self) -> dict[str, Method]:
        return {"apps.connections.open": Method(self.connections_open, token="app")}

    def connections_open(self, context: Context) -> Args:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        host = self._world.base_url.removeprefix("http://")
        return {"url": f"ws://{host}/socket-mode/link/?ticket={ticket}&app_id={self._world.app_id}"}

    async def connected(self, timeout: float, *, count: int) -> None:  # noqa: ASYNC109
        def ready() -> bool | None:
            return True if self._connections >= count and self._sockets else None

        await self._changes.until(ready, timeout, f"{count} Socket Mode connection(s)")

    async def send(
        self,
        envelope_type: str,
        payload: Mapping[str, Any],
        *,
        retry_attempt: int,
        retry_reason: str,
        accepts_response_payload: bool | None,
        envelope_id: str | None,
    ) -> str:
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected")
        envelope_id = envelope_id or str(uuid.uuid4())
        if accepts_response_payload is None:  # what Slack sends: where an ack can answer
            answerable = payload.get("type") in ("view_submission", "block_suggestion")
            accepts_response_payload = envelope_type == "slash_commands" or answerable
        envelope: Args = {"envelope_id": envelope_id, "payload": dict(payload)}
        envelope["type"] = envelope_type
        envelope["accepts_response_payload"] = accepts_response_payload
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def ack(self, envelope_id: str, timeout: float) -> Ack:  # noqa: ASYNC109
        def found() -> Ack | None:
            return next((a for a in self.acks if a.envelope_id == envelope_id), None)

        return await self._changes.until(found, timeout, f"an ack of {envelope_id}")

    async def disconnect(self, reason: str, *, close: bool) -> None:
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected")
        socket = self._sockets[-1]
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-emulator"},
        }
        await socket.send_str(json.dumps(message))
        if close:
            await socket.close(code=1000)

    async def close_all(self) -> None:
        for socket in list(self._sockets):
            await socket.close(code=1001, message=b"going away")

    async def connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="invalid_ticket")
        self._tickets.discard(ticket)
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._connections += 1
        self._sockets.append(socket)
        hello = {
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {
                "host": "applink-emulator",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self._world.app_id},
        }
        await socket.send_str(json.dumps(hello))
        self._changes.notify()
        try:
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                if isinstance(message, dict) and "envelope_id" in message:
                    payload = message.get("payload")
                    self.acks.append(Ack(message["envelope_id"], payload, time.monotonic()))
                    self._changes.notify()
        finally:
            self._sockets.remove(socket)
            self._changes.notify()
        return socket
