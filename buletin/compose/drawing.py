"""Drawing every chart and sharing card: from the cache where it can, else in a process pool."""
from __future__ import annotations

from dataclasses import replace

from buletin.build import progress
from buletin.build.store import Cache, make_key
from buletin.build.workers import fork_map
from buletin.compose.charts import Figure, render_card, render_svg
from buletin.i18n import Locale
from buletin.model import SiteModel, views

# Below this many images to draw, starting worker processes costs more than it saves.
MIN_FOR_POOL = 24


def chart_key(figure: Figure, locale: Locale) -> str:
    """Everything a chart's pixels depend on: spec, the data slice, language, digits (style and versions too)."""
    return make_key("svg", repr(figure.spec), repr(figure.series), locale.language, figure.digits)


def draw_all(model: SiteModel, cache: Cache, jobs: int | None = None) -> int:
    """Give every chart its SVG and every edition its sharing card; returns how many were drawn."""
    locale = model.locale
    tasks: dict[str, tuple] = {}  # key -> (kind, arguments), for what the cache does not have
    images: dict[str, bytes] = {}

    def want(kind: str, key: str, arguments: tuple) -> None:
        if key in images or key in tasks:
            return
        found = cache.load(kind, key)
        if found is None:
            tasks[key] = (kind, arguments)
        else:
            images[key] = found

    for view in views(model):
        for figure in view.body.figures:
            if not figure.is_table and figure.svg is None:
                want("svg", chart_key(figure, locale), (figure.spec, figure.series, locale, figure.digits))
    cards = {view.path: _card(view, model) for view in model.editions}
    for key, arguments in filter(None, cards.values()):
        want("card", key, arguments)
    for key, data in _draw(tasks, jobs):
        cache.store(tasks[key][0], key, data)
        images[key] = data
    for view in views(model):
        view.body.figures = [f if f.is_table or f.svg is not None else replace(f, svg=images[chart_key(f, locale)])
                             for f in view.body.figures]
    for view in model.editions:
        if cards[view.path]:
            key = cards[view.path][0]
            view.card_path = f"{view.path.rsplit('/', 1)[0]}/{locale.text('card')}-{key[:8]}.png"
            model.files[view.card_path] = images[key]
    return len(tasks)


def _card(view, model: SiteModel) -> tuple[str, tuple] | None:
    """(key, arguments) of an edition's 1200x630 sharing image, drawn from its lead chart; none without a
    base_url, since a link preview needs the image's absolute address."""
    if not model.config.base_url:
        return None
    figures = [*view.body.figures, *(f for a in view.articles for f in a.body.figures)]
    lead = next((f for f in figures if not f.is_table), None)
    if lead is None:
        return None
    key = make_key("card", repr(lead.spec), repr(lead.series), model.locale.language, view.title,
                   model.config.title)
    return key, (lead.spec, lead.series, model.locale, lead.digits, view.title, model.config.title)


def _draw(tasks: dict[str, tuple], jobs: int | None) -> list[tuple[str, bytes]]:
    progress.say(f"drawing {len(tasks)} charts", len(tasks))
    keys = sorted(tasks)
    drawn = fork_map([lambda task=tasks[k]: _render(task) for k in keys], jobs, MIN_FOR_POOL)
    return list(zip(keys, drawn, strict=True))


def _render(task: tuple) -> bytes:
    kind, arguments = task
    return render_svg(*arguments) if kind == "svg" else render_card(*arguments)
