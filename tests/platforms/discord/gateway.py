"""The gateway websocket: handshake, heartbeats, member chunks, sequenced dispatches, RESUME.

Frames are plain JSON text (discord.py only inflates binary frames). A session
outlives its socket: every dispatch is logged with its sequence number, so a
client that RESUMEs with the last `s` it saw gets exactly the dispatches after
it, then RESUMED. A client that closes with 1000 or 1001 ends its session, as
Discord does. Events are filtered by the intents the session identified with,
and message content is blanked without the MESSAGE_CONTENT intent.
"""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.platforms.discord import payloads
from tests.platforms.discord.journal import Disconnection, GatewayFrame, Journal
from tests.platforms.discord.world import PRIVILEGED, Guild, Intent, World

Json = dict[str, Any]
CHUNK_SIZE = 1000

EVENT_INTENTS: dict[str, tuple[Intent, Intent]] = {
    # event: (intent in a guild, intent in a DM)
    "GUILD_MEMBER_ADD": (Intent.GUILD_MEMBERS, Intent.GUILD_MEMBERS),
    "GUILD_MEMBER_UPDATE": (Intent.GUILD_MEMBERS, Intent.GUILD_MEMBERS),
    "GUILD_MEMBER_REMOVE": (Intent.GUILD_MEMBERS, Intent.GUILD_MEMBERS),
    "MESSAGE_CREATE": (Intent.GUILD_MESSAGES, Intent.DIRECT_MESSAGES),
    "MESSAGE_UPDATE": (Intent.GUILD_MESSAGES, Intent.DIRECT_MESSAGES),
    "MESSAGE_DELETE": (Intent.GUILD_MESSAGES, Intent.DIRECT_MESSAGES),
    "MESSAGE_REACTION_ADD": (Intent.GUILD_MESSAGE_REACTIONS, Intent.DIRECT_MESSAGE_REACTIONS),
    "MESSAGE_REACTION_REMOVE": (Intent.GUILD_MESSAGE_REACTIONS, Intent.DIRECT_MESSAGE_REACTIONS),
    "THREAD_CREATE": (Intent.GUILDS, Intent.GUILDS),
    "CHANNEL_CREATE": (Intent.GUILDS, Intent.GUILDS),
}


@dataclass(frozen=True)
class GatewayConnection:
    """A websocket opened by a client: `path` tells the first URL from the resume URL."""

    number: int
    path: str


@dataclass(frozen=True)
class SentFrame:
    connection: int
    frame: Json


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None
    large_threshold: int
    log: list[Json] = field(default_factory=list)
    socket: web.WebSocketResponse | None = None
    connection: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def sees(self, guild_id: int) -> bool:
        return self.shard is None or (guild_id >> 22) % self.shard[1] == self.shard[0]


class Gateway:
    def __init__(self, world: World, *, token: str, heartbeat_interval_ms: int) -> None:
        self.world = world
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.url = ""  # ws://host:port, known once the server listens
        self.connections: Journal[GatewayConnection] = Journal("gateway connection")
        self.received: Journal[GatewayFrame] = Journal("gateway frame received")
        self.sent: Journal[SentFrame] = Journal("gateway frame sent")
        self.disconnections: Journal[Disconnection] = Journal("gateway disconnection")
        self.sessions: dict[str, Session] = {}
        self.holding = False  # dispatches are logged but not sent, as if lost in transit
        self._sockets: dict[int, web.WebSocketResponse] = {}
        self._server_closes: dict[int, int] = {}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        number = len(self.connections) + 1
        self.connections.append(GatewayConnection(number, request.path))
        self._sockets[number] = ws
        session: Session | None = None
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["emulator"]}
            await self._send(number, ws, control(10, hello))
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    await self.close(number, 4002, "Error while decoding payload.")
                    break
                session = await self._receive(number, ws, session, message.data)
        finally:
            del self._sockets[number]
            code = self._server_closes.get(number, ws.close_code)
            by = "server" if number in self._server_closes else "client"
            self.disconnections.append(Disconnection(number, code, by))
            if session is not None and session.connection == number:
                session.socket = None
                if by == "client" and code in (1000, 1001):
                    self.sessions.pop(session.id, None)
        return ws

    async def _receive(
        self, number: int, ws: web.WebSocketResponse, session: Session | None, raw: str
    ) -> Session | None:
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        op, d = (frame.get("op"), frame.get("d")) if isinstance(frame, dict) else (None, None)
        if op is None or (op in (2, 6, 8) and not isinstance(d, dict)):
            await self.close(number, 4002, "Error while decoding payload.")
            return session
        self.received.append(GatewayFrame(number, op, d))
        body: Json = d if isinstance(d, dict) else {}
        if op == 1:
            await self._send(number, ws, control(11, None))
        elif op == 2:
            return await self._identify(number, ws, session, body)
        elif op == 6:
            return await self._resume(number, ws, body)
        elif session is None:
            await self.close(number, 4003, "Not authenticated.")
        elif op == 8:
            await self._send_members(session, body)
        elif op not in (3, 4):  # presence and voice state updates are only recorded
            await self.close(number, 4001, "Unknown opcode.")
        return session

    async def _identify(
        self, number: int, ws: web.WebSocketResponse, session: Session | None, d: Json
    ) -> Session | None:
        if session is not None:
            await self.close(number, 4005, "Already authenticated.")
            return session
        if d.get("token") != self.token:
            await self.close(number, 4004, "Authentication failed.")
            return None
        intents = d.get("intents")
        if not isinstance(intents, int):
            await self.close(number, 4013, "Invalid intent(s).")
            return None
        privileged = sum(bit for bit, _ in PRIVILEGED.values())
        if intents & privileged & ~self.world.granted_intents:
            await self.close(number, 4014, "Disallowed intent(s).")
            return None
        session = Session(uuid.uuid4().hex, intents, d.get("shard"), d.get("large_threshold", 50))
        self.sessions[session.id] = session
        session.socket, session.connection = ws, number
        resume_url = f"{self.url}/gw/resume"
        ready = payloads.ready(
            self.world, session_id=session.id, resume_url=resume_url, shard=session.shard
        )
        await self._deliver(session, "READY", ready)
        for guild in self.world.guilds.values():
            if session.sees(guild.id):
                created = payloads.guild_create(
                    self.world, guild, large_threshold=session.large_threshold
                )
                await self._deliver(session, "GUILD_CREATE", created)
        return session

    async def _resume(self, number: int, ws: web.WebSocketResponse, d: Json) -> Session | None:
        session = self.sessions.get(d.get("session_id", ""))
        seq = d.get("seq") or 0
        if d.get("token") != self.token:
            await self.close(number, 4004, "Authentication failed.")
            return None
        if session is None or seq > len(session.log):
            await self._send(number, ws, control(9, False))
            return None
        async with session.lock:
            previous = session.connection
            session.socket, session.connection = ws, number
            for frame in session.log[seq:]:
                await self._send(number, ws, frame)
        if previous in self._sockets and previous != number:
            await self.close(previous, 4000, "Session resumed elsewhere.")
        await self._deliver(session, "RESUMED", {"_trace": ["emulator"]})
        return session

    async def _send_members(self, session: Session, d: Json) -> None:
        guild = self.world.guilds.get(int(d["guild_id"]))
        if guild is None:
            return
        members, not_found = select_members(guild, self.world, d)
        count = max(1, math.ceil(len(members) / CHUNK_SIZE))
        for index in range(count):
            chunk: Json = {
                "guild_id": str(guild.id),
                "members": [
                    payloads.member(self.world, guild, guild.members[m])
                    for m in members[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]
                ],
                "chunk_index": index,
                "chunk_count": count,
            }
            if not_found is not None:
                chunk["not_found"] = not_found
            if d.get("presences"):
                chunk["presences"] = []
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            await self._deliver(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def dispatch(self, event: str, data: Json) -> None:
        """Sequence `event` in every session entitled to it, and send it unless holding."""
        for session in list(self.sessions.values()):
            shaped = shape_for(session, self.world, event, data)
            if shaped is not None:
                await self._deliver(session, event, shaped, send=not self.holding)

    async def force_reconnect(self, *, code: int | None, forget: bool = False) -> None:
        """Close every live session's socket with `code`, or send op 7 RECONNECT when None;
        with `forget` the sessions end first, so a RESUME is answered op 9 INVALID_SESSION."""
        live = [s for s in self.sessions.values() if s.socket is not None]
        if forget:
            self.sessions.clear()
        for session in live:
            assert session.socket is not None
            if code is None:
                await self._send(session.connection, session.socket, control(7, None))
            else:
                await self.close(session.connection, code, "Reconnect, please.")

    async def close(self, number: int, code: int, reason: str) -> None:
        ws = self._sockets.get(number)
        if ws is not None and not ws.closed:
            self._server_closes[number] = code
            await ws.close(code=code, message=reason.encode())

    async def close_all(self) -> None:
        for number in list(self._sockets):
            await self.close(number, 1001, "The emulator is shutting down.")

    async def _deliver(
        self, session: Session, event: str, data: Json, *, send: bool = True
    ) -> None:
        async with session.lock:
            frame = {"op": 0, "t": event, "s": len(session.log) + 1, "d": data}
            session.log.append(frame)
            if send and session.socket is not None:
                await self._send(session.connection, session.socket, frame)

    async def _send(self, number: int, ws: web.WebSocketResponse, frame: Json) -> None:
        if ws.closed:
            return  # logged dispatches stay owed to a RESUME
        try:
            await ws.send_str(json.dumps(frame))
        except ConnectionResetError:
            return
        self.sent.append(SentFrame(number, frame))


def control(op: int, d: Any) -> Json:
    return {"op": op, "t": None, "s": None, "d": d}


def select_members(guild: Guild, world: World, d: Json) -> tuple[list[int], list[str] | None]:
    """The member ids a REQUEST_GUILD_MEMBERS asks for, and (for user_ids) the ids not found."""
    user_ids = d.get("user_ids")
    if user_ids is not None:
        wanted = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
        found = [u for u in wanted if u in guild.members]
        return found, [str(u) for u in wanted if u not in guild.members]
    query = str(d.get("query", "")).casefold()
    limit = int(d.get("limit", 0))
    matching = [
        m.user_id
        for m in guild.members.values()
        if world.users[m.user_id].name.casefold().startswith(query)
        or (m.nick or "").casefold().startswith(query)
    ]
    return (matching[:limit] if limit else matching), None


def shape_for(session: Session, world: World, event: str, data: Json) -> Json | None:
    """`data` as this session may see it, or None when its intents do not cover the event."""
    guild_id = data.get("guild_id")
    if guild_id is not None and not session.sees(int(guild_id)):
        return None
    needed = EVENT_INTENTS.get(event)
    if needed is not None and not session.intents & needed[0 if guild_id else 1]:
        return None
    if (
        event in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
        and not session.intents & Intent.MESSAGE_CONTENT
    ):
        return without_content(world, data)
    return data


def without_content(world: World, message: Json) -> Json:
    bot = str(world.bot.id)
    author = message.get("author", {}).get("id")
    mentioned = any(u.get("id") == bot for u in message.get("mentions", []))
    if message.get("guild_id") is None or author == bot or mentioned:
        return message
    blank: dict[str, Any] = {"content": "", "embeds": [], "attachments": [], "components": []}
    return message | {k: v for k, v in blank.items() if k in message}
