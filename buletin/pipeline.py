"""The only module that knows the order of the stages.

    read and validate every input          inputs/
    plan the pages, compose their bodies   model.plan_site, compose/ (in the worker pool when there are many)
    resolve links, find revisions          compose/links, inputs/revisions
    draw the charts                        compose/drawing (in the pool)
    assemble the model                     model.assemble: complete when made, read-only after
    typeset the edition PDFs               outputs/pdf (in the pool when there are several)
    render, index, write                   outputs/

Every artifact made on the way is kept in the build state (build/state) with what it read, and made again
only when something it read changed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from buletin.build import lastbuild, progress
from buletin.build.state import BuildState, make_key
from buletin.build.store import flush_pending
from buletin.build.workers import Workers
from buletin.compose import links
from buletin.compose.composer import MIN_FOR_POOL, Body, Composer, Setting, compose_task, lead_figure
from buletin.compose.drawing import card_key, draw, with_images
from buletin.compose.rowpages import row_title, rows_of
from buletin.i18n import Locale
from buletin.inputs import clock, releases, revisions, yamlfile
from buletin.inputs.assets import collect_assets
from buletin.inputs.catalog import Catalog, load_catalog
from buletin.inputs.config import FALLBACK, SiteConfig, load_config
from buletin.inputs.content import Content, load_content
from buletin.inputs.paths import hidden, input_hashes
from buletin.inputs.slips import check_slips
from buletin.messages import _, number
from buletin.model import Made, SiteModel, SitePlan, assemble, plan_site, views
from buletin.outputs import pdf, writer
from buletin.outputs.calendar import check_next_release, scheduled_editions
from buletin.outputs.downloads import data_files
from buletin.outputs.feeds import site_files
from buletin.outputs.linkcheck import check_addresses, check_anchors, check_links, planned_paths, shown_snapshots
from buletin.outputs.manifest import MANIFEST, Digests, manifest
from buletin.outputs.pagecache import LastOutput
from buletin.outputs.render import PageTooLarge, RenderSetting, page_jobs, render_site
from buletin.outputs.search import PagefindMissing, ShardIndexer
from buletin.outputs.theme import RefusedTemplate, check_site_templates, template_location, template_problem
from buletin.problems import Problems, SiteError

# What the forkserver imports once for every worker it forks: the workers start ready and share the memory.
PRELOAD = ("pandas", "matplotlib.pyplot", "markdown", "markdown.extensions.tables", "markdown.extensions.footnotes",
           "markdown.extensions.toc", "nh3", "babel.numbers", "babel.dates",
           "buletin.compose.composer", "buletin.compose.drawing", "buletin.outputs.render", "buletin.build.frozen")


@dataclass(frozen=True)
class BuildOptions:
    site_root: Path
    out: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    write: bool = True  # False for `check`
    cache_dir: Path | None = None  # the build state's folder; None: keep nothing
    jobs: int | None = None  # worker processes (default: the machine's cores)
    note: Callable[[str], None] | None = None  # told what a user should know but that is no problem
    republishing: str | None = None  # `publish PERIOD`: that edition's snapshot is about to be (re)placed
    as_of: dt.date | None = None  # `publish`: checked as the site will be on the release day, if that is later
    changed: tuple[str, ...] | None = None  # input files changed since the last build, when the no-op check knows
    command: str = "build"  # the command building (`build`, `serve`): what a second one is told holds the site


@dataclass
class BuildResult:
    pages: int = 0
    rendered: int = 0  # pages made afresh; the others are the last build's, their keys unchanged
    files: int = 0
    written: int = 0
    figures: int = 0
    drawn: int = 0
    warnings: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)


@dataclass
class Inputs:
    """Everything read and validated before anything is made."""

    config: SiteConfig
    catalog: Catalog
    frozen: dict[str, Catalog]  # published period -> its snapshot's catalog
    content: Content
    assets: dict[str, bytes]


def run(options: BuildOptions, workers: Workers | None = None) -> BuildResult:
    """Build (or check) a site. Raises SiteError with every problem; never writes a half-built site.

    A build holds the site's lock from start to end, so a second one started at once is refused. It uses
    `workers` (serve keeps one pool for its session) or a pool of its own, started before any thread.
    """
    if options.write and options.out is not None:
        writer.check_output_folder(options.out, options.site_root)
        with writer.site_lock(options.site_root, options.command, note=options.note):
            return _with_workers(options, workers)
    return _with_workers(options, workers)


def _with_workers(options: BuildOptions, workers: Workers | None) -> BuildResult:
    try:
        if workers is not None:
            return _run(options, workers)
        with Workers(options.jobs, PRELOAD) as own:
            return _run(options, own)
    finally:
        flush_pending()  # what was made is kept also when the build fails: the build after the fix starts from it


def _run(options: BuildOptions, workers: Workers) -> BuildResult:
    site_root = options.site_root
    state = BuildState(options.cache_dir, read_only=not options.write)
    if options.write and (_first_build(options.out, state) or _much_changed(options.changed)):
        workers.warm()  # the build will need the pool: its processes start while the inputs are read
    memo = f"yaml-{make_key('parsed-yaml', str(site_root.resolve()))[:32]}"  # parsed texts, per site
    yamlfile.recall(state.record(memo))
    problems = Problems()
    inputs = _read(options, state, problems)
    if problems:
        _compose_quietly(inputs, state, problems)
        raise SiteError(problems)
    built_at, now = clock.build_time(site_root), clock.today(ZoneInfo(inputs.config.timezone))
    check_next_release(inputs.content, now, problems, options.drafts)  # warnings: --strict fails on them
    today = max(now, options.as_of or now)  # what is visible: for `publish`, as of the release day
    upcoming = tuple(scheduled_editions(inputs.content, today, options.drafts))
    composers = _composers(inputs, state, problems)
    current = composers[None]
    plan = plan_site(inputs.content, current.locale, today, options.drafts,
                     set(inputs.frozen), lambda page: rows_of(page, current),
                     lambda page, context: row_title(page, current, context))
    bodies = _compose(plan, composers, workers)
    workers.renew()  # each stage's workers start fresh from the server: no stage's leftovers weigh on the next
    made = _made(plan, bodies, composers, site_root, problems)
    if problems:
        raise SiteError(problems)
    made = replace(made, revisions=_revisions(site_root, inputs, composers, plan, made, today))
    figures = sum(len(body.figures) for body in made.bodies.values())
    if not options.write:
        model = assemble(plan, made, inputs.config, current.locale, inputs.catalog, built_at)
        check_links(model, planned_paths(model, site_root, inputs.assets, inputs.frozen), problems)
        if problems:
            raise SiteError(problems)
        return BuildResult(figures=figures, problems=problems)
    made, drawn = _draw(plan, made, inputs.config, state, workers)
    workers.renew()
    model = assemble(plan, made, inputs.config, current.locale, inputs.catalog, built_at, upcoming)
    check_addresses(model, {job.path for job in page_jobs(model)} | set(model.files), problems)  # before writing
    if problems:
        raise SiteError(problems)
    digests = Digests()  # each output file hashed once
    last = LastOutput(options.out, state, digests) if options.out and options.cache_dir else None
    warnings: list[str] = []
    pdfs = pdf.edition_pdfs(model, state, workers, problems)  # before the pages: an edition page shows its size
    workers.renew()
    if problems:
        raise SiteError(problems)
    staging = writer.Staging(options.out, writer.work_folder(site_root, options.out),
                             last.same if last else None, digests) if options.out is not None else None
    try:
        files = _rendered(site_root, model, inputs, state, workers, warnings, last, pdfs, staging, digests,
                          problems)
        pages = sum(1 for p in files if p.endswith(".html"))
        result = BuildResult(pages, pages - (last.reused if last else 0), len(files), figures=figures, drawn=drawn,
                             problems=problems, warnings=warnings)
        if staging is not None:
            result.written = staging.commit(files)
            if last:
                last.save()
    finally:
        if staging is not None:
            staging.discard()
    parsed, changed = yamlfile.parsed()
    if changed:
        state.write_record(memo, parsed)
    state.finish()
    return result


def _rendered(site_root: Path, model: SiteModel, inputs: Inputs, state: BuildState, workers: Workers,
              warnings: list[str], last: LastOutput | None, pdfs: dict[str, bytes], staging: writer.Staging | None,
              digests: Digests, problems: Problems) -> dict[str, bytes]:
    """Every output file, its links checked; a template's error at its line."""
    try:
        files = _render(site_root, model, inputs, state, workers, warnings, last, pdfs, staging, digests, problems)
    except RefusedTemplate as exc:
        problems.add(exc.path, None, str(exc))
        raise SiteError(problems) from None
    except PageTooLarge as exc:
        problems.add(template_location(exc, site_root)[0], None, str(exc))
        raise SiteError(problems) from None
    except jinja2.TemplateError as exc:
        problems.add(*template_problem(exc, site_root))
        raise SiteError(problems) from None
    check_links(model, set(files), problems)
    if problems:
        raise SiteError(problems)
    check_anchors(model, files, problems)
    return files


def _much_changed(changed: tuple[str, ...] | None) -> bool:
    """Whether what changed will keep the worker pool busy: data, the site's settings or templates (every body
    quoting the data, every page), or more articles than one process composes alone."""
    if changed is None:
        return False
    shown = [path for path in changed if not hidden(path)]  # not an editor's lock file
    return any(not path.startswith("content/") for path in shown) or len(shown) >= MIN_FOR_POOL


def _first_build(out: Path | None, state: BuildState) -> bool:
    """Whether nothing is known of a last build into `out` (its no-op record is missing)."""
    return out is None or not lastbuild.exists(state, out)


def _read(options: BuildOptions, state: BuildState, problems: Problems) -> Inputs:
    """Config, data (and every published snapshot), content, assets and templates, each checked."""
    site_root = options.site_root
    config = load_config(site_root, problems) or FALLBACK
    if not (site_root / "site.yaml").exists():  # not a site's folder: its other "missing" files say nothing more
        raise SiteError(problems)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    catalog = load_catalog(site_root, problems, state=state, language=config.language)
    content = load_content(site_root, config.frequency, problems)
    published = [str(e.period) for e in content.editions
                 if e.status == "published" and str(e.period) != options.republishing]
    frozen = releases.load_frozen(site_root, published, problems, state)
    releases.check_unfrozen(site_root, content.editions, problems, publishing=options.republishing)
    assets = collect_assets(site_root, problems)
    check_site_templates(site_root, Locale(config.language), problems)
    check_slips(site_root, content, options.drafts, problems)
    return Inputs(config, catalog, frozen, content, assets)


def _composers(inputs: Inputs, state: BuildState, problems: Problems) -> dict[str | None, Composer]:
    """One composer for the current data (key None), and one per published edition's snapshot."""
    config, site_root = inputs.config, inputs.catalog.site_root

    def composer(catalog: Catalog, data_dir: str) -> Composer:
        setting = Setting(site_root, data_dir, tuple(sorted(catalog.hashes.items())), config.language,
                          config.allow_raw_html, state.root, state.read_only)
        return Composer(setting, catalog, problems, state)

    found: dict[str | None, Composer] = {None: composer(inputs.catalog, "data")}
    for period, catalog in inputs.frozen.items():
        found[period] = composer(catalog, releases.release_dir(period))
    return found


def _compose(plan: SitePlan, composers: dict[str | None, Composer], workers: Workers) -> dict[str, Body]:
    """Every slot's body: from the build state where nothing it read changed, else composed (in the pool
    when there are many)."""
    slots = list(plan.slots())
    kept: dict[str, Body | None] = {}
    for period, composer in composers.items():
        own = [slot for slot in slots if slot.period == period]
        kept.update(zip((slot.path for slot in own),
                        composer.kept_bodies([(slot.doc, slot.context) for slot in own]), strict=True))
    bodies = {slot.path: body for slot in slots if (body := kept[slot.path]) is not None}
    pending = [slot for slot in slots if kept[slot.path] is None]
    progress.say(_("composing {count} documents").format(count=number(len(pending))), len(pending))
    tasks = [(composers[slot.period].setting, slot.doc, slot.context) for slot in pending]
    for slot, outcome in zip(pending, workers.map(compose_task, tasks, minimum=MIN_FOR_POOL), strict=True):
        bodies[slot.path] = composers[slot.period].take(slot.doc, slot.context, outcome)
    return bodies


def _made(plan: SitePlan, bodies: dict[str, Body], composers: dict[str | None, Composer], site_root: Path,
          problems: Problems) -> Made:
    """What composing made, complete but for revisions and drawings: the bodies with their links resolved (and
    the pictures, documents and photos they bring), and each edition's main points, headline cards and datasets."""
    sources = {slot.doc.source: slot.path for slot in [*plan.pages, *(e.slot for e in plan.editions),
                                                       *(a for e in plan.editions for a in e.articles)]}
    sources.update((row_plan.page.source, row_plan.path) for row_plan in plan.row_pages)
    files: dict[str, bytes] = {}
    resolved = {}
    for slot in plan.slots():
        resolved[slot.path], found = links.resolve(bodies[slot.path], slot.doc, slot.path, sources, site_root,
                                                   problems, composers[slot.period].setting.allow_raw_html)
        files.update(found)
        files.update(links.photo(slot.doc, slot.path, site_root, problems))
    highlights, headlines, datasets = {}, {}, {}
    for edition in plan.editions:
        composer = composers[edition.slot.period]
        names = dict.fromkeys(f.spec.data for slot in [edition.slot, *edition.articles]
                              for f in bodies[slot.path].figures)
        datasets[edition.slot.path] = tuple(spec for name in names if (spec := composer.catalog.spec(name)))
        highlights[edition.slot.path] = tuple(
            composer.inline(text, edition.edition.source, edition.edition.line_of("highlights", i) or 1,
                            edition.slot.context) for i, text in enumerate(edition.edition.info.highlights))
        headlines[edition.slot.path] = tuple(composer.headlines(edition.edition))
    return Made(bodies=resolved, highlights=highlights, headlines=headlines, revisions={}, cards={}, files=files,
                datasets=datasets)


def _revisions(site_root: Path, inputs: Inputs, composers: dict[str | None, Composer], plan: SitePlan,
               made: Made, today: dt.date) -> dict[str, revisions.Revision]:
    """How the current data differ from each published edition's snapshot, for its period: only the datasets
    the edition and its articles quote or chart count."""
    found = {}
    history = revisions.DataHistory(site_root)
    locale = composers[None].locale
    charted = {e.slot.period: made.datasets.get(e.slot.path, ()) for e in plan.editions if e.slot.period}
    for period, frozen in inputs.frozen.items():
        quoted = composers[period].macros.quoted  # every value() its bodies quoted, composed or recalled
        uses = {call["data"] for call in quoted} | {spec.name for spec in charted.get(period, ())}
        revision = revisions.find_revision(frozen, inputs.catalog, period, quoted, locale, uses)
        if revision:
            found[period] = replace(revision, date=revisions.revision_date(
                history, frozen, inputs.catalog, period, revision.changed, today, ZoneInfo(inputs.config.timezone)))
    return found


def _draw(plan: SitePlan, made: Made, config: SiteConfig, state: BuildState, workers: Workers) -> tuple[Made, int]:
    """Every chart with its SVG and, with a base_url, every edition with its sharing card; how many were drawn."""
    language = config.language
    cards = {}
    if config.base_url:
        for edition in plan.editions:
            lead = lead_figure(made.bodies[slot.path] for slot in [edition.slot, *edition.articles])
            if lead is not None:
                cards[edition.slot.path] = (card_key(lead, language, edition.title, config.title),
                                            (lead, edition.title, config.title))
    figures = [f for body in made.bodies.values() for f in body.figures]
    images, drawn = draw(figures, dict(cards.values()), language, state, workers)
    card_word = Locale(language).text("card")
    return replace(made, bodies={path: with_images(body, images, language) for path, body in made.bodies.items()},
                   cards={path: (f"{path.rsplit('/', 1)[0]}/{card_word}-{key[:8]}.png", images[key])
                          for path, (key, _) in cards.items()}), drawn


def _render(site_root: Path, model: SiteModel, inputs: Inputs, state: BuildState, workers: Workers,
            warnings: list[str], last: LastOutput | None, pdfs: dict[str, bytes],
            staging: writer.Staging | None, digests: Digests, problems: Problems) -> dict[str, bytes]:
    """Every output file by path, manifest last. The files are written into `staging` while Pagefind indexes
    (a cold build's writing is a second or more of waiting for the disk)."""
    names, files = writer.fingerprint(inputs.assets)
    downloads, data = data_files(site_root, model.catalog, state=state)
    years = {str(view.edition.period): view.edition.period.year for view in model.editions}
    indexer = ShardIndexer([view.path for view in views(model)], years, model.config.language, state, workers.size,
                           digests)
    try:
        sizes = tuple((view.path, path, len(pdfs[path])) for view in model.editions
                      if (path := pdf.pdf_path(model.config, view)) in pdfs)
        setting = RenderSetting(site_root, state.root, names, tuple(downloads), sizes)
        pages = render_site(model, setting, state, workers, last, indexer.add, indexer.hold, indexer.started)
        workers.renew()  # the search index and the writing need no worker
    except BaseException:
        indexer.close()
        raise
    files.update(pages)
    files.update(pdfs)
    files.update(model.files)
    files.update(data)
    for period, catalog in shown_snapshots(model, inputs.frozen).items():
        files.update(data_files(site_root, catalog, prefix=f"{period}/data/", state=state)[1])
    files.update(site_files(model, [path for path in files if path.endswith(".html")]))
    if staging is not None:
        staging.add_soon(dict(files))
    commit, unread = clock.checkout(site_root, published=bool(inputs.frozen))  # while Pagefind runs
    inputs_read = input_hashes(site_root)
    if unread:
        problems.warn(clock.git_folder(site_root), None, unread)
    try:
        files.update(indexer.files(pages))
    except PagefindMissing as exc:
        warnings.append(_("the search index was not built ({reason}); the search page will say so: install buletin "
                          "again (`python -m pip install -r requirements.txt`), then build again").format(reason=exc))
    warnings.extend(indexer.failures())
    files[MANIFEST] = manifest(model.config.version, model.built_at.isoformat(), commit, inputs_read, files,
                               digests)
    return files


def _compose_quietly(inputs: Inputs, state: BuildState, problems: Problems) -> None:
    """With inputs already in error, still look for the problems in bodies and charts (all in one run)."""
    content = inputs.content
    if not content.editions and not content.pages:
        return
    composers = _composers(inputs, BuildState(state.root, read_only=True), problems)
    current = composers[None]
    plan = plan_site(content, current.locale, dt.date.max, True, set(inputs.frozen),
                     lambda page: rows_of(page, current),
                     lambda page, context: row_title(page, current, context))
    for slot in plan.slots():
        composer = composers[slot.period]
        if composer.kept_body(slot.doc, slot.context) is None:
            composer.take(slot.doc, slot.context, composer.compose(slot.doc, slot.context))
