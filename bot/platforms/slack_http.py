"""Running the Slack adapter: the Bolt app, Socket Mode, and the HTTP server.

One workspace with a bot token is the usual self-hosted install: Socket
Mode needs only `SLACK_BOT_TOKEN` and `SLACK_APP_TOKEN` and no public URL.
HTTP mode (`SLACK_SIGNING_SECRET`) serves `POST /slack/events` for events,
commands and interactivity, and `GET /healthz`. `SLACK_API_URL` points every
Web API call (and Socket Mode's `apps.connections.open`) somewhere else:
a proxy, or the local Slack the tests run.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import Hearth
from bot.chat import WorkspaceRef
from bot.delivery import DeliveryError
from bot.platforms.slack import SlackAdapter, web_client
from bot.platforms.slack_manifest import BOT_SCOPES
from bot.settings import Settings, SettingsError
from storage import installation_store, state_store

log = logging.getLogger(__name__)


class _TokenFromSettings(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the
    client Hearth gives it (with that same token and SLACK_API_URL) wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt.hearth")
    if not any(isinstance(f, _TokenFromSettings) for f in logger.filters):
        logger.addFilter(_TokenFromSettings())
    return logger


def slack_adapter(hearth: Hearth, settings: Settings, *, http: bool) -> SlackAdapter:
    """The adapter for a single workspace's bot token (Socket Mode or HTTP)."""
    if not settings.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is needed to connect to Slack")
    if http and not settings.slack_signing_secret:
        raise SettingsError("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests")
    if not http and not settings.slack_app_token:
        raise SettingsError(
            "Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write); "
            "or run with --http and SLACK_SIGNING_SECRET"
        )
    client = web_client(settings.slack_bot_token, base_url=settings.slack_api_url)
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret if http else None,
        request_verification_enabled=http,
        process_before_response=False,
        logger=bolt_logger(),
    )

    async def client_for(workspace: WorkspaceRef) -> AsyncWebClient:
        return client

    return SlackAdapter(hearth, app, client_for=client_for)


def oauth_adapter(hearth: Hearth, settings: Settings) -> SlackAdapter:
    """The adapter for a multi-workspace app: each team's token from its installation."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        raise SettingsError("OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    if not settings.slack_signing_secret:
        raise SettingsError("OAuth installs run in HTTP mode: set SLACK_SIGNING_SECRET")
    engine = hearth.storage.engine
    installations = installation_store(engine, client_id=settings.slack_client_id)
    api = web_client(None, base_url=settings.slack_api_url)
    app = AsyncApp(
        client=api,
        signing_secret=settings.slack_signing_secret,
        process_before_response=False,
        logger=bolt_logger(),
        oauth_settings=AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=installations,
            state_store=state_store(engine),
        ),
    )
    clients: dict[WorkspaceRef, tuple[str, AsyncWebClient]] = {}

    async def client_for(workspace: WorkspaceRef) -> AsyncWebClient:
        bot = await installations.async_find_bot(enterprise_id=None, team_id=workspace.workspace_id)
        if bot is None or not bot.bot_token:
            raise DeliveryError("Hearth is not installed in this workspace", permanent=True)
        cached = clients.get(workspace)
        if cached is None or cached[0] != bot.bot_token:
            cached = (bot.bot_token, web_client(bot.bot_token, base_url=settings.slack_api_url))
            clients[workspace] = cached
        return cached[1]

    return SlackAdapter(hearth, app, client_for=client_for, installations=installations)


def http_app(adapter: SlackAdapter, hearth: Hearth) -> Starlette:
    """`POST /slack/events` (signed requests only), `GET /healthz`, and with OAuth
    `GET /slack/install` and `GET /slack/oauth_redirect`."""
    handler = AsyncSlackRequestHandler(adapter.app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        if not await hearth.storage.healthy():
            return JSONResponse({"status": "unhealthy", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/slack/events", events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    flow = adapter.app.oauth_flow
    if flow is not None:  # multi-workspace installs
        routes += [
            Route(flow.install_path, events, methods=["GET"]),
            Route(flow.redirect_uri_path, events, methods=["GET"]),
        ]
    return Starlette(routes=routes)


@asynccontextmanager
async def socket_mode(adapter: SlackAdapter, settings: Settings) -> AsyncIterator[None]:
    """Connected to Slack over Socket Mode while inside."""
    handler = AsyncSocketModeHandler(
        adapter.app, settings.slack_app_token, web_client=adapter.app.client
    )
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
