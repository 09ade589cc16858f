"""Proof by standard checkers (issue 4): the Nu Html Checker, lychee, feedparser, the sitemap protocol, and the
weight budget, over the sample site built by the real CLI.

Skipped only where a tool is missing (java or node_modules/vnu-jar for vnu, lychee); .ci/run installs them.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser_support import (
    BASE_URL,
    VNU_JAR,
    Built,
    build_sample,
    fail,
    file_of,
    html_pages,
    page_url,
    require_lychee,
    require_vnu,
)

pytestmark = pytest.mark.browser

PAGE_BUDGET = 100_000  # bytes, gzip-compressed: HTML + CSS + JS + chart images (not photos) of one page
CSS_BUDGET = 20_000  # bytes, uncompressed: all the CSS one page loads
PERIOD = r"\d{4}(?:-(?:0[1-9]|1[0-2])|-Q[1-4])?"
ARTICLE_FILE = re.compile(rf"^{PERIOD}/[^/]+/index\.html$")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
W3C_DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Built:
    """The sample site built without base_url (every link relative)."""
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="session")
def site_with_base_url(tmp_path_factory) -> Built:
    """The sample site built with --base-url, for the feed and the sitemap."""
    return build_sample(tmp_path_factory, BASE_URL)


def articles(out: Path) -> list[str]:
    return [rel for rel in html_pages(out) if ARTICLE_FILE.match(rel)]


# ---------------------------------------------------------------- Nu Html Checker


def test_vnu_reports_no_html_errors(site):
    java = require_vnu()
    cmd = [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json", str(site.out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    raw = proc.stderr.strip() or proc.stdout.strip()
    try:
        messages = json.loads(raw)["messages"]
    except (ValueError, KeyError):
        fail(f"vnu gave no JSON report (exit {proc.returncode}):\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not errors):
        fail(f"vnu failed (exit {proc.returncode}):\n{raw[:3000]}")
    if errors:
        prefix = site.out.as_posix() + "/"
        lines = []
        for m in errors:
            url = m.get("url", "")
            path = "/" + unquote(re.sub(r"^file:/*", "", url))  # vnu writes file:/tmp/..., not file:///tmp/...
            where = path[len(prefix) :] if path.startswith(prefix) else url
            line = m.get("lastLine", m.get("firstLine", "?"))
            col = m.get("firstColumn", m.get("lastColumn", "?"))
            extract = " ".join((m.get("extract") or "").split())
            lines.append(f"  {where}:{line}:{col}: {m['message']}" + (f"  [{extract}]" if extract else ""))
        fail(f"the Nu Html Checker found {len(errors)} error(s) in the output:\n" + "\n".join(lines))


# ---------------------------------------------------------------- lychee


def test_lychee_finds_no_broken_links_or_assets(site):
    lychee = require_lychee()
    cmd = [
        lychee,
        "--offline",  # local files only; links to other hosts are excluded, not fetched
        "--no-progress",
        "--no-ignore",
        "--include-fragments",  # #anchors must exist in the target page
        "--index-files",
        "index.html",  # a link to a folder needs its index.html
        "--format",
        "json",
        "--mode",
        "plain",
        "--",
        str(site.out),  # no --root-dir: a root-relative link (/x) is an error, as links must be relative
    ]
    proc = subprocess.run(cmd, cwd=site.root, capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        fail(f"lychee gave no JSON report (exit {proc.returncode}):\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    problems = []
    for source, entries in sorted(report.get("error_map", {}).items()):
        where = Path(source).relative_to(site.out).as_posix() if source.startswith(str(site.out)) else source
        for entry in entries:
            status = entry.get("status", {})
            span = entry.get("span") or {}
            at = f":{span.get('line')}:{span.get('column')}" if span else ""
            text, detail = status.get("text") or "", status.get("details") or ""
            message = detail if detail.startswith(text) else f"{text}: {detail}" if detail else text
            problems.append(f"  {where}{at}: {entry.get('url')}: {message}")
    if problems or proc.returncode != 0:
        fail(
            f"lychee found {report.get('errors', len(problems))} broken link(s) or asset(s) "
            f"(exit {proc.returncode}):\n" + "\n".join(problems) + (f"\nstderr:\n{proc.stderr}" if proc.stderr else "")
        )
    assert report.get("total", 0) > 0, f"lychee checked no link at all:\n{proc.stdout}"


# ---------------------------------------------------------------- Atom feed


def _under_base(url: str, out: Path, what: str, problems: list[str]) -> None:
    if not url.startswith(BASE_URL):
        problems.append(f"{what}: {url!r} is not an absolute URL under {BASE_URL}")
    elif not file_of(out, unquote(urlsplit(url).path[len(urlsplit(BASE_URL).path) :])).is_file():
        problems.append(f"{what}: {url} maps to no file of the output")


def _has_scheme(iri: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", iri or ""))


def test_feed_parses_with_ids_titles_dates_and_absolute_links(site_with_base_url):
    import feedparser

    out = site_with_base_url.out
    path = out / "feed.xml"
    if not path.is_file():
        fail("no feed.xml in the output")
    feed = feedparser.parse(path.read_bytes())
    problems = []
    if feed.bozo:
        problems.append(f"feedparser: not well-formed ({feed.bozo_exception!r})")
    if feed.version != "atom10":
        problems.append(f"feedparser reads the feed as {feed.version!r}, not Atom 1.0")
    head = feed.feed
    if not head.get("title"):
        problems.append("the feed has no title")
    if not _has_scheme(head.get("id", "")):
        problems.append(f"the feed's id {head.get('id')!r} is not an IRI (a scheme, no spaces)")
    if not head.get("updated_parsed"):
        problems.append(f"the feed has no valid updated date ({head.get('updated')!r})")
    for link in head.get("links", []):
        if link.get("rel") in ("alternate", "self"):
            href = link.get("href", "")
            if link.get("rel") == "self" and href != BASE_URL + "feed.xml":
                problems.append(f"the feed's self link is {href!r}, not {BASE_URL}feed.xml")
            elif link.get("rel") == "alternate":
                _under_base(href, out, "the feed's alternate link", problems)
    if not feed.entries:
        problems.append("the feed has no entries")
    ids = [e.get("id") for e in feed.entries]
    if len(set(ids)) != len(ids):
        problems.append(f"entry ids repeat: {ids}")
    linked = set()
    for number, entry in enumerate(feed.entries, start=1):
        name = f"entry {number} ({entry.get('title', '')!r})"
        if not entry.get("title"):
            problems.append(f"{name}: no title")
        if not _has_scheme(entry.get("id", "")):
            problems.append(f"{name}: id {entry.get('id')!r} is not an IRI (a scheme, no spaces)")
        if not entry.get("updated_parsed"):
            problems.append(f"{name}: no valid updated date ({entry.get('updated')!r})")
        alternates = [lk["href"] for lk in entry.get("links", []) if lk.get("rel", "alternate") == "alternate"]
        if not alternates:
            problems.append(f"{name}: no link")
        for href in alternates:
            _under_base(href, out, f"{name}: link", problems)
            linked.add(href)
    for rel in articles(out):
        url = BASE_URL + page_url(rel)
        if url not in linked and url + "index.html" not in linked:
            problems.append(f"the article {page_url(rel)} has no entry in the feed")
    if problems:
        fail("feed.xml (built with --base-url " + BASE_URL + "):\n" + "\n".join(f"  {p}" for p in problems))


# ---------------------------------------------------------------- sitemap


def test_sitemap_is_valid_and_every_loc_exists(site_with_base_url):
    out = site_with_base_url.out
    path = out / "sitemap.xml"
    if not path.is_file():
        fail("no sitemap.xml in the output built with --base-url")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        fail(f"sitemap.xml is not well-formed XML: {exc}")
    problems = []
    if root.tag != f"{{{SITEMAP_NS}}}urlset":
        problems.append(f"the root element is {root.tag}, not urlset in the namespace {SITEMAP_NS}")
    allowed = {f"{{{SITEMAP_NS}}}{name}" for name in ("loc", "lastmod", "changefreq", "priority")}
    locs = []
    for number, url in enumerate(root, start=1):
        if url.tag != f"{{{SITEMAP_NS}}}url":
            problems.append(f"child {number} is {url.tag}, not url")
            continue
        children = [child.tag for child in url]
        if any(tag not in allowed for tag in children) or children.count(f"{{{SITEMAP_NS}}}loc") != 1:
            problems.append(f"url {number} has children {children} (one loc; lastmod, changefreq, priority)")
        loc = (url.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
        lastmod = url.findtext(f"{{{SITEMAP_NS}}}lastmod")
        if lastmod is not None and not W3C_DATETIME.match(lastmod.strip()):
            problems.append(f"url {number} ({loc}): lastmod {lastmod!r} is not a W3C datetime")
        if len(loc) > 2048:
            problems.append(f"url {number}: loc longer than 2048 characters")
        _under_base(loc, out, f"url {number}", problems)
        locs.append(loc)
    if not locs:
        problems.append("the sitemap lists no URL")
    if len(locs) > 50_000:
        problems.append(f"the sitemap lists {len(locs)} URLs, more than 50,000")
    if len(set(locs)) != len(locs):
        problems.append("some loc appears twice: " + ", ".join(sorted({u for u in locs if locs.count(u) > 1})))
    for rel in ["index.html", *articles(out)]:
        url = BASE_URL + page_url(rel)
        if url not in locs:
            problems.append(f"{page_url(rel) or './'} is not in the sitemap")
    robots = out / "robots.txt"
    if not robots.is_file() or f"Sitemap: {BASE_URL}sitemap.xml" not in robots.read_text(encoding="utf-8"):
        problems.append(f"robots.txt does not name the sitemap (Sitemap: {BASE_URL}sitemap.xml)")
    if problems:
        fail("sitemap.xml (built with --base-url " + BASE_URL + "):\n" + "\n".join(f"  {p}" for p in problems))


# ---------------------------------------------------------------- weight budget

JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}
LOADED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon", "mask-icon"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class PageRefs(HTMLParser):
    """What a page makes the browser fetch, and its scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []  # src of external scripts
        self.inline_scripts = 0
        self.handlers: list[str] = []  # on* attributes
        self.other: list[str] = []  # icons, preloads, objects...
        self.images: list[tuple[str, int | None]] = []  # (src, index of the enclosing figure)
        self.figures_with_table: set[int] = set()
        self._figures: list[int] = []
        self._count = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        figure = self._figures[-1] if self._figures else None
        if tag == "figure":
            self._figures.append(self._count)
            self._count += 1
        elif tag == "table" and self._figures:
            self.figures_with_table.update(self._figures)
        elif tag == "link" and a.get("href"):
            rels = set((a.get("rel") or "").lower().split())
            if "stylesheet" in rels:
                self.stylesheets.append(a["href"])
            elif rels & LOADED_RELS:
                self.other.append(a["href"])
        elif tag == "script":
            if (a.get("type") or "").strip().lower() in JS_TYPES:
                if a.get("src"):
                    self.scripts.append(a["src"])
                else:
                    self._in_script = True
        elif tag in ("img", "input") and a.get("src") and (tag == "img" or a.get("type") == "image"):
            self.images.append((a["src"], figure))
        elif tag == "source" and (a.get("srcset") or a.get("src")):
            self.images.append(((a.get("srcset") or a.get("src")).split(",")[0].split()[0], figure))
        elif tag in ("object", "embed", "iframe") and (a.get("data") or a.get("src")):
            self.other.append(a.get("data") or a.get("src"))

    def handle_endtag(self, tag):
        if tag == "figure" and self._figures:
            self._figures.pop()
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _local(out: Path, page_rel: str, ref: str) -> Path | None:
    """The output file `ref` (as written in the page at `page_rel`) points to, or None when it is elsewhere."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(parts.path)))
    path = out / target
    return path / "index.html" if path.is_dir() else path


@dataclass
class Weight:
    page: str
    html: int
    css_raw: int
    total: int
    parts: list[tuple[str, int]]
    scripts: list[str]


def page_weight(out: Path, rel: str) -> Weight:
    html = (out / rel).read_bytes()
    refs = PageRefs()
    refs.feed(html.decode("utf-8", errors="replace"))
    refs.close()
    counted: dict[Path, int] = {}
    css_raw = 0

    def count(ref: str, base_rel: str) -> Path | None:
        path = _local(out, base_rel, ref)
        if path is None or not path.is_file() or path in counted:
            return None
        counted[path] = _gz(path.read_bytes())
        return path

    for ref in refs.stylesheets:
        css = count(ref, rel)
        if css is None:
            continue
        css_raw += css.stat().st_size
        css_rel = css.relative_to(out).as_posix()
        for match in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            inner = match.group(2) or match.group(4)
            if inner and not inner.startswith("data:"):
                sub = count(inner, css_rel)
                if sub is not None and sub.suffix == ".css":
                    css_raw += sub.stat().st_size
    for ref in [*refs.scripts, *refs.other]:
        count(ref, rel)
    for src, figure in refs.images:
        # A chart is a figure with its data table; an image in a figure without a table is a photo.
        if figure is None or figure in refs.figures_with_table:
            count(src, rel)
    parts = [(p.relative_to(out).as_posix(), n) for p, n in counted.items()]
    scripts = [f"<script src={s}>" for s in refs.scripts] + ["inline <script>"] * refs.inline_scripts
    return Weight(rel, _gz(html), css_raw, _gz(html) + sum(counted.values()), parts, scripts + refs.handlers)


def test_every_page_stays_within_the_weight_budget(site):
    weights = [page_weight(site.out, rel) for rel in html_pages(site.out)]
    heavy = [w for w in weights if w.total > PAGE_BUDGET]
    fat_css = [w for w in weights if w.css_raw > CSS_BUDGET]
    problems = []
    for w in sorted(heavy, key=lambda w: -w.total):
        biggest = ", ".join(f"{p} {n / 1000:.1f} KB" for p, n in sorted(w.parts, key=lambda x: -x[1])[:5])
        problems.append(
            f"  {w.page}: {w.total / 1000:.1f} KB gzip (budget {PAGE_BUDGET / 1000:.0f} KB): "
            f"HTML {w.html / 1000:.1f} KB; biggest: {biggest}"
        )
    for w in fat_css:
        problems.append(f"  {w.page}: loads {w.css_raw / 1000:.1f} KB of CSS (budget {CSS_BUDGET / 1000:.0f} KB)")
    if problems:
        fail("pages over the weight budget (HTML + CSS + JS + chart images, photos left out):\n" + "\n".join(problems))


def test_article_pages_have_no_javascript(site):
    pages = articles(site.out)
    assert pages, "the output has no article page (PERIOD/SLUG/index.html)"
    found = {w.page: w.scripts for w in (page_weight(site.out, rel) for rel in pages) if w.scripts}
    if found:
        fail(
            "article pages with JavaScript (JSON-LD data blocks are fine; scripts and on* handlers are not):\n"
            + "\n".join(f"  {page}: {', '.join(scripts)}" for page, scripts in found.items())
        )
