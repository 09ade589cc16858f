"""A document's body through the stages: macros, chart blocks, Markdown; and an edition's headlines."""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from buletin.build.state import BuildState, make_key
from buletin.compose.charts import Figure, build_figure, chart_notes
from buletin.compose.chartspec import chart_data, parse_spec
from buletin.compose.limits import TooMuchWork
from buletin.compose.macros import PLACEHOLDER_LINE, MacroStage, extract_charts, quote_record
from buletin.compose.markup import PRINTED, PRINTED_END, RESERVED_WORD, Markup, sanitise
from buletin.i18n import Locale
from buletin.inputs.catalog import Catalog, open_catalog
from buletin.inputs.content import Document, Edition
from buletin.inputs.frontmatter import HeadlineSpec
from buletin.inputs.query import QueryError, period_field, row_statuses, select, value
from buletin.messages import _
from buletin.problems import Problem, Problems

MIN_FOR_POOL = 48  # bodies; with fewer, worker processes cost more than they save
_PRINTED_RESERVED_WORD = re.compile(f"{PRINTED}[^{PRINTED_END}]*{RESERVED_WORD}")  # in what `{{ }}` printed


@dataclass(frozen=True)
class Body:
    """A composed body: HTML with one placeholder paragraph per figure, and the figures."""

    html: str
    figures: tuple[Figure, ...] = ()


def lead_figure(bodies: Iterable[Body]) -> Figure | None:
    """An edition's lead chart, which the home page shows and its sharing card draws: the first chart (not a
    table) of its own body or, failing that, of its articles' in order."""
    return next((f for body in bodies for f in body.figures if not f.is_table), None)


@dataclass
class Outcome:
    """What one composing step produced and read."""

    value: Any
    problems: list[Problem]
    quoted: list[dict[str, Any]]
    accessed: set[str]  # the datasets it read
    uses: list[tuple[str, str]] = field(default_factory=list)  # the artifacts it took from the state (kind, key)


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


@dataclass(frozen=True)
class Setting:
    """Everything a Composer is made from, so that a worker process makes the same one."""

    site_root: Path
    data_dir: str  # data, or data/releases/PERIOD for a published edition
    hashes: tuple[tuple[str, str], ...]  # the datasets as the build validated them: (name, sha256)
    language: str
    allow_raw_html: bool
    state_root: Path | None
    read_only: bool


class Composer:
    """Turns documents into bodies with figures, collecting every problem and every figure quoted."""

    def __init__(self, setting: Setting, catalog: Catalog, problems: Problems, state: BuildState):
        self.setting = setting
        self.state = state
        self.catalog = catalog
        self.locale = Locale(setting.language)
        self.problems = problems
        self.macros = MacroStage(catalog, self.locale, problems, self.artifact)
        self.markup = Markup(setting.allow_raw_html, self.locale.text("table"))
        self.uses: list[tuple[str, str]] = []  # artifacts taken from the state by the step under way

    @classmethod
    def in_worker(cls, setting: Setting) -> Composer:
        """The composer of `setting` in a worker: its catalog was validated by the build, not again here."""
        catalog = open_catalog(setting.site_root, setting.data_dir, dict(setting.hashes))
        return cls(setting, catalog, Problems(), BuildState(setting.state_root, setting.read_only))

    def artifact(self, kind: str, parts: tuple, compute: Callable[[], Any]) -> Any:
        """compute(), or what it gave before when its key (`parts`, the language, the versions) and every
        dataset it read are unchanged (the build state's one rule). The datasets it read count as read by the
        step that asked for it; a result that reported problems is never kept, so they come again."""
        key = make_key(kind, self.locale.language, self.markup.allow_raw_html, *parts)
        found = self.state.recall(kind, key, self.catalog.hashes)
        self.uses.append((kind, key))
        if found is not None:
            self.catalog.accessed.update(found["datasets"])
            self.macros.quoted.extend(found["quoted"])
            self.state.touch(found["uses"])  # what it was made from stays in the state as long as it does
            return found["value"]
        outcome = self.capture(compute)
        self.keep(kind, key, outcome)
        return outcome.value

    def capture(self, compute: Callable[[], Any]) -> Outcome:
        """Run a step, capturing what it adds: problems, quoted figures, datasets read (also counted as read
        by the step around it)."""
        outer, quoted_from, problems_from = set(self.catalog.accessed), len(self.macros.quoted), self.problems.mark()
        outer_uses, self.uses = self.uses, []
        self.catalog.accessed.clear()
        try:
            value = compute()
        finally:
            accessed, uses = set(self.catalog.accessed), self.uses
            self.catalog.accessed |= outer
            self.uses = outer_uses + uses
        return Outcome(value, self.problems.since(problems_from), self.macros.quoted[quoted_from:], accessed, uses)

    def keep(self, kind: str, key: str, outcome: Outcome) -> None:
        if not outcome.problems and outcome.value is not None:
            self.state.keep(kind, key, {"value": outcome.value, "quoted": outcome.quoted,
                                        "datasets": sorted(outcome.accessed), "uses": outcome.uses},
                            reads=self.catalog.dependencies(outcome.accessed))

    def body_key(self, doc: Document, context: dict[str, Any]) -> str:
        # The file by the digest of its text, which its front matter (`page`, unless the context gives another)
        # is parsed from: a key's JSON of a whole article costs more than hashing it.
        text = hashlib.sha256(f"{doc.key_lines.text}\0{doc.body}".encode("utf-8", "surrogatepass")).hexdigest()
        rest = {name: value for name, value in context.items() if not (name == "page" and value is doc.meta)}
        return make_key("body", self.locale.language, self.markup.allow_raw_html, doc.source, text,
                        doc.body_line, rest)

    def kept_bodies(self, slots: list[tuple[Document, dict[str, Any]]]) -> list[Body | None]:
        """kept_body() for each document and its context, their entries read from the build state at once."""
        keys = [self.body_key(doc, context) for doc, context in slots]
        self.state.prefetch("body", keys)
        return [self.kept_body(doc, context, key) for (doc, context), key in zip(slots, keys, strict=True)]

    def kept_body(self, doc: Document, context: dict[str, Any], key: str | None = None) -> Body | None:
        """The body as a build made it before, when nothing it read changed (`key`: its body_key, if known)."""
        found = self.state.recall("body", key or self.body_key(doc, context), self.catalog.hashes)
        if found is None:
            return None
        self.macros.quoted.extend(found["quoted"])
        self.state.touch(found["uses"])
        return found["value"]

    def take(self, doc: Document, context: dict[str, Any], outcome: Outcome) -> Body:
        """A body composed (here or in a worker): its problems and quoted figures join this composer's."""
        for problem in outcome.problems:
            self.problems.add(problem.path, problem.line, problem.message, problem.location)
        self.macros.quoted.extend(outcome.quoted)
        self.keep("body", self.body_key(doc, context), outcome)
        return outcome.value

    def compose(self, doc: Document, context: dict[str, Any]) -> Outcome:
        """Macros, then chart blocks, then Markdown; figures numbered from 1 in order of appearance."""
        return self.capture(lambda: self._body(doc, context))

    def _body(self, doc: Document, context: dict[str, Any]) -> Body:
        text, blocks = extract_charts(doc.body, doc.body_line)
        rendered = self.macros.render(text, doc.source, doc.body_line, context)
        if rendered is not None and not self._placeholders_own(doc, rendered):
            return Body("", ())
        figures: list[Figure] = []
        for block in blocks:
            if block.runs_to is not None:
                self.problems.add(doc.source, block.first_line - 1, _(
                    "this chart block is not closed: end it with a line of ``` after its last setting (without it, "
                    "the lines down to line {line} are read as the chart's settings)").format(line=block.runs_to))
                continue
            figure = self._figure(doc.source, block.text, block.first_line, context, len(figures) + 1)
            if figure is not None:
                figures.append(figure)
        if rendered is None or len(figures) != len(blocks):
            return Body("", ())
        spaced = PLACEHOLDER_LINE.sub(lambda m: f"\n{m.group(0)}\n", rendered)  # its own paragraph
        try:
            return Body(self.markup.convert(spaced), tuple(figures))
        except TooMuchWork as exc:
            self.problems.add(doc.source, doc.body_line, str(exc))
            return Body("", ())

    def _placeholders_own(self, doc: Document, rendered: str) -> bool:
        """Whether the word that marks where a chart block's figure goes appears only where one does: written in
        a text or printed by `{{ }}`, it put a figure's HTML anywhere, inside a link's address too."""
        written = [n for n, line in enumerate(doc.body.split("\n"), start=doc.body_line) if RESERVED_WORD in line] \
            if RESERVED_WORD in doc.body else []  # the whole text first: most bodies never hold it
        for line in written:
            self.problems.add(doc.source, line, _("`{word}` is a word buletin keeps for placing figures: write it "
                                                  "otherwise, e.g. `{spaced}`").format(word=RESERVED_WORD,
                                                                                      spaced="BULETIN FIGURE"))
        if not written and _PRINTED_RESERVED_WORD.search(rendered):
            self.problems.add(doc.source, doc.body_line, _("a value printed by {code} holds `{word}`, a word buletin "
                                                           "keeps for placing figures: correct the data").format(
                                                               code="{{ }}", word=RESERVED_WORD))
            return False
        return not written

    def _figure(self, source: str, text: str, first_line: int, context: dict[str, Any],
                number: int) -> Figure | None:
        return self.artifact("figure", (source, text, context, number),
                             lambda: self._new_figure(source, text, first_line, context, number))

    def _new_figure(self, source: str, text: str, first_line: int, context: dict[str, Any],
                    number: int) -> Figure | None:
        spec, lines = parse_spec(text, source, first_line, self.problems,
                                 lambda value, line: self.macros.render(value, source, line, context))
        if spec is None:
            return None
        series = chart_data(spec, self.catalog, source, lines, self.problems, self.locale.text("other"))
        if series is None:
            return None
        resource = self.catalog.spec(spec.data)
        column = resource.field(spec.x) if resource else None
        return build_figure(spec, series, number, self.locale, resource.sources if resource else (),
                            column.title if column else "", chart_notes(self.catalog, spec, series, self.locale))

    def inline(self, text: str, source: str, line: int, context: dict[str, Any]) -> str:
        """A short text (a main point) through macros and Markdown, without the paragraph."""
        return self.artifact("inline", (str(text), source, line, context),
                             lambda: self._inline(text, source, line, context))

    def _inline(self, text: str, source: str, line: int, context: dict[str, Any]) -> str:
        rendered = self.macros.render(str(text), source, line, context)
        if rendered is None:
            return ""
        try:
            html = self.markup.convert(rendered).strip()
        except TooMuchWork as exc:
            self.problems.add(source, line, str(exc))
            return ""
        if html.startswith("<p>") and html.endswith("</p>"):
            html = html[3:-4]
        return sanitise(html, inline=True)

    def headlines(self, edition: Edition) -> list[Headline]:
        """The edition's `figures` cards, each with its change against the previous period."""
        parts = (edition.source, str(edition.period), repr(edition.info.figures), edition.key_lines.text)
        return self.artifact("headlines", parts, lambda: self._headlines(edition))

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
        assert table is not None  # value() above has read it
        statuses = row_statuses(table, select(table, {**filters, field_name: str(edition.period)}))
        return replace(card, status=", ".join(statuses))

    def _card(self, spec: HeadlineSpec, current: float, before: float, compared_with: str) -> Headline:
        resource = self.catalog.spec(spec.data)
        assert resource is not None  # its value was found (_headline)
        field_spec = resource.field(spec.y)
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


@lru_cache(maxsize=8)
def _worker_composer(setting: Setting) -> Composer:
    return Composer.in_worker(setting)


def compose_task(item: tuple[Setting, Document, dict[str, Any]]) -> Outcome:
    """A worker's task: one document through the stages, with the composer of its setting."""
    setting, doc, context = item
    return _worker_composer(setting).compose(doc, context)
