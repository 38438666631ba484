"""The Web API plumbing under `/api/<method>`: arguments, tokens, injected failures, recording.

Arguments come from the query string, a form or a JSON body, as slack_sdk
sends them; JSON-valued arguments sent as form strings are decoded. Bot
methods want a bot token (`Authorization: Bearer` or a `token` argument),
app-level methods the app token, and OAuth methods the app's client id and
secret (HTTP Basic or form fields). Each group of methods (`Directory`,
`Messaging`...) hands its handlers over with `methods()`.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiohttp import web

from tests.platforms.slack.changes import Changes
from tests.platforms.slack.world import Args, SlackError, Team, World

JSON_ARGUMENTS = frozenset({"blocks", "attachments", "view", "files", "metadata"})
NO_TEAM = Team("", "", "", "", "")  # app-level and OAuth methods act for no team

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """One Web API call as Slack received it, and how Slack answered.

    `args` merges the query string, the form or JSON body; JSON-valued
    arguments sent as form strings (`blocks`, `view`, `files`...) are decoded.
    Refused calls are recorded too: `error` names the refusal.
    """

    method: str
    args: Mapping[str, Any]
    token: str | None
    at: float  # time.monotonic()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Context:
    """One call as a handler sees it; `client` is the (id, secret) pair of OAuth methods."""

    team: Team
    token: str
    args: Args
    client: tuple[str, str] | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)

    def need(self, name: str) -> Any:
        value = self.args.get(name)
        if value in (None, ""):
            raise SlackError(
                "invalid_arguments", messages=[f"[ERROR] missing required field: {name}"]
            )
        return value

    def flag(self, name: str) -> bool:
        return self.args.get(name) in (True, 1, "1", "true", "True")


@dataclass(frozen=True, slots=True)
class Method:
    """A handler and the credentials it takes: a bot token, the app token or the client's."""

    handler: Callable[[Context], Args]
    token: Literal["bot", "app", "client"] = "bot"


@dataclass
class Failure:
    error: str
    status: int
    retry_after: int | None
    remaining: int


@dataclass
class Limit:
    per_second: float
    key: str | None
    recent: dict[str, list[float]] = field(default_factory=dict)


class WebApi:
    def __init__(self, world: World, changes: Changes, *, app_token: str) -> None:
        self.calls: list[Call] = []
        self._world = world
        self._changes = changes
        self._app_token = app_token
        self._methods: dict[str, Method] = {}
        self._failures: dict[str, list[Failure]] = {}
        self._limits: dict[str, Limit] = {}

    def add(self, methods: Mapping[str, Method]) -> None:
        self._methods.update(methods)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = 1,
    ) -> None:
        if status is None:
            status = 429 if error in (None, "ratelimited") else 200
        if error is None:
            error = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}.get(
                status, "fatal_error"
            )
        failure = Failure(error, status, retry_after if status == 429 else None, times)
        self._failures.setdefault(method, []).append(failure)

    def rate_limit(self, method: str, *, per_second: float, key: str | None = None) -> None:
        self._limits[method] = Limit(per_second, key)

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: Args = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            args.update(body if isinstance(body, dict) else {})
        elif request.method == "POST":
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
        authorization = request.headers.get("Authorization", "")
        token = _bearer(authorization) or args.pop("token", None)
        args.pop("token", None)
        for name in JSON_ARGUMENTS & args.keys():
            if isinstance(args[name], str) and args[name][:1] in ("[", "{"):
                args[name] = json.loads(args[name])
        at = time.monotonic()
        try:
            answer = self._answer(method, token, args, basic=_basic(authorization))
        except SlackError as error:
            self._record(Call(method, args, token, at, error.error))
            return web.json_response(error.body(), status=error.status, headers=error.headers)
        self._record(Call(method, args, token, at))
        return web.json_response({"ok": True, **answer})

    def _answer(
        self, name: str, token: str | None, args: Args, *, basic: tuple[str, str] | None
    ) -> Args:
        self._check_limits(name, args)
        method = self._methods.get(name)
        if method is None:
            raise SlackError("unknown_method", status=404)
        if method.token == "client":
            client = basic or (str(args.get("client_id", "")), str(args.get("client_secret", "")))
            return method.handler(Context(NO_TEAM, "", args, client))
        return method.handler(self._authorize(method, token, args))

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changes.notify()

    def _check_limits(self, method: str, args: Args) -> None:
        failures = self._failures.get(method)
        if failures:
            failure = failures[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                failures.pop(0)
            headers = (
                {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            )
            raise SlackError(failure.error, status=failure.status, headers=headers)
        limit = self._limits.get(method)
        if limit is not None:
            key = "" if limit.key is None else str(args.get(limit.key, ""))
            now = time.monotonic()
            recent = [t for t in limit.recent.get(key, []) if now - t < 1.0]
            if len(recent) >= limit.per_second:
                limit.recent[key] = recent
                raise SlackError("ratelimited", status=429, headers={"Retry-After": "1"})
            limit.recent[key] = [*recent, now]

    def _authorize(self, method: Method, token: str | None, args: Args) -> Context:
        if not token:
            raise SlackError("not_authed")
        if token in self._world.revoked:
            raise SlackError(self._world.revoked[token])
        if token == self._app_token:
            if method.token != "app":
                raise SlackError("not_allowed_token_type")
            return Context(NO_TEAM, token, args)
        if token not in self._world.tokens:
            raise SlackError("invalid_auth")
        if method.token == "app":
            raise SlackError("not_allowed_token_type")
        return Context(self._world.teams[self._world.tokens[token]], token, args)


def page(
    items: Sequence[T], context: Context, kind: str, ids: Sequence[str]
) -> tuple[list[T], Args]:
    """One page of `items` and its `response_metadata`, cursor-paginated like Slack."""
    start = 0
    if cursor := context.get("cursor"):
        try:
            start = list(ids).index(base64.b64decode(cursor).decode().removeprefix(f"{kind}:"))
        except (ValueError, UnicodeDecodeError):
            raise SlackError("invalid_cursor") from None
    limit = int(context.get("limit") or 0) or len(items)
    found = list(items[start : start + limit])
    more = start + limit < len(items)
    cursor = base64.b64encode(f"{kind}:{ids[start + limit]}".encode()).decode() if more else ""
    return found, {"next_cursor": cursor}


def _bearer(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret
