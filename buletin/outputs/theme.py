"""The theme: the site's templates/ first, then the built-in theme, in a bounded sandbox."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from buletin.compose.limits import ThemeSandbox
from buletin.i18n import Locale
from buletin.inputs.paths import refused as refused_reading
from buletin.messages import _
from buletin.problems import Problems
from buletin.urls import slugify

THEME_DIR = Path(__file__).parent.parent / "theme"
_SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def make_environment(site_root: Path, locale: Locale, bytecode: jinja2.BytecodeCache | None = None) -> Any:
    """The theme's Jinja environment; `bytecode` keeps compiled templates (as artifacts of the build state)."""
    loaders: list[jinja2.BaseLoader] = [SiteTemplates(site_root)] if (site_root / "templates").is_dir() else []
    loaders.append(jinja2.FileSystemLoader(str(THEME_DIR / "templates")))
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
        refused = refused_reading(self.site_root, Path(filename))
        if refused:
            raise RefusedTemplate(f"templates/{template}", refused)
        return source, filename, uptodate


def check_site_templates(site_root: Path, problems: Problems) -> None:
    """Every file of the site's templates/ may be read (before anything is rendered, so `check` says so)."""
    folder = site_root / "templates"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if "assets" not in path.relative_to(folder).parts[:1] and (path.is_file() or path.is_symlink()):
                refused = refused_reading(site_root, path)
                if refused:
                    problems.add(path.relative_to(site_root).as_posix(), None, refused)


def filesize(size: int, locale: Locale) -> str:
    """2 KB, 1,4 MB: sizes as readers expect them."""
    if size < 1024 * 1024:
        return f"{locale.number(max(1, round(size / 1024)))} KB"
    return f"{locale.number(size / 1024 / 1024, 1)} MB"


def svg_size(svg: bytes | None) -> tuple[int, int]:
    """Pixel size of a matplotlib SVG (written in points)."""
    match = _SVG_SIZE.search(svg or b"")
    if not match:
        return 0, 0
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def template_location(exc: jinja2.TemplateError, site_root: Path) -> tuple[str, int | None]:
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
        return _("(built-in theme) {name}").format(name=path.name), line
