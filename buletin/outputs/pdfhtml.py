"""HTML bodies as the edition PDF's data: a tree of blocks and inlines that theme/pdf/edition.typ lays out.

The HTML is read as browsers read it (html.parser, forgiving), and only its meaning is kept: headings,
paragraphs, lists, quotes, tables placed on a grid, code, links as absolute addresses, emphasis, pictures
and the figures where their placeholders stand. White space collapses as a browser collapses it; nesting is
bounded, so no body can make the converter or Typst recurse without end. Nothing here knows the site model:
a `Page` says where the body is and makes its figures and pictures.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin

MAX_BLOCK_DEPTH = 8  # nested lists and quotes beyond this are flattened (Typst allows 80 nested calls)
MAX_INLINE_DEPTH = 6  # nested emphasis and links beyond this keep only their text
MAX_TREE_DEPTH = 64  # elements nested deeper than this are read as their content (no recursion runs away)
MAX_COLUMNS = 40  # of a table in a body
MAX_SPAN = 100  # colspan and rowspan
_PLACEHOLDER = re.compile(r"BULETINFIGURE(\d+)X")
_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space; a no-break space is not one
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)

Node = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """Where a body stands, and how its figures and pictures become nodes."""

    path: str  # the page's output path, for relative links and pictures
    url: str | None  # its absolute address (None without base_url: relative links stay text)
    files: Mapping[str, bytes]  # output path -> bytes: the pictures a body may show
    figure: Callable[[int], Node | None]  # the node of the figure of placeholder n (None: no such figure)
    picture: Callable[[bytes | None, str, list[str]], Node]  # a picture's node from its bytes, alt and notes


def blocks(html: str, page: Page) -> list[Node]:
    """A body as blocks."""
    return _Converter(page).blocks(_parse(html), 0)


def inlines(html: str, page: Page) -> list[Node]:
    """A line of inline HTML (a main point) as inline nodes."""
    return _tidy(_Converter(page).inlines(_parse(html), 0))


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str]


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
         "wbr"}
_BLOCKS = {"address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
           "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
           "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
           "thead", "tr", "ul"}
_HIDDEN = {"script", "style", "template", "noscript", "svg", "math", "iframe", "object", "video", "audio",
           "canvas", "head", "title", "select", "textarea", "button", "input"}
_INLINE_KIND = {"em": "em", "i": "em", "cite": "em", "dfn": "em", "var": "em", "strong": "strong", "b": "strong",
                "sup": "sup", "sub": "sub", "del": "del", "s": "del", "strike": "del", "ins": "u", "u": "u",
                "mark": "mark", "small": "small"}
_CODE = {"code", "kbd", "samp", "tt"}


class _TreeBuilder(HTMLParser):
    """HTML -> a tree of elements and strings (entities decoded), forgiving as browsers are."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("body", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS and any(e.tag == "p" for e in self.stack[1:]) and tag not in ("caption",):
            self._close("p")  # a block ends an open paragraph
        if tag == "li" and self.stack[-1].tag == "li":
            self.stack.pop()
        element = _Element(tag, {k: v or "" for k, v in attrs}, [])
        self.stack[-1].children.append(element)
        if tag not in _VOID and len(self.stack) < MAX_TREE_DEPTH:  # deeper: its content goes to the last one
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        self._close(tag)

    def _close(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _parse(html: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _text_of(node: _Element | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag in _HIDDEN:
        return ""
    return "".join(_text_of(child) for child in node.children)


class _Converter:
    """One body's HTML -> blocks and inlines the template knows; figures go where their placeholders stand."""

    def __init__(self, page: Page):
        self.page = page
        self.path = page.path
        self.page_url = page.url

    # blocks

    def blocks(self, node: _Element, depth: int) -> list[dict[str, Any]]:
        """The blocks of an element's children: runs of inline content become paragraphs."""
        out: list[dict[str, Any]] = []
        run: list[dict[str, Any]] = []
        lifted: list[dict[str, Any]] = []  # pictures and figures found inside inline content

        def flush() -> None:
            items = _tidy(run)
            if items:
                out.append({"k": "p", "c": items})
            run.clear()
            out.extend(lifted)
            lifted.clear()

        for child in node.children:
            if isinstance(child, str):
                for piece in self._pieces(child):
                    if isinstance(piece, dict):
                        flush()
                        out.append(piece)
                    else:
                        run.append({"k": "t", "s": piece})
            elif child.tag in _HIDDEN:
                continue
            elif child.tag == "img":
                flush()
                out.append(self.image(child))
            elif child.tag in _BLOCKS:
                flush()
                out.extend(self.block(child, depth))
            else:
                run.extend(self.inline(child, depth, lifted))
        flush()
        return out

    def block(self, node: _Element, depth: int) -> list[dict[str, Any]]:
        tag, deeper = node.tag, depth + 1
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            lifted: list[dict[str, Any]] = []
            items = _tidy(self.inlines(node, depth, lifted))
            return ([{"k": "h", "l": max(2, int(tag[1])), "c": items}] if items else []) + lifted
        if tag == "hr":
            return [{"k": "hr"}]
        if tag == "pre":
            return [{"k": "pre", "s": _text_of(node).strip("\n")}]
        if depth >= MAX_BLOCK_DEPTH:  # deeper still: its content, flat
            return self.blocks(node, depth)
        if tag == "table":
            return self.table(node, depth)
        if tag in ("ul", "ol"):
            entries = [self.blocks(child, deeper) for child in node.children
                       if isinstance(child, _Element) and child.tag not in _HIDDEN]
            if not entries:
                return []
            if tag == "ul":
                return [{"k": "ul", "i": entries}]
            return [{"k": "ol", "i": entries, "s": _integer(node.attrs.get("start"), 1, 1_000_000, 1)}]
        if tag == "blockquote":
            return [{"k": "quote", "c": self.blocks(node, deeper)}]
        if tag == "dd":
            return [{"k": "dd", "c": self.blocks(node, deeper)}]
        if tag in ("dt", "summary", "figcaption", "caption"):
            label = _tidy(self.inlines(node, depth))
            return [{"k": "p", "c": [{"k": "strong", "c": label}]}] if label else []
        if tag == "div" and "footnote" in node.attrs.get("class", "").split():
            return [{"k": "small", "c": self.blocks(node, deeper)}]
        return self.blocks(node, deeper)  # p, div, section, li outside a list, ...: their content

    def _pieces(self, text: str) -> list[str | dict[str, Any]]:
        """Text with figure placeholders: the text between them, and each figure."""
        if "BULETINFIGURE" not in text:
            return [text]
        out: list[str | dict[str, Any]] = []
        last = 0
        for match in _PLACEHOLDER.finditer(text):
            out.append(text[last:match.start()])
            figure = self.page.figure(int(match.group(1)))
            if figure is not None:  # as the page does: a placeholder of no figure shows nothing
                out.append(figure)
            last = match.end()
        out.append(text[last:])
        return [piece for piece in out if piece != ""]

    def image(self, node: _Element) -> dict[str, Any]:
        src = node.attrs.get("src", "")
        data = None
        if src and not _SCHEME.match(src) and not src.startswith("/"):
            src = unquote(src.split("#")[0].split("?")[0])  # the parser has unescaped the attribute already
            data = self.page.files.get(posixpath.normpath(posixpath.join(posixpath.dirname(self.path), src)))
        notes = [node.attrs["title"]] if node.attrs.get("title") else []
        return self.page.picture(data, node.attrs.get("alt", ""), notes)

    def table(self, node: _Element, depth: int) -> list[dict[str, Any]]:
        """A table with its cells placed on a grid (colspan, rowspan), header rows first."""
        caption: list[dict[str, Any]] = []
        head: list[_Element] = []
        body: list[_Element] = []
        for child in node.children:
            if not isinstance(child, _Element):
                continue
            if child.tag == "caption":
                caption = _tidy(self.inlines(child, depth))
            elif child.tag == "thead":
                head += [row for row in child.children if isinstance(row, _Element) and row.tag == "tr"]
            elif child.tag in ("tbody", "tfoot"):
                body += [row for row in child.children if isinstance(row, _Element) and row.tag == "tr"]
            elif child.tag == "tr":
                body.append(child)
        rows = head + body
        taken: set[tuple[int, int]] = set()
        cells: list[dict[str, Any]] = []
        for y, row in enumerate(rows):
            x = 0
            for cell in row.children:
                if not isinstance(cell, _Element) or cell.tag not in ("td", "th"):
                    continue
                while (x, y) in taken:
                    x += 1
                if x >= MAX_COLUMNS:
                    break
                span = min(_integer(cell.attrs.get("colspan"), 1, MAX_SPAN, 1), MAX_COLUMNS - x)
                last_row = len(head) if y < len(head) else len(rows)  # a header cell stays in the header
                down = min(_integer(cell.attrs.get("rowspan"), 1, MAX_SPAN, 1), last_row - y)
                while any((x + i, y + j) in taken for i in range(span) for j in range(down)):
                    span, down = (span - 1, down) if span > 1 else (span, down - 1)
                taken.update((x + i, y + j) for i in range(span) for j in range(down))
                align = next((a for a in ("right", "center", "left")
                              if f"align-{a}" in cell.attrs.get("class", "") or f"text-align: {a}"
                              in cell.attrs.get("style", "") or cell.attrs.get("align") == a), "")
                cells.append({"x": x, "y": y, "cs": span, "rs": down, "h": cell.tag == "th", "a": align,
                              "c": self.blocks(cell, min(depth + 1, MAX_BLOCK_DEPTH))})
                x += span
        if not cells:
            return [{"k": "p", "c": caption}] if caption else []
        columns = max(placed["x"] for placed in cells) + 1  # as browsers do: no column where no cell starts
        for placed in cells:
            placed["cs"] = min(placed["cs"], columns - placed["x"])
        return [{"k": "table", "cols": columns, "hr": len(head), "cells": cells, "caption": caption}]

    # inlines

    def inlines(self, node: _Element, depth: int, lifted: list[dict[str, Any]] | None = None) -> list:
        """The inline content of an element's children; pictures and figures inside go to `lifted`."""
        out: list[dict[str, Any]] = []
        lifted = lifted if lifted is not None else []
        for child in node.children:
            if isinstance(child, str):
                for piece in self._pieces(child):
                    if isinstance(piece, dict):
                        lifted.append(piece)
                    else:
                        out.append({"k": "t", "s": piece})
            else:
                out.extend(self.inline(child, depth, lifted))
        return out

    def inline(self, node: _Element, depth: int, lifted: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tag, deeper = node.tag, depth + 1
        if tag in _HIDDEN or tag == "wbr":
            return []
        if tag == "br":
            return [{"k": "br"}]
        if tag == "img":
            lifted.append(self.image(node))
            return []
        if tag in _CODE:
            return [{"k": "code", "s": _SPACE.sub(" ", _text_of(node))}]
        if tag == "a":
            if "footnote-backref" in node.attrs.get("class", "").split():
                return []
            content = self.inlines(node, deeper, lifted)
            url = self.link(node.attrs.get("href", ""))
            if not url or depth >= MAX_INLINE_DEPTH:
                return content
            shown = _SPACE.sub(" ", _text_of(node)).strip()
            plain = url.split(":", 1)[1] if url.startswith(("mailto:", "tel:")) else url
            show = url.startswith(("http://", "https://")) and shown not in (url, plain, url.rstrip("/"))
            return [{"k": "a", "u": url, "c": content, "show": show}]
        if tag == "q":
            return [{"k": "t", "s": "“"}, *self.inlines(node, deeper, lifted), {"k": "t", "s": "”"}]
        kind = _INLINE_KIND.get(tag)
        content = self.inlines(node, deeper, lifted)
        if kind is None or depth >= MAX_INLINE_DEPTH:
            return content
        return [{"k": kind, "c": content}]

    def link(self, href: str) -> str | None:
        """Where a link leads, as an absolute address a PDF can open; None where it has none (an anchor of the
        page, or a relative link on a site without base_url)."""
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        scheme = _SCHEME.match(href)
        if scheme:
            return href if scheme.group(1).lower() in ("http", "https", "mailto", "tel") else None
        if self.page_url is None:
            return None
        return urljoin(self.page_url, href)


def _integer(text: str | None, low: int, high: int, default: int) -> int:
    try:
        return max(low, min(high, int((text or "").strip())))
    except ValueError:
        return default


def _tidy(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Collapse white space as a browser does: runs become one space, none at the start or end of a paragraph
    or after a line break; adjacent texts merge, empty elements go."""
    state = {"space": True}  # the last character shown was a space (or nothing yet)

    def walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for node in nodes:
            kind = node["k"]
            if kind == "t":
                text = _SPACE.sub(" ", node["s"])
                if state["space"]:
                    text = text.lstrip(" ")
                if not text:
                    continue
                state["space"] = text.endswith(" ")
                if out and out[-1]["k"] == "t":
                    out[-1] = {"k": "t", "s": out[-1]["s"] + text}
                else:
                    out.append({"k": "t", "s": text})
            elif kind == "br":
                if out and out[-1]["k"] == "t":
                    out[-1] = {"k": "t", "s": out[-1]["s"].rstrip(" ")}
                out.append(node)
                state["space"] = True
            elif kind == "code":
                if node["s"]:
                    out.append(node)
                    state["space"] = node["s"].endswith(" ")
            else:
                children = walk(node["c"])
                if children:
                    out.append({**node, "c": children})
        return out

    result = walk(items)
    _strip_end(result)
    return result


def _strip_end(nodes: list[dict[str, Any]]) -> None:
    """No space at the end of a paragraph (inside its last element too)."""
    while nodes:
        last = nodes[-1]
        if last["k"] == "t":
            text = last["s"].rstrip(" ")
            if text:
                nodes[-1] = {"k": "t", "s": text}
                return
            nodes.pop()
        elif "c" in last:
            _strip_end(last["c"])
            if last["c"]:
                return
            nodes.pop()
        else:
            return

