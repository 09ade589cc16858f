"""site.yaml -> a frozen, validated SiteConfig."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

from buletin.i18n import LANGUAGES
from buletin.inputs import yamlfile
from buletin.inputs.paths import read_input
from buletin.inputs.schema import Where, option, validate
from buletin.messages import N_, _
from buletin.periods import FREQUENCIES, Period
from buletin.problems import Problems, SiteError

CONFIG_FILE = "site.yaml"


Language = Literal["id", "en"]
Frequency = Literal["monthly", "quarterly", "yearly"]
assert get_args(Language) == LANGUAGES and get_args(Frequency) == FREQUENCIES, "keep in step with i18n, periods"


def _absolute_url(url: str) -> str | None:
    if web_address(url):
        return None
    return query_problem(url) or _("`base_url` must be the site's full web address, starting with http:// or "
                                   "https://, e.g. https://example.go.id/buletin/, not `{url}`").format(url=url)


def query_problem(url: str) -> str | None:
    """What is wrong with an address that is a full one but for a `?` or `#` part (None otherwise)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.hostname and (parts.query or parts.fragment or "?" in url):
        return _("`{url}` has a `?` or `#` part, which the site's address cannot have (pages are added to it): "
                 "write it without that part, e.g. {plain}").format(
            url=url, plain=url.split("?", 1)[0].split("#", 1)[0])
    return None


def web_address(url: str) -> bool:
    """http(s)://host[:port]/path, with nothing that would break the feed, the sitemap, robots.txt or the
    calendar it is written into (spaces, line breaks, quotes, angle brackets, a query)."""
    from urllib.parse import urlsplit

    if any(c.isspace() or not c.isprintable() or c in "\"'<>\\`{}|^" for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment


INDONESIAN_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def _time_zone(name: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if str(name).upper() in INDONESIAN_ZONES:
        return _("write the time zone {name} as `{zone}`, its name in the IANA list").format(
            name=str(name).upper(), zone=INDONESIAN_ZONES[str(name).upper()])
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # `Asia` names a folder of the list, not a zone
        return _("unknown time zone `{name}`: write a name of the IANA list, Area/City, e.g. Asia/Makassar or "
                 "Asia/Jakarta").format(name=name)
    return None


def time_zone_problem(name: str) -> str | None:
    """Why `name` is no time zone a site can have (None when it is one)."""
    return _time_zone(name)


@dataclass(frozen=True)
class SiteConfig:
    """The settings of one site (site.yaml); see the reference in docs/."""

    title: str
    language: Language
    description: str = ""
    publisher: str = ""
    base_url: str | None = option(None, check=_absolute_url)
    timezone: str = option("UTC", check=_time_zone)
    frequency: Frequency = "monthly"
    license: str = ""
    version: str = ""
    notice: str = ""
    allow_raw_html: bool = False
    pdf: bool = False  # every edition also as PERIOD/SITESLUG-PERIOD.pdf (docs/reference.md §10.8)

    def with_base_url(self, base_url: str | None) -> SiteConfig:
        """A copy with base_url replaced (from --base-url)."""
        return replace(self, base_url=normalise_base_url(base_url))


FALLBACK = SiteConfig(title="?", language="id")
# What a period given to a command must be, by the site's frequency (after the period's own message).
_EDITIONS = {"monthly": N_("{problem}; this site's editions are monthly (`frequency: monthly` in site.yaml)"),
             "quarterly": N_("{problem}; this site's editions are quarterly (`frequency: quarterly` in site.yaml)"),
             "yearly": N_("{problem}; this site's editions are yearly (`frequency: yearly` in site.yaml)")}


def normalise_base_url(url: str | None) -> str | None:
    """Absolute site URL ending in `/`, or None."""
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


def load_config(site_root: Path, problems: Problems) -> SiteConfig | None:
    """Read and validate site.yaml, adding every problem found.

    With errors, returns what is valid of it (so the rest of the site can still be checked in the same run),
    or None when the file is missing or unreadable; callers treat any problem as fatal.
    """
    path = site_root / CONFIG_FILE
    if not path.is_file() and not path.is_symlink():
        problems.add(CONFIG_FILE, None, _("there is no {file} here: is `{folder}` a buletin site? Run the command "
                                          "in the site's folder, or name it with --site DIR").format(
            file=CONFIG_FILE, folder=site_root))
        return None
    text = read_input(site_root, CONFIG_FILE, problems)
    if text is None:
        return None
    try:
        raw = yamlfile.load(text)
    except yamlfile.YamlError as exc:
        problems.add(CONFIG_FILE, exc.line, str(exc))
        return None
    before = problems.mark()
    config = validate(SiteConfig, {} if raw is None else raw, Where(CONFIG_FILE, yamlfile.KeyLines(text)), problems)
    if config is None:
        return None
    config = replace(config, base_url=normalise_base_url(config.base_url))
    if problems.mark() > before:  # the valid part: enough to go on checking content and data in the same run
        return replace(config, title=config.title or "?", language=config.language or "id")
    return config


def config_and_period(site_root: Path, period_text: str) -> tuple[SiteConfig, Period]:
    """A valid config and a period of its frequency, for commands about one edition; SiteError otherwise."""
    problems = Problems()
    config = load_config(site_root, problems)
    if config is None or problems:
        raise SiteError(problems)
    try:
        return config, Period.parse(period_text, config.frequency)
    except ValueError as exc:
        from buletin.problems import UsageError

        raise UsageError(_(_EDITIONS[config.frequency]).format(problem=exc)) from None
