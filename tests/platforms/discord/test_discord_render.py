"""Rendered messages and forms as Discord content, embeds, buttons and modals."""

from __future__ import annotations

from bot.chat import ButtonStyle, FieldKind, Platform, WorkspaceRef
from bot.platforms import discord_render
from bot.render import (
    Rendered,
    RenderedAction,
    RenderedChoice,
    RenderedField,
    RenderedForm,
)

GUILD = WorkspaceRef(Platform.DISCORD, "4100")


def test_a_short_message_is_content_and_may_ping_exactly_its_mentions() -> None:
    out = discord_render.outgoing(Rendered("🎉 <@1> thanks <@2>", mentions=("1", "2")), GUILD)

    assert (out.content, out.embed, out.view) == ("🎉 <@1> thanks <@2>", None, None)
    assert out.allowed_mentions.to_dict() == {"parse": [], "users": [1, 2]}


def test_a_long_board_is_an_embed_that_pings_nobody() -> None:
    board = "\n".join(["**Kudos board**", *(f"#{n} <@{n}>: 3" for n in range(1, 10))])
    out = discord_render.outgoing(Rendered(board, mentions=("1", "2")), GUILD)

    assert out.content == ""
    assert out.embed is not None
    assert out.embed.description == board


def test_buttons_carry_their_action_and_value_in_persistent_custom_ids() -> None:
    actions = (
        RenderedAction("I'll be there", "rituals.rsvp.yes", "7", ButtonStyle.PRIMARY),
        RenderedAction("Maybe", "rituals.rsvp.maybe", "7", ButtonStyle.DEFAULT),
    )
    out = discord_render.outgoing(Rendered("Friday demo", actions=actions), GUILD)

    assert out.view is not None
    assert out.view.is_persistent()
    rows = out.view.to_components()
    assert [(b["custom_id"], b["label"], b["style"]) for b in rows[0]["components"]] == [
        ("h|4100|rituals.rsvp.yes|7", "I'll be there", 1),
        ("h|4100|rituals.rsvp.maybe|7", "Maybe", 2),
    ]


def test_a_form_is_a_modal_of_labelled_inputs_and_a_select_for_a_choice() -> None:
    fields = (
        RenderedField("schedule", "When", FieldKind.TEXT, True, (), "", 200),
        RenderedField("text", "Words", FieldKind.LONG_TEXT, False, (), "hello", 1000),
        RenderedField(
            "kind",
            "Type",
            FieldKind.CHOICE,
            True,
            (RenderedChoice("watercooler", "Watercooler"), RenderedChoice("checkin", "Check-in")),
            "checkin",
            100,
        ),
    )
    form = RenderedForm("rituals.add", "Schedule a ritual", fields, "Schedule", "5100", "")

    shown = discord_render.modal(form, fields, custom_id="f|4100|rituals.add|", title=form.title)

    components = shown.to_components()
    assert [c["type"] for c in components] == [18, 18, 18]
    assert [c["label"] for c in components] == ["When", "Words", "Type"]
    schedule, text, kind = (c["component"] for c in components)
    assert (schedule["type"], schedule["style"], schedule["max_length"]) == (4, 1, 200)
    assert (text["style"], text["required"], text["value"]) == (2, False, "hello")
    assert kind["type"] == 3
    assert [o["value"] for o in kind["options"] if o.get("default")] == ["checkin"]


def test_a_form_of_more_than_five_fields_is_split_in_modals_of_five() -> None:
    assert [len(part) for part in discord_render.parts(list(range(12)))] == [5, 5, 2]
    assert [len(part) for part in discord_render.parts(list(range(5)))] == [5]
