"""Rendering: every shipped template, in every dialect and language, under hostile input.

Templates are discovered: `bot/templates/` (prefix `hearth`) and every
`bot/<feature>/templates/` (prefix `<feature>`). Each directory may ship
`_samples.json`, mapping a template name (without `.j2`) to a sample context.
In a sample, `{"$member": "1001"}` is a member the template may ping (add
`"name"` for a `Member`), `{"$datetime": "...+00:00"}`, `{"$date": ...}` and
`{"$duration": seconds}` are typed values, and `{"$msgid": ...}` and
`{"$channel": ...}` are our own strings. An entry may be a list of contexts
to cover a template's branches. Every other string is user text: the
suite replaces it with hostile values and checks that nothing escapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, UndefinedError

from bot.chat import Action, ButtonStyle, Member, Message, Platform, WorkspaceRef
from bot.dialects import DIALECTS, DISCORD, PLAIN, SLACK, ZWSP, Dialect, dialect_for
from bot.render import CORE_PREFIX, CORE_TEMPLATES, SAMPLES_FILE, Renderer, decode_sample
from bot.templating import substitute

BOT = Path(__file__).resolve().parent.parent / "bot"
LONG = "word " * 800
HOSTILE = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "@everyone",
    "@here",
    "@channel",
    "<@U1>",
    "<@123>",
    "<@&123>",
    "<#C1>",
    "*x*",
    "_x_",
    "~x~",
    "`x`",
    "```x```",
    "&",
    "[a](http://evil)",
    "> quote\n- item\n# title",
    "\x1b[2J\x07bell",
    LONG,
)
MARKUP = {  # what each dialect would format; mrkdwn has no `[text](url)` links
    SLACK: ("*x*", "_x_", "~x~", "`x`", "```x```"),
    DISCORD: ("*x*", "_x_", "~x~", "`x`", "```x```", "[a](http://evil)"),
    PLAIN: (),
}


def feature_templates() -> dict[str, Path]:
    return {path.parent.name: path for path in sorted(BOT.glob("*/templates")) if path.is_dir()}


def directory_of(name: str) -> Path:
    prefix = name.partition("/")[0]
    return CORE_TEMPLATES if prefix == CORE_PREFIX else feature_templates()[prefix]


def raw_samples(name: str) -> list[dict[str, Any]]:
    path = directory_of(name) / SAMPLES_FILE
    shipped = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    entry = shipped.get(name.partition("/")[2], {})
    return entry if isinstance(entry, list) else [entry]


def typed(value: Any) -> bool:
    return isinstance(value, dict) and any(key.startswith("$") for key in value)


def poisoned(value: Any, hostile: str) -> Any:
    if isinstance(value, str):
        return hostile
    if isinstance(value, list):
        return [poisoned(item, hostile) for item in value]
    if isinstance(value, dict) and not typed(value):
        return {key: poisoned(item, hostile) for key, item in value.items()}
    return value


def declared_members(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if "$member" in value:
            yield str(value["$member"])
        for item in value.values():
            yield from declared_members(item)
    elif isinstance(value, list):
        for item in value:
            yield from declared_members(item)


RENDERER = Renderer(feature_templates())
TEMPLATES = RENDERER.template_names()


def test_discovery_finds_the_core_templates() -> None:
    assert {"hearth/help", "hearth/error", "hearth/settings"} <= set(TEMPLATES)


@pytest.mark.parametrize("locale", sorted(RENDERER.locales))
@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("name", TEMPLATES)
def test_hostile_values_never_ping_format_or_overflow(
    name: str, dialect: Dialect, locale: str
) -> None:
    for sample, hostile in product(raw_samples(name), HOSTILE):
        members = set(declared_members(sample))
        context = decode_sample(poisoned(sample, hostile))
        assert isinstance(context, dict)
        message = Message(name, context)
        rendered = RENDERER.render(message, dialect=dialect, locale=locale, timezone="Asia/Tokyo")
        text = rendered.text
        assert set(rendered.mentions) <= members, hostile
        assert dialect.limit is None or len(text) <= dialect.limit
        assert "word " * 200 not in text, "an inserted value was not shortened"
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
        if dialect is not PLAIN:
            assert not re.search(r"@(everyone|here|channel)", text, re.IGNORECASE), hostile
        outside_pings = text
        for user in rendered.mentions:
            outside_pings = outside_pings.replace(f"<@{user}>", "")
        if dialect is SLACK:
            assert not re.search(r"<[!@]", outside_pings), hostile
            assert not re.search(r"&(?!amp;|lt;|gt;)", text), hostile
        if dialect is DISCORD:
            assert not re.search(r"(?<!\\)<[@#]", outside_pings), hostile
        if hostile in MARKUP[dialect]:
            assert hostile not in text


def test_a_long_message_is_cut_to_the_limit_and_forgets_the_mentions_cut_off(
    tmp_path: Path,
) -> None:
    (tmp_path / "long.j2").write_text("{{ a }}{{ b }}{{ c }} {{ who|mention }}")
    renderer = Renderer({"demo": tmp_path})
    message = Message("demo/long", {"a": "a" * 900, "b": "b" * 900, "c": "c" * 900, "who": "42"})
    discord = renderer.render(message, dialect=DISCORD, locale="en", timezone="UTC")
    assert len(discord.text) == 2000
    assert discord.text.endswith("…")
    assert discord.mentions == ()
    slack = renderer.render(message, dialect=SLACK, locale="en", timezone="UTC")
    assert slack.text.endswith("<@42>")
    assert slack.mentions == ("42",)


@given(st.text())
def test_slack_escape_never_yields_a_mention_or_broadcast(text: str) -> None:
    escaped = SLACK.escape(text)
    assert not re.search("[<>]", escaped)
    assert not re.search(f"@(?!{ZWSP})", escaped)


@given(st.text())
def test_discord_escape_never_yields_a_mention_or_broadcast(text: str) -> None:
    escaped = DISCORD.escape(text)
    assert not re.search(f"@(?!{ZWSP})", escaped)
    assert not re.search(r"(?<!\\)<", escaped.replace("\\\\", ""))


@pytest.mark.parametrize(
    ("dialect", "markdown", "expected"),
    [
        (
            SLACK,
            "**Hi** _you_, see [docs](https://x.io/?a=1&b=2)",
            "*Hi* _you_, see <https://x.io/?a=1&amp;b=2|docs>",
        ),
        (
            SLACK,
            "- one\n  - two\n> said <3 & `a < b`",
            "• one\n  • two\n> said &lt;3 &amp; `a &lt; b`",
        ),
        (
            DISCORD,
            "**Hi** _you_ [docs](https://x.io)\n- one",
            "**Hi** _you_ [docs](https://x.io)\n- one",
        ),
        (PLAIN, "**Hi** _you_ [docs](https://x.io)\n- one", "Hi you docs (https://x.io)\n• one"),
        (PLAIN, "keep snake_case_names and `**code**`", "keep snake_case_names and `**code**`"),
        (DISCORD, "ping @everyone or <@1>", f"ping @{ZWSP}everyone or <{ZWSP}@1>"),
    ],
)
def test_template_markdown_is_converted_per_dialect(
    dialect: Dialect, markdown: str, expected: str
) -> None:
    assert dialect.convert(markdown) == expected


@pytest.mark.parametrize(
    ("dialect", "value", "expected"),
    [
        (SLACK, "a & <b> *c*", f"a &amp; &lt;b&gt; {ZWSP}*{ZWSP}c{ZWSP}*{ZWSP}"),
        (SLACK, "> hi\n@here", f"{ZWSP}&gt; hi\n@{ZWSP}here"),
        (DISCORD, "<@&1> *a*", f"\\<@{ZWSP}&1\\> \\*a\\*"),
        (DISCORD, "[a](b) #x -y", "\\[a\\]\\(b\\) \\#x \\-y"),
        (PLAIN, "tab\tnew\nline\x1b[31m\u202eevil", "tab\tnew\nline[31mevil"),
    ],
)
def test_inserted_values_are_escaped_per_dialect(
    dialect: Dialect, value: str, expected: str
) -> None:
    assert dialect.escape(value) == expected


def test_every_inserted_value_is_cut_at_a_thousand_characters() -> None:
    assert PLAIN.escape("x" * 4000) == "x" * 999 + "…"
    assert PLAIN.escape("x" * 1000) == "x" * 1000


def test_jinja_hands_trans_variables_to_gettext_not_to_finalize() -> None:
    seen: list[object] = []

    def finalize(value: object) -> object:
        seen.append(value)
        return value

    environment = Environment(extensions=["jinja2.ext.i18n"], finalize=finalize)
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    rendered = environment.from_string("{% trans n=who %}Hi {{ n }}{% endtrans %}").render(
        who="<x>"
    )
    assert rendered == "Hi <x>"
    assert seen == ["Hi <x>"], "finalize saw the whole sentence, never the variable alone"


def render(source: str, tmp_path: Path, dialect: Dialect, **context: object) -> str:
    (tmp_path / "t.j2").write_text(source, encoding="utf-8")
    message = Message("demo/t", context)
    return (
        Renderer({"demo": tmp_path})
        .render(message, dialect=dialect, locale="en", timezone="Europe/Paris")
        .text
    )


def test_values_inside_markdown_and_trans_blocks_are_escaped(tmp_path: Path) -> None:
    source = "**{{ name }}** {% trans n=name %}and **{{ n }}**{% endtrans %}"
    out = render(source, tmp_path, SLACK, name="*boss*")
    boss = f"{ZWSP}*{ZWSP}boss{ZWSP}*{ZWSP}"
    assert out == f"*{boss}* and *{boss}*"


def test_mentions_are_written_per_dialect_and_recorded(tmp_path: Path) -> None:
    ana = Member(WorkspaceRef(Platform.SLACK, "T1").member("U7"), "Ana")
    (tmp_path / "t.j2").write_text(
        "{{ ana|mention }} {% trans b=bob|mention %}and {{ b }}{% endtrans %}"
    )
    renderer = Renderer({"demo": tmp_path})
    message = Message("demo/t", {"ana": ana, "bob": "U9"})
    slack = renderer.render(message, dialect=SLACK, locale="en", timezone="UTC")
    assert slack.text == "<@U7> and <@U9>"
    assert slack.mentions == ("U7", "U9")
    plain = renderer.render(message, dialect=PLAIN, locale="en", timezone="UTC")
    assert plain.text == "@Ana and @U9"


def test_a_mention_of_an_invalid_id_is_inert_text(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("{{ who|mention }}")
    renderer = Renderer({"demo": tmp_path})
    rendered = renderer.render(
        Message("demo/t", {"who": "1>, <@&2"}), dialect=DISCORD, locale="en", timezone="UTC"
    )
    assert rendered.mentions == ()
    assert not re.search(r"(?<!\\)<@", rendered.text)


def test_channels_links_and_joined_mentions(tmp_path: Path) -> None:
    source = "{{ c|channel }} [docs]({{ u|url }}) {{ people|map('mention')|join(', ') }}"
    context = {"c": "C1", "u": "https://x.io/a_b?q=1&r=(2)", "people": ["U1", "U2"]}
    assert render(source, tmp_path, SLACK, **context) == (
        "<#C1> <https://x.io/a_b?q=1&amp;r=%282%29|docs> <@U1>, <@U2>"
    )
    assert render(source, tmp_path, DISCORD, **{**context, "c": "5", "people": ["7"]}) == (
        "<#5> [docs](https://x.io/a_b?q=1&r=%282%29) <@7>"
    )
    assert render(source, tmp_path, PLAIN, **context).startswith("#C1 docs (https://x.io/a_b")


def test_a_url_that_is_not_http_is_plain_text(tmp_path: Path) -> None:
    assert render("{{ u|url }}", tmp_path, SLACK, u="javascript:alert(1)") == "javascript:alert(1)"


def test_dates_and_numbers_follow_the_locale_and_time_zone(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text(
        "{{ at|weekday }} {{ at|time }} {{ at|date('short') }} {{ n|number }}"
    )
    message = Message("demo/t", {"at": datetime(2024, 5, 7, 22, 30, tzinfo=UTC), "n": 1234.5})
    renderer = Renderer({"demo": tmp_path})
    french = renderer.render(message, dialect=PLAIN, locale="fr", timezone="Europe/Paris")
    assert french.text == "mercredi 00:30 08/05/2024 1\u202f234,5"
    english = renderer.render(message, dialect=PLAIN, locale="en", timezone="America/New_York")
    assert english.text == "Tuesday 6:30\u202fPM 5/7/24 1,234.5"


def test_a_missing_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UndefinedError):
        render("Hi {{ nobody }}", tmp_path, PLAIN)


def test_buttons_forms_and_short_texts_are_translated() -> None:
    message = Message(
        "hearth/error", {"reason": "x"}, actions=(Action("Role: member", "a.1", "v"),)
    )
    rendered = RENDERER.render(message, dialect=SLACK, locale="fr_FR", timezone="UTC")
    assert rendered.actions[0].label == "Rôle\u00a0: membre"
    assert rendered.actions[0].style is ButtonStyle.DEFAULT
    assert RENDERER.text("Time zone: %(timezone)s", locale="fr", timezone="<Paris>") == (
        "Fuseau horaire\u00a0: <Paris>"
    )


def test_validation_explains_what_is_wrong_with_an_override() -> None:
    sample = RENDERER.samples("hearth/error")[1]
    assert RENDERER.validate("hearth/error", "Oops: {{ reason }}", sample) is None
    assert "line 1" in (RENDERER.validate("hearth/error", "{% if %}", sample) or "")
    assert "nobody" in (RENDERER.validate("hearth/error", "{{ nobody }}", sample) or "")
    assert "unknown template" in (RENDERER.validate("hearth/nope", "hi", {}) or "")
    escape = "{{ reason.__class__.__mro__ }}"
    assert RENDERER.validate("hearth/error", escape, sample) is not None
    long = "{% for i in range(300) %}{{ reason }}{% endfor %}"
    assert "allows" in (RENDERER.validate("hearth/error", long, sample) or "")


def test_an_override_replaces_a_template_for_one_workspace() -> None:
    custom = RENDERER.with_overrides({"hearth/error": "**Oh no**: {{ reason }}"})
    rendered = custom.render(
        Message("hearth/error", {"reason": "*x*"}), dialect=SLACK, locale="en", timezone="UTC"
    )
    assert rendered.text == f"*Oh no*: {ZWSP}*{ZWSP}x{ZWSP}*{ZWSP}"


def test_each_platform_has_its_dialect() -> None:
    assert dialect_for(Platform.LOCAL) is PLAIN
    assert dialect_for(Platform.SLACK) is SLACK
    assert dialect_for(Platform.DISCORD) is DISCORD


@pytest.mark.parametrize(
    ("translated", "msgid", "expected"),
    [
        ("Hi %(name)s, 100%% sure: %(name)s", "Hi %(name)s", "Hi [ana], 100% sure: [ana]"),
        ("%%(name)s is not a placeholder", "x", "%(name)s is not a placeholder"),
        ("50% off, %(name)s", "x", "50% off, [ana]"),
        ("Salut %(unknown)s", "Hello %(name)s", "Hello [ana]"),  # a bad translation: the msgid
        ("", "", ""),
    ],
)
def test_placeholders_are_filled_with_written_values(
    translated: str, msgid: str, expected: str
) -> None:
    written = substitute(translated, msgid, values={"name": "ana"}, write=lambda v: f"[{v}]")
    assert written == expected


def test_a_placeholder_without_a_value_is_an_error_naming_it() -> None:
    with pytest.raises(UndefinedError, match="'name'"):
        substitute("Hello %(name)s", "Hello %(name)s", values={}, write=str)
