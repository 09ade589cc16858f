"""content/ -> editions, articles and pages with validated front matter."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from buletin.inputs import yamlfile
from buletin.inputs.frontmatter import ArticleMeta, EachSpec, EditionMeta, PageMeta
from buletin.inputs.paths import linked_folder_outside, markdown_files, read_input, unsafe_relative
from buletin.inputs.schema import Where, validate
from buletin.messages import _
from buletin.periods import Period, is_period
from buletin.problems import Problems
from buletin.urls import is_windows_device, slugify

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

CONTENT_DIR = "content"
PAGES_DIR = "pages"
RESERVED = ("arsip", "archive", "data", "assets", "cari", "search", "topik", "tags", "pagefind", "feed.xml",
            "sitemap.xml", "robots.txt", "404", "404.html", "manifest.json", "index", "_headers", "jadwal",
            "schedule", "jadwal.ics", "schedule.ics")
ARTICLE_RESERVED = ("data",)  # a published edition's data downloads live in PERIOD/data/
T = TypeVar("T", bound="DataclassInstance")  # a front matter's declaration
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg", ".avif")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # what a web address carries without escaping
@dataclass
class Document:
    """What every Markdown source has: where it is, its front matter and its body."""

    source: str  # path relative to the site root
    meta: dict[str, Any]  # the front matter as written (the `page` variable of macros and templates)
    body: str
    body_line: int
    key_lines: yamlfile.KeyLines

    def line_of(self, *key: str | int) -> int | None:
        return self.key_lines.line(*key)


@dataclass
class Article(Document):
    slug: str = ""
    period: Period | None = None
    info: ArticleMeta = field(default_factory=lambda: ArticleMeta(title="", date=dt.date.min))

    @property
    def title(self) -> str:
        return self.info.title

    @property
    def date(self) -> dt.date | None:
        return self.info.date

    @property
    def tags(self) -> list[str]:
        return _unique_tags(self.info.tags)

    @property
    def authors(self) -> list[str]:
        return [name for name in self.info.authors if name]

    @property
    def draft(self) -> bool:
        return self.info.draft


@dataclass
class Edition(Document):
    period: Period
    info: EditionMeta = field(default_factory=EditionMeta)
    articles: list[Article] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.info.title

    @property
    def status(self) -> str:
        return self.info.status

    @property
    def published(self) -> dt.date | None:
        return self.info.published


@dataclass
class Page(Document):
    slug: str = ""
    info: PageMeta = field(default_factory=lambda: PageMeta(title=""))

    @property
    def title(self) -> str:
        return self.info.title

    @property
    def each(self) -> EachSpec | None:
        return self.info.each


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
        problems.add(CONTENT_DIR, None, _("there is no content/ folder: make it, with content/PERIOD/index.md for an "
                                          "edition (`python build.py new edition 2020-11` writes one)"))
        return Content([], [])
    if linked_folder_outside(site_root, root):
        problems.add(CONTENT_DIR, None, _("content/ is a link to a folder outside the site: put the folder itself "
                                          "here"))
        return Content([], [])
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if linked_folder_outside(site_root, folder):
            problems.add(_rel(site_root, folder), None, _("this is a link to a folder outside the site, and buletin "
                                                          "reads only files inside the site: move the folder here "
                                                          "instead of linking to it"))
        elif folder.name == PAGES_DIR:
            pages = [p for p in (_page(site_root, f, problems) for f in markdown_files(site_root, folder, problems))
                     if p]
            _check_page_slugs(pages, problems)
        elif is_period(folder.name, frequency):
            edition = _edition(site_root, folder, frequency, problems)
            if edition:
                editions.append(edition)
        else:
            problems.add(_rel(site_root, folder), None,
                         _("folder `{name}` is neither an edition nor `pages`: name an edition's folder after its "
                           "period, like {example}").format(
                             name=folder.name, example=Period(2020, 11 if frequency == "monthly" else 4, frequency)))
    for stray in markdown_files(site_root, root, problems):
        problems.add(_rel(site_root, stray), None,
                     _("a Markdown file here is not read: move it into content/PERIOD/ (an edition's folder) or "
                       "content/pages/ (a page)"))
    editions.sort(key=lambda e: e.period)
    _check_collisions(editions, pages, problems)
    return Content(editions, pages)


def _rel(site_root: Path, path: Path) -> str:
    return path.relative_to(site_root).as_posix()


def _read(site_root: Path, path: Path, problems: Problems, needs: str) -> Document | None:
    """Split and parse a Markdown file's front matter; `needs` says what an empty file lacks."""
    rel = _rel(site_root, path)
    text = read_input(site_root, rel, problems)
    if text is None:
        return None
    if not text.strip():
        problems.add(rel, None, _("the file is empty: it needs {needs}").format(needs=needs))
        return None
    source = yamlfile.split_front_matter(text.replace("\r\n", "\n"))
    if source.problem:  # its fences: missing, unclosed, or `--`
        problems.add(rel, 1, source.problem)
        return None
    try:
        meta = yamlfile.load(source.front_matter, first_line=2) if source.front_matter.strip() else {}
    except yamlfile.YamlError as exc:
        problems.add(rel, (exc.line or 0) + 1 if exc.line else 1, _("front matter: {problem}").format(problem=exc))
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.add(rel, 2, _("the front matter must be `key: value` lines, e.g. `title: Judul artikel`"))
        return None
    return Document(rel, meta, source.body, source.body_line, yamlfile.KeyLines(source.front_matter, offset=1))


def _info(cls: type[T], doc: Document, problems: Problems) -> T:
    """The front matter, validated against its declaration (every problem at its key's line); remembered
    with the parsed texts, as a thousand unchanged files would otherwise be validated again on every build."""
    def make() -> tuple[T | None, Problems]:
        found = Problems()
        return validate(cls, doc.meta, Where(doc.source, doc.key_lines, noun="front-matter key"), found), found

    info, found = yamlfile.remembered(f"{cls.__name__}\0{doc.source}\0{doc.key_lines.text}", make)
    problems.extend(found)
    assert info is not None  # the front matter is a mapping (_read)
    return info


def _edition(site_root: Path, folder: Path, frequency: str, problems: Problems) -> Edition | None:
    index = folder / "index.md"
    try:
        period = Period.parse(folder.name, frequency)
    except ValueError as exc:  # a year out of range
        problems.add(_rel(site_root, folder), None, str(exc))
        return None
    if not index.is_file() and not index.is_symlink():
        problems.add(_rel(site_root, folder), None, _("the edition folder `{name}` has no index.md: add it "
                                                      "(`python build.py new edition {name}` writes one)").format(
                                                          name=folder.name))
        return None
    doc = _read(site_root, index, problems, _("a front matter (summary, highlights) and the edition's text; "
                                              "`python build.py new edition` writes a start"))
    if doc is None:
        return None
    edition = Edition(**vars(doc), period=period, info=_info(EditionMeta, doc, problems))
    for path in markdown_files(site_root, folder, problems):
        if path.name != "index.md":
            article = _article(site_root, path, period, problems)
            if article:
                edition.articles.append(article)
    _check_same_address([(a.slug, a.source) for a in edition.articles], f"{period}/", problems)
    return edition


def _check_same_address(items: list[tuple[str, str]], prefix: str, problems: Problems) -> None:
    """Two files may not give one web address, nor two that differ only in case (one folder on Windows and
    macOS, where the output may be copied)."""
    seen: dict[str, tuple[str, str]] = {}
    for slug, source in items:
        if slug.lower() in seen:
            first_slug, first = seen[slug.lower()]
            if slug == first_slug:
                message = _("this file gives the same web address `{address}` as {other}: rename one of the two files")
            else:
                message = _("this file gives the same web address `{address}` as {other} (names differing only in "
                            "capital letters are one folder on Windows and macOS): rename one of the two files")
            for one, other in ((source, first), (first, source)):
                problems.add(one, None, message.format(address=f"{prefix}{slug.lower()}/", other=other))
        seen.setdefault(slug.lower(), (slug, source))


def slug_of(rel: str, stem: str, problems: Problems) -> str:
    """The web address of a file: its name as it is, or transliterated (berita-ūnicode -> berita-unicode)."""
    slug = stem if _SLUG.match(stem) else slugify(stem)
    if not slug:
        problems.add(rel, None, _("the file name `{name}` has no letter or digit that a web address can carry "
                                  "(a-z, 0-9): rename it, e.g. `artikel.md`").format(name=f"{stem}.md"))
    elif is_windows_device(slug):
        problems.add(rel, None, _("the file name `{name}` would make a folder named `{slug}`, a name Windows keeps "
                                  "for a device, so the site could not be built or copied there: rename it").format(
                                      name=f"{stem}.md", slug=slug))
    return slug


def _article(site_root: Path, path: Path, period: Period, problems: Problems) -> Article | None:
    doc = _read(site_root, path, problems, _("a front matter with at least `title` and `date`, then the text; "
                                             "`python build.py new article` writes a start"))
    if doc is None:
        return None
    slug = slug_of(doc.source, path.stem, problems)
    if slug in ARTICLE_RESERVED:
        problems.add(doc.source, None, _("the article name `{slug}` is reserved in an edition's folder (its data "
                                         "downloads go to {folder}): rename the file").format(
                                             slug=slug, folder=f"{period}/{slug}/"))
    info = _info(ArticleMeta, doc, problems)
    if info.image:
        _check_image(site_root, path, info.image, doc, problems)
    return Article(**vars(doc), slug=slug, period=period, info=info)


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
    line = doc.line_of("image")
    if unsafe_relative(image) or not image.lower().endswith(IMAGE_TYPES):
        problems.add(doc.source, line, _("the image `{image}` must be a picture file ({types}) next to the article, "
                                         "named as seen from it, e.g. `foto.jpg`").format(
                                             image=image, types=", ".join(IMAGE_TYPES)))
        return
    target = (path.parent / image).resolve()
    if not target.is_relative_to((site_root / CONTENT_DIR).resolve()):
        problems.add(doc.source, line, _("the image `{image}` is outside content/: put the photo next to the article "
                                         "(only files in content/ are published)").format(image=image))
    elif (path.parent / unquote(image)).is_file() and not target.is_file():  # `%20` as VS Code writes a space
        problems.add(doc.source, line, _("`image` takes the photo's file name as it is: write `image: {name}`").format(
            name=unquote(image)))
    elif not target.is_file():
        problems.add(doc.source, line, _("the image `{image}` is not next to the article (looked for {path}): copy "
                                         "the photo there, or correct its name").format(
                                             image=image, path=target.relative_to(site_root.resolve()).as_posix()))


def _page(site_root: Path, path: Path, problems: Problems) -> Page | None:
    doc = _read(site_root, path, problems, _("a front matter with at least `title`, then the text"))
    if doc is None:
        return None
    return Page(**vars(doc), slug=slug_of(doc.source, path.stem, problems), info=_info(PageMeta, doc, problems))


def _check_page_slugs(pages: list[Page], problems: Problems) -> None:
    _check_same_address([(page.slug, page.source) for page in pages], "", problems)


def _check_collisions(editions: list[Edition], pages: list[Page], problems: Problems) -> None:
    owners: dict[str, str] = {}
    for edition in editions:
        owners[str(edition.period)] = edition.source
    for page in pages:
        if page.slug in RESERVED:
            problems.add(page.source, None, _("the page name `{slug}` is taken by the site itself (taken: {names}): "
                                              "rename the file").format(slug=page.slug,
                                                                         names=", ".join(sorted(RESERVED))))
        elif page.slug in owners:
            problems.add(page.source, None, _("the page `{slug}` would have the same web address as {other}: rename "
                                              "the page's file").format(slug=page.slug, other=owners[page.slug]))
        owners[page.slug] = page.source


def is_visible(item: Article | Edition, today: dt.date, drafts: bool) -> bool:
    """Drafts and future-dated items are left out unless --drafts."""
    if drafts:
        return True
    if isinstance(item, Edition):
        return item.status != "draft" and (item.published is None or item.published <= today)
    return not item.draft and (item.date is None or item.date <= today)
