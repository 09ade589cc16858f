"""Filter and aggregate: the one definition shared by `value()` and chart blocks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from buletin.inputs.catalog import LIVE_DATA, Catalog
from buletin.inputs.datapackage import FieldSpec
from buletin.inputs.tables import Table, as_text
from buletin.messages import N_, _, number
from buletin.problems import did_you_mean, nearest

if TYPE_CHECKING:
    import pandas as pd

AGGREGATES = ("sum", "mean", "count", "min", "max")
STATUS_FIELD = "status"
CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"  # a word processor's, never a YAML or macro quote
LARGEST = 1e300  # beyond it, a chart's axis overflows (matplotlib adds margins) and a sum may be infinite
_KINDS = {"string": N_("text"), "date": N_("dates"), "yearmonth": N_("months"), "boolean": N_("true or false")}


class QueryError(ValueError):
    """A query that cannot be answered; `key` names the argument at fault (data, y, filter, ...)."""

    def __init__(self, message: str, key: str = "data", follow_on: bool = False, column: str | None = None,
                 unquoted: bool = False, wanted: Any = None):
        super().__init__(message)
        self.key = key
        self.column = column  # with key "filter": the filter that matched nothing
        self.wanted = wanted  # and the value of it that no row has
        self.also: list[QueryError] = []  # the other arguments at fault, each said at its own key (argument_errors)
        self.follow_on = follow_on  # caused by an error reported elsewhere (an unreadable dataset): not repeated
        self.unquoted = unquoted  # the filter is a number where the column holds periods: 2020-11 written bare?


def period_field(table: Table) -> str | None:
    """The column holding a row's period: `periode`, else the first yearmonth or year field."""
    names = table.spec.field_names
    if "periode" in names:
        return "periode"
    return next((f.name for f in table.spec.fields if f.type in ("yearmonth", "year")), None)


def table_for(catalog: Catalog, name: str) -> Table:
    table = catalog.get(str(name))
    if table is None and catalog.is_broken(str(name)):
        raise QueryError(_("the dataset `{name}` could not be read: correct its own error first").format(name=name),
                         "data", follow_on=True)
    if table is None and catalog.package.source != f"{LIVE_DATA}/datapackage.yaml":  # a published edition's snapshot
        raise QueryError(_("there is no dataset `{name}` in {file}: a published edition reads the data it was "
                           "published with, under the names they had then").format(
                               name=name, file=catalog.package.source) + did_you_mean(str(name), catalog.names), "data")
    if table is None:
        raise QueryError(_("there is no dataset `{name}` in data/datapackage.yaml").format(name=name)
                         + did_you_mean(str(name), catalog.names), "data")
    return table


_MACRO_OPTIONS = ("agg", "digits", "compare")  # what value() and change() take besides filters


def check_column(table: Table, column: str, key: str, numeric: bool = False) -> None:
    """Raise QueryError unless `column` exists (and holds numbers when `numeric`)."""
    spec = table.spec.field(str(column))
    if spec is None:
        option = nearest(str(column), _MACRO_OPTIONS) if key == "filter" else None
        if option and nearest(str(column), table.spec.field_names) is None:  # value(..., digit=1): not a filter
            hint = " " + _("(did you mean the option `{name}`?)").format(name=option)
        else:
            hint = did_you_mean(str(column), table.spec.field_names)
        raise QueryError(_("the dataset `{dataset}` has no column `{column}`").format(
            dataset=table.spec.name, column=column) + hint, key)
    if numeric and not spec.is_numeric:
        raise QueryError(_("the column `{column}` of `{dataset}` holds {kind}, not numbers: choose a column of "
                           "numbers, or write agg=\"count\" to count its values").format(
                               column=column, dataset=table.spec.name, kind=_(_KINDS.get(spec.type, "text"))), key)


def _checked_field(table: Table, column: str) -> FieldSpec:
    """The declaration of a column that check_column has found."""
    spec = table.spec.field(column)
    assert spec is not None, f"column `{column}` is checked first"
    return spec


def check_agg(agg: str) -> None:
    if agg not in AGGREGATES:
        raise QueryError(_("`agg` cannot be `{agg}`").format(agg=agg) + did_you_mean(str(agg), AGGREGATES), "agg")


def select(table: Table, filters: dict[str, Any]) -> pd.Series:
    """A boolean mask of the rows whose cells equal every filter value as written in the data."""
    frame = table.frame
    mask = frame.index == frame.index  # all true
    for column, wanted in filters.items():
        check_column(table, column, "filter")
        if isinstance(wanted, dict):
            mask = mask & _in_range(table, column, wanted)
        elif isinstance(wanted, (list, tuple)):
            texts = [as_text(w) for w in wanted]
            absent = table.absent(column, texts)
            if absent and len(absent) < len(texts):  # none at all: no_rows() says which filter left no row
                # one value of the list misspelt would drop its rows from a sum without a word
                found = sorted(set(table.frame[column]) - {""})
                raise QueryError(_no_row(table.spec.name, column, absent[0], {}, found), "filter",
                                 column=column, wanted=absent[0])
            mask = mask & table.matching(column, texts)
        else:
            mask = mask & table.matching(column, [as_text(wanted)])
    return mask


def _in_range(table: Table, column: str, bounds: dict[str, Any]):
    """Rows whose value lies within {min, max} (inclusive): numbers by value, periods and dates as text."""
    unknown = set(bounds) - {"min", "max"}
    if unknown or not bounds:
        raise QueryError(_("a range filter on `{column}` takes `min` and `max` (one or both), not {keys}").format(
            column=column, keys=", ".join(sorted(unknown)) or "{}"), "filter")
    numeric = _checked_field(table, column).type in ("integer", "number", "year")
    values = table.numeric(column) if numeric else table.frame[column]
    mask = (table.frame[column] != "").to_numpy()
    for key, compare in (("min", "ge"), ("max", "le")):
        if key in bounds:
            limit = float(bounds[key]) if numeric else as_text(bounds[key])
            mask = mask & getattr(values, compare)(limit).to_numpy()
    return mask


def no_rows(table: Table, filters: dict[str, Any]) -> QueryError:
    """Which filter left no row, and the values its column has among the rows the filters before it kept."""
    dataset = table.spec.name
    if not filters:
        return QueryError(_("the dataset `{dataset}` has no rows: fill in its file").format(dataset=dataset), "filter")
    mask = table.frame.index == table.frame.index
    applied: dict[str, Any] = {}
    for column, wanted in filters.items():
        narrower = mask & select(table, {column: wanted})
        if not narrower.any():
            found = sorted(set(table.frame[column][mask]) - {""})
            message = _no_row(dataset, column, wanted, applied, found)
            if isinstance(wanted, str) and set(wanted[:1] + wanted[-1:]) & set(CURLY_QUOTES):
                message += _(" (the value is in a word processor's curly quotes, “ ”: write straight quotes, \" or "
                             "')")
            # a macro's `periode=2020-11` is 2009: the macro, which has the line, says what was meant
            unquoted = isinstance(wanted, int) and not isinstance(wanted, bool) and any("-" in v for v in found)
            return QueryError(message, "filter", column=column, unquoted=unquoted, wanted=wanted)
        mask = narrower
        applied[column] = wanted
    return QueryError(_("no row of `{dataset}` matches {filters}").format(dataset=dataset,
                                                                         filters=_describe(filters)), "filter")


def _rows(table: Table, filters: dict[str, Any], catalog: Catalog):
    """The mask of the rows `filters` keep; QueryError when none is left, saying which filter left none."""
    try:
        mask = select(table, filters)
        if not mask.any():
            raise no_rows(table, filters)
    except QueryError as exc:
        if exc.column in catalog.faulty.get(table.spec.name, ()):  # `2020-11-01` for 2020-11: said at the data
            raise QueryError(str(exc), "filter", follow_on=True, column=exc.column) from None
        raise _named_by_its_label(exc, table, catalog) from None
    return mask


def _named_by_its_label(exc: QueryError, table: Table, catalog: Catalog) -> QueryError:
    """A filter value that is the name of a code in a column of codes (`kode_wilayah="Kendari"`): say its code."""
    if exc.column is None or not isinstance(exc.wanted, str):
        return exc
    labels = table.labels(exc.column, catalog.get) or {}
    wanted = exc.wanted.strip().casefold()
    codes = [code for code, label in labels.items()
             if wanted and (str(label).casefold() == wanted or str(label).casefold().endswith(f" {wanted}"))]
    if len(codes) != 1:
        return exc
    return QueryError(str(exc) + " " + _("(`{value}` is the name of {code}: filter by its code, {column}=\"{code}\")")
                      .format(value=exc.wanted, code=codes[0], column=exc.column), "filter", column=exc.column,
                      wanted=exc.wanted)


def _no_row(dataset: str, column: str, wanted: Any, applied: dict[str, Any], found: list[str]) -> str:
    """No row has the value a filter wants: the values the column does have, among the rows kept so far."""
    shown = ", ".join(found)
    if len(found) > 8:  # the first and the last: a period asked for is most often a recent one
        shown = ", ".join([*found[:3], "…", *found[-4:]]) + " " + _("({count} values)").format(count=number(len(found)))
    values = {"dataset": dataset, "column": column, "wanted": _shown(wanted), "others": _describe(applied),
              "found": shown}
    if not found:
        return _("no row of `{dataset}` has {column}={wanted}, and {column} has no values at all").format(**values)
    if applied:
        message = _("no row of `{dataset}` has {column}={wanted} among the rows with {others}; there {column} has: "
                    "{found}").format(**values)
    else:
        message = _("no row of `{dataset}` has {column}={wanted}; {column} has: {found}").format(**values)
    return message + _after_the_last(as_text(wanted), found)


_PERIODS = (re.compile(r"\d{4}-\d{2}"), re.compile(r"\d{4}-Q[1-4]"))  # months, quarters (a year looks like a code)


def _after_the_last(wanted: str, found: list[str]) -> str:
    """A period after the column's last (a typo, or a month whose data are not in yet), or the nearest value."""
    if any(kind.fullmatch(wanted) and kind.fullmatch(found[-1]) for kind in _PERIODS) and wanted > found[-1]:
        return " " + _("(the data end at {last}: correct the value, or add its rows to the data)").format(
            last=found[-1])
    guess = nearest(wanted, found)
    return " " + _("(did you mean `{name}`?)").format(name=guess) if guess and guess != wanted else ""


def _shown(wanted: Any) -> str:
    return repr(wanted) if isinstance(wanted, dict) else repr(as_text(wanted))


def _describe(filters: dict[str, Any]) -> str:
    return ", ".join(f"{k}={as_text(v)!r}" for k, v in filters.items())


def reduce(table: Table, column: str, agg: str, mask) -> float:
    """Aggregate one column over the selected rows."""
    if agg == "count":
        return float((table.frame[column][mask] != "").sum())
    values = table.numeric(column)[mask].dropna()
    if values.empty:
        return float("nan")
    import numpy as np

    with np.errstate(over="ignore"):  # an overflow is reported as an error of the query, below
        return _shown_size(float(getattr(values, agg)()), column, agg)


def _shown_size(result: float, column: str, agg: str) -> float:
    """`result`, or QueryError when it is too large to print or to draw (a sum of huge cells overflows)."""
    if abs(result) > LARGEST:  # NaN (no value) passes
        raise QueryError(_("`{column}` with agg=\"{agg}\" gives a number too large to show (beyond 10^300): check "
                           "the data for a number typed with extra digits").format(agg=agg, column=column), "y")
    return result


def value(catalog: Catalog, dataset: str, column: str, agg: str = "sum",
          filters: dict[str, Any] | None = None) -> float:
    """The aggregate of `column` over the rows matching `filters`; errors for unknown names or no rows."""
    filters = filters or {}
    check_agg(agg)
    table = table_for(catalog, dataset)
    check_column(table, column, "y", numeric=agg != "count")
    return reduce(table, column, agg, _rows(table, filters, catalog))


@dataclass(frozen=True)
class Series:
    """Aggregated chart data: one row per x value, one column per y or per `by` value."""

    x: str
    x_values: list[str]
    labels: list[str] | None  # the foreign-key label beside each x code, when there is one
    columns: list[str]  # series names (y columns, or `by` values)
    column_labels: list[str]  # how the series are shown in legends
    values: list[list[float]]  # values[i][j]: x_values[i], columns[j]
    statuses: tuple[str, ...] = ()  # the rows' `status` values (e.g. sementara, tetap), where the data have one


def argument_errors(table: Table, x: str, ys: list[str], by: str | None = None, agg: str = "sum",
                    filters: dict[str, Any] | None = None) -> list[QueryError]:
    """Each column named that the table lacks (or a `y` without numbers): a chart with three misspelt keys is told
    of the three at once, each at its line."""
    found = []
    named = [(x, "x", False), *((y, "y", agg != "count") for y in ys), *([(by, "by", False)] if by else []),
             *((column, "filter", False) for column in filters or {})]
    for column, key, numeric in named:
        try:
            check_column(table, column, key, numeric=numeric)
        except QueryError as exc:
            exc.column = column if key == "filter" else None
            found.append(exc)
    return found


def grouped(catalog: Catalog, dataset: str, x: str, ys: list[str], by: str | None = None,
            agg: str = "sum", filters: dict[str, Any] | None = None, sort: str = "none",
            top: int | None = None) -> Series:
    """Group the matching rows by x (and by), aggregate each y; then sort and cut to `top`."""
    filters = filters or {}
    check_agg(agg)
    table = table_for(catalog, dataset)
    faults = argument_errors(table, x, ys, by, agg, filters)
    if faults:  # the first raised, the others with it
        faults[0].also = faults[1:]
        raise faults[0]
    if by and len(ys) != 1:
        raise QueryError(_("with `by`, give exactly one `y` column"), "by")
    mask = _rows(table, filters, catalog)
    import numpy as np

    frame = _numeric_frame(table, x, ys, by, agg, mask)
    with np.errstate(over="ignore"):  # an overflow is reported as an error of the query, below
        # A group without a value is no value (NaN: an empty cell in the CSV, "–" in the table), not 0 as
        # pandas' sum gives; a `by` series with no value at all is left out.
        if by:
            wide = _aggregated(frame.groupby([x, _BY], sort=True)[ys[0]], agg).unstack(_BY).dropna(axis=1, how="all")
        else:
            wide = _aggregated(frame.groupby(x, sort=True)[ys], agg)
    if by:
        columns = [str(c) for c in wide.columns]
        by_labels = table.labels(by, catalog.get) or {}
        column_labels = [by_labels.get(c, c) for c in columns]
    else:
        columns = list(ys)
        column_labels = [_checked_field(table, y).title or y for y in ys]
    if _checked_field(table, x).is_numeric or _checked_field(table, x).type == "year":  # 2 before 10, as numbers go
        wide = wide.loc[sorted(wide.index, key=lambda v: (float(v) if v != "" else float("inf"), v))]
    wide = _order(wide, sort, top, by_total=bool(by))
    x_values = [str(v) for v in wide.index]
    x_labels = table.labels(x, catalog.get)
    labels = [x_labels.get(v, v) for v in x_values] if x_labels else None
    rows = [[float(v) for v in row] for row in wide.to_numpy()]
    for row in rows:
        for cell, y in zip(row, ys * len(row) if by else ys, strict=True):  # with `by`, all columns are ys[0]'s
            _shown_size(cell, y, agg)
    return Series(x, x_values, labels, columns, column_labels, rows, row_statuses(table, mask))


_BY = "\0by"  # the `by` column's name while grouping (no column of a data file can have it)


def _aggregated(groups: Any, agg: str) -> Any:
    return groups.sum(min_count=1) if agg == "sum" else groups.agg(agg)


def row_statuses(table: Table, mask) -> tuple[str, ...]:
    """The distinct values of a `status` column (provisional/final) over the selected rows."""
    if table.spec.field(STATUS_FIELD) is None:
        return ()
    return tuple(sorted(set(table.frame[STATUS_FIELD][mask]) - {""}))


def _numeric_frame(table: Table, x: str, ys: list[str], by: str | None, agg: str, mask) -> pd.DataFrame:
    import pandas as pd

    data = {x: table.frame[x][mask]}
    if by:
        data[_BY] = table.frame[by][mask]  # under a name of its own: `by` may be the x column itself
    for y in ys:
        if agg == "count":
            data[y] = table.frame[y][mask].replace("", None)
        else:
            data[y] = table.numeric(y)[mask]
    return pd.DataFrame(data)


def _order(wide: pd.DataFrame, sort: str, top: int | None, by_total: bool) -> pd.DataFrame:
    """Sort by the first y (or, with `by`, by the total over the series), then keep the first `top`."""
    if sort in ("asc", "desc"):
        key = wide.sum(axis=1) if by_total else wide.iloc[:, 0]
        wide = wide.loc[key.sort_values(ascending=sort == "asc", kind="stable").index]
    if top:
        wide = wide.iloc[: int(top)]
    return wide
