"""content/ -> editions, articles and pages with validated front matter."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlfile
from .paths import linked_folder_outside, refusal
from .periods import Period, is_period
from .problems import Problems, did_you_mean
from .urls import slugify

CONTENT_DIR = "content"
PAGES_DIR = "pages"
RESERVED = ("arsip", "archive", "data", "assets", "cari", "search", "topik", "tags", "pagefind", "feed.xml",
            "sitemap.xml", "robots.txt", "404", "404.html", "manifest.json", "index")
ARTICLE_RESERVED = ("data",)  # a published edition's data downloads live in PERIOD/data/
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # what a web address carries without escaping

EDITION_KEYS = ("title", "published", "status", "summary", "highlights", "figures")
ARTICLE_KEYS = ("title", "date", "authors", "editor", "location", "summary", "tags", "image", "image_alt",
                "image_caption", "image_credit", "draft", "extra")
PAGE_KEYS = ("title", "summary", "each", "extra")
EACH_KEYS = ("data", "key", "tag", "title")  # tag: a column naming the articles' tag; title: of the list page
STATUSES = ("draft", "live", "published")


@dataclass
class Document:
    """What every Markdown source has: where it is, its front matter and its body."""

    source: str  # path relative to the site root
    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: yamlfile.KeyLines

    def line_of(self, *key: str | int) -> int | None:
        return self.key_lines.line(*key)


@dataclass
class Article(Document):
    slug: str = ""
    period: Period | None = None
    title: str = ""
    date: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    draft: bool = False


@dataclass
class Edition(Document):
    period: Period | None = None
    title: str = ""
    status: str = "live"
    published: dt.date | None = None
    articles: list[Article] = field(default_factory=list)


@dataclass
class Page(Document):
    slug: str = ""
    title: str = ""


@dataclass
class Content:
    editions: list[Edition]  # oldest first
    pages: list[Page]


def load_content(site_root: Path, frequency: str, problems: Problems) -> Content:
    """Read every edition, article and page under content/, validating front matter."""
    root = site_root / CONTENT_DIR
    editions: list[Edition] = []
    pages: list[Page] = []
    if not root.is_dir():
        problems.add(CONTENT_DIR, None, "no content/ folder: add content/PERIOD/index.md for an edition")
        return Content([], [])
    if linked_folder_outside(site_root, root):
        problems.add(CONTENT_DIR, None, "content/ is a link to a folder outside the site; put the folder itself here")
        return Content([], [])
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if linked_folder_outside(site_root, folder):
            problems.add(_rel(site_root, folder), None, "is a link to a folder outside the site; buletin reads only "
                         "files inside the site: move the folder here instead of linking to it")
        elif folder.name == PAGES_DIR:
            pages = [p for p in (_page(site_root, f, problems) for f in sorted(folder.glob("*.md"))) if p]
        elif is_period(folder.name, frequency):
            edition = _edition(site_root, folder, frequency, problems)
            if edition:
                editions.append(edition)
        else:
            problems.add(_rel(site_root, folder), None,
                         f"folder `{folder.name}` is not a {frequency} period nor `pages` "
                         f"(name edition folders like {Period(2020, 11 if frequency == 'monthly' else 4, frequency)})")
    for stray in sorted(root.glob("*.md")):
        problems.add(_rel(site_root, stray), None,
                     "Markdown files go in content/PERIOD/ (an edition) or content/pages/ (a page)")
    editions.sort(key=lambda e: e.period)
    _check_collisions(editions, pages, problems)
    return Content(editions, pages)


def _rel(site_root: Path, path: Path) -> str:
    return path.relative_to(site_root).as_posix()


def _read(site_root: Path, path: Path, known: tuple[str, ...], problems: Problems) -> Document | None:
    """Split and parse a Markdown file's front matter; unknown keys are errors with a suggestion."""
    rel = _rel(site_root, path)
    refused = refusal(site_root, path)
    if refused:
        problems.add(rel, None, refused)
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.add(rel, None, "not UTF-8 text: save the file as UTF-8")
        return None
    source = yamlfile.split_front_matter(text.replace("\r\n", "\n"))
    if not source.closed:
        problems.add(rel, 1, "front matter starts with `---` but has no closing `---` line")
        return None
    try:
        meta = yamlfile.load(source.front_matter) if source.front_matter.strip() else {}
    except yamlfile.YamlError as exc:
        problems.add(rel, (exc.line or 0) + 1 if exc.line else 1, f"front matter: {exc}")
        return None
    if not isinstance(meta, dict):
        problems.add(rel, 2, "front matter must be `key: value` lines")
        return None
    lines = yamlfile.KeyLines(source.front_matter, offset=1)
    for key in meta:
        if key not in known:
            problems.add(rel, lines.line(key), f"unknown front-matter key `{key}`{did_you_mean(str(key), known)}")
    return Document(rel, meta, source.body, source.body_line, lines)


def _date(doc: Document, key: str, problems: Problems) -> dt.date | None:
    value = doc.meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else _not_a_date(text)
    except ValueError:
        written = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        reason = f"`{text}` is not a real date" if written else \
            f"`{key}` must be a date written YYYY-MM-DD, not `{text}`"
        if written and 1 <= int(written.group(2)) <= 12:
            import calendar

            days = calendar.monthrange(int(written.group(1)), int(written.group(2)))[1]
            reason += f" ({written.group(1)}-{written.group(2)} has {days} days)"
        problems.add(doc.source, doc.line_of(key), reason)
        return None


def _not_a_date(text: str) -> dt.date:
    raise ValueError(text)


def _text(doc: Document, key: str, problems: Problems, required: bool = False) -> str:
    value = doc.meta.get(key)
    if value is None or value == "":
        if required:
            problems.add(doc.source, doc.line_of(key) or 1, f"missing required front-matter key `{key}`")
        return ""
    if isinstance(value, (dict, list)):
        problems.add(doc.source, doc.line_of(key), f"`{key}` must be text, not a list or mapping")
        return ""
    return str(value).strip()


def _strings(doc: Document, key: str, problems: Problems) -> list[str]:
    value = doc.meta.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        problems.add(doc.source, doc.line_of(key), f"`{key}` must be a list of text items")
        return []
    return [str(v).strip() for v in value if str(v).strip()]


def _edition(site_root: Path, folder: Path, frequency: str, problems: Problems) -> Edition | None:
    index = folder / "index.md"
    period = Period.parse(folder.name, frequency)
    if not index.is_file():
        problems.add(_rel(site_root, folder), None, f"edition folder `{folder.name}` has no index.md")
        return None
    doc = _read(site_root, index, EDITION_KEYS, problems)
    if doc is None:
        return None
    status = _text(doc, "status", problems) or "live"
    if status not in STATUSES:
        problems.add(doc.source, doc.line_of("status"),
                     f"`status` must be one of {', '.join(STATUSES)}, not `{status}`{did_you_mean(status, STATUSES)}")
    for key in ("highlights", "figures"):
        if key in doc.meta and not isinstance(doc.meta[key], list):
            problems.add(doc.source, doc.line_of(key), f"`{key}` must be a list")
            doc.meta[key] = []
    _text(doc, "summary", problems)
    edition = Edition(**vars(doc), period=period, title=_text(doc, "title", problems), status=status,
                      published=_date(doc, "published", problems))
    for path in sorted(folder.glob("*.md")):
        if path.name != "index.md":
            article = _article(site_root, path, period, problems)
            if article:
                edition.articles.append(article)
    return edition


def _check_slug(rel: str, slug: str, problems: Problems) -> None:
    if not _SLUG.match(slug):
        problems.add(rel, None, f"file name `{slug}.md` cannot be a web address (spaces or signs such as # ? %): "
                     f"rename it, e.g. `{slugify(slug) or 'artikel'}.md`")


def _article(site_root: Path, path: Path, period: Period, problems: Problems) -> Article | None:
    doc = _read(site_root, path, ARTICLE_KEYS, problems)
    if doc is None:
        return None
    _check_slug(doc.source, path.stem, problems)
    if path.stem in ARTICLE_RESERVED:
        problems.add(doc.source, None, f"article name `{path.stem}` is reserved in an edition folder "
                     f"(its data downloads go to {period}/{path.stem}/); rename the file")
    for key in ("summary", "editor", "location", "image_alt", "image_caption", "image_credit"):
        _text(doc, key, problems)
    draft = doc.meta.get("draft", False)
    if not isinstance(draft, bool):
        problems.add(doc.source, doc.line_of("draft"), "`draft` must be true or false")
    if "extra" in doc.meta and not isinstance(doc.meta["extra"], dict):
        problems.add(doc.source, doc.line_of("extra"), "`extra` must be a mapping of `key: value` lines")
    image = _text(doc, "image", problems)
    if image:
        _check_image(site_root, path, image, doc, problems)
    article = Article(**vars(doc), slug=path.stem, period=period, title=_text(doc, "title", problems, True),
                      date=_date(doc, "date", problems), tags=_unique_tags(_strings(doc, "tags", problems)),
                      authors=_strings(doc, "authors", problems), draft=draft is True)
    if article.date is None and "date" not in doc.meta:
        problems.add(doc.source, 1, "missing required front-matter key `date` (YYYY-MM-DD)")
    return article


def _unique_tags(tags: list[str]) -> list[str]:
    """Tags as written, one per web address: "Foreign visitors" and "foreign visitors" are one tag."""


    seen: dict[str, str] = {}
    for tag in tags:
        seen.setdefault(slugify(tag), tag)
    return [tag for slug, tag in seen.items() if slug]


def _check_image(site_root: Path, path: Path, image: str, doc: Document, problems: Problems) -> None:
    """The photo must be a file inside content/ (it is published); say what is missing.

    `image_alt` stays optional, as the contract has it: without it the caption describes the photo.
    """
    target = (path.parent / image).resolve()
    if not target.is_relative_to((site_root / CONTENT_DIR).resolve()):
        problems.add(doc.source, doc.line_of("image"), f"image `{image}` is outside content/: put the photo next "
                     "to the article (only files in content/ are published)")
    elif not target.is_file():
        problems.add(doc.source, doc.line_of("image"), f"image `{image}` not found next to the article "
                     f"(looked for {target.relative_to(site_root.resolve()).as_posix()})")


def _page(site_root: Path, path: Path, problems: Problems) -> Page | None:
    doc = _read(site_root, path, PAGE_KEYS, problems)
    if doc is None:
        return None
    _check_slug(doc.source, path.stem, problems)
    each = doc.meta.get("each")
    if each is not None and (not isinstance(each, dict) or not {"data", "key"} <= set(each)):
        problems.add(doc.source, doc.line_of("each"), "`each` must be a mapping `{data: RESOURCE, key: FIELD}`")
    elif each is not None:
        for key in each:
            if key not in EACH_KEYS:
                problems.add(doc.source, doc.line_of("each", key),
                             f"each: unknown key `{key}`{did_you_mean(str(key), EACH_KEYS)}")
    return Page(**vars(doc), slug=path.stem, title=_text(doc, "title", problems, True))


def _check_collisions(editions: list[Edition], pages: list[Page], problems: Problems) -> None:
    owners: dict[str, str] = {}
    for edition in editions:
        owners[str(edition.period)] = edition.source
    for page in pages:
        if page.slug in RESERVED:
            problems.add(page.source, None, f"page name `{page.slug}` is reserved by the theme "
                         f"(reserved: {', '.join(sorted(RESERVED))}); rename the file")
        elif page.slug in owners:
            problems.add(page.source, None, f"page `{page.slug}` collides with {owners[page.slug]}")
        owners[page.slug] = page.source


def is_visible(item: Article | Edition, today: dt.date, drafts: bool) -> bool:
    """Drafts and future-dated items are left out unless --drafts."""
    if drafts:
        return True
    if isinstance(item, Edition):
        return item.status != "draft" and (item.published is None or item.published <= today)
    return not item.draft and (item.date is None or item.date <= today)
