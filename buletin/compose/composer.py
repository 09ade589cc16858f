"""A document's body through the stages: macros, chart blocks, Markdown; and an edition's headlines."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from buletin.build import progress
from buletin.build.store import NO_CACHE, Cache, make_key
from buletin.build.workers import fork_map
from buletin.compose.charts import Figure, build_figure
from buletin.compose.chartspec import chart_data, parse_spec
from buletin.compose.macros import PLACEHOLDER_LINE, MacroStage, extract_charts, quote_record
from buletin.compose.markup import Markup, sanitise
from buletin.i18n import Locale
from buletin.inputs.catalog import Catalog
from buletin.inputs.content import Document, Edition, HeadlineSpec
from buletin.inputs.query import QueryError, period_field, row_statuses, select, value
from buletin.problems import Problem, Problems

OTHER = {"id": "Lainnya", "en": "Other"}


@dataclass
class Body:
    """A rendered body: HTML with one placeholder paragraph per figure, and the figures."""

    html: str
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Outcome:
    """What one composing step produced and touched."""

    value: Any
    problems: list[Problem]
    quoted: list[dict[str, Any]]
    accessed: set[str]


@dataclass(frozen=True)
class Headline:
    """A headline figure card: value, unit, and change against the previous period."""

    label: str
    value_text: str
    unit: str
    change_text: str  # e.g. "0,8%"; empty when there is no previous value
    direction: str  # up | down | flat | none
    compared_with: str  # e.g. "Oktober 2020"
    status: str = ""  # e.g. "sementara" where the rows carry a provisional/final status


class Composer:
    """Turns documents into HTML bodies with figures, collecting every problem."""

    def __init__(self, catalog: Catalog, locale: Locale, allow_raw_html: bool, problems: Problems,
                 cache: Cache = NO_CACHE):
        self.pending: list[tuple[str, Document, dict[str, Any], Body]] = []
        self.cache = cache
        self.catalog = catalog
        self.locale = locale
        self.problems = problems
        self.macros = MacroStage(catalog, locale, problems, self.lookup)
        self.markup = Markup(allow_raw_html, locale.text("table"))

    def _cached(self, kind: str, key: str) -> Any | None:
        """A cache entry whose datasets are all unchanged, its quoted figures recorded again; else None."""
        entry = self.cache.load(kind, key)
        if entry is not None and all(self.catalog.hashes.get(n) == h for n, h in entry["deps"].items()):
            self.macros.quoted.extend(entry["quoted"])
            return entry["value"]
        return None

    def _memo(self, kind: str, parts: tuple, compute: Callable[[], Any]) -> Any:
        """compute(), or its cached result when its text, context and every dataset it read are unchanged."""
        key = make_key(kind, self.locale.language, self.markup.allow_raw_html, *parts)
        found = self._cached(kind, key)
        if found is not None:
            return found
        outcome = self._compute(compute)
        self._keep(kind, key, outcome)
        return outcome.value

    def _compute(self, compute: Callable[[], Any]) -> Outcome:
        """Run a step, capturing what it adds: problems, quoted figures, datasets read."""
        quoted_from, problems_from = len(self.macros.quoted), len(self.problems)
        self.catalog.accessed.clear()
        value = compute()
        return Outcome(value, self.problems.items[problems_from:], self.macros.quoted[quoted_from:],
                       set(self.catalog.accessed))

    def lookup(self, kind: str, parts: tuple, compute: Callable[[], Any]) -> Any:
        """Within a body: compute(), or its cached result when every dataset it read is unchanged.

        So a body whose prose changed re-uses its figures and quoted values without reading the data. The
        datasets a result read count as read by the body too. Results that raised or reported problems
        are never kept: their errors come again, at their lines.
        """
        key = make_key(kind, self.locale.language, *parts)
        entry = self.cache.load(kind, key)
        if entry is not None and all(self.catalog.hashes.get(n) == h for n, h in entry["deps"].items()):
            self.catalog.accessed.update(entry["deps"])
            self.macros.quoted.extend(entry["quoted"])
            return entry["value"]
        outer, quoted_from, problems_from = set(self.catalog.accessed), len(self.macros.quoted), len(self.problems)
        self.catalog.accessed.clear()
        try:
            value = compute()
        finally:
            accessed = set(self.catalog.accessed)
            self.catalog.accessed |= outer
        if value is not None and len(self.problems) == problems_from:
            self.cache.store(kind, key, {"value": value, "deps": self.catalog.dependencies(accessed),
                                         "quoted": self.macros.quoted[quoted_from:]})
        return value

    def _keep(self, kind: str, key: str, outcome: Outcome) -> None:
        if not outcome.problems:
            self.cache.store(kind, key, {"value": outcome.value, "deps": self.catalog.dependencies(outcome.accessed),
                                         "quoted": outcome.quoted})

    def body(self, doc: Document, context: dict[str, Any]) -> Body:
        """Macros, then chart blocks, then Markdown; figures numbered from 1 in order of appearance.

        From the cache where possible; else an empty Body filled in by finish(), in parallel when there are many.
        Figures come without their SVG: drawing is a separate, cached and parallel step (drawing.py).
        """
        key = make_key("body", self.locale.language, self.markup.allow_raw_html, doc.source, doc.body,
                       doc.body_line, context)
        found = self._cached("body", key)
        if found is not None:
            return found
        body = Body("", [])
        self.pending.append((key, doc, context, body))
        return body

    def finish(self, jobs: int | None = None) -> None:
        """Compose every body body() could not take from the cache, and keep each in the cache."""
        pending, self.pending = self.pending, []
        outcomes = compose_many(self, [(doc, context) for _, doc, context, _ in pending], jobs)
        for (key, _, _, body), outcome in zip(pending, outcomes, strict=True):
            body.html, body.figures = outcome.value.html, outcome.value.figures
            for problem in outcome.problems:
                self.problems.add(problem.path, problem.line, problem.message, problem.location)
            self.macros.quoted.extend(outcome.quoted)
            self._keep("body", key, outcome)

    def _body(self, doc: Document, context: dict[str, Any]) -> Body:
        text, blocks = extract_charts(doc.body, doc.body_line)
        rendered = self.macros.render(text, doc.source, doc.body_line, context)
        figures = []
        for block in blocks:
            figure = self._figure(doc.source, block.text, block.first_line, context, len(figures) + 1)
            if figure is not None:
                figures.append(figure)
        if rendered is None or len(figures) != len(blocks):
            return Body("", [])
        spaced = PLACEHOLDER_LINE.sub(lambda m: f"\n{m.group(0)}\n", rendered)  # its own paragraph
        return Body(self.markup.convert(spaced), figures)

    def _figure(self, source: str, text: str, first_line: int, context: dict[str, Any],
                number: int) -> Figure | None:
        return self.lookup("figure", (source, text, context, number),
                           lambda: self._new_figure(source, text, first_line, context, number))

    def _new_figure(self, source: str, text: str, first_line: int, context: dict[str, Any],
                    number: int) -> Figure | None:
        spec, lines = parse_spec(text, source, first_line, self.problems,
                                 lambda value, line: self.macros.render(value, source, line, context))
        if spec is None:
            return None
        series = chart_data(spec, self.catalog, source, lines, self.problems, OTHER[self.locale.language])
        if series is None:
            return None
        return build_figure(spec, series, number, self.locale)

    def inline(self, text: str, source: str, line: int, context: dict[str, Any]) -> str:
        """A short text (a main point) through macros and Markdown, without the paragraph."""
        return self._memo("inline", (str(text), source, line, context), lambda: self._inline(text, source, line,
                                                                                              context))

    def _inline(self, text: str, source: str, line: int, context: dict[str, Any]) -> str:
        rendered = self.macros.render(str(text), source, line, context)
        if rendered is None:
            return ""
        html = self.markup.convert(rendered).strip()
        if html.startswith("<p>") and html.endswith("</p>"):
            html = html[3:-4]
        return sanitise(html, inline=True)

    def headlines(self, edition: Edition) -> list[Headline]:
        """The edition's `figures` cards, each with its change against the previous period."""
        parts = (edition.source, str(edition.period), repr(edition.info.figures), edition.key_lines.text)
        return self._memo("headlines", parts, lambda: self._headlines(edition))

    def _headlines(self, edition: Edition) -> list[Headline]:
        cards = []
        for index, spec in enumerate(edition.info.figures):
            card = self._headline(edition, spec, edition.line_of("figures", index)) if spec.data and spec.y else None
            if card:
                cards.append(card)
        return cards

    def _headline(self, edition: Edition, spec: HeadlineSpec, line: int | None) -> Headline | None:
        field_name = spec.period_field or self._period_field(spec.data)
        filters = dict(spec.filter)
        try:
            current = value(self.catalog, spec.data, spec.y, spec.agg, {**filters, field_name: str(edition.period)})
        except QueryError as exc:
            if not exc.follow_on:
                self.problems.add(edition.source, line, f"figures: {exc}")
            return None
        self.macros.quoted.append(quote_record(edition.source, spec.data, spec.y, spec.agg,
                                               {**filters, field_name: str(edition.period)}, current, spec.digits))
        previous_period = edition.period.previous()
        try:
            before = value(self.catalog, spec.data, spec.y, spec.agg, {**filters, field_name: str(previous_period)})
        except QueryError:
            before = math.nan
        card = self._card(spec, current, before, self.locale.period(previous_period))
        table = self.catalog.get(spec.data)
        statuses = row_statuses(table, select(table, {**filters, field_name: str(edition.period)}))
        return replace(card, status=", ".join(statuses))

    def _card(self, spec: HeadlineSpec, current: float, before: float, compared_with: str) -> Headline:
        field_spec = self.catalog.spec(spec.data).field(spec.y)
        label = spec.label or (field_spec.title if field_spec else spec.y)
        unit = spec.unit or (field_spec.unit if field_spec else "")
        shown = self.locale.number(current, spec.digits)
        if math.isnan(before) or before == 0:
            return Headline(label, shown, unit, "", "none", compared_with)
        change = (current - before) / abs(before) * 100
        rounded = round(change, 1)
        direction = "up" if rounded > 0 else "down" if rounded < 0 else "flat"
        return Headline(label, shown, unit, self.locale.percent(abs(change)), direction, compared_with)

    def _period_field(self, dataset: str) -> str:
        table = self.catalog.get(dataset)
        return (period_field(table) if table else None) or "periode"


MIN_FOR_POOL = 64  # bodies; with fewer, starting worker processes costs more than it saves


def compose_many(composer: Composer, items: list[tuple[Document, dict[str, Any]]], jobs: int | None) -> list[Outcome]:
    """Each (document, context) through the stages, in forked worker processes when there are many.

    Tables are read by the workers that need them: a body whose figures and values are all in the cache
    needs none, and pandas alone takes most of a second to import.
    """
    progress.say(f"composing {len(items)} documents", len(items))
    tasks = [lambda d=doc, c=context: composer._compute(lambda: composer._body(d, c)) for doc, context in items]
    return list(fork_map(tasks, jobs, MIN_FOR_POOL))
