"""Every message buletin prints, in the reader's language: Indonesian (`id`) or English (`en`), from gettext
catalogues (buletin/locale/; `python tools/messages.py` extracts, updates and compiles them).

Mark a message with `_()` and fill it with named placeholders after translation:
`_("column `{column}` not found").format(column=name)`, never an f-string inside `_()` (extraction reads the
literal). `_n(singular, plural, count)` chooses a plural form; `N_()` marks a text translated later.
English is the source text (the msgids), so English needs no catalogue.

The design: a message is translated when it is made, in one language per process. The command line chooses
it before any work starts (`--lang`, else BULETIN_LANG, else the `language:` line of site.yaml, else
Indonesian) and calls `use()`; worker processes get it from their pool's initializer (buletin/build/workers.py),
whatever the start method, so a message made in a worker reads as one made here (`serve` keeps the language
it started with). A cached artifact can carry message text (the warnings kept with a validated dataset, say),
so every key of the build state includes `language()`, and the compiled catalogues count as code
(buletin/build/state.py): a build in another language never reuses the other language's text. Translating
when a message is printed would instead need every message, and every message nested in another, to travel
as a template with its arguments through exceptions, caches and pickles: more machinery for the same result.
"""
from __future__ import annotations

import gettext
import os
import re
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("id", "en")
DEFAULT = "id"  # the first users' language, and the default language of a site
VARIABLE = "BULETIN_LANG"
DOMAIN = "buletin"
LOCALE_DIR = Path(__file__).parent / "locale"
_LANGUAGE_LINE = re.compile(rb"^language\s*:\s*[\"']?(id|en)[\"']?\s*(#.*)?$", re.MULTILINE)

_chosen: str | None = None


def language() -> str:
    """The language messages are made in now: the one chosen by use(), else BULETIN_LANG, else Indonesian."""
    if _chosen:
        return _chosen
    wanted = os.environ.get(VARIABLE, "").strip().lower()
    return wanted if wanted in LANGUAGES else DEFAULT


def use(lang: str | None) -> None:
    """Make messages in `lang` from now on (None: back to BULETIN_LANG or the default)."""
    global _chosen
    _chosen = lang if lang in LANGUAGES else None


def choose(option: str | None, site: str | None) -> str:
    """The language for a command: --lang, else BULETIN_LANG, else the site's language, else Indonesian."""
    if option in LANGUAGES:
        return option
    wanted = os.environ.get(VARIABLE, "").strip().lower()
    if wanted in LANGUAGES:
        return wanted
    return site if site in LANGUAGES else DEFAULT


def site_language(site_yaml: Path | None) -> str | None:
    """The language named by a `language: id|en` line of a site.yaml, if it has one that can be read (read as
    a line, so that a site.yaml too broken to parse still gives its language)."""
    if site_yaml is None:
        return None
    try:
        found = _LANGUAGE_LINE.search(site_yaml.read_bytes()[:65536].replace(b"\r\n", b"\n"))
    except OSError:
        return None
    return found.group(1).decode() if found else None


@lru_cache(maxsize=4)
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """`message` in the current language."""
    return _catalogue(language()).gettext(message)


def _n(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language."""
    return _catalogue(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for the catalogue that is translated later, with _() (a table of texts, say)."""
    return message


def number(value: int | float) -> str:
    """A count or a limit as the language writes it: 3.912 (id), 3,912 (en); decimals as written."""
    text = f"{value:,}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
    return text.translate(str.maketrans(",.", ".,")) if language() == "id" else text


def decimal(value: float, digits: int) -> str:
    """A measure with `digits` decimals as the language writes it: 1,25 (id), 1.25 (en)."""
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if language() == "id" else text


def listing(items: list[str] | tuple[str, ...]) -> str:
    """Names joined as the language lists them: `a`, `b` and `c` / `a`, `b` dan `c`."""
    if len(items) < 2:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])
