"""Hearth's slash commands as Discord application commands, both ways.

Out: each `Command` becomes a chat-input command whose `subcommands` are
Discord subcommands with typed options (members, strings, choices,
numbers). A command without subcommands takes its words in one optional
`text` option, as on Slack. Descriptions and choice names are translated
into every language Hearth ships a catalog for, through the renderer's
catalogs; a command or option name is localized too when the catalog
translates it into a valid command name (otherwise Discord shows the
English name, which is also what it sends back).

In: the chosen subcommand and option values are written back into the one
line of text handlers parse (`Subcommand.text`): members as `<@id>`, each
value after its option's prefix.

The definitions' hash decides when to sync: `hash_of` changes only when a
command, option, description or translation does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.features import Command, Option, OptionKind, Subcommand
from bot.platforms.discord_payloads import Invoked
from bot.render import Renderer

Json = dict[str, Any]
CHAT_INPUT, SUB_COMMAND = 1, 1
OPTION_TYPES = {
    OptionKind.TEXT: 3,
    OptionKind.CHOICE: 3,
    OptionKind.MEMBER: 6,
    OptionKind.NUMBER: 10,
}
GUILD_CONTEXT = 0
GUILD_INSTALL = 0
DESCRIPTION_LIMIT = 100
CHOICE_LIMIT = 25
TEXT_OPTION = "text"
_NAME = re.compile(r"^[-_\w]{1,32}$")

# Hearth's languages as Discord spells its locales (Discord has no bare `en`, `es` or `pt`).
DISCORD_LOCALES = {
    "bg": ("bg",),
    "cs": ("cs",),
    "da": ("da",),
    "de": ("de",),
    "el": ("el",),
    "en": ("en-US", "en-GB"),
    "es": ("es-ES", "es-419"),
    "fi": ("fi",),
    "fr": ("fr",),
    "hi": ("hi",),
    "hr": ("hr",),
    "hu": ("hu",),
    "id": ("id",),
    "it": ("it",),
    "ja": ("ja",),
    "ko": ("ko",),
    "lt": ("lt",),
    "nl": ("nl",),
    "no": ("no",),
    "pl": ("pl",),
    "pt": ("pt-BR",),
    "ro": ("ro",),
    "ru": ("ru",),
    "sv": ("sv-SE",),
    "th": ("th",),
    "tr": ("tr",),
    "uk": ("uk",),
    "vi": ("vi",),
    "zh": ("zh-CN", "zh-TW"),
}


def _cut(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Localizer:
    """Translations of descriptions and names into Discord's locales."""

    def __init__(self, renderer: Renderer) -> None:
        self._renderer = renderer
        self._locales = sorted(
            (hearth, discord)
            for hearth in renderer.locales
            if hearth != "en"
            for discord in DISCORD_LOCALES.get(hearth.split("_")[0], ())
        )

    def description(self, msgid: str) -> Json:
        english = _cut(self._renderer.text(msgid, locale="en"))
        translated = {
            discord: _cut(self._renderer.text(msgid, locale=hearth))
            for hearth, discord in self._locales
        }
        described: Json = {"description": english or "-"}
        kept = {k: v for k, v in translated.items() if v and v != english}
        if kept:
            described["description_localizations"] = kept
        return described

    def name(self, name: str) -> Json:
        localized = {}
        for hearth, discord in self._locales:
            translated = self._renderer.text(name, locale=hearth).lower().replace(" ", "_")
            if translated != name and _NAME.match(translated):
                localized[discord] = translated
        named: Json = {"name": name}
        if localized:
            named["name_localizations"] = localized
        return named

    def choice(self, value: str) -> Json:
        english = _cut(self._renderer.text(value, locale="en"))
        translated = {
            discord: _cut(self._renderer.text(value, locale=hearth))
            for hearth, discord in self._locales
        }
        choice: Json = {"name": english or value, "value": value}
        kept = {k: v for k, v in translated.items() if v and v != english}
        if kept:
            choice["name_localizations"] = kept
        return choice


def _option(option: Option, words: Localizer) -> Json:
    payload: Json = {
        "type": OPTION_TYPES[option.kind],
        **words.name(option.name),
        **words.description(option.description),
        "required": option.required,
    }
    if option.choices:
        payload["choices"] = [words.choice(c) for c in option.choices[:CHOICE_LIMIT]]
    return payload


def _subcommand(form: Subcommand, words: Localizer) -> Json:
    return {
        "type": SUB_COMMAND,
        **words.name(form.name),
        **words.description(form.description),
        "options": [_option(o, words) for o in form.options],
    }


def unique_localizations(items: list[Json]) -> None:
    """Drop localized names two siblings share: Discord refuses the whole sync."""
    seen: dict[tuple[str, str], int] = {}
    for item in items:
        for locale, name in (item.get("name_localizations") or {}).items():
            seen[(locale, name)] = seen.get((locale, name), 0) + 1
    for item in items:
        names = item.get("name_localizations")
        if names:
            kept = {k: v for k, v in names.items() if seen[(k, v)] == 1}
            if kept:
                item["name_localizations"] = kept
            else:
                del item["name_localizations"]


def definition(command: Command, renderer: Renderer) -> Json:
    """One application command, as `PUT /applications/{id}/commands` takes it."""
    words = Localizer(renderer)
    if command.subcommands:
        options = [_subcommand(form, words) for form in command.subcommands]
    else:
        described = words.description(command.usage or command.description)
        free = {"type": OPTION_TYPES[OptionKind.TEXT], "name": TEXT_OPTION, **described}
        options = [free | {"required": False}]
    unique_localizations(options)
    for option in options:
        unique_localizations(option.get("options") or [])
    return {
        "type": CHAT_INPUT,
        **words.name(command.name),
        **words.description(command.description),
        "options": options,
        "contexts": [GUILD_CONTEXT],
        "integration_types": [GUILD_INSTALL],
    }


def definitions(commands: Sequence[Command], renderer: Renderer) -> list[Json]:
    payload = [definition(c, renderer) for c in commands]
    unique_localizations(payload)
    return payload


def hash_of(payload: Sequence[Json], *, application_id: int) -> str:
    """A short digest of what a sync would register for this application."""
    encoded = json.dumps([application_id, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()[:24]


def written(option: Option, value: object) -> str:
    """One option value as the text handlers read: members as mentions, after the prefix."""
    if value is None or value == "":
        return ""
    if option.kind is OptionKind.MEMBER:
        text = f"<@{value}>"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = " ".join(str(value).split())
    if option.prefix and not text.startswith(option.prefix):
        text = option.prefix + text
    return text


def text_of(command: Command, invoked: Invoked) -> str | None:
    """The command text an invocation stands for; None for a subcommand Hearth has not."""
    if not command.subcommands:
        return written(Option(TEXT_OPTION, ""), invoked.options.get(TEXT_OPTION))
    form = next((s for s in command.subcommands if s.name == invoked.subcommand), None)
    if form is None:
        return None
    return form.text([written(o, invoked.options.get(o.name)) for o in form.options])


def by_name(commands: Sequence[Command]) -> Mapping[str, Command]:
    return {c.name: c for c in commands}
