"""The theme: the site's templates/ first, then the built-in theme, in a bounded sandbox."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from buletin.compose.limits import ThemeSandbox
from buletin.i18n import Locale
from buletin.inputs import yamlfile
from buletin.inputs.paths import NotUtf8, decode_utf8
from buletin.inputs.paths import refused as refused_reading
from buletin.messages import _
from buletin.outputs.headers import PAGE_POLICY
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
    env.globals.update(t=locale.strings, slugify=slugify, page_policy=Markup(PAGE_POLICY))  # quotes kept: no " in it
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


def check_site_templates(site_root: Path, locale: Locale, problems: Problems) -> None:
    """Every file of the site's templates/ may be read, and those the theme uses compile (before anything is
    rendered, so `check` says so)."""
    folder = site_root / "templates"
    if not folder.is_dir():
        return
    found = Problems()  # its own: another input's problem must not hide a template's
    texts = []  # every template's name and text: what the check below reads besides the code
    for path in sorted(folder.rglob("*")):
        rel, parts = path.relative_to(folder).as_posix(), path.relative_to(folder).parts
        if parts[0] == "assets" or not (path.is_file() or path.is_symlink()):
            continue
        refused = refused_reading(site_root, path)
        if refused:
            if not any(part.startswith(".") for part in parts):  # an editor's lock or backup is no template
                found.add(f"templates/{rel}", None, refused)
            continue
        data = path.read_bytes()
        try:
            texts.append(f"{rel}\0{decode_utf8(data)}")  # any name: an include may be .j2
        except NotUtf8 as exc:  # Jinja would fail on it in the middle of rendering
            if path.suffix in (".html", ".xml") and not any(part.startswith(".") for part in parts):
                found.add(f"templates/{rel}", exc.line, str(exc))
            texts.append(f"{rel}\0{data.decode('utf-8', 'replace')}")
    if not found:  # remembered: parsing the whole theme to see which templates it reaches takes 25 ms
        key = "\0".join(["templates", locale.language, *texts, *_theme_texts()])
        found.extend(yamlfile.remembered(key, lambda: _compiled(site_root, folder, locale)))
    problems.extend(found)


@cache
def _theme_texts() -> tuple[str, ...]:
    """The built-in templates' names and texts (read once a process: they are part of the code)."""
    top = THEME_DIR / "templates"
    return tuple(f"theme:{path.relative_to(top).as_posix()}\0{path.read_text(encoding='utf-8')}"
                 for path in sorted(top.rglob("*")) if path.is_file())


def _compiled(site_root: Path, folder: Path, locale: Locale) -> Problems:
    """The templates' cycles, then their compiling."""
    found, uses = Problems(), _references(folder)
    _check_cycles(folder, uses, found)
    if not found:
        _check_compiles(site_root, folder, locale, uses, found)
    return found


Uses = Callable[[str], tuple[str, list[str]]]  # a template's name -> its source and the templates it names


def _references(folder: Path) -> Uses:
    """What each template (the site's, else the theme's) names with include, import or extends."""
    from jinja2 import meta

    env = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)),
                                                        jinja2.FileSystemLoader(str(THEME_DIR / "templates"))]))
    found: dict[str, tuple[str, list[str]]] = {}

    def uses(name: str) -> tuple[str, list[str]]:
        if name not in found:
            try:
                source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
                found[name] = (source, [n for n in meta.find_referenced_templates(env.parse(source)) if n])
            except jinja2.TemplateError:  # missing or not valid: said where it is compiled or rendered
                found[name] = ("", [])
        return found[name]

    return uses


def _check_compiles(site_root: Path, folder: Path, locale: Locale, uses: Uses, problems: Problems) -> None:
    """The syntax of each site template the theme uses, and the filters and tests it names (Jinja resolves them
    as it compiles); a file of templates/ that no page reaches (an old copy, another tool's) is left alone."""
    reached: set[str] = set()
    waiting = sorted(path.name for path in (THEME_DIR / "templates").glob("*.*"))
    while waiting:
        name = waiting.pop()
        if name not in reached:
            reached.add(name)
            waiting.extend(uses(name)[1])
    env = make_environment(site_root, locale)
    for name in sorted(reached):
        if (folder / name).is_file():
            try:
                env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.add(*template_problem(exc, site_root))


def template_problem(exc: jinja2.TemplateError, site_root: Path) -> tuple[str, int | None, str]:
    """Where a theme template failed, and what to do about it."""
    return (*template_location(exc, site_root), _(
        "theme template: {problem}: correct the template; a template of templates/ can also be removed, and the "
        "built-in one is used again").format(problem=exc))


def _check_cycles(folder: Path, uses: Uses, problems: Problems) -> None:
    """A site template that includes or extends itself, directly or through others, would recurse without end."""
    for path in sorted(p for p in folder.rglob("*.*") if p.suffix in (".html", ".xml")):
        name = path.relative_to(folder).as_posix()
        chain = _path_back(name, lambda template: uses(template)[1])
        if chain:
            line = next((i for i, text in enumerate(uses(name)[0].splitlines(), 1)
                         if f'"{chain[1]}"' in text or f"'{chain[1]}'" in text), None)
            problems.add(f"templates/{name}", line, _(
                "this template includes or extends itself ({chain}), which would never end: remove the "
                "`include` or `extends` that leads back to it").format(chain=" → ".join(chain)))


def _path_back(start: str, uses: Callable[[str], list[str]]) -> tuple[str, ...] | None:
    """start → ... → start through the templates each one names, if there is such a path."""
    stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
    seen: set[str] = set()
    while stack:
        name, chain = stack.pop()
        for used in uses(name):
            if used == start:
                return (*chain, used)
            if used not in seen:
                seen.add(used)
                stack.append((used, (*chain, used)))
    return None


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
