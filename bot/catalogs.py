"""Translations read straight from the .po files, and which language a member gets.

Catalogs are compiled in memory on first use, so a checkout runs without a
compile step and a translator's edit shows up on the next start. English is
the source language: its "catalog" is the msgids themselves.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Collection
from functools import cached_property
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LOCALE = "en"
DOMAIN = "messages"


def normalize_locale(tag: str) -> str:
    """`fr-fr`, `fr_FR` and `FR-fr` are all `fr_FR`."""
    language, _, region = tag.strip().replace("-", "_").partition("_")
    return f"{language.lower()}_{region.upper()}" if region else language.lower()


def resolve_locale(
    member_locale: str | None, workspace_locale: str | None, available: Collection[str]
) -> str:
    """The member's language, else the workspace's, else English; `fr_FR` falls back to `fr`."""
    known = {normalize_locale(tag) for tag in available} | {SOURCE_LOCALE}
    for wanted in (member_locale, workspace_locale):
        if not wanted:
            continue
        tag = normalize_locale(wanted)
        for option in (tag, tag.partition("_")[0]):
            if option in known:
                return option
    return SOURCE_LOCALE


class Catalogs:
    """The shipped languages of one locale directory, each loaded once."""

    def __init__(self, directory: Path = LOCALE_DIR) -> None:
        self._directory = directory
        self._loaded: dict[str, NullTranslations] = {}

    def po_path(self, locale: str) -> Path:
        return self._directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    @cached_property
    def available(self) -> frozenset[str]:
        """Listed once: catalogs ship with the code (each render asks)."""
        shipped = (
            {
                entry.name
                for entry in self._directory.iterdir()
                if self.po_path(entry.name).is_file()
            }
            if self._directory.is_dir()
            else set()
        )
        return frozenset(shipped | {SOURCE_LOCALE})

    def translations(self, locale: str) -> NullTranslations:
        """Translations for a resolved locale; English and unknown ones translate nothing."""
        if locale not in self._loaded:
            self._loaded[locale] = self._load(locale)
        return self._loaded[locale]

    def _load(self, locale: str) -> NullTranslations:
        path = self.po_path(locale)
        if locale == SOURCE_LOCALE or not path.is_file():
            return NullTranslations()
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
        compiled.seek(0)
        log.debug("loaded %s translations from %s", locale, path)
        return Translations(compiled, domain=DOMAIN)


def extract_messages(root: Path) -> Catalog:
    """Every msgid in the code and templates under `root`, as `babel.cfg` maps them."""
    with (root / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")  # type: ignore[no-untyped-call]
    catalog = Catalog(project="Hearth", domain=DOMAIN, charset="utf-8")
    found = extract_from_dir(
        root,
        method_map,
        options_map,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
        directory_filter=lambda path: not Path(path).name.startswith((".", "_")),
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
