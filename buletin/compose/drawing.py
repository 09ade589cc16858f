"""Drawing every chart and sharing card: from the build state where it can, else in the worker pool."""
from __future__ import annotations

from dataclasses import replace

from buletin.build import progress
from buletin.build.state import BuildState, make_key
from buletin.build.workers import Workers
from buletin.compose.charts import Figure, render_card, render_svg
from buletin.compose.composer import Body
from buletin.compose.maps import render_map, render_map_card
from buletin.i18n import Locale
from buletin.messages import _, number

# Images to draw before the pool is used where a new worker is dear (spawn: it imports matplotlib again). Where
# workers are cheap, even one image is drawn there, ready-loaded: the build's own process never loads matplotlib.
MIN_FOR_POOL = 16


def chart_key(figure: Figure, language: str) -> str:
    """Everything a chart's pixels depend on: spec, the data slice, language, digits (style and versions too);
    a map's also its geometry (the GeoJSON file's sha256 and key)."""
    return make_key("svg", figure.spec, figure.series, language, figure.digits, _geometry(figure))


def card_key(lead: Figure, language: str, heading: str, site_title: str) -> str:
    return make_key("card", lead.spec, lead.series, language, heading, site_title, _geometry(lead))


def _geometry(figure: Figure) -> str | None:
    return figure.areas.digest if figure.areas is not None else None


def draw(figures: list[Figure], cards: dict[str, tuple[Figure, str, str]], language: str, state: BuildState,
         workers: Workers) -> tuple[dict[str, bytes], int]:
    """Every chart's SVG and every card's PNG by key (cards: key -> (lead figure, heading, site title)), and
    how many had to be drawn."""
    images: dict[str, bytes] = {}
    tasks: dict[str, tuple] = {}
    for figure in figures:
        if figure.is_table:
            continue
        key = chart_key(figure, language)
        if key not in images and key not in tasks:
            found = state.recall("svg", key)
            if found is None:
                tasks[key] = ("svg", figure.spec, figure.series, language, figure.digits, figure.areas)
            else:
                images[key] = found
    for key, (lead, heading, site_title) in cards.items():
        found = state.recall("card", key)
        if found is None:
            tasks[key] = ("card", lead.spec, lead.series, language, lead.digits, lead.areas, heading, site_title)
        else:
            images[key] = found
    progress.say(_("drawing {count} charts").format(count=number(len(tasks))), len(tasks))
    keys = sorted(tasks)
    minimum = 1 if workers.cheap else MIN_FOR_POOL
    for key, image in zip(keys, workers.map(draw_task, [tasks[k] for k in keys], minimum=minimum), strict=True):
        state.keep(tasks[key][0], key, image)
        images[key] = image
    return images, len(tasks)


def draw_task(task: tuple) -> bytes:
    """A worker's task: one chart or map (SVG) or one sharing card (PNG)."""
    import warnings

    with warnings.catch_warnings():
        # matplotlib's notes (a glyph the font lacks, a map whose areas all lie on one line) are about the
        # drawing, not the site's files, and staff could do nothing with them.
        warnings.simplefilter("ignore", UserWarning)
        return _drawn(task)


def _drawn(task: tuple) -> bytes:
    kind, spec, series, language, digits, areas, *card = task
    locale = Locale(language)
    if kind == "svg":
        return render_svg(spec, series, locale, digits) if areas is None else \
            render_map(spec, series, areas, locale, digits)
    if areas is not None:
        return render_map_card(spec, series, areas, locale, digits, *card)
    return render_card(spec, series, locale, digits, *card)


def with_images(body: Body, images: dict[str, bytes], language: str) -> Body:
    """The body with each chart's SVG."""
    figures = tuple(f if f.is_table else replace(f, svg=images[chart_key(f, language)]) for f in body.figures)
    return replace(body, figures=figures)
