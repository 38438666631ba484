"""Turn a neutral `Message` into text for one platform, in one language.

A template is written once, in Markdown, and rendered through a sandboxed
jinja2 environment per (dialect, locale): template text is converted to the
dialect when it is loaded, every `{{ value }}` is escaped by `finalize`, and
`{% trans %}` blocks go through our own gettext, because jinja2 hands their
variables to gettext instead of `finalize`. Only our filters return `Safe`
text, and every ping they write is recorded so adapters can allow exactly
those. The sandbox matters: admins may override templates per workspace.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations
from jinja2 import (
    BaseLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2 import Environment as JinjaEnvironment
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from bot.catalogs import SOURCE_LOCALE, Catalogs, normalize_locale, resolve_locale
from bot.chat import (
    ButtonStyle,
    FieldKind,
    Form,
    Member,
    MemberRef,
    Message,
    Platform,
    WorkspaceRef,
)
from bot.dialects import DIALECTS, PLAIN, Dialect, Safe, clean, fit, protected, shorten
from bot.features import Feature

log = logging.getLogger(__name__)

CORE_PREFIX = "hearth"
CORE_TEMPLATES = Path(__file__).parent / "templates"
SUFFIX = ".j2"
SAMPLES_FILE = "_samples.json"
SAMPLE_WORKSPACE = WorkspaceRef(Platform.LOCAL, "sample")

_JINJA = re.compile(
    r"\{%[-+]?\s*trans\b.*?\{%[-+]?\s*endtrans\s*[-+]?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}",
    re.DOTALL,
)
_ENDTRANS = re.compile(r"(\{%[-+]?\s*endtrans\s*)%\}")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class RenderedAction:
    label: str
    action_id: str
    value: str
    style: ButtonStyle


@dataclass(frozen=True, slots=True)
class Rendered:
    """Text in the dialect, the user ids it pings, and its translated buttons."""

    text: str
    mentions: tuple[str, ...] = ()
    actions: tuple[RenderedAction, ...] = ()


@dataclass(frozen=True, slots=True)
class RenderedChoice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class RenderedField:
    name: str
    label: str
    kind: FieldKind
    required: bool
    choices: tuple[RenderedChoice, ...]
    initial: str
    max_length: int


@dataclass(frozen=True, slots=True)
class RenderedForm:
    """A form's words in one language, as plain text (modals have no markup)."""

    form_id: str
    title: str
    fields: tuple[RenderedField, ...]
    submit_label: str
    to: str
    value: str


def convert_template(source: str, dialect: Dialect) -> str:
    """The template's own Markdown in `dialect`; jinja tags and trans blocks untouched.

    A trans block is text, so the newline after `{% endtrans %}` is kept even
    though `trim_blocks` drops the one after other block tags.
    """
    return _ENDTRANS.sub(r"\1+%}", protected(source, _JINJA, dialect.convert))


@dataclass(slots=True)
class _Pass:
    """What one render call knows beyond its environment."""

    timezone: ZoneInfo
    mentions: dict[str, str] = field(default_factory=dict)  # user id -> ping written


_current: ContextVar[_Pass | None] = ContextVar("hearth_render_pass", default=None)


def _active() -> _Pass:
    current = _current.get()
    if current is None:
        raise RuntimeError("a Hearth filter was used outside Renderer.render")
    return current


class _TemplateLoader(BaseLoader):
    """`feature/name` -> `<feature templates>/name.j2`, Markdown converted for one dialect."""

    def __init__(self, files: PrefixLoader, overrides: Mapping[str, str], dialect: Dialect):
        self._files = files
        self._overrides = overrides
        self._dialect = dialect

    def get_source(
        self, environment: JinjaEnvironment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template in self._overrides:
            source, filename, uptodate = self._overrides[template], None, None
        else:
            source, filename, uptodate = self._files.get_source(environment, template + SUFFIX)
        return convert_template(source, self._dialect), filename, uptodate

    def list_templates(self) -> list[str]:
        names = {n.removesuffix(SUFFIX) for n in self._files.list_templates() if n.endswith(SUFFIX)}
        return sorted(name for name in names | set(self._overrides) if "/_" not in name)


class Renderer:
    """Renders messages and forms for every dialect and shipped language."""

    def __init__(
        self,
        templates: Mapping[str, Path],
        *,
        overrides: Mapping[str, str] | None = None,
        catalogs: Catalogs | None = None,
    ) -> None:
        if CORE_PREFIX in templates:
            raise ValueError(f"{CORE_PREFIX!r} is the core templates' prefix")
        self._directories = {CORE_PREFIX: CORE_TEMPLATES, **templates}
        self._files = PrefixLoader(
            {name: FileSystemLoader(path) for name, path in self._directories.items()}, "/"
        )
        self._overrides = dict(overrides or {})
        self._catalogs = catalogs or Catalogs()
        self._environments: dict[tuple[Dialect, str], SandboxedEnvironment] = {}

    @classmethod
    def from_features(cls, features: Iterable[Feature], **options: Any) -> Renderer:
        return cls({f.name: f.templates for f in features if f.templates}, **options)

    def with_overrides(self, overrides: Mapping[str, str]) -> Renderer:
        """A renderer for one workspace, with its admins' templates in front."""
        templates = {k: v for k, v in self._directories.items() if k != CORE_PREFIX}
        return Renderer(templates, overrides=overrides, catalogs=self._catalogs)

    @property
    def locales(self) -> frozenset[str]:
        return self._catalogs.available

    def template_names(self) -> list[str]:
        return _TemplateLoader(self._files, self._overrides, PLAIN).list_templates()

    def render(self, message: Message, *, dialect: Dialect, locale: str, timezone: str) -> Rendered:
        locale = resolve_locale(locale, None, self.locales)
        text, mentions = self._render_text(message, dialect=dialect, locale=locale, tz=timezone)
        if dialect.limit is not None and len(text) > dialect.limit:
            log.warning("%s is %s characters in %s; cut", message.template, len(text), dialect.name)
            text = fit(text, dialect)
        translations = self._catalogs.translations(locale)
        actions = tuple(
            RenderedAction(translations.gettext(a.label), a.action_id, a.value, a.style)
            for a in message.actions
        )
        pinged = tuple(user for user, ping in mentions.items() if ping in text)
        return Rendered(text=text, mentions=pinged, actions=actions)

    def render_form(self, form: Form, *, locale: str) -> RenderedForm:
        gettext = self._catalogs.translations(resolve_locale(locale, None, self.locales)).gettext
        fields = tuple(
            RenderedField(
                name=f.name,
                label=gettext(f.label),
                kind=f.kind,
                required=f.required,
                choices=tuple(RenderedChoice(choice, gettext(choice)) for choice in f.choices),
                initial=f.initial,
                max_length=f.max_length,
            )
            for f in form.fields
        )
        return RenderedForm(
            form_id=form.form_id,
            title=gettext(form.title),
            fields=fields,
            submit_label=gettext(form.submit_label),
            to=form.to,
            value=form.value,
        )

    def text(self, msgid: str, *, locale: str, **values: object) -> str:
        """A short translated string as plain text, e.g. an error reason or a button."""
        translated = self._catalogs.translations(resolve_locale(locale, None, self.locales))
        return _substitute(
            translated.gettext(msgid), msgid, values, lambda v: clean(shorten(_plain(v)))
        )

    def sample(self, name: str) -> dict[str, object]:
        """The sample context a feature ships for `name`, decoded (empty if none)."""
        prefix, _, short = name.partition("/")
        directory = self._directories.get(prefix)
        if directory is None or not (directory / SAMPLES_FILE).is_file():
            return {}
        samples = json.loads((directory / SAMPLES_FILE).read_text(encoding="utf-8"))
        decoded = decode_sample(samples.get(short, {}))
        return decoded if isinstance(decoded, dict) else {}

    def validate(
        self, name: str, source: str, sample_context: Mapping[str, object] | None = None
    ) -> str | None:
        """Why `source` cannot replace template `name`, or None if it renders everywhere."""
        if name not in self.template_names():
            return f"unknown template {name!r}"
        context = self.sample(name) if sample_context is None else sample_context
        trial = self.with_overrides({**self._overrides, name: source})
        for dialect in DIALECTS:
            try:
                text, _ = trial._render_text(
                    Message(name, context), dialect=dialect, locale=SOURCE_LOCALE, tz="UTC"
                )
            except TemplateSyntaxError as error:
                return f"line {error.lineno}: {error.message}"
            except SecurityError as error:
                return f"not allowed: {error}"
            except TemplateError as error:
                return error.message or type(error).__name__
            except (TypeError, ValueError, LookupError, AttributeError) as error:
                return f"{type(error).__name__}: {error}"
            if dialect.limit is not None and len(text) > dialect.limit:
                return (
                    f"{len(text)} characters with the sample values; "
                    f"{dialect.name} allows {dialect.limit}"
                )
        return None

    def _render_text(
        self, message: Message, *, dialect: Dialect, locale: str, tz: str
    ) -> tuple[str, dict[str, str]]:
        template = self._environment(dialect, locale).get_template(message.template)
        current = _Pass(timezone=_zone(tz))
        token = _current.set(current)
        try:
            text = template.render(dict(message.context))
        finally:
            _current.reset(token)
        return _BLANK_LINES.sub("\n\n", text).strip(), current.mentions

    def _environment(self, dialect: Dialect, locale: str) -> SandboxedEnvironment:
        key = (dialect, locale)
        if key not in self._environments:
            loader = _TemplateLoader(self._files, self._overrides, dialect)
            translations = self._catalogs.translations(locale)
            self._environments[key] = _build_environment(loader, dialect, locale, translations)
        return self._environments[key]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r; using UTC", name)
        return ZoneInfo("UTC")


def _plain(value: object) -> str:
    return "" if value is None else str(value)


def _substitute(
    translated: str, msgid: str, values: Mapping[str, object], write: Callable[[object], str]
) -> str:
    """Fill `%(name)s` placeholders; a translation naming unknown ones falls back to `msgid`."""
    wanted = {name for name in _PLACEHOLDER.findall(translated) if name}
    if not wanted <= values.keys():
        log.warning("translation of %r has placeholders %s; using the msgid", msgid, wanted)
        translated = msgid

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in values:
            raise UndefinedError(f"the message {msgid!r} needs {name!r}")
        return write(values[name])

    return _PLACEHOLDER.sub(fill, translated)


def _build_environment(
    loader: _TemplateLoader, dialect: Dialect, locale: str, translations: NullTranslations
) -> SandboxedEnvironment:
    def write(value: object) -> str:
        if isinstance(value, Safe):
            return value
        return dialect.escape(_plain(value))

    def translate(translated: str, msgid: str, values: Mapping[str, object]) -> Safe:
        def convert(text: str) -> str:
            return protected(text, _PLACEHOLDER, dialect.convert)

        # Convert our Markdown first, then insert escaped values: user text is never converted.
        converted_msgid = convert(msgid)
        return Safe(_substitute(convert(translated), converted_msgid, values, write))

    def gettext(msgid: str, **values: object) -> Safe:
        # gettext("") is the catalog's header, never a message.
        return translate(translations.gettext(msgid) if msgid else "", msgid, values)

    def ngettext(singular: str, plural: str, n: int, **values: object) -> Safe:
        values.setdefault("num", n)
        source = singular if n == 1 else plural
        return translate(translations.ngettext(singular, plural, n), source, values)

    def pgettext(context: str, msgid: str, **values: object) -> Safe:
        return translate(translations.pgettext(context, msgid), msgid, values)

    def npgettext(context: str, singular: str, plural: str, n: int, **values: object) -> Safe:
        values.setdefault("num", n)
        source = singular if n == 1 else plural
        return translate(translations.npgettext(context, singular, plural, n), source, values)

    environment = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        finalize=write,
        autoescape=False,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    environment.policies["ext.i18n.trimmed"] = True
    # Set before any template compiles: `{% trans x=y %}` becomes `gettext(msgid, x=y)`.
    environment.newstyle_gettext = True  # type: ignore[attr-defined]
    environment.globals.update(
        gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
    )
    environment.filters.update(_filters(dialect, locale, write))
    return environment


def _filters(
    dialect: Dialect, locale: str, write: Callable[[object], str]
) -> dict[str, Callable[..., Safe]]:
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
        return Safe(format_datetime(moment(value), format, locale=locale))

    def date_(value: object, format: str = "medium") -> Safe:
        return Safe(format_date(day(value), format, locale=locale))

    def time(value: object, format: str = "short") -> Safe:
        return Safe(format_time(moment(value), format, locale=locale))

    def weekday(value: object) -> Safe:
        return Safe(format_date(day(value), "EEEE", locale=locale))

    def duration(value: timedelta, add_direction: bool = False) -> Safe:
        return Safe(format_timedelta(value, add_direction=add_direction, locale=locale))

    def number(value: float, format: str | None = None) -> Safe:
        return Safe(format_decimal(value, format, locale=locale))

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


def _as_date(value: object) -> date:
    if not isinstance(value, date):
        raise TypeError(f"expected a date, not {type(value).__name__}")
    return value


def decode_sample(value: Any, workspace: WorkspaceRef = SAMPLE_WORKSPACE) -> object:
    """Sample JSON with `{"$member": id, "name": ...}`, `{"$datetime": iso}`, ... decoded."""
    if isinstance(value, list):
        return [decode_sample(item, workspace) for item in value]
    if not isinstance(value, dict):
        return value
    if "$member" in value:
        ref = workspace.member(str(value["$member"]))
        return Member(ref, str(value["name"])) if "name" in value else ref
    if "$datetime" in value:
        moment = datetime.fromisoformat(value["$datetime"])
        if moment.tzinfo is None:
            raise ValueError(f"sample datetime {value['$datetime']!r} needs a UTC offset")
        return moment
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$duration" in value:
        return timedelta(seconds=float(value["$duration"]))
    if "$msgid" in value:
        return str(value["$msgid"])
    if "$channel" in value:
        return str(value["$channel"])
    return {key: decode_sample(item, workspace) for key, item in value.items()}
