"""The languages the product speaks, each pinned on purpose to a CLDR territory and given an
explicit gettext ``Plural-Forms`` header.

Territories are chosen, not defaulted: CLDR's default Albanian (sq_AL) writes times on a
12-hour clock, which a call centre planning calls would misread, so Albanian uses Kosovo's
conventions (sq_XK, 24-hour clock). Dutch, French and German use Belgium's; English uses
Britain's (en_BE would write 1.234,5). Babel's own plural table gives Turkish a single
form, while Turkish gettext catalogs conventionally keep two (CLDR has "one" and "other"),
so we set every header ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale


@dataclass(frozen=True)
class Language:
    """A product language: its BCP 47 code, CLDR locale and gettext plural rule."""

    code: str
    locale: str
    plural_forms: str
    english_name: str

    @property
    def nplurals(self) -> int:
        return int(self.plural_forms.split(";")[0].split("=")[1])


_TWO_FORMS_N_NOT_1 = "nplurals=2; plural=(n != 1);"

LANGUAGES: dict[str, Language] = {
    language.code: language for language in (
        Language("en", "en_GB", _TWO_FORMS_N_NOT_1, "English"),
        Language("fr", "fr_BE", "nplurals=2; plural=(n > 1);", "French"),
        Language("nl", "nl_BE", _TWO_FORMS_N_NOT_1, "Dutch"),
        Language("de", "de_BE", _TWO_FORMS_N_NOT_1, "German"),
        Language("sq", "sq_XK", _TWO_FORMS_N_NOT_1, "Albanian"),
        Language("ru", "ru_RU", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
                                "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);", "Russian"),
        Language("tr", "tr_TR", _TWO_FORMS_N_NOT_1, "Turkish"),
    )
}

#: The language the product's own strings are written in.
SOURCE_LANGUAGE = "en"


@lru_cache(maxsize=64)
def locale_of(code: str) -> Locale:
    """The CLDR locale to format numbers and dates for language ``code``.

    Product languages use their chosen territory; any other valid BCP 47 code uses CLDR's.
    """
    language = LANGUAGES.get(code)
    return Locale.parse(language.locale if language else code, sep="_" if language else "-")


def plural_forms(code: str) -> str:
    """The explicit ``Plural-Forms`` header for ``code`` (CLDR's rule for other languages)."""
    language = LANGUAGES.get(code)
    if language is not None:
        return language.plural_forms
    from babel.messages.plurals import get_plural

    rule = get_plural(locale_of(code))
    return f"nplurals={rule.num_plurals}; plural=({rule.plural_expr});"
