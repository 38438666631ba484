"""Reading kudos out of what people type.

Three ways in: a `/kudos` command (`@ana @li for the launch #teamwork
badge:mentor private`), a message (`@ana++`, `<@U1> ++`, `{@ana, @li}++`,
`thanks @ana :tada:`), and a reaction with the kudos emoji. What the
well-known kudos bots got wrong is excluded on purpose: text in code spans
and blocks, `c++` or `word++` without a mention, a recipient repeated in
one message, skin-tone variants counting as another emoji.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.mentions import Mention, find_mentions

_CODE = re.compile(r"```.*?(?:```|$)|`[^`]*`", re.DOTALL)
_PLUS = re.compile(r"\s*\+\+")
_GROUP = re.compile(r"\{([^{}]*)\}\s*\+\+")
_EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):(?::skin-tone-[2-6]:)?", re.IGNORECASE)
_CUSTOM_EMOJI = re.compile(r"<a?:([A-Za-z0-9_]+):\d+>")
_HASHTAG = re.compile(r"(?<![\w&#<|])#([A-Za-z][A-Za-z0-9_-]{0,39})\b")
_BADGE = re.compile(r"(?<!\S)badge:([A-Za-z0-9_-]{1,40})(?!\S)", re.IGNORECASE)
_PRIVATE = re.compile(r"private|privately|privé|prive", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:(?:for|pour|because|car)\b|:|-|—)\s*", re.IGNORECASE)
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff]")
_SKIN_SUFFIX = re.compile(r"::skin-tone-[2-6]$")

UNICODE_NAMES = {
    "🎉": "tada",
    "🌮": "taco",
    "👏": "clap",
    "🙌": "raised_hands",
    "🙏": "pray",
    "⭐": "star",
    "🌟": "star2",
    "❤": "heart",
    "👍": "thumbsup",
    "🚀": "rocket",
    "💯": "100",
    "🔥": "fire",
    "🏆": "trophy",
}

# Slack spells some emoji differently from their usual names.
ALIASES = {
    "+1": "thumbsup",
    "thumbs_up": "thumbsup",
    "heart_eyes": "heart_eyes",
    "star-struck": "star_struck",
}

MAX_REASON = 500


def emoji_name(raw: str) -> str:
    """One name per emoji, whatever the platform sent.

    Slack reactions: `tada`, `clap::skin-tone-3`; Discord: the unicode
    character (with variation selectors or skin tones) or a custom emoji's
    name; the local workspace: `tada`.
    """
    text = raw.strip().strip(":")
    text = _SKIN_SUFFIX.sub("", text)
    bare = _SKIN_TONES.sub("", text).replace("\ufe0f", "")
    name = UNICODE_NAMES.get(bare, bare.lower())
    return ALIASES.get(name, name)


def without_code(text: str) -> str:
    """The text with code spans and blocks blanked (offsets kept)."""
    return _CODE.sub(lambda m: " " * len(m.group(0)), text)


def _unique(mentions: list[Mention]) -> tuple[Mention, ...]:
    seen: set[str] = set()
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: m.start):
        key = mention.lookup.casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(mention)
    return tuple(kept)


def _has_kudos_emoji(text: str, emojis: frozenset[str]) -> bool:
    names = {emoji_name(m.group(1)) for m in _EMOJI_CODE.finditer(text)}
    names |= {emoji_name(m.group(1)) for m in _CUSTOM_EMOJI.finditer(text)}
    names |= {name for char, name in UNICODE_NAMES.items() if char in _SKIN_TONES.sub("", text)}
    return bool(names & emojis)


def message_targets(text: str, emojis: frozenset[str]) -> tuple[Mention, ...]:
    """Who a plain message gives kudos to (empty for most messages).

    `@ana++` or `<@U1> ++` credits that mention; `{@ana, @li}++` credits the
    group; a kudos emoji anywhere credits every mention in the message.
    """
    visible = without_code(text)
    mentions = find_mentions(visible)
    if not mentions:
        return ()
    if _has_kudos_emoji(visible, emojis):
        return _unique(mentions)
    credited = [m for m in mentions if _PLUS.match(visible, m.end)]
    for group in _GROUP.finditer(visible):
        credited += [m for m in mentions if group.start(1) <= m.start < group.end(1)]
    return _unique(credited)


@dataclass(frozen=True, slots=True)
class CommandDraft:
    """A `/kudos` command read but not yet checked against the rules."""

    targets: tuple[Mention, ...]
    reason: str
    hashtags: tuple[str, ...]
    badge: str | None
    private: bool


def command_draft(text: str) -> CommandDraft:
    """`@ana @li for the launch #teamwork badge:mentor private`, in any order."""
    mentions = find_mentions(text)
    badge_match = _BADGE.search(text)
    badge = badge_match.group(1).lower() if badge_match else None
    rest = text
    for mention in sorted(mentions, key=lambda m: m.start, reverse=True):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    rest = _BADGE.sub(" ", rest)
    rest = _EMOJI_CODE.sub(" ", _CUSTOM_EMOJI.sub(" ", rest))
    reason = " ".join(rest.replace(",", " , ").split()).replace(" , ", ", ").strip(" ,")
    # `private` is an option when it opens or closes what follows the mentions;
    # inside the reason ("the private beta") it is just a word.
    words = reason.split()
    private = bool(words) and any(_PRIVATE.fullmatch(w) for w in (words[0], words[-1]))
    if private:
        first = words[0] if _PRIVATE.fullmatch(words[0]) else None
        words = words[1:] if first else words[:-1]
        reason = " ".join(words)
    reason = _LEAD.sub("", reason).strip()
    return CommandDraft(
        targets=_unique(mentions),
        reason=reason[:MAX_REASON],
        hashtags=hashtags(rest),
        badge=badge,
        private=private,
    )


def message_reason(text: str) -> str:
    """What a kudos message says besides the mentions, `++` and emoji codes."""
    visible = without_code(text)
    for mention in sorted(find_mentions(visible), key=lambda m: m.start, reverse=True):
        text = text[: mention.start] + " " + text[mention.end :]
    text = _EMOJI_CODE.sub(" ", _CUSTOM_EMOJI.sub(" ", text))
    text = re.sub(r"[{}]|\+\+", " ", text)
    text = " ".join(text.replace(",", " , ").split()).replace(" , ", ", ")
    reason = _LEAD.sub("", text.strip(" ,"))[:MAX_REASON].strip()
    return reason if any(c.isalnum() for c in reason) else ""  # "@ana++." says nothing more


def hashtags(text: str) -> tuple[str, ...]:
    """Hashtags outside code, lower-cased, first occurrence first."""
    return tuple(dict.fromkeys(v.lower() for v in _HASHTAG.findall(without_code(text))))


def without_hashtags(text: str, tags: tuple[str, ...]) -> str:
    """The reason with the given hashtags taken out (they are shown as values)."""
    if not tags:
        return text
    wanted = {t.lower() for t in tags}
    kept = _HASHTAG.sub(lambda m: "" if m.group(1).lower() in wanted else m.group(0), text)
    return _LEAD.sub("", " ".join(kept.split()).strip(" ,")).strip()
