"""`/mentor` and the pairing itself: a newcomer announced by onboarding gets a mentor.

Mentors volunteer with `/mentor volunteer`; managers name one with
`/mentor assign`. When a mentor leaves, each of their newcomers is paired
again; when nobody is free, the managers are told once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.chat import (
    N_,
    Action,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    MemberLeft,
    Message,
    Roster,
    Visibility,
    Workspace,
    WorkspaceRef,
)
from bot.features import (
    Call,
    Invocation,
    Outcome,
    Press,
    Response,
    Signal,
    Submission,
    dm,
    private,
    refuse,
)
from bot.mentions import find_mentions, resolve
from bot.mentorship.domain import DAYS, MAX_MENTEES, RATINGS, MentorStore, choose_mentor, day_of

USAGE = N_("/mentor | volunteer | retire | feedback | status | assign @newcomer @mentor")
RECENT = timedelta(days=30)  # newcomers the status lists when they have no mentor


def _number(workspace: Workspace, key: str, default: int) -> int:
    value = workspace.settings.get(key, "")
    return int(value) if value.isascii() and value.isdecimal() else default


def limit_of(workspace: Workspace) -> int:
    return max(1, _number(workspace, "mentorship.max_mentees", MAX_MENTEES))


def length_of(workspace: Workspace) -> int:
    return max(1, _number(workspace, "mentorship.days", DAYS))


class Mentoring:
    def __init__(self, *, store: MentorStore, roster: Roster) -> None:
        self._store = store
        self._roster = roster

    # --- pairing ------------------------------------------------------------

    async def on_newcomer(self, signal: Signal, now: datetime) -> Response:
        """Onboarding announced a newcomer: find them a mentor."""
        workspace = await self._roster.workspace(signal.workspace)
        if workspace is None or workspace.settings.get("mentorship.auto", "yes") == "no":
            return None
        newcomer = signal.data["user_id"]
        thread = (
            (signal.data["channel"], signal.data["thread_key"])
            if "thread_key" in signal.data
            else None
        )
        return await self._pair(workspace, newcomer, now=now, thread=thread)

    async def _pair(
        self,
        workspace: Workspace,
        newcomer: str,
        *,
        now: datetime,
        thread: tuple[str, str] | None = None,
        mentor: str | None = None,
        again: bool = False,
    ) -> list[Outcome]:
        ws = workspace.ref
        if mentor is None:
            volunteers = [v.user_id for v in await self._store.volunteers(ws)]
            active = {m.ref.user_id for m in await self._roster.members(ws) if m.active}
            mentor = choose_mentor(
                [v for v in volunteers if v in active],
                await self._store.pairings(ws, since=now - timedelta(days=365)),
                newcomer=newcomer,
                limit=limit_of(workspace),
            )
        if mentor is None:
            return await self._nobody(ws, newcomer)
        if not await self._store.pair(ws, newcomer, mentor, at=now):
            return []
        said: list[Outcome] = [
            dm(newcomer, "mentorship/paired", {"mentor": mentor, "again": again}),
            dm(
                mentor,
                "mentorship/mentoring",
                {"newcomer": newcomer, "days": length_of(workspace)},
                key=f"mentorship.mentoring:{newcomer}:{mentor}",
            ),
        ]
        if thread is not None:
            said.append(
                Message(
                    "mentorship/announced",
                    {"newcomer": newcomer, "mentor": mentor},
                    visibility=Visibility.THREAD,
                    channel=thread[0],
                    thread_key=thread[1],
                )
            )
        return said

    async def _nobody(self, ws: WorkspaceRef, newcomer: str) -> list[Outcome]:
        managers = [
            m.ref.user_id
            for m in await self._roster.members(ws)
            if m.role.can_manage and m.active and not m.is_bot and m.ref.user_id != newcomer
        ]
        return [
            dm(
                manager,
                "mentorship/nobody",
                {"newcomer": newcomer},
                key=f"mentorship.nobody:{newcomer}:{manager}",
            )
            for manager in managers
        ]

    async def on_leave(self, call: Call[MemberLeft]) -> Response:
        """A newcomer who leaves ends their mentorship; a mentor who leaves is replaced."""
        ws, gone = call.workspace.ref, call.event.user_id
        await self._store.retire(ws, gone)
        await self._store.end(ws, gone, at=call.now)
        said: list[Outcome] = []
        for pairing in await self._store.pairings(ws, since=call.now):
            if pairing.active and pairing.mentor == gone:
                await self._store.end(ws, pairing.newcomer, at=call.now)
                said += await self._pair(call.workspace, pairing.newcomer, now=call.now, again=True)
        return said

    # --- /mentor --------------------------------------------------------------

    async def mentor(self, call: Invocation) -> Response:
        word, _, rest = call.event.text.strip().partition(" ")
        match word.lower():
            case "" | "me":
                return await self.me(call)
            case "volunteer":
                return await self.volunteer(call)
            case "retire":
                return await self.retire(call)
            case "feedback":
                return await self.feedback_form(call)
            case "status":
                return await self.status(call)
            case "assign":
                return await self.assign(call, rest)
        return private(call, "mentorship/usage", {"usage": USAGE})

    async def me(self, call: Invocation) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        mine = await self._store.current(ws, user)
        pairings = await self._store.pairings(ws, since=call.now)
        return private(
            call,
            "mentorship/me",
            {
                "mentor": mine.mentor if mine and mine.active else None,
                "mentees": [
                    {"member": p.newcomer, "day": day_of(p, call.now)}
                    for p in pairings
                    if p.active and p.mentor == user
                ],
                "volunteer": user in {v.user_id for v in await self._store.volunteers(ws)},
            },
        )

    async def volunteer(self, call: Invocation) -> Response:
        assert call.actor is not None
        await self._store.volunteer(call.workspace.ref, call.actor.ref.user_id, at=call.now)
        return private(
            call, "mentorship/changed", {"change": "volunteer", "limit": limit_of(call.workspace)}
        )

    async def retire(self, call: Invocation) -> Response:
        assert call.actor is not None
        await self._store.retire(call.workspace.ref, call.actor.ref.user_id)
        return private(call, "mentorship/changed", {"change": "retire", "limit": 0})

    async def assign(self, call: Invocation, text: str) -> Response:
        if call.actor is None or not call.actor.role.can_manage:
            return refuse(call, N_("Only managers and admins name a newcomer's mentor."))
        mentions = find_mentions(text)
        if len(mentions) != 2:
            return refuse(
                call, N_("Name the newcomer, then the mentor: /mentor assign @carol @bob.")
            )
        ws = call.workspace.ref
        newcomer, mentor = [await resolve(self._roster, ws, m) for m in mentions]
        if newcomer is None or mentor is None or not (newcomer.active and mentor.active):
            return refuse(call, N_("I do not know that member here."))
        if mentor.is_bot or newcomer.is_bot or newcomer.ref == mentor.ref:
            return refuse(call, N_("A mentor is another person than the newcomer, and not a bot."))
        await self._store.end(ws, newcomer.ref.user_id, at=call.now)
        said = await self._pair(
            call.workspace, newcomer.ref.user_id, now=call.now, mentor=mentor.ref.user_id
        )
        return [
            *said,
            private(
                call,
                "mentorship/assigned",
                {"newcomer": newcomer.ref, "mentor": mentor.ref},
            ),
        ]

    async def status(self, call: Invocation) -> Response:
        if call.actor is None or not call.actor.role.can_manage:
            return refuse(call, N_("Only managers and admins see every mentorship."))
        ws = call.workspace.ref
        pairings = await self._store.pairings(ws, since=call.now - RECENT)
        mentored = {p.newcomer for p in pairings if p.active}
        volunteers = await self._store.volunteers(ws)
        load = {v.user_id: 0 for v in volunteers}  # those who retired still show in pairings
        for p in pairings:
            if p.active and p.mentor in load:
                load[p.mentor] += 1
        members = await self._roster.members(ws)
        unpaired = [
            m.ref.user_id
            for m in members
            if m.active
            and not m.is_bot
            and m.joined_at is not None
            and m.joined_at >= call.now - RECENT
            and m.ref.user_id not in mentored
        ]
        return private(
            call,
            "mentorship/status",
            {
                "pairings": [
                    {
                        "newcomer": p.newcomer,
                        "mentor": p.mentor,
                        "day": day_of(p, call.now),
                        "active": p.active,
                        "rating": p.feedback.get("rating", ""),
                    }
                    for p in pairings
                ],
                "mentors": [{"member": user, "mentees": n} for user, n in sorted(load.items())],
                "limit": limit_of(call.workspace),
                "unpaired": unpaired,
            },
        )

    # --- feedback on the mentorship --------------------------------------------

    async def feedback_form(self, call: Call[Any]) -> Response:
        assert call.actor is not None
        if await self._store.current(call.workspace.ref, call.actor.ref.user_id) is None:
            return refuse(call, N_("You have no mentor to tell us about yet."))
        return Form(
            "mentorship.feedback",
            N_("Your mentorship"),
            (
                FormField(
                    "rating",
                    N_("How much did your mentor help? 5 is a lot"),
                    FieldKind.CHOICE,
                    choices=RATINGS,
                ),
                FormField("note", N_("What should your mentor know?"), FieldKind.LONG_TEXT, False),
            ),
            to=call.actor.ref.user_id,
        )

    async def on_button(self, call: Press) -> Response:
        if call.event.action_id == "mentorship.feedback":
            return await self.feedback_form(call)
        return None

    async def on_form(self, call: Submission) -> Response:
        assert call.actor is not None
        fields = {k: v.strip() for k, v in call.event.fields.items()}
        if fields.get("rating", "") not in RATINGS:
            return refuse(call, N_("Pick how much your mentor helped, from 1 to 5."))
        answers = {"rating": fields["rating"], "note": fields.get("note", "")[:1000]}
        if not await self._store.feedback(call.workspace.ref, call.actor.ref.user_id, answers):
            return refuse(call, N_("You have no mentor to tell us about yet."))
        return private(call, "mentorship/thanks", {})


FEEDBACK = Action(N_("Tell us about it"), "mentorship.feedback", style=ButtonStyle.PRIMARY)
