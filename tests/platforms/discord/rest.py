"""The REST plumbing under /api/v10: routing, bot-token auth, recording, injected failures, JSON.

discord.py reads a body as JSON only when Content-Type is exactly
`application/json`, and retries a 429 only when the response carries a `Via`
header (without one it assumes a Cloudflare ban), so both are honoured here.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.platforms.discord import errors
from tests.platforms.discord.journal import Journal, RecordedRequest, match_route

KEPT_HEADERS = ("Authorization", "Content-Type", "User-Agent", "X-Audit-Log-Reason")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any

    def id(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise errors.invalid_form(
                name, "NUMBER_TYPE_COERCE", "Value is not snowflake."
            ) from None

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: str
    handler: Handler
    auth: bool = True  # interaction callbacks and webhook tokens carry their own credentials


@dataclass
class Failure:
    method: str
    pattern: str
    remaining: int
    status: int
    retry_after: float
    global_: bool
    via: bool
    code: int | None
    message: str | None

    def reply(self) -> Reply:
        if self.status != 429:
            code, message = self.code, self.message
            if self.status == 403:
                code, message = code or 50013, message or "Missing Permissions"
            body = {"message": message or f"{self.status}: injected failure", "code": code or 0}
            return Reply(self.status, body)
        body = {
            "message": self.message or "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.global_,
        }
        if self.code is not None:
            body["code"] = self.code
        headers = {
            "Retry-After": str(math.ceil(self.retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Bucket": f"emulated-{abs(hash(self.pattern)):x}",
            "X-RateLimit-Scope": "global" if self.global_ else "user",
        }
        if self.global_:
            headers["X-RateLimit-Global"] = "true"
        if self.via:
            headers["Via"] = "1.1 google"
        return Reply(429, body, headers)


class Rest:
    def __init__(self, *, token: str) -> None:
        self.token = token
        self.requests: Journal[RecordedRequest] = Journal("REST request")
        self.endpoints: list[Endpoint] = []
        self.failures: list[Failure] = []

    def add(self, endpoints: list[Endpoint]) -> None:
        self.endpoints.extend(endpoints)

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await read_body(request)
        headers = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
        reply = await self._answer(request.method, path, dict(request.query), body, headers)
        self.requests.append(
            RecordedRequest(
                request.method, path, dict(request.query), body, headers, reply.status, reply.body
            )
        )
        if reply.status == 204 or reply.body is None:
            return web.Response(status=reply.status, headers=reply.headers)
        return web.Response(
            status=reply.status,
            body=json.dumps(reply.body).encode(),
            headers={"Content-Type": "application/json", **reply.headers},
        )

    async def _answer(
        self, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
    ) -> Reply:
        for failure in self.failures:
            due = failure.remaining > 0 and failure.method in (method, "*")
            if due and match_route(failure.pattern, path) is not None:
                failure.remaining -= 1
                return failure.reply()
        for endpoint in self.endpoints:
            params = match_route(endpoint.pattern, path)
            if params is None or endpoint.method != method:
                continue
            if endpoint.auth and headers.get("Authorization") != f"Bot {self.token}":
                return Reply(401, {"message": "401: Unauthorized", "code": 0})
            try:
                return await endpoint.handler(Call(method, path, params, query, body))
            except errors.ApiError as error:
                return Reply(error.status, error.body())
        known = any(match_route(e.pattern, path) is not None for e in self.endpoints)
        if known:
            return Reply(405, {"message": "405: Method Not Allowed", "code": 0})
        return Reply(404, {"message": "404: Not Found", "code": 0})


async def read_body(request: web.Request) -> Any:
    """The JSON body, or for a multipart upload its `payload_json` plus the file names sent."""
    if not request.can_read_body:
        return None
    if request.content_type == "multipart/form-data":
        form = await request.post()
        payload = json.loads(str(form.get("payload_json", "{}")))
        payload["_files"] = [
            getattr(value, "filename", name)
            for name, value in form.items()
            if name != "payload_json"
        ]
        return payload
    raw = await request.read()
    return json.loads(raw) if raw else None
