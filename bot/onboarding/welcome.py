"""Day one: the welcome thread, the newcomer's first DM, and their introduction.

When a member joins, the welcome channel gets a post about them with a
thread under it where the team says hello; the newcomer gets a DM with the
first week's steps and a button to introduce themselves. What they share
(interests, hobbies, a photo, and their time zone: Discord never tells it)
goes into that thread, so the questions pour in where everyone sees them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.chat import (
    N_,
    Action,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Member,
    MemberJoined,
    MemberLeft,
    Message,
    Roster,
    Visibility,
    Workspace,
    known_zone,
)
from bot.features import (
    NEWCOMER_JOINED,
    Call,
    Outcome,
    Response,
    Signal,
    Submission,
    private,
    refuse,
)
from bot.mentions import channel_named
from bot.onboarding.domain import (
    INTRO_STEP,
    Answers,
    Journey,
    OnboardingStore,
    Step,
    program,
    welcome_key,
)

MAX_ANSWER = 500


def welcome_channel(workspace: Workspace) -> str | None:
    """The channel named by `onboarding.channel`, as a channel id or name."""
    return channel_named(workspace.settings.get("onboarding.channel", ""))


def steps_view(
    steps: Sequence[Step],
    done: frozenset[str] = frozenset(),
    *,
    only: Collection[Step] | None = None,
) -> list[dict[str, Any]]:
    """The program's steps for a template (`only` some of them), each with its
    number in the program, week, text, and whether it is shipped and done."""
    return [
        {
            "number": number,
            "week": step.week,
            "text": step.text,
            "shipped": step.shipped,
            "done": step.id in done,
        }
        for number, step in enumerate(steps, start=1)
        if only is None or step in only
    ]


def intro_form(user_id: str, journey: Journey | None, member: Member | None) -> Form:
    known = journey.intro if journey else {}
    return Form(
        "onboarding.intro",
        N_("Introduce yourself"),
        (
            FormField(
                "interests",
                N_("What interests you, at work and beyond?"),
                FieldKind.LONG_TEXT,
                initial=known.get("interests", ""),
                max_length=MAX_ANSWER,
            ),
            FormField(
                "hobbies",
                N_("Your hobbies"),
                initial=known.get("hobbies", ""),
                max_length=MAX_ANSWER,
            ),
            FormField(
                "photo",
                N_("Link to a photo: you, your pet, your view"),
                FieldKind.URL,
                required=False,
                initial=known.get("photo", ""),
            ),
            FormField(
                "timezone",
                N_("Your time zone, e.g. Europe/Paris"),
                required=False,
                initial=(member.timezone or "") if member else "",
                max_length=64,
            ),
            FormField(
                "about",
                N_("Anything else the team should know?"),
                FieldKind.LONG_TEXT,
                required=False,
                initial=known.get("about", ""),
                max_length=MAX_ANSWER,
            ),
        ),
        to=user_id,
        submit_label=N_("Share"),
    )


class Welcome:
    def __init__(self, *, store: OnboardingStore, roster: Roster) -> None:
        self._store = store
        self._roster = roster

    async def on_join(self, call: Call[MemberJoined]) -> Response:
        member = call.event.member
        if member.is_bot or call.workspace.settings.get("onboarding.welcome", "yes") == "no":
            return None
        return await self.begin(call.workspace, member, now=call.now)

    async def begin(self, workspace: Workspace, member: Member, *, now: datetime) -> list[Outcome]:
        """Start a member's journey and welcome them; nothing when they had one already
        (a member who comes back is not a newcomer twice)."""
        channel = welcome_channel(workspace)
        user = member.ref.user_id
        if not await self._store.start(workspace.ref, user, at=now, channel=channel):
            return []
        steps = program(await self._store.changes(workspace.ref))
        said: list[Outcome] = []
        if channel is not None:
            key = welcome_key(user)
            said += [
                Message("onboarding/welcome", {"member": member.ref}, channel=channel, key=key),
                Message(
                    "onboarding/welcome_thread",
                    {"member": member.ref},
                    visibility=Visibility.THREAD,
                    channel=channel,
                    thread_key=key,
                ),
            ]
        said.append(
            Message(
                "onboarding/hello",
                {
                    "member": member.ref,
                    "channel": channel,
                    "steps": [s for s in steps_view(steps) if s["week"] == 1],
                    "ask_timezone": member.timezone is None,
                },
                visibility=Visibility.DM,
                to=user,
                key=f"onboarding.hello:{user}",
                actions=(
                    Action(N_("Introduce myself"), "onboarding.intro", style=ButtonStyle.PRIMARY),
                    Action(N_("My checklist"), "onboarding.checklist"),
                ),
            )
        )
        where = {"channel": channel, "thread_key": welcome_key(user)} if channel else {}
        said.append(Signal(NEWCOMER_JOINED, workspace.ref, {"user_id": user, **where}))
        return said

    async def on_leave(self, call: Call[MemberLeft]) -> Response:
        await self._store.end(call.workspace.ref, call.event.user_id, at=call.now, left=True)
        return None

    async def intro(self, call: Call[Any]) -> Response:
        """The introduction form, filled with what the member shared before."""
        assert call.actor is not None
        user = call.actor.ref.user_id
        journey = await self._store.journey(call.workspace.ref, user)
        return intro_form(user, journey, call.actor)

    async def introduced(self, call: Submission) -> Response:
        """Keep what a newcomer shared, tick the step, and tell the welcome thread."""
        assert call.actor is not None
        fields = {k: v.strip() for k, v in call.event.fields.items()}
        zone = fields.pop("timezone", "")
        photo = fields.get("photo", "")
        if photo and not photo.lower().startswith(("https://", "http://")):
            return refuse(
                call,
                N_("The photo must be a web link starting with https://. Nothing was saved."),
            )
        if zone and not known_zone(zone):
            return refuse(
                call,
                N_("“%(name)s” is not a time zone I know. Use a name like Europe/Paris."),
                name=zone,
            )
        answers = {k: fields.get(k, "")[:MAX_ANSWER] for k in ("interests", "hobbies", "about")}
        answers["photo"] = photo
        if not (answers["interests"] or answers["hobbies"]):
            return refuse(call, N_("Share at least your interests or your hobbies."))
        ws, user = call.workspace.ref, call.actor.ref.user_id
        journey = await self._store.journey(ws, user)
        if journey is None:
            await self._store.start(ws, user, at=call.now, channel=None)
        await self._store.answer(ws, user, Answers.INTRO, answers, at=call.now)
        await self._store.tick(ws, user, INTRO_STEP, at=call.now)
        if zone and zone != call.actor.timezone:
            await self._roster.save_member(replace(call.actor, timezone=zone))
        said: list[Outcome] = [
            private(
                call,
                "onboarding/introduced",
                {"shared": bool(journey and journey.channel), "timezone": zone},
            )
        ]
        if journey is not None and journey.channel is not None:
            said.append(shared(journey, answers))
        return said


def shared(journey: Journey, answers: Mapping[str, str]) -> Message:
    """The introduction, under the welcome post (once: changes stay private)."""
    return Message(
        "onboarding/intro",
        {"member": journey.user_id, **answers},
        visibility=Visibility.THREAD,
        channel=journey.channel,
        thread_key=journey.welcome_key,
        key=f"onboarding.intro:{journey.user_id}",
    )
