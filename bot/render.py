"""Turn a neutral `Message` into text for one platform, in one language.

A template is written once, in Markdown, and rendered through a sandboxed
jinja2 environment per (dialect, locale), built lazily by `bot.templating`.
Template text is converted to the dialect as it is loaded, with jinja tags
held aside, so `**{{ name }}**` works and user values are never converted.
The sandbox matters: admins may override templates per workspace, and an
override is only saved once `Renderer.validate` has rendered it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import product
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    BaseLoader,
    FileSystemLoader,
    PrefixLoader,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2 import Environment as JinjaEnvironment
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from bot.catalogs import SOURCE_LOCALE, Catalogs, resolve_locale
from bot.chat import ButtonStyle, FieldKind, Form, Member, Message, Platform, WorkspaceRef
from bot.dialects import DIALECTS, PLAIN, Dialect, clean, fit, protected, shorten
from bot.features import Feature
from bot.templating import build_environment, plain, recording, substitute

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
    return _ENDTRANS.sub(r"\1+%}", protected(source, _JINJA, convert=dialect.convert))


class _TemplateLoader(BaseLoader):
    """`feature/name` -> `<feature templates>/name.j2`, Markdown converted for one dialect."""

    def __init__(
        self, files: PrefixLoader, *, overrides: Mapping[str, str], dialect: Dialect
    ) -> None:
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
        self._resolved: dict[str, str] = {}  # a locale asked for -> the shipped one it gets

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
        return _TemplateLoader(
            self._files, overrides=self._overrides, dialect=PLAIN
        ).list_templates()

    def render(self, message: Message, *, dialect: Dialect, locale: str, timezone: str) -> Rendered:
        """Text over the dialect's limit is cut; `mentions` keeps only the pings left in it."""
        resolved = self._resolved.get(locale)
        if resolved is None:
            resolved = self._resolved[locale] = resolve_locale(locale, None, self.locales)
        locale = resolved
        text, mentions = self._render_text(message, dialect=dialect, locale=locale, tz=timezone)
        if dialect.limit is not None and len(text) > dialect.limit:
            log.warning("%s is %s characters in %s; cut", message.template, len(text), dialect.name)
            text = fit(text, dialect)
        actions: tuple[RenderedAction, ...] = ()
        if message.actions:
            gettext = self._gettext(locale)
            actions = tuple(
                RenderedAction(gettext(a.label), a.action_id, a.value, a.style)
                for a in message.actions
            )
        pinged = tuple(user for user, ping in mentions.items() if ping in text)
        return Rendered(text=text, mentions=pinged, actions=actions)

    def render_form(self, form: Form, *, locale: str) -> RenderedForm:
        gettext = self._gettext(resolve_locale(locale, None, self.locales))
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
        gettext = self._gettext(resolve_locale(locale, None, self.locales))
        return substitute(
            gettext(msgid),
            msgid,
            values=values,
            write=lambda v: clean(shorten(plain(v))),
        )

    def samples(self, name: str) -> list[dict[str, object]]:
        """The sample contexts shipped for `name` in its `_samples.json`, decoded.

        A template's entry is one context or a list of them; no entry is `[{}]`.
        """
        prefix, _, short = name.partition("/")
        path = self._directories[prefix] / SAMPLES_FILE if prefix in self._directories else None
        shipped = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        entry = shipped.get(short, {})
        contexts = [
            decode_sample(context) for context in (entry if isinstance(entry, list) else [entry])
        ]
        return [context for context in contexts if isinstance(context, dict)]

    def validate(
        self, name: str, source: str, sample_context: Mapping[str, object] | None = None
    ) -> str | None:
        """Why `source` cannot replace template `name`, or None if it renders everywhere."""
        if name not in self.template_names():
            return f"unknown template {name!r}"
        contexts = self.samples(name) if sample_context is None else [sample_context]
        trial = self.with_overrides({**self._overrides, name: source})
        for dialect, context in product(DIALECTS, contexts):
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
        with recording(_zone(tz)) as current:
            text = template.render(dict(message.context))
        return _BLANK_LINES.sub("\n\n", text).strip(), current.mentions

    def _gettext(self, locale: str) -> Callable[[str], str]:
        translations = self._catalogs.translations(locale)
        # gettext("") is the catalog's header, never a message.
        return lambda msgid: translations.gettext(msgid) if msgid else ""

    def _environment(self, dialect: Dialect, locale: str) -> SandboxedEnvironment:
        key = (dialect, locale)
        if key not in self._environments:
            loader = _TemplateLoader(self._files, overrides=self._overrides, dialect=dialect)
            translations = self._catalogs.translations(locale)
            self._environments[key] = build_environment(
                loader, dialect, locale=locale, translations=translations
            )
        return self._environments[key]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r; using UTC", name)
        return ZoneInfo("UTC")


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
