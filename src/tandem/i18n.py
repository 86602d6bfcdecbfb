"""Page-chrome localisation: gettext catalogs and CLDR data through Babel.

The catalogs live in the repository's top-level ``locales/LANG/LC_MESSAGES/messages.po``
(compiled ``.mo`` beside them), installed as the ``tandem.locales`` package so an
installed Tandem finds them.
They are managed with ``pybabel extract/update/compile`` (see the README);
``tests/test_locales.py`` fails when they are out of date.

Everything here is a pure function of its arguments; nothing is cached in
module state except Babel's own (immutable) catalog objects.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

import tandem.locales

LOCALES_DIR = Path(tandem.locales.__file__).parent
DOMAIN = "messages"
SOURCE_LOCALE = "en"  # the language the message ids are written in

__all__ = ["LOCALES_DIR", "DOMAIN", "ui_locale", "ui_locales", "translations",
           "language_name", "format_number", "format_share", "format_day"]


def ui_locales() -> tuple[str, ...]:
    """Languages the page chrome is translated into (those with a compiled catalog)."""
    found = {p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(found | {SOURCE_LOCALE}))


def ui_locale(language: str) -> str:
    """The chrome language for a page in ``language``: itself, else English.

    >>> ui_locale("ru"), ui_locale("de")
    ('ru', 'en')
    """
    return language if language in ui_locales() else SOURCE_LOCALE


@lru_cache(maxsize=16)
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog for ``locale`` (the message ids themselves for English)."""
    return Translations.load(str(LOCALES_DIR), [locale], DOMAIN)


def language_name(code: str) -> str:
    """A language's own name from CLDR, capitalised as in a menu.

    >>> language_name("ru"), language_name("ja"), language_name("en")
    ('Русский', '日本語', 'English')
    """
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def format_number(value: int | float, locale: str) -> str:
    """A count written the way ``locale`` writes numbers.

    >>> format_number(12345, "en"), format_number(12345, "ru"), format_number(12345, "ja")
    ('12,345', '12\\xa0345', '12,345')
    """
    return format_decimal(value, locale=locale)


def format_share(part: int, whole: int, locale: str) -> str:
    """``part/whole`` as a whole percentage for ``locale`` (0 % when ``whole`` is 0).

    >>> format_share(1, 3, "en"), format_share(1, 3, "ru")
    ('33%', '33\\xa0%')
    """
    return format_percent(part / whole if whole else 0, locale=locale)


def format_day(day: date, locale: str) -> str:
    """A date in ``locale``'s long format.

    >>> format_day(date(2026, 12, 28), "en"), format_day(date(2026, 12, 28), "ja")
    ('December 28, 2026', '2026年12月28日')
    """
    return _format_date(day, format="long", locale=locale)
