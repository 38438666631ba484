"""`/ask` (anonymous questions to leaders) and `/pulse` (pulse surveys whose anonymity is real).

A question is posted in `community.questions_channel` (or sent to every
admin and manager) without its author, and kept the same way. A pulse is
a question on a 1-to-5 scale sent by DM to every member; each answer only
adds one to a count, and results appear when the pulse closes
(`community.pulse_days` later) and only from `MIN_ANSWERS` answers on.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.chat import N_, Action, Directory, Message, Visibility, Workspace
from bot.community.domain import MIN_ANSWERS, SCALE, CommunityStore, Pulse
from bot.features import (
    Invocation,
    Job,
    Once,
    Press,
    Response,
    Setting,
    SettingKind,
    Tick,
    dm,
    private,
    refuse,
)
from bot.mentions import channel_named

ASK_USAGE = N_("/ask YOUR QUESTION (nobody, not even admins, can see who asked)")
PULSE_USAGE = N_("/pulse ask QUESTION | results NUMBER | list")
MAX_QUESTION = 500
REMIND_BEFORE = timedelta(days=1)
PULSE_DAYS = Setting(
    "community.pulse_days", N_("Days a pulse survey stays open"), "3", SettingKind.NUMBER
)


def pulse_view(pulse: Pulse) -> dict[str, object]:
    return {
        "id": pulse.id,
        "question": pulse.question,
        "answers": pulse.answers,
        "shown": pulse.shown,
        "minimum": MIN_ANSWERS,
        "counts": [{"value": v, "count": pulse.counts.get(v, 0)} for v in SCALE],
        "average": round(pulse.average, 1),
        "closes_at": pulse.closes_at,
        "closed": pulse.closed,
    }


class Voices:
    def __init__(self, *, store: CommunityStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    async def _leaders(self, workspace: Workspace, *, but: str | None = None) -> list[str]:
        return [
            m.ref.user_id
            for m in await self._directory.members(workspace.ref)
            if m.role.can_manage and m.active and not m.is_bot and m.ref.user_id != but
        ]

    # --- /ask ---------------------------------------------------------------------

    async def ask(self, call: Invocation) -> Response:
        text = call.event.text.strip()
        if not text:
            return private(call, "community/usage", {"usage": ASK_USAGE})
        if len(text) > MAX_QUESTION:
            return refuse(
                call, N_("Keep your question under %(limit)s characters."), limit=MAX_QUESTION
            )
        day = call.now.astimezone(ZoneInfo(call.workspace.timezone)).date()
        number = await self._store.ask(call.workspace.ref, text, day=day)
        key = f"community.ask:{number}"
        channel = channel_named(call.workspace.settings.get("community.questions_channel", ""))
        said: list[Message] = []
        if channel:
            said += [
                Message("community/question", {"text": text}, channel=channel, key=key),
                Message(
                    "community/question_thread",
                    {},
                    visibility=Visibility.THREAD,
                    channel=channel,
                    thread_key=key,
                ),
            ]
        else:
            said += [
                dm(leader, "community/question", {"text": text}, key=f"{key}:{leader}")
                for leader in await self._leaders(call.workspace)
            ]
        said.append(private(call, "community/asked", {"channel": channel}))
        return said

    # --- /pulse ---------------------------------------------------------------------

    async def pulse(self, call: Invocation) -> Response:
        assert call.actor is not None
        word, _, rest = call.event.text.strip().partition(" ")
        rest = rest.strip()
        if not call.actor.role.can_manage:
            return refuse(call, N_("Only managers and admins run pulse surveys."))
        match word.lower():
            case "ask" if rest:
                return await self.open(call, rest)
            case "results":
                found = (
                    await self._store.pulse(call.workspace.ref, int(rest))
                    if rest.isdecimal()
                    else None
                )
                if found is None:
                    return refuse(
                        call,
                        N_("There is no pulse “%(number)s”: see them with /pulse list."),
                        number=rest or "?",
                    )
                return private(call, "community/pulse_results", {"pulse": pulse_view(found)})
            case "list":
                found_all = await self._store.pulses(call.workspace.ref, last=10)
                return private(
                    call, "community/pulses", {"pulses": [pulse_view(p) for p in found_all]}
                )
        return private(call, "community/usage", {"usage": PULSE_USAGE})

    async def open(self, call: Invocation, question: str) -> Response:
        assert call.actor is not None
        if len(question) > MAX_QUESTION:
            return refuse(
                call, N_("Keep your question under %(limit)s characters."), limit=MAX_QUESTION
            )
        days = max(1, int(PULSE_DAYS.check(call.workspace.settings.get(PULSE_DAYS.key, "")) or "3"))
        opened = await self._store.open_pulse(
            call.workspace.ref,
            question=question,
            created_by=call.actor.ref.user_id,
            at=call.now,
            closes_at=call.now + timedelta(days=days),
        )
        members = [
            m.ref.user_id
            for m in await self._directory.members(call.workspace.ref)
            if m.active and not m.is_bot
        ]
        buttons = tuple(Action(v, "community.pulse", f"{opened.id}:{v}") for v in SCALE)
        said: list[Message] = [
            dm(
                user,
                "community/pulse",
                {"question": question, "closes_at": opened.closes_at},
                key=f"community.pulse:{opened.id}:{user}",
                actions=buttons,
            )
            for user in members
        ]
        said.append(
            private(
                call, "community/pulse_opened", {"pulse": pulse_view(opened), "asked": len(members)}
            )
        )
        return said

    async def on_button(self, call: Press) -> Response:
        assert call.actor is not None
        number, _, value = call.event.value.partition(":")
        if (
            call.event.action_id != "community.pulse"
            or not number.isdecimal()
            or value not in SCALE
        ):
            return None
        counted = await self._store.answer(
            call.workspace.ref, int(number), call.actor.ref.user_id, value
        )
        return private(call, "community/pulse_answered", {"counted": counted})

    # --- closing pulses --------------------------------------------------------------

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for ref in await self._store.workspaces_polling():
            for open_pulse in await self._store.pulses(ref, last=50):
                if open_pulse.closed:
                    continue
                name = f"{ref.platform.value}:{ref.workspace_id}:{open_pulse.id}"
                jobs.append(
                    Job(
                        f"community.pulse_close:{name}",
                        ref,
                        Once((open_pulse.closes_at,)),
                        self.closing,
                        timedelta(days=7),
                    )
                )
                remind = open_pulse.closes_at - REMIND_BEFORE
                if remind > open_pulse.opened_at:
                    jobs.append(
                        Job(
                            f"community.pulse_remind:{name}",
                            ref,
                            Once((remind,)),
                            self.reminding,
                            timedelta(hours=6),
                        )
                    )
        return jobs

    async def _due(self, tick: Tick) -> Pulse | None:
        number = tick.key.rsplit(":", 1)[1]
        return await self._store.pulse(tick.workspace.ref, int(number))

    async def reminding(self, tick: Tick) -> Response:
        pulse = await self._due(tick)
        if pulse is None or pulse.closed:
            return None
        answered = await self._store.answered(tick.workspace.ref, pulse.id)
        members = [
            m.ref.user_id
            for m in await self._directory.members(tick.workspace.ref)
            if m.active and not m.is_bot and m.ref.user_id not in answered
        ]
        return [
            dm(
                user,
                "community/pulse_reminder",
                {"question": pulse.question},
                key=f"community.pulse_remind:{pulse.id}:{user}",
            )
            for user in members
        ]

    async def closing(self, tick: Tick) -> Response:
        pulse = await self._due(tick)
        if pulse is None or not await self._store.close(tick.workspace.ref, pulse.id):
            return None
        closed = await self._store.pulse(tick.workspace.ref, pulse.id)
        assert closed is not None
        context = {"pulse": pulse_view(closed)}
        channel = channel_named(tick.workspace.settings.get("community.pulse_channel", ""))
        key = f"community.pulse_results:{pulse.id}"
        if channel:
            return Message("community/pulse_results", context, channel=channel, key=key)
        return dm(pulse.created_by, "community/pulse_results", context, key=key)
