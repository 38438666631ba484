"""How each chat platform writes text: escaping, Markdown, mentions and limits.

Templates are written once in a small Markdown subset; a dialect turns that
into Slack mrkdwn, Discord Markdown or plain terminal text. The same dialect
escapes every value a template inserts, so user text can never format, ping
or broadcast. Template text is trusted but still loses broadcast syntax:
pings come only from the `mention` filter, which the renderer records.

Slack has no escape character for `* _ ~ \\``; a zero-width space on both
sides of a marker leaves it either inside a word or beside a space, and Slack
formats neither. Both platforms get a zero-width space after every `@` in
user text, which no mention or broadcast syntax survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import quote

from bot.chat import Platform

ZWSP = "\u200b"
MAX_VALUE_LENGTH = 1000
ELLIPSIS = "…"

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_BULLET = re.compile(r"^([ \t]*)- ", re.MULTILINE)
_BROADCAST = re.compile(r"@(?=(?:everyone|here|channel)\b)", re.IGNORECASE)


class Safe(str):
    """Text already written in a dialect's syntax; `finalize` passes it untouched."""

    __slots__ = ()


def clean(text: str) -> str:
    """Drop control and bidi-override characters; keep newlines and tabs."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


def shorten(text: str, limit: int = MAX_VALUE_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def protected(text: str, pattern: re.Pattern[str], *, convert: Callable[[str], str]) -> str:
    """Apply `convert` to `text` with every `pattern` match held out of its reach."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match.group())
        return f"\ue000{len(held) - 1}\ue001"

    converted = convert(pattern.sub(hold, text))
    return re.sub(r"\ue000(\d+)\ue001", lambda m: held[int(m.group(1))], converted)


@dataclass(frozen=True, slots=True)
class Dialect:
    """One way of writing a message; `limit` is the longest text a message holds."""

    name: ClassVar[str] = "dialect"
    limit: ClassVar[int | None] = None

    def escape(self, value: str) -> str:
        """User text as inert text of this dialect (shortened, cleaned, escaped)."""
        return self._escape(clean(shorten(value)))

    def convert(self, markdown: str) -> str:
        """Template Markdown in this dialect; code is left as written."""
        parts: list[str] = []
        last = 0
        for match in _CODE.finditer(markdown):
            parts.append(self._convert_prose(markdown[last : match.start()]))
            parts.append(self._convert_code(match.group()))
            last = match.end()
        parts.append(self._convert_prose(markdown[last:]))
        return "".join(parts)

    def mention(self, user_id: str, name: str | None = None) -> str | None:
        """A ping of `user_id`, or None when the id cannot be one on this platform."""
        raise NotImplementedError

    def channel(self, channel_id: str, name: str | None = None) -> str | None:
        raise NotImplementedError

    def link_target(self, url: str) -> str | None:
        """`url` made safe as a link target, or None unless it is http(s)."""
        if not re.match(r"https?://[^\s]+$", url, re.IGNORECASE):
            return None
        return quote(clean(url), safe="/:?=&%#+,;.~!$'-_")

    def _escape(self, value: str) -> str:
        return value

    def _convert_prose(self, text: str) -> str:
        return text

    def _convert_code(self, code: str) -> str:
        return code


def _label(name: str) -> str:
    return shorten(" ".join(clean(name).split()), 80)


@dataclass(frozen=True, slots=True)
class PlainDialect(Dialect):
    """The terminal: no markup, so Markdown becomes readable text."""

    name: ClassVar[str] = "plain"

    def mention(self, user_id: str, name: str | None = None) -> str:
        return "@" + _label(name or user_id)

    def channel(self, channel_id: str, name: str | None = None) -> str:
        return "#" + _label(name or channel_id).lstrip("#")

    def _convert_prose(self, text: str) -> str:
        text = _LINK.sub(r"\1 (\2)", text)
        text = _BOLD.sub(r"\1", text)
        text = _ITALIC.sub(r"\1", text)
        return _BULLET.sub("\\1• ", text)


_SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")
_SLACK_MARKERS = re.compile(r"[*_~`]")


def _slack_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class SlackDialect(Dialect):
    """Slack mrkdwn, limited to the 3,000 characters of a section block."""

    name: ClassVar[str] = "slack"
    limit: ClassVar[int | None] = 3000

    def fallback(self, plain: str) -> str:
        """A message's plain-text rendering as Slack's `text` (notifications, screen
        readers): Slack still reads `<!channel>` or `<@U1>` there, so nothing may."""
        return _slack_entities(plain)

    def mention(self, user_id: str, name: str | None = None) -> str | None:
        return f"<@{user_id}>" if _SLACK_ID.fullmatch(user_id) else None

    def channel(self, channel_id: str, name: str | None = None) -> str | None:
        return f"<#{channel_id}>" if _SLACK_ID.fullmatch(channel_id) else None

    def link_target(self, url: str) -> str | None:
        target = Dialect.link_target(self, url)
        return None if target is None else target.replace("&", "&amp;")

    def _escape(self, value: str) -> str:
        value = _slack_entities(value)
        value = _SLACK_MARKERS.sub(lambda m: ZWSP + m.group() + ZWSP, value)
        value = re.sub(r"^([ \t]*)&gt;", "\\1" + ZWSP + "&gt;", value, flags=re.MULTILINE)
        return value.replace("@", "@" + ZWSP)

    def _convert_prose(self, text: str) -> str:
        # A quote marker at the start of a line is the only literal `>` kept.
        text = re.sub(r"^([ \t]*)> ", "\\1\ue002 ", text, flags=re.MULTILINE)
        text = _slack_entities(text).replace("\ue002", ">")
        text = _LINK.sub(r"<\2|\1>", text)
        text = _BOLD.sub(r"*\1*", text)
        text = _BROADCAST.sub("@" + ZWSP, text)
        return _BULLET.sub("\\1• ", text)

    def _convert_code(self, code: str) -> str:
        return _slack_entities(code)


_DISCORD_ID = re.compile(r"[0-9]{1,25}")
_DISCORD_SPECIALS = re.compile(r"[\\*_~`|>#\-\[\]()<]")


@dataclass(frozen=True, slots=True)
class DiscordDialect(Dialect):
    """Discord Markdown, limited to the 2,000 characters of a message's content."""

    name: ClassVar[str] = "discord"
    limit: ClassVar[int | None] = 2000

    def mention(self, user_id: str, name: str | None = None) -> str | None:
        return f"<@{user_id}>" if _DISCORD_ID.fullmatch(user_id) else None

    def channel(self, channel_id: str, name: str | None = None) -> str | None:
        return f"<#{channel_id}>" if _DISCORD_ID.fullmatch(channel_id) else None

    def _escape(self, value: str) -> str:
        return _DISCORD_SPECIALS.sub(r"\\\g<0>", value).replace("@", "@" + ZWSP)

    def _convert_prose(self, text: str) -> str:
        text = re.sub(r"<(?=[@#!:/]|t:)", "<" + ZWSP, text)
        return _BROADCAST.sub("@" + ZWSP, text)


PLAIN = PlainDialect()
SLACK = SlackDialect()
DISCORD = DiscordDialect()
DIALECTS: tuple[Dialect, ...] = (PLAIN, SLACK, DISCORD)

_BY_PLATFORM: dict[Platform, Dialect] = {
    Platform.LOCAL: PLAIN,
    Platform.SLACK: SLACK,
    Platform.DISCORD: DISCORD,
}


def dialect_for(platform: Platform) -> Dialect:
    return _BY_PLATFORM[platform]


def fit(text: str, dialect: Dialect) -> str:
    """Cut `text` to the dialect's limit without splitting a `<...>`, entity or escape."""
    limit = dialect.limit
    if limit is None or len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    opening = text.rfind("<", 0, cut)
    if opening > text.rfind(">", 0, cut):
        cut = opening
    ampersand = text.rfind("&", max(0, cut - 6), cut)
    if ampersand >= 0 and ";" not in text[ampersand:cut]:
        cut = ampersand
    backslashes = len(text[:cut]) - len(text[:cut].rstrip("\\"))
    if backslashes % 2:
        cut -= 1
    return text[:cut] + ELLIPSIS
