"""Drawing every chart and sharing card: from the build state where it can, else in the worker pool."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from buletin.build import progress
from buletin.build.state import BuildState, make_key
from buletin.build.workers import Workers
from buletin.compose.charts import Figure, render_card, render_svg
from buletin.compose.composer import Body
from buletin.i18n import Locale

MIN_FOR_POOL = 16  # images to draw; with fewer, worker processes cost more than they save


def chart_key(figure: Figure, language: str) -> str:
    """Everything a chart's pixels depend on: spec, the data slice, language, digits (style and versions too)."""
    return make_key("svg", figure.spec, figure.series, language, figure.digits)


def card_key(lead: Figure, language: str, heading: str, site_title: str) -> str:
    return make_key("card", lead.spec, lead.series, language, heading, site_title)


def lead_figure(bodies: Iterable[Body]) -> Figure | None:
    """An edition's lead chart: the first chart of its own body or, failing that, of its articles'."""
    return next((f for body in bodies for f in body.figures if not f.is_table), None)


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
                tasks[key] = ("svg", figure.spec, figure.series, language, figure.digits)
            else:
                images[key] = found
    for key, (lead, heading, site_title) in cards.items():
        found = state.recall("card", key)
        if found is None:
            tasks[key] = ("card", lead.spec, lead.series, language, lead.digits, heading, site_title)
        else:
            images[key] = found
    progress.say(f"drawing {len(tasks)} charts", len(tasks))
    keys = sorted(tasks)
    for key, image in zip(keys, workers.map(draw_task, [tasks[k] for k in keys], minimum=MIN_FOR_POOL),
                          strict=True):
        state.keep(tasks[key][0], key, image)
        images[key] = image
    return images, len(tasks)


def draw_task(task: tuple) -> bytes:
    """A worker's task: one chart (SVG) or one sharing card (PNG)."""
    kind, spec, series, language, digits, *card = task
    locale = Locale(language)
    return render_svg(spec, series, locale, digits) if kind == "svg" else render_card(spec, series, locale, digits,
                                                                                        *card)


def with_images(body: Body, images: dict[str, bytes], language: str) -> Body:
    """The body with each chart's SVG."""
    figures = tuple(f if f.is_table else replace(f, svg=images[chart_key(f, language)]) for f in body.figures)
    return replace(body, figures=figures)
