"""Maps (docs/reference.md §6.5): areas of a GeoJSON resource shaded by a value, as a deterministic SVG (matplotlib).

The areas come projected and simplified (mapareas.py); here they are put in classes, described in words and
drawn: a matplotlib PatchCollection, no geographic library.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from buletin.compose import canvas
from buletin.compose.canvas import INK, short
from buletin.compose.mapareas import MAP_MAX_HEIGHT_PX, MapAreas
from buletin.i18n import Locale
from buletin.inputs.query import Series

if TYPE_CHECKING:
    from buletin.compose.chartspec import ChartSpec

# Sequential, colour-blind safe (ColorBrewer "Blues", single hue: every reader orders light to dark alike).
# Labels inside areas: dark ink on the three lighter, white on the two darker (both at least 4.5:1).
SEQUENTIAL = ("#c6dbef", "#9ecae1", "#6baed6", "#2171b5", "#084594")
DARK_CLASSES = 2
NO_DATA_FILL, NO_DATA_HATCH = "#ffffff", "#8c959f"
BORDER = "#ffffff"
MAX_CLASSES = 5
PX_PER_INCH = 96.0
PAD_INCHES = 0.08
LABEL_POINTS = 7.0  # text inside areas, in points (9.3 px at 460 px wide)
NAME_PREFIXES = ("Kabupaten ", "Kab. ", "Kota ", "Provinsi ", "Prov. ")  # dropped from labels inside areas


# ---------------------------------------------------------------- classes


def classes(values: list[float], digits: int) -> list[float]:
    """The inner class bounds (at most MAX_CLASSES - 1) of the known values: quantiles rounded to nice numbers
    (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 7.5, 8, 9 times a power of ten, whole with `digits` 0), each class holding
    at least one value."""
    known = sorted(v for v in values if not math.isnan(v))
    distinct = sorted(set(known))
    if len(distinct) < 2:
        return []
    count = min(MAX_CLASSES, len(distinct))
    unit = 10.0 ** -digits
    bounds: list[float] = []
    for i in range(1, count):
        raw = _quantile(known, i / count)
        bound = _nice(raw, unit)
        if known[0] < bound <= known[-1] and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    # every class holds a value: drop a bound that leaves the class below it empty
    kept: list[float] = []
    low = -math.inf
    for bound in bounds:
        if any(low <= v < bound for v in known):
            kept.append(bound)
            low = bound
    if kept and not any(v >= kept[-1] for v in known):
        kept.pop()
    return kept


def _quantile(values: list[float], q: float) -> float:
    position = q * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _nice(value: float, unit: float) -> float:
    """The nice number nearest to `value` (relative distance), a multiple of `unit`."""
    if value <= 0:
        return round(value / unit) * unit
    exponent = math.floor(math.log10(value))
    candidates = [m * 10.0 ** e for e in (exponent - 1, exponent, exponent + 1)
                  for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 7.5, 8, 9)]
    best = min(candidates, key=lambda c: (abs(math.log(c / value)), c))
    rounded = round(best / unit) * unit
    return rounded if rounded > 0 else unit


def class_of(value: float, bounds: list[float]) -> int:
    return sum(1 for b in bounds if value >= b)


def class_labels(values: list[float], bounds: list[float], locale: Locale, digits: int) -> list[str]:
    """`62 – 499`, `500 – 999`, ..., `2.000 – 2.268`: each class from its first to its last possible value."""
    known = [v for v in values if not math.isnan(v)]
    if not known:
        return []
    unit = 10.0 ** -digits
    lows = [min(known), *bounds]
    highs = [b - unit for b in bounds] + [max(known)]
    out = []
    for low, high in zip(lows, highs, strict=True):
        shown_low, shown_high = locale.number(low, digits), locale.number(max(high, low), digits)
        out.append(shown_low if shown_low == shown_high else f"{shown_low} – {shown_high}")
    return out


# ---------------------------------------------------------------- words


def describe_map(spec: ChartSpec, series: Series, areas: MapAreas, labels: list[str], locale: Locale,
                 digits: int) -> str:
    """`Peta: TITLE. Tertinggi X (v), terendah Y (v); N wilayah tanpa data.`"""
    if spec.alt:
        return spec.alt
    said = locale.strings
    text = f"{said['map']}: {spec.title or ', '.join(series.column_labels)}."
    values = {x: row[0] for x, row in zip(series.x_values, series.values, strict=True)}
    known = [i for i, x in enumerate(series.x_values) if not math.isnan(values[x])]
    missing = sum(1 for code in areas.codes if math.isnan(values.get(code, math.nan)))
    parts = []
    if known:
        top = max(known, key=lambda i: series.values[i][0])
        bottom = min(known, key=lambda i: series.values[i][0])
        parts.append(f"{said['agg_max'].capitalize()} {labels[top]} "
                     f"({locale.number(series.values[top][0], digits)}), {said['agg_min']} {labels[bottom]} "
                     f"({locale.number(series.values[bottom][0], digits)})")
    if missing:
        parts.append(said["area_without_data"] if missing == 1 else
                     said["areas_without_data"].format(n=locale.number(missing)))
    if parts:
        text += " " + "; ".join(parts)[0].upper() + "; ".join(parts)[1:] + "."
    index = areas.index(spec.highlight) if spec.highlight else None
    if index is not None:
        value = values.get(spec.highlight, math.nan)
        shown = locale.number(value, digits) if not math.isnan(value) else "–"
        text += f" {areas.names[index]} {said['highlighted']} ({shown})."
    return text


# ---------------------------------------------------------------- drawing


def render_map(spec: ChartSpec, series: Series, areas: MapAreas, locale: Locale, digits: int) -> bytes:
    """The map as a deterministic SVG whose text stays text (the same settings as charts)."""
    x0, y0, x1, y1 = areas.bounds
    width_in = canvas.WIDTH_IN - 2 * PAD_INCHES  # with the padding, as wide as a chart
    map_height = min(width_in * (y1 - y0) / max(x1 - x0, 1e-9), MAP_MAX_HEIGHT_PX / PX_PER_INCH)
    legend_rows = math.ceil((len(_legend_entries(spec, series, areas, locale, digits)) or 1) / 2)
    height = map_height + 0.35 + 0.2 * legend_rows
    with canvas.figure(width_in, height, hatch__linewidth=0.6) as fig:
        ax = fig.add_axes((0.0, (height - map_height) / height, 1.0, map_height / height))
        draw_map(ax, spec, series, areas, locale, digits)
        return _shorter_paths(canvas.save_svg(fig, PAD_INCHES))


def render_map_card(spec: ChartSpec, series: Series, areas: MapAreas, locale: Locale, digits: int, heading: str,
                    site: str) -> bytes:
    """A 1200x630 PNG for sharing an edition whose lead figure is a map."""
    with canvas.card(site, heading, spec.title, hatch__linewidth=0.8) as fig:
        ax = fig.add_axes((0.04, 0.05, 0.6, 0.64))
        draw_map(ax, spec, series, areas, locale, digits, labels_inside=False, legend_beside=True)
        return canvas.save_png(fig)


def _values(series: Series) -> dict[str, float]:
    return {x: row[0] for x, row in zip(series.x_values, series.values, strict=True)}


def _legend_entries(spec: ChartSpec, series: Series, areas: MapAreas, locale: Locale,
                    digits: int) -> list[tuple[str, str]]:
    """(kind, label) of each legend entry: the classes, "no data" where an area has none, the highlight."""
    values = _values(series)
    known = [v for v in values.values() if not math.isnan(v)]
    bounds = classes(known, digits)
    entries = [("class", label) for label in class_labels(known, bounds, locale, digits)]
    if any(math.isnan(values.get(code, math.nan)) for code in areas.codes):
        entries.append(("none", locale.text("no_data")))
    index = areas.index(spec.highlight) if spec.highlight else None
    if index is not None:
        entries.append(("highlight", areas.names[index]))
    return entries


def _palette(count: int) -> list[str]:
    """`count` classes spread over the sequential palette, light to dark."""
    if count <= 1:
        return [SEQUENTIAL[3]]
    picks = {2: (1, 4), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}[count]
    return [SEQUENTIAL[i] for i in picks]


def draw_map(ax, spec: ChartSpec, series: Series, areas: MapAreas, locale: Locale, digits: int,
             labels_inside: bool = True, legend_beside: bool = False) -> None:
    """The areas (shaded, hatched where they have no data, the highlighted one outlined), their names where
    they fit, and the stepped legend: below the map, or beside it (`legend_beside`, for sharing cards)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path

    values = _values(series)
    known = [v for v in values.values() if not math.isnan(v)]
    bounds = classes(known, digits)
    colours = _palette(len(bounds) + 1)

    def path_of(rings) -> Path:
        vertices, codes = [], []
        for ring in rings:
            vertices.extend(ring)
            codes.extend([Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY])
        return Path(vertices, codes)

    paths = [path_of(rings) for rings in areas.shapes]
    shaded = [i for i, code in enumerate(areas.codes) if not math.isnan(values.get(code, math.nan))]
    blank = [i for i in range(len(areas.codes)) if i not in set(shaded)]
    fills = [colours[class_of(values[areas.codes[i]], bounds)] for i in shaded]
    ax.add_collection(PatchCollection([PathPatch(paths[i]) for i in shaded], facecolors=fills, edgecolors=BORDER,
                                      linewidths=0.6, joinstyle="round"))
    if blank:
        ax.add_collection(PatchCollection([PathPatch(paths[i]) for i in blank], facecolors=NO_DATA_FILL,
                                          edgecolors=NO_DATA_HATCH, linewidths=0.4, hatch="/////", joinstyle="round"))
    index = areas.index(spec.highlight) if spec.highlight else None
    if index is not None:  # a thick dark outline; thinner around a small area, lest it hide the area
        ax.add_patch(PathPatch(paths[index], facecolor="none", edgecolor=INK, linewidth=_outline(ax, areas,
                                                                                                       index),
                               joinstyle="round", zorder=3))
    x0, y0, x1, y1 = areas.bounds
    pad = max(x1 - x0, y1 - y0) * 0.01
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if labels_inside:
        _label_areas(ax, areas, values, bounds, colours, locale, digits, spec.highlight)
    handles: list = []
    for kind, label in _legend_entries(spec, series, areas, locale, digits):
        if kind == "class":
            handles.append(Rectangle((0, 0), 1, 1, facecolor=colours[len(handles)], edgecolor="none", label=label))
        elif kind == "none":
            handles.append(Rectangle((0, 0), 1, 1, facecolor=NO_DATA_FILL, edgecolor=NO_DATA_HATCH, linewidth=0.4,
                                     hatch="/////", label=label))
        else:
            handles.append(Rectangle((0, 0), 1, 1, facecolor="none", edgecolor=INK, linewidth=2.0,
                                     label=short(label, 30)))
    if handles:
        title = short(series.column_labels[0], 40) if series.column_labels else None
        place = {"loc": "center left", "bbox_to_anchor": (1.02, 0.5), "ncols": 1} if legend_beside else \
            {"loc": "upper left", "bbox_to_anchor": (0, 0), "ncols": 2}
        ax.legend(handles=handles, **place, frameon=False,
                  fontsize="small", title=title, title_fontsize="small", alignment="left", handlelength=1.4,
                  handleheight=1.0, borderaxespad=0.2, columnspacing=1.5)


def _outline(ax, areas: MapAreas, index: int) -> float:
    """The highlight's line width in points: 2.2, or 1.2 around an area less than 40 px across."""
    _, _, w, h = areas.anchors[index]
    return 2.2 if max(w, h) * _px_per_unit(ax, areas) >= 40 else 1.2


def _px_per_unit(ax, areas: MapAreas) -> float:
    """Pixels of the published image per projected unit (the axes keep the map's aspect)."""
    x0, y0, x1, y1 = areas.bounds
    box = ax.get_position()
    inches = ax.figure.get_size_inches()
    return min(box.width * inches[0] * PX_PER_INCH / max(x1 - x0, 1e-9),
               box.height * inches[1] * PX_PER_INCH / max(y1 - y0, 1e-9))


def _label_areas(ax, areas: MapAreas, values: dict[str, float], bounds: list[float], colours: list[str],
                 locale: Locale, digits: int, highlight: str) -> None:
    """Name (and value) inside each area, when every area's label fits its largest part (a tile grid, a few
    large areas); otherwise none, rather than some."""
    px_per_unit = _px_per_unit(ax, areas)
    size_px = LABEL_POINTS * PX_PER_INCH / 72
    texts = []
    for code, name, (cx, cy, w, h) in zip(areas.codes, areas.names, areas.anchors, strict=True):
        value = values.get(code, math.nan)
        lines = _wrapped(_short_name(name), max(w * px_per_unit * 0.9 / (size_px * 0.58), 1))
        if not math.isnan(value):
            lines.append(locale.number(value, digits))
        widest = max(len(line) for line in lines) * size_px * 0.58
        if widest > w * px_per_unit * 0.92 or len(lines) * size_px * 1.2 > h * px_per_unit * 0.92:
            return
        dark = not math.isnan(value) and colours[class_of(value, bounds)] in SEQUENTIAL[-DARK_CLASSES:]
        texts.append((cx, cy, "\n".join(lines), "#ffffff" if dark else "#1f2328", code == highlight,
                      math.isnan(value)))
    for cx, cy, text, colour, bold, hatched in texts:  # on hatching, the text on a plain ground
        ax.text(cx, cy, text, ha="center", va="center", fontsize=LABEL_POINTS, color=colour, linespacing=1.1,
                fontweight="bold" if bold else "normal", zorder=4,
                bbox={"boxstyle": "square,pad=0.2", "facecolor": NO_DATA_FILL, "edgecolor": "none"} if hatched
                else None)


def _short_name(name: str) -> str:
    for prefix in NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def _wrapped(text: str, width: float) -> list[str]:
    """Words on lines of at most `width` characters (a long word alone on its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _shorter_paths(svg: bytes) -> bytes:
    """Path data in fewer bytes: coordinates to a tenth of a point (0.13 px; matplotlib writes up to six
    decimals), and a line after a move or a line without its letter (SVG repeats the command)."""
    import re

    def shorten(match: re.Match[bytes]) -> bytes:
        out, previous = [], b""
        for command, numbers in re.findall(rb"([A-Za-z])([^A-Za-z]*)", match.group(1)):
            values = b" ".join(_tenth(n) for n in numbers.split())
            implicit = command == b"L" and previous in (b"M", b"L")
            out.append((b"" if implicit else command + (b" " if values else b"")) + values)
            previous = command
        return b' d="' + b" ".join(out) + b'"'

    return re.sub(rb' d="([^"]*)"', shorten, svg)


def _tenth(number: bytes) -> bytes:
    text = f"{float(number):.1f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()
