"""Keep the translation catalogs in step with the code and templates.

    python scripts/i18n.py extract         # write bot/locale/messages.pot
    python scripts/i18n.py update          # merge it into every bot/locale/*/messages.po
    python scripts/i18n.py init de         # start a new language
    python scripts/i18n.py check           # list untranslated or fuzzy messages

The renderer reads the .po files directly, so there is no compile step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogs import DOMAIN, LOCALE_DIR, Catalogs, extract_messages  # noqa: E402

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True)


def extract() -> Catalog:
    template = extract_messages(ROOT)
    write(template, TEMPLATE)
    print(f"{len(template)} messages -> {TEMPLATE.relative_to(ROOT)}")
    return template


def update(template: Catalog) -> None:
    catalogs = Catalogs()
    for locale in sorted(catalogs.available - {"en"}):
        path = catalogs.po_path(locale)
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale, domain=DOMAIN)
        catalog.update(template, update_creation_date=False)
        write(catalog, path)
        print(f"updated {path.relative_to(ROOT)}")


def init(template: Catalog, locale: str) -> None:
    path = Catalogs().po_path(locale)
    if path.exists():
        sys.exit(f"{path} exists; use `update`")
    catalog = Catalog(locale=locale, domain=DOMAIN, project="Hearth", charset="utf-8")
    catalog.update(template)
    write(catalog, path)
    print(f"created {path.relative_to(ROOT)}")


def check(template: Catalog) -> int:
    catalogs = Catalogs()
    problems = 0
    for locale in sorted(catalogs.available - {"en"}):
        with catalogs.po_path(locale).open("rb") as po:
            catalog = read_po(po, locale=locale, domain=DOMAIN)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, message.context)
            strings = translated.string if translated else None
            values = strings if isinstance(strings, tuple) else (strings,)
            if translated is None or translated.fuzzy or not all(values):
                problems += 1
                state = "fuzzy" if translated and translated.fuzzy else "untranslated"
                print(f"{locale}: {state}: {message.id!r}")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "update", "init", "check"])
    parser.add_argument("locale", nargs="?")
    args = parser.parse_args()
    template = extract() if args.command != "check" else extract_messages(ROOT)
    if args.command == "update":
        update(template)
    elif args.command == "init":
        if not args.locale:
            parser.error("init needs a locale, e.g. `init de`")
        init(template, args.locale)
    elif args.command == "check":
        return check(template)
    return 0


if __name__ == "__main__":
    sys.exit(main())
