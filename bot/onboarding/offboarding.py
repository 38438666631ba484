"""`/offboarding`: a warm goodbye, started by a manager, carried through to the last day.

The person leaving gets a DM with their part (handover, a note for future
projects, staying in touch), their manager one with theirs (a feedback
conversation, a recommendation). `FAREWELL_DAYS` before the last day a
farewell thread opens in the welcome channel (or `offboarding.channel`);
on the last day the person is thanked and, if they wish, welcomed among
the alumni. Every one of those posts is keyed: it happens once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import (
    N_,
    Action,
    ButtonStyle,
    Directory,
    FieldKind,
    Form,
    FormField,
    Message,
    Visibility,
    Workspace,
)
from bot.features import (
    Call,
    Invocation,
    Job,
    Press,
    Response,
    Submission,
    Tick,
    dm,
    private,
    refuse,
)
from bot.mentions import channel_named, find_mentions, resolve
from bot.onboarding.jobs import FOLLOW_UP_TIME
from bot.onboarding.leaving import FAREWELL_DAYS, Departure, DepartureStore, Part, checklist

USAGE = N_("/offboarding | start @someone YYYY-MM-DD | cancel @someone | status | notes [WORD]")
MAX_TEXT = 1500


def _today(call_or_tick: Call[Any] | Tick, workspace: Workspace) -> date:
    return call_or_tick.now.astimezone(ZoneInfo(workspace.timezone)).date()


def farewell_channel(workspace: Workspace) -> str | None:
    settings = workspace.settings
    return channel_named(settings.get("offboarding.channel", "")) or channel_named(
        settings.get("onboarding.channel", "")
    )


def _leaver_actions(departure: Departure) -> tuple[Action, ...]:
    wanted = (
        (Part.HANDOVER, N_("Hand over"), ButtonStyle.PRIMARY),
        (Part.NOTE, N_("Leave a note"), ButtonStyle.DEFAULT),
        (Part.ALUMNI, N_("Stay in touch"), ButtonStyle.DEFAULT),
    )
    return tuple(
        Action(label, f"offboarding.{part.value}", style=style)
        for part, label, style in wanted
        if not departure.has(part)
    )


def _manager_actions(departure: Departure) -> tuple[Action, ...]:
    actions = []
    if not departure.has(Part.FEEDBACK):
        actions.append(
            Action(N_("Feedback conversation held"), "offboarding.feedback", departure.user_id)
        )
    if not departure.has(Part.RECOMMENDATION):
        actions.append(
            Action(N_("Write a recommendation"), "offboarding.recommendation", departure.user_id)
        )
    return tuple(actions)


def view(departure: Departure) -> dict[str, object]:
    return {
        "member": departure.user_id,
        "manager": departure.manager,
        "last_day": departure.last_day,
        "done": checklist(departure),
    }


class Offboarding:
    def __init__(self, *, store: DepartureStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    # --- /offboarding -----------------------------------------------------------

    async def offboarding(self, call: Invocation) -> Response:
        word, _, rest = call.event.text.strip().partition(" ")
        rest = rest.strip()
        manager = call.actor is not None and call.actor.role.can_manage
        if word.lower() in ("start", "cancel", "status", "notes") and not manager:
            return refuse(call, N_("Only managers and admins run offboardings."))
        match word.lower():
            case "" | "me":
                return await self.me(call)
            case "start":
                return await self.start(call, rest)
            case "cancel":
                return await self.cancel(call, rest)
            case "status":
                found = await self._store.departures(call.workspace.ref)
                return private(
                    call, "onboarding/offboarding_status", {"leaving": [view(d) for d in found]}
                )
            case "notes":
                notes = await self._store.notes(call.workspace.ref)
                word_filter = rest.lower()
                return private(
                    call,
                    "onboarding/offboarding_notes",
                    {
                        "word": rest,
                        "notes": [
                            {"member": user, "last_day": day, "note": note}
                            for user, day, note in notes
                            if word_filter in note.lower()
                        ],
                    },
                )
        return private(call, "onboarding/usage", {"usage": USAGE})

    async def start(self, call: Invocation, text: str) -> Response:
        assert call.actor is not None
        mentions = find_mentions(text)
        day_text = text.split()[-1] if text.split() else ""
        try:
            last_day = date.fromisoformat(day_text)
        except ValueError:
            last_day = None
        if len(mentions) != 1 or last_day is None:
            return refuse(
                call, N_("Name who leaves and their last day: /offboarding start @kai 2027-01-29.")
            )
        if last_day < _today(call, call.workspace):
            return refuse(call, N_("That day has passed: give a last day from today on."))
        member = await resolve(self._directory, call.workspace.ref, mentions[0])
        if member is None or not member.active or member.is_bot:
            return refuse(call, N_("I do not know that member here."))
        if member.ref == call.actor.ref:
            return refuse(call, N_("Another manager or an admin starts your own offboarding."))
        user = member.ref.user_id
        manager = call.actor.ref.user_id
        await self._store.start(
            call.workspace.ref, user, manager=manager, last_day=last_day, at=call.now
        )
        departure = await self._store.departure(call.workspace.ref, user)
        assert departure is not None
        return [
            dm(
                user,
                "onboarding/leaving",
                {"manager": manager, "last_day": last_day},
                key=f"offboarding.leaving:{user}:{last_day.isoformat()}",
                actions=_leaver_actions(departure),
            ),
            dm(
                manager,
                "onboarding/leaving_manager",
                {"member": user, "last_day": last_day},
                key=f"offboarding.manager:{user}:{last_day.isoformat()}:{manager}",
                actions=_manager_actions(departure),
            ),
            private(call, "onboarding/offboarding_started", {"member": user, "last_day": last_day}),
        ]

    async def cancel(self, call: Invocation, text: str) -> Response:
        mentions = find_mentions(text)
        member = (
            await resolve(self._directory, call.workspace.ref, mentions[0]) if mentions else None
        )
        if member is None or not await self._store.close(
            call.workspace.ref, member.ref.user_id, cancelled=True
        ):
            return refuse(call, N_("Nobody by that name is leaving."))
        return private(call, "onboarding/offboarding_cancelled", {"member": member.ref})

    async def me(self, call: Invocation) -> Response:
        assert call.actor is not None
        departure = await self._store.departure(call.workspace.ref, call.actor.ref.user_id)
        if departure is None or not departure.open:
            return private(call, "onboarding/usage", {"usage": USAGE})
        return Message(
            "onboarding/leaving_checklist",
            view(departure),
            visibility=Visibility.PRIVATE,
            channel=call.event.channel,
            to=call.actor.ref.user_id,
            actions=_leaver_actions(departure),
        )

    # --- buttons and forms ---------------------------------------------------------

    async def on_button(self, call: Press) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        part = call.event.action_id.removeprefix("offboarding.")
        if part in (Part.FEEDBACK, Part.RECOMMENDATION):
            departure = await self._store.departure(ws, call.event.value)
            if departure is None or not departure.open:
                return refuse(call, N_("Nobody by that name is leaving."))
            if user != departure.manager and not call.actor.role.can_manage:
                return refuse(call, N_("Only their manager does this part."))
            if part == Part.FEEDBACK:
                await self._store.keep(ws, departure.user_id, Part.FEEDBACK, {"by": user})
                return private(call, "onboarding/offboarding_noted", {"part": part})
            return _form(
                "offboarding.recommendation",
                N_("A recommendation"),
                (
                    FormField(
                        "text", N_("What would you tell a future employer?"), FieldKind.LONG_TEXT
                    ),
                ),
                to=user,
                value=departure.user_id,
            )
        departure = await self._store.departure(ws, user)
        if departure is None or not departure.open:
            return refuse(call, N_("You have no offboarding under way."))
        match part:
            case Part.HANDOVER:
                return _form(
                    "offboarding.handover",
                    N_("Your handover"),
                    (
                        FormField(
                            "what",
                            N_("Objectives, deliverables, documents"),
                            FieldKind.LONG_TEXT,
                        ),
                        FormField("to", N_("Who takes them over?")),
                    ),
                    to=user,
                )
            case Part.NOTE:
                return _form(
                    "offboarding.note",
                    N_("A note for future projects"),
                    (
                        FormField(
                            "note", N_("What worked, what you would change"), FieldKind.LONG_TEXT
                        ),
                    ),
                    to=user,
                )
            case Part.ALUMNI:
                return _form(
                    "offboarding.alumni",
                    N_("Stay in touch"),
                    (
                        FormField(
                            "stay",
                            N_("Join the alumni channel?"),
                            FieldKind.CHOICE,
                            choices=("yes", "no"),
                        ),
                        FormField("contact", N_("How to reach you"), required=False),
                    ),
                    to=user,
                )
        return None

    async def on_form(self, call: Submission) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        fields = {k: v.strip()[:MAX_TEXT] for k, v in call.event.fields.items()}
        part = Part(call.event.form_id.removeprefix("offboarding."))
        subject = call.event.value if part is Part.RECOMMENDATION else user
        departure = await self._store.departure(ws, subject)
        if departure is None or not departure.open:
            return refuse(call, N_("You have no offboarding under way."))
        if (
            part is Part.RECOMMENDATION
            and user != departure.manager
            and not call.actor.role.can_manage
        ):
            return refuse(call, N_("Only their manager does this part."))
        if part is Part.ALUMNI and fields.get("stay") not in ("yes", "no"):
            return refuse(call, N_("Say yes or no to the alumni channel."))
        if not any(fields.values()):
            return refuse(call, N_("The form was empty: nothing was saved."))
        await self._store.keep(ws, subject, part, fields)
        said: list[Any] = [private(call, "onboarding/offboarding_noted", {"part": part.value})]
        if part is Part.HANDOVER:
            said.append(dm(departure.manager, "onboarding/handover", {"member": user, **fields}))
        if part is Part.RECOMMENDATION:
            said.append(
                dm(departure.user_id, "onboarding/recommended", {"manager": user, **fields})
            )
        return said

    # --- the daily job -----------------------------------------------------------------

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for ref in await self._store.workspaces_offboarding():
            workspace = await self._directory.workspace(ref)
            if workspace is None:
                continue
            jobs.append(
                Job(
                    key=f"offboarding.daily:{ref.platform.value}:{ref.workspace_id}",
                    workspace=ref,
                    recurrence=FOLLOW_UP_TIME.daily(workspace),
                    run=self.daily,
                    grace=timedelta(hours=12),
                )
            )
        return jobs

    async def daily(self, tick: Tick) -> Response:
        workspace = tick.workspace
        today = _today(tick, workspace)
        channel = farewell_channel(workspace)
        alumni = channel_named(workspace.settings.get("offboarding.alumni_channel", ""))
        said: list[Message] = []
        for d in await self._store.departures(workspace.ref):
            if channel and today >= d.last_day - timedelta(days=FAREWELL_DAYS):
                said += [
                    Message(
                        "onboarding/farewell",
                        {"member": d.user_id, "last_day": d.last_day},
                        channel=channel,
                        key=d.farewell_key,
                    ),
                    Message(
                        "onboarding/farewell_thread",
                        {"member": d.user_id},
                        visibility=Visibility.THREAD,
                        channel=channel,
                        thread_key=d.farewell_key,
                        key=f"{d.farewell_key}:thread",
                    ),
                ]
            if today >= d.last_day:  # the last day, or a catch-up after downtime
                stay = d.parts.get(Part.ALUMNI, {})
                joins = bool(alumni) and stay.get("stay") == "yes"
                said.append(
                    dm(
                        d.user_id,
                        "onboarding/last_day",
                        {"alumni": joins},
                        key=f"offboarding.last_day:{d.user_id}:{d.last_day.isoformat()}",
                    )
                )
                if alumni and joins:
                    said.append(
                        Message(
                            "onboarding/alumni",
                            {"member": d.user_id, "contact": stay.get("contact", "")},
                            channel=alumni,
                            key=f"offboarding.alumni:{d.user_id}:{d.last_day.isoformat()}",
                        )
                    )
                await self._store.close(workspace.ref, d.user_id, cancelled=False)
        return said


def _form(
    form_id: str, title: str, fields: tuple[FormField, ...], *, to: str, value: str = ""
) -> Form:
    return Form(form_id, title, fields, to=to, value=value)
