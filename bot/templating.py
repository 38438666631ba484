"""The jinja2 environment of one dialect and language: escaping, gettext and filters.

jinja2 passes the variables of a `{% trans %}` block to gettext, not to
`finalize`, so our gettext escapes them itself: it translates, converts the
translation's Markdown, then inserts each escaped value. Filters write dialect
syntax and return `Safe`; the pings they write are recorded for the render in
progress, which is what lets adapters allow exactly those users.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations
from jinja2 import BaseLoader, StrictUndefined
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from bot.catalogs import normalize_locale
from bot.chat import Member, MemberRef
from bot.dialects import Dialect, Safe, protected, shorten

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@dataclass(slots=True)
class Recording:
    """What one render knows beyond its environment, and the pings it wrote."""

    timezone: ZoneInfo
    mentions: dict[str, str] = field(default_factory=dict)  # user id -> ping written


_current: ContextVar[Recording | None] = ContextVar("hearth_recording", default=None)


class recording:  # noqa: N801 - used as `with recording(zone) as current`
    """Scope one render: filters read its time zone and record its pings."""

    __slots__ = ("_current", "_token")

    def __init__(self, timezone: ZoneInfo) -> None:
        self._current = Recording(timezone)

    def __enter__(self) -> Recording:
        self._token = _current.set(self._current)
        return self._current

    def __exit__(self, *_: object) -> None:
        _current.reset(self._token)


def _active() -> Recording:
    current = _current.get()
    if current is None:
        raise RuntimeError("a Hearth filter was used outside a render")
    return current


def plain(value: object) -> str:
    return "" if value is None else str(value)


def substitute(
    translated: str, msgid: str, *, values: Mapping[str, object], write: Callable[[object], str]
) -> str:
    """Fill `%(name)s` placeholders; a translation naming unknown ones falls back to `msgid`."""
    parts, wanted = _placeholders(translated)
    if not wanted <= values.keys():
        log.warning("translation of %r has placeholders %s; using the msgid", msgid, set(wanted))
        parts, _ = _placeholders(msgid)
    filled: list[str] = []
    for literal, name in parts:
        filled.append(literal)
        if name is None:
            continue
        if name not in values:
            raise UndefinedError(f"the message {msgid!r} needs {name!r}")
        filled.append(write(values[name]))
    return "".join(filled)


@lru_cache(maxsize=4096)  # the same few sentences on every render
def _placeholders(text: str) -> tuple[tuple[tuple[str, str | None], ...], frozenset[str]]:
    """`text` cut at its placeholders: (literal text, the name after it or None),
    with `%%` already turned into `%`; and the names it uses."""
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    start = 0
    for match in PLACEHOLDER.finditer(text):
        literal.append(text[start : match.start()])
        start = match.end()
        name = match.group(1)
        if name is None:
            literal.append("%")
            continue
        parts.append(("".join(literal), name))
        literal = []
    literal.append(text[start:])
    parts.append(("".join(literal), None))
    return tuple(parts), frozenset(name for _, name in parts if name is not None)


class _Environment(SandboxedEnvironment):
    """The sandbox, with each template's globals a plain dict.

    Jinja chains a template's globals to the environment's (a `ChainMap`)
    so that later changes to the environment show through; ours are all set
    in `build_environment`, before any template loads, and never change.
    Looking names up through the chain, and copying it for every render's
    context, was about a quarter of a render.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def build_environment(
    loader: BaseLoader, dialect: Dialect, *, locale: str, translations: NullTranslations
) -> SandboxedEnvironment:
    def write(value: object) -> str:
        if isinstance(value, Safe):
            return value
        return dialect.escape(plain(value))

    @lru_cache(maxsize=1024)  # the same few sentences, converted on every render
    def convert(text: str) -> str:
        return protected(text, PLACEHOLDER, convert=dialect.convert)

    def translate(translated: str, msgid: str, values: Mapping[str, object]) -> Safe:
        # Convert our Markdown first, then insert escaped values: user text is never converted.
        converted_msgid = convert(msgid)
        return Safe(substitute(convert(translated), converted_msgid, values=values, write=write))

    def gettext(msgid: str, /, **values: object) -> Safe:
        # gettext("") is the catalog's header, never a message.
        return translate(translations.gettext(msgid) if msgid else "", msgid, values)

    def ngettext(singular: str, plural: str, n: int, /, **values: object) -> Safe:
        values.setdefault("num", n)
        source = singular if n == 1 else plural
        return translate(translations.ngettext(singular, plural, n), source, values)

    def pgettext(context: str, msgid: str, /, **values: object) -> Safe:
        return translate(str(translations.pgettext(context, msgid)), msgid, values)

    def npgettext(context: str, singular: str, plural: str, n: int, /, **values: object) -> Safe:
        values.setdefault("num", n)
        source = singular if n == 1 else plural
        return translate(translations.npgettext(context, singular, plural, n), source, values)

    environment = _Environment(
        loader=loader,
        undefined=StrictUndefined,
        finalize=write,
        autoescape=False,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code; no stat() per render
    )
    environment.policies["ext.i18n.trimmed"] = True
    # Set before any template compiles: `{% trans x=y %}` becomes `gettext(msgid, x=y)`.
    environment.newstyle_gettext = True  # type: ignore[attr-defined]
    environment.globals.update(
        gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
    )
    environment.filters.update(_filters(dialect, locale=locale, write=write))
    return environment


def _filters(
    dialect: Dialect, *, locale: str, write: Callable[[object], str]
) -> dict[str, Callable[..., Safe]]:
    # Parsed once for the environment: Babel would parse the tag on every call.
    babel_locale = _babel_locale(locale)

    def mention(who: object) -> Safe:
        if isinstance(who, Member):
            user_id, name = who.ref.user_id, " ".join(who.name.split())
        elif isinstance(who, MemberRef):
            user_id, name = who.user_id, None
        elif isinstance(who, str):
            user_id, name = who, None
        else:
            raise TypeError(f"mention needs a member or a user id, not {type(who).__name__}")
        ping = dialect.mention(user_id, shorten(name, 80) if name else None)
        if ping is None:
            return Safe(write("@" + (name or user_id)))
        _active().mentions.setdefault(user_id, ping)
        return Safe(ping)

    def channel(channel_id: str, name: str | None = None) -> Safe:
        reference = dialect.channel(str(channel_id), name)
        return Safe(reference if reference is not None else write("#" + (name or channel_id)))

    def url(value: str) -> Safe:
        target = dialect.link_target(str(value))
        return Safe(target if target is not None else write(value))

    def join(items: Iterable[object], separator: str = "") -> Safe:
        return Safe(write(separator).join(write(item) for item in items))

    def moment(value: object) -> datetime:
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, not {type(value).__name__}")
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(_active().timezone)

    def day(value: object) -> date:
        return moment(value).date() if isinstance(value, datetime) else _as_date(value)

    def datetime_(value: object, format: str = "medium") -> Safe:
        return Safe(format_datetime(moment(value), format, locale=babel_locale))

    def date_(value: object, format: str = "medium") -> Safe:
        return Safe(format_date(day(value), format, locale=babel_locale))

    def time(value: object, format: str = "short") -> Safe:
        return Safe(format_time(moment(value), format, locale=babel_locale))

    def weekday(value: object) -> Safe:
        return Safe(format_date(day(value), "EEEE", locale=babel_locale))

    def duration(value: timedelta, add_direction: bool = False) -> Safe:
        return Safe(format_timedelta(value, add_direction=add_direction, locale=babel_locale))

    def number(value: float, format: str | None = None) -> Safe:
        return Safe(format_decimal(value, format, locale=babel_locale))

    def language(code: object) -> Safe:
        try:
            name = Locale.parse(normalize_locale(str(code))).get_display_name(locale)
        except (UnknownLocaleError, ValueError, TypeError):
            name = None
        return Safe(write(name or code))

    return {
        "mention": mention,
        "channel": channel,
        "url": url,
        "join": join,
        "datetime": datetime_,
        "date": date_,
        "time": time,
        "weekday": weekday,
        "duration": duration,
        "number": number,
        "language": language,
    }


def _babel_locale(locale: str) -> Locale | str:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return locale  # let Babel report it where it is used, as before


def _as_date(value: object) -> date:
    if not isinstance(value, date):
        raise TypeError(f"expected a date, not {type(value).__name__}")
    return value
