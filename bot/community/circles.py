"""`/circle`: interest circles, the channels for fun and shared interests beyond work."""

from __future__ import annotations

from bot.chat import N_, Message
from bot.community.domain import Circle, CommunityStore, circle_name
from bot.features import Invocation, Response, private, refuse
from bot.mentions import channel_of

USAGE = N_(
    "/circle | create NAME [#channel] DESCRIPTION | join NAME | leave NAME | "
    "members NAME | remove NAME"
)
MAX_DESCRIPTION = 200


def view(circle: Circle) -> dict[str, object]:
    return {
        "name": circle.name,
        "description": circle.description,
        "channel": circle.channel,
        "members": len(circle.members),
    }


class Circles:
    def __init__(self, *, store: CommunityStore) -> None:
        self._store = store

    async def circle(self, call: Invocation) -> Response:
        words = call.event.text.split()
        if not words or words[0].lower() == "list":
            every = await self._store.circles(call.workspace.ref)
            return private(call, "community/circles", {"circles": [view(c) for c in every]})
        action, rest = words[0].lower(), words[1:]
        if action == "create":
            return await self.create(call, rest)
        if action in ("join", "leave", "members", "remove") and len(rest) == 1:
            name = circle_name(rest[0])
            found = await self._store.circle(call.workspace.ref, name) if name else None
            if found is None:
                return refuse(
                    call,
                    N_("There is no circle “%(name)s”. See them all with /circle."),
                    name=rest[0],
                )
            return await self.act(call, action, found)
        return private(call, "community/usage", {"usage": USAGE})

    async def create(self, call: Invocation, words: list[str]) -> Response:
        assert call.actor is not None
        name = circle_name(words[0]) if words else None
        if name is None:
            return refuse(
                call,
                N_("Name the circle in a word (letters, digits, dashes): /circle create climbing."),
            )
        channel = channel_of(words[1]) if len(words) > 1 else None
        description = " ".join(words[2:] if channel else words[1:])[:MAX_DESCRIPTION]
        created = await self._store.create_circle(
            call.workspace.ref,
            name=name,
            description=description,
            channel=channel,
            created_by=call.actor.ref.user_id,
            at=call.now,
        )
        if created is None:
            return refuse(
                call, N_("The circle “%(name)s” exists already: /circle join %(name)s."), name=name
            )
        return [
            private(
                call, "community/circle_changed", {"change": "created", "circle": view(created)}
            ),
        ]

    async def act(self, call: Invocation, action: str, circle: Circle) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        match action:
            case "join":
                if not await self._store.join(ws, circle.id, user):
                    return private(
                        call,
                        "community/circle_changed",
                        {"change": "already", "circle": view(circle)},
                    )
                said: list[Message] = [
                    private(
                        call,
                        "community/circle_changed",
                        {"change": "joined", "circle": view(circle)},
                    )
                ]
                if circle.channel:
                    said.append(
                        Message(
                            "community/circle_joined",
                            {"member": user, "circle": view(circle)},
                            channel=circle.channel,
                        )
                    )
                return said
            case "leave":
                await self._store.leave(ws, circle.id, user)
                return private(
                    call, "community/circle_changed", {"change": "left", "circle": view(circle)}
                )
            case "members":
                return private(
                    call,
                    "community/circle_members",
                    {"circle": view(circle), "members": list(circle.members)},
                )
        if user != circle.created_by and not call.actor.role.can_manage:
            return refuse(call, N_("Only the circle's creator, managers and admins remove it."))
        await self._store.remove_circle(ws, circle.id)
        return private(
            call, "community/circle_changed", {"change": "removed", "circle": view(circle)}
        )
