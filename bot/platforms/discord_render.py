"""Rendered messages and forms as Discord content, embeds, components and modals.

A message is its text as content; a long one of many lines (a board, the
badge catalogue, a digest) reads better as an embed, so its text becomes
the embed's description and the content stays empty. Mentions in an embed
show names but notify nobody, which is what a board wants. Every message
carries `allowed_mentions` naming exactly the users its text pings, and
never @everyone, @here or a role, whatever the text holds.

Buttons are `HearthButton`s: dynamic items whose custom id carries the
action id and value (see `discord_payloads.button_id`), registered once
with `add_dynamic_items`, so a button sent before a restart still works.
A form is a modal of at most five inputs, each in a label: text inputs,
and a select for a choice.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import discord

from bot.chat import Attachment, ButtonStyle, FieldKind, WorkspaceRef
from bot.platforms.discord_payloads import BUTTON_TEMPLATE, button_id
from bot.render import Rendered, RenderedField, RenderedForm

log = logging.getLogger(__name__)
T = TypeVar("T")

EMBED_LINES = 7  # a message of more lines than this is shown as an embed
EMBED_COLOUR = 0xE8590C  # the hearth's ember
MAX_BUTTONS = 25  # five rows of five
BUTTON_LABEL_LIMIT = 80
MODAL_FIELDS = 5
MODAL_TITLE_LIMIT = 45
FIELD_LABEL_LIMIT = 45
INPUT_LIMIT = 4000
SELECT_OPTIONS = 25
OPEN_TEMPLATE = r"o\|(?P<token>[0-9a-f]{1,32})"
STYLES = {
    ButtonStyle.DEFAULT: discord.ButtonStyle.secondary,
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}
PRESSED_EVENT = "hearth_press"  # dispatched as on_hearth_press(interaction, custom_id)
OPEN_EVENT = "hearth_open_form"  # dispatched as on_hearth_open_form(interaction, token)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return (text if len(text) <= limit else text[: limit - 1] + "…") or "-"


class HearthButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(BUTTON_TEMPLATE, re.DOTALL),
):
    """A button whose press reaches the client as `on_hearth_press`, before or after a restart."""

    def __init__(
        self, custom_id: str, *, label: str = "-", style: discord.ButtonStyle | None = None
    ) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=_cut(label, BUTTON_LABEL_LIMIT),
            style=style or discord.ButtonStyle.secondary,
            custom_id=custom_id,
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> HearthButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(PRESSED_EVENT, interaction, self.custom_id)


class OpenFormButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(OPEN_TEMPLATE),
):
    """Opens a form that could not open at once (the next part of a long one, or a
    form whose command took too long for a modal to be its first answer)."""

    def __init__(self, token: str, *, label: str = "-") -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=_cut(label, BUTTON_LABEL_LIMIT),
            style=discord.ButtonStyle.primary,
            custom_id=f"o|{token}",
        )
        super().__init__(button)
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenFormButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(OPEN_EVENT, interaction, self.token)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready for discord.py's `send` (files are made fresh for each send)."""

    content: str
    embed: discord.Embed | None
    view: discord.ui.View | None
    allowed_mentions: discord.AllowedMentions
    attachments: tuple[Attachment, ...] = ()

    def files(self) -> list[discord.File]:
        return [
            discord.File(io.BytesIO(a.content.encode("utf-8")), filename=a.filename)
            for a in self.attachments
        ]

    def options(self) -> dict[str, Any]:
        """Keyword arguments for `Messageable.send` and `Webhook.send`."""
        options: dict[str, Any] = {"allowed_mentions": self.allowed_mentions}
        if self.content:
            options["content"] = self.content
        if self.embed is not None:
            options["embed"] = self.embed
        if self.view is not None:
            options["view"] = self.view
        files = self.files()
        if files:
            options["files"] = files
        return options


def allowed_mentions(users: Sequence[str]) -> discord.AllowedMentions:
    """Exactly these users may be notified: no @everyone, @here, role or replied user."""
    return discord.AllowedMentions(
        everyone=False,
        roles=False,
        users=[discord.Object(int(u)) for u in dict.fromkeys(users) if u.isdecimal()],
        replied_user=False,
    )


def reads_better_as_embed(text: str) -> bool:
    return text.count("\n") >= EMBED_LINES


def buttons(rendered: Rendered, workspace: WorkspaceRef) -> discord.ui.View | None:
    if not rendered.actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in rendered.actions[:MAX_BUTTONS]:
        custom_id = button_id(workspace, action.action_id, action.value)
        if custom_id is None:
            log.warning("button %s does not fit a custom id; left out", action.action_id)
            continue
        view.add_item(HearthButton(custom_id, label=action.label, style=STYLES[action.style]))
    return view if view.children else None


def outgoing(
    rendered: Rendered, workspace: WorkspaceRef, *, attachments: Sequence[Attachment] = ()
) -> Outgoing:
    text = rendered.text.strip()
    embed = None
    if reads_better_as_embed(text):
        embed = discord.Embed(description=text, colour=EMBED_COLOUR)
        text = ""
    if not text and embed is None and not rendered.actions and not attachments:
        text = "\u200b"  # Discord refuses an empty message
    return Outgoing(
        content=text,
        embed=embed,
        view=buttons(rendered, workspace),
        allowed_mentions=allowed_mentions(rendered.mentions),
        attachments=tuple(attachments),
    )


def open_form_view(token: str, label: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(OpenFormButton(token, label=label))
    return view


def _input(field: RenderedField) -> discord.ui.Item[Any]:
    if field.kind is FieldKind.CHOICE and field.choices:
        options = [
            discord.SelectOption(
                label=_cut(choice.label, 100),
                value=choice.value[:100],
                default=choice.value == field.initial,
            )
            for choice in field.choices[:SELECT_OPTIONS]
        ]
        select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id=field.name, options=options, required=field.required
        )
        return select
    long = field.kind is FieldKind.LONG_TEXT
    text: discord.ui.TextInput[discord.ui.View] = discord.ui.TextInput(
        custom_id=field.name,
        style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        required=field.required,
        default=field.initial[:INPUT_LIMIT] or None,
        max_length=max(1, min(field.max_length, INPUT_LIMIT)),
    )
    return text


def modal(
    form: RenderedForm, fields: Sequence[RenderedField], *, custom_id: str, title: str
) -> discord.ui.Modal:
    """A modal of up to five of the form's fields; its submit reaches `on_interaction`."""
    shown = discord.ui.Modal(
        title=_cut(title or form.title, MODAL_TITLE_LIMIT),
        custom_id=custom_id,
        timeout=15 * 60,
    )
    for field in fields[:MODAL_FIELDS]:
        shown.add_item(
            discord.ui.Label(text=_cut(field.label, FIELD_LABEL_LIMIT), component=_input(field))
        )
    return shown


def parts(fields: Sequence[T]) -> list[tuple[T, ...]]:
    """A form's fields in modals of five."""
    return [
        tuple(fields[start : start + MODAL_FIELDS]) for start in range(0, len(fields), MODAL_FIELDS)
    ] or [()]
