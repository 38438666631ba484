"""A bare Bolt app over HTTP whose only listener acknowledges: the baseline.

`python -m bench.slack_bare PORT` serves `POST /slack/events` (verifying
signatures with $SLACK_SECRET) and `GET /healthz` with the same Starlette
and uvicorn stack as Hearth, so `bench.slack_ack` can compare the two.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T0BENCH", bot_user_id="UBOT")


def app() -> Starlette:
    bolt = AsyncApp(signing_secret=os.environ["SLACK_SECRET"], authorize=_authorize)

    @bolt.event("message")
    async def acknowledge() -> None:
        return None

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


if __name__ == "__main__":
    uvicorn.run(app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
