"""The Slack adapter: slack-bolt's AsyncApp in, Block Kit out.

Every request Slack sends (an event, a slash command, a button, a modal)
goes through one Bolt middleware that translates it into a neutral event
and claims it in Hearth's inbox before Bolt acknowledges it: a duplicate
(a Slack retry, a replayed Socket Mode envelope) is acknowledged with 200
and skipped, and an event acknowledged and then cut short by a crash is
still in the inbox, unfinished, for `Hearth.resume` to process. The
listener acknowledges, processes the event, and answers the member
directly: private replies as ephemeral messages (through the command's or
button's `response_url` when it has one), forms as modals opened with the
trigger id, home sections as the App Home view. Everything public, in a
thread or by DM went to the outbox, which this adapter's `send` drains.

It runs in Socket Mode (an app token, no public URL) or HTTP mode (a
Starlette app with `POST /slack/events` and `GET /healthz`, plus the OAuth
install pages when a client id is configured); see `bot.platforms.slack_http`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Hearth
from bot.chat import (
    N_,
    ButtonPressed,
    CommandInvoked,
    Event,
    Form,
    FormSubmitted,
    HomeOpened,
    Member,
    MemberJoined,
    Message,
    Platform,
    Reply,
    Visibility,
    Workspace,
    WorkspaceRef,
)
from bot.delivery import DeliveryError
from bot.dialects import PLAIN, SLACK
from bot.dispatch import Handled
from bot.outbox import Posted
from bot.platforms import slack_blocks, slack_payloads
from bot.platforms.slack_payloads import Body

log = logging.getLogger(__name__)

PACE = timedelta(seconds=1)  # Slack's chat.postMessage: about one per second per channel
EVENT_KEY = "hearth_event"
UNREACHABLE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot"}
)
FATAL = frozenset(
    {"invalid_auth", "account_inactive", "token_revoked", "not_authed", "no_permission"}
)
ANY = re.compile(".*")
INTERACTIVE = (CommandInvoked, ButtonPressed, FormSubmitted, HomeOpened)  # someone is waiting

ClientFor = Callable[[WorkspaceRef], Awaitable[AsyncWebClient]]


def web_client(token: str | None, *, base_url: str | None) -> AsyncWebClient:
    """A Web API client that waits out 429s and retries server and network errors."""
    options: dict[str, Any] = {"token": token}
    if base_url:
        options["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    client = AsyncWebClient(**options)
    client.retry_handlers.extend(
        [
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


def delivery_error(error: SlackApiError) -> DeliveryError:
    """What a failed Web API call means for the outbox."""
    response = error.response
    code = str(response.get("error") or f"HTTP {response.status_code}")
    if response.status_code == 429:
        after = response.headers.get("Retry-After") or response.headers.get("retry-after")
        return DeliveryError(code, retry_after=float(after) if after else 1.0)
    if code in UNREACHABLE:
        return DeliveryError(code, unreachable=True)
    return DeliveryError(code, permanent=code in FATAL)


class SlackAdapter:
    """Slack to and from Hearth's neutral core, for one Bolt app."""

    def __init__(
        self,
        hearth: Hearth,
        app: AsyncApp,
        *,
        client_for: ClientFor,
        installations: AsyncInstallationStore | None = None,
    ) -> None:
        self._hearth = hearth
        self.app = app
        self._client_for = client_for
        self._installations = installations
        self._dm_channels: dict[tuple[WorkspaceRef, str], str] = {}
        self._synced: set[WorkspaceRef] = set()
        app.middleware(self._claim)
        app.event(ANY)(self._on_request)
        app.command(ANY)(self._on_request)
        app.action(ANY)(self._on_request)
        app.view(ANY)(self._on_request)
        hearth.connect(Platform.SLACK, self, pace=PACE)

    # --- inbound ---------------------------------------------------------

    async def _claim(
        self, body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        """Translate and claim the request before Bolt acknowledges it."""
        event = self.translate(body, bot_user=context.bot_user_id)
        if event is None:
            await self._follow_up(body, context)
            return BoltResponse(status=200, body="")  # nothing for Hearth: acknowledge
        if not await self._hearth.claim(event):
            return BoltResponse(status=200, body="")  # a duplicate: acknowledged, skipped
        context[EVENT_KEY] = event
        await next()
        return None

    def translate(self, body: Body, *, bot_user: str | None) -> Event | None:
        now = self._hearth.clock.now()
        match body.get("type"):
            case "event_callback":
                return slack_payloads.event_of(body, bot_user=bot_user)
            case "block_actions":
                return slack_payloads.action_of(body, now=now)
            case "view_submission":
                return slack_payloads.submission_of(body, now=now)
        if "command" in body:
            return slack_payloads.command_of(body, now=now)
        return None

    async def _on_request(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        event = context.get(EVENT_KEY)
        if not isinstance(event, Event) or context.client is None:
            return
        client = context.client
        await self._know(event, client)
        respond_to = respond if body.get("response_url") else None
        trigger_id = body.get("trigger_id")

        async def answer(handled: Handled) -> None:
            await self._answer(
                event, handled.direct, client=client, respond=respond_to, trigger_id=trigger_id
            )

        self._hearth.later(event, answer=answer, urgent=isinstance(event, INTERACTIVE))

    async def _follow_up(self, body: Body, context: AsyncBoltContext) -> None:
        """Keep the directory current on events that are not neutral events."""
        event = body.get("event") or {}
        workspace = slack_payloads.workspace_of(body)
        if workspace is None or context.client is None:
            return
        match event.get("type"):
            case "user_change" | "member_joined_channel":
                user = event.get("user")
                user_id = user.get("id") if isinstance(user, Mapping) else user
                if user_id:
                    await self._refresh_member(workspace, str(user_id), context.client)
            case "app_uninstalled":
                log.warning("Slack workspace %s uninstalled Hearth", workspace.workspace_id)
                if self._installations is not None:
                    await self._installations.async_delete_all(
                        enterprise_id=body.get("enterprise_id"), team_id=workspace.workspace_id
                    )
            case "tokens_revoked":
                revoked = (event.get("tokens") or {}).get("bot") or []
                log.warning("Slack workspace %s revoked Hearth's tokens", workspace.workspace_id)
                if revoked and self._installations is not None:
                    await self._installations.async_delete_bot(
                        enterprise_id=body.get("enterprise_id"), team_id=workspace.workspace_id
                    )

    async def _know(self, event: Event, client: AsyncWebClient) -> None:
        """Learn a workspace's members the first time it speaks, and any newcomer's details."""
        roster = self._hearth.roster
        if event.workspace not in self._synced:
            self._synced.add(event.workspace)
            if await roster.workspace(event.workspace) is None:
                await self.sync(event.workspace, client)
        if isinstance(event, MemberJoined):
            await self._refresh_member(event.workspace, event.member.ref.user_id, client)
            return
        actor = getattr(event, "actor", None)
        if isinstance(actor, str) and await roster.member(event.workspace.member(actor)) is None:
            await self._refresh_member(event.workspace, actor, client)

    async def _refresh_member(
        self, workspace: WorkspaceRef, user_id: str, client: AsyncWebClient
    ) -> Member | None:
        try:
            found = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
            return None
        roster = self._hearth.roster
        known = await roster.member(workspace.member(user_id))
        member = slack_payloads.member_of(workspace, found["user"], known=known)
        await roster.save_member(member)
        return member

    async def sync(self, workspace: WorkspaceRef, client: AsyncWebClient) -> int:
        """Save the workspace and every member Slack lists (paginated)."""
        roster = self._hearth.roster
        if await roster.workspace(workspace) is None:
            name = workspace.workspace_id
            try:
                name = (await client.team_info())["team"]["name"]
            except SlackApiError as error:
                log.warning("team.info failed: %s", error.response.get("error"))
            settings = self._hearth.settings
            await roster.save_workspace(
                Workspace(
                    ref=workspace, name=name, locale=settings.locale, timezone=settings.timezone
                )
            )
        count = 0
        async for page in await client.users_list(limit=200, include_locale=True):
            for user in page.get("members", []):
                known = await roster.member(workspace.member(str(user["id"])))
                await roster.save_member(slack_payloads.member_of(workspace, user, known=known))
                count += 1
        self._synced.add(workspace)
        return count

    # --- direct answers ----------------------------------------------------

    async def _answer(
        self,
        event: Event,
        replies: Sequence[Reply],
        *,
        client: AsyncWebClient,
        respond: AsyncRespond | None,
        trigger_id: str | None,
    ) -> None:
        home = [r for r in replies if isinstance(r, Message) and r.visibility is Visibility.HOME]
        for reply in replies:
            try:
                if isinstance(reply, Form):
                    await self._open_form(event, reply, client=client, trigger_id=trigger_id)
                elif reply.visibility is not Visibility.HOME:
                    await self._private(event, reply, client=client, respond=respond)
            except SlackApiError as error:
                log.warning(
                    "answering %s failed: %s", event.delivery_id, error.response.get("error")
                )
        if isinstance(event, HomeOpened) or home:
            await self._publish_home(event.workspace, getattr(event, "actor", ""), home, client)

    async def _open_form(
        self, event: Event, form: Form, *, client: AsyncWebClient, trigger_id: str | None
    ) -> None:
        if not trigger_id:
            log.warning("a form for %s has no trigger to open it with", form.to)
            return
        locale, _ = await self._hearth.reader(event.workspace, form.to)
        renderer = self._hearth.renderer
        rendered = renderer.render_form(form, locale=locale)
        channel = getattr(event, "channel", None)
        close = renderer.text(N_("Cancel"), locale=locale)
        view = slack_blocks.modal(rendered, channel=channel, close=close)
        await client.views_open(trigger_id=trigger_id, view=view)

    async def _private(
        self,
        event: Event,
        message: Message,
        *,
        client: AsyncWebClient,
        respond: AsyncRespond | None,
    ) -> None:
        text, blocks = await self._render(event.workspace, message)
        channel = message.channel or ""
        if (
            respond is not None
            and isinstance(event, CommandInvoked | Event)
            and not message.attachments
        ):
            await respond(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
            return
        user = message.to or ""
        if channel and not channel.startswith("D") and not message.attachments:
            await client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
            return
        dm = await self._dm(event.workspace, user, client)
        posted = await client.chat_postMessage(channel=dm, text=text, blocks=blocks)
        await self._attach(message, client, channel=dm, thread_ts=posted.get("ts"))

    async def _publish_home(
        self,
        workspace: WorkspaceRef,
        user: str,
        sections: Sequence[Message],
        client: AsyncWebClient,
    ) -> None:
        if not user:
            return
        locale, zone = await self._hearth.reader(workspace, user)
        renderer = self._hearth.renderer
        rendered = [
            renderer.render(m, dialect=SLACK, locale=locale, timezone=zone) for m in sections
        ]
        view = slack_blocks.home_view(rendered, title="Hearth")
        try:
            await client.views_publish(user_id=user, view=view)
        except SlackApiError as error:
            log.warning("views.publish for %s failed: %s", user, error.response.get("error"))

    # --- outbound (the courier's transport) ------------------------------

    async def _render(
        self, workspace: WorkspaceRef, message: Message
    ) -> tuple[str, list[dict[str, Any]]]:
        """Block Kit in mrkdwn, and the plain-text fallback notifications show."""
        personal = message.visibility in (Visibility.DM, Visibility.PRIVATE, Visibility.HOME)
        locale, zone = await self._hearth.reader(workspace, message.to if personal else None)
        renderer = self._hearth.renderer
        rendered = renderer.render(message, dialect=SLACK, locale=locale, timezone=zone)
        plain = renderer.render(message, dialect=PLAIN, locale=locale, timezone=zone).text
        for user_id in rendered.mentions:  # "@U0BOB" reads better as "@bob"
            member = await self._hearth.roster.member(workspace.member(user_id))
            if member is not None:
                plain = plain.replace(f"@{user_id}", f"@{member.name}")
        return SLACK.fallback(plain) or " ", slack_blocks.message_blocks(rendered)

    async def _dm(self, workspace: WorkspaceRef, user: str, client: AsyncWebClient) -> str:
        key = (workspace, user)
        if key not in self._dm_channels:
            opened = await client.conversations_open(users=user)
            self._dm_channels[key] = str(opened["channel"]["id"])
        return self._dm_channels[key]

    async def _attach(
        self, message: Message, client: AsyncWebClient, *, channel: str, thread_ts: object
    ) -> None:
        for attachment in message.attachments:
            await client.files_upload_v2(
                channel=channel,
                thread_ts=str(thread_ts) if thread_ts else None,
                filename=attachment.filename,
                content=attachment.content,
                title=attachment.filename,
            )

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted:
        """Post one outbox message; Slack's refusals become delivery errors."""
        try:
            client = await self._client_for(workspace)
            return await self._post(workspace, message, client=client, thread=thread)
        except SlackApiError as error:
            raise delivery_error(error) from error
        except (TimeoutError, OSError) as error:
            raise DeliveryError(f"network: {error}") from error

    async def _post(
        self,
        workspace: WorkspaceRef,
        message: Message,
        *,
        client: AsyncWebClient,
        thread: Posted | None,
    ) -> Posted:
        text, blocks = await self._render(workspace, message)
        channel = message.channel or ""
        if message.visibility in (Visibility.DM, Visibility.HOME) or (
            message.visibility is Visibility.PRIVATE and (not channel or channel.startswith("D"))
        ):
            channel = await self._dm(workspace, message.to or "", client)
        elif message.visibility is Visibility.PRIVATE:
            answer = await client.chat_postEphemeral(
                channel=channel, user=message.to or "", text=text, blocks=blocks
            )
            return Posted(channel=channel, message_id=str(answer.get("message_ts", "")))
        thread_ts = thread.message_id if thread is not None else message.thread
        if thread is not None:
            channel = thread.channel
        posted = await client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, unfurl_links=False
        )
        ts = str(posted["ts"])
        await self._attach(message, client, channel=str(posted["channel"]), thread_ts=ts)
        return Posted(channel=str(posted["channel"]), message_id=ts)
