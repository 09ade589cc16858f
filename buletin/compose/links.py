"""Links and images written relative to a Markdown file, made to work from its page."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from buletin.model import SiteModel, views
from buletin.problems import Problems
from buletin.urls import relative

_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
# Anything a browser would fetch by itself while showing the page (raw HTML may hold more than images).
_FETCHED = re.compile(r'<(?:img|source|video|audio|track|iframe|embed|object|script|input)\b[^>]*?'
                      r'\b(?:src|srcset|poster|data)=["\']?([^"\'\s>]+)', re.I)
_LINK = re.compile(r'(<a\b[^>]*?\bhref=")([^"#?]+\.md)((?:#[^"]*)?")')
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.I)


def _source_of(view) -> object:
    return getattr(view, "article", None) or getattr(view, "edition", None) or view.page


def resolve(model: SiteModel, site_root: Path, problems: Problems) -> None:
    """Copy images beside the pages that show them; turn links to .md files into links to their pages."""
    pages = {_source_of(v).source: v.path for v in views(model) if getattr(v, "row", None) is None}
    content = (site_root / "content").resolve()
    for view in views(model):
        doc = _source_of(view)
        folder = posixpath.dirname(doc.source)

        def image(match: re.Match[str], view=view, doc=doc, folder=folder) -> str:
            src = match.group(2)
            if _EXTERNAL.match(src):
                return match.group(0)  # reported by _check_fetched
            file = (site_root / folder / src).resolve()
            if not file.is_relative_to(content) or not file.is_file():
                problems.add(doc.source, _line_of(doc, src), f"image `{src}` not found (looked for "
                             f"{posixpath.normpath(posixpath.join(folder, src))}; put it in content/)")
                return match.group(0)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(view.path), src))
            model.files[target] = file.read_bytes()
            return match.group(0)

        def link(match: re.Match[str], view=view, doc=doc, folder=folder) -> str:
            href = match.group(2)
            if _EXTERNAL.match(href):
                return match.group(0)
            target = pages.get(posixpath.normpath(posixpath.join(folder, href)))
            if target is None:
                problems.add(doc.source, _line_of(doc, href), f"link to `{href}`: no page is made from that file "
                             "(a typo, a draft, or an item dated in the future?)")
                return match.group(0)
            return match.group(1) + relative(view.path, target) + match.group(3)

        _check_fetched(view.body.html, doc, problems)
        html = _IMAGE.sub(image, view.body.html)
        view.body.html = _LINK.sub(link, html)


def _check_fetched(html: str, doc, problems: Problems) -> None:
    """Nothing a page shows may come from another host (a tracking pixel) or from outside the site."""
    for src in sorted(set(_FETCHED.findall(html))):
        url = src.split(",")[0].split()[0] if src else src
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.I):
            problems.add(doc.source, _line_of(doc, src), f"`{url[:80]}` would be loaded from another host "
                         "each time the page is read (and could track readers): download the picture and put "
                         "it next to the Markdown file, then write its file name")
        elif url.startswith("/"):
            problems.add(doc.source, _line_of(doc, src), f"`{url[:80]}` is an absolute path: name the picture "
                         "relative to the Markdown file, e.g. `foto.jpg` next to it")


def _line_of(doc, text: str) -> int | None:
    """The line of the file's body where `text` stands as a link or an image's address, else anywhere."""
    lines = doc.body.split("\n")
    for pattern in (f"]({text}", f'src="{text}"', f"src='{text}'", f"src={text}", f'href="{text}"', f"]: {text}"):
        for number, line in enumerate(lines, start=doc.body_line):
            if pattern in line:
                return number
    for number, line in enumerate(lines, start=doc.body_line):
        if text in line:
            return number
    return None


_REFERENCE = re.compile(r'<(?:a|img|link|script)\b[^>]*?\b(?:href|src)="([^"]+)"')


def check_internal(model: SiteModel, files: dict[str, bytes], problems: Problems) -> None:
    """Every relative link written in Markdown must reach a file of the site (the theme's own are tested)."""
    for view in views(model):
        page = view.path
        for href in sorted(set(_REFERENCE.findall(view.body.html))):
            if _EXTERNAL.match(href) or href.startswith("mailto:"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href.split("#")[0].split("?")[0]))
            if target.startswith("..") or target in files or f"{target}/index.html" in files or target == ".":
                continue
            doc = _source_of(view)
            problems.add(doc.source, _line_of(doc, href), f"link `{href}` leads to no page or file of the site "
                         "(to link to another article, write its file name, e.g. `other-article.md`)")
