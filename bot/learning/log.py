"""`/learn`: the learning log, streaks, the team's feed, and sessions for learning days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import N_, Action, ButtonStyle, HomeOpened, Message, Visibility, Workspace
from bot.features import (
    Call,
    Cron,
    FireTimes,
    Invocation,
    Press,
    Response,
    Setting,
    SettingKind,
    private,
    refuse,
)
from bot.learning.domain import (
    MAX_ENTRY,
    LearningStore,
    Session,
    learning_days,
    streak,
    topics_of,
)
from bot.mentions import channel_named

USAGE = N_(
    "/learn WHAT YOU LEARNED #topic | me | feed [#topic] | forget NUMBER | session TITLE | sessions"
)
SUBCOMMANDS = ("log", "me", "feed", "forget", "session", "sessions")
LEARNING_TIME = Setting(
    "learning.time", N_("Time learning days start, HH:MM"), "09:30", SettingKind.TIME
)
FEED_DAYS = 7
FEED_SIZE = 15
MAX_TITLE = 120


def learning_day_recurrence(workspace: Workspace) -> Cron:
    """When the workspace's learning days start: `learning.days` at `learning.time`."""
    return LEARNING_TIME.daily(
        workspace, day=learning_days(workspace.settings.get("learning.days", ""))
    )


def join_action(session: Session) -> Action:
    return Action(N_("I'll join"), "learning.join", str(session.id), ButtonStyle.PRIMARY)


def session_view(session: Session) -> dict[str, object]:
    return {
        "id": session.id,
        "day": session.day,
        "title": session.title,
        "presenter": session.presenter,
        "attendees": len(session.attendees),
    }


class Learning:
    def __init__(self, *, store: LearningStore, fire_times: FireTimes) -> None:
        self._store = store
        self._fire_times = fire_times

    async def learn(self, call: Invocation) -> Response:
        text = call.event.text.strip()
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        match word.lower() if word.lower() in SUBCOMMANDS else "log":
            case "me":
                return await self.me(call)
            case "feed":
                return await self.feed(call, rest)
            case "forget":
                return await self.forget(call, rest)
            case "session":
                return await self.propose(call, rest)
            case "sessions":
                return await self.sessions(call)
            case _:
                return await self.log(call, rest if word.lower() == "log" else text)

    async def log(self, call: Invocation, text: str) -> Response:
        assert call.actor is not None
        if not text:
            return private(call, "learning/usage", {"usage": USAGE})
        if len(text) > MAX_ENTRY:
            return refuse(
                call,
                N_("Keep it under %(limit)s characters: a line or two is plenty."),
                limit=MAX_ENTRY,
            )
        ws, user = call.workspace.ref, call.actor.ref.user_id
        today = call.now.astimezone(ZoneInfo(call.timezone)).date()
        entry = await self._store.log(
            ws, user, text, topics=topics_of(text), at=call.now, day=today
        )
        mine = streak(await self._store.days(ws, user), today)
        return private(
            call,
            "learning/logged",
            {"number": entry.id, "topics": list(entry.topics), "streak": mine.current},
        )

    async def me(self, call: Invocation) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        today = call.now.astimezone(ZoneInfo(call.timezone)).date()
        days = await self._store.days(ws, user)
        mine = streak(days, today)
        recent = await self._store.entries(ws, since=call.now - timedelta(days=30), user_id=user)
        topics: dict[str, int] = {}
        for entry in recent:
            for topic in entry.topics:
                topics[topic] = topics.get(topic, 0) + 1
        return private(
            call,
            "learning/me",
            {
                "streak": mine.current,
                "best": mine.best,
                "total": len(days),
                "recent": [{"number": e.id, "text": e.text, "day": e.day} for e in recent[:5]],
                "topics": sorted(topics, key=lambda t: (-topics[t], t))[:5],
            },
        )

    async def feed(self, call: Invocation, text: str) -> Response:
        wanted = topics_of(text)
        entries = await self._store.entries(
            call.workspace.ref, since=call.now - timedelta(days=FEED_DAYS)
        )
        if wanted:
            entries = [e for e in entries if set(wanted) & set(e.topics)]
        return private(
            call,
            "learning/feed",
            {
                "topic": wanted[0] if wanted else "",
                "entries": [{"member": e.user_id, "text": e.text, "at": e.at} for e in entries][
                    :FEED_SIZE
                ],
            },
        )

    async def forget(self, call: Invocation, text: str) -> Response:
        assert call.actor is not None
        number = text.lstrip("#")
        if not (number.isascii() and number.isdecimal()) or not await self._store.forget(
            call.workspace.ref, call.actor.ref.user_id, int(number)
        ):
            return refuse(
                call,
                N_("You have no entry number “%(number)s”: see yours with /learn me."),
                number=text or "?",
            )
        return private(call, "learning/forgotten", {"number": int(number)})

    async def next_learning_day(self, workspace: Workspace, now: datetime) -> datetime | None:
        upcoming = self._fire_times(learning_day_recurrence(workspace), now, 1)
        return upcoming[0] if upcoming else None

    async def propose(self, call: Invocation, title: str) -> Response:
        assert call.actor is not None
        if not title:
            return refuse(call, N_("Give your session a title: /learn session Intro to Rust."))
        when = await self.next_learning_day(call.workspace, call.now)
        if when is None:
            return refuse(call, N_("There is no learning day ahead to hold a session on."))
        day = when.astimezone(ZoneInfo(call.workspace.timezone)).date()
        session = await self._store.propose(
            call.workspace.ref,
            day=day,
            title=title[:MAX_TITLE],
            presenter=call.actor.ref.user_id,
            at=call.now,
        )
        said: list[Any] = [private(call, "learning/proposed", {"session": session_view(session)})]
        channel = channel_named(call.workspace.settings.get("learning.channel", ""))
        if channel:
            said.append(
                Message(
                    "learning/session",
                    {"session": session_view(session), "new": True},
                    channel=channel,
                    actions=(join_action(session),),
                )
            )
        return said

    async def sessions(self, call: Invocation) -> Response:
        today = call.now.astimezone(ZoneInfo(call.workspace.timezone)).date()
        found = await self._store.sessions(call.workspace.ref, since=today)
        return private(call, "learning/sessions", {"sessions": [session_view(s) for s in found]})

    async def on_button(self, call: Press) -> Response:
        assert call.actor is not None
        value = call.event.value
        if call.event.action_id != "learning.join" or not value.isdecimal():
            return None
        if not await self._store.attend(call.workspace.ref, int(value), call.actor.ref.user_id):
            return private(call, "learning/joined", {"again": True})
        return private(call, "learning/joined", {"again": False})

    async def on_home(self, call: Call[HomeOpened]) -> Response:
        ws, user = call.workspace.ref, call.event.actor
        days = await self._store.days(ws, user)
        if not days:
            return None
        today = call.now.astimezone(ZoneInfo(call.timezone)).date()
        mine = streak(days, today)
        return Message(
            "learning/home",
            {"streak": mine.current, "best": mine.best, "total": len(days)},
            visibility=Visibility.HOME,
            to=user,
        )
