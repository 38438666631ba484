"""The local workspace: Hearth in a terminal, with no chat account.

It plays a script (or interactive lines) as members of a workspace, turns
each line into the same neutral events Slack and Discord produce, and
prints what the bot says with the simulated date and time and where it
went: `2026-12-01 09:00 [#general] hearth: ...`, `[dm carol]`,
`[#general -> ana only]`, `[#general thread]`. The clock only moves when
the script says so, and every job due on the way runs in order.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.app import Hearth
from bot.chat import (
    ButtonPressed,
    CommandInvoked,
    Event,
    Form,
    FormSubmitted,
    HomeOpened,
    Member,
    MemberJoined,
    MemberLeft,
    Message,
    MessageDeleted,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Reply,
    Role,
    Visibility,
    Workspace,
    WorkspaceRef,
)
from bot.dialects import PLAIN
from bot.outbox import Posted
from bot.platforms import script
from bot.render import RenderedAction, RenderedForm
from bot.schedule import SimulatedClock

E = TypeVar("E", bound=Event)

BOT_NAME = "hearth"
DM = "@dm"


class RunError(Exception):
    """A well-formed line that cannot apply (an unknown member, no button)."""


@dataclass(slots=True)
class Posting:
    """One message in the local transcript, the bot's or a member's."""

    id: str
    workspace: WorkspaceRef
    channel: str  # a channel name, or "@dm:<member>" for a DM with the bot
    author: str
    text: str
    visible_to: str | None = None
    actions: tuple[RenderedAction, ...] = ()


@dataclass
class Transcript:
    postings: list[Posting] = field(default_factory=list)
    forms: dict[tuple[WorkspaceRef, str], RenderedForm] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)


class LocalWorkspace:
    """The local platform: a transport for the courier and a script runner."""

    def __init__(self, hearth: Hearth, *, write: Callable[[str], None]) -> None:
        self._hearth = hearth
        self._write = write
        self._run = uuid.uuid4().hex[:8]
        self._ids = itertools.count(1)
        self.transcript = Transcript()
        self._workspace: WorkspaceRef | None = None
        self._channel: str | None = "general"
        self._expect_from = 0
        self._batch: list[Event] | None = None  # events held by `apply_many`
        hearth.connect(Platform.LOCAL, self)

    # --- output ----------------------------------------------------------

    def _next_id(self) -> str:
        return f"{self._run}-{next(self._ids)}"

    async def _zone(self, workspace: WorkspaceRef) -> ZoneInfo:
        found = await self._hearth.roster.workspace(workspace)
        return ZoneInfo(found.timezone if found else "UTC")

    async def _print(self, workspace: WorkspaceRef, where: str, author: str, text: str) -> None:
        stamp = self._hearth.clock.now().astimezone(await self._zone(workspace))
        lines = text.rstrip("\n").split("\n") or [""]
        head = f"{stamp:%Y-%m-%d %H:%M} [{where}] {author}: {lines[0]}"
        out = [head, *(f"    {line}".rstrip() for line in lines[1:])]
        for line in out:
            self._write(line)
        self.transcript.output.extend(out)

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted:
        """Print a message the outbox holds (the courier's transport)."""
        personal = (Visibility.DM, Visibility.PRIVATE, Visibility.HOME)
        reader = message.to if message.visibility in personal else None
        locale, zone = await self._hearth.reader(workspace, reader)
        rendered = self._hearth.renderer.render(
            message, dialect=PLAIN, locale=locale, timezone=zone
        )
        channel = message.channel or ""
        if message.visibility is Visibility.HOME:
            channel, where = f"@home:{message.to}", f"home {message.to}"
        elif message.visibility is Visibility.DM:
            channel, where = f"{DM}:{message.to}", f"dm {message.to}"
        elif message.visibility is Visibility.PRIVATE:
            if not channel or channel.startswith(DM):
                channel, where = f"{DM}:{message.to}", f"dm {message.to}"
            else:
                where = f"#{channel} -> {message.to} only"
        elif thread is not None or message.thread is not None:
            channel = thread.channel if thread else channel
            where = f"#{channel} thread"
        else:
            where = f"#{channel}"
        posting = Posting(
            self._next_id(),
            workspace,
            channel,
            BOT_NAME,
            rendered.text,
            visible_to=message.to if message.visibility is Visibility.PRIVATE else None,
            actions=rendered.actions,
        )
        self.transcript.postings.append(posting)
        await self._print(workspace, where, BOT_NAME, rendered.text)
        extra = [f"    [ {action.label} ]" for action in rendered.actions]
        for attachment in message.attachments:
            extra.append(f"    [file {attachment.filename}]")
            extra += [f"    | {line}" for line in attachment.content.splitlines()]
        for line in extra:
            self._write(line)
        self.transcript.output.extend(extra)
        return Posted(channel=channel, message_id=posting.id)

    async def _open_form(self, workspace: WorkspaceRef, form: Form) -> None:
        locale, _ = await self._hearth.reader(workspace, form.to)
        rendered = self._hearth.renderer.render_form(form, locale=locale)
        self.transcript.forms[(workspace, form.to)] = rendered
        fields = ", ".join(
            f"{f.name} ({f.label}{'' if f.required else ', optional'})" for f in rendered.fields
        )
        await self._print(workspace, f"form for {form.to}", BOT_NAME, f"{rendered.title}: {fields}")

    async def _show(self, workspace: WorkspaceRef, replies: Iterable[Reply]) -> None:
        for reply in replies:
            if isinstance(reply, Form):
                await self._open_form(workspace, reply)
            else:
                await self.send(workspace, reply, thread=None)

    # --- input -----------------------------------------------------------

    @property
    def workspace(self) -> WorkspaceRef:
        if self._workspace is None:
            raise RunError("declare a workspace first: `workspace NAME`")
        return self._workspace

    async def _member(self, name: str) -> Member:
        member = await self._hearth.roster.find_member(self.workspace, name)
        if member is None:
            raise RunError(f"unknown member {name!r}: declare it with `member {name}`")
        return member

    def _event(self, kind: type[E], **fields: Any) -> E:
        """An event of this run: a fresh delivery id, the current workspace and time."""
        return kind(
            delivery_id=f"{self._run}-e{next(self._ids)}",
            workspace=self.workspace,
            occurred_at=self._hearth.clock.now(),
            **fields,
        )

    async def _dispatch(self, event: Event) -> None:
        if self._batch is not None:
            self._batch.append(event)
            return
        handled = await self._hearth.handle(event)
        await self._show(event.workspace, handled.direct)

    def _here(self, actor: str) -> str:
        return self._channel if self._channel is not None else f"{DM}:{actor}"

    def _last(self, predicate: Callable[[Posting], bool]) -> Posting:
        for posting in reversed(self.transcript.postings):
            if posting.workspace == self.workspace and predicate(posting):
                return posting
        raise RunError("there is no such message yet")

    async def _declare_workspace(self, step: script.DeclareWorkspace) -> None:
        roster = self._hearth.roster
        ref = WorkspaceRef(Platform.LOCAL, step.name)
        found = await roster.workspace(ref) or Workspace(ref=ref, name=step.name)
        settings = {**found.settings, **dict(step.settings)}
        await roster.save_workspace(
            replace(
                found,
                timezone=step.timezone or found.timezone,
                locale=step.locale or found.locale,
                settings=settings,
            )
        )
        self._workspace = ref

    async def _declare_member(self, step: script.DeclareMember) -> None:
        roster = self._hearth.roster
        ref = self.workspace.member(step.name)
        found = await roster.member(ref)
        member = replace(
            found or Member(ref=ref, name=step.name),
            role=step.role or (found.role if found else Role.MEMBER),
            timezone=step.timezone or (found.timezone if found else None),
            locale=step.locale or (found.locale if found else None),
            is_bot=step.is_bot,
            left_at=None,
        )
        if not step.joins:
            await roster.save_member(member)
            return
        now = self._hearth.clock.now()
        await self._print(self.workspace, "join", step.name, "joined the workspace")
        await self._dispatch(self._event(MemberJoined, member=replace(member, joined_at=now)))

    async def _say(self, step: script.Say) -> None:
        actor = await self._member(step.actor)
        channel = self._here(actor.ref.user_id)
        where = f"#{channel}" if self._channel else "dm hearth"
        await self._print(self.workspace, where, step.actor, step.text)
        is_dm = self._channel is None
        if step.text.startswith("/"):
            command, _, text = step.text[1:].partition(" ")
            await self._dispatch(
                self._event(
                    CommandInvoked,
                    actor=actor.ref.user_id,
                    channel=channel,
                    command=command,
                    text=text.strip(),
                    is_dm=is_dm,
                )
            )
            return
        posting = Posting(self._next_id(), self.workspace, channel, actor.ref.user_id, step.text)
        self.transcript.postings.append(posting)
        await self._dispatch(
            self._event(
                MessagePosted,
                actor=actor.ref.user_id,
                channel=channel,
                message_id=posting.id,
                text=step.text,
                is_dm=is_dm,
            )
        )

    async def _react(self, step: script.React) -> None:
        actor = await self._member(step.actor)
        channel = self._here(actor.ref.user_id)
        target = self._last(
            lambda p: (
                p.channel == channel
                and p.visible_to is None
                and (step.author is None or p.author == step.author)
            )
        )
        verb = "reacted" if step.add else "removed the reaction"
        await self._print(self.workspace, f"#{channel}", step.actor, f"{verb} :{step.emoji}:")
        kind = ReactionAdded if step.add else ReactionRemoved
        author = None if target.author == BOT_NAME else target.author
        await self._dispatch(
            self._event(
                kind,
                actor=actor.ref.user_id,
                channel=channel,
                message_id=target.id,
                message_author=author,
                emoji=step.emoji,
            )
        )

    async def _delete(self, step: script.Delete) -> None:
        actor = await self._member(step.actor)
        channel = self._here(actor.ref.user_id)
        target = self._last(lambda p: p.channel == channel and p.author == actor.ref.user_id)
        self.transcript.postings.remove(target)
        await self._print(self.workspace, f"#{channel}", step.actor, "deleted a message")
        await self._dispatch(self._event(MessageDeleted, channel=channel, message_id=target.id))

    async def _press(self, step: script.Press) -> None:
        actor = await self._member(step.actor)
        user = actor.ref.user_id
        label = step.label.casefold()

        def pressable(p: Posting) -> bool:
            seen = p.visible_to in (None, user) and (
                not p.channel.startswith(DM) or p.channel == f"{DM}:{user}"
            )
            return seen and any(a.label.casefold() == label for a in p.actions)

        try:
            target = self._last(pressable)
        except RunError:
            raise RunError(f"no message visible to {user} has a {step.label!r} button") from None
        action = next(a for a in target.actions if a.label.casefold() == label)
        await self._print(self.workspace, "button", step.actor, f'pressed "{action.label}"')
        channel = None if target.channel.startswith(DM) else target.channel
        await self._dispatch(
            self._event(
                ButtonPressed,
                actor=user,
                channel=channel,
                message_id=target.id,
                action_id=action.action_id,
                value=action.value,
            )
        )

    async def _submit(self, step: script.Submit) -> None:
        actor = await self._member(step.actor)
        form = self.transcript.forms.get((self.workspace, actor.ref.user_id))
        if form is None:
            raise RunError(f"no form is open for {step.actor}")
        names = {f.name for f in form.fields}
        unknown = [k for k, _ in step.fields if k not in names]
        if unknown:
            raise RunError(
                f"the form has no field {unknown[0]!r}; it has {', '.join(sorted(names))}"
            )
        values = dict(step.fields)
        missing = [f.name for f in form.fields if f.required and not values.get(f.name)]
        if missing:
            raise RunError(f"the form needs {', '.join(missing)}")
        del self.transcript.forms[(self.workspace, actor.ref.user_id)]
        shown = "; ".join(f"{k}={v}" for k, v in step.fields)
        await self._print(self.workspace, "form", step.actor, f"submitted {shown}")
        await self._dispatch(
            self._event(
                FormSubmitted,
                actor=actor.ref.user_id,
                form_id=form.form_id,
                value=form.value,
                fields=values,
                channel=self._channel,
            )
        )

    async def _set_clock(self, local: datetime) -> None:
        zone = await self._zone(self.workspace) if self._workspace else ZoneInfo("UTC")
        moment = local.replace(tzinfo=zone).astimezone(UTC)
        if moment < self._hearth.clock.now():
            raise RunError("the clock cannot go back")
        await self._hearth.advance(moment)

    def _expect(self, step: script.Expect) -> bool:
        seen = "\n".join(self.transcript.output[self._expect_from :])
        self._expect_from = len(self.transcript.output)
        return (step.text.casefold() in seen.casefold()) == step.present

    async def apply_many(self, steps: Iterable[script.Step]) -> bool:
        """Apply steps, handling what consecutive lines say as one batch.

        The events of a run of `Say` lines go to `Hearth.handle_many`
        together: one claim, one transaction, one delivery pass. The bot's
        answers then print after the run's lines rather than after each one;
        any other step ends the run first, so it sees everything before it
        answered. False when an `expect` is not met.
        """
        met = True
        try:
            for step in steps:
                if isinstance(step, script.Say):
                    if self._batch is None:
                        self._batch = []
                else:
                    await self._end_batch()
                met = await self.apply(step) and met
        finally:
            await self._end_batch()
        return met

    async def _end_batch(self) -> None:
        events, self._batch = self._batch, None
        if not events:
            return
        for event, handled in zip(events, await self._hearth.handle_many(events), strict=True):
            await self._show(event.workspace, handled.direct)

    async def apply(self, step: script.Step) -> bool:
        """Apply one step; False when an `expect` is not met."""
        match step:
            case script.DeclareWorkspace():
                await self._declare_workspace(step)
            case script.DeclareMember():
                await self._declare_member(step)
            case script.Leave(name=name):
                member = await self._member(name)
                await self._print(self.workspace, "leave", name, "left the workspace")
                await self._dispatch(self._event(MemberLeft, user_id=member.ref.user_id))
            case script.Enter(channel=channel):
                self._channel = channel
            case script.SetClock(local=local):
                await self._set_clock(local)
            case script.Wait(delta=delta):
                await self._hearth.advance(self._hearth.clock.now() + delta)
            case script.Say():
                await self._say(step)
            case script.React():
                await self._react(step)
            case script.Delete():
                await self._delete(step)
            case script.Press():
                await self._press(step)
            case script.Submit():
                await self._submit(step)
            case script.OpenHome(actor=name):
                member = await self._member(name)
                await self._print(self.workspace, "home", name, "opened the home tab")
                await self._dispatch(self._event(HomeOpened, actor=member.ref.user_id))
            case script.Expect():
                return self._expect(step)
        return True


def simulated_start(now: datetime) -> SimulatedClock:
    """A simulated clock starting at `now`, to the minute."""
    return SimulatedClock(now.replace(second=0, microsecond=0))
