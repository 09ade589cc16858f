"""The only module that knows the order of the stages: read and validate all, render, then write."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from buletin.build.store import Cache, make_key, output_record
from buletin.compose import links
from buletin.compose.composer import Composer
from buletin.compose.drawing import draw_all
from buletin.compose.markup import plain_text
from buletin.i18n import Locale
from buletin.inputs import clock, releases, yamlfile
from buletin.inputs.catalog import Catalog, load_catalog
from buletin.inputs.config import SiteConfig, config_and_period, load_config
from buletin.inputs.content import Content, Edition, load_content
from buletin.model import SiteModel, build_model, place_figures, views
from buletin.outputs import writer
from buletin.outputs.downloads import data_files
from buletin.outputs.feeds import atom_feed, robots, sitemap
from buletin.outputs.headers import HEADERS_FILE, headers_file
from buletin.outputs.pagecache import LastOutput
from buletin.outputs.render import RefusedTemplate, check_site_templates, make_environment, render_site
from buletin.outputs.search import SearchUnavailable, ShardIndexer
from buletin.problems import Problems, SiteError


@dataclass(frozen=True)
class BuildOptions:
    site_root: Path
    out: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    write: bool = True  # False for `check`
    cache_dir: Path | None = None  # None: no cache
    jobs: int | None = None  # processes for drawing charts (default: the machine's cores)
    note: Callable[[str], None] | None = None  # told what a user should know but that is no problem
    republishing: str | None = None  # `publish PERIOD --force`: that edition's snapshot is about to be replaced


@dataclass
class BuildResult:
    pages: int = 0
    files: int = 0
    written: int = 0
    figures: int = 0
    drawn: int = 0
    warnings: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)


def today_at(site_root: Path) -> dt.date:
    """Today where the site is (its time zone), for new files' dates."""
    config = load_config(site_root, Problems())
    return _now(site_root, config or SiteConfig(title="?", language="id"))[1]


def _now(site_root: Path, config: SiteConfig) -> tuple[dt.datetime, dt.date]:
    """Build time, and "today" in the site's time zone for leaving out future-dated items."""
    return clock.build_time(site_root), clock.today(ZoneInfo(config.timezone))


@dataclass
class Composers:
    """One composer for the current data, and one per published edition's snapshot."""

    current: Composer
    frozen: dict[str, Composer]

    def finish(self, jobs: int | None) -> None:
        """Compose the bodies that were not in the cache."""
        for composer in (self.current, *self.frozen.values()):
            composer.finish(jobs)

    def for_edition(self, edition: Edition | None) -> Composer:
        if edition is not None and edition.status == "published":
            return self.frozen.get(str(edition.period), self.current)
        return self.current


def _composers(catalog: Catalog, frozen: dict[str, Catalog], config: SiteConfig, problems: Problems,
               cache: Cache) -> Composers:
    locale = Locale(config.language)
    return Composers(Composer(catalog, locale, config.allow_raw_html, problems, cache),
                     {period: Composer(c, locale, config.allow_raw_html, problems, cache)
                      for period, c in frozen.items()})


def run(options: BuildOptions) -> BuildResult:
    """Build (or check) a site. Raises SiteError with every problem; never writes a half-built site.

    A build holds the site's lock from start to end, so a second one started at once is refused.
    """
    if options.write and options.out is not None:
        writer.check_output_folder(options.out, options.site_root)
        with writer.site_lock(options.site_root, note=options.note):
            return _run(options)
    return _run(options)


def _run(options: BuildOptions) -> BuildResult:
    site_root = options.site_root
    cache = Cache(options.cache_dir, read_only=not options.write)
    parsed_key = make_key("parsed-yaml", str(site_root.resolve()))  # a memo of parsed texts, per site
    yamlfile.recall(cache.load("yaml", parsed_key))
    problems = Problems()
    config = load_config(site_root, problems)
    fallback = config or SiteConfig(title="?", language="id")
    catalog = load_catalog(site_root, problems, cache=cache)
    content = load_content(site_root, fallback.frequency, problems)
    published = [str(e.period) for e in content.editions
                 if e.status == "published" and str(e.period) != options.republishing]
    frozen = releases.load_frozen(site_root, published, problems, cache)
    assets = writer.collect_assets(site_root, problems)
    check_site_templates(site_root, problems)
    if options.base_url:
        fallback = fallback.with_base_url(options.base_url)
    if config is None or problems:
        _compose_quietly(site_root, fallback, content, _composers(catalog, frozen, fallback, problems, cache))
        raise SiteError(problems)
    config = fallback
    built_at, today = _now(site_root, config)
    composers = _composers(catalog, frozen, config, problems, cache)
    model = build_model(site_root, config, content, catalog, composers.for_edition, today, options.drafts,
                        built_at)
    composers.finish(options.jobs)
    links.resolve(model, site_root, problems)
    if problems:
        raise SiteError(problems)
    _add_revisions(site_root, model, composers, frozen, today)
    figures = sum(len(v.body.figures) for v in views(model))
    if not options.write:
        return BuildResult(figures=figures, problems=problems)
    drawn = draw_all(model, cache, options.jobs)
    last = LastOutput(options.out, output_record(options.cache_dir, options.out, "pages")) \
        if options.out and options.cache_dir else None
    warnings: list[str] = []
    place_figures(model)
    try:
        files = _render(site_root, model, frozen, assets, cache, warnings, options.jobs, last)
    except RefusedTemplate as exc:
        problems.add(exc.path, None, str(exc))
        raise SiteError(problems) from None
    except jinja2.TemplateError as exc:
        problems.add(*_template_location(exc, site_root), f"theme template: {exc}")
        raise SiteError(problems) from None
    links.check_internal(model, files, problems)
    if problems:
        raise SiteError(problems)
    result = BuildResult(pages=sum(1 for p in files if p.endswith(".html")), files=len(files), figures=figures,
                         drawn=drawn, problems=problems, warnings=warnings)
    if options.out is not None:
        result.written = writer.write_site(options.out, files, writer.work_folder(site_root, options.out))
        if last:
            last.save()
    memo, changed = yamlfile.parsed()
    if changed:
        cache.store("yaml", parsed_key, memo)
    return result


def _add_revisions(site_root: Path, model: SiteModel, composers: Composers, frozen: dict[str, Catalog],
                   today: dt.date) -> None:
    """Compare each published edition's snapshot with the current data for its period."""
    for view in model.editions:
        period = str(view.edition.period)
        if period not in frozen:
            continue
        view.data_prefix = f"{period}/data/"
        revision = releases.find_revision(frozen[period], model.catalog, period,
                                          composers.frozen[period].macros.quoted)
        if revision:
            revision.date = releases.revision_date(site_root, model.catalog, revision.datasets, today,
                                                   model.config.timezone)
            view.revision = revision


def _compose_quietly(site_root: Path, config: SiteConfig, content: Content, composers: Composers) -> None:
    """With inputs already in error, still look for the problems in bodies and charts (all in one run)."""
    if content.editions or content.pages:
        build_model(site_root, config, content, composers.current.catalog, composers.for_edition, dt.date.max,
                    True, dt.datetime.now(dt.timezone.utc))
        composers.finish(None)


def _template_location(exc: jinja2.TemplateError, site_root: Path) -> tuple[str, int | None]:
    """The theme file and line where a template failed, relative to the site when it is the site's own."""
    import traceback

    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not filename:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".html", ".xml")):
                filename, line = frame.filename, frame.lineno
    if not filename:
        return "templates", None
    path = Path(filename)
    try:
        return path.resolve().relative_to(site_root.resolve()).as_posix(), line
    except ValueError:
        return f"(built-in theme) {path.name}", line


def _render(site_root: Path, model: SiteModel, frozen: dict[str, Catalog], assets: dict[str, bytes], cache: Cache,
            warnings: list[str], jobs: int | None = None, last: LastOutput | None = None) -> dict[str, bytes]:
    """Every output file by path, manifest last."""
    names, files = writer.fingerprint(assets)
    downloads, data = data_files(site_root, model.catalog, cache=cache)
    years = {str(view.edition.period): view.edition.period.year for view in model.editions}
    indexer = ShardIndexer([view.path for view in views(model)], years, model.config.language, cache, jobs)
    try:
        compiled = cache.root / "templates" if cache.root is not None and not cache.read_only else None
        pages = render_site(model, make_environment(site_root, model.locale, compiled), names, downloads, last,
                            site_root, indexer.add, jobs)  # search shards are indexed while the rest renders
    except BaseException:
        indexer.close()
        raise
    files.update(pages)
    files.update(model.files)
    files.update(data)
    for period, catalog in frozen.items():
        files.update(data_files(site_root, catalog, prefix=f"{period}/data/", cache=cache)[1])
    files["feed.xml"] = atom_feed(model, lambda article: plain_text(article.body.html, 280))
    files["robots.txt"] = robots(model)
    files[HEADERS_FILE] = headers_file()
    site_map = sitemap(model, [p for p in files if p.endswith(".html")])
    if site_map:
        files["sitemap.xml"] = site_map
    try:
        files.update(indexer.files(pages))
    except SearchUnavailable as exc:
        warnings.append(f"the search index was not built ({exc}); the search page will say so")
    commit = clock.git(site_root, "rev-parse", "HEAD")
    files[writer.MANIFEST] = writer.manifest(model.config.version, model.built_at.isoformat(), commit,
                                             writer.input_hashes(site_root), files)
    return files


@dataclass(frozen=True)
class Published:
    period: str
    date: dt.date
    files: list[str]


def publish(site_root: Path, period_text: str, force: bool = False, date: dt.date | None = None) -> Published:
    """Freeze an edition: check the whole site, snapshot every dataset, mark the edition published.

    Raises SiteError when the site has errors or the edition cannot be published.
    """
    config, period = config_and_period(site_root, period_text)
    problems = Problems()
    source = f"content/{period}/index.md"
    content = load_content(site_root, config.frequency, problems)
    edition = next((e for e in content.editions if e.period == period), None)
    if edition is None and not problems:
        problems.add(source, None, f"no edition {period}: create {source} first (`new edition {period}`)")
    if edition is not None and edition.status == "published" and not force:
        problems.add(source, edition.line_of("status"), f"edition {period} is already published"
                     f"{' on ' + edition.published.isoformat() if edition.published else ''}; "
                     "a published edition never changes (use --force to replace its snapshot)")
    if problems:
        raise SiteError(problems)
    with writer.site_lock(site_root, "publish"):
        # Refuses an edition or data with errors; a snapshot being replaced is not checked against its lock.
        run(BuildOptions(site_root, drafts=True, write=False, republishing=str(period) if force else None))
        _, today = _now(site_root, config)
        day = date or (edition.published if edition.published else today)
        catalog = load_catalog(site_root, problems)
        files = releases.snapshot(site_root, catalog, str(period), day)
        path = site_root / source
        text = path.read_text(encoding="utf-8")
        releases.write_text_atomically(path, releases.mark_published(text, day))
    return Published(str(period), day, files)
