"""The Discord adapter: a discord.py client whose handlers feed Hearth neutral events.

Every event is translated (`discord_payloads`) and claimed in Hearth's inbox
before anything answers it, then processed by Hearth's workers: a gateway
replay or a duplicate interaction is skipped by the claim, and an event
cut short by a crash is resumed. Interactions (slash commands, buttons,
modal submits) are answered as `discord_answers` describes; joins,
departures, reactions and, with the message content intent, messages need
no answer. Outbound messages go through the outbox and `discord_transport`;
`discord_gateway` runs it all.

Intents: guilds, members (privileged: joins, and the roster at startup),
guild reactions and guild messages; message content (privileged) only when
`DISCORD_MESSAGE_CONTENT` is on, for message-based kudos.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.app import Hearth
from bot.chat import Event, Member, Workspace, WorkspaceRef
from bot.features import Command
from bot.lease import EPOCH
from bot.platforms import discord_commands, discord_payloads
from bot.platforms.discord_answers import ANSWER_WITHIN, PART_PREFIX, Answers
from bot.platforms.discord_payloads import Origin, workspace_of
from bot.platforms.discord_render import HearthButton, OpenFormButton
from bot.runs import RunStatus
from bot.settings import Settings

log = logging.getLogger(__name__)

COMMANDS_RUN = "discord.commands"
AnyInteraction = discord.Interaction[Any]


def intents(*, message_content: bool) -> discord.Intents:
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.members = True
    chosen.guild_reactions = True
    chosen.guild_messages = True
    chosen.message_content = message_content
    return chosen


@dataclass(frozen=True, slots=True)
class GatewayTuning:
    """Timings a deployment rarely changes and tests shorten."""

    lease_term: timedelta = timedelta(seconds=40)
    guild_ready_timeout: float = 2.0  # discord.py's wait for the last GUILD_CREATE
    answer_within: float = ANSWER_WITHIN


def application(settings: Settings) -> dict[str, Any]:
    """discord.py asks Discord for the application id unless it is given."""
    known = settings.discord_application_id
    return {} if known is None else {"application_id": known}


def is_admin(member: discord.Member | discord.User) -> bool:
    if not isinstance(member, discord.Member):
        return False
    permissions = member.guild_permissions
    return (
        member.guild.owner_id == member.id or permissions.administrator or permissions.manage_guild
    )


def _same(one: Member, other: Member | None) -> bool:
    if other is None:
        return False
    fields = ("name", "locale", "role", "is_bot", "left_at")
    return all(getattr(one, name) == getattr(other, name) for name in fields)


class HearthClient(discord.Client):
    """One gateway session: its handlers translate, claim and hand events to Hearth."""

    def __init__(self, hearth: Hearth, *, settings: Settings, tuning: GatewayTuning) -> None:
        super().__init__(
            intents=intents(message_content=settings.discord_message_content),
            guild_ready_timeout=tuning.guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            **application(settings),
        )
        self._hearth = hearth
        self._settings = settings
        self._answers = Answers(hearth, answer_within=tuning.answer_within)
        self._commands: list[Command] = [
            c for feature in hearth.dispatcher.features for c in feature.commands
        ]
        self._by_name = discord_commands.by_name(self._commands)

    def _now(self) -> datetime:
        return self._hearth.clock.now()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(HearthButton, OpenFormButton)

    # --- servers, members, commands -------------------------------------------------

    async def on_ready(self) -> None:
        for guild in self.guilds:
            await self._sync_guild(guild)
        await self._sync_commands()
        log.info("connected to Discord as %s in %s servers", self.user, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._sync_guild(guild)

    async def _sync_guild(self, guild: discord.Guild) -> None:
        """Save the server and its members; members gone while Hearth was away have left."""
        roster = self._hearth.roster
        ref = workspace_of(guild.id)
        known = await roster.workspace(ref)
        if known is None:
            language = discord_payloads.locale_of(guild.preferred_locale)
            locale = language if language in self._hearth.renderer.locales else None
            await roster.save_workspace(
                Workspace(
                    ref=ref,
                    name=guild.name,
                    locale=locale or self._settings.locale,
                    timezone=self._settings.timezone,
                )
            )
        elif known.name != guild.name:
            await roster.save_workspace(replace(known, name=guild.name))
        members = {m.ref.user_id: m for m in await roster.members(ref)}
        for user in guild.members:
            await self._save(ref, user, members.get(str(user.id)))
        if guild.chunked:
            present = {str(user.id) for user in guild.members}
            for user_id, known_member in members.items():
                if known_member.active and user_id not in present:
                    await roster.member_left(known_member.ref, self._now())

    async def _save(
        self,
        workspace: WorkspaceRef,
        user: discord.Member | discord.User,
        known: Member | None,
        *,
        locale: str | None = None,
    ) -> Member:
        joined = user.joined_at if isinstance(user, discord.Member) else None
        member = discord_payloads.member_of(
            workspace,
            user_id=user.id,
            name=user.display_name,
            is_bot=user.bot,
            is_admin=is_admin(user),
            joined_at=joined.astimezone(UTC) if joined else None,
            known=known,
            locale=locale,
        )
        if not _same(member, known):
            await self._hearth.roster.save_member(member)
        return member

    async def _sync_commands(self) -> None:
        """Register the slash commands once per change of their definitions.

        Only the gateway lease holder gets here, so one process registers;
        the run table remembers each registered version's hash.
        """
        if self.application_id is None:
            return
        payload = discord_commands.definitions(self._commands, self._hearth.renderer)
        digest = discord_commands.hash_of(payload, application_id=self.application_id)
        key = f"{COMMANDS_RUN}:{digest}"
        runs = self._hearth.storage.runs
        if await runs.last_slot(key) is not None:
            return
        await self.http.bulk_upsert_global_commands(self.application_id, payload=payload)
        owner = self._settings.instance
        if await runs.claim(key, EPOCH, owner=owner, now=self._now()):
            await runs.finish(key, EPOCH, status=RunStatus.DONE, now=self._now())
        log.info("registered %s slash commands (%s)", len(payload), digest)

    # --- interactions -----------------------------------------------------------------

    def _origin(self, interaction: AnyInteraction) -> Origin:
        return Origin(
            interaction_id=str(interaction.id),
            guild_id=None if interaction.guild_id is None else str(interaction.guild_id),
            channel_id=None if interaction.channel_id is None else str(interaction.channel_id),
            user_id=str(interaction.user.id),
            occurred_at=self._now(),
            in_dm=interaction.guild_id is None,
        )

    async def on_interaction(self, interaction: AnyInteraction) -> None:
        """Slash commands and modal submits (buttons arrive as `on_hearth_press`)."""
        data: Any = interaction.data or {}
        origin = self._origin(interaction)
        event: Event | None = None
        if interaction.type is discord.InteractionType.application_command:
            invoked = discord_payloads.invoked_of(data)
            command = self._by_name.get(invoked.command)
            text = discord_commands.text_of(command, invoked) if command else ""
            event = discord_payloads.command_of(origin, invoked.command, text or "")
        elif interaction.type is discord.InteractionType.modal_submit:
            custom_id = str(data.get("custom_id", ""))
            if custom_id.startswith(f"{PART_PREFIX}|"):
                event = await self._answers.part_submitted(interaction, origin, custom_id)
            else:
                event = discord_payloads.submission_of(origin, data)
        if event is not None:
            await self._interacted(interaction, event)

    async def on_hearth_press(self, interaction: AnyInteraction, custom_id: str) -> None:
        message = interaction.message
        event = discord_payloads.press_of(
            self._origin(interaction),
            custom_id,
            message_id=None if message is None else str(message.id),
        )
        if event is not None:
            await self._interacted(interaction, event)

    async def on_hearth_open_form(self, interaction: AnyInteraction, token: str) -> None:
        await self._answers.open_later(interaction, token)

    async def _interacted(self, interaction: AnyInteraction, event: Event) -> None:
        if not await self._hearth.claim(event):
            return  # a duplicate: the delivery that claimed it answers
        roster = self._hearth.roster
        known = await roster.member(event.workspace.member(str(interaction.user.id)))
        locale = discord_payloads.locale_of(interaction.locale)
        await self._save(event.workspace, interaction.user, known, locale=locale)
        await self._answers.follow(interaction, event)

    # --- gateway events ---------------------------------------------------------------

    async def _later(self, event: Event | None) -> None:
        """Claim a gateway event, then leave it to Hearth's workers (nobody waits for it)."""
        if event is not None and await self._hearth.claim(event):
            self._hearth.later(event)

    async def on_member_join(self, member: discord.Member) -> None:
        ref = workspace_of(member.guild.id)
        known = await self._hearth.roster.member(ref.member(str(member.id)))
        joined = discord_payloads.member_of(
            ref,
            user_id=member.id,
            name=member.display_name,
            is_bot=member.bot,
            is_admin=is_admin(member),
            joined_at=member.joined_at.astimezone(UTC) if member.joined_at else None,
            known=known,
        )
        if member.bot:
            await self._hearth.roster.save_member(joined)
            return
        await self._later(discord_payloads.joined_of(joined, occurred_at=self._now()))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        user = payload.user
        joined = user.joined_at if isinstance(user, discord.Member) else None
        event = discord_payloads.left_of(
            payload.guild_id, user.id, joined_at=joined, occurred_at=self._now()
        )
        await self._later(event)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reacted(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reacted(payload, added=False)

    async def _reacted(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        if payload.guild_id is None or (self.user is not None and payload.user_id == self.user.id):
            return
        author = payload.message_author_id or await self._author_of(
            payload.channel_id, payload.message_id
        )
        event = discord_payloads.reaction_of(
            added=added,
            guild_id=payload.guild_id,
            channel_id=payload.channel_id,
            message_id=payload.message_id,
            user_id=payload.user_id,
            emoji=payload.emoji.name or "",
            author_id=author,
            bot_id=None if self.user is None else self.user.id,
            occurred_at=self._now(),
        )
        await self._later(event)

    async def _author_of(self, channel_id: int, message_id: int) -> int | None:
        """The author of a reacted message: from the message cache, else asked of Discord."""
        cached = discord.utils.get(self.cached_messages, id=message_id)
        if cached is not None:
            return cached.author.id
        try:
            fetched = await self.get_partial_messageable(channel_id).fetch_message(message_id)
        except discord.HTTPException as error:
            log.info("cannot read message %s for its author: %s", message_id, error.status)
            return None
        return fetched.author.id

    async def on_message(self, message: discord.Message) -> None:
        if not self._settings.discord_message_content or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        channel = message.channel
        event = discord_payloads.posted_of(
            guild_id=None if message.guild is None else message.guild.id,
            channel_id=channel.id,
            thread_id=channel.id if isinstance(channel, discord.Thread) else None,
            message_id=message.id,
            author_id=message.author.id,
            author_is_bot=message.author.bot,
            content=message.content,
            occurred_at=self._now(),
        )
        await self._later(event)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if not self._settings.discord_message_content:
            return
        event = discord_payloads.deleted_of(
            guild_id=payload.guild_id,
            channel_id=payload.channel_id,
            message_id=payload.message_id,
            occurred_at=self._now(),
        )
        await self._later(event)
