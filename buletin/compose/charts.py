"""Chart spec + aggregated data -> SVG (matplotlib), CSV, text alternative. No templates here."""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass

from buletin.compose import canvas
from buletin.compose.canvas import INK, MUTED, WIDTH_IN, short
from buletin.compose.chartspec import ChartSpec
from buletin.compose.mapareas import MapAreas, MapSeries
from buletin.compose.maps import describe_map
from buletin.i18n import Locale
from buletin.inputs.catalog import Catalog
from buletin.inputs.notes import covered, note_text
from buletin.inputs.query import Series, select
from buletin.inputs.tables import spreadsheet_safe

_YEARMONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Figure:
    """A rendered chart or table, ready for the theme."""

    spec: ChartSpec
    series: Series
    number: int
    svg: bytes | None  # None for `type: table`
    csv: bytes
    alt: str
    digits: int
    column_digits: tuple[int, ...] = ()  # per series, for the data table
    source: str = ""  # the "Sumber:" line: the spec's source, else its dataset's sources
    x_title: str = ""  # the data table's first column heading: the x column's title
    areas: MapAreas | None = None  # a map's areas, projected and simplified (its geometry's digest in `.digest`)
    notes: tuple[str, ...] = ()  # the notes (data/catatan.yaml) on values the figure includes: "Catatan:" lines

    @property
    def is_table(self) -> bool:
        return self.spec.type == "table"


def value_digits(series: Series, spec: ChartSpec, column: int | None = None) -> int:
    """Decimal places to show: the spec's `digits`, else 0 for whole numbers and 1 otherwise (per column)."""
    if spec.digits is not None:
        return spec.digits
    columns = range(len(series.columns)) if column is None else [column]
    whole = all(math.isnan(row[j]) or float(row[j]).is_integer() for row in series.values for j in columns)
    return 0 if whole else 1


def x_text(series: Series, locale: Locale) -> list[str]:
    """What readers see on the category axis: labels for coded values, months in words."""
    if series.labels:
        return series.labels
    out = []
    for value in series.x_values:
        if _YEARMONTH.match(value):
            from babel.dates import format_date

            year, month = value.split("-")
            out.append(format_date(dt.date(int(year), int(month), 1), "MMM y", locale=locale.language))
        else:
            out.append(value)
    return out


def to_csv(series: Series) -> bytes:
    """Exactly the chart's aggregated data; plain machine-readable numbers."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    label = ["label"] if series.labels else []
    names = [label if name == "_other" else name for name, label in zip(series.columns, series.column_labels,
                                                                         strict=True)]
    writer.writerow([spreadsheet_safe(text) for text in (series.x, *label, *names)])
    for i, x in enumerate(series.x_values):
        cells = [_plain(v) for v in series.values[i]]
        texts = [x, *([series.labels[i]] if series.labels else [])]
        writer.writerow([*map(spreadsheet_safe, texts), *cells])
    return buffer.getvalue().encode("utf-8")


def _plain(value: float) -> str:
    if math.isnan(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(value, 10))


def describe(spec: ChartSpec, series: Series, locale: Locale, digits: int) -> str:
    """A short text alternative: what is shown, and the highest and lowest values."""
    if spec.alt:
        return spec.alt
    kind = locale.text("chart_bar" if spec.type in ("bar", "barh") else f"chart_{spec.type}")
    high, low = locale.text("agg_max"), locale.text("agg_min")
    text = f"{kind}: {spec.title or ', '.join(series.column_labels)}."
    labels = x_text(series, locale)
    if spec.by or len(series.columns) == 1:  # stacked series add up; separate measures do not
        totals = [math.nan if all(math.isnan(v) for v in row) else sum(v for v in row if not math.isnan(v))
                  for row in series.values]
    else:
        totals = [row[0] for row in series.values]
        text += f" {series.column_labels[0]}:"
    if not totals:
        return text
    def shown(value: float) -> str:
        return "–" if math.isnan(value) else locale.number(value, digits)

    if spec.type == "line":
        return f"{text} {labels[0]}: {shown(totals[0])}; {labels[-1]}: {shown(totals[-1])}."
    known = [i for i in range(len(totals)) if not math.isnan(totals[i])]  # empty cells are not zeros
    if not known:
        return text
    top = max(known, key=lambda i: totals[i])
    bottom = min(known, key=lambda i: totals[i])
    return (f"{text} {high.capitalize()} {labels[top]} ({locale.number(totals[top], digits)}), "
            f"{low} {labels[bottom]} ({locale.number(totals[bottom], digits)}).")


def render_svg(spec: ChartSpec, series: Series, locale: Locale, digits: int) -> bytes:
    """Draw the chart with matplotlib as a deterministic SVG whose text stays text."""
    with canvas.figure(WIDTH_IN, _height(spec, series)) as fig:
        _draw_chart(fig.add_subplot(), spec, series, locale, digits)
        return canvas.save_svg(fig, pad_inches=0.08)  # cropped to what it draws: legends, value labels inside


def _draw_chart(ax, spec: ChartSpec, series: Series, locale: Locale, digits: int) -> None:
    from dataclasses import replace as copy

    from matplotlib.ticker import FuncFormatter, MaxNLocator

    series = copy(series, column_labels=[short(label, 30) for label in series.column_labels])
    labels = [short(label) for label in x_text(series, locale)]
    if spec.type == "line":
        _draw_lines(ax, series, labels)
    else:
        _draw_bars(ax, spec, series, labels, locale, digits)
    value_axis = ax.xaxis if spec.type == "barh" else ax.yaxis
    value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: locale.number(_no_minus_zero(v),
                                                                               _tick_digits(v, digits))))
    known = [v for row in series.values for v in row if not math.isnan(v)]
    if known and max(known) == min(known):  # a flat series: give the axis a sensible span around it
        middle = known[0]
        span = abs(middle) * 0.1 or 1.0
        (ax.set_xlim if spec.type == "barh" else ax.set_ylim)(min(0.0, middle - span), max(0.0, middle + span))
    value_axis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    if len(series.columns) > 1:
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=_legend_columns(series),
                  fontsize="small", handlelength=1.2, borderaxespad=0.2)
    if spec.type == "line" and not _starts_at_zero(ax):
        _say_axis_not_at_zero(ax, locale)


def _starts_at_zero(ax) -> bool:
    """Whether the value axis spans zero (where it does not, a small change can look like a fall to nothing)."""
    low, high = ax.get_ylim()
    return low <= 0 <= high


def _say_axis_not_at_zero(ax, locale: Locale) -> None:
    """A line under the chart saying that the value axis does not start at zero, and a break mark at its foot."""
    ax.annotate(locale.text("axis_not_zero"), xy=(0, 0), xycoords="axes fraction", xytext=(0, -26),
                textcoords="offset points", ha="left", va="top", fontsize="small", color=MUTED)
    ax.annotate("≈", xy=(0, 0), xycoords="axes fraction", xytext=(0, 6), textcoords="offset points",
                ha="center", va="center", fontsize="large", color=MUTED, rotation=90)


def render_card(spec: ChartSpec, series: Series, locale: Locale, digits: int, heading: str, site: str) -> bytes:
    """A 1200x630 PNG for sharing an edition: its title over its lead chart."""
    with canvas.card(site, heading, spec.title) as fig:
        ax = fig.add_axes((0.27 if spec.type == "barh" else 0.08, 0.08, 0.68 if spec.type == "barh" else 0.88,
                           0.56))
        shown = series if len(series.x_values) <= 10 or spec.type == "line" else _first(series, 10)
        _draw_chart(ax, spec, shown, locale, digits)
        return canvas.save_png(fig)


def _first(series: Series, count: int) -> Series:
    from dataclasses import replace

    return replace(series, x_values=series.x_values[:count], values=series.values[:count],
                   labels=series.labels[:count] if series.labels else None)


def _legend_columns(series: Series) -> int:
    """As many legend columns as fit beside each other (about 44 characters)."""
    longest = max(len(name) for name in series.column_labels) + 4
    return max(1, min(len(series.columns), 44 // longest))


def _height(spec: ChartSpec, series: Series) -> float:
    if spec.type == "barh":
        return max(2.0, 0.6 + 0.26 * len(series.x_values) + (0.3 if len(series.columns) > 1 else 0))
    return 3.2


def _no_minus_zero(value: float) -> float:
    return 0.0 if abs(value) < 1e-12 else value


def _tick_digits(value: float, digits: int) -> int:
    return 0 if float(value).is_integer() else max(1, digits)


def _draw_lines(ax, series: Series, labels: list[str]) -> None:
    positions = list(range(len(labels)))
    for j, name in enumerate(series.column_labels):
        ax.plot(positions, [row[j] for row in series.values], linewidth=2, label=name, marker=None)
    step = max(1, math.ceil(len(labels) / 5))  # at most 5 labels: month names side by side fit 460 px
    ax.set_xticks(positions[::step], labels[::step])
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    ax.margins(x=0.02, y=0.15)  # a line shows change: the axis need not start at zero


def _draw_bars(ax, spec: ChartSpec, series: Series, labels: list[str], locale: Locale, digits: int) -> None:
    horizontal = spec.type == "barh"
    positions = list(range(len(labels)))
    stacked = spec.by is not None
    count = len(series.columns)
    width = 0.7 if stacked or count == 1 else 0.8 / count
    above = [0.0] * len(positions)  # stacks grow up from zero for positive parts, down for negative ones
    below = [0.0] * len(positions)
    for j, name in enumerate(series.column_labels):
        raw = [row[j] for row in series.values]
        values = [0.0 if math.isnan(v) else v for v in raw]
        offset = 0 if stacked or count == 1 else (j - (count - 1) / 2) * width
        places = [p + offset for p in positions]
        base = [b if v >= 0 else n for v, b, n in zip(values, above, below, strict=True)] if stacked else None
        if horizontal:
            bars = ax.barh(places, values, height=width, left=base, label=name)
        else:
            bars = ax.bar(places, values, width=width, bottom=base, label=name)
        if count == 1 and len(positions) <= 25:
            ax.bar_label(bars, labels=["–" if math.isnan(v) else locale.number(v, digits) for v in raw],
                         padding=3, fontsize=8.5, color=INK)
        if stacked:
            above = [b + max(v, 0.0) for b, v in zip(above, values, strict=True)]
            below = [b + min(v, 0.0) for b, v in zip(below, values, strict=True)]
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.margins(x=0.12)
    else:
        ax.set_xticks(positions, labels, rotation=30 if max(map(len, labels), default=0) > 8 else 0,
                      ha="right" if max(map(len, labels), default=0) > 8 else "center")
        ax.grid(axis="y")
        ax.margins(y=0.1)
    ax.set_axisbelow(True)


def chart_notes(catalog: Catalog, spec: ChartSpec, series: Series, locale: Locale) -> tuple[str, ...]:
    """The notes on values a chart includes: its `y` columns in the rows its filter keeps, whose x value it
    shows (a value cut by `top` is not shown)."""
    rows = catalog.note_rows(spec.data)
    table = catalog.get(spec.data) if rows else None
    if table is None:
        return ()
    mask = select(table, spec.filter) & table.frame[spec.x].isin(series.x_values).to_numpy()
    return tuple(note_text(note, table, catalog.get, locale.language) for note in covered(rows, spec.y, mask))


def build_figure(spec: ChartSpec, series: Series, number: int, locale: Locale, sources: tuple[str, ...] = (),
                 x_title: str = "", notes: tuple[str, ...] = ()) -> Figure:
    """A chart block's figure: CSV and text alternative now; the SVG is drawn later (drawing.py). `sources`
    and `x_title` come from the dataset as the figure read it (a published edition's, from its snapshot);
    `notes` are chart_notes()."""
    areas = series.areas if isinstance(series, MapSeries) else None
    if isinstance(series, MapSeries):
        series = series.plain()
    digits = value_digits(series, spec)
    per_column = tuple(value_digits(series, spec, j) for j in range(len(series.columns)))
    alt = describe_map(spec, series, areas, x_text(series, locale), locale, digits) if areas is not None \
        else describe(spec, series, locale, digits)
    return Figure(spec, series, number, None, to_csv(series), alt, digits, per_column,
                  spec.source or "; ".join(sources), x_title or spec.x, areas, notes)
