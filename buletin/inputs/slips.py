"""Slips that a build would publish as written: the example sentences that `new site`, `new edition` and `new
article` write (a warning at their line on every build, and a reason for `publish` to refuse an edition that
shows them), a macro in a front matter key where macros do not run (an error: `{{ value(...) }}` would be the
title), a macro written between single braces (a warning: `{ value(...) }` is shown as it is), an article
dated far from its edition's period, and two articles of an edition with one title (warnings).

Only whole sentences are looked for, never a word a real text could use.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buletin.i18n import NEW_FILE_WORDS, NEW_SITE_WORDS
from buletin.inputs import yamlfile
from buletin.inputs.cellslips import CONTROL
from buletin.inputs.content import Content, Document, Edition, Page
from buletin.inputs.datapackage import PACKAGE_FILE
from buletin.messages import N_, _
from buletin.periods import period_days
from buletin.problems import Problems

_SITE_KEYS = ("publisher", "notice", "source", "intro", "about_text")
_FILE_KEYS = ("summary", "point", "body")
_MACRO_START = re.compile(r"\{[ \t]*(?:value|change)[ \t]*\(")  # found fast; then the whole is checked
_SINGLE_BRACES = re.compile(r"\{\s*(?P<name>value|change)\s*\(.*?\)\s*\}(?![}])")
_LATE_PERIODS = {"monthly": 3, "quarterly": 2, "yearly": 1}  # an article may come out this long after its period
EXAMPLES = tuple(sorted({words[key] for words in NEW_SITE_WORDS.values() for key in _SITE_KEYS} |
                        {words[key] for words in NEW_FILE_WORDS.values() for key in _FILE_KEYS}))
# Where `new` writes each (a thousand long bodies are searched on every build: only for what can be there).
_IN_FRONT_MATTER = tuple(words[key] for words in NEW_FILE_WORDS.values() for key in ("summary", "point"))
_IN_BODIES = tuple([*(words[key] for words in NEW_SITE_WORDS.values() for key in ("intro", "about_text")),
                    *(words["body"] for words in NEW_FILE_WORDS.values())])


@dataclass(frozen=True)
class Placeholder:
    source: str  # relative to the site root
    line: int | None
    text: str

    def message(self) -> str:
        return _("this is still the example text that buletin wrote (“{text}”): write your own before the site "
                 "goes public").format(text=self.text)


def check_slips(site_root: Path, content: Content, drafts: bool, problems: Problems) -> None:
    """A warning at each example text in site.yaml, data/datapackage.yaml, and every edition, article and page
    that a build shows (drafts only with `drafts`); an error at each macro where macros do not run, a warning at
    each written between single braces."""
    shown: list[Document] = [*content.pages]
    for edition in content.editions:
        if drafts or edition.status != "draft":
            shown += [edition, *(a for a in edition.articles if drafts or not a.draft)]
            _check_articles(edition, problems)
    found = [_document_slips(doc) for doc in shown]
    for placeholder in [*_in_settings(site_root), *(one for placeholders, _slips in found for one in placeholders)]:
        problems.warn(placeholder.source, placeholder.line, placeholder.message())
    for _placeholders, slips in found:
        problems.extend(slips)


def _document_slips(doc: Document) -> tuple[list[Placeholder], Problems]:
    """One document's example texts and slips: remembered with the parsed texts (they are made from its text
    alone, and a thousand unchanged bodies would otherwise be searched again on every build)."""
    def make() -> tuple[list[Placeholder], Problems]:
        slips = Problems()
        _check_macros(doc, slips)
        _check_fences(doc, slips)
        _check_prose(doc, slips)
        _check_invisible(doc, slips)
        return list(_in_document(doc)), slips

    each = isinstance(doc, Page) and bool(doc.info.each)  # the one thing read besides the text (_check_macros)
    body = hashlib.sha256(doc.body.encode("utf-8", "surrogatepass")).hexdigest()
    return yamlfile.remembered(f"slips\0{each}\0{doc.source}\0{doc.body_line}\0{body}\0{doc.key_lines.text}", make)


# The names a chart block is given by mistake (```Chart, ```grafik): a code block of that name would show the
# chart's YAML as text on the page.
_CHART_NAMES = frozenset({"chart", "charts", "chrat", "cahrt", "grafik", "grafis", "graf", "bagan", "diagram",
                          "graph", "peta", "map"})
# A fence that opens a block (CommonMark: at most three spaces in, and a backtick fence's name has no backtick).
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}(?=[^`]*$)|~{3,})[ \t]*(?P<name>[\w-]*)")


def _check_fences(doc: Document, problems: Problems) -> None:
    """An error at a fenced block named almost as a chart block, which would be shown as code (a fence shown
    inside another block, as an example, is left alone)."""
    if "```" not in doc.body and "~~~" not in doc.body:
        return
    for number, _start, _line, found in _walk(doc):
        if found is None:
            continue
        name = found["name"]
        if name != "chart" and name.lower() in _CHART_NAMES:
            problems.add(doc.source, number, (_(
                "this block would be shown as text, not drawn: a chart block starts with ```chart, in small letters "
                "(not ```{name})") if name.lower() == "chart" else _(
                "this block would be shown as text, not drawn: a chart block starts with ```chart (not ```{name}), "
                "whatever the chart shows")).format(name=name))


# A file named by where it is on the writer's computer (C:\Users\..., file:///...): a reader's browser cannot open
# it, and the sanitiser drops such an address, leaving an empty picture or a link to nowhere.
_LOCAL_PATH = re.compile(r"(?:\]\(\s*<?|^\s{0,3}\[[^\]\n]+\]:\s*<?)(?P<address>(?:[A-Za-z]:[\\/]|file:|\\\\)[^)\s>]*)",
                         re.I | re.M)
# `value("ikm", ...)` written without its braces: shown as written
_BARE_CALL = re.compile(r"(?<![\w.])(?P<name>value|change)[ \t]*\([ \t]*[\"'][^\n]*?\)(?:[ \t]*\}+)?")
_LOCAL_START = re.compile(r"\](?:\(\s*<?|:[ \t]*<?)(?:[A-Za-z]:[\\/]|file:|\\\\)", re.I)  # found fast: `]` first
_MACRO_CALL = re.compile(r"\{\{-?[ \t]*(?:value|change)\(")
_JINJA_PARTS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)  # a comment is removed, not shown
_INDENTED = re.compile(r"^(?:\t| {4})[ \t]*\S")
# what a paragraph indented under it continues: a list item, or a footnote (`[^1]: ...`)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]|^ {0,3}\[\^[^\]]+\]:")


def _check_prose(doc: Document, problems: Problems) -> None:
    """Slips in a body's text that a build would otherwise publish as written, outside code blocks and code spans:
    a file named by its place on the writer's computer (an error), a macro without its braces, and a paragraph
    indented by a tab or four spaces, which Markdown shows as a block of code (warnings)."""
    body = doc.body  # each slip is looked for in the whole text first: most bodies have none, and are passed
    local = _LOCAL_START.search(body) is not None
    calls = body.count("value(") + body.count("change(")
    bare = calls > 0 and calls > len(_MACRO_CALL.findall(body))  # a call that does not open a macro
    indented = "\n\t" in body or "\n    " in body or body.startswith(("\t", "    "))
    if not (local or bare or indented):
        return
    jinja = [m.span() for m in _JINJA_PARTS.finditer(body)] if bare else []
    previous, before_blank, block = "", "", ""
    for number, start, line in _outside_fences(doc):
        if local:
            for found in _LOCAL_PATH.finditer(line):
                if not _in_code_span(line, found.start("address")):
                    problems.add(doc.source, number, _(
                        "`{address}` is a place on this computer, which readers' browsers cannot open: copy the file "
                        "next to the Markdown file and write its name, e.g. `{name}`").format(
                            address=found["address"], name=re.split(r"[\\/]", found["address"])[-1] or "foto.jpg"))
        if bare:
            for found in _BARE_CALL.finditer(line):
                at, before = start + found.start(), line[:found.start()].rstrip(" \t")
                if _in_code_span(line, found.start()) or any(a <= at < b for a, b in jinja) or \
                        _SINGLE_BRACES.match(line, len(before) - 1 if before.endswith("{") else found.start()):
                    continue  # a macro, an example in code, or one between single braces (_check_macros)
                text = line[len(before) - 1:found.end()] if before.endswith("{") else found.group(0)
                problems.warn(doc.source, number, _(
                    "`{text}` is shown as written: a macro stands between double braces, "
                    "`{{{{ {name}(...) }}}}`").format(text=text.strip(), name=found["name"]))
        if indented and _INDENTED.match(line) and not previous.strip() and not _continued(block, before_blank):
            problems.warn(doc.source, number, _(
                "this paragraph starts with a tab or four spaces, so it is shown as a block of code: remove the "
                "indentation (a paragraph needs none; a list item's or a footnote's second paragraph is indented "
                "under it; code on purpose goes between lines of ```)"))
        if line.strip():
            block = line if not previous.strip() else block  # the first line of the block the line is in
            before_blank = line
        previous = line


def _check_invisible(doc: Document, problems: Problems) -> None:
    """An error at each line of a body that holds an invisible control character (a manual line break or page
    break copied from Word or a PDF): a page shows it as nothing, or as a box, and the feed leaves it out."""
    if re.search(CONTROL, doc.body) is None:
        return
    for number, line in enumerate(doc.body.split("\n"), start=doc.body_line):
        found = re.search(CONTROL, line)
        if found:
            problems.add(doc.source, number, _(
                "this line holds an invisible character ({code}), which pages would show as nothing or as a box "
                "(it comes with text copied from Word or a PDF): retype the line, or delete the character").format(
                    code=f"U+{ord(found.group(0)):04X}"))


def _continued(block: str, last: str) -> bool:
    """Whether a paragraph indented after a blank line continues the block before it: a list item or a footnote
    (also when its text ran on unindented), an HTML block, or an indented block already."""
    return bool(_LIST_ITEM.match(block) or _LIST_ITEM.match(last)) or block.lstrip().startswith("<") or \
        last.startswith((" ", "\t"))


def _outside_fences(doc: Document) -> Iterator[tuple[int, int, str]]:
    """The body's lines outside fenced blocks (chart blocks and code): line number, offset in the body, text."""
    return ((number, start, line) for number, start, line, found in _walk(doc) if found is None)


def _walk(doc: Document) -> Iterator[tuple[int, int, str, re.Match[str] | None]]:
    """The body's lines outside fenced blocks, and each block's opening fence (with its match): line number,
    offset in the body, text; a block's other lines are left out."""
    inside, start = "", 0  # the fence of the block the line is in; where the line starts in the body
    for number, line in enumerate(doc.body.split("\n"), start=doc.body_line):
        found = _FENCE.match(line)
        at, start = start, start + len(line) + 1
        if inside:
            if found and found["fence"][0] == inside[0] and len(found["fence"]) >= len(inside) and not found["name"]:
                inside = ""
            continue
        if found:
            inside = found["fence"]
        yield number, at, line, found


def _in_code_span(line: str, at: int) -> bool:
    """Whether position `at` of a line is inside `code` (an odd number of backticks before it)."""
    return line.count("`", 0, at) % 2 == 1


def _check_articles(edition: Edition, problems: Problems) -> None:
    """A warning for an article dated far from its edition's period (a typo in the year hides it until that
    day, or files it under the wrong time) and for one whose title another article of the edition has (a copy
    saved under a new name, listed twice); an error for tags written as one text with commas."""
    first, last = period_days(edition.period)
    latest = period_days(edition.period.shifted(_LATE_PERIODS[edition.period.frequency]))[1]
    titles: dict[str, str] = {}
    for article in edition.articles:
        written = article.meta.get("tags")
        for tag in [written] if isinstance(written, str) else []:  # a list's item may hold a comma
            if "," in tag:  # one topic, `kota-kendari-sandang`, where two were meant
                problems.add(article.source, article.line_of("tags"), _(
                    "`{tag}` is one tag, as written: write several tags as a list, `tags: [{tags}]`").format(
                        tag=tag, tags=", ".join(part.strip() for part in tag.split(",") if part.strip())))
        if article.date is not None and not first <= article.date <= latest:
            problems.warn(article.source, article.line_of("date"), _far_date(article.date, first, last, latest))
        same = titles.setdefault(" ".join(article.title.casefold().split()), article.source)
        if same != article.source:
            problems.warn(article.source, article.line_of("title"), _(
                "{other} has the same title: a copy saved under a new name? Both are listed and sent in the "
                "feed").format(other=same))


def _far_date(date: dt.date, first: dt.date, last: dt.date, latest: dt.date) -> str:
    """Why an article's date is far from its edition's period: the slip that most likely made it."""
    said = {"date": date.isoformat(), "first": first.isoformat(), "last": last.isoformat()}
    slips = ((N_("a typo in the year?"), lambda: date.replace(year=first.year)),
             (N_("the day and the month swapped?"), lambda: dt.date(date.year, date.day, date.month)))
    for words, meant in slips:
        with suppress(ValueError):  # 29 February, a 13th month
            if first <= meant() <= latest and meant() != date:
                return _("the article is dated {date}, far from its edition's period ({first} to {last}): {slip} "
                         "Write {meant} (year-month-day)").format(slip=_(words), meant=meant().isoformat(), **said)
    return (_("the article is dated {date}, far from its edition's period ({first} to {last}): a typo? An article "
              "appears only from its date on") if date > latest else
            _("the article is dated {date}, far from its edition's period ({first} to {last}): a typo? It is listed "
              "by its date, among older articles")).format(**said)


_CURLY_OPEN, _CURLY_CLOSE = "\u201c\u2018", "\u201d\u2019"


def _check_macros(doc: Document, problems: Problems) -> None:
    plain = ("summary",) if isinstance(doc, Page) and doc.info.each else ("title", "summary")
    for key in ("title", "summary"):
        value = doc.meta.get(key)
        if isinstance(value, str) and len(value) > 1 and value[0] in _CURLY_OPEN and value[-1] in _CURLY_CLOSE and \
                value[0] not in value[1:-1]:  # `‘Kopi’ dan ‘Teh’` quotes two words; `“Jum’at”` is one title
            problems.warn(doc.source, doc.line_of(key), _(
                "`{key}` is in a word processor's curly quotes, {value}, which the page shows: YAML needs no quotes "
                "around it, or straight ones").format(key=key, value=f"{value[0]} {value[-1]}"))
    for key in plain:
        value = doc.meta.get(key)
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            # Panduan: Makro hanya bekerja di badan teks, `highlights`, kartu angka dan blok grafik.
            problems.add(doc.source, doc.line_of(key), _(
                "macros do not work in `{key}`, which is shown as written: quote the figure in the text below "
                "the front matter, or in `highlights`").format(key=key))
    body = doc.body
    for candidate in _MACRO_START.finditer(body):
        start = candidate.start()
        if start and body[start - 1] == "{":  # `{{ value(`: a macro
            continue
        found = _SINGLE_BRACES.match(body, start)
        if found:
            problems.warn(doc.source, doc.body_line + body.count("\n", 0, start), _(
                "`{text}` is shown as written: a macro stands between double braces, `{{{{ {name}(...) }}}}`").format(
                    text=found.group(0).strip(), name=found.group("name")))


def edition_placeholders(site_root: Path, edition: Edition) -> list[Placeholder]:
    """The example texts a published edition would show: its own, its articles', and the site's settings'."""
    return [*_in_settings(site_root), *_in_edition(edition, drafts=False)]


def _in_settings(site_root: Path) -> list[Placeholder]:
    return [*_in_file(site_root, "site.yaml"), *_in_file(site_root, PACKAGE_FILE)]


def _in_edition(edition: Edition, drafts: bool) -> list[Placeholder]:
    found = list(_in_document(edition))
    for article in edition.articles:
        if drafts or not article.draft:
            found += _in_document(article)
    return found


def _in_file(site_root: Path, rel: str) -> Iterator[Placeholder]:
    try:
        text = (site_root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeError):  # a missing or unreadable file is reported where it is read
        return
    yield from _in_lines(rel, text, 1)


def _in_document(doc: Document) -> Iterator[Placeholder]:
    for key, value in doc.meta.items():
        for index, text in _strings(value):
            for example in _IN_FRONT_MATTER:
                if example in text:
                    yield Placeholder(doc.source, doc.line_of(key, *index) or doc.line_of(key), example)
    yield from _in_lines(doc.source, doc.body, doc.body_line, _IN_BODIES)


def _in_lines(source: str, text: str, first_line: int, examples: tuple[str, ...] = EXAMPLES) -> Iterator[Placeholder]:
    if not any(example in text for example in examples):  # the usual case, found quickest on the whole text
        return
    for number, line in enumerate(text.splitlines(), first_line):
        for example in examples:
            if example in line:
                yield Placeholder(source, number, example)


def _strings(value: Any, index: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], str]]:
    """Every text of a front matter value, with its place in a list."""
    if isinstance(value, str):
        yield index, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*index, i))
