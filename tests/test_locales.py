"""Page-chrome catalogs: up to date with the templates, complete, compiled; CLDR glue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tandem import i18n
from tests.conftest import ROOT

LOCALES = ("en", "ru", "ja")
PYBABEL = Path(sys.executable).parent / "pybabel"


def _po(locale: str):
    with open(i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog) -> set:
    return {_key(m.id) for m in catalog if m.id}


def _strings(catalog) -> dict:
    return {_key(m.id): _key(m.string) for m in catalog if m.id}


def _key(value):
    """Plural ids and strings come back as lists from .mo files and tuples from .po files."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `pybabel extract` (the README's command) finds in the code today."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([str(PYBABEL), "extract", "-F", "babel.cfg", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        return read_po(f)


def test_template_pot_is_up_to_date(extracted):
    with open(i18n.LOCALES_DIR / "messages.pot", "rb") as f:
        committed = read_po(f)
    assert _ids(committed) == _ids(extracted), "run the pybabel extract command in README.md"
    assert len(_ids(extracted)) > 20


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_every_message_translated_and_nothing_fuzzy(locale, extracted):
    catalog = _po(locale)
    assert _ids(catalog) == _ids(extracted), f"run `pybabel update` for {locale} (README.md)"
    assert not catalog.obsolete, "obsolete messages left in the catalog"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated in {locale}: {message.id}"
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, message.id
    assert not [(m.id, errors) for m, errors in catalog.check()]  # placeholders match


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_its_po(locale):
    with open(i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = read_mo(f)
    source = _po(locale)
    assert _strings(compiled) == _strings(source), \
        f"run `pybabel compile` (README.md): {locale}'s .mo is stale"


@pytest.mark.parametrize("locale", ["ru", "ja"])
def test_translated_chrome_differs_from_english(locale):
    translations = i18n.translations(locale)
    assert translations.gettext("Review status") != "Review status"
    assert translations.ngettext("%(reviewed)s of %(num)s sentence reviewed (%(share)s).",
                                 "%(reviewed)s of %(num)s sentences reviewed (%(share)s).", 5).startswith(
        {"ru": "Проверено", "ja": "全"}[locale])


def test_ui_locales_are_the_compiled_catalogs():
    assert i18n.ui_locales() == ("en", "ja", "ru")
    assert i18n.ui_locale("ja") == "ja" and i18n.ui_locale("fr") == "en"


def test_russian_plural_forms_follow_cldr():
    ru = i18n.translations("ru")
    forms = {n: ru.ngettext("%(reviewed)s of %(num)s sentence reviewed (%(share)s).",
                            "%(reviewed)s of %(num)s sentences reviewed (%(share)s).", n) for n in (1, 3, 5, 21, 22, 11)}
    assert forms[1].endswith("предложения (%(share)s).") and forms[21] == forms[1]
    assert forms[3].endswith("предложений (%(share)s).") and forms[5] == forms[11] == forms[3] == forms[22]


def test_language_names_come_from_cldr():
    assert [i18n.language_name(code) for code in ("en", "ru", "ja", "de", "uk")] == \
        ["English", "Русский", "日本語", "Deutsch", "Українська"]
