"""Rendered messages and forms as Slack Block Kit.

A message is one mrkdwn section (the renderer already fit it to a section's
3,000 characters) and, when it has buttons, an actions block whose buttons
carry the action id and value back. A form is a modal whose inputs are named
after the form's fields; its private metadata keeps what the submission must
bring back (the form's value and the channel it was opened from).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.chat import ButtonStyle, FieldKind
from bot.render import Rendered, RenderedAction, RenderedField, RenderedForm

Block = dict[str, Any]

MAX_BUTTONS = 25  # an actions block holds at most 25 elements
TITLE_LIMIT = 24  # modal titles and submit labels
LABEL_LIMIT = 75  # button and input labels; 2000 for values
MAX_OPTIONS = 100


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text or " ", "emoji": True}


def _button(action: RenderedAction, action_id: str) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(action.label, LABEL_LIMIT),
        "action_id": action_id,
        "value": action.value,
    }
    if action.style is not ButtonStyle.DEFAULT:
        button["style"] = action.style.value
    return button


def actions_block(actions: Sequence[RenderedAction]) -> Block:
    """Buttons; Slack wants action ids unique in a block, so repeats get `~n`."""
    seen: Counter[str] = Counter()
    buttons = []
    for action in actions[:MAX_BUTTONS]:
        seen[action.action_id] += 1
        repeat = seen[action.action_id]
        action_id = action.action_id if repeat == 1 else f"{action.action_id}~{repeat}"
        buttons.append(_button(action, action_id))
    return {"type": "actions", "elements": buttons}


def message_blocks(rendered: Rendered) -> list[Block]:
    blocks: list[Block] = []
    if rendered.text.strip():
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": rendered.text}})
    if rendered.actions:
        blocks.append(actions_block(rendered.actions))
    return blocks


def home_view(sections: Sequence[Rendered], *, title: str) -> dict[str, Any]:
    """The App Home tab: a header, then each feature's section between dividers."""
    blocks: list[Block] = [{"type": "header", "text": _plain(title, 150)}]
    for rendered in sections:
        blocks.append({"type": "divider"})
        blocks += message_blocks(rendered)
    return {"type": "home", "blocks": blocks[:100]}


def _input(field: RenderedField) -> Block:
    element: Block
    if field.kind is FieldKind.CHOICE:
        options = [
            {"text": _plain(choice.label, LABEL_LIMIT), "value": choice.value}
            for choice in field.choices[:MAX_OPTIONS]
        ]
        element = {"type": "static_select", "action_id": field.name, "options": options}
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial is not None:
            element["initial_option"] = initial
    elif field.kind is FieldKind.URL:
        element = {"type": "url_text_input", "action_id": field.name}
        if field.initial:
            element["initial_value"] = field.initial
    else:
        element = {
            "type": "plain_text_input",
            "action_id": field.name,
            "multiline": field.kind is FieldKind.LONG_TEXT,
            "max_length": min(field.max_length, 3000),
        }
        if field.initial:
            element["initial_value"] = field.initial
    return {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, LABEL_LIMIT),
        "optional": not field.required,
        "element": element,
    }


def modal(form: RenderedForm, *, channel: str | None, close: str) -> dict[str, Any]:
    """A modal for `form`; `close` is the translated label of the cancel button."""
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(form.title, TITLE_LIMIT),
        "submit": _plain(form.submit_label, TITLE_LIMIT),
        "close": _plain(close, TITLE_LIMIT),
        "private_metadata": json.dumps({"value": form.value, "channel": channel}),
        "blocks": [_input(f) for f in form.fields],
    }
