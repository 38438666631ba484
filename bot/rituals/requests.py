"""The one-line form: `/ritual add <type> <schedule> [in #channel] [tz=Area/City] [key=value]`.

The schedule comes first, in the schedule language; `in #channel` (a typed
`#name`, or Slack's and Discord's channel references), `tz=` and options
follow in any order. `text=` takes the rest of the line, so it goes last:
`/ritual add custom every friday 17:00 in #team text=Demo time: show what you built!`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.chat import N_, known_zone
from bot.mentions import channel_of
from bot.rituals.domain import KIND_NAMES, OPTIONS, Kind


class RequestError(ValueError):
    """A line that cannot be read: `reason` is an English msgid that `values` fill."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True, slots=True)
class Request:
    """What a manager asked for; None where the line said nothing."""

    kind: Kind | None = None
    schedule: str | None = None
    channel: str | None = None
    timezone: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)


def kind_of(word: str) -> Kind:
    kind = KIND_NAMES.get(word.strip().lower())
    if kind is None:
        raise RequestError(
            N_("There is no ritual type “%(kind)s”. The types: %(kinds)s."),
            kind=word or "?",
            kinds=", ".join(k.value for k in Kind),
        )
    return kind


def read_request(text: str, *, with_kind: bool) -> Request:
    """Read the words after `/ritual add` (`with_kind`) or after `/ritual edit <id>`."""
    words = text.split()
    kind = kind_of(words.pop(0)) if with_kind and words else None
    schedule: list[str] = []
    channel: str | None = None
    timezone: str | None = None
    options: dict[str, str] = {}
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word.lower() == "in" and index < len(words) and channel_of(words[index]):
            channel = channel_of(words[index])
            index += 1
        elif "=" in word:
            key, _, value = word.partition("=")
            key = key.lower()
            if key in ("tz", "timezone"):
                timezone = value
            elif key == "channel" and channel_of(value):
                channel = channel_of(value)
            elif key in OPTIONS:
                if OPTIONS[key].rest_of_line:
                    value = " ".join([value, *words[index:]])
                    index = len(words)
                options[key] = value
            else:
                raise RequestError(
                    N_("I do not know the option %(key)s. Options: %(keys)s."),
                    key=key or "?",
                    keys=", ".join(["tz", *OPTIONS]),
                )
        elif channel is not None or timezone is not None or options:
            raise RequestError(
                N_("Write the schedule first, then in #channel, tz= and options, e.g. %(example)s"),
                example="/ritual add watercooler every monday 16:00 in #team tz=Europe/Paris",
            )
        else:
            schedule.append(word)
    return Request(kind, " ".join(schedule) or None, channel, timezone, options)


def checked_options(kind: Kind, options: Mapping[str, str]) -> dict[str, str]:
    """The options as stored, or a `RequestError` for one that does not fit the kind."""
    stored: dict[str, str] = {}
    for key, value in options.items():
        option = OPTIONS[key]
        if kind not in option.kinds:
            raise RequestError(
                N_("%(key)s does not apply to a %(kind)s ritual."), key=key, kind=kind.value
            )
        checked = option.check(value)
        if checked is None:
            raise RequestError(
                N_("%(value)s does not fit %(key)s: %(description)s."),
                value=value or "?",
                key=key,
                description=option.description,
            )
        stored[key] = checked
    return stored


def checked_zone(name: str) -> str:
    if not known_zone(name):
        raise RequestError(
            N_("“%(value)s” is not a time zone I know. Use a name like Europe/Paris."),
            value=name or "?",
        )
    return name
