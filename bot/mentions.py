"""Member mentions as the platforms write them, read in one place.

Slack sends `<@U123>` or `<@U123|ana>` (with "escape channels, users and
links" on) or plain `@ana`; Discord sends `<@123>` or `<@!123>`; the local
workspace types `@ana`. A mention names a user id, a name, or both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat import Directory, Member, WorkspaceRef

CHANNEL = re.compile(r"^(?:<#(?P<id>[A-Za-z0-9]+)(?:\|[^>]*)?>|#(?P<name>[\w.-]+))$")
MENTION = re.compile(
    r"<@!?(?P<id>[A-Za-z0-9]+)(?:\|(?P<label>[^>]*))?>"
    r"|(?<![\w@<])@(?P<name>[A-Za-z0-9_][A-Za-z0-9._-]*)"
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    user_id: str | None  # known when the platform wrote the mention
    name: str | None  # a typed @name, or the label Slack attached

    @property
    def lookup(self) -> str:
        """What to find the member by: the id when there is one, else the name."""
        return self.user_id or self.name or ""

    @property
    def lookups(self) -> tuple[str, ...]:
        """Names to try in turn: `@ana.` at the end of a sentence may mean `ana`,
        but a member may really be called `ana_`."""
        trimmed = self.lookup.rstrip("._-")
        return (self.lookup,) if trimmed in ("", self.lookup) else (self.lookup, trimmed)


def find_mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    for match in MENTION.finditer(text):
        if match["id"]:
            found.append(Mention(match.start(), match.end(), match["id"], match["label"] or None))
        else:
            found.append(Mention(match.start(), match.end(), None, match["name"]))
    return found


async def resolve(directory: Directory, workspace: WorkspaceRef, mention: Mention) -> Member | None:
    """The member a mention names, trying each of its `lookups` in turn."""
    for lookup in mention.lookups:
        member = await directory.find_member(workspace, lookup)
        if member is not None:
            return member
    return None


def channel_of(word: str) -> str | None:
    """The channel a word names (`#team`, `<#C123|team>`, `<#123>`), or None."""
    match = CHANNEL.match(word.strip())
    if match is None:
        return None
    return match["id"] or match["name"]


def channel_named(value: str) -> str | None:
    """The channel a setting names, as an id or a name (`#team`, `team`,
    `<#C123|team>`); None when it is empty."""
    value = value.strip()
    return (channel_of(value) or value.lstrip("#")) if value else None
