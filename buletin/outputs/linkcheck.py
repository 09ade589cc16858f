"""Every relative link of every body reaches a file of the site: checked against the files a build made, or,
for `check`, against every address the build would write (known without rendering a page); and, once the pages
are rendered, every link to a part of a page (`#...`) reaches an element of it."""
from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from buletin.compose import links
from buletin.inputs.catalog import Catalog
from buletin.inputs.content import Document
from buletin.messages import _
from buletin.model import SiteModel, views
from buletin.outputs import pdf, writer
from buletin.outputs.calendar import calendar_ics_path
from buletin.outputs.downloads import data_files
from buletin.outputs.headers import HEADERS_FILE
from buletin.outputs.manifest import MANIFEST
from buletin.outputs.render import page_jobs
from buletin.problems import Problems, nearest
from buletin.urls import file_name

_ANCHOR_LINK = re.compile(r'<a\b[^<>]*?\bhref="([^":]*#[^"]+)"')  # relative (no scheme), with a fragment
_ID = re.compile(rb"""\sid\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s"'<>=`]+))""", re.I)  # raw HTML may quote so, or not
_A_NAME = re.compile(rb"""<a\b[^>]*?\sname\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s"'<>=`]+))""", re.I)  # not <meta name>
_HEADING_ID = re.compile(rb'<h[2-6]\b[^>]*?\sid="([^"]+)"')


def check_links(model: SiteModel, paths: set[str], problems: Problems) -> None:
    """Report every link of a body that leads to none of `paths`, at its line, and every page whose folder is
    also a file."""
    check_addresses(model, paths, problems)
    for view in views(model):
        links.check_internal(view.body.html, view.document, view.path, paths, problems)


def check_anchors(model: SiteModel, files: Mapping[str, bytes], problems: Problems) -> None:
    """Warn of a link to a part of a page (`#...`, or `page.md#...`) that the rendered page has no element for:
    it opens the page at its top. A warning, as the page is reached; a missing page is check_links' error."""
    found: dict[str, tuple[set[str], list[str]]] = {}
    for view in views(model):
        if "#" not in view.body.html:
            continue
        for href in sorted(set(_ANCHOR_LINK.findall(view.body.html))):
            address, _sep, escaped = href.partition("#")
            fragment = html.unescape(escaped)  # as written in the Markdown
            anchor = unquote(fragment)
            page = _page_of(view.path, file_name(address), files)
            if page is None or anchor.lower() == "top" or anchor.startswith(":~:"):  # both are the browser's own
                continue
            if page not in found:
                found[page] = _ids(files[page])
            ids, headings = found[page]
            if anchor not in ids:
                line, written = _written(view.document, fragment)
                problems.warn(view.document.source, line,
                              _anchor_message(written or html.unescape(href), anchor, page == view.path, headings))


def _page_of(page: str, name: str, files: Mapping[str, bytes]) -> str | None:
    """The page a link from `page` to the file `name` leads to, if it is one of `files` (a PDF or a picture has
    no parts to check)."""
    if not name:
        return page
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), name))
    for path in (target, posixpath.normpath(f"{target}/index.html")):  # `../../` is the home page, index.html
        if path.endswith(".html") and path in files:
            return path
    return None


def _written(doc: Document, fragment: str) -> tuple[int | None, str | None]:
    """The line of the body where a link to `#fragment` is written, and the address as written there."""
    pattern = re.compile(r"([^\s()<>\[\]\"']*)#" + re.escape(fragment) + r"(?![\w:.-])")
    for number, line in enumerate(doc.body.split("\n"), start=doc.body_line):
        written = pattern.search(line)
        if written:
            return number, written.group(0)
    return None, None


def _ids(page: bytes) -> tuple[set[str], list[str]]:
    """Every id (and old-style anchor name) of a page, and its headings' ids in order."""
    def text(found: bytes) -> str:
        return html.unescape(found.decode("utf-8", "replace"))

    ids = {text(b"".join(found)) for pattern in (_ID, _A_NAME) for found in pattern.findall(page)}
    return ids, [text(i) for i in _HEADING_ID.findall(page)]


def _anchor_message(link: str, anchor: str, same_page: bool, headings: list[str]) -> str:
    """The warning for a link to a part that its page does not have, with the heading meant or the page's
    headings."""
    if same_page:
        message = _("the link `{link}` leads to no part of this page, so it opens at the page's top: correct what "
                    "follows `#`").format(link=link)
    else:
        message = _("the link `{link}` leads to a page that has no part `#{anchor}`, so it opens at that page's top: "
                    "correct what follows `#`").format(link=link, anchor=anchor)
    guess = nearest(anchor, headings) if headings else None
    if guess:
        return message + " " + _("(did you mean `#{anchor}`?)").format(anchor=guess)
    if headings:
        shown = ", ".join(f"#{heading}" for heading in headings[:8]) + (", …" if len(headings) > 8 else "")
        return message + " " + _("(the page's headings: {anchors})").format(anchors=shown)
    return message + " " + _("(the page has no headings to link to)")


def check_addresses(model: SiteModel, paths: set[str], problems: Problems) -> None:
    """Report a file whose address is also a page's folder (an article `foto.svg.md` beside a picture `foto.svg`
    of its edition), at the page's source: one of the two could not be written."""
    folders: set[str] = set()
    for path in paths:
        folder = posixpath.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    sources = {view.path: view.document.source for view in views(model)}
    for folder in sorted(paths & folders):
        inside = [p for p in paths if p.startswith(f"{folder}/")]
        page = min((p for p in inside if p in sources), default=min(inside))  # a page, whose source can be named
        problems.add(sources.get(page, page), None, _(
            "this page's address `{page}` needs a folder `{folder}/`, but the site also publishes a file `{folder}` "
            "(a picture, a chart or a download of that name): rename this file or that one").format(
                page=page, folder=folder))


def planned_paths(model: SiteModel, site_root: Path, assets: dict[str, bytes], frozen: dict[str, Catalog]) -> set[str]:
    """Every path a build of `model` would write (`frozen`: each published period's catalog)."""
    paths = {job.path for job in page_jobs(model)} | set(model.files) | set(writer.fingerprint(assets)[1])
    paths |= set(data_files(site_root, model.catalog)[1])
    for period, catalog in shown_snapshots(model, frozen).items():
        paths |= set(data_files(site_root, catalog, prefix=f"{period}/data/")[1])
    paths |= {"feed.xml", "robots.txt", HEADERS_FILE, MANIFEST, calendar_ics_path(model.locale)}
    if model.config.base_url:  # a sitemap needs full addresses
        paths.add("sitemap.xml")
    if model.config.pdf:
        paths |= {pdf.pdf_path(model.config, view) for view in model.editions}
    return paths


def shown_snapshots(model: SiteModel, frozen: dict[str, Catalog]) -> dict[str, Catalog]:
    """The published editions' snapshots whose edition the site shows (one released later is not online yet, nor
    are its data)."""
    shown = {str(view.edition.period) for view in model.editions}
    return {period: catalog for period, catalog in frozen.items() if period in shown}
