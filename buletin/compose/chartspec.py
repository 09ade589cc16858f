"""Chart block YAML -> a validated ChartSpec, and its aggregated data."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from buletin.compose.mapareas import MapTooIntricate, map_areas, map_series
from buletin.inputs import yamlfile
from buletin.inputs.catalog import Catalog
from buletin.inputs.frontmatter import Aggregate
from buletin.inputs.query import QueryError, Series, grouped
from buletin.inputs.schema import Where, option, validate
from buletin.messages import _, _n, listing, number
from buletin.problems import Problems, nearest

ChartType = Literal["bar", "barh", "line", "table", "map"]
Sort = Literal["asc", "desc", "none"]
CHART_TYPES = get_args(ChartType)
MAX_SERIES = 6
MAX_CATEGORIES = 200  # bars or points on one chart; more is unreadable on a phone and slow to draw
MAX_TABLE_ROWS = 1000
_EXPRESSION = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}")
_SHIELD = "BULETINEXPR{}X"
_SHIELDED = re.compile(r"BULETINEXPR(\d+)X")
_INTEGER, _DECIMAL = re.compile(r"[-+]?\d+"), re.compile(r"[-+]?(\d+\.\d*|\.\d+)")


@dataclass(frozen=True)
class ChartSpec:
    """What a chart block asks for (docs/reference.md §6)."""

    data: str = option(example="`data: ikm`")
    x: str = option(example="`x: kode_wilayah`")
    y: tuple[str, ...] = option(one_or_many=True, example="`y: unit_usaha`")
    title: str = ""
    type: ChartType = "bar"
    filter: dict[str, Any] = option({}, as_written=True, example="`filter: {periode: 2020-11}`")
    by: str | None = None
    agg: Aggregate = "sum"
    sort: Sort = "none"
    top: int | None = option(None, minimum=1)
    caption: str = ""
    source: str = ""
    alt: str = ""
    digits: int | None = option(None, minimum=0, maximum=10)
    map: str = option("", example="`map: batas_wilayah`")  # type: map: a GeoJSON resource (docs/reference.md §6.5)
    highlight: str = ""  # type: map: the code of an area to outline


_NUMBER_KEYS = {f.name for f in fields(ChartSpec) if "int" in str(f.type)}  # top, digits
Render = Callable[[str, int], "str | None"]  # a value's text and its file line -> rendered, or None on error


def chart_problem(problem: str) -> str:
    """A problem of a chart block as the report shows it: `chart: ` and the problem (last, in every language:
    chart_problem("") is the prefix of the problems the block's settings are checked for)."""
    # Panduan: Masalah pada blok grafik (```chart) di artikel, pada baris yang disebut; «masalah» adalah
    # salah satu pesan grafik atau peta di bagian ini.
    return _("chart: {problem}").format(problem=problem)


def parse_spec(text: str, source: str, first_line: int, problems: Problems,
               render: Render | None = None) -> tuple[ChartSpec | None, yamlfile.KeyLines]:
    """Parse a chart block, then render the macros in its values, then check it; every problem at its line.

    The YAML is parsed before any macro runs, and a rendered value is never parsed as YAML again: a data
    cell such as `Kabupaten "Kolaka" Raya` stays one value and cannot add keys to the spec.
    """
    originals: list[str] = []

    def shield(match: re.Match[str]) -> str:
        originals.append(match.group(0))
        return _SHIELD.format(len(originals) - 1)

    shielded = _EXPRESSION.sub(shield, text)
    lines = yamlfile.KeyLines(shielded, offset=first_line - 1,
                              written=lambda value: _SHIELDED.sub(lambda m: originals[int(m.group(1))], value))
    try:
        raw = yamlfile.load(shielded, first_line)
    except yamlfile.YamlError as exc:
        problems.add(source, first_line + (exc.line or 1) - 1, chart_problem(str(exc)))
        return None, lines
    if not isinstance(raw, dict):
        problems.add(source, first_line, chart_problem(_(
            "the block must hold `key: value` lines, one setting a line (data, x, y, ...), e.g. `data: ikm`")))
        return None, lines
    before = problems.mark()
    values = _render_values(raw, (), originals, lines, render or (lambda value, _line: value))
    if problems.mark() > before or values is None:
        return None, lines
    spec = validate(ChartSpec, values, Where(source, lines, prefix=chart_problem("")), problems)
    if spec is not None and problems.mark() == before:
        _check_map_keys(spec, source, lines, problems)
    return (spec if problems.mark() == before else None), lines


def _check_map_keys(spec: ChartSpec, source: str, lines: yamlfile.KeyLines, problems: Problems) -> None:
    """`map` and `highlight` belong to maps, and a map shades one value per area."""
    if spec.type != "map":
        for key in ("map", "highlight"):
            if getattr(spec, key):
                problems.add(source, lines.line(key), chart_problem(_(
                    "`{key}` is only for maps (`type: map`), not for `type: {type}`: remove the line, or make the "
                    "chart a map").format(key=key, type=spec.type)))
        return
    if not spec.map:
        problems.add(source, lines.line("type"), chart_problem(_(
            "a map needs `map`, the name of the map file in data/datapackage.yaml whose areas it shades, e.g. "
            "`map: batas_wilayah`")))
    if spec.by:
        problems.add(source, lines.line("by"), chart_problem(_(
            "a map shades one value per area: `by` is for bar and line charts; filter one series instead, e.g. "
            "`filter: {sektor: pangan}`")))
    if len(spec.y) > 1:
        problems.add(source, lines.line("y"), chart_problem(_(
            "a map shades one value per area: give one `y` column")))
    if spec.top is not None:
        problems.add(source, lines.line("top"), chart_problem(_(
            "`top` would leave the other areas of a map blank: remove it, and narrow `filter:` instead")))


def _render_values(value: Any, path: tuple, originals: list[str], lines: yamlfile.KeyLines,
                   render: Render) -> Any:
    """The spec with each shielded macro put back and rendered, value by value; None when one failed."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new_key = _render_values(key, path, originals, lines, render) if isinstance(key, str) else key
            new_item = _render_values(item, (*path, key), originals, lines, render)
            if new_key is None or (new_item is None and item is not None):
                return None
            out[new_key] = new_item
        return out
    if isinstance(value, list):
        items = [_render_values(item, (*path, i), originals, lines, render) for i, item in enumerate(value)]
        return None if any(new is None and old is not None for new, old in zip(items, value, strict=True)) \
            else items
    if not isinstance(value, str) or not _SHIELDED.search(value):
        return value
    style = lines.style(*path)
    text = _SHIELDED.sub(lambda m: _unquoted(originals[int(m.group(1))], style), value)
    rendered = render(text, lines.line(*path) or lines.offset + 1)
    if rendered is None:
        return None
    if _SHIELDED.fullmatch(value.strip()) and path and path[0] in _NUMBER_KEYS:  # `top: {{ n }}` is a number;
        return _scalar(rendered.strip())  # text keys (a filter, `highlight: "{{ row.kode }}"`) stay text
    return rendered


def _unquoted(expression: str, style: str | None) -> str:
    """A macro as the writer meant it inside a quoted YAML value: `''` is one quote in single quotes."""
    if style == "'":
        return expression.replace("''", "'")
    if style == '"':
        return yamlfile.load('"' + expression + '"')
    return expression


def _scalar(text: str) -> Any:
    """A rendered value as YAML would type a plain scalar, but never as a list or mapping."""
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def chart_data(spec: ChartSpec, catalog: Catalog, source: str, lines: yamlfile.KeyLines,
               problems: Problems, other_label: str) -> Series | None:
    """The chart's aggregated data, at most MAX_SERIES series; problems at the line of the key at fault.
    A map's is a MapSeries: with the areas it is drawn on."""
    sort = spec.sort
    if catalog.geometry_spec(spec.data) is not None:
        problems.add(source, lines.line("data"), chart_problem(_(
            "`{name}` is a map file (GeoJSON), not a table: `data` names the table of values; give the areas as "
            "`map: {name}`").format(name=spec.data)))
        return None
    if spec.type == "map" and catalog.geometry_spec(spec.map) is None:
        if spec.map in catalog.hashes:
            problems.add(source, lines.line("map"), chart_problem(_(
                "`{name}` is a table, not a map file: `map` names a map file, declared with `format: geojson` in "
                "data/datapackage.yaml").format(name=spec.map)))
        elif not catalog.is_broken(spec.map):  # else declared with errors, reported at its declaration
            known = catalog.geometry_names
            message = _("there is no map file `{name}` in data/datapackage.yaml{hint}; map files: {names}") if known \
                else _("there is no map file `{name}` in data/datapackage.yaml: declare its GeoJSON file there with "
                       "`format: geojson` and `key`")
            problems.add(source, lines.line("map"), chart_problem(message.format(
                name=spec.map, hint=_guess(spec.map, known), names=", ".join(known))))
        return None
    def report(exc: QueryError) -> None:
        key_path = ("filter", exc.column or next(iter(spec.filter), "")) if exc.key == "filter" else (exc.key,)
        problems.add(source, lines.line(*key_path) or lines.line(exc.key) or lines.line("data"),
                     chart_problem(str(exc)))

    try:
        series = grouped(catalog, spec.data, spec.x, list(spec.y), spec.by, spec.agg, spec.filter, sort, spec.top)
    except QueryError as exc:
        if not exc.follow_on:
            for fault in (exc, *exc.also):  # each misspelt column at its own line
                report(fault)
        return None
    if spec.type == "map":
        return _map_data(spec, series, catalog, source, lines, problems)
    limit = MAX_TABLE_ROWS if spec.type == "table" else MAX_CATEGORIES
    if len(series.x_values) > limit:
        message = _("{count} values of `{x}` to show; a table holds at most {limit}: keep the largest with "
                    "`sort: desc` and `top: 20`, or narrow `filter:`") if spec.type == "table" else \
            _("{count} values of `{x}` to show; a chart holds at most {limit}: keep the largest with `sort: desc` "
              "and `top: 20`, or narrow `filter:`")
        problems.add(source, lines.line("x"), chart_problem(message.format(
            count=number(len(series.x_values)), x=spec.x, limit=number(limit))))
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


def _map_data(spec: ChartSpec, series: Series, catalog: Catalog, source: str, lines: yamlfile.KeyLines,
              problems: Problems) -> Series | None:
    """The series with its areas: every value of `x` must name an area, and `highlight` one too."""
    geometry = catalog.geometry(spec.map)
    if geometry is None:
        return None  # the map resource could not be read: reported at its file
    codes = set(geometry.codes)
    missing = [x for x in series.x_values if x not in codes]
    shown = ", ".join(geometry.codes[:8]) + (f", ... ({number(len(codes))})" if len(codes) > 8 else "")
    if missing:
        quoted = [f"`{x}`" for x in missing[:5]]
        listed = listing(quoted) if len(missing) <= 5 else _("{values} and {count} more").format(
            values=", ".join(quoted), count=number(len(missing) - 5))
        problems.add(source, lines.line("x"), chart_problem(_n(
            "{values} of `{x}` has no area in map `{map}` (whose areas are named by their `{key}`){guess}; its "
            "areas: {areas}: correct the code in the data, or add the area to the map file",
            "{values} of `{x}` have no area in map `{map}` (whose areas are named by their `{key}`){guess}; its "
            "areas: {areas}: correct the codes in the data, or add the areas to the map file",
            len(missing)).format(values=listed, x=spec.x, map=spec.map, key=geometry.key,
                                 guess=_guess(missing[0], geometry.codes), areas=shown)))
        return None
    if spec.highlight and spec.highlight not in codes:
        problems.add(source, lines.line("highlight"), chart_problem(_(
            "`highlight: {code}` is no area of map `{map}`{guess}; its areas: {areas}: write the code of one of "
            "them").format(code=spec.highlight, map=spec.map, guess=_guess(spec.highlight, geometry.codes),
                           areas=shown)))
        return None
    try:
        return map_series(series, geometry, map_areas(geometry))
    except MapTooIntricate as exc:
        where = catalog.geometry_spec(spec.map)
        problems.add(where.path if where else source, None, _(
            "the outline of area `{code}` ({count} points) zig-zags too finely to be drawn in any reasonable time: "
            "simplify the map file first (mapshaper, or QGIS's Simplify)").format(code=exc.code,
                                                                                  count=number(exc.points)))
        return None


def _guess(code: str, codes: list[str]) -> str:
    """A hint such as ` (did you mean `7401`?)` when a known code is close to a wrong one, else nothing."""
    guess = nearest(code, codes)
    return " " + _("(did you mean `{name}`?)").format(name=guess) if guess else ""
