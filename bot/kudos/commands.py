"""The kudos slice's handlers: neutral calls in, messages out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.chat import (
    N_,
    Attachment,
    Directory,
    HomeOpened,
    Member,
    Message,
    MessageDeleted,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    Role,
    Visibility,
)
from bot.features import Call, Invocation, Response
from bot.kudos.domain import (
    Badge,
    KudosStore,
    Policy,
    Source,
    Window,
    health,
    window_start,
)
from bot.kudos.export import as_csv
from bot.kudos.giving import Attempt, Giving
from bot.kudos.parsing import (
    command_draft,
    emoji_name,
    hashtags,
    message_reason,
    message_targets,
)
from bot.mentions import find_mentions, resolve

USAGE = N_(
    "/kudos @someone for something #value | undo | board [week|month|quarter|year|all] | "
    "me | stats @someone | badges"
)
BOARD_SIZE = 10
HEALTH_DAYS = 30
_INSTANT = timedelta(microseconds=1)  # `between` excludes its end; include now


def _private(call: Call[Any], template: str, context: dict[str, object]) -> Message:
    assert call.actor is not None
    return Message(
        template,
        context,
        visibility=Visibility.PRIVATE,
        channel=getattr(call.event, "channel", None),
        to=call.actor.ref.user_id,
    )


def _refuse(call: Invocation, reason: str, **values: object) -> Message:
    return _private(call, "hearth/error", {"reason": reason, "values": values})


class Kudos:
    def __init__(self, *, store: KudosStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory
        self._giving = Giving(store=store, directory=directory)

    # --- /kudos ----------------------------------------------------------

    async def kudos(self, call: Invocation) -> Response:
        text = call.event.text.strip()
        verb, _, rest = text.partition(" ")
        match verb.lower():
            case "" | "help":
                return _private(call, "kudos/usage", {"usage": USAGE})
            case "undo":
                return await self.undo(call)
            case "board" | "leaderboard" | "top":
                return await self.board(call, rest.strip().lower() or Window.MONTH.value)
            case "me":
                assert call.actor is not None
                return await self.stats(call, call.actor)
            case "stats":
                return await self.stats_of(call, rest)
            case "badges":
                return await self.badges(call)
            case "badge":
                return await self.edit_badge(call, rest)
            case "export":
                return await self.export(call)
            case "health":
                return await self.health(call)
        return await self.give(call)

    async def give(self, call: Invocation) -> Response:
        assert call.actor is not None
        draft = command_draft(call.event.text)
        return await self._giving.give(
            Attempt(
                workspace=call.workspace,
                giver=call.actor,
                targets=draft.targets,
                reason=draft.reason,
                hashtags=draft.hashtags,
                badge=draft.badge,
                private=draft.private,
                channel=None if call.event.is_dm else call.event.channel,
                is_dm=call.event.is_dm,
                source=Source.COMMAND,
                source_ref=call.event.delivery_id,
                gift_id=call.event.delivery_id,
                now=call.now,
            )
        )

    async def undo(self, call: Invocation) -> Response:
        assert call.actor is not None
        receivers = await self._giving.undo_last(call.workspace, call.actor, call.now)
        if not receivers:
            return _refuse(call, N_("You have no kudos from the last 10 minutes to undo."))
        ws = call.workspace.ref
        return _private(call, "kudos/undone", {"receivers": [ws.member(r) for r in receivers]})

    async def board(self, call: Invocation, window_name: str) -> Response:
        assert call.actor is not None
        if window_name not in Window._value2member_map_:
            return _refuse(
                call, N_("Pick a period: %(periods)s."), periods=", ".join(w.value for w in Window)
            )
        window = Window(window_name)
        since = window_start(window, call.now)
        board = await self._store.board(
            call.workspace.ref, since=since, limit=BOARD_SIZE, viewer=call.actor.ref
        )
        received, given = board.viewer
        ws = call.workspace.ref
        return _private(
            call,
            "kudos/board",
            {
                "window": window.value,
                "receivers": [
                    {"member": ws.member(s.user_id), "count": s.count, "rank": s.rank}
                    for s in board.receivers
                ],
                "givers": [
                    {"member": ws.member(s.user_id), "count": s.count, "rank": s.rank}
                    for s in board.givers
                ],
                "my_received": received.rank if received else 0,
                "my_given": given.rank if given else 0,
            },
        )

    async def stats_of(self, call: Invocation, rest: str) -> Response:
        mentions = find_mentions(rest)
        if len(mentions) != 1:
            return _refuse(call, N_("Usage: %(usage)s"), usage="/kudos stats @someone")
        member = await resolve(self._directory, call.workspace.ref, mentions[0])
        if member is None:
            return _refuse(
                call, N_("I cannot find %(name)s in this workspace."), name=mentions[0].lookup
            )
        return await self.stats(call, member)

    async def stats(self, call: Invocation, member: Member) -> Response:
        return _private(call, "kudos/stats", await self._stats(call, member))

    async def on_home(self, call: Call[HomeOpened]) -> Response:
        """The member's kudos, allowance and badges, as a section of their home."""
        if call.actor is None:
            return None
        context = await self._stats(call, call.actor)
        return Message("kudos/stats", context, visibility=Visibility.HOME, to=call.event.actor)

    async def _stats(self, call: Call[Any], member: Member) -> dict[str, object]:
        stats = await self._store.stats(member.ref)
        allowance = await self._giving.allowance(call.workspace, member, call.now)
        return {
            "member": member.ref,
            "received": stats.received,
            "given": stats.given,
            "values": [{"name": v, "count": n} for v, n in stats.values],
            "peer_badges": [{"name": b, "count": n} for b, n in stats.peer_badges],
            "awards": [a.milestone.value for a in stats.awards],
            "left": allowance.left,
            "limit": allowance.limit,
            "resets_at": allowance.resets_at,
            "own": call.actor is not None and member.ref == call.actor.ref,
        }

    async def badges(self, call: Invocation) -> Response:
        catalogue = await self._store.catalogue(call.workspace.ref)
        return _private(
            call,
            "kudos/badges",
            {
                "badges": [
                    {"name": b.name, "emoji": b.emoji, "description": b.description}
                    for b in catalogue
                ]
            },
        )

    async def edit_badge(self, call: Invocation, rest: str) -> Response:
        assert call.actor is not None
        if call.actor.role is not Role.ADMIN:
            return _refuse(call, N_("Only an admin can edit the badge catalogue."))
        words = rest.split()
        if len(words) >= 4 and words[0] == "add":
            badge = Badge(words[1].lower().strip(":"), words[2], " ".join(words[3:]))
            await self._store.save_badge(call.workspace.ref, badge)
            return await self.badges(call)
        if len(words) == 2 and words[0] == "remove":
            if not await self._store.remove_badge(call.workspace.ref, words[1].lower()):
                return _refuse(call, N_("There is no badge called %(badge)s."), badge=words[1])
            return await self.badges(call)
        return _refuse(
            call,
            N_("Usage: %(usage)s"),
            usage="/kudos badge add NAME EMOJI DESCRIPTION | /kudos badge remove NAME",
        )

    async def export(self, call: Invocation) -> Response:
        assert call.actor is not None
        if call.actor.role is not Role.ADMIN:
            return _refuse(call, N_("Only an admin can export the workspace's kudos."))
        rows = await self._store.between(call.workspace.ref, start=None, end=call.now + _INSTANT)
        return Message(
            "kudos/export",
            {"count": len(rows)},
            visibility=Visibility.DM,
            to=call.actor.ref.user_id,
            attachments=(Attachment("kudos.csv", as_csv(rows), "text/csv"),),
        )

    async def health(self, call: Invocation) -> Response:
        assert call.actor is not None
        if not call.actor.role.can_manage:
            return _refuse(call, N_("Only managers and admins can see recognition health."))
        since = call.now - timedelta(days=HEALTH_DAYS)
        received, givers = await self._store.recent_counts(call.workspace.ref, since=since)
        active = [
            m.ref.user_id
            for m in await self._directory.members(call.workspace.ref)
            if m.active and not m.is_bot
        ]
        found = health(active, received, givers)
        ws = call.workspace.ref
        return _private(
            call,
            "kudos/health",
            {
                "members": found.members,
                "unrecognised": [ws.member(u) for u in found.unrecognised],
                "top_share": round(found.top_decile_share * 100),
                "diversity": round(found.giver_diversity * 100),
            },
        )

    # --- messages and reactions -------------------------------------------

    async def on_message(self, call: Call[MessagePosted]) -> Response:
        event, actor = call.event, call.actor
        if actor is None or actor.is_bot:
            return None
        policy = Policy.of(call.workspace.settings)
        targets = message_targets(event.text, policy.emojis)
        if not targets:
            return None
        return await self._giving.give(
            Attempt(
                workspace=call.workspace,
                giver=actor,
                targets=targets,
                reason=message_reason(event.text),
                hashtags=hashtags(event.text),
                badge=None,
                private=False,
                channel=None if event.is_dm else event.channel,
                is_dm=event.is_dm,
                source=Source.MESSAGE,
                source_ref=event.message_id,
                gift_id=f"message:{event.message_id}",  # one gift per message, however delivered
                now=call.now,
            )
        )

    async def on_reaction(self, call: Call[ReactionAdded]) -> Response:
        event, actor = call.event, call.actor
        policy = Policy.of(call.workspace.settings)
        if actor is None or actor.is_bot or emoji_name(event.emoji) not in policy.emojis:
            return None
        if event.message_author is None or event.message_author == actor.ref.user_id:
            return None  # a bot's message, or someone celebrating their own: not a gift
        author = await self._directory.member(call.workspace.ref.member(event.message_author))
        if author is None or author.is_bot:
            return None
        return await self._giving.give(
            Attempt(
                workspace=call.workspace,
                giver=actor,
                targets=[author],
                reason="",
                hashtags=(),
                badge=None,
                private=False,
                channel=event.channel,
                is_dm=False,
                source=Source.REACTION,
                source_ref=reaction_ref(event.message_id, actor.ref.user_id, event.emoji),
                gift_id=event.delivery_id,
                now=call.now,
            )
        )

    async def on_unreact(self, call: Call[ReactionRemoved]) -> Response:
        event = call.event
        if emoji_name(event.emoji) not in Policy.of(call.workspace.settings).emojis:
            return None
        ref = reaction_ref(event.message_id, event.actor, event.emoji)
        await self._store.reverse_source(call.workspace.ref, ref, at=call.now)
        return None

    async def on_delete(self, call: Call[MessageDeleted]) -> Response:
        await self._store.reverse_source(call.workspace.ref, call.event.message_id, at=call.now)
        return None


def reaction_ref(message_id: str, reactor: str, emoji: str) -> str:
    """One reaction: removing :clap: takes back the :clap: kudos, not the :tada: one."""
    return f"reaction:{message_id}:{reactor}:{emoji_name(emoji)}"
