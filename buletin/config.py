"""site.yaml -> a frozen, validated SiteConfig."""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from . import yamlfile
from .i18n import LANGUAGES
from .paths import refusal
from .periods import FREQUENCIES, Period
from .problems import Problems, SiteError, did_you_mean

CONFIG_FILE = "site.yaml"


@dataclass(frozen=True)
class SiteConfig:
    """The settings of one site; see CONTRACT §3."""

    title: str
    language: str
    description: str = ""
    publisher: str = ""
    base_url: str | None = None
    timezone: str = "UTC"
    frequency: str = "monthly"
    license: str = ""
    version: str = ""
    notice: str = ""
    allow_raw_html: bool = False

    def with_base_url(self, base_url: str | None) -> SiteConfig:
        """A copy with base_url replaced (from --base-url)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["base_url"] = normalise_base_url(base_url)
        return SiteConfig(**values)


_REQUIRED = ("title", "language")
KNOWN_KEYS = tuple(f.name for f in fields(SiteConfig))


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
    if not path.is_file():
        problems.add(CONFIG_FILE, None, f"no {CONFIG_FILE} here: is `{site_root}` a buletin site? "
                     "(use --site DIR to point at one)")
        return None
    refused = refusal(site_root, path)
    if refused:
        problems.add(CONFIG_FILE, None, f"{CONFIG_FILE} {refused}")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(CONFIG_FILE, None, "not UTF-8 text: save the file as UTF-8")
        return None
    try:
        raw = yamlfile.load(text)
    except yamlfile.YamlError as exc:
        problems.add(CONFIG_FILE, exc.line, str(exc))
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add(CONFIG_FILE, 1, "site.yaml must be a mapping of `key: value` lines")
        return None
    return _validate(raw, yamlfile.KeyLines(text), problems)


def _validate(raw: dict[str, Any], lines: yamlfile.KeyLines, problems: Problems) -> SiteConfig | None:
    before = len(problems)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        key = str(key)
        line = lines.line(key)
        if key not in KNOWN_KEYS:
            problems.add(CONFIG_FILE, line, f"unknown key `{key}`{did_you_mean(key, KNOWN_KEYS)}")
        elif key == "allow_raw_html":
            if not isinstance(value, bool):
                problems.add(CONFIG_FILE, line, "`allow_raw_html` must be true or false")
            values[key] = value is True
        elif value is None:
            continue
        elif isinstance(value, (dict, list)):
            problems.add(CONFIG_FILE, line, f"`{key}` must be a single value, not a list or mapping")
        else:
            values[key] = str(value).strip()
    for key in _REQUIRED:
        if not values.get(key) and key in KNOWN_KEYS:
            problems.add(CONFIG_FILE, None, f"missing required key `{key}`")
    _check_choices(values, lines, problems)
    if len(problems) > before:
        return _best_effort(values)
    values["base_url"] = normalise_base_url(values.get("base_url"))
    return SiteConfig(**values)


def _best_effort(values: dict[str, Any]) -> SiteConfig:
    """The valid part of a config with errors: enough to go on checking content and data in the same run."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    keep = {"title": values.get("title") or "?", "language": values.get("language")}
    if keep["language"] not in LANGUAGES:
        keep["language"] = "id"
    if values.get("frequency") in FREQUENCIES:
        keep["frequency"] = values["frequency"]
    try:
        ZoneInfo(values.get("timezone") or "UTC")
        keep["timezone"] = values.get("timezone") or "UTC"
    except (ZoneInfoNotFoundError, ValueError):
        pass
    keep["allow_raw_html"] = values.get("allow_raw_html") is True
    return SiteConfig(**keep)


def _check_choices(values: dict[str, Any], lines: yamlfile.KeyLines, problems: Problems) -> None:
    language = values.get("language")
    if language and language not in LANGUAGES:
        problems.add(CONFIG_FILE, lines.line("language"),
                     f"`language` must be one of {', '.join(LANGUAGES)}, not `{language}`")
    frequency = values.get("frequency")
    if frequency and frequency not in FREQUENCIES:
        problems.add(CONFIG_FILE, lines.line("frequency"),
                     f"`frequency` must be one of {', '.join(FREQUENCIES)}, not `{frequency}`")
    timezone = values.get("timezone")
    if timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.add(CONFIG_FILE, lines.line("timezone"),
                         f"unknown time zone `{timezone}` (use an IANA name such as Asia/Makassar)")
    base_url = values.get("base_url")
    if base_url and not base_url.startswith(("http://", "https://")):
        problems.add(CONFIG_FILE, lines.line("base_url"),
                     f"`base_url` must be an absolute http(s) URL, not `{base_url}`")


def config_and_period(site_root: Path, period_text: str) -> tuple[SiteConfig, Period]:
    """A valid config and a period of its frequency, for commands about one edition; SiteError otherwise."""
    problems = Problems()
    config = load_config(site_root, problems)
    if config is None or problems:
        raise SiteError(problems)
    try:
        return config, Period.parse(period_text, config.frequency)
    except ValueError as exc:
        problems.add("content", None, str(exc))
        raise SiteError(problems) from None
