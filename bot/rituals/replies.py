"""Private answers to the member who asked, shared by the slice's handlers."""

from __future__ import annotations

from typing import Any

from bot.chat import Message, Visibility
from bot.features import Call


def private(call: Call[Any], template: str, context: dict[str, object]) -> Message:
    """A message only the actor sees, where they acted (a DM when there is no channel)."""
    assert call.actor is not None
    return Message(
        template,
        context,
        visibility=Visibility.PRIVATE,
        channel=getattr(call.event, "channel", None),
        to=call.actor.ref.user_id,
    )


def refuse(call: Call[Any], reason: str, **values: object) -> Message:
    """A private "no": `reason` is an English msgid that `values` fill."""
    return private(call, "hearth/error", {"reason": reason, "values": values})
