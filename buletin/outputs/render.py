"""The site model -> HTML, feed, sitemap and the other text files, through the Jinja2 theme."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from buletin.build.store import make_key
from buletin.build.workers import fork_map
from buletin.compose.charts import x_text  # formatting only; matplotlib is imported when drawing
from buletin.compose.limits import ThemeSandbox, TooMuchWork, bounded, capped
from buletin.i18n import Locale
from buletin.inputs.paths import refusal
from buletin.model import ArticleView, EditionView, FigureRef, SiteModel
from buletin.outputs.pagecache import Deferred, LastOutput, PageKeys, template_sources
from buletin.problems import Problems
from buletin.urls import absolute, page_path, relative, root_of, slugify

THEME_DIR = Path(__file__).parent.parent / "theme"
_SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')
MIN_FOR_POOL = 64  # pages to render; with fewer, starting worker processes costs more than it saves
_FIGURE_SLOT = re.compile(r"(?:<p>)?BULETINFIGURE(\d+)X(?:</p>)?")  # in a list item it has no paragraph


def make_environment(site_root: Path, locale: Locale, compiled: Path | None = None) -> jinja2.Environment:
    """The theme: the site's templates/ first, then the built-in theme. `compiled`: a folder where the
    templates' compiled code is kept (Jinja checks each against its template's source)."""
    loaders: list[jinja2.BaseLoader] = [SiteTemplates(site_root)] if (site_root / "templates").is_dir() else []
    loaders.append(jinja2.FileSystemLoader(str(THEME_DIR / "templates")))
    bytecode = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(compiled))
    env = ThemeSandbox(loader=jinja2.ChoiceLoader(loaders), autoescape=True, bytecode_cache=bytecode,
                       undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=locale.number, date=locale.date, short_date=locale.short_date,
                       period=locale.period, filesize=lambda n: filesize(n, locale))
    env.globals.update(t=locale.strings, slugify=slugify)
    return env


class RefusedTemplate(jinja2.TemplateError):
    """A template of the site's that may not be read; `path` is relative to the site."""

    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path


class SiteTemplates(jinja2.FileSystemLoader):
    """The site's templates/, where a link leading outside the site is refused, not followed."""

    def __init__(self, site_root: Path):
        super().__init__(str(site_root / "templates"))
        self.site_root = site_root

    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        refused = refusal(self.site_root, Path(filename))
        if refused:
            raise RefusedTemplate(f"templates/{template}", refused)
        return source, filename, uptodate


def check_site_templates(site_root: Path, problems: Problems) -> None:
    """Every file of the site's templates/ may be read (before anything is rendered, so `check` says so)."""
    folder = site_root / "templates"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if "assets" not in path.relative_to(folder).parts[:1] and (path.is_file() or path.is_symlink()):
                refused = refusal(site_root, path)
                if refused:
                    problems.add(path.relative_to(site_root).as_posix(), None, refused)


def filesize(size: int, locale: Locale) -> str:
    """2 KB, 1,4 MB: sizes as readers expect them."""
    if size < 1024 * 1024:
        return f"{locale.number(max(1, round(size / 1024)))} KB"
    return f"{locale.number(size / 1024 / 1024, 1)} MB"


class Renderer:
    """Renders each kind of page with the shared context (site, nav, assets, root)."""

    def __init__(self, env: jinja2.Environment, model: SiteModel, assets: dict[str, str],
                 last: LastOutput | None = None, keys: PageKeys | None = None,
                 on_page: Callable[[str, bytes], None] | None = None):
        self.env = env
        self.model = model
        self.assets = assets  # logical name -> fingerprinted output path
        self.last = last  # the pages of the last build, where there is one
        self.keys = keys  # None: render every page
        self.on_page = on_page or (lambda path, html: None)  # told of each page as soon as it is made
        self.pending: list[tuple[str, str, dict[str, Any]]] = []  # pages to render: template, path, context
        self.nav = [("home", model.locale.text("home"), page_path()),
                    ("arsip", model.locale.text("archive"), page_path("arsip")),
                    ("data", model.locale.text("data"), page_path("data"))]
        self.nav += [(p.page.slug, p.page.title, p.path) for p in model.pages if p.row is None]
        self.nav += [(i.page.slug, i.title, i.path) for i in model.row_indexes]
        self.nav.append(("search", model.locale.text("search"), page_path(model.locale.text("search_dir"))))

    def page(self, template: str, path: str, **context: Any) -> bytes:
        """The last build's page at output `path` when nothing it shows changed; else b"" until finish()."""
        html = None
        if self.keys and self.last:
            html = self.last.page(path, make_key("page", self.keys.site, template, path, self.keys.context(context)))
        if html is None:
            self.pending.append((template, path, context))
            return b""
        self.on_page(path, html)
        return html

    def finish(self, out: dict[str, bytes], jobs: int | None) -> None:
        """Render the pages page() left, in worker processes when there are many."""
        tasks = [lambda t=template, p=path, c=context: self._render(t, p, c)
                 for template, path, context in self.pending]
        try:
            for (_, path, _), html in zip(self.pending, fork_map(tasks, jobs, MIN_FOR_POOL), strict=True):
                out[path] = html
                self.on_page(path, html)
        except jinja2.TemplateError:
            for task in tasks:  # again here: a worker's traceback, which names the template's line, is lost
                task()
            raise
        self.pending = []

    def _render(self, template: str, path: str, context: dict[str, Any]) -> bytes:
        root = root_of(path)
        config = self.model.config
        base = {
            "site": config, "root": root, "path": path, "nav": self.nav, "assets": self.assets,
            "canonical": absolute(config.base_url, path), "link": lambda target: relative(path, target),
            "latest": self.model.editions[0] if self.model.editions else None, "model": self.model,
            "data_date": self.data_date(), "description": config.description, "is_404": False,
            "og_type": "website", "og_image": None, "jsonld": None,
        }
        try:
            with bounded():
                html = capped(self.env.get_template(template).generate({**base, **context}))
        except TooMuchWork as exc:
            raise jinja2.TemplateError(f"page {path}: too much work: {exc}") from None
        return html.encode("utf-8")

    def data_date(self) -> str:
        latest = self.model.editions[0] if self.model.editions else None
        return self.model.locale.period(latest.edition.period) if latest else ""

    def body(self, html: str, figures: list[FigureRef], path: str) -> Deferred:
        """A document body with its figures put where their chart blocks stood (made when printed)."""
        def figure_html(match: re.Match[str]) -> str:
            index = int(match.group(1))
            return str(self.figure(figures[index], path)) if index < len(figures) else ""

        return Deferred(lambda: _FIGURE_SLOT.sub(figure_html, html), html, figures)

    def figure(self, ref: FigureRef, path: str) -> Markup:
        """One figure: chart, caption, source, notice, data table and CSV download."""
        spec = ref.figure.spec
        resource = self.model.catalog.spec(spec.data)
        width, height = svg_size(ref.figure.svg)
        template = self.env.get_template("_figure.html")
        return Markup(template.render(
            ref=ref, figure=ref.figure, spec=spec, width=width, height=height,
            svg_url=relative(path, ref.svg_path) if ref.svg_path else None,
            csv_url=relative(path, ref.csv_path), csv_size=len(ref.figure.csv),
            source=spec.source or "; ".join(resource.sources), notice=self.model.config.notice,
            anchor=ref.label.lower().replace(" ", "-"),
            x_title=(resource.field(spec.x).title if resource.field(spec.x) else "") or spec.x,
            x_text=x_text(ref.figure.series, self.model.locale),
        ))


def svg_size(svg: bytes | None) -> tuple[int, int]:
    """Pixel size of a matplotlib SVG (written in points)."""
    match = _SVG_SIZE.search(svg or b"")
    if not match:
        return 0, 0
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def render_site(model: SiteModel, env: jinja2.Environment, assets: dict[str, str],
                downloads: list, last: LastOutput | None = None, site_root: Path | None = None,
                on_page: Callable[[str, bytes], None] | None = None, jobs: int | None = None) -> dict[str, bytes]:
    """Every page of the site, by output path; given the last output, only the pages whose inputs changed are
    rendered."""
    keys = None
    if last is not None and site_root is not None:
        sources, trusted = template_sources(site_root / "templates", THEME_DIR / "templates")
        keys = PageKeys(model, (assets, downloads, sources)) if trusted else None
    r = Renderer(env, model, assets, last, keys, on_page)
    out: dict[str, bytes] = {}
    out["data/index.html"] = r.page("data.html", "data/index.html", title=model.locale.text("data"),
                                    downloads=downloads, jsonld=datasets_jsonld(model, downloads))
    out["404.html"] = r.page("404.html", "404.html", title=model.locale.text("not_found"))
    search = page_path(model.locale.text("search_dir"))
    out[search] = r.page("search.html", search, title=model.locale.text("search"))
    editions = model.editions
    for index, view in enumerate(editions):
        newer = editions[index - 1] if index > 0 else None
        older = editions[index + 1] if index + 1 < len(editions) else None
        out[view.path] = r.page("edition.html", view.path, edition=view, newer=newer, older=older,
                                og_image=absolute(model.config.base_url, view.card_path) if view.card_path else None,
                                edition_datasets=_datasets_used(model, view),
                                body=r.body(view.body.html, view.figures, view.path), render=r,
                                title=view.title, description=view.summary or model.config.description)
        _articles(r, view, out)
    out[page_path()] = r.page("home.html", page_path(), render=r, title=model.config.title)
    out[page_path("arsip")] = r.page("archive.html", page_path("arsip"), title=model.locale.text("archive"),
                                     years=_by_year(editions))
    for view in model.pages:
        out[view.path] = r.page("page.html", view.path, page=view, title=view.title,
                                body=r.body(view.body.html, view.figures, view.path),
                                description=view.page.info.summary or model.config.description)
    tags = _by_tag(model)
    tags_dir = model.locale.text("tags_dir")
    out[page_path(tags_dir)] = r.page("tags.html", page_path(tags_dir), title=model.locale.text("tags"), tags=tags)
    for slug, name, articles in tags:
        path = page_path(tags_dir, slug)
        out[path] = r.page("tag.html", path, tag=name, articles=articles, title=f"{model.locale.text('tags')}: {name}")
    for index in model.row_indexes:
        out[index.path] = r.page("rows.html", index.path, index=index, title=index.title,
                                 description=index.page.info.summary or model.config.description)
    r.finish(out, jobs)
    return out


def _datasets_used(model: SiteModel, view: EditionView) -> list:
    """The datasets behind an edition's figures and its articles' figures, in order of first use."""
    names: list[str] = []
    for ref in [*view.figures, *(f for a in view.articles for f in a.figures)]:
        if ref.figure.spec.data not in names:
            names.append(ref.figure.spec.data)
    return [model.catalog.spec(name) for name in names]


def _articles(r: Renderer, view: EditionView, out: dict[str, bytes]) -> None:
    items = view.articles
    for index, article in enumerate(items):
        previous = items[index - 1] if index > 0 else None
        following = items[index + 1] if index + 1 < len(items) else None
        out[article.path] = r.page(
            "article.html", article.path, article=article, edition=view, previous=previous, following=following,
            body=_article_body(r, article),
            title=article.article.title, description=article.summary or r.model.config.description,
            share=_share_links(r, article), og_type="article", jsonld=news_article(r.model, article, view),
            og_image=absolute(r.model.config.base_url, view.card_path) if view.card_path else None)


def _article_body(r: Renderer, article: ArticleView) -> Deferred:
    body = r.body(article.body.html, article.figures, article.path)
    return Deferred(lambda: dateline(str(body), article), body)


def news_article(model: SiteModel, article: ArticleView, edition: EditionView) -> dict[str, Any]:
    """schema.org NewsArticle for search engines."""
    config, meta = model.config, article.article
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": meta.title,
        "inLanguage": config.language, "isPartOf": {"@type": "PublicationIssue", "name": edition.title},
        "author": [{"@type": "Person", "name": name} for name in meta.authors],
        "publisher": {"@type": "Organization", "name": config.publisher or config.title},
    }
    if meta.date:
        data["datePublished"] = meta.date.isoformat()
    if meta.info.summary:
        data["description"] = meta.info.summary
    url = absolute(config.base_url, article.path)
    if url:
        data["url"] = url
    return data


def datasets_jsonld(model: SiteModel, downloads: list) -> dict[str, Any]:
    """schema.org Dataset for each download, for dataset search engines."""
    config = model.config
    items = []
    for d in downloads:
        url = absolute(config.base_url, d.csv_path) or d.csv_path.removeprefix("data/")
        licences = list(d.spec.licenses or model.catalog.package.licenses)
        item = {"@type": "Dataset", "name": d.spec.title, "description": d.spec.description or d.spec.title,
                "creator": {"@type": "Organization", "name": config.publisher or config.title},
                "distribution": [{"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": url}]}
        if licences:
            item["license"] = licences[0]
        items.append(item)
    return {"@context": "https://schema.org", "@graph": items}


def dateline(html: str, article: ArticleView) -> str:
    """Put the dateline in capitals before the first sentence: "KENDARI –"."""
    location = article.article.info.location
    if not location or "<p>" not in html:
        return html
    return html.replace("<p>", f'<p><span class="dateline">{_escape(location.upper())} –</span> ', 1)


def _escape(text: str) -> str:
    return str(Markup.escape(text))


def _share_links(r: Renderer, article: ArticleView) -> list[tuple[str, str]]:
    """Plain share links (no third-party scripts); they need the page's absolute URL."""
    from urllib.parse import quote

    url = absolute(r.model.config.base_url, article.path)
    if not url:
        return []
    title = quote(article.article.title)
    target = quote(url, safe="")
    return [("WhatsApp", f"https://wa.me/?text={title}%20{target}"),
            ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={target}"),
            ("X", f"https://x.com/intent/post?text={title}&url={target}"),
            (r.model.locale.text("email"), f"mailto:?subject={title}&body={target}")]


def _by_tag(model: SiteModel) -> list[tuple[str, str, list[ArticleView]]]:
    """(slug, name as first written, articles newest first) for every tag, in alphabetical order."""
    names: dict[str, str] = {}
    tags: dict[str, dict[str, ArticleView]] = {}  # by path: an article listed once under a tag
    for view in model.articles:
        for tag in view.article.tags:
            slug = slugify(tag)
            names.setdefault(slug, tag)
            tags.setdefault(slug, {}).setdefault(view.path, view)
    return [(slug, names[slug], list(tags[slug].values())) for slug in sorted(tags) if slug]


def _by_year(editions: list[EditionView]) -> list[tuple[int, list[EditionView]]]:
    years: dict[int, list[EditionView]] = {}
    for view in editions:
        years.setdefault(view.edition.period.year, []).append(view)
    return sorted(years.items(), reverse=True)

