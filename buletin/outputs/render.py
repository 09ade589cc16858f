"""The site model -> HTML pages through the theme: each page a job, rendered here or in the worker pool.

A page is rendered again only when its key changes (the build state's rule): the key covers the templates,
the site's metadata and what the page itself shows; the last build's file is reused when it still has the
bytes that build wrote (`LastOutput`).
"""
from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from buletin.build.state import BuildState, make_key, template_code
from buletin.build.workers import SharedFile, Workers
from buletin.compose.charts import x_text  # formatting only; matplotlib is imported when drawing
from buletin.compose.limits import TooMuchWork, bounded, capped
from buletin.messages import _
from buletin.model import ArticleView, EditionView, FigureRef, PageView, SiteModel
from buletin.outputs.calendar import calendar_context, calendar_page_path
from buletin.outputs.context import (
    by_tag,
    by_year,
    contents,
    datasets_jsonld,
    dateline,
    figure_anchor,
    news_article,
    share_links,
)
from buletin.outputs.pagecache import Deferred, LastOutput, PageKeys, template_sources
from buletin.outputs.theme import THEME_DIR, make_environment, svg_size
from buletin.urls import absolute, page_path, relative, root_of

_PACKAGE = Path(__file__).resolve().parent.parent  # buletin's own code, the built-in theme's templates too
_SANDBOX = _PACKAGE / "compose" / "limits.py"

MIN_FOR_POOL = 64  # pages to render; with fewer, worker processes cost more than they save
_FIGURE_SLOT = re.compile(r"(?:<p>)?BULETINFIGURE(\d+)X(?:</p>)?")  # in a list item it has no paragraph


@dataclass(frozen=True)
class PageJob:
    """A page to render: its template and path, and which view it shows (by position in the model)."""

    template: str
    path: str
    kind: str
    index: tuple[int, ...] = ()


@dataclass(frozen=True)
class RenderSetting:
    """What a process needs, besides the model, to render pages the same way here or in a worker."""

    site_root: Path
    state_root: Path | None
    assets: dict[str, str]  # logical name -> fingerprinted output path
    downloads: tuple[Any, ...]
    pdfs: tuple[tuple[str, str, int], ...] = ()  # an edition page's path, its PDF's output path and size


def page_jobs(model: SiteModel) -> list[PageJob]:
    """Every page of the site."""
    text = model.locale.text
    jobs = [PageJob("data.html", "data/index.html", "data"), PageJob("404.html", "404.html", "404"),
            PageJob("search.html", page_path(text("search_dir")), "search")]
    for e, edition in enumerate(model.editions):
        jobs.append(PageJob("edition.html", edition.path, "edition", (e,)))
        jobs += [PageJob("article.html", article.path, "article", (e, a)) for a, article in enumerate(edition.articles)]
    jobs += [PageJob("home.html", page_path(), "home"), PageJob("archive.html", page_path("arsip"), "archive")]
    jobs += [PageJob("page.html", page.path, "page", (p,)) for p, page in enumerate(model.pages)]
    jobs.append(PageJob("tags.html", page_path(text("tags_dir")), "tags"))
    jobs += [PageJob("tag.html", page_path(text("tags_dir"), slug), "tag", (t,))
             for t, (slug, _, _) in enumerate(by_tag(model))]
    jobs += [PageJob("rows.html", index.path, "rows", (i,)) for i, index in enumerate(model.row_indexes)]
    jobs.append(PageJob("calendar.html", calendar_page_path(model.locale), "calendar"))
    return jobs


class TooMuchToRender(jinja2.TemplateError):
    """A page whose template asked for more text, loops or time than any page needs, with the template's file
    and line where it did (kept when the error comes back from a worker, unlike a traceback)."""

    def __init__(self, message: str, filename: str | None = None, lineno: int | None = None):
        super().__init__(message)
        self.filename, self.lineno = filename, lineno

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.message, self.filename, self.lineno)


class SiteTemplateFailed(TooMuchToRender):
    """A site template's own mistake met while a page was rendered (a division by zero, a text added to a number,
    a filter given what it cannot take), with the template's file and line: the site's fault, not buletin's."""


def _site_template_failure(exc: Exception, path: str, site_root: Path) -> SiteTemplateFailed | None:
    """`exc` as the site template's error, when it arose in one of templates/ or in what that template called of
    Jinja's (not in buletin's own code, nor in the built-in theme)."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = max((i for i, frame in enumerate(frames) if frame.filename.endswith((".html", ".xml"))), default=None)
    if last is None or not Path(frames[last].filename).resolve().is_relative_to((site_root / "templates").resolve()) \
            or any(_buletins(frame.filename) for frame in frames[last + 1:]):
        return None
    return SiteTemplateFailed(_("page {path}: {error} ({kind})").format(path=path, error=exc, kind=type(exc).__name__),
                              frames[last].filename, frames[last].lineno)


def _buletins(filename: str) -> bool:
    """Whether a frame is of buletin's own code, the sandbox's checks (compose/limits.py) counted as Jinja's."""
    path = Path(filename).resolve()
    return path.is_relative_to(_PACKAGE) and path != _SANDBOX


class PageTooLarge(TooMuchToRender):
    """A page the built-in theme cannot make within the bounds because of its own text (a body of megabytes, a
    table of tens of thousands of rows): the fault is the document's (`filename`), not a template's."""


class Renderer:
    """Renders each kind of page with the shared context (site, nav, assets, root)."""

    def __init__(self, env: jinja2.Environment, model: SiteModel, setting: RenderSetting):
        self.env = env
        self.model = model
        self.site_root = setting.site_root
        self.assets = setting.assets
        self.downloads = list(setting.downloads)
        self.pdfs = {page: (path, size) for page, path, size in setting.pdfs}
        self.tags = by_tag(model)
        text = model.locale.text
        self.nav = [("home", text("home"), page_path()), ("arsip", text("archive"), page_path("arsip")),
                    ("data", text("data"), page_path("data"))]
        self.nav += [(p.page.slug, p.page.title, p.path) for p in model.pages if p.row is None]
        self.nav += [(i.page.slug, i.title, i.path) for i in model.row_indexes]
        self.nav.append(("calendar", text("calendar"), calendar_page_path(model.locale)))
        self.nav.append(("search", text("search"), page_path(text("search_dir"))))

    def own_view(self, job: PageJob) -> ArticleView | EditionView | PageView | None:
        """The edition, article or page a job shows as its own (None for lists and the like)."""
        if job.kind == "edition":
            return self.model.editions[job.index[0]]
        if job.kind == "article":
            return self.model.editions[job.index[0]].articles[job.index[1]]
        if job.kind == "page":
            return self.model.pages[job.index[0]]
        return None

    def context(self, job: PageJob) -> dict[str, Any]:
        """What the job's template shows, besides what every page shows."""
        model, text = self.model, self.model.locale.text
        description = model.config.description
        if job.kind == "data":
            return {"title": text("data"), "downloads": self.downloads,
                    "jsonld": datasets_jsonld(model, self.downloads)}
        if job.kind in ("404", "search"):
            return {"title": text("not_found" if job.kind == "404" else "search")}
        if job.kind == "edition":
            return self._edition(job.index[0])
        if job.kind == "article":
            return self._article(*job.index)
        if job.kind == "home":
            return {"render": FigureMaker(self), "title": model.config.title}
        if job.kind == "archive":
            return {"title": text("archive"), "years": by_year(model.editions)}
        if job.kind == "page":
            view = model.pages[job.index[0]]
            return {"page": view, "title": view.title, "body": self.body(view.body.html, view.figures, view.path),
                    "description": view.page.info.summary or description,
                    "share": share_links(model, view.path, view.title) if view.row is not None else []}
        if job.kind == "calendar":
            return calendar_context(model, model.upcoming)
        if job.kind == "tags":
            return {"title": text("tags"), "tags": self.tags}
        if job.kind == "tag":
            _, name, articles = self.tags[job.index[0]]
            return {"tag": name, "articles": articles, "title": f"{text('tags')}: {name}"}
        index = model.row_indexes[job.index[0]]
        return {"index": index, "title": index.title, "description": index.page.info.summary or description}

    def _edition(self, e: int) -> dict[str, Any]:
        editions, model = self.model.editions, self.model
        view = editions[e]
        pdf = self.pdfs.get(view.path)
        return {"edition": view, "newer": editions[e - 1] if e > 0 else None,
                "pdf": (relative(view.path, pdf[0]), pdf[1]) if pdf else None,
                "share": share_links(model, view.path, view.title), "contents": contents(view.body.html, view.figures),
                "older": editions[e + 1] if e + 1 < len(editions) else None,
                "og_image": absolute(model.config.base_url, view.card_path) if view.card_path else None,
                "edition_datasets": view.datasets, "render": FigureMaker(self),
                "body": self.body(view.body.html, view.figures, view.path), "title": view.title,
                "description": view.summary or model.config.description}

    def _article(self, e: int, a: int) -> dict[str, Any]:
        model, edition = self.model, self.model.editions[e]
        items, article = edition.articles, edition.articles[a]
        body = self.body(article.body.html, article.figures, article.path)
        return {"article": article, "edition": edition, "previous": items[a - 1] if a > 0 else None,
                "following": items[a + 1] if a + 1 < len(items) else None,
                "body": Deferred(lambda: dateline(str(body), article), body), "title": article.article.title,
                "description": article.summary or model.config.description,
                "share": share_links(model, article.path, article.article.title),
                "contents": contents(article.body.html, article.figures),
                "og_type": "article", "jsonld": news_article(model, article, edition),
                "og_image": absolute(model.config.base_url, edition.card_path) if edition.card_path else None}

    def render(self, job: PageJob) -> bytes:
        path, config = job.path, self.model.config
        base = {
            "site": config, "root": root_of(path), "path": path, "nav": self.nav, "assets": self.assets,
            "canonical": absolute(config.base_url, path), "link": lambda target: relative(path, target),
            "latest": self.model.editions[0] if self.model.editions else None, "model": self.model,
            "data_date": self.data_date(), "description": config.description, "is_404": False,
            "og_type": "website", "og_image": None, "jsonld": None,
        }
        try:
            with bounded():
                html = capped(self.env.get_template(job.template).generate({**base, **self.context(job)}))
        except TooMuchWork as exc:
            frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
                      if frame.filename.endswith((".html", ".xml"))]
            own = self.own_view(job)
            if own is not None and (not frames or Path(frames[-1].filename).is_relative_to(THEME_DIR)):
                raise PageTooLarge(_("the page made from this file would be too large ({reason}): shorten it, or "
                                     "split it into several").format(reason=exc),
                                   str(self.site_root / own.document.source)) from None
            raise TooMuchToRender(_("page {path}: too much work ({reason}): simplify the template").format(
                path=path, reason=exc), *((frames[-1].filename, frames[-1].lineno) if frames else ())) from None
        except jinja2.TemplateError:
            raise
        except Exception as exc:
            failed = _site_template_failure(exc, path, self.site_root)
            if failed is None:
                raise
            raise failed from None
        return html.encode("utf-8")

    def data_date(self) -> str:
        latest = self.model.editions[0] if self.model.editions else None
        return self.model.locale.period(latest.edition.period) if latest else ""

    def body(self, html: str, figures: tuple[FigureRef, ...], path: str) -> Deferred:
        """A document body with its figures put where their chart blocks stood (made when printed)."""
        def figure_html(match: re.Match[str]) -> str:
            index = int(match.group(1))
            return str(self.figure(figures[index], path)) if index < len(figures) else ""

        return Deferred(lambda: _FIGURE_SLOT.sub(figure_html, html), html, figures)

    def figure(self, ref: FigureRef, path: str) -> Markup:
        """One figure: chart, caption, source, notice, data table and CSV download."""
        spec = ref.figure.spec
        width, height = svg_size(ref.figure.svg)
        template = self.env.get_template("_figure.html")
        return Markup(template.render(
            ref=ref, figure=ref.figure, spec=spec, width=width, height=height,
            svg_url=relative(path, ref.svg_path) if ref.svg_path else None,
            csv_url=relative(path, ref.csv_path), csv_size=len(ref.figure.csv),
            source=ref.figure.source, notice=self.model.config.notice, anchor=figure_anchor(ref),
            x_title=ref.figure.x_title,
            x_text=x_text(ref.figure.series, self.model.locale),
        ))


class FigureMaker:
    """All a template may ask of the renderer, as `render.figure(ref, path)`: one figure's HTML. The renderer
    itself stays out of reach (its environment's loaders would let a template include any file)."""

    def __init__(self, renderer: Renderer):
        self._renderer = renderer

    def figure(self, ref: FigureRef, path: str) -> Markup:
        return self._renderer.figure(ref, path)


def render_site(model: SiteModel, setting: RenderSetting, state: BuildState, workers: Workers,
                last: LastOutput | None = None,
                on_page: Callable[[str, bytes], None] | None = None,
                on_pool: Callable[[], None] | None = None,
                first: Callable[[str], bool] | None = None) -> dict[str, bytes]:
    """Every page, by output path: the last build's where its key is unchanged, the others rendered (in the
    worker pool when there are many, and then `on_pool` is called first). `on_page` is told of each page as
    soon as it is there: the rendered ones first, then the last build's, those for which `first` is true
    before the others (the search index starts a part as soon as it has all of its pages)."""
    told = on_page or (lambda path, html: None)
    renderer = Renderer(make_environment(setting.site_root, model.locale, template_code(state)), model, setting)
    out: dict[str, bytes] = {}
    pending, kept = _pending_and_kept(model, setting, renderer, last)
    _render_jobs(pending, model, setting, state, workers, renderer, out, told, on_pool)
    if kept and last is not None:
        if first is not None:
            kept.sort(key=lambda item: not first(item[0].path))  # stable: in the pages' order otherwise
        changed_by_hand = []
        for job, key in kept:
            html = last.page(job.path, key)
            if html is None:
                changed_by_hand.append(job)
            else:
                out[job.path] = html
                told(job.path, html)
        _render_jobs(changed_by_hand, model, setting, state, workers, renderer, out, told, on_pool)
    return out


def _pending_and_kept(model: SiteModel, setting: RenderSetting, renderer: Renderer,
                      last: LastOutput | None) -> tuple[list[PageJob], list[tuple[PageJob, str]]]:
    """The pages to render, and the pages the last build wrote under the key they have now (with that key)."""
    jobs = page_jobs(model)
    if last is None:
        return jobs, []
    sources, trusted = template_sources(setting.site_root / "templates", THEME_DIR / "templates")
    if not trusted:
        return jobs, []
    keys = PageKeys(model, (setting.assets, sources))
    pending, kept = [], []
    for job in jobs:
        view = renderer.own_view(job)  # its context is made from it and the site's metadata alone
        shown: Any
        if view is not None:
            shown = keys.own(view, model.editions[job.index[0]] if job.kind == "article" else None)
        else:
            shown = (keys.context(renderer.context(job)), keys.home(model) if job.kind == "home" else None)
        pdf = renderer.pdfs.get(view.path) if job.kind == "edition" and view is not None else None  # its size
        key = make_key("page", keys.site, job.template, job.path, job.kind, job.index, shown, pdf)
        if last.claim(job.path, key):
            kept.append((job, key))
        else:
            pending.append(job)
    return pending, kept


def _render_jobs(jobs: list[PageJob], model: SiteModel, setting: RenderSetting, state: BuildState, workers: Workers,
                 renderer: Renderer, out: dict[str, bytes], told: Callable[[str, bytes], None],
                 on_pool: Callable[[], None] | None) -> None:
    """Render these pages (in the worker pool when there are many) into `out`, telling each."""
    shared = None
    if len(jobs) >= MIN_FOR_POOL and workers.size > 1:
        if on_pool is not None:
            on_pool()
        shared = workers.share((_portable(model), setting), state.root / "shared" if state.root else None)
        pages = workers.map(render_task, jobs, shared, minimum=MIN_FOR_POOL)
    else:
        pages = (renderer.render(job) for job in jobs)
    try:
        for job, html in zip(jobs, pages, strict=True):
            out[job.path] = html
            told(job.path, html)
    except TooMuchToRender:
        raise  # its file and line come with it: rendering it again would only take as long again
    except jinja2.TemplateError:
        if shared is not None:
            for job in jobs:  # again here: a worker's traceback, which names the template's line, is lost
                renderer.render(job)
        raise
    finally:
        if shared is not None:
            workers.unshare(shared)


def _portable(model: SiteModel) -> SiteModel:
    """The model as workers need it: the catalog's declarations, not its tables."""
    return replace(model, catalog=model.catalog.without_tables())


@lru_cache(maxsize=2)
def _worker_renderer(shared: SharedFile) -> Renderer:
    model, setting = shared.load()
    state = BuildState(setting.state_root, read_only=True) if setting.state_root is not None else None
    return Renderer(make_environment(setting.site_root, model.locale, template_code(state) if state else None),
                    model, setting)


def render_task(job: PageJob, shared: SharedFile) -> bytes:
    """A worker's task: one page, from the model shared with the pool."""
    return _worker_renderer(shared).render(job)
