"""Rituals members answer: a gathering's RSVPs and survey, a co-working
session's joins, a check-in's answers.

Each answer is an entry of the ritual's occasion (one per member and kind,
the latest wins); the steps here post the invitations and, later, what the
answers add up to.
"""

from __future__ import annotations

from datetime import timedelta

from bot.chat import N_, Action, ButtonStyle, Directory, Member, Message, Visibility
from bot.rituals.domain import Ritual, RitualStore, duration
from bot.rituals.moments import MAIN, Moment, occasion_value
from bot.rituals.records import Entry, EntryKind
from bot.rituals.rotation import OPT_OUT_ALL, ritual_opt_out


class Occasions:
    def __init__(self, *, store: RitualStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    # --- gathering ------------------------------------------------------------------

    def _rsvp_actions(self, moment: Moment) -> tuple[Action, ...]:
        value = occasion_value(moment.ritual.id, moment.at)
        return (
            Action(N_("I'll be there"), "rituals.rsvp.yes", value, ButtonStyle.PRIMARY),
            Action(N_("Maybe"), "rituals.rsvp.maybe", value),
            Action(N_("I can't make it"), "rituals.rsvp.no", value),
            Action(N_("Share what you need"), "rituals.survey", value),
        )

    async def gathering_countdown(self, moment: Moment) -> list[Message]:
        step = moment.step if moment.step.startswith("countdown-") else "countdown-0d"
        left = duration(step.removeprefix("countdown-")) or timedelta(0)
        context = {"name": moment.ritual.text, "left": left, **moment.when}
        actions = self._rsvp_actions(moment)
        return [moment.post("rituals/gathering_countdown", context, step, actions=actions)]

    async def _answers(self, moment: Moment, kind: EntryKind) -> list[Entry]:
        return await self._store.entries(
            moment.ritual.workspace, kind, ritual_id=moment.ritual.id, occasion=moment.at
        )

    async def gathering_summary(self, moment: Moment) -> list[Message]:
        """The organiser's view: who comes, and what people need and expect."""
        ritual = moment.ritual
        ws = ritual.workspace
        rsvps = await self._answers(moment, EntryKind.RSVP)
        surveys = await self._answers(moment, EntryKind.SURVEY)
        counts = {
            answer: sum(r.value == answer for r in rsvps) for answer in ("yes", "maybe", "no")
        }
        context = {
            "name": ritual.text,
            "going": counts["yes"],
            "maybe": counts["maybe"],
            "not_going": counts["no"],
            "answers": [{"member": ws.member(s.user_id), "text": s.value} for s in surveys],
            **moment.when,
        }
        return [
            Message(
                "rituals/gathering_summary",
                context,
                visibility=Visibility.DM,
                to=ritual.created_by,
                key=moment.key("summary", ritual.created_by),
            )
        ]

    async def gathering(self, moment: Moment) -> list[Message]:
        rsvps = await self._answers(moment, EntryKind.RSVP)
        context = {"name": moment.ritual.text, "going": sum(r.value == "yes" for r in rsvps)}
        return [moment.post("rituals/gathering_today", context, MAIN)]

    # --- co-working ------------------------------------------------------------------

    async def coworking_announce(self, moment: Moment) -> list[Message]:
        value = occasion_value(moment.ritual.id, moment.at)
        context = {"topic": moment.ritual.text, **moment.when}
        join = Action(N_("Join"), "rituals.join", value, ButtonStyle.PRIMARY)
        return [moment.post("rituals/coworking", context, "announce", actions=(join,))]

    async def coworking(self, moment: Moment) -> list[Message]:
        ritual = moment.ritual
        joined = [e.user_id for e in await self._answers(moment, EntryKind.JOIN) if e.value]
        context = {"topic": ritual.text, "channel": ritual.channel, "count": len(joined)}
        reminders = [
            Message(
                "rituals/coworking_reminder",
                context,
                visibility=Visibility.DM,
                to=user,
                key=moment.key(MAIN, user),
            )
            for user in joined
        ]
        return [moment.post("rituals/coworking_start", context, MAIN), *reminders]

    # --- check-in ---------------------------------------------------------------------

    async def participants(self, ritual: Ritual) -> list[Member]:
        opted = {OPT_OUT_ALL, ritual_opt_out(ritual.id)}
        return [
            m
            for m in await self._directory.members(ritual.workspace)
            if m.active and not m.is_bot and not opted & m.opt_outs
        ]

    async def checkin(self, moment: Moment) -> list[Message]:
        ritual = moment.ritual
        answer = Action(
            N_("Answer"),
            "rituals.answer",
            occasion_value(ritual.id, moment.at),
            ButtonStyle.PRIMARY,
        )
        by_dm = ritual.option("dm") == "yes"
        context = {"prompt": ritual.text, "by_dm": by_dm, "summary": ritual.span("summary")}
        main = moment.post("rituals/checkin", context, MAIN, actions=() if by_dm else (answer,))
        if not by_dm:
            return [main]
        prompts = [
            Message(
                "rituals/checkin_dm",
                {"prompt": ritual.text, "channel": ritual.channel},
                visibility=Visibility.DM,
                to=member.ref.user_id,
                key=moment.key(MAIN, member.ref.user_id),
                actions=(answer,),
            )
            for member in await self.participants(ritual)
        ]
        return [main, *prompts]

    async def checkin_summary(self, moment: Moment) -> list[Message]:
        ritual = moment.ritual
        ws = ritual.workspace
        answers = await self._answers(moment, EntryKind.ANSWER)
        context = {
            "prompt": ritual.text,
            "answers": [{"member": ws.member(a.user_id), "text": a.value} for a in answers],
        }
        return [
            Message(
                "rituals/checkin_summary",
                context,
                visibility=Visibility.THREAD,
                channel=ritual.channel,
                thread_key=moment.key(MAIN),
                key=moment.key("summary"),
            )
        ]
