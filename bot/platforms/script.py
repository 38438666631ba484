"""The local workspace's script language, parsed into steps.

A whole script is parsed before any step runs, so a malformed line stops
the run with its line number and what was expected, and nothing is
half-applied. The same parser reads interactive lines one at a time.
The format is documented in docs/script.md.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.chat import Role


class ScriptError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DeclareWorkspace:
    name: str
    timezone: str | None = None
    locale: str | None = None
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DeclareMember:
    name: str
    role: Role | None = None
    timezone: str | None = None
    locale: str | None = None
    is_bot: bool = False
    joins: bool = False  # `join`: a member-joined event, not a silent declaration


@dataclass(frozen=True, slots=True)
class Leave:
    name: str


@dataclass(frozen=True, slots=True)
class Enter:
    """`in #general` or `in dm`: where the next lines are typed."""

    channel: str | None  # None: a direct message to the bot


@dataclass(frozen=True, slots=True)
class SetClock:
    local: datetime  # naive: read in the workspace's time zone


@dataclass(frozen=True, slots=True)
class Wait:
    delta: timedelta


@dataclass(frozen=True, slots=True)
class Say:
    """`ana: text`: a slash command when the text starts with `/`."""

    actor: str
    text: str


@dataclass(frozen=True, slots=True)
class React:
    """React to the channel's last message, or to `author`'s last message there."""

    actor: str
    emoji: str
    add: bool
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    actor: str


@dataclass(frozen=True, slots=True)
class Press:
    actor: str
    label: str


@dataclass(frozen=True, slots=True)
class Submit:
    actor: str
    fields: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class OpenHome:
    actor: str


@dataclass(frozen=True, slots=True)
class Expect:
    text: str
    present: bool = True


Step = (
    DeclareWorkspace
    | DeclareMember
    | Leave
    | Enter
    | SetClock
    | Wait
    | Say
    | React
    | Delete
    | Press
    | Submit
    | OpenHome
    | Expect
)


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    step: Step
    source: str


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SAY = re.compile(r"^(?P<actor>[A-Za-z0-9][A-Za-z0-9._-]*):\s?(?P<text>.*)$")
_WAIT = re.compile(r"^(?P<n>\d+)(?P<unit>[smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _strip_comment(text: str) -> str:
    """Drop a trailing `# comment` (two spaces before it, or a full-line one).

    A single `#` followed by a word is a channel (`in #general`), not a comment.
    """
    stripped = text.strip()
    if stripped.startswith("#"):
        return ""
    match = re.search(r"\s{2,}#.*$", text)
    return (text[: match.start()] if match else text).strip()


def _options(words: list[str], number: int, allowed: set[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key not in allowed:
            expected = ", ".join(sorted(f"{k}=..." for k in allowed))
            raise ScriptError(number, f"unexpected {word!r}; expected {expected}")
        options[key] = value
    return options


def _timezone(value: str | None, number: int) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScriptError(number, f"unknown time zone {value!r} (use an IANA name)") from None
    return value


def _name(value: str, number: int, what: str) -> str:
    if not _NAME.match(value):
        raise ScriptError(number, f"expected a {what} name (letters, digits, . _ -), not {value!r}")
    return value


def _workspace(words: list[str], number: int) -> DeclareWorkspace:
    if not words:
        raise ScriptError(number, "expected `workspace NAME [tz=Area/City] [locale=xx]`")
    name = _name(words[0], number, "workspace")
    options: dict[str, str] = {}
    settings: list[tuple[str, str]] = []
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep:
            raise ScriptError(number, f"expected key=value, not {word!r}")
        if key in ("tz", "locale"):
            options[key] = value
        else:
            settings.append((key, value))
    return DeclareWorkspace(
        name,
        timezone=_timezone(options.get("tz"), number),
        locale=options.get("locale"),
        settings=tuple(settings),
    )


def _member(words: list[str], number: int, *, joins: bool) -> DeclareMember:
    keyword = "join" if joins else "member"
    if not words:
        raise ScriptError(number, f"expected `{keyword} NAME [role=...] [tz=...] [locale=...]`")
    name = _name(words[0], number, "member")
    rest = words[1:]
    is_bot = "bot" in rest
    rest = [w for w in rest if w != "bot"]
    options = _options(rest, number, {"role", "tz", "locale"})
    role = None
    if "role" in options:
        try:
            role = Role(options["role"])
        except ValueError:
            raise ScriptError(
                number, f"unknown role {options['role']!r}; expected admin, manager or member"
            ) from None
    return DeclareMember(
        name,
        role=role,
        timezone=_timezone(options.get("tz"), number),
        locale=options.get("locale"),
        is_bot=is_bot,
        joins=joins,
    )


def _clock(words: list[str], number: int) -> SetClock:
    try:
        return SetClock(datetime.strptime(" ".join(words), "%Y-%m-%d %H:%M"))
    except ValueError:
        raise ScriptError(number, "expected `clock YYYY-MM-DD HH:MM`") from None


def _wait(words: list[str], number: int) -> Wait:
    match = _WAIT.match(words[0]) if len(words) == 1 else None
    if match is None:
        raise ScriptError(number, "expected `wait N` with a unit s, m, h, d or w (e.g. `wait 3d`)")
    return Wait(timedelta(**{_UNITS[match["unit"]]: int(match["n"])}))


def _quoted(rest: str, number: int, usage: str) -> str:
    try:
        words = shlex.split(rest)
    except ValueError:
        raise ScriptError(number, f"expected {usage}") from None
    if len(words) != 1 or not words[0]:
        raise ScriptError(number, f"expected {usage}")
    return words[0]


def _action(actor: str, text: str, number: int) -> Step | None:
    """The actions a member takes besides typing: react, delete, press, submit, open home."""
    verb, _, rest = text.partition(" ")
    rest = rest.strip()
    if verb in ("react", "unreact"):
        words = rest.split()
        target = words[1] if len(words) == 2 else ""
        by = target[1:] if target.startswith("@") and _NAME.match(target[1:]) else None
        if (target != "last" and by is None) or not re.fullmatch(r":[^\s:]+:", words[0]):
            raise ScriptError(number, f"expected `{actor}: {verb} :emoji: last` (or `@member`)")
        return React(actor, words[0].strip(":"), add=verb == "react", author=by)
    if verb == "delete":
        if rest != "last":
            raise ScriptError(number, f"expected `{actor}: delete last`")
        return Delete(actor)
    if verb == "open":
        if rest != "home":
            raise ScriptError(number, f"expected `{actor}: open home`")
        return OpenHome(actor)
    if verb == "press":
        body = rest.removesuffix(" last").strip()
        return Press(actor, _quoted(body, number, f'`{actor}: press "Label" last`'))
    if verb == "submit":
        pairs: list[tuple[str, str]] = []
        for part in filter(None, (p.strip() for p in rest.split(";"))):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise ScriptError(number, f"expected `{actor}: submit field=value; other=value`")
            pairs.append((key.strip(), value.strip()))
        return Submit(actor, tuple(pairs))
    return None


def parse_line(text: str, number: int) -> Step | None:
    """One step, or None for a blank or comment line."""
    source = _strip_comment(text)
    if not source:
        return None
    if said := _SAY.match(source):
        actor, body = said["actor"], said["text"].strip()
        if not body:
            raise ScriptError(number, f"expected something after `{actor}:`")
        return _action(actor, body, number) or Say(actor, body)
    keyword, _, rest = source.partition(" ")
    words = rest.split()
    match keyword:
        case "workspace":
            return _workspace(words, number)
        case "member":
            return _member(words, number, joins=False)
        case "join":
            return _member(words, number, joins=True)
        case "leave":
            if len(words) != 1:
                raise ScriptError(number, "expected `leave NAME`")
            return Leave(_name(words[0], number, "member"))
        case "in":
            if words == ["dm"]:
                return Enter(None)
            if len(words) != 1 or not words[0].startswith("#") or len(words[0]) < 2:
                raise ScriptError(number, "expected `in #channel` or `in dm`")
            return Enter(_name(words[0][1:], number, "channel"))
        case "clock":
            return _clock(words, number)
        case "wait":
            return _wait(words, number)
        case "expect":
            negated = rest.startswith("no ")
            body = rest[3:] if negated else rest
            return Expect(
                _quoted(body, number, '`expect "text"` or `expect no "text"`'), not negated
            )
    raise ScriptError(
        number,
        f"unknown line {source!r}; expected `NAME: text`, or one of workspace, member, join, "
        "leave, in, clock, wait, expect",
    )


def parse(text: str) -> list[Line]:
    """Every step of a script; raises ScriptError at the first malformed line."""
    lines: list[Line] = []
    for number, source in enumerate(text.splitlines(), start=1):
        step = parse_line(source, number)
        if step is not None:
            lines.append(Line(number, step, source.strip()))
    return lines
