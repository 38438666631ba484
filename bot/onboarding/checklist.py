"""`/onboarding`: the newcomer's checklist, the managers' view, and the program itself.

Newcomers tick steps (by number, or from a button's form) and see where
they stand; managers see every newcomer of the month and who needs
attention, start the program for someone already here, and add or hide
steps of the workspace's program.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.chat import (
    N_,
    Action,
    ButtonPressed,
    FieldKind,
    Form,
    FormField,
    HomeOpened,
    Message,
    Roster,
    Visibility,
)
from bot.features import Call, Invocation, Press, Response, Submission, private, refuse
from bot.mentions import find_mentions, resolve
from bot.onboarding.domain import (
    FEEDBACK_STEP,
    MAX_STEP_TEXT,
    RATINGS,
    SHIPPED,
    WEEKS,
    Answers,
    OnboardingStore,
    Progress,
    Step,
    day_of,
    numbered,
    program,
    progress,
)
from bot.onboarding.welcome import Welcome, steps_view

USAGE = N_(
    "/onboarding | done NUMBER | undo NUMBER | intro | feedback | status | start @someone | "
    "steps | steps add WEEK TEXT | steps remove NUMBER"
)
RECENT = timedelta(days=60)  # finished journeys the managers' status still shows


def progress_view(p: Progress) -> dict[str, Any]:
    return {
        "week": p.week,
        "weeks": WEEKS,
        "done": p.done,
        "total": p.total,
        "overdue": len(p.overdue),
        "attention": p.needs_attention,
    }


class Checklist:
    def __init__(self, *, store: OnboardingStore, roster: Roster, welcome: Welcome) -> None:
        self._store = store
        self._roster = roster
        self._welcome = welcome

    async def _steps(self, call: Call[Any]) -> list[Step]:
        return program(await self._store.changes(call.workspace.ref))

    async def onboarding(self, call: Invocation) -> Response:
        word, _, rest = call.event.text.strip().partition(" ")
        rest = rest.strip()
        match word.lower():
            case "" | "me" | "checklist":
                return await self.checklist(call)
            case "done" | "tick":
                return await self.tick(call, rest, done=True)
            case "undo" | "untick":
                return await self.tick(call, rest, done=False)
            case "intro":
                return await self._welcome.intro(call)
            case "feedback":
                return await self.feedback_form(call)
            case "status":
                return await self.status(call)
            case "start":
                return await self.start(call, rest)
            case "steps":
                return await self.program(call, rest)
        return private(call, "onboarding/usage", {"usage": USAGE})

    async def checklist(self, call: Call[Any]) -> Message:
        assert call.actor is not None
        journey = await self._store.journey(call.workspace.ref, call.actor.ref.user_id)
        steps = await self._steps(call)
        if journey is None:
            return private(call, "onboarding/program", {"steps": steps_view(steps), "own": False})
        p = progress(journey, steps, day=day_of(journey.started_at, call.now, call.timezone))
        actions = [Action(N_("Tick a step"), "onboarding.tick")]
        if not journey.intro:
            actions.insert(0, Action(N_("Introduce myself"), "onboarding.intro"))
        return Message(
            "onboarding/checklist",
            {"steps": steps_view(steps, journey.done), "progress": progress_view(p)},
            visibility=Visibility.PRIVATE,
            channel=getattr(call.event, "channel", None),
            to=call.actor.ref.user_id,
            actions=tuple(actions),
        )

    async def tick(self, call: Call[Any], number: str, *, done: bool) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        journey = await self._store.journey(ws, user)
        if journey is None:
            return refuse(
                call,
                N_("You are not in the onboarding program. A manager can start it for you."),
            )
        steps = await self._steps(call)
        step = numbered(steps, number)
        if step is None:
            return refuse(
                call,
                N_("There is no step “%(number)s”: your checklist has steps 1 to %(count)s."),
                number=number or "?",
                count=len(steps),
            )
        if done:
            await self._store.tick(ws, user, step.id, at=call.now)
            ticked = journey.done | {step.id}
        else:
            await self._store.untick(ws, user, step.id)
            ticked = journey.done - {step.id}
        p = progress(
            replace(journey, done=ticked),
            steps,
            day=day_of(journey.started_at, call.now, call.timezone),
        )
        return private(
            call,
            "onboarding/ticked",
            {
                "step": steps_view(steps)[steps.index(step)],
                "ticked": done,
                "progress": progress_view(p),
            },
        )

    async def feedback_form(self, call: Call[Any]) -> Response:
        assert call.actor is not None
        journey = await self._store.journey(call.workspace.ref, call.actor.ref.user_id)
        if journey is None:
            return refuse(call, N_("Feedback is for newcomers in the onboarding program."))
        return Form(
            "onboarding.feedback",
            N_("Your first month"),
            (
                FormField(
                    "rating",
                    N_("How welcome did you feel? 5 is very"),
                    FieldKind.CHOICE,
                    choices=RATINGS,
                ),
                FormField("helped", N_("What helped you most?"), FieldKind.LONG_TEXT),
                FormField(
                    "improve",
                    N_("What should we do better next time?"),
                    FieldKind.LONG_TEXT,
                    required=False,
                ),
            ),
            to=call.actor.ref.user_id,
        )

    async def on_button(self, call: Press) -> Response:
        event: ButtonPressed = call.event
        match event.action_id:
            case "onboarding.intro":
                return await self._welcome.intro(call)
            case "onboarding.checklist":
                return await self.checklist(call)
            case "onboarding.feedback":
                return await self.feedback_form(call)
            case "onboarding.tick":
                return await self.tick_form(call)
        return None

    async def tick_form(self, call: Press) -> Response:
        assert call.actor is not None
        journey = await self._store.journey(call.workspace.ref, call.actor.ref.user_id)
        if journey is None:
            return await self.checklist(call)
        steps = await self._steps(call)
        open_numbers = tuple(
            str(n) for n, s in enumerate(steps, start=1) if s.id not in journey.done
        )
        if not open_numbers:
            return await self.checklist(call)
        return Form(
            "onboarding.tick",
            N_("Tick a step"),
            (
                FormField(
                    "step",
                    N_("The step's number on your checklist"),
                    FieldKind.CHOICE,
                    choices=open_numbers,
                ),
            ),
            to=call.actor.ref.user_id,
        )

    async def on_form(self, call: Submission) -> Response:
        fields = {k: v.strip() for k, v in call.event.fields.items()}
        match call.event.form_id:
            case "onboarding.intro":
                return await self._welcome.introduced(call)
            case "onboarding.tick":
                return await self.tick(call, fields.get("step", ""), done=True)
            case "onboarding.feedback":
                return await self.feedback(call, fields)
        return None

    async def feedback(self, call: Submission, fields: dict[str, str]) -> Response:
        assert call.actor is not None
        if fields.get("rating", "") not in RATINGS:
            return refuse(call, N_("Pick how welcome you felt, from 1 to 5."))
        ws, user = call.workspace.ref, call.actor.ref.user_id
        if await self._store.journey(ws, user) is None:
            return refuse(call, N_("Feedback is for newcomers in the onboarding program."))
        answers = {k: fields.get(k, "")[:1000] for k in ("rating", "helped", "improve")}
        await self._store.answer(ws, user, Answers.FEEDBACK, answers, at=call.now)
        await self._store.tick(ws, user, FEEDBACK_STEP, at=call.now)
        return private(call, "onboarding/thanks", {})

    # --- managers ---------------------------------------------------------

    def _manager(self, call: Call[Any]) -> bool:
        return call.actor is not None and call.actor.role.can_manage

    async def status(self, call: Invocation) -> Response:
        if not self._manager(call):
            return refuse(call, N_("Only managers and admins see every newcomer's progress."))
        steps = await self._steps(call)
        rows = []
        for journey in await self._store.journeys(call.workspace.ref, since=call.now - RECENT):
            member = await self._roster.member(call.workspace.ref.member(journey.user_id))
            zone = member.timezone_in(call.workspace) if member else call.timezone
            p = progress(journey, steps, day=day_of(journey.started_at, call.now, zone))
            rows.append(
                {
                    "member": journey.user_id,
                    "started": journey.started_at,
                    "active": journey.active,
                    "left": journey.left_at is not None,
                    "introduced": bool(journey.intro),
                    "rating": journey.feedback.get("rating", ""),
                    "progress": progress_view(p),
                }
            )
        return private(call, "onboarding/status", {"newcomers": rows})

    async def start(self, call: Invocation, text: str) -> Response:
        if not self._manager(call):
            return refuse(call, N_("Only managers and admins start the program for someone."))
        mentions = find_mentions(text)
        if len(mentions) != 1:
            return refuse(call, N_("Name one member: /onboarding start @someone."))
        member = await resolve(self._roster, call.workspace.ref, mentions[0])
        if member is None or not member.active or member.is_bot:
            return refuse(call, N_("I do not know that member here."))
        said = await self._welcome.begin(call.workspace, member, now=call.now)
        if not said:
            return refuse(call, N_("%(name)s is in the program already."), name=member.name)
        return [*said, private(call, "onboarding/started", {"member": member.ref})]

    async def program(self, call: Invocation, text: str) -> Response:
        word, _, rest = text.partition(" ")
        if word.lower() in ("add", "remove") and not self._manager(call):
            return refuse(call, N_("Only managers and admins change the program."))
        if word.lower() == "add":
            week, _, step_text = rest.strip().partition(" ")
            step_text = step_text.strip()
            if week not in {str(n) for n in range(1, WEEKS + 1)} or not step_text:
                return refuse(
                    call,
                    N_("Week (1 to 4), then the step: /onboarding steps add 2 Read the handbook"),
                )
            await self._store.add_step(
                call.workspace.ref,
                week=int(week),
                text=step_text[:MAX_STEP_TEXT],
                hides=None,
                at=call.now,
            )
        elif word.lower() == "remove":
            steps = await self._steps(call)
            step = numbered(steps, rest)
            if step is None:
                return refuse(
                    call,
                    N_("There is no step “%(number)s”: the program has steps 1 to %(count)s."),
                    number=rest or "?",
                    count=len(steps),
                )
            if step.id in SHIPPED:
                await self._store.add_step(
                    call.workspace.ref, week=step.week, text="", hides=step.id, at=call.now
                )
            else:
                await self._store.remove_step(call.workspace.ref, int(step.id[1:]))
        elif word:
            return private(call, "onboarding/usage", {"usage": USAGE})
        steps = await self._steps(call)
        return private(call, "onboarding/program", {"steps": steps_view(steps), "own": True})

    # --- home ---------------------------------------------------------------

    async def on_home(self, call: Call[HomeOpened]) -> Response:
        """Where the member stands in their first month; for managers, who needs attention."""
        ws, user = call.workspace.ref, call.event.actor
        said: list[Message] = []
        journey = await self._store.journey(ws, user)
        steps = await self._steps(call)
        if journey is not None and journey.active:
            p = progress(journey, steps, day=day_of(journey.started_at, call.now, call.timezone))
            said.append(
                Message(
                    "onboarding/home",
                    {
                        "next": steps_view(steps, only={*p.overdue, *p.next}),
                        "progress": progress_view(p),
                    },
                    visibility=Visibility.HOME,
                    to=user,
                    actions=(Action(N_("My checklist"), "onboarding.checklist"),),
                )
            )
        if self._manager(call):
            active = [j for j in await self._store.journeys(ws, since=call.now) if j.active]
            if active:
                attention = sum(
                    1
                    for j in active
                    if progress(
                        j, steps, day=day_of(j.started_at, call.now, call.timezone)
                    ).needs_attention
                )
                said.append(
                    Message(
                        "onboarding/home_managers",
                        {"newcomers": len(active), "attention": attention},
                        visibility=Visibility.HOME,
                        to=user,
                    )
                )
        return said
