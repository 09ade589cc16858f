"""The site model: every page with its address, relations and what it shows.

It is made in two steps. `plan_site` decides which documents become pages, where, and what their macros
see; the pipeline then composes their bodies, resolves their links, finds revisions and draws their charts;
`assemble` puts all of that together into views that are complete when made. Rendering only reads them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from buletin.compose.charts import Figure
from buletin.compose.composer import Body, Headline, lead_figure
from buletin.compose.images import intrinsic_size
from buletin.i18n import Locale
from buletin.inputs.catalog import Catalog
from buletin.inputs.config import SiteConfig
from buletin.inputs.content import Article, Content, Document, Edition, Page, is_visible
from buletin.inputs.datapackage import ResourceSpec
from buletin.inputs.frontmatter import EachSpec
from buletin.inputs.revisions import Revision
from buletin.urls import page_path, slugify


@dataclass(frozen=True)
class FigureRef:
    """A figure as a page shows it: its number label and the files it links to."""

    figure: Figure
    label: str  # "Gambar 1" / "Tabel 1"
    svg_path: str | None  # output paths
    csv_path: str
    folder: str


@dataclass(frozen=True)
class ArticleView:
    article: Article
    path: str
    body: Body
    figures: tuple[FigureRef, ...]
    summary: str = ""
    photo_size: tuple[int, int] | None = None  # the photo's width and height, so its space is kept as it loads

    @property
    def document(self) -> Article:
        """The source document the page shows."""
        return self.article


@dataclass(frozen=True)
class EditionView:
    edition: Edition
    path: str
    title: str
    period_text: str
    body: Body
    figures: tuple[FigureRef, ...]
    highlights: tuple[str, ...]
    headlines: tuple[Headline, ...]
    articles: tuple[ArticleView, ...] = ()
    released: dt.date | None = None
    summary: str = ""
    data_prefix: str = "data/"  # where its data downloads are: a published edition has its own
    card_path: str | None = None  # the 1200x630 sharing image of its lead chart
    lead: FigureRef | None = None  # its lead chart (compose.composer.lead_figure), shown on the home page
    revision: Revision | None = None  # how later data changed its figures
    datasets: tuple[ResourceSpec, ...] = ()  # behind its figures and its articles', as they were read

    @property
    def document(self) -> Edition:
        """The source document the page shows."""
        return self.edition


@dataclass(frozen=True)
class PageView:
    page: Page
    path: str
    body: Body
    figures: tuple[FigureRef, ...]
    title: str = ""
    row: dict[str, str] | None = None  # for a page generated from a data row
    related: tuple[ArticleView, ...] = ()  # articles tagged with the row
    index_title: str = ""  # the title of the list of rows

    @property
    def document(self) -> Page:
        """The source document the page shows."""
        return self.page


@dataclass(frozen=True)
class RowIndex:
    """SLUG/: the list of the pages generated from a dataset's rows."""

    page: Page
    path: str
    title: str
    rows: tuple[PageView, ...]


@dataclass(frozen=True)
class SiteModel:
    """Everything the renderer needs, complete when made."""

    config: SiteConfig
    locale: Locale
    catalog: Catalog
    editions: tuple[EditionView, ...]  # newest first
    pages: tuple[PageView, ...]
    files: Mapping[str, bytes]  # output path -> bytes for charts, CSVs, images
    built_at: dt.datetime
    row_indexes: tuple[RowIndex, ...] = ()
    upcoming: tuple[Edition, ...] = ()  # editions scheduled after today: on the release calendar only

    @property
    def articles(self) -> list[ArticleView]:
        """Every article, newest first."""
        items = [a for e in self.editions for a in e.articles]
        return sorted(items, key=lambda a: (a.article.date or dt.date.min, a.path), reverse=True)


# ---------------------------------------------------------------- the plan


D = TypeVar("D", bound=Document, covariant=True)


@dataclass(frozen=True)
class Slot(Generic[D]):
    """A document to compose into the page at `path`: its macros see `context`; `period` names the published
    edition whose snapshot it reads (None: the current data)."""

    path: str
    doc: D
    context: dict[str, Any]
    period: str | None = None


@dataclass
class EditionPlan:
    slot: Slot[Edition]
    edition: Edition
    title: str
    articles: list[Slot[Article]] = field(default_factory=list)


@dataclass
class RowPlan:
    """A page made from a dataset's rows: one slot per row, with its title and row."""

    page: Page
    path: str
    title: str
    rows: list[tuple[Slot[Page], str, dict[str, str]]] = field(default_factory=list)  # slot, title, row

    @property
    def each(self) -> EachSpec:
        each = self.page.each
        assert each is not None  # a page is planned by rows only when it has `each:` (plan_site)
        return each


@dataclass
class SitePlan:
    editions: list[EditionPlan]  # newest first
    pages: list[Slot[Page]]
    row_pages: list[RowPlan]

    def slots(self) -> list[Slot[Document]]:
        """Every slot, in a stable order."""
        out: list[Slot[Document]] = list(self.pages)
        for plan in self.row_pages:
            out.extend(slot for slot, _, _ in plan.rows)
        for edition in self.editions:
            out.append(edition.slot)
            out.extend(edition.articles)
        return out


RowsOf = Callable[[Page], "list[dict[str, str]] | None"]
TitleOf = Callable[[Page, dict[str, Any]], str]


def plan_site(content: Content, locale: Locale, today: dt.date, drafts: bool, published: set[str],
              rows_of: RowsOf, title_of: TitleOf) -> SitePlan:
    """Which documents become pages, where, with what context; a published edition reads its snapshot."""
    editions = []
    for edition in reversed(content.editions):
        if not is_visible(edition, today, drafts):
            continue
        period = str(edition.period)
        frozen = period if period in published else None
        context: dict[str, Any] = {"edition": edition_context(edition, locale), "page": edition.meta}
        plan = EditionPlan(Slot(page_path(period), edition, context, frozen), edition, context["edition"]["title"])
        for article in sorted(edition.articles, key=lambda a: (a.date or dt.date.min, a.slug)):
            if is_visible(article, today, drafts):
                plan.articles.append(Slot(page_path(period, article.slug), article,
                                          {**context, "page": article.meta}, frozen))
        editions.append(plan)
    latest = edition_context(editions[0].edition, locale) if editions else None
    pages, row_pages = [], []
    for page in content.pages:
        if page.each is None:
            pages.append(Slot(page_path(page.slug), page, {"page": page.meta, "edition": latest}))
            continue
        rows = rows_of(page)
        if rows is None:
            continue
        row_plan = RowPlan(page, page_path(page.slug), page.each.title)
        for row in rows:
            context = {"page": page.meta, "edition": latest, "row": row}
            row_plan.rows.append((Slot(row_path(page, row[page.each.key]), page, context), title_of(page, context),
                                  row))
        row_pages.append(row_plan)
    return SitePlan(editions, pages, row_pages)


def edition_context(edition: Edition, locale: Locale) -> dict[str, Any]:
    """What macros see as `edition`."""
    title = edition.title or locale.edition_title(edition.period)
    return {"period": str(edition.period), "title": title, "previous": str(edition.period.previous()),
            "year_ago": str(edition.period.year_ago()), "period_text": locale.period(edition.period)}


def row_path(page: Page, key: str) -> str:
    return page_path(page.slug, slugify(key) if slugify(key) != key.lower() else key)


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class Made:
    """What the pipeline made for a plan: each slot's body (links resolved, charts drawn), each edition's
    main points and headline cards, sharing cards and revisions, and the files pages link to. Each stage that
    adds to it (revisions, drawing) makes a new one."""

    bodies: dict[str, Body]  # by slot path
    highlights: dict[str, tuple[str, ...]]  # by edition path
    headlines: dict[str, tuple[Headline, ...]]
    revisions: dict[str, Revision]  # by period
    cards: dict[str, tuple[str, bytes]]  # edition path -> (card path, PNG)
    files: dict[str, bytes]  # images and attachments beside their pages
    datasets: dict[str, tuple[ResourceSpec, ...]] = field(default_factory=dict)  # by edition path


def assemble(plan: SitePlan, made: Made, config: SiteConfig, locale: Locale, catalog: Catalog,
             built_at: dt.datetime, upcoming: tuple[Edition, ...] = ()) -> SiteModel:
    """The complete, read-only model (`upcoming`: editions scheduled after today)."""
    files = dict(made.files)
    editions = tuple(_edition_view(edition, made, locale, files) for edition in plan.editions)
    articles = sorted((a for e in editions for a in e.articles),
                      key=lambda a: (a.article.date or dt.date.min, a.path), reverse=True)
    pages: list[PageView] = []
    for slot in plan.pages:
        pages.append(PageView(slot.doc, slot.path, made.bodies[slot.path], _figures(slot, made, locale, files),
                              slot.doc.title))
    indexes = []
    for row_plan in plan.row_pages:
        spec = catalog.spec(row_plan.each.data)
        title = row_plan.title or (spec.title if spec else row_plan.page.slug)
        rows = []
        for slot, row_title, row in row_plan.rows:
            tag = slugify(row[row_plan.each.tag]) if row_plan.each.tag else None
            related = tuple(a for a in articles if tag in a.article.tags) if tag else ()
            rows.append(PageView(row_plan.page, slot.path, made.bodies[slot.path],
                                 _figures(slot, made, locale, files), row_title, row, related, title))
        pages.extend(rows)
        indexes.append(RowIndex(row_plan.page, row_plan.path, title, tuple(rows)))
    return SiteModel(config, locale, catalog, editions, tuple(pages), files, built_at, tuple(indexes),
                     upcoming)


def _photo_size(article: Article, path: str, files: dict[str, bytes]) -> tuple[int, int] | None:
    """An article's photo's intrinsic size, from the file copied beside its page."""
    image = article.info.image
    data = files.get(f"{path.rsplit('/', 1)[0]}/{image.rsplit('/', 1)[-1]}") if image else None
    return intrinsic_size(data, image) if data else None


def _edition_view(plan: EditionPlan, made: Made, locale: Locale, files: dict[str, bytes]) -> EditionView:
    edition, path = plan.edition, plan.slot.path
    articles = tuple(ArticleView(slot.doc, slot.path, made.bodies[slot.path],
                                 _figures(slot, made, locale, files), slot.doc.info.summary,
                                 _photo_size(slot.doc, slot.path, files))
                     for slot in plan.articles)
    dates = [a.article.date for a in articles if a.article.date]
    card = made.cards.get(path)
    if card:
        files[card[0]] = card[1]
    figures = _figures(plan.slot, made, locale, files)
    lead = lead_figure(made.bodies[slot.path] for slot in [plan.slot, *plan.articles])
    lead_ref = next((ref for ref in (*figures, *(r for a in articles for r in a.figures)) if ref.figure is lead), None)
    period = str(edition.period)
    released = edition.published or (max(dates) if dates and edition.status != "draft" else None)  # a draft: none yet
    return EditionView(edition, path, plan.title, locale.period(edition.period), made.bodies[path],
                       figures, made.highlights.get(path, ()),
                       made.headlines.get(path, ()), articles,
                       released=released, summary=edition.info.summary,
                       data_prefix=f"{period}/data/" if plan.slot.period else "data/",
                       card_path=card[0] if card else None, lead=lead_ref, revision=made.revisions.get(period),
                       datasets=made.datasets.get(path, ()))


def _figures(slot: Slot, made: Made, locale: Locale, files: dict[str, bytes]) -> tuple[FigureRef, ...]:
    """Name each figure's files (number and content hash) beside its page; charts and tables count apart."""
    folder = slot.path.rsplit("/", 1)[0] + "/" if "/" in slot.path else ""
    refs = []
    counts = {"chart": 0, "table": 0}
    for figure in made.bodies[slot.path].figures:
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
    return tuple(refs)


def views(model: SiteModel) -> list[EditionView | ArticleView | PageView]:
    """Every page view that has a body, in a stable order."""
    out: list[EditionView | ArticleView | PageView] = list(model.pages)
    for edition in model.editions:
        out.append(edition)
        out.extend(edition.articles)
    return out
