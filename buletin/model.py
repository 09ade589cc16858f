"""The site model: every output page and file, with its URL, relations and template context."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buletin.compose.composer import Body, Composer, Headline
from buletin.compose.rowpages import RowIndex, row_path, row_title, rows_of
from buletin.i18n import Locale
from buletin.inputs.catalog import Catalog
from buletin.inputs.config import SiteConfig
from buletin.inputs.content import Article, Content, Edition, Page, is_visible
from buletin.urls import page_path, slugify


@dataclass
class FigureRef:
    """A figure as a page shows it: its number label and the files it links to."""

    figure: Any  # charts.Figure
    label: str  # "Gambar 1" / "Tabel 1"
    svg_path: str | None  # output paths
    csv_path: str
    folder: str


@dataclass
class EditionView:
    edition: Edition
    path: str
    title: str
    period_text: str
    body: Body
    figures: list[FigureRef]
    highlights: list[str]
    headlines: list[Headline]
    articles: list[ArticleView] = field(default_factory=list)
    released: dt.date | None = None
    summary: str = ""
    data_prefix: str = "data/"  # where its data downloads are: a published edition has its own
    card_path: str | None = None  # the 1200x630 sharing image of its lead chart
    revision: Any = None  # releases.Revision when later data changed its figures


@dataclass
class ArticleView:
    article: Article
    path: str
    edition_path: str
    body: Body
    figures: list[FigureRef]
    summary: str = ""


@dataclass
class PageView:
    page: Page
    path: str
    body: Body
    figures: list[FigureRef]
    title: str = ""
    row: dict[str, str] | None = None  # for a page generated from a data row
    related: list[ArticleView] = field(default_factory=list)  # articles tagged with the row
    index_title: str = ""  # the title of the list of rows


@dataclass
class SiteModel:
    """Everything the renderer needs; built once after all inputs validated."""

    config: SiteConfig
    locale: Locale
    catalog: Catalog
    editions: list[EditionView]  # newest first
    pages: list[PageView]
    files: dict[str, bytes]  # output path -> bytes for charts, CSVs, images
    built_at: dt.datetime
    row_indexes: list[RowIndex] = field(default_factory=list)

    @property
    def articles(self) -> list[ArticleView]:
        """Every article, newest first."""
        items = [a for e in self.editions for a in e.articles]
        return sorted(items, key=lambda a: (a.article.date or dt.date.min, a.path), reverse=True)


def build_model(site_root: Path, config: SiteConfig, content: Content, catalog: Catalog,
                composer_for: Callable[[Edition | None], Composer], today: dt.date, drafts: bool,
                built_at: dt.datetime) -> SiteModel:
    """Compose every visible document (a published edition with its snapshot's composer); name figure files."""
    composer = composer_for(None)
    locale = composer.locale
    files: dict[str, bytes] = {}
    editions = []
    for edition in content.editions:
        if is_visible(edition, today, drafts):
            editions.append(_edition_view(site_root, edition, composer_for(edition), files, today, drafts))
    editions.reverse()
    model = SiteModel(config, locale, catalog, editions, [], files, built_at)
    latest = _edition_context(editions[0].edition, locale) if editions else None
    for page in content.pages:
        if page.each is not None:
            _row_pages(model, page, composer, latest)
        else:
            body = composer.body(page, {"page": page.meta, "edition": latest})
            model.pages.append(PageView(page, page_path(page.slug), body, [], page.title))
    return model


def _row_pages(model: SiteModel, page: Page, composer: Composer, latest: dict[str, Any] | None) -> None:
    """One page per data row at SLUG/KEY/, and SLUG/ listing them."""
    rows = rows_of(page, composer)
    if rows is None:
        return
    each = page.each
    spec = composer.catalog.spec(each.data)
    index = RowIndex(page, page_path(page.slug), each.title or (spec.title if spec else page.slug), [])
    for row in rows:
        context = {"page": page.meta, "edition": latest, "row": row}
        view = PageView(page, row_path(page, row[each.key]), composer.body(page, context), [],
                        row_title(page, row, composer, context), row, index_title=index.title)
        if each.tag:
            tag = slugify(row[each.tag])
            view.related = [a for a in model.articles if tag in a.article.tags]
        index.rows.append(view)
        model.pages.append(view)
    model.row_indexes.append(index)


def _edition_context(edition: Edition, locale: Locale) -> dict[str, Any]:
    title = edition.title or locale.edition_title(edition.period)
    return {"period": str(edition.period), "title": title, "previous": str(edition.period.previous()),
            "year_ago": str(edition.period.year_ago()), "period_text": locale.period(edition.period)}


def _edition_view(site_root: Path, edition: Edition, composer: Composer, files: dict[str, bytes],
                  today: dt.date, drafts: bool) -> EditionView:
    locale = composer.locale
    context = {"edition": _edition_context(edition, locale), "page": edition.meta}
    path = page_path(str(edition.period))
    body = composer.body(edition, context)
    highlights = [composer.inline(text, edition.source, edition.line_of("highlights", i) or 1, context)
                  for i, text in enumerate(edition.info.highlights)]
    view = EditionView(edition, path, context["edition"]["title"], locale.period(edition.period), body,
                       [], highlights, composer.headlines(edition), summary=edition.info.summary)
    for article in sorted(edition.articles, key=lambda a: (a.date or dt.date.min, a.slug)):
        if not is_visible(article, today, drafts):
            continue
        article_path = page_path(str(edition.period), article.slug)
        article_body = composer.body(article, {**context, "page": article.meta})
        view.articles.append(ArticleView(article, article_path, path, article_body,
                                         [],
                                         summary=article.info.summary))
        _copy_image(site_root, article, article_path, files)
    dates = [a.article.date for a in view.articles if a.article.date]
    view.released = edition.published or (max(dates) if dates else None)
    return view


def _copy_image(site_root: Path, article: Article, article_path: str, files: dict[str, bytes]) -> None:
    """The article's photo goes beside its page."""
    image = article.info.image
    source = site_root / Path(article.source).parent / image
    if image and source.is_file():  # a missing photo is already a problem of the article's (content.py)
        files[article_path.rsplit("/", 1)[0] + "/" + source.name] = source.read_bytes()


def views(model: SiteModel) -> list[EditionView | ArticleView | PageView]:
    """Every page view that has a body, in a stable order."""
    out: list[EditionView | ArticleView | PageView] = list(model.pages)
    for edition in model.editions:
        out.append(edition)
        out.extend(edition.articles)
    return out


def place_figures(model: SiteModel) -> None:
    """Once drawn, name each figure's files (number and content hash) beside its page."""
    for view in views(model):
        view.figures = _place_figures(view.body, view.path, model.files, model.locale)


def _place_figures(body: Body, page: str, files: dict[str, bytes], locale: Locale) -> list[FigureRef]:
    """Name each figure's files by number and content hash, and number charts and tables separately."""
    folder = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    refs = []
    counts = {"chart": 0, "table": 0}
    for figure in body.figures:
        kind = "table" if figure.is_table else "chart"
        counts[kind] += 1
        word = locale.text("table" if figure.is_table else "figure")
        stem = f"{word.lower()}-{counts[kind]}"
        digest = hashlib.sha256((figure.svg or b"") + figure.csv).hexdigest()[:8]
        svg_path = None
        if figure.svg is not None:
            svg_path = f"{folder}{stem}-{digest}.svg"
            files[svg_path] = figure.svg
        csv_path = f"{folder}{stem}-{digest}.csv"
        files[csv_path] = figure.csv
        refs.append(FigureRef(figure, f"{word} {counts[kind]}", svg_path, csv_path, folder))
    return refs
