"""The only module that knows the order of the stages: read and validate all, render, then write."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from . import output
from .compose import Composer
from .config import SiteConfig, load_config
from .content import load_content
from .data import load_catalog
from .downloads import data_files
from .feeds import atom_feed, robots, sitemap
from .i18n import Locale
from .problems import Problems, SiteError
from .render import make_environment, render_site


@dataclass(frozen=True)
class BuildOptions:
    site_root: Path
    out: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    write: bool = True  # False for `check`


@dataclass
class BuildResult:
    pages: int = 0
    files: int = 0
    written: int = 0
    figures: int = 0
    problems: Problems = field(default_factory=Problems)


def build_time(site_root: Path) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else the last commit's time in a git checkout, else the clock (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    commit_time = _git(site_root, "log", "-1", "--format=%ct")
    if commit_time and commit_time.isdigit():
        return dt.datetime.fromtimestamp(int(commit_time), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _git(site_root: Path, *args: str) -> str | None:
    if not (site_root / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(site_root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _now(site_root: Path, config: SiteConfig) -> tuple[dt.datetime, dt.date]:
    """Build time, and "today" in the site's time zone for leaving out future-dated items."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = build_time(site_root)
    clock = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc) if epoch and epoch.isdigit() \
        else dt.datetime.now(dt.timezone.utc)
    return moment, clock.astimezone(ZoneInfo(config.timezone)).date()


def run(options: BuildOptions) -> BuildResult:
    """Build (or check) a site. Raises SiteError with every problem; never writes a half-built site."""
    site_root = options.site_root
    problems = Problems()
    config = load_config(site_root, problems)
    fallback = config or SiteConfig(title="?", language="id")
    catalog = load_catalog(site_root, problems)
    content = load_content(site_root, fallback.frequency, problems)
    if options.base_url:
        fallback = fallback.with_base_url(options.base_url)
    if config is None or problems:
        _compose_quietly(site_root, fallback, content, catalog, problems, options)
        raise SiteError(problems)
    config = fallback
    locale = Locale(config.language)
    built_at, today = _now(site_root, config)
    composer = Composer(catalog, locale, config.allow_raw_html, problems, draw=options.write)
    from .site import build_model

    model = build_model(site_root, config, content, catalog, composer, today, options.drafts, built_at)
    if problems:
        raise SiteError(problems)
    if not options.write:
        return BuildResult(figures=sum(len(v.figures) for v in _views(model)), problems=problems)
    if options.out is not None:
        output.check_output_folder(options.out, site_root)
    try:
        files = _render(site_root, model, composer)
    except jinja2.TemplateError as exc:
        problems.add(*_template_location(exc, site_root), f"theme template: {exc}")
        raise SiteError(problems) from None
    result = BuildResult(pages=sum(1 for p in files if p.endswith(".html")), files=len(files),
                         figures=sum(len(v.figures) for v in _views(model)), problems=problems)
    if options.write and options.out is not None:
        result.written = output.write_site(options.out, files)
    return result


def _compose_quietly(site_root, config, content, catalog, problems, options) -> None:
    """With inputs already in error, still look for the problems in bodies and charts (all in one run)."""
    if not content.editions and not content.pages:
        return
    today = dt.date.max if options.drafts else dt.date.today()
    composer = Composer(catalog, Locale(config.language), config.allow_raw_html, problems, draw=False)
    from .site import build_model

    build_model(site_root, config, content, catalog, composer, today, True,
                dt.datetime.now(dt.timezone.utc))


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


def _views(model):
    yield from model.pages
    for edition in model.editions:
        yield edition
        yield from edition.articles


def _render(site_root: Path, model, composer: Composer) -> dict[str, bytes]:
    """Every output file by path, manifest last."""
    names, files = output.fingerprint(output.collect_assets(site_root))
    env = make_environment(site_root, model.locale)
    pages = render_site(model, env, names)
    files.update(pages)
    files.update(model.files)
    downloads, data = data_files(site_root, model.catalog)
    files.update(data)
    from .render import Renderer

    renderer = Renderer(env, model, names)
    files["data/index.html"] = renderer.page("data.html", "data/index.html", title=model.locale.text("data"),
                                             downloads=downloads)
    files["404.html"] = renderer.page("404.html", "404.html", title=model.locale.text("not_found"),
                                      css=files[names["style.css"]].decode("utf-8") if "style.css" in names else "")
    files["feed.xml"] = atom_feed(model, {})
    files["robots.txt"] = robots(model)
    site_map = sitemap(model, [p for p in files if p.endswith(".html")])
    if site_map:
        files["sitemap.xml"] = site_map
    commit = _git(site_root, "rev-parse", "HEAD")
    files[output.MANIFEST] = output.manifest(model.config.version, model.built_at.isoformat(), commit,
                                             output.input_hashes(site_root), files)
    return files
