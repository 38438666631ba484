"""`/ritual`: managers schedule, change and try rituals; members tune their part.

Only managers and admins add, edit, pause, resume, remove, preview or run a
ritual; a member who tries is told privately who can. Members list the
workspace's rituals and choose their own part (`bot.rituals.participation`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.chat import (
    N_,
    Directory,
    FieldKind,
    Form,
    FormField,
    HomeOpened,
    Message,
    Visibility,
)
from bot.features import Call, FireTimes, Invocation, Response, private, refuse
from bot.mentions import channel_named
from bot.rituals.domain import (
    Draft,
    Kind,
    Ritual,
    RitualStore,
    State,
    parsed,
)
from bot.rituals.firing import Firing
from bot.rituals.moments import MAIN, local_moment
from bot.rituals.participation import Participation
from bot.rituals.requests import (
    Request,
    RequestError,
    checked_options,
    checked_zone,
    kind_of,
    read_request,
)
from bot.rituals.schedules import ScheduleError

USAGE = N_(
    "/ritual add TYPE SCHEDULE [in #channel] [tz=Area/City] | list | edit ID | pause ID | "
    "resume ID | remove ID | preview ID | run-now ID | optout ID|spotlight|celebrations | "
    "away until DATE | back | birthday MM-DD | started DATE | win TEXT | me"
)
MANAGING = ("add", "edit", "pause", "resume", "remove", "delete", "preview", "run-now", "run")
PREVIEW_COUNT = 5
_WORD = re.compile(r"[^\s,]+")
_TICK = timedelta(microseconds=1)


def view(ritual: Ritual, *, now: datetime, fire_times: FireTimes) -> dict[str, object]:
    """A ritual as the list and confirmations show it, with its next fire time."""
    upcoming: list[datetime] = []
    if ritual.state is State.ACTIVE:
        after = max(now, ritual.active_since - _TICK)
        upcoming = fire_times(ritual.recurrence(), after, 1)
    return {
        "id": ritual.id,
        "kind": ritual.kind.value,
        "schedule": ritual.schedule,
        "timezone": ritual.timezone,
        "channel": ritual.channel,
        "state": ritual.state.value,
        "text": ritual.text,
        "next": local_moment(upcoming[0], ritual.timezone) if upcoming else None,
    }


def schedule_problem(call: Call[Any], error: ScheduleError) -> Message:
    """Where the schedule goes wrong, pointing at the word."""
    words = _WORD.findall(error.text)
    index = error.position - 1
    return private(
        call,
        "rituals/bad_schedule",
        {
            "before": " ".join(words[:index]),
            "word": words[index] if index < len(words) else "",
            "after": " ".join(words[index + 1 :]),
            "position": error.position,
            "expected": error.expected,
        },
    )


class Managing:
    def __init__(
        self,
        *,
        store: RitualStore,
        directory: Directory,
        firing: Firing,
        fire_times: FireTimes,
        participation: Participation,
    ) -> None:
        self._store = store
        self._directory = directory
        self._firing = firing
        self._fire_times = fire_times
        self._participation = participation

    async def ritual(self, call: Invocation) -> Response:
        verb, _, rest = call.event.text.strip().partition(" ")
        verb, rest = verb.lower(), rest.strip()
        if verb in ("", "help"):
            return private(call, "rituals/usage", {"usage": USAGE})
        if verb in ("list", "ls"):
            return await self.list(call)
        if verb in MANAGING:
            assert call.actor is not None
            if not call.actor.role.can_manage:
                return await self.not_allowed(call)
            try:
                return await self.manage(call, verb, rest)
            except RequestError as error:
                return refuse(call, error.reason, **error.values)
        answer = await self._participation.verb(call, verb, rest)
        if answer is not None:
            return answer
        return refuse(call, N_("I do not know “%(verb)s”. Try: %(usage)s"), verb=verb, usage=USAGE)

    async def not_allowed(self, call: Call[Any]) -> Message:
        managers = [
            m.ref
            for m in await self._directory.members(call.workspace.ref)
            if m.role.can_manage and m.active and not m.is_bot
        ]
        return private(call, "rituals/not_allowed", {"managers": managers})

    async def manage(self, call: Invocation, verb: str, rest: str) -> Response:
        if verb == "add":
            if not rest:
                return self.add_form(call)
            return await self.create(call, read_request(rest, with_kind=True))
        number, _, rest = rest.partition(" ")
        ritual = await self.find(call, number)
        if ritual is None:
            return refuse(
                call,
                N_("There is no ritual #%(id)s here. See them with /ritual list."),
                id=number.lstrip("#") or "?",
            )
        match verb:
            case "edit":
                if not rest.strip():
                    return self.edit_form(call, ritual)
                return await self.edit(call, ritual, read_request(rest, with_kind=False))
            case "pause":
                return await self.change(call, replace(ritual, state=State.PAUSED), "paused")
            case "resume":
                resumed = replace(ritual, state=State.ACTIVE, active_since=call.now)
                return await self.change(call, resumed, "resumed")
            case "remove" | "delete":
                await self._store.remove(ritual.workspace, ritual.id)
                return self.changed(call, ritual, "removed")
            case "preview":
                return await self.preview(call, ritual)
        return await self.run_now(call, ritual)

    async def find(self, call: Call[Any], number: str) -> Ritual | None:
        number = number.lstrip("#")
        if not (number.isascii() and number.isdecimal()):
            return None
        return await self._store.get(call.workspace.ref, int(number))

    # --- adding and editing ---------------------------------------------------------

    def add_form(self, call: Invocation) -> Form:
        assert call.actor is not None
        channel = "" if call.event.is_dm else call.event.channel
        return Form(
            "rituals.add",
            N_("Schedule a ritual"),
            (
                FormField("kind", N_("Type"), FieldKind.CHOICE, choices=tuple(k for k in Kind)),
                FormField("schedule", N_("When, e.g. every monday 16:00"), max_length=200),
                FormField("channel", N_("Channel"), initial=channel, max_length=100),
                FormField(
                    "timezone",
                    N_("Time zone"),
                    required=False,
                    initial=call.workspace.timezone,
                    max_length=64,
                ),
                FormField(
                    "text",
                    N_("Words to post, check-in question or event name"),
                    FieldKind.LONG_TEXT,
                    required=False,
                ),
            ),
            to=call.actor.ref.user_id,
            submit_label=N_("Schedule"),
        )

    def edit_form(self, call: Call[Any], ritual: Ritual) -> Form:
        assert call.actor is not None
        return Form(
            "rituals.edit",
            N_("Change a ritual"),
            (
                FormField("schedule", N_("When, e.g. every monday 16:00"), initial=ritual.schedule),
                FormField("channel", N_("Channel"), initial=ritual.channel, max_length=100),
                FormField("timezone", N_("Time zone"), initial=ritual.timezone, max_length=64),
                FormField(
                    "text",
                    N_("Words to post, check-in question or event name"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    initial=ritual.text,
                ),
            ),
            to=call.actor.ref.user_id,
            value=str(ritual.id),
            submit_label=N_("Save"),
        )

    async def create(self, call: Call[Any], request: Request) -> Response:
        assert call.actor is not None
        if request.kind is None or request.schedule is None:
            return refuse(
                call,
                N_("Say which ritual and when, e.g. %(example)s"),
                example="/ritual add watercooler every monday 16:00 in #team",
            )
        try:
            schedule = parsed(request.schedule)
        except ScheduleError as error:
            return schedule_problem(call, error)
        options = checked_options(request.kind, request.options)
        if request.kind is Kind.CUSTOM and not options.get("text"):
            return refuse(
                call,
                N_("A custom ritual needs its words: end the line with %(example)s"),
                example="text=Demo time!",
            )
        channel = request.channel or _current_channel(call)
        if channel is None:
            return refuse(call, N_("Say where it happens, e.g. in #team."))
        ritual = await self._store.add(
            Draft(
                workspace=call.workspace.ref,
                kind=request.kind,
                schedule=schedule.text,
                timezone=checked_zone(request.timezone or call.workspace.timezone),
                channel=channel,
                created_by=call.actor.ref.user_id,
                created_at=call.now,
                options=options,
            )
        )
        return self.changed(call, ritual, "added")

    async def edit(self, call: Call[Any], ritual: Ritual, request: Request) -> Response:
        changed = ritual
        if request.schedule is not None:
            try:
                changed = replace(changed, schedule=parsed(request.schedule).text)
            except ScheduleError as error:
                return schedule_problem(call, error)
        if request.timezone is not None:
            changed = replace(changed, timezone=checked_zone(request.timezone))
        if request.channel is not None:
            changed = replace(changed, channel=request.channel)
        options = checked_options(ritual.kind, request.options)
        changed = replace(changed, options={**ritual.options, **options})
        # From now on: an edit never fires a slot the old schedule did not have.
        return await self.change(call, replace(changed, active_since=call.now), "edited")

    async def form(self, call: Call[Any], form_id: str, fields: dict[str, str]) -> Response:
        """The add and edit forms (Slack and Discord modals) submitted."""
        assert call.actor is not None
        if not call.actor.role.can_manage:
            return await self.not_allowed(call)
        text = fields.get("text", "").strip()
        request = Request(
            kind=kind_of(fields["kind"]) if "kind" in fields else None,
            schedule=fields.get("schedule", "").strip() or None,
            channel=channel_named(fields.get("channel", "")),
            timezone=fields.get("timezone", "").strip() or None,
            options={"text": text} if text else {},
        )
        try:
            if form_id == "rituals.add":
                return await self.create(call, request)
            ritual = await self.find(call, str(getattr(call.event, "value", "")))
            if ritual is None:
                return refuse(call, N_("That ritual no longer exists."))
            return await self.edit(call, ritual, request)
        except RequestError as error:
            return refuse(call, error.reason, **error.values)

    async def change(self, call: Call[Any], ritual: Ritual, change: str) -> Response:
        await self._store.save(ritual)
        return self.changed(call, ritual, change)

    def changed(self, call: Call[Any], ritual: Ritual, change: str) -> Message:
        context = view(ritual, now=call.now, fire_times=self._fire_times)
        return private(call, "rituals/changed", {"ritual": context, "change": change})

    # --- reading and trying ---------------------------------------------------------

    async def list(self, call: Invocation) -> Response:
        rituals = await self._store.of_workspace(call.workspace.ref)
        views = [view(r, now=call.now, fire_times=self._fire_times) for r in rituals]
        return private(call, "rituals/list", {"rituals": views})

    async def on_home(self, call: Call[HomeOpened]) -> Response:
        """The workspace's rituals and when each fires next, on the member's home."""
        rituals = await self._store.of_workspace(call.workspace.ref)
        if not rituals:
            return None
        views = [view(r, now=call.now, fire_times=self._fire_times) for r in rituals]
        return Message(
            "rituals/list", {"rituals": views}, visibility=Visibility.HOME, to=call.event.actor
        )

    def opening(self, ritual: Ritual, *, now: datetime, preview: bool) -> tuple[str, datetime]:
        """The step a ritual speaks first and the occasion it is about: what
        `run-now` posts (now, or the next occasion for an announcement) and
        what `preview` shows (as at the next fire time)."""
        upcoming = self._fire_times(ritual.recurrence(), now, 1)
        following = upcoming[0] if upcoming else now
        if ritual.kind is Kind.COWORKING:
            return "announce", following
        if ritual.kind is Kind.GATHERING:
            days = max(1, round((following - now) / timedelta(days=1)))
            return f"countdown-{days}d", following
        return MAIN, following if preview else now

    async def preview(self, call: Invocation, ritual: Ritual) -> Response:
        times = self._fire_times(ritual.recurrence(), call.now, PREVIEW_COUNT)
        step, at = self.opening(ritual, now=call.now, preview=True)
        first = await self._firing.perform(
            ritual, step, at=at, now=call.now, workspace=call.workspace, dry_run=True
        )
        header = private(
            call,
            "rituals/preview",
            {
                "ritual": view(ritual, now=call.now, fire_times=self._fire_times),
                "times": [local_moment(t, ritual.timezone) for t in times],
            },
        )
        return [header, *(_shown_to(call, message) for message in first)]

    async def run_now(self, call: Invocation, ritual: Ritual) -> Response:
        step, at = self.opening(ritual, now=call.now, preview=False)
        said = await self._firing.perform(
            ritual, step, at=at, now=call.now, workspace=call.workspace
        )
        done = private(call, "rituals/ran", {"id": ritual.id, "count": len(said)})
        return [*said, done]


def _current_channel(call: Call[Any]) -> str | None:
    if getattr(call.event, "is_dm", False):
        return None
    channel = getattr(call.event, "channel", None)
    return channel if isinstance(channel, str) else None


def _shown_to(call: Call[Any], message: Message) -> Message:
    """A ritual's message as a private preview for the actor: no keys, no buttons."""
    assert call.actor is not None
    return Message(
        message.template,
        message.context,
        visibility=Visibility.PRIVATE,
        channel=_current_channel(call),
        to=call.actor.ref.user_id,
    )
