"""A member's part in the team's rituals, always chosen privately.

Members opt out of one ritual, of every spotlight, of celebrations or of
all rituals (kept in their `opt_outs`, which every ritual reads); say they
are away; share a birthday or start date (or take it back); share a win for
the celebration digest. They answer rituals with buttons and forms: swap
their spotlight to another week, RSVP and answer a gathering's survey, join
a co-working session, answer a check-in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import (
    N_,
    ButtonPressed,
    FieldKind,
    Form,
    FormField,
    FormSubmitted,
    Message,
    Role,
    Roster,
)
from bot.features import Call, Press, Response, Submission, private, refuse
from bot.rituals import banks
from bot.rituals.celebrations import birthday
from bot.rituals.domain import RitualStore, State
from bot.rituals.firing import Firing
from bot.rituals.moments import local_moment, read_occasion
from bot.rituals.records import Entry, EntryKind, Person, Turn, TurnStatus
from bot.rituals.rotation import (
    OPT_OUT_ALL,
    OPT_OUT_CELEBRATIONS,
    OPT_OUT_SPOTLIGHT,
    holder,
    pick,
    ritual_opt_out,
    swapped_out,
)

OPT_OUT_WORDS = {
    "spotlight": OPT_OUT_SPOTLIGHT,
    "spotlights": OPT_OUT_SPOTLIGHT,
    "celebrations": OPT_OUT_CELEBRATIONS,
    "celebration": OPT_OUT_CELEBRATIONS,
    "all": OPT_OUT_ALL,
    "rituals": OPT_OUT_ALL,
}
RSVP = {"yes", "maybe", "no"}
ManagerForm = Callable[[Call[Any], str, dict[str, str]], Awaitable[Response]]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class Participation:
    def __init__(self, *, store: RitualStore, roster: Roster, firing: Firing) -> None:
        self._store = store
        self._roster = roster
        self._firing = firing
        self._manager_form: ManagerForm | None = None

    def route_manager_forms(self, handler: ManagerForm) -> None:
        """Where the add and edit forms go (the managing side checks roles)."""
        self._manager_form = handler

    # --- /ritual verbs for everyone ---------------------------------------------------

    async def verb(self, call: Call[Any], verb: str, rest: str) -> Response:
        """Answer a member's verb; None when the verb is not one of theirs."""
        handlers = {
            "optout": self.opt_out,
            "opt-out": self.opt_out,
            "optin": self.opt_in,
            "opt-in": self.opt_in,
            "away": self.away,
            "back": self.back,
            "birthday": self.birthday,
            "started": self.started,
            "win": self.win,
            "me": self.me,
            "question": self.question,
        }
        handler = handlers.get(verb)
        return None if handler is None else await handler(call, rest)

    async def _opt_token(self, call: Call[Any], word: str) -> str | None:
        word = word.strip().lower().lstrip("#")
        if word in OPT_OUT_WORDS:
            return OPT_OUT_WORDS[word]
        if word.isascii() and word.isdecimal():
            ritual = await self._store.get(call.workspace.ref, int(word))
            return None if ritual is None else ritual_opt_out(ritual.id)
        return None

    async def opt_out(self, call: Call[Any], rest: str) -> Response:
        return await self._opt(call, rest, out=True)

    async def opt_in(self, call: Call[Any], rest: str) -> Response:
        return await self._opt(call, rest, out=False)

    async def _opt(self, call: Call[Any], rest: str, *, out: bool) -> Response:
        assert call.actor is not None
        token = await self._opt_token(call, rest)
        if token is None:
            return refuse(
                call,
                N_("Say what to opt out of: a ritual's number, spotlight, celebrations or all."),
            )
        kept = call.actor.opt_outs | {token} if out else call.actor.opt_outs - {token}
        member = replace(call.actor, opt_outs=frozenset(kept))
        await self._roster.save_member(member)
        return await self._me(call, member.opt_outs)

    async def away(self, call: Call[Any], rest: str) -> Response:
        words = rest.split()
        until = _date(words[-1]) if words else None
        today = call.now.astimezone(ZoneInfo(call.timezone)).date()
        if until is None or until < today:
            return refuse(
                call, N_("Say until when, e.g. %(example)s"), example="away until 2027-01-10"
            )
        return await self._share(call, lambda p: replace(p, away_until=until))

    async def back(self, call: Call[Any], rest: str) -> Response:
        return await self._share(call, lambda p: replace(p, away_until=None))

    async def birthday(self, call: Call[Any], rest: str) -> Response:
        text = rest.strip()
        if text.lower() in ("off", "none", "forget"):
            return await self._share(call, lambda p: replace(p, birthday=None))
        born = birthday(text)
        if born is None:
            return refuse(call, N_("Write it as month-day, e.g. %(example)s"), example="03-14")
        shared = f"{born[0]:02d}-{born[1]:02d}"
        return await self._share(call, lambda p: replace(p, birthday=shared))

    async def started(self, call: Call[Any], rest: str) -> Response:
        text = rest.strip()
        if text.lower() in ("off", "none", "forget"):
            return await self._share(call, lambda p: replace(p, started_on=None))
        started = _date(text)
        if started is None or started > call.now.date():
            return refuse(call, N_("Write it as a date, e.g. %(example)s"), example="2021-06-01")
        return await self._share(call, lambda p: replace(p, started_on=started))

    async def _share(self, call: Call[Any], change: Callable[[Person], Person]) -> Response:
        assert call.actor is not None
        person = await self._store.person(call.actor.ref)
        await self._store.save_person(call.workspace.ref, change(person))
        return await self._me(call, call.actor.opt_outs)

    async def me(self, call: Call[Any], rest: str) -> Response:
        assert call.actor is not None
        return await self._me(call, call.actor.opt_outs)

    async def _me(self, call: Call[Any], opt_outs: frozenset[str]) -> Message:
        assert call.actor is not None
        person = await self._store.person(call.actor.ref)
        rituals = sorted(int(t.split(":")[1]) for t in opt_outs if t.startswith("ritual:"))
        return private(
            call,
            "rituals/me",
            {
                "spotlight": OPT_OUT_SPOTLIGHT not in opt_outs,
                "celebrations": OPT_OUT_CELEBRATIONS not in opt_outs,
                "all": OPT_OUT_ALL not in opt_outs,
                "opted_out": rituals,
                "birthday": person.birthday or "",
                "started_on": person.started_on,
                "away_until": person.away_until,
            },
        )

    async def win(self, call: Call[Any], rest: str) -> Response:
        assert call.actor is not None
        if not rest.strip():
            return refuse(
                call, N_("Tell us the win, e.g. %(example)s"), example="/ritual win we shipped v2"
            )
        entry = Entry(EntryKind.WIN, call.actor.ref.user_id, rest.strip()[:500], call.now)
        await self._store.put_entry(call.workspace.ref, entry)
        return private(call, "rituals/win_noted", {"text": entry.value})

    async def question(self, call: Call[Any], rest: str) -> Response:
        assert call.actor is not None
        if call.actor.role is not Role.ADMIN:
            return refuse(call, N_("Only an admin can add questions to a bank."))
        words = rest.split(maxsplit=1)
        if words and words[0].lower() == "add":
            words = words[1].split(maxsplit=1) if len(words) > 1 else []
        if len(words) < 2 or words[0].lower() not in banks.BANKS:
            return refuse(
                call,
                N_("Usage: %(usage)s"),
                usage="/ritual question watercooler|spotlight QUESTION",
            )
        bank, text = words[0].lower(), words[1].strip()[:300]
        await self._store.add_question(
            call.workspace.ref, bank, text, by=call.actor.ref.user_id, at=call.now
        )
        count = len(banks.shipped(bank)) + len(
            await self._store.questions(call.workspace.ref, bank)
        )
        return private(call, "rituals/question_added", {"bank": bank, "text": text, "count": count})

    # --- buttons ------------------------------------------------------------------------

    async def on_button(self, call: Press) -> Response:
        event: ButtonPressed = call.event
        action = event.action_id
        if action == "rituals.optout":
            return await self.opt_out(call, event.value)
        occasion = read_occasion(event.value)
        if occasion is None:
            return None
        ritual = await self._store.get(call.workspace.ref, occasion[0])
        if ritual is None or ritual.state is not State.ACTIVE:
            return refuse(call, N_("That ritual is paused or no longer exists."))
        at = occasion[1]
        assert call.actor is not None
        user = call.actor.ref.user_id
        match action:
            case "rituals.swap":
                return await self.swap(call, ritual.id, at)
            case "rituals.survey":
                return Form(
                    "rituals.survey",
                    N_("Before we gather"),
                    (
                        FormField(
                            "needs",
                            N_("What do you need to make the most of it?"),
                            FieldKind.LONG_TEXT,
                        ),
                        FormField(
                            "hopes",
                            N_("What do you hope we get out of it?"),
                            FieldKind.LONG_TEXT,
                            required=False,
                        ),
                    ),
                    to=user,
                    value=event.value,
                )
            case "rituals.answer":
                return Form(
                    "rituals.checkin",
                    N_("Check-in"),
                    (FormField("answer", N_("Your answer"), FieldKind.LONG_TEXT),),
                    to=user,
                    value=event.value,
                )
            case "rituals.join":
                await self._store.put_entry(
                    call.workspace.ref,
                    Entry(EntryKind.JOIN, user, "yes", call.now, ritual.id, at),
                )
                context = {"topic": ritual.text, **local_moment(at, ritual.timezone)}
                return private(call, "rituals/joined", context)
        answer = action.removeprefix("rituals.rsvp.")
        if answer not in RSVP:
            return None
        await self._store.put_entry(
            call.workspace.ref, Entry(EntryKind.RSVP, user, answer, call.now, ritual.id, at)
        )
        return private(call, "rituals/rsvp_noted", {"answer": answer, "name": ritual.text})

    async def swap(self, call: Press, ritual_id: int, at: datetime) -> Response:
        """The spotlight's speaker hands their week on; they stay first in line."""
        assert call.actor is not None
        user = call.actor.ref.user_id
        ritual = await self._store.get(call.workspace.ref, ritual_id)
        assert ritual is not None
        if at <= call.now:
            return refuse(call, N_("That spotlight has already happened."))
        turns = await self._store.turns(ritual.id)
        held = holder(turns, at)
        if held is None or held.user_id != user:
            return refuse(call, N_("This spotlight is not yours to swap."))
        moment = self._firing.moment(ritual, at, now=call.now, workspace=call.workspace)
        candidates = await self._firing.candidates(moment)
        successor = pick(
            candidates, turns, salt=str(ritual.id), exclude=swapped_out(turns, at) | {user}
        )
        if successor is None:
            return refuse(call, N_("Nobody else can take that week, so it stays yours. Thank you!"))
        await self._store.record_turn(ritual.id, Turn(at, user, TurnStatus.SWAPPED))
        await self._store.record_turn(ritual.id, Turn(at, successor, TurnStatus.PICKED))
        invitation = await self._firing.invitation(moment, successor)
        when = local_moment(at, ritual.timezone)
        return [invitation, private(call, "rituals/swapped", dict(when))]

    # --- forms ----------------------------------------------------------------------

    async def on_form(self, call: Submission) -> Response:
        event: FormSubmitted = call.event
        fields = {k: v.strip() for k, v in event.fields.items()}
        if event.form_id in ("rituals.add", "rituals.edit"):
            assert self._manager_form is not None
            return await self._manager_form(call, event.form_id, fields)
        occasion = read_occasion(event.value)
        if occasion is None:
            return None
        ritual = await self._store.get(call.workspace.ref, occasion[0])
        if ritual is None:
            return refuse(call, N_("That ritual is paused or no longer exists."))
        assert call.actor is not None
        user = call.actor.ref.user_id
        if event.form_id == "rituals.survey":
            text = " / ".join(v for v in (fields.get("needs", ""), fields.get("hopes", "")) if v)
            kind = EntryKind.SURVEY
        else:
            text, kind = fields.get("answer", ""), EntryKind.ANSWER
        entry = Entry(kind, user, text[:1500], call.now, ritual.id, occasion[1])
        await self._store.put_entry(call.workspace.ref, entry)
        return private(call, "rituals/answer_noted", {"kind": kind.value})
