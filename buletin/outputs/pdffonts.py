"""The PDF's fonts, and the characters they cannot show. The PDF is typeset with the fonts matplotlib ships
(DejaVu and STIX, the same on every machine), which have no Chinese, Thai or most emoji. Typst prints such a
character as an empty box without a word, so each is a warning at the file (and line) that holds it; the web
pages are not affected, as a browser finds a font of its own.
"""
from __future__ import annotations

import html
import importlib.util
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from buletin.messages import _, number
from buletin.model import EditionView, FigureRef, SiteModel
from buletin.problems import Problems

_SURELY_SHOWN = 0x250  # Latin, with every accent: DejaVu has all of it, so most texts need no font lookup
# General Punctuation (– — “ ” … •), every character of which DejaVu has: a text with an en dash alone read the
# font tables (0.12-0.22 s) on every build of a site with PDFs
_PUNCTUATION = (0x2000, 0x206F)
_INVISIBLE = ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Cs")  # controls, joiners, spaces, combining marks: no box
_LAST_RESORT = "LastResort"  # the font of boxes itself
_SHOWN_AT_MOST = 5


def font_folder() -> Path | None:
    """matplotlib's fonts (found, not imported: rendering never draws), or None when it is not installed."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def warn_missing_glyphs(model: SiteModel, view: EditionView, problems: Problems) -> None:
    """A warning for each of the edition's files whose text the PDF's fonts cannot show."""
    site_root = model.catalog.site_root
    config = model.config
    sources = {"site.yaml": [config.title, config.publisher, config.notice]}
    sources[view.edition.source] = [view.title, view.summary, *view.highlights, repr(view.headlines),
                                    html.unescape(view.body.html), *_figure_texts(view.figures)]
    for article in view.articles:
        sources.setdefault(article.article.source, []).extend(
            [article.article.title, article.summary, html.unescape(article.body.html),
             *_figure_texts(article.figures)])
    for source, texts in sources.items():
        missing = _missing("".join(texts))
        if missing:
            problems.warn(source, _first_line(site_root / source, missing), _message(missing))


def _figure_texts(figures: tuple[FigureRef, ...]) -> Iterable[str]:
    for ref in figures:
        yield ref.figure.csv.decode("utf-8", "replace")
        if ref.figure.svg:
            yield ref.figure.svg.decode("utf-8", "replace")


def _missing(text: str) -> list[str]:
    """The characters of `text` that no font of the PDF has, in the order they first appear."""
    if text.isascii():
        return []
    rare = [char for char in dict.fromkeys(text) if ord(char) >= _SURELY_SHOWN and not
            _PUNCTUATION[0] <= ord(char) <= _PUNCTUATION[1]]
    if not rare:
        return []
    covered = _covered()
    if not covered:  # no fonts at all: the PDF itself fails, and says so
        return []
    return [char for char in rare if ord(char) not in covered and unicodedata.category(char) not in _INVISIBLE]


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Every code point some font of the PDF draws (the fonts the PDF is typeset with: see pdf._fonts)."""
    from fontTools.ttLib import TTFont

    folder = font_folder()
    found: set[int] = set()
    for path in sorted(folder.glob("*.ttf")) if folder else []:
        if not path.name.startswith(_LAST_RESORT):
            found.update(TTFont(str(path), lazy=True)["cmap"].getBestCmap())
    return frozenset(found)


def _first_line(path: Path, missing: list[str]) -> int | None:
    """The first line of the file holding one of the characters (none when they come from the data)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    wanted = set(missing)
    return next((number for number, line in enumerate(lines, 1) if wanted & set(line)), None)


def _message(missing: list[str]) -> str:
    shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in missing[:_SHOWN_AT_MOST])
    if len(missing) > _SHOWN_AT_MOST:
        shown = _("{values} and {count} more").format(values=shown, count=number(len(missing) - _SHOWN_AT_MOST))
    return _("the edition's PDF has no font for {characters}: they print there as empty boxes (the web pages show "
             "them); where the PDF must show them, write them another way, in Latin letters or words").format(
        characters=shown)
