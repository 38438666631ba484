"""Answering Discord interactions: a first response within 3 seconds, then followups.

Discord wants a first response to every interaction within 3 seconds, and
a modal can only be that first response. So once an interaction is claimed
and handed to Hearth's workers, the answer waits `answer_within` (1.5 s by
default) for what the handlers say:

- in time, the answer is the first response: a form opens as a modal,
  private replies are ephemeral messages, and with nothing to say a button
  press is acknowledged silently (a command's "thinking" is shown and
  removed);
- too slow, the interaction is deferred (an ephemeral "thinking" for a
  command or a modal, a silent acknowledgement for a button) and the
  replies follow as ephemeral followups when they come; a form that comes
  that late arrives as a "Continue" button that opens it.

When other interactions are already waiting for the workers, a new one
is deferred at once instead of racing: under load, the first response
stays as quick as the claim, and only forms pay for it (with "Continue").

A form of more than five fields is split into consecutive modals of five:
after each part but the last, a "Continue" button opens the next, and the
last submit brings every field back as one `FormSubmitted`. The parts
answered so far live in this process's memory for an hour, like a form
opened late: after a restart, "Continue" says the form is no longer open.
A one-modal form keeps what its submit needs in the modal's custom id, so
its submit works across restarts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec

import discord

from bot.app import Hearth
from bot.chat import (
    N_,
    Event,
    Form,
    FormSubmitted,
    Message,
    Reply,
    Visibility,
    WorkspaceRef,
)
from bot.dialects import DISCORD
from bot.dispatch import Handled
from bot.platforms import discord_render
from bot.platforms.discord_payloads import Origin, form_id, submitted_values, workspace_of

log = logging.getLogger(__name__)

ANSWER_WITHIN = 1.5  # seconds: Discord's 3, less the trip there and back
FOLLOW_UP_WINDOW = 14 * 60.0  # an interaction token takes followups for 15 minutes
FORM_KEPT = 3600.0  # seconds an unfinished form's answers are kept
PART_PREFIX = "p"  # p|token|part: one part of a form split over several modals
AnyInteraction = discord.Interaction[Any]
P = ParamSpec("P")


@dataclass
class OpenForm:
    """A form waiting for its next modal: the parts answered so far."""

    workspace: WorkspaceRef
    form: Form
    channel: str | None
    collected: dict[str, str] = field(default_factory=dict)
    part: int = 0
    since: float = field(default_factory=time.monotonic)


def _tolerant(
    action: str,
) -> Callable[[Callable[P, Awaitable[None]]], Callable[P, Awaitable[None]]]:
    """Log, not raise, when Discord refuses an answer (too late, or answered elsewhere):
    the member sees Discord's "did not respond", and nothing else is at stake."""

    def wrap(function: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
        @functools.wraps(function)
        async def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                await function(*args, **kwargs)
            except discord.HTTPException as error:
                log.warning("%s failed: %s %s", action, error.status, error.text)

        return run

    return wrap


class Answers:
    """The answers to one client's interactions, and the forms it has open."""

    def __init__(self, hearth: Hearth, *, answer_within: float = ANSWER_WITHIN) -> None:
        self._hearth = hearth
        self._within = answer_within
        self._forms: dict[str, OpenForm] = {}
        self._waiting = 0  # interactions handed to the workers, not answered yet

    # --- the race between Hearth's answer and Discord's 3 seconds ---------------

    async def follow(self, interaction: AnyInteraction, event: Event) -> None:
        """Hand a claimed event to Hearth's workers and answer with what it produces."""
        done: asyncio.Future[Handled] = asyncio.get_running_loop().create_future()

        async def answer(handled: Handled) -> None:
            if not done.done():
                done.set_result(handled)

        busy = self._waiting > 0
        self._waiting += 1
        try:
            self._hearth.later(event, answer=answer, urgent=True)
            if busy:  # others are waiting ahead of this one: acknowledge at once
                await self._defer(interaction)
            try:
                handled = await asyncio.wait_for(asyncio.shield(done), self._within)
            except TimeoutError:
                await self._defer(interaction)
                try:
                    handled = await asyncio.wait_for(done, FOLLOW_UP_WINDOW)
                except TimeoutError:
                    log.warning("no answer for %s within the followup window", event.delivery_id)
                    return
        finally:
            self._waiting -= 1
        await self.deliver(interaction, event, handled.direct)

    @_tolerant("deferring an interaction")
    async def _defer(self, interaction: AnyInteraction) -> None:
        if interaction.response.is_done():
            return
        if interaction.type is discord.InteractionType.component:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)

    async def deliver(
        self, interaction: AnyInteraction, event: Event, replies: Sequence[Reply]
    ) -> None:
        forms = [r for r in replies if isinstance(r, Form)]
        messages = [r for r in replies if isinstance(r, Message)]
        modal_allowed = interaction.type is not discord.InteractionType.modal_submit
        if forms and modal_allowed and not interaction.response.is_done():
            channel = getattr(event, "channel", None)
            await self.open(interaction, OpenForm(event.workspace, forms.pop(0), channel))
        for form in forms:  # too late for a modal: a button opens it
            token = self._keep(OpenForm(event.workspace, form, getattr(event, "channel", None)))
            await self._offer(interaction, event.workspace, token, form.to)
        for message in messages:
            await self._private(interaction, event.workspace, message)
        if not replies:
            await self._close(interaction)

    @_tolerant("closing an interaction")
    async def _close(self, interaction: AnyInteraction) -> None:
        """Nothing to say: acknowledge a press silently; take a command's "thinking" away."""
        if interaction.type is discord.InteractionType.component:
            if not interaction.response.is_done():
                await interaction.response.defer()
            return
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.delete_original_response()

    # --- private replies ----------------------------------------------------------

    @_tolerant("answering privately")
    async def _private(
        self, interaction: AnyInteraction, workspace: WorkspaceRef, message: Message
    ) -> None:
        reader = message.to or str(interaction.user.id)
        locale, zone = await self._hearth.reader(workspace, reader)
        rendered = self._hearth.renderer.render(
            message, dialect=DISCORD, locale=locale, timezone=zone
        )
        out = discord_render.outgoing(rendered, workspace, attachments=message.attachments)
        if reader != str(interaction.user.id) or message.visibility is Visibility.DM:
            dm = await interaction.client.create_dm(discord.Object(int(reader)))
            await dm.send(**out.options())
        elif interaction.response.is_done():
            await interaction.followup.send(**out.options(), ephemeral=True)
        else:
            await interaction.response.send_message(**out.options(), ephemeral=True)

    # --- forms ----------------------------------------------------------------------

    def _keep(self, opened: OpenForm) -> str:
        now = time.monotonic()
        for token in [t for t, f in self._forms.items() if now - f.since > FORM_KEPT]:
            del self._forms[token]
        token = secrets.token_hex(8)
        self._forms[token] = opened
        return token

    @_tolerant("offering a form")
    async def _offer(
        self, interaction: AnyInteraction, workspace: WorkspaceRef, token: str, reader: str
    ) -> None:
        locale, _ = await self._hearth.reader(workspace, reader)
        label = self._hearth.renderer.text(N_("Continue"), locale=locale)
        view = discord_render.open_form_view(token, label)
        none = discord.AllowedMentions.none()
        if interaction.response.is_done():
            await interaction.followup.send(view=view, ephemeral=True, allowed_mentions=none)
        else:
            await interaction.response.send_message(view=view, ephemeral=True)

    @_tolerant("opening a form")
    async def open(self, interaction: AnyInteraction, opened: OpenForm) -> None:
        """Open the form's next part as this interaction's first response."""
        form = opened.form
        locale, _ = await self._hearth.reader(opened.workspace, form.to)
        rendered = self._hearth.renderer.render_form(form, locale=locale)
        parts = discord_render.parts(rendered.fields)
        custom_id = form_id(opened.workspace, form.form_id, form.value)
        title = rendered.title
        if len(parts) > 1 or custom_id is None:
            token = self._keep(opened)
            custom_id = f"{PART_PREFIX}|{token}|{opened.part}"
            if len(parts) > 1:
                title = f"{rendered.title} ({opened.part + 1}/{len(parts)})"
        shown = discord_render.modal(rendered, parts[opened.part], custom_id=custom_id, title=title)
        await interaction.response.send_modal(shown)

    async def open_later(self, interaction: AnyInteraction, token: str) -> None:
        """A "Continue" button was pressed: open the form it stands for, if still open."""
        opened = self._forms.pop(token, None)
        if opened is None or time.monotonic() - opened.since > FORM_KEPT:
            workspace = _workspace(interaction, opened)
            gone = Message(
                "hearth/error",
                {"reason": N_("This form is no longer open: please start again."), "values": {}},
                visibility=Visibility.PRIVATE,
                to=str(interaction.user.id),
            )
            if workspace is not None:
                await self._private(interaction, workspace, gone)
            return
        await self.open(interaction, opened)

    async def part_submitted(
        self, interaction: AnyInteraction, origin: Origin, custom_id: str
    ) -> FormSubmitted | None:
        """One part of a split form came back: keep it and offer the next part, or, for
        the last, the whole form as one submission (to claim like any other)."""
        _, token, number = [*custom_id.split("|"), "", ""][:3]
        opened = self._forms.pop(token, None)
        if opened is None or not number.isdecimal():
            await self.open_later(interaction, token)  # says it is no longer open
            return None
        data: Any = interaction.data or {}
        opened.collected |= submitted_values(data.get("components") or [])
        fields = opened.form.fields
        total = len(discord_render.parts(list(fields)))
        opened.part = int(number) + 1
        if opened.part < total:
            next_token = self._keep(opened)
            await self._offer(interaction, opened.workspace, next_token, opened.form.to)
            return None
        form = opened.form
        return FormSubmitted(
            delivery_id=f"interaction:{origin.interaction_id}",
            workspace=opened.workspace,
            occurred_at=origin.occurred_at,
            actor=origin.user_id,
            form_id=form.form_id,
            value=form.value,
            fields=opened.collected,
            channel=opened.channel,
        )


def _workspace(interaction: AnyInteraction, opened: OpenForm | None) -> WorkspaceRef | None:
    if opened is not None:
        return opened.workspace
    return None if interaction.guild_id is None else workspace_of(interaction.guild_id)
