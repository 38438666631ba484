"""A feature that exists only to exercise the core: every kind of handler.

It answers `/probe ...` commands, buttons, forms, reactions, deletions,
joins, a signal and a weekly job, each with a plain message saying what
happened, so tests can watch the whole pipeline through the local workspace.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.chat import (
    Action,
    Form,
    FormField,
    MemberJoined,
    Message,
    MessageDeleted,
    MessagePosted,
    ReactionAdded,
    Visibility,
    WorkspaceRef,
)
from bot.features import (
    ButtonRoute,
    Call,
    Command,
    Cron,
    Feature,
    FormRoute,
    Invocation,
    Job,
    Listener,
    Press,
    Response,
    Signal,
    SignalListener,
    Submission,
    Tick,
)

TEMPLATES = Path(__file__).parent / "templates"


def say(text: str, **options: object) -> Message:
    return Message("probe/say", {"text": text}, **options)  # type: ignore[arg-type]


class Probe:
    def __init__(self, *, weekly_in: list[WorkspaceRef]) -> None:
        self.weekly_in = weekly_in
        self.calls: list[str] = []

    async def probe(self, call: Invocation) -> Response:
        actor = call.event.actor
        match call.event.text.split():
            case ["ask"]:
                return say("ready?", actions=(Action("Done", "probe.done", "42"),))
            case ["form"]:
                return Form(
                    "probe.form",
                    "About you",
                    (FormField("hobbies", "Hobbies"), FormField("photo", "Photo", required=False)),
                    to=actor,
                    value="v1",
                )
            case ["dm"]:
                return say("psst", visibility=Visibility.DM, to=actor)
            case ["private"]:
                return say("only you", visibility=Visibility.PRIVATE, to=actor)
            case ["thread"]:
                return [
                    say("the root", key="root-1"),
                    say("a reply", visibility=Visibility.THREAD, thread_key="root-1"),
                ]
            case ["boom"]:
                raise RuntimeError("the probe exploded")
            case ["signal"]:
                return Signal("probe.ping", call.workspace.ref, {"from": actor})
        return say(f"probe heard {call.event.text}")

    async def pressed(self, call: Press) -> Response:
        return say(f"pressed {call.event.action_id} {call.event.value} by {call.event.actor}")

    async def submitted(self, call: Submission) -> Response:
        fields = ", ".join(f"{k}={v}" for k, v in sorted(call.event.fields.items()))
        return say(f"form {call.event.value}: {fields}")

    async def reacted(self, call: Call[ReactionAdded]) -> Response:
        event = call.event
        return say(f"{event.actor} reacted {event.emoji} to {event.message_author}")

    async def deleted(self, call: Call[MessageDeleted]) -> Response:
        return say("a message was deleted")

    async def posted(self, call: Call[MessagePosted]) -> Response:
        self.calls.append(call.event.text)
        return None

    async def joined(self, call: Call[MemberJoined]) -> Response:
        member = call.event.member
        return say("welcome", visibility=Visibility.DM, to=member.ref.user_id)

    async def pinged(self, signal: Signal, now: object) -> Response:
        return say(f"signal from {signal.data['from']}", channel="general")

    async def jobs(self) -> list[Job]:
        return [
            Job(
                key=f"probe.weekly:{ref.workspace_id}",
                workspace=ref,
                recurrence=Cron(timezone="Europe/Paris", day_of_week="mon", hour="9"),
                run=self.weekly,
                grace=timedelta(hours=1),
            )
            for ref in self.weekly_in
        ]

    async def weekly(self, tick: Tick) -> Response:
        return say(f"weekly {tick.scheduled_for:%Y-%m-%d %H:%M}Z", channel="general")


def build(probe: Probe) -> Feature:
    return Feature(
        name="probe",
        commands=(Command("probe", probe.probe, description="Probe the core"),),
        listeners=(
            Listener(ReactionAdded, probe.reacted),
            Listener(MessageDeleted, probe.deleted),
            Listener(MessagePosted, probe.posted),
            Listener(MemberJoined, probe.joined),
        ),
        buttons=(ButtonRoute("probe.", probe.pressed),),
        forms=(FormRoute("probe.", probe.submitted),),
        signals=(SignalListener("probe.ping", probe.pinged),),
        jobs=probe.jobs,
        templates=TEMPLATES,
    )
