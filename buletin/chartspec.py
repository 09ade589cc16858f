"""Chart block YAML -> a validated ChartSpec, and its aggregated data."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import yamlfile
from .catalog import Catalog
from .problems import Problems, did_you_mean
from .query import AGGREGATES, QueryError, Series, grouped

CHART_TYPES = ("bar", "barh", "line", "table")
SORTS = ("asc", "desc", "none")
SPEC_KEYS = ("title", "type", "data", "filter", "x", "y", "by", "agg", "sort", "top", "caption", "source",
             "alt", "digits")
MAX_SERIES = 6


@dataclass(frozen=True)
class ChartSpec:
    """What a chart block asks for."""

    title: str
    type: str
    data: str
    x: str
    y: tuple[str, ...]
    filter: dict[str, Any] = field(default_factory=dict)
    by: str | None = None
    agg: str = "sum"
    sort: str = "none"
    top: int | None = None
    caption: str = ""
    source: str = ""
    alt: str = ""
    digits: int | None = None


def parse_spec(text: str, source: str, first_line: int, problems: Problems) -> ChartSpec | None:
    """Parse and check a chart block's YAML; every problem names the line of its key."""
    lines = yamlfile.KeyLines(text, offset=first_line - 1)
    try:
        raw = yamlfile.load(text)
    except yamlfile.YamlError as exc:
        problems.add(source, first_line + (exc.line or 1) - 1, f"chart: {exc}")
        return None
    if not isinstance(raw, dict):
        problems.add(source, first_line, "chart: the block must hold `key: value` lines (data, x, y, ...)")
        return None
    before = len(problems)
    for key in raw:
        if key not in SPEC_KEYS:
            problems.add(source, lines.line(key), f"chart: unknown key `{key}`{did_you_mean(str(key), SPEC_KEYS)}")
    for key in ("data", "x", "y"):
        if not raw.get(key):
            problems.add(source, lines.line(key) or first_line, f"chart: missing required key `{key}`")
    choices = {"type": CHART_TYPES, "agg": AGGREGATES, "sort": SORTS}
    for key, allowed in choices.items():
        if key in raw and raw[key] not in allowed:
            problems.add(source, lines.line(key), f"chart: unknown {key} `{raw[key]}`"
                         f"{did_you_mean(str(raw[key]), allowed)}")
    if "filter" in raw and not isinstance(raw["filter"], dict):
        problems.add(source, lines.line("filter"), "chart: `filter` must be a mapping such as {periode: 2020-11}")
    for key in ("top", "digits"):
        if key in raw and (not isinstance(raw[key], int) or isinstance(raw[key], bool) or raw[key] < 0):
            problems.add(source, lines.line(key), f"chart: `{key}` must be a whole number")
    if len(problems) > before:
        return None
    ys = raw["y"] if isinstance(raw["y"], list) else [raw["y"]]
    return ChartSpec(
        title=str(raw.get("title") or ""), type=raw.get("type", "bar"), data=str(raw["data"]), x=str(raw["x"]),
        y=tuple(str(y) for y in ys), filter=dict(raw.get("filter") or {}),
        by=str(raw["by"]) if raw.get("by") else None, agg=raw.get("agg", "sum"), sort=raw.get("sort", "none"),
        top=raw.get("top"), caption=str(raw.get("caption") or ""), source=str(raw.get("source") or ""),
        alt=str(raw.get("alt") or ""), digits=raw.get("digits"))


def chart_data(spec: ChartSpec, catalog: Catalog, source: str, lines: yamlfile.KeyLines,
               problems: Problems, other_label: str) -> Series | None:
    """The chart's aggregated data, at most MAX_SERIES series; problems at the line of the key at fault."""
    sort = spec.sort
    try:
        series = grouped(catalog, spec.data, spec.x, list(spec.y), spec.by, spec.agg, spec.filter, sort, spec.top)
    except QueryError as exc:
        if exc.follow_on:
            return None
        key_path = ("filter", *list(spec.filter)[:1]) if exc.key == "filter" else (exc.key,)
        problems.add(source, lines.line(*key_path) or lines.line(exc.key) or lines.line("data"), f"chart: {exc}")
        return None
    if spec.type != "table" and len(series.columns) > MAX_SERIES:
        series = fold_series(series, other_label)
    return series


def fold_series(series: Series, other_label: str) -> Series:
    """Keep the five largest series and add the rest up as one "other" series."""
    totals = [sum(row[j] for row in series.values) for j in range(len(series.columns))]
    keep = sorted(range(len(totals)), key=lambda j: -totals[j])[: MAX_SERIES - 1]
    keep.sort()
    rest = [j for j in range(len(totals)) if j not in keep]
    values = [[row[j] for j in keep] + [sum(row[j] for j in rest)] for row in series.values]
    return Series(series.x, series.x_values, series.labels, [series.columns[j] for j in keep] + ["_other"],
                  [series.column_labels[j] for j in keep] + [other_label], values, series.statuses)
