"""Drawing every chart: from the cache where it can, else in a process pool sized to the machine."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace

from .cache import Cache, make_key
from .charts import Figure, render_card, render_svg
from .compose import Body
from .i18n import Locale
from .site import SiteModel

# Below this many charts to draw, starting worker processes costs more than it saves.
MIN_FOR_POOL = 24


def chart_key(figure: Figure, locale: Locale) -> str:
    """Everything a chart's pixels depend on: spec, the data slice, language, digits (style and versions too)."""
    return make_key("svg", asdict(figure.spec), asdict(figure.series), locale.language, figure.digits)


def draw_all(bodies: list[Body], locale: Locale, cache: Cache, jobs: int | None = None) -> int:
    """Give every chart figure of `bodies` its SVG; returns how many were drawn (not cached)."""
    wanted: dict[str, Figure] = {}
    found: dict[str, bytes] = {}
    for body in bodies:
        for figure in body.figures:
            if figure.is_table or figure.svg is not None:
                continue
            key = chart_key(figure, locale)
            if key in found or key in wanted:
                continue
            svg = cache.load("svg", key)
            if svg is None:
                wanted[key] = figure
            else:
                found[key] = svg
    for key, svg in _draw(wanted, locale, jobs):
        cache.store("svg", key, svg)
        found[key] = svg
    for body in bodies:
        body.figures = [f if f.is_table or f.svg is not None else replace(f, svg=found[chart_key(f, locale)])
                        for f in body.figures]
    return len(wanted)


def _draw(wanted: dict[str, Figure], locale: Locale, jobs: int | None) -> list[tuple[str, bytes]]:
    keys = sorted(wanted)
    tasks = [(wanted[k].spec, wanted[k].series, locale, wanted[k].digits) for k in keys]
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers < 2 or len(tasks) < MIN_FOR_POOL:
        return [(k, render_svg(*task)) for k, task in zip(keys, tasks, strict=True)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        svgs = list(pool.map(_render, tasks, chunksize=max(1, len(tasks) // (workers * 4))))
    return list(zip(keys, svgs, strict=True))


def _render(task: tuple) -> bytes:
    return render_svg(*task)


def draw_cards(model: SiteModel, cache: Cache) -> None:
    """Each edition's 1200x630 sharing image, from its lead chart (cached like the charts)."""
    locale = model.locale
    for view in model.editions:
        figures = [*view.body.figures, *(f for a in view.articles for f in a.body.figures)]
        lead = next((f for f in figures if not f.is_table), None)
        if lead is None:
            continue
        key = make_key("card", asdict(lead.spec), asdict(lead.series), locale.language, view.title, model.config.title)
        png = cache.load("card", key)
        if png is None:
            png = render_card(lead.spec, lead.series, locale, lead.digits, view.title, model.config.title)
            cache.store("card", key, png)
        view.card_path = f"{view.path.rsplit('/', 1)[0]}/{locale.text('card')}-{key[:8]}.png"
        model.files[view.card_path] = png
