"""What later data revised in a published edition: the datasets whose rows for its period changed, the figures
it quotes that changed with them (named as readers name them), and the day the change came in."""
from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, DecimalException
from pathlib import Path
from typing import Any

from buletin.i18n import Locale
from buletin.inputs import clock
from buletin.inputs.catalog import Catalog
from buletin.inputs.datapackage import ResourceSpec
from buletin.inputs.query import STATUS_FIELD, QueryError, period_field, value
from buletin.inputs.tables import Table, as_text, read_table
from buletin.periods import FREQUENCIES, period_or_none
from buletin.problems import Problems

HISTORY_LIMIT = 50  # commits of one data file looked at for when its rows for a period last changed
Rows = tuple[tuple[str, ...], list[tuple[str, ...]]]  # a table's columns and its rows for a period, sorted


@dataclass(frozen=True)
class RevisedFigure:
    """A figure an edition quotes, as published and as the current data give it."""

    description: str  # e.g. "Unit usaha, Kabupaten Konawe, November 2020"
    old: float
    new: float  # NaN when the current data no longer have the rows
    digits: int
    source: str  # the first file that quotes it
    dataset: str = ""
    sources: tuple[str, ...] = ()  # every file that quotes it

    @property
    def gone(self) -> bool:
        return math.isnan(self.new)

    @property
    def difference(self) -> float:
        """Current minus published, as the two read at their digits; NaN when either is missing."""
        return _shown(self.new, self.digits) - _shown(self.old, self.digits)

    @property
    def percent(self) -> float:
        """The difference in percent of the published figure; NaN when that cannot be said."""
        old = _shown(self.old, self.digits)
        if math.isnan(self.difference) or old == 0:
            return math.nan
        return self.difference / abs(old) * 100


def _shown(number: float, digits: int) -> float:
    """A number rounded as Locale.number shows it (half to even, from its shortest decimal form)."""
    if not math.isfinite(number):
        return number
    return float(Decimal(repr(number)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN))


@dataclass
class Revision:
    """How the current data differ from a published edition's snapshot, for its period."""

    datasets: list[str] = field(default_factory=list)  # resource names whose rows for the period changed
    figures: list[RevisedFigure] = field(default_factory=list)
    date: dt.date | None = None
    finalised: list[str] = field(default_factory=list)  # datasets whose rows changed in their `status` alone

    def __bool__(self) -> bool:
        return bool(self.datasets or self.figures or self.finalised)

    @property
    def changed(self) -> list[str]:
        """Every dataset whose rows for the period changed, their values or only their status."""
        return [*self.datasets, *self.finalised]

    def quoted_in(self, source: str) -> list[RevisedFigure]:
        """The revised figures that one file (an article) quotes."""
        return [figure for figure in self.figures if source in figure.sources]


def find_revision(frozen: Catalog, current: Catalog, period: str, quoted: list[dict[str, Any]], locale: Locale,
                  uses: Iterable[str] | None = None) -> Revision:
    """The edition's datasets (`uses`, default all) whose rows for `period` changed, and the figures it quotes
    that changed with them, as quoted (at their digits)."""
    names = sorted(frozen.names if uses is None else set(uses) & set(frozen.names))
    changes = {name: _change(frozen, current, name, period) for name in names}
    revision = Revision(datasets=[name for name in names if changes[name] == "values"],
                        finalised=[name for name in names if changes[name] == "status"])
    groups: dict[str, list[dict[str, Any]]] = {}
    for call in sorted(quoted, key=_reading_order):
        if call["data"] in revision.datasets:
            key = json.dumps([call["data"], call["column"], call["agg"], call["filters"]], sort_keys=True,
                             default=str)
            groups.setdefault(key, []).append(call)
    for calls in groups.values():
        figure = _revised(frozen, current, calls, locale)
        if figure is not None:
            revision.figures.append(figure)
    return revision


def _reading_order(call: dict[str, Any]) -> tuple[bool, str]:
    """The edition's own text first (body, main points, cards), then its articles by file name; a stable sort
    keeps each file's figures in the order it quotes them."""
    return not call["source"].endswith("/index.md"), call["source"]


def _revised(frozen: Catalog, current: Catalog, calls: list[dict[str, Any]], locale: Locale) -> RevisedFigure | None:
    """One quoted figure as it is now, when it reads differently in one of the places that quote it (each at
    its own digits); shown at the most digits among those."""
    call = calls[0]
    try:
        now = value(current, call["data"], call["column"], call["agg"], call["filters"])
    except QueryError:
        now = math.nan
    changed = [c for c in calls if not _same(c["value"], now, c.get("digits"), locale)]
    if not changed:
        return None
    places = [c.get("digits") for c in changed]
    natural = _natural_digits(call["value"], now) if None in places else 0
    shown = max([natural, *(d for d in places if isinstance(d, int))])
    sources = tuple(dict.fromkeys(c["source"] for c in changed))
    return RevisedFigure(describe(frozen, call, locale), call["value"], now, shown, sources[0], call["data"], sources)


def _same(old: float, new: float, digits: int | None, locale: Locale) -> bool:
    """Whether a figure reads the same: as quoted (at its digits), or exactly when it is not quoted as a number
    (the two terms of a change())."""
    if math.isnan(old) or math.isnan(new):
        return math.isnan(old) and math.isnan(new)
    if isinstance(digits, int):
        return locale.number(old, digits) == locale.number(new, digits)
    return math.isclose(old, new, rel_tol=1e-12, abs_tol=1e-9)


def _natural_digits(*numbers: float) -> int:
    """The fewest decimals (up to 4) that show every number as it is."""
    finite = [n for n in numbers if math.isfinite(n)]
    return next((d for d in range(4) if all(math.isclose(round(n, d), n, abs_tol=1e-9) for n in finite)), 4)


# ---------------------------------------------------------------- a figure in words


def describe(catalog: Catalog, call: dict[str, Any], locale: Locale) -> str:
    """A quoted figure as readers name it: the measure's title, then each filter by its label, the period last:
    "Unit usaha, Kabupaten Konawe, November 2020"."""
    table = catalog.get(call["data"])
    assert table is not None  # a revised dataset is one of the snapshot's usable tables (find_revision)
    column = table.spec.field(call["column"])
    name = column.title if column and column.title else call["column"]
    if call["agg"] != "sum":
        name = f"{name} ({locale.text('agg_' + call['agg'])})"
    timely = {f.name for f in table.spec.fields if f.type in ("yearmonth", "year", "date")} | {period_field(table)}
    filters = list(call["filters"].items())
    ordered = [item for item in filters if item[0] not in timely] + [item for item in filters if item[0] in timely]
    return ", ".join([name, *(_filter_text(catalog, table, key, wanted, locale) for key, wanted in ordered)])


def _filter_text(catalog: Catalog, table: Table, column: str, wanted: Any, locale: Locale) -> str:
    """One filter in words: a code by the label of the row it refers to, a period or date in words; any other
    value after its column's title ("Status angka tetap")."""
    labels = table.labels(column, catalog.get) or {}
    spec = table.spec.field(column)
    title = spec.title if spec and spec.title else column
    kind = spec.type if spec else "string"
    timely = column == period_field(table) or kind in ("yearmonth", "year", "date")

    def one(item: Any) -> tuple[str, bool]:  # the text, and whether it names itself
        text = as_text(item)
        if text in labels:
            return labels[text], True
        when = _time_text(text, kind, locale) if timely else None
        return (when, True) if when else (text, False)

    if isinstance(wanted, dict):
        low, high = (one(wanted[k])[0] if k in wanted else "" for k in ("min", "max"))
        bounds = f"{low}–{high}" if low and high else f"≥ {low}" if low else f"≤ {high}"
        return f"{title} {bounds}"
    items = [one(item) for item in (wanted if isinstance(wanted, (list, tuple)) else [wanted])]
    text = " + ".join(shown for shown, _ in items)
    return text if all(named for _, named in items) else f"{title} {text}"


def _time_text(text: str, kind: str, locale: Locale) -> str | None:
    """A period (2020-11, 2020-Q4, 2020) or a date in the site's language; None for other text."""
    if kind == "date":
        try:
            return locale.short_date(dt.date.fromisoformat(text))
        except ValueError:
            return None
    period = next((p for f in FREQUENCIES if (p := period_or_none(text, f))), None)
    return locale.period(period) if period else None  # a year out of range too: shown as written


# ---------------------------------------------------------------- which rows changed, and when


def _change(frozen: Catalog, current: Catalog, name: str, period: str) -> str | None:
    """How a dataset's rows for the period differ between the snapshot and the current data: "values", only
    "status" (provisional figures made final, which revises no figure), or None."""
    if frozen.hashes.get(name) == current.hashes.get(name) or current.spec(name) is None:
        return None  # same bytes, same declaration: nothing revised, nothing to read
    old, new = frozen.get(name), current.get(name)
    if old is None or new is None:
        return None
    column = period_field(old)
    if not _revised_rows(period_rows(old, column, period), period_rows(new, column, period), column is None):
        return None
    if not _revised_rows(period_rows(old, column, period, STATUS_FIELD),
                         period_rows(new, column, period, STATUS_FIELD), column is None):
        return "status"
    return "values"


def _revised_rows(before: Rows, after: Rows, periodless: bool) -> bool:
    """Whether rows the snapshot had are changed or gone. In a dataset without periods, rows added since are
    new facts (a training held later), not a revision of what the edition saw."""
    if before[0] != after[0] or not periodless:
        return before != after
    return bool(Counter(before[1]) - Counter(after[1]))


def period_rows(table: Table, column: str | None, period: str, leaving_out: str | None = None) -> Rows:
    """A table's columns and its rows for the period (every row when it has no period column), sorted, numbers
    by value (Excel saves 5502.0 as 5502); without the column `leaving_out` when given."""
    frame = table.frame
    if column and column in frame.columns:
        frame = frame[frame[column] == period]
    if leaving_out and leaving_out in frame.columns:
        frame = frame.drop(columns=[leaving_out])
    numeric = {f.name for f in table.spec.fields if f.type in ("integer", "number")}
    frame = frame.apply(lambda cells: cells.map(_as_number) if cells.name in numeric else cells)
    return tuple(frame.columns), sorted(map(tuple, frame.to_numpy()))


def _as_number(text: str) -> str:
    """A number cell's text by its value: 5502.0, 5502 and 5.502e3 alike."""
    try:
        return str(Decimal(text).normalize()) if text else text
    except DecimalException:  # not a number, or one past Decimal's range (1e1000000)
        return text


class DataHistory:
    """The site's data files as their commits hold them, each read once per build."""

    def __init__(self, site_root: Path):
        self.site_root = site_root
        self._tables: dict[tuple[str, str], Table | None] = {}

    def table_at(self, commit: str, spec: ResourceSpec) -> Table | None:
        """A dataset's file as a commit holds it, read with its current declaration; None when it cannot be."""
        key = (commit, spec.path)
        if key not in self._tables:
            self._tables[key] = _read_at(self.site_root, commit, spec)
        return self._tables[key]

    def changed_on(self, frozen: Catalog, current: Catalog, name: str, period: str,
                   zone: dt.tzinfo) -> dt.date | None:
        """The day of the commit that gave the dataset its current rows for the period; None when its file has
        uncommitted changes, is not in git, or has no commit."""
        spec, old, new = current.spec(name), frozen.get(name), current.get(name)
        if spec is None or old is None or new is None or clock.uncommitted(self.site_root, spec.path) is not False:
            return None
        column = period_field(old)
        rows = period_rows(new, column, period)
        history = clock.file_history(self.site_root, spec.path, HISTORY_LIMIT)
        came_in = None
        for commit, seconds in history:  # newest first, back to the first commit whose rows differ
            then = self.table_at(commit, spec)  # (without periods: rows added since are no difference)
            if then is None or _revised_rows(period_rows(then, column, period), rows, column is None):
                break
            came_in = seconds
        if came_in is None and history:
            came_in = history[0][1]  # clean, yet its last commit reads otherwise (line endings, git filters)
        return dt.datetime.fromtimestamp(came_in, tz=dt.timezone.utc).astimezone(zone).date() if came_in else None


def revision_date(history: DataHistory, frozen: Catalog, current: Catalog, period: str, names: list[str],
                  today: dt.date, zone: dt.tzinfo) -> dt.date:
    """When the revision came in: the latest day one of the revised datasets took its current rows for the
    period. A data file with uncommitted changes, outside git or without history, was revised `today`."""
    return max((history.changed_on(frozen, current, name, period, zone) or today for name in names),
               default=today)


def _read_at(site_root: Path, commit: str, spec: ResourceSpec) -> Table | None:
    data = clock.file_at(site_root, commit, spec.path)
    if data is None:
        return None
    with tempfile.TemporaryDirectory(prefix="buletin-history-") as folder:
        path = Path(folder) / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return read_table(Path(folder), spec, Problems())
