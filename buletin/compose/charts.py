"""Chart spec + aggregated data -> SVG (matplotlib), CSV, text alternative. No templates here."""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass

from buletin.compose.chartspec import ChartSpec
from buletin.i18n import Locale
from buletin.inputs.query import Series
from buletin.inputs.tables import spreadsheet_safe

# Okabe-Ito, reordered so neighbours contrast; readable by colour-blind readers.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
INK, MUTED, GRID = "#1f2328", "#57606a", "#d8dee4"
WIDTH_IN = 4.8  # about 460 px: legible on a phone without zooming
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
    kinds = {"id": {"bar": "Grafik batang", "barh": "Grafik batang", "line": "Grafik garis", "table": "Tabel"},
             "en": {"bar": "Bar chart", "barh": "Bar chart", "line": "Line chart", "table": "Table"}}
    words = {"id": ("tertinggi", "terendah"), "en": ("highest", "lowest")}
    high, low = words[locale.language]
    text = f"{kinds[locale.language][spec.type]}: {spec.title or ', '.join(series.column_labels)}."
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
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with matplotlib.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, _height(spec, series)))
        _draw_chart(ax, spec, series, locale, digits)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight",
                    pad_inches=0.08)  # "tight" keeps legends and value labels inside the image
        plt.close(fig)
    return _tidy_svg(buffer.getvalue())


def short(text: str, limit: int = 40) -> str:
    """A label cut to what a drawing can show: a data cell of megabytes would stall the text layout."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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


def render_card(spec: ChartSpec, series: Series, locale: Locale, digits: int, heading: str, site: str) -> bytes:
    """A 1200x630 PNG for sharing an edition: its title over its lead chart."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    style = {**_style(), "font.size": 15}
    with matplotlib.rc_context(style):
        fig = plt.figure(figsize=(12, 6.3), dpi=100)
        fig.text(0.04, 0.93, short(site, 90), fontsize=16, color=MUTED, va="top")
        fig.text(0.04, 0.86, short(heading, 60), fontsize=26, fontweight="bold", color=INK, va="top")
        fig.text(0.04, 0.76, short(spec.title, 200), fontsize=16, color=INK, va="top", wrap=True)
        ax = fig.add_axes((0.27 if spec.type == "barh" else 0.08, 0.08, 0.68 if spec.type == "barh" else 0.88,
                           0.56))
        shown = series if len(series.x_values) <= 10 or spec.type == "line" else _first(series, 10)
        _draw_chart(ax, spec, shown, locale, digits)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None}, dpi=100)
        plt.close(fig)
    return buffer.getvalue()


def _first(series: Series, count: int) -> Series:
    from dataclasses import replace

    return replace(series, x_values=series.x_values[:count], values=series.values[:count],
                   labels=series.labels[:count] if series.labels else None)


def _legend_columns(series: Series) -> int:
    """As many legend columns as fit beside each other (about 44 characters)."""
    longest = max(len(name) for name in series.column_labels) + 4
    return max(1, min(len(series.columns), 44 // longest))


def _style() -> dict:
    return {
        "svg.fonttype": "none", "svg.hashsalt": "buletin", "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        "font.size": 9.5, "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": MUTED,
        "ytick.color": MUTED, "text.color": INK, "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": False, "grid.color": GRID, "grid.linewidth": 0.8, "figure.dpi": 100,
        "path.simplify": True, "svg.image_inline": True, "axes.prop_cycle": matplotlib_cycler(),
    }


def matplotlib_cycler():
    from cycler import cycler

    return cycler(color=list(PALETTE))


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
    step = max(1, math.ceil(len(labels) / 6))
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


def _tidy_svg(svg: bytes) -> bytes:
    """Drop the XML comment and whitespace matplotlib adds; the bytes stay deterministic."""
    text = svg.decode("utf-8")
    text = re.sub(r"<!-- Created with matplotlib.*?-->\n?", "", text)
    text = re.sub(r"<metadata>.*?</metadata>\n?", "", text, flags=re.S)
    return text.encode("utf-8")


def build_figure(spec: ChartSpec, series: Series, number: int, locale: Locale, sources: tuple[str, ...] = (),
                 x_title: str = "") -> Figure:
    """A chart block's figure: CSV and text alternative now; the SVG is drawn later (drawing.py). `sources`
    and `x_title` come from the dataset as the figure read it (a published edition's, from its snapshot)."""
    digits = value_digits(series, spec)
    per_column = tuple(value_digits(series, spec, j) for j in range(len(series.columns)))
    return Figure(spec, series, number, None, to_csv(series), describe(spec, series, locale, digits), digits,
                  per_column, spec.source or "; ".join(sources), x_title or spec.x)
