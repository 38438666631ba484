"""Languages: shipped catalogs are complete, consistent, and chosen member -> workspace -> en.

Messages are extracted with Babel from the code (`N_`) and templates exactly
as `scripts/i18n.py` does, so a new sentence without a translation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.catalogs import Catalogs, extract_messages, resolve_locale
from bot.chat import FieldKind, Form, FormField
from bot.chat import Message as ChatMessage
from bot.dialects import DIALECTS, PLAIN, SLACK, Dialect
from bot.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs()
TRANSLATED = sorted(CATALOGS.available - {"en"})
RENDERER = Renderer({})
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

FRENCH = {
    "hearth/help": "Ce que je sais faire ici",
    "hearth/error": "Cela n’a pas marché.",
    "hearth/unknown_command": "Je ne connais pas la commande",
    "hearth/workspace_settings": "Réglages de l’espace",
    "hearth/settings": "Fuseau horaire",
    "hearth/role_changed": "est désormais",
    "hearth/cannot_post": "Je ne peux pas publier dans",
}


def catalog(locale: str) -> Catalog:
    with CATALOGS.po_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def extracted() -> list[Message]:
    return [message for message in extract_messages(ROOT) if message.id]


def forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if isinstance(value, tuple | list):
        return tuple(value)
    return (value,) if value else ()


def test_french_is_shipped() -> None:
    assert "fr" in TRANSLATED


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize(("name", "phrase"), FRENCH.items())
def test_core_templates_render_in_french(name: str, phrase: str, dialect: Dialect) -> None:
    for number, context in enumerate(RENDERER.samples(name)):
        message = ChatMessage(name, context)
        french = RENDERER.render(message, dialect=dialect, locale="fr", timezone="UTC")
        english = RENDERER.render(message, dialect=dialect, locale="en", timezone="UTC")
        assert french.text != english.text
        if number == 0:
            assert phrase in french.text


def test_every_core_template_has_a_french_check() -> None:
    core = {name for name in RENDERER.template_names() if name.startswith("hearth/")}
    assert core == set(FRENCH)


@pytest.mark.parametrize(
    ("member", "workspace", "expected"),
    [
        ("fr", "en", "fr"),
        ("fr-FR", None, "fr"),
        ("fr_FR", "en", "fr"),
        ("FR", None, "fr"),
        (None, "fr", "fr"),
        ("", "fr-CA", "fr"),
        ("de", "fr", "fr"),
        ("de", "it", "en"),
        (None, None, "en"),
        ("en-GB", "fr", "en"),
    ],
)
def test_locale_resolves_member_then_workspace_then_english(
    member: str | None, workspace: str | None, expected: str
) -> None:
    assert resolve_locale(member, workspace, {"en", "fr"}) == expected


def test_a_regional_catalog_wins_over_its_language() -> None:
    assert resolve_locale("pt-BR", None, {"pt", "pt_BR"}) == "pt_BR"
    assert resolve_locale("pt-PT", None, {"pt", "pt_BR"}) == "pt"


def test_extraction_finds_template_and_python_messages() -> None:
    messages = extracted()
    assert "**That did not work.** %(reason)s" in {message.id for message in messages}
    files = {filename for message in messages for filename, _ in message.locations}
    assert any(name.endswith(".j2") for name in files)
    assert any(name.endswith(".py") for name in files), "no N_() message was extracted"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_has_a_finished_translation(locale: str) -> None:
    translations = catalog(locale)
    missing = []
    for message in extracted():
        translated = translations.get(message.id, message.context)
        if translated is None or translated.fuzzy or not all(forms(translated.string)):
            missing.append(message.id)
    assert missing == [], f"translate these in {CATALOGS.po_path(locale)} (scripts/i18n.py update)"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_placeholders_and_bold_markers(locale: str) -> None:
    for message in catalog(locale):
        if not message.id or not message.string:
            continue
        sources = forms(message.id)
        names = {name for source in sources for name in PLACEHOLDER.findall(source)}
        for translated in forms(message.string):
            assert set(PLACEHOLDER.findall(translated)) <= names | {"num"}, message.id
            assert translated.count("**") == sources[0].count("**"), message.id
        if len(sources) == 1:
            assert set(PLACEHOLDER.findall(forms(message.string)[0])) == names, message.id


def test_catalogs_are_read_from_po_files_and_skip_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\nLanguage: fr\\n"\n\n'
        'msgid "Hello"\nmsgstr "Bonjour"\n\n'
        '#, fuzzy\nmsgid "Goodbye"\nmsgstr "Au revoir ?"\n',
        encoding="utf-8",
    )
    catalogs = Catalogs(tmp_path)
    assert catalogs.available == {"en", "fr"}
    assert catalogs.translations("fr").gettext("Hello") == "Bonjour"
    assert catalogs.translations("fr").gettext("Goodbye") == "Goodbye"
    assert catalogs.translations("en").gettext("Hello") == "Hello"


def test_forms_are_translated_as_plain_text(tmp_path: Path) -> None:
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\nLanguage: fr\\n"\n\n'
        'msgid "Share a lesson"\nmsgstr "Partager une leçon"\n\n'
        'msgid "What did you learn?"\nmsgstr "Qu’avez-vous appris ?"\n\n'
        'msgid "Submit"\nmsgstr "Envoyer"\n',
        encoding="utf-8",
    )
    renderer = Renderer({}, catalogs=Catalogs(tmp_path))
    form = Form(
        "learning.share",
        "Share a lesson",
        (FormField("lesson", "What did you learn?", FieldKind.LONG_TEXT),),
        to="U1",
    )
    rendered = renderer.render_form(form, locale="fr-FR")
    assert rendered.title == "Partager une leçon"
    assert rendered.fields[0].label == "Qu’avez-vous appris ?"
    assert rendered.fields[0].kind is FieldKind.LONG_TEXT
    assert rendered.submit_label == "Envoyer"
    assert renderer.render_form(form, locale="en").title == "Share a lesson"


def test_plurals_follow_the_language_and_escape_their_values(tmp_path: Path) -> None:
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\nLanguage: fr\\n'
        'Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "%(num)s kudo for %(who)s"\nmsgid_plural "%(num)s kudos for %(who)s"\n'
        'msgstr[0] "%(num)s bravo pour **%(who)s**"\nmsgstr[1] "%(num)s bravos pour **%(who)s**"\n',
        encoding="utf-8",
    )
    (tmp_path / "t.j2").write_text(
        "{% trans num=n, who=name %}{{ num }} kudo for {{ who }}"
        "{% pluralize %}{{ num }} kudos for {{ who }}{% endtrans %}"
    )
    renderer = Renderer({"demo": tmp_path}, catalogs=Catalogs(tmp_path))
    for n, expected in ((0, "0 bravo pour *&lt;b&gt;*"), (2, "2 bravos pour *&lt;b&gt;*")):
        message = ChatMessage("demo/t", {"n": n, "name": "<b>"})
        rendered = renderer.render(message, dialect=SLACK, locale="fr", timezone="UTC")
        assert rendered.text == expected
    english = ChatMessage("demo/t", {"n": 1, "name": "Ana"})
    assert renderer.render(english, dialect=PLAIN, locale="en", timezone="UTC").text == (
        "1 kudo for Ana"
    )


def test_an_unshipped_language_renders_english() -> None:
    message = ChatMessage("hearth/error", {"reason": "x"})
    rendered = RENDERER.render(message, dialect=PLAIN, locale="xx", timezone="UTC")
    assert rendered.text.startswith("That did not work.")
