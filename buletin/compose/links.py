"""Links and images written relative to a Markdown file, made to work from its page."""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from buletin.compose.composer import Body
from buletin.compose.images import active_svg, intrinsic_size, too_many_pixels, with_sizes
from buletin.compose.rawhtml import browser_form, is_remote, raw_fetches
from buletin.inputs.content import IMAGE_TYPES, Document
from buletin.inputs.paths import refused
from buletin.messages import N_, _
from buletin.problems import Problems, nearest
from buletin.urls import address_of, file_name, relative

_IMAGE = re.compile(r'(<img\b[^<>]*?\bsrc=")([^"]+)(")')  # [^<>]: a run of `<img ` without `>` stays linear
# Anything a browser would fetch by itself while showing the page (raw HTML may hold more than images).
_FETCHED = re.compile(r'<(?:img|source|video|audio|track|iframe|embed|object|script|input)\b[^<>]*?'
                      r'\b(?:src|srcset|poster|data)=["\']?([^"\'\s>]+)', re.I)
_LINK = re.compile(r'(<a\b[^<>]*?\bhref=")([^"#?]+\.md)((?:#[^"]*)?")')
_ATTACHMENT = re.compile(r'(<a\b[^<>]*?\bhref=")([^"?]+)(")')
# A link the two patterns above could change: one not to an anchor of the page itself (a footnote's
# `href="#fn:1"` needs nothing). Written as they are, without re.I: a case-blind pattern has no literal start
# to look for, and scans a body several times slower than the whole pass it is meant to spare.
_OTHER_LINK = re.compile(r'<a\b[^<>]*?\bhref="(?!#)')
_ROOTED_LINK = re.compile(r'<a\b[^<>]*?\bhref="(/(?!/)[^"]*)"')  # from the host's root: wrong under a sub-path
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.I)


ATTACHMENTS = (".pdf", ".xlsx", ".xls", ".csv", ".docx", ".doc", ".pptx", ".odt", ".ods", ".zip", ".txt", ".png",
               ".jpg", ".jpeg", ".webp", ".gif", ".svg", ".avif", ".mp3", ".mp4")

_NOT_FOUND = {"image": N_("the image `{name}` is not there (looked for {looked}): put it next to the Markdown file"),
              "file": N_("the file `{name}` is not there (looked for {looked}): put it next to the Markdown file")}

def resolve(body: Body, doc: Document, page: str, pages: dict[str, str], site_root: Path,
            problems: Problems, raw_html: bool = False) -> tuple[Body, dict[str, bytes]]:
    """A body whose links to Markdown files lead to their pages, and the files it shows or links to (images
    and attachments next to its Markdown file), by output path beside its page.

    `pages` maps a source file (and, for a page made from data rows, the source of its list) to its page.
    `raw_html`: the site lets bodies keep their HTML, so every way HTML has to fetch an address is checked.
    """
    if raw_html:
        _check_raw_fetches(body.html, doc, problems)
    if not needs_resolving(body.html):
        return body, {}  # a body that links and shows nothing: no file to find
    folder = posixpath.dirname(doc.source)
    files: dict[str, bytes] = {}
    sizes: dict[str, tuple[int, int] | None] = {}

    def local(match: re.Match[str], what: str) -> str:
        address = match.group(2)
        attachment = what == "file"
        if _EXTERNAL.match(address) or (attachment and not file_name(address).lower().endswith(ATTACHMENTS)):
            return match.group(0)
        name, rest = _name_and_rest(address, site_root / folder)
        if not attachment and not name.lower().endswith(IMAGE_TYPES):  # a page or a script would be published
            problems.add(doc.source, _line_of(doc, address), _(
                "`{name}` is shown as a picture, but it is no picture file ({types}): link it as a document, "
                "`[text]({name})`, if it is one").format(name=name, types=", ".join(IMAGE_TYPES)))
            return match.group(0)
        file = (site_root / folder / name).resolve()
        if not file.is_relative_to((site_root / "content").resolve()) or not file.is_file():
            there = site_root / folder / name
            reason = refused(site_root, there) if os.path.lexists(there) else None  # a link out of the site, no file
            if reason is None and os.path.islink(there):
                reason = _("this is a link to a file outside content/: copy the file here instead of linking to it")
            if reason:
                problems.add(doc.source, _line_of(doc, address), f"`{name}`: {reason}")
            elif not attachment:  # a file the build makes (the edition's PDF, a data download) is checked later
                problems.add(doc.source, _line_of(doc, address), missing(what, name, folder, site_root))
            return match.group(0)
        data = files[posixpath.normpath(posixpath.join(posixpath.dirname(page), name))] = file.read_bytes()
        active = active_svg(data, name)
        if active:
            problems.add(doc.source, _line_of(doc, address), active)
        written = address_of(name) + rest
        if what == "image":
            sizes[written] = intrinsic_size(data, name)
            too_large = too_many_pixels(sizes[written], name)
            if too_large:
                problems.add(doc.source, _line_of(doc, address), too_large)
        return match.group(1) + written + match.group(3)

    def link(match: re.Match[str]) -> str:
        href = match.group(2)
        if _EXTERNAL.match(href):
            return match.group(0)
        source = posixpath.normpath(posixpath.join(folder, file_name(href)))
        target = pages.get(source)
        if target is None:
            problems.add(doc.source, _line_of(doc, href), _("the link to `{href}` leads nowhere: no page is made "
                                                            "from that file (a typo, a draft, or an item dated in the "
                                                            "future?)").format(href=href) + _meant(href, source, pages))
            return match.group(0)
        return match.group(1) + relative(page, target) + match.group(3)

    _check_fetched(body.html, doc, problems)
    rooted = _ROOTED_LINK.findall(body.html) if 'href="/' in body.html else []  # the text it needs, found first
    for href in sorted(set(rooted)):
        problems.add(doc.source, _line_of(doc, href), _(
            "the link `{href}` starts with `/`, so it leads elsewhere when the site is published in a folder (as "
            "on GitHub Pages): link to an article by its file name as seen from this one, e.g. "
            "`../2020-11/artikel.md`").format(href=href))
    html = with_sizes(_IMAGE.sub(lambda m: local(m, "image"), body.html), sizes.get)
    html = _ATTACHMENT.sub(lambda m: local(m, "file"), html)
    return replace(body, html=_LINK.sub(link, html) if ".md" in html else html), files


def _name_and_rest(address: str, folder: Path) -> tuple[str, str]:
    """The file an image's or a document's address names in `folder`, and what follows its name (`?...`, `#...`):
    `foto%20kegiatan.png` names `foto kegiatan.png`, unless a file is named so, `%20` and all."""
    end = min((i for i in (address.find("?"), address.find("#")) if i >= 0), default=len(address))
    written = unescape(address[:end])
    return (written if (folder / written).is_file() else unquote(written)), address[end:]


def _meant(href: str, source: str, pages: dict[str, str]) -> str:
    """The file of that folder a link to nowhere most likely meant, as the link would name it (or nothing)."""
    there = [posixpath.basename(path) for path in pages if posixpath.dirname(path) == posixpath.dirname(source)]
    guess = nearest(posixpath.basename(source), there)
    if guess is None:
        return ""
    return " " + _("(did you mean `{name}`?)").format(name=posixpath.join(posixpath.dirname(file_name(href)), guess))


def missing(what: str, name: str, folder: str, site_root: Path | None = None) -> str:
    """The message for an image or a file that is not next to the Markdown file in `folder` (with the file
    there whose name differs only in capitals, which Windows would find but a web server does not)."""
    looked = posixpath.normpath(posixpath.join(folder, name))
    message = _(_NOT_FOUND[what]).format(name=name, looked=looked)
    name_there = posixpath.basename(looked)
    place = site_root / posixpath.dirname(looked) if site_root is not None and looked.startswith("content/") \
        else None
    try:
        near = [entry.name for entry in os.scandir(place) if entry.name != name_there and
                entry.name.casefold() == name_there.casefold()] if place is not None and place.is_dir() else []
    except OSError:
        near = []
    if near:
        message += _(" (there is `{found}`: a web address tells capital letters apart, so write the name exactly as "
                     "the file has it, or rename the file)").format(found=near[0])
    return message


def needs_resolving(html: str) -> bool:
    """Whether resolve() could change or report anything in `html` (a quick test that spares most bodies the
    whole pass): an address a browser would fetch, or a link other than to an anchor of the page. (The quickest
    pattern first: most bodies that have any have a link.)"""
    return any(pattern.search(html) is not None for pattern in (_OTHER_LINK, _IMAGE, _FETCHED))


def photo(doc: Document, page: str, site_root: Path, problems: Problems) -> dict[str, bytes]:
    """An article's photo (`image:`) beside its page; a missing one is the article's problem (content.py)."""
    image = getattr(getattr(doc, "info", None), "image", "")
    source = site_root / posixpath.dirname(doc.source) / image
    if not image or not source.is_file():
        return {}
    data = source.read_bytes()
    for problem in (too_many_pixels(intrinsic_size(data, image), image), active_svg(data, image)):
        if problem:
            problems.add(doc.source, doc.line_of("image"), problem)
    return {f"{page.rsplit('/', 1)[0]}/{source.name}": data}


def _check_fetched(html: str, doc, problems: Problems) -> None:
    """Nothing a page shows may come from another host (a tracking pixel) or from outside the site."""
    for src in sorted(set(_FETCHED.findall(html))):
        _check_address(src.split(",")[0].split()[0] if src else src, src, doc, problems)


def _check_address(url: str, written: str, doc, problems: Problems) -> None:
    """An address a page would fetch by itself must be a file of the site, named relatively."""
    if is_remote(url):
        problems.add(doc.source, _line_of(doc, written), _("`{url}` would be loaded from another website each "
                                                           "time the page is read (and could track readers): "
                                                           "download the picture, put it next to the Markdown file, "
                                                           "then write its file name").format(url=url[:80]))
    elif url.startswith("/"):
        problems.add(doc.source, _line_of(doc, written), _("`{url}` starts with `/`: name the picture as seen from "
                                                           "the Markdown file, e.g. `foto.jpg` next to it").format(
                                                               url=url[:80]))


def _check_raw_fetches(html: str, doc, problems: Problems) -> None:
    """Raw HTML's every way to load an address (rawhtml), held to _check_fetched's rule. Its scripts are the
    site's choice (`allow_raw_html` keeps them, as the contract says): the pages' policy runs none inline."""
    for written in sorted(set(raw_fetches(html))):
        _check_address(browser_form(written), written, doc, problems)


def _line_of(doc, text: str) -> int | None:
    """The line of the file's body where `text` stands as a link or an image's address, else anywhere."""
    lines = doc.body.split("\n")
    for pattern in (f"]({text}", f'src="{text}"', f"src='{text}'", f"src={text}", f'href="{text}"', f"]: {text}"):
        for number, line in enumerate(lines, start=doc.body_line):
            if pattern in line:
                return number
    for number, line in enumerate(lines, start=doc.body_line):
        if text in line or (text.strip() and text.strip() in line):
            return number
    for number, line in enumerate(lines, start=doc.body_line):  # an address a macro makes: `]({{ row.kode }}.md)`
        for written in _MADE_ADDRESS.findall(line):
            parts = re.split(r"\{\{.*?\}\}", written)
            if re.fullmatch(".*?".join(re.escape(part) for part in parts), text, re.S):
                return number
    return None


_MADE_ADDRESS = re.compile(r"\]\(\s*([^)\s]*\{\{.*?\}\}[^)\s]*)")


_REFERENCE = re.compile(r'<(?:a|img|link|script)\b[^<>]*?\b(?:href|src)="([^"]+)"')


def check_internal(html: str, doc: Document, page: str, paths: set[str], problems: Problems) -> None:
    """Every relative link written in Markdown must reach a file of the site (`paths`: every output path)."""
    for href in sorted({unescape(found) for found in _REFERENCE.findall(html)}):  # as written: `&`, not `&amp;`
        if _EXTERNAL.match(href):
            continue
        name = file_name(href)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), name))
        if target.startswith(".."):
            problems.warn(doc.source, _line_of(doc, href), _(
                "the link `{href}` climbs above the site's root folder, so where it leads depends on where the "
                "site is put on the web: for a page outside the bulletin, write its full address "
                "(`https://...`)").format(href=href))
            continue
        if target in paths or f"{target}/index.html" in paths or target == ".":
            continue
        if name.lower().endswith(ATTACHMENTS):  # neither beside the Markdown file nor made by the build
            problems.add(doc.source, _line_of(doc, href), missing("file", name, posixpath.dirname(doc.source)))
            continue
        problems.add(doc.source, _line_of(doc, href), _("the link `{href}` leads to no page or file of the site: "
                                                        "to link to another article, write its file name, e.g. "
                                                        "`artikel-lain.md`").format(href=href))
