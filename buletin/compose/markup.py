"""Markdown -> HTML with the contract's extensions; raw HTML sanitised unless the site allows it."""
from __future__ import annotations

import re
import sys
from html import unescape
from typing import Any

from buletin.compose.limits import SECONDS, TookTooLong, TooMuchWork, deadline
from buletin.messages import _, number

PRINTED, PRINTED_END = "\ue000", "\ue001"  # around what `{{ }}` printed in a body, until Markdown is done
RESERVED_WORD = "BULETINFIGURE"  # no body may hold it: it marks where a chart block's figure goes
FIGURE_PLACEHOLDER = RESERVED_WORD + "{}X"  # where a chart block stood in a body, until its figure is put there
_PLACEHOLDERS = re.compile(RESERVED_WORD + r"\d+X")
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|b|code|em|i|mark|small|span|strong|sub|sup)\b[^>]*>")

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "role"},
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "sup": {"id"},
}


class Markup:
    """One reusable Markdown converter (python-markdown instances are costly to build)."""

    def __init__(self, allow_raw_html: bool = False, table_label: str = "Tabel"):
        self.allow_raw_html = allow_raw_html
        self.table_label = table_label
        self._converter = None  # made on first use: a build whose bodies are all cached never needs it

    @property
    def _md(self):
        if self._converter is None:
            self._converter = _markdown()
        return self._converter

    def convert(self, text: str) -> str:
        """Markdown text -> HTML fragment; headings shift down one level (the page title is the h1). TooMuchWork
        for a text python-markdown cannot take: nested hundreds deep, or one it would work on for minutes (a
        run of thousands of `[`)."""
        self._md.reset()
        try:
            with deadline(SECONDS):
                converted = self._md.convert(text)
        except RecursionError:
            raise TooMuchWork(_("lists or quotes are nested hundreds of levels deep: write the text flatter")) from None
        except TookTooLong:
            raise TooMuchWork(_("Markdown takes more than {seconds} s on this text (thousands of `[` or `*` in a "
                                "row?): write it plainly").format(seconds=number(SECONDS))) from None
        converted = printed_as_text(converted)
        _check_depth(converted)
        html = _own_ids(_demote_h1(converted))
        if not self.allow_raw_html:
            html = sanitise(html)
        return _scrolling_tables(_alignment_classes(html), self.table_label)


_PRINTED = re.compile(f"{PRINTED}([^{PRINTED}{PRINTED_END}]*){PRINTED_END}")
_AS_TEXT = str.maketrans({"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


def printed_as_text(html: str) -> str:
    """The HTML Markdown made, with what `{{ }}` printed made text: its `<`, `>` and quotes escaped where Markdown
    left them as they were (as markup, or inside an attribute), its marks removed. Markdown escapes `<` in code
    and `&` everywhere itself, so a printed value reads in the page as it was printed, code included."""
    if PRINTED not in html:
        return html
    return unmarked(_PRINTED.sub(lambda m: m.group(1).translate(_AS_TEXT), html))


def unmarked(text: str) -> str:
    """`text` without the marks of what `{{ }}` printed."""
    return text.replace(PRINTED, "").replace(PRINTED_END, "")


MAX_DEPTH = 1000  # elements inside elements: a page has tens; the sanitiser takes time with the square of it
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
# Elements that hold nothing, and those HTML closes by itself at the next of their kind (`<li>a<li>b`): no depth
_FLAT = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
                   "colgroup", "caption", "rt", "rp"})


_MODES = frozenset({"svg", "math", "foreignobject", "desc", "title", "annotation-xml"})  # where the way changes


def _check_depth(html: str) -> None:
    """TooMuchWork for HTML nested deeper than MAX_DEPTH (200,000 `<div>` kept a build busy for minutes)."""
    if html.count("<") <= MAX_DEPTH:  # too few tags to nest that deep: most bodies
        return
    if "<!--" in html:
        html = re.sub(r"<!--.*?(?:-->|$)", "", html, flags=re.S)  # what a comment holds is no element
    depth, modes = 0, [False]  # whether `<x/>` holds nothing, as in XML: inside <svg> or <math>, not in their HTML
    for closing, name, empty in _TAG.findall(html):
        name = name.lower()
        if closing:  # the end of an element that added no depth takes none away (`<div><p>a</p>` is one deep)
            depth = depth if name in _FLAT else max(depth - 1, 0)
            if name in _MODES and len(modes) > 1:
                modes.pop()
        elif not (empty and (modes[-1] or name in ("svg", "math"))) and name not in _FLAT:  # HTML ignores the
            depth += 1  # `/` of `<div/>`: it opens an element
            if name in ("svg", "math") or (modes[-1] and name in _MODES):
                modes.append(name in ("svg", "math"))  # foreignObject, desc, title, annotation-xml hold HTML
            if depth > MAX_DEPTH:
                raise TooMuchWork(_("HTML elements are nested more than {limit} deep here (a page needs some tens): "
                                    "write the text flatter").format(limit=number(MAX_DEPTH)))


def _markdown():
    """A converter with the contract's extensions, given as objects: by name, python-markdown would look them up
    among the installed packages' entry points (importlib.metadata), which costs more than a short article."""
    import markdown
    from markdown.extensions.attr_list import AttrListExtension
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension
    from markdown.extensions.toc import TocExtension

    extensions = [TableExtension(), _fenced_code(), FootnoteExtension(BACKLINK_TITLE="%d"),
                  AttrListExtension(), TocExtension(permalink=False), SaneListExtension()]
    return markdown.Markdown(extensions=extensions, output_format="html")


def _fenced_code() -> Any:
    """python-markdown's fenced-code extension, imported without Pygments: it imports the code-highlighting
    extension, which imports Pygments where it happens to be installed (about 20 ms a build), though
    highlighting is only used when that extension is configured, which buletin never does."""
    blocked = "markdown.extensions.fenced_code" not in sys.modules and "pygments" not in sys.modules
    if blocked:
        sys.modules["pygments"] = None  # type: ignore[assignment]  # None: `import pygments` fails at once
    try:
        from markdown.extensions.fenced_code import FencedCodeExtension
    finally:
        if blocked:
            del sys.modules["pygments"]
    return FencedCodeExtension()


_ALIGN = re.compile(r'<(td|th)([^>]*?) style="text-align: ?(left|right|center);?"')


def _alignment_classes(html: str) -> str:
    """A table column's alignment as a class: the pages' security policy allows no inline styles."""
    if "text-align" not in html:
        return html
    return _ALIGN.sub(r'<\1\2 class="align-\3"', html)


def _scrolling_tables(html: str, label: str) -> str:
    """A wide table scrolls inside its own box (keyboard-reachable) instead of widening a phone's page."""
    if "<table" not in html:
        return html
    opening = f'<div class="table-scroll" tabindex="0" role="region" aria-label="{label}"><table'
    return re.sub(r"<table\b", opening, html).replace("</table>", "</table></div>")


# The ids the theme gives parts of a page (templates: the main text, search, sharing, figures and tables, main
# points, an edition's own sections): a heading of a body that would take one gets `_1`, as toc does for a repeat.
_THEME_IDS = re.compile(r'(<h[2-6]\b[^>]*?\sid=")(isi|search|q|share-url|share-title|(?:gambar|tabel|figure|table)-\d+'
                        r'|poin-[^"]*|edisi--[^"]*)(")')


def _own_ids(html: str) -> str:
    """A body's headings keep ids of their own: `## Isi` would take the main text's, the skip link's target."""
    if "id=" not in html or not _THEME_IDS.search(html):
        return html
    used = set(re.findall(r'\sid="([^"]+)"', html))

    def own(match: re.Match[str]) -> str:
        number = 1
        while f"{match.group(2)}_{number}" in used:
            number += 1
        used.add(f"{match.group(2)}_{number}")
        return f"{match.group(1)}{match.group(2)}_{number}{match.group(3)}"

    return _THEME_IDS.sub(own, html)


def _demote_h1(html: str) -> str:
    """`# Heading` in a body becomes h2, so each page keeps one h1 and headings stay in order."""
    if "<h1" not in html:
        return html
    for level in range(5, 0, -1):
        html = re.sub(rf"<(/?)h{level}\b", rf"<\1h{level + 1}", html)
    return html


INLINE_TAGS = {"a", "abbr", "b", "br", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small",
               "span", "strong", "sub", "sup", "u"}


def sanitise(html: str, inline: bool = False) -> str:
    """Remove scripts, event handlers and javascript: URLs (nh3, the ammonia sanitiser); with `inline`, keep
    only the tags a line of text has (a main point holds no image, table or heading)."""
    import nh3

    return nh3.clean(html, tags=INLINE_TAGS if inline else _ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     link_rel=None, url_schemes={"http", "https", "mailto", "tel"},
                     filter_style_properties={"text-align"}, strip_comments=True)


def plain_text(html: str, limit: int = 0) -> str:
    """HTML -> text (figures left out), cut at a word boundary after `limit` characters when given."""
    if limit and len(html) > limit * 8:  # an excerpt needs only the start: read no more than that
        head = html[:html.rfind(">", 0, limit * 8) + 1]
        if head.count("<figure") == head.count("</figure>"):
            text = plain_text(head)
            if len(text) > limit:
                return text[:limit].rsplit(" ", 1)[0] + " …"
    html = _INLINE_TAGS.sub("", _PLACEHOLDERS.sub(" ", _without_figures(html)))  # "<em>penting</em>." reads
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())  # "penting.", not "penting ."
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


_FIGURE = re.compile(r"<figure\b")


def _without_figures(html: str) -> str:
    """The HTML without its figures, in one pass (a regex over figures without their end tag, written by hand,
    went back over the rest of the text for each)."""
    parts, at = [], 0
    while (start := _FIGURE.search(html, at)) is not None and (end := html.find("</figure>", start.end())) >= 0:
        parts += [html[at:start.start()], " "]
        at = end + len("</figure>")
    return "".join(parts) + html[at:]
