"""What every drawing shares: its width, colours and type, the sharing card's frame, and saving a matplotlib
figure as a deterministic SVG or PNG. Charts (charts.py) and maps (maps.py) draw on it.

An SVG is saved cropped to what it draws in one drawing pass: matplotlib's `bbox_inches="tight"` draws the
whole figure once to find its extent and again to write it, but the extent needs only the sizes of its text
and artists, which an SVG renderer measures without drawing. Same box, same bytes, a fifth less time a chart.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WIDTH_IN = 4.8  # about 460 px: legible on a phone without zooming
SVG_DPI = 72  # the SVG backend's own: lengths measured at it are the points it writes
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")  # Okabe-Ito: colour-blind safe
INK, MUTED, GRID = "#1f2328", "#57606a", "#d8dee4"
CARD_INCHES, CARD_DPI = (12, 6.3), 100  # 1200x630 px, the size sharing previews expect
_COMMENT = re.compile(r"<!-- Created with matplotlib.*?-->\n?")
_METADATA = re.compile(r"<metadata>.*?</metadata>\n?", re.S)


def style(**changes: Any) -> dict[str, Any]:
    """matplotlib settings of every drawing: text stays text (no formulas), a fixed hash salt, the theme's
    colours."""
    from cycler import cycler

    return {
        "svg.fonttype": "none", "svg.hashsalt": "buletin", "font.family": "sans-serif",
        "text.parse_math": False,  # a `$` in a label is a dollar (US$ 5 juta), not the start of a formula
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        "font.size": 9.5, "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": MUTED,
        "ytick.color": MUTED, "text.color": INK, "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": False, "grid.color": GRID, "grid.linewidth": 0.8, "figure.dpi": 100,
        "path.simplify": True, "svg.image_inline": True, "axes.prop_cycle": cycler(color=list(PALETTE)),
        **{key.replace("__", "."): value for key, value in changes.items()},
    }


def short(text: str, limit: int = 40) -> str:
    """A label cut to what a drawing can show: a data cell of megabytes would stall the text layout."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@contextmanager
def figure(width: float, height: float, **changes: Any) -> Iterator[Any]:
    """A matplotlib figure of `width` x `height` inches at the SVG's resolution, in the style (plus `changes`,
    with `__` for `.`: `hatch__linewidth=0.6`), closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    _share_text_sizes()
    with matplotlib.rc_context(style(**changes)):  # type: ignore[arg-type]  # keys made from names: str, not literals
        fig = plt.figure(figsize=(width, height), dpi=SVG_DPI)
        try:
            yield fig
        finally:
            plt.close(fig)


_TEXT_SIZES: dict[tuple, Any] = {}  # (text, font, math) -> width, height, descent in points


def _share_text_sizes() -> None:
    """Let this process's SVG renderers share the text sizes they measure. matplotlib remembers them per
    renderer, and saving an SVG makes two (one finds the box, one draws), so every label was measured twice a
    chart and again in the next; its size depends only on the text and the font, and a site's charts repeat
    their labels. The benchmark's 75 charts: 43.8 -> 38.0 ms of CPU each, the same bytes."""
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.font_manager import findfont

    measure = RendererSVG.get_text_width_height_descent
    if getattr(measure, "shared", False):
        return

    def shared(self: Any, s: str, prop: Any, ismath: Any) -> Any:
        # a copy: FontProperties is mutable, and its hash follows its state; the file: a family such as
        # "sans-serif" is a list in the settings, which a drawing may change
        key = (s, prop.copy(), ismath, findfont(prop))
        if key not in _TEXT_SIZES:
            if len(_TEXT_SIZES) >= 8192:  # a long `serve` session's worker: bounded
                _TEXT_SIZES.clear()
            _TEXT_SIZES[key] = measure(self, s, prop, ismath)
        return _TEXT_SIZES[key]

    shared.shared = True  # type: ignore[attr-defined]
    RendererSVG.get_text_width_height_descent = shared  # type: ignore[method-assign]


@contextmanager
def card(site: str, heading: str, title: str, **changes: Any) -> Iterator[Any]:
    """A sharing card's figure (1200x630) with the site's name, the edition's heading and the chart's title
    written over the space left for the drawing."""
    with figure(*CARD_INCHES, **{"font__size": 15, **changes}) as fig:
        fig.set_dpi(CARD_DPI)
        fig.text(0.04, 0.93, short(site, 90), fontsize=16, color=MUTED, va="top")
        fig.text(0.04, 0.86, short(heading, 60), fontsize=26, fontweight="bold", color=INK, va="top")
        fig.text(0.04, 0.76, short(title, 200), fontsize=16, color=INK, va="top", wrap=True)
        yield fig


def save_svg(fig: Any, pad_inches: float) -> bytes:
    """The figure's SVG, cropped to its drawn extent plus `pad_inches`, without matplotlib's comment."""
    from matplotlib.backends.backend_svg import RendererSVG

    fig.set_dpi(SVG_DPI)
    width, height = fig.get_size_inches()
    measurer = RendererSVG(width * SVG_DPI, height * SVG_DPI, io.StringIO(), image_dpi=SVG_DPI)
    extent = fig.get_tightbbox(measurer).padded(pad_inches)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=extent)
    return tidy_svg(buffer.getvalue())


def save_png(fig: Any) -> bytes:
    """A sharing card's PNG, without the software's name (the bytes stay the same across versions' names)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, dpi=CARD_DPI)
    return buffer.getvalue()


def tidy_svg(svg: bytes) -> bytes:
    """Drop the XML comment and metadata matplotlib adds; the bytes stay deterministic."""
    text = _METADATA.sub("", _COMMENT.sub("", svg.decode("utf-8")))
    return text.encode("utf-8")
