"""The plausibility gate: a value that changed more than its column allows since the previous period is a
warning, with the slip that most likely caused it.

A numeric field may declare `checks: {max_change: 0.5}`; each of its values is compared with the value of
the same row (the primary key without the period column) in the previous period. The usual slips of data
entry change a value by far more than any real month does: a thousands dot typed in a decimal number
(5.522 for 5522,2 reads as 5,522), a figure typed in thousands, a digit lost or doubled, an unknown value
typed as 0. A value that is right after all is vouched for in data/catatan.yaml (inputs/notes.py).

Run once per version of a dataset, with its validation (inputs/catalog.py): the warnings are kept in the
build state with it, so a build that reads no table still reports them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from buletin.i18n import Locale
from buletin.inputs.cellslips import cell, labelled_total, percent_figure, totals_message
from buletin.inputs.datapackage import FieldSpec
from buletin.inputs.validation import cell_location
from buletin.messages import N_, _, _n, number
from buletin.periods import FREQUENCIES, Period, period_days, period_or_none
from buletin.problems import Problem, one_line

if TYPE_CHECKING:
    from buletin.inputs.tables import Table

_ROUNDING = 1e-9
MAX_PER_COLUMN = 10  # warnings per column, then one line for the rest (a month typed in thousands is one slip)
_FREQUENCY = {"yearmonth": "monthly", "year": "yearly"}
_EARLIER = {"monthly": N_("a month earlier"), "quarterly": N_("a quarter earlier"), "yearly": N_("a year earlier")}
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
_MINUS = "\u2212"
# A slip fits when undoing it gives a value within the allowed change (at most this share).
_FIT = 0.5
_SLIPS = ((1e-3, N_("the figure typed in thousands?")),
          (1e3, N_("a decimal point lost, or three zeros too many?")),
          (0.1, N_("a digit missing?")),
          (10.0, N_("a digit doubled, or a zero too many?")))


class Finding(NamedTuple):
    """A plausibility warning with the period of its row (publish refuses an edition whose period has any)."""

    period: str  # as the data write it: 2020-11
    problem: Problem


def parse_period(text: str, kind: str) -> Period | None:
    """A period cell as a Period: a yearmonth or year column by its type, a text column by its form
    (2020-Q4, 2020-11, 2020); None for a cell that is no period."""
    frequencies = [_FREQUENCY[kind]] if kind in _FREQUENCY else FREQUENCIES
    return next((period for frequency in frequencies if (period := period_or_none(text, frequency))), None)


def row_words(table: Table, tables: Callable[[str], Table | None], values: Mapping[str, str],
              language: str) -> list[str]:
    """A row named as readers know it, from its primary key: codes by their labels (Kabupaten Konawe), other
    key columns by title and value, then the period in words (November 2020)."""
    spec, words = table.spec, []
    for name in spec.primary_key:
        if name == spec.period or name not in values:
            continue
        labels = table.labels(name, tables) or {}
        field = spec.field(name)
        title, value = field.title if field and field.title else name, values[name]
        named = value.lower().startswith(title.lower())  # "Area C" of the column "Area", not "Area Area C"
        words.append(labels.get(value) or (value if named else f"{title} {value}"))
    if spec.period in values:
        period_field = spec.field(spec.period)
        period = parse_period(values[spec.period], period_field.type if period_field else "string")
        words.append(Locale(language).period(period) if period else values[spec.period])
    return words


def find(table: Table, tables: Callable[[str], Table | None], noted: set[tuple[int, str]], language: str,
         notes_file: str) -> list[Finding]:
    """The warnings of a valid table: every checked value that changed more than allowed since the same row's
    previous period, unless it is noted (`noted`: (row position, column))."""
    spec = table.spec
    found = _hidden_rows(table, noted) + _totals_rows(table, noted) + _percentages(table, noted, Locale(language))
    checked = [f for f in spec.fields if f.max_change is not None]
    if not checked or not spec.period or table.frame.empty:
        return found
    now, before = _pairs(table)
    unchecked = set(before.tolist()) - set(now.tolist())  # rows with a next period but none before them
    shown_as_percent = {(row, name) for row, name in table.percent}  # warned of above: one slip, one warning
    for field in checked:
        rows = _implausible(table, field, now, before, noted | shown_as_percent)
        found.extend(_report(table, tables, field, rows, language, notes_file,
                             {row for row in unchecked if (row, field.name) not in noted}))
    return found


def _totals_rows(table: Table, noted: set[tuple[int, str]]) -> list[Finding]:
    """Rows labelled as a total of the others (`Jumlah`, a spreadsheet's last row): charts and value() add the
    rows up themselves, so such a row would count everything twice. Looked for in the key's text columns (every
    text column when there is no key)."""
    spec, frame = table.spec, table.frame
    names = [f.name for f in spec.fields if f.type == "string" and (f.name in spec.primary_key or not spec.primary_key)]
    found: list[Finding] = []
    for name in names:
        labelled = labelled_total(frame[name]).to_numpy().nonzero()[0]
        rows = [int(row) for row in labelled if (int(row), name) not in noted]
        for row in rows[:MAX_PER_COLUMN]:
            found.append(_finding(table, row, name, totals_message(name, frame[name].iloc[row])))
    return found


def _hidden_rows(table: Table, noted: set[tuple[int, str]]) -> list[Finding]:
    """Rows hidden in a workbook (by hand or by a filter): Excel leaves them out of what staff see, but they are data
    all the same, so a row hidden to leave it out of the count would still count. A note on any of the row's values
    vouches for it."""
    if not table.hidden:
        return []
    vouched = {row for row, _name in noted}
    rows = [row for row in table.hidden if row not in vouched]
    letters = table.letters  # the row is named at its leftmost cell: A before Z before AA
    column = min(table.spec.field_names, key=lambda name: (len(letters.get(name, "")), letters.get(name, "")))
    found = [_finding(table, row, column, _("this row is hidden in Excel, but buletin reads it and its figures count: "
                                            "if it should not count, delete the row (or move it to another sheet); "
                                            "if it should, show it again: clear the sheet's filter if it has one "
                                            "(Data > Clear), or select the rows around it, right-click, Unhide"))
             for row in rows[:MAX_PER_COLUMN]]
    by_period: dict[str, list[int]] = {}  # the rest, one warning a period: publish looks for its edition's period
    for row in rows[MAX_PER_COLUMN:]:
        by_period.setdefault(table.frame[table.spec.period].iloc[row] if table.spec.period else "", []).append(row)
    for more in by_period.values():
        found.append(_finding(table, more[0], column, _n(
            "{count} more row is hidden in Excel, from this one on: delete or show it the same way",
            "{count} more rows are hidden in Excel, from this one on: delete or show them the same way",
            len(more)).format(count=number(len(more)))))
    return found


def _percentages(table: Table, noted: set[tuple[int, str]], locale: Locale) -> list[Finding]:
    """Numbers a workbook shows as percentages: Excel keeps 12.5% as 0.125, which is what the data say, and a
    chart or value() then shows 0.125 where the office meant 12.5."""
    spec, frame = table.spec, table.frame
    by_column: dict[str, list[int]] = {}
    for row, name in table.percent:
        field = spec.field(name)
        if field is not None and field.type in ("integer", "number") and (row, name) not in noted and \
                frame[name].iloc[row] != "":  # a missing value (`missingValues`) is no number
            by_column.setdefault(name, []).append(row)
    found: list[Finding] = []
    for name, rows in by_column.items():
        for row in rows[:MAX_PER_COLUMN]:
            found.append(_finding(table, row, name, percent_message(name, frame[name].iloc[row], locale)))
        if len(rows) > MAX_PER_COLUMN:
            more = len(rows) - MAX_PER_COLUMN
            found.append(_finding(table, rows[MAX_PER_COLUMN], name, _n(
                "`{column}`: {count} more cell is shown as a percentage, from this one on: correct it the same way",
                "`{column}`: {count} more cells are shown as percentages, from this one on: correct them the same "
                "way", more).format(column=name, count=number(more))))
    return found


def _finding(table: Table, row: int, column: str, message: str) -> Finding:
    """A warning at a cell, with the period of its row (none when the table has no period column)."""
    line, location = cell_location(table, row, column)
    period = table.frame[table.spec.period].iloc[row] if table.spec.period else ""
    return Finding(period, Problem(table.spec.path, line, one_line(message), location, "warning"))


def _pairs(table: Table):
    """(positions of rows, positions of the same key's row in the previous period), for rows that have one."""
    import numpy as np
    import pandas as pd

    frame, spec = table.frame, table.spec
    period_field = spec.field(spec.period)
    kind = period_field.type if period_field else "string"
    texts = frame[spec.period]
    earlier = {}
    for text in set(texts):
        period = parse_period(text, kind)
        earlier[text] = str(period.previous()) if period else None
    keys = {name: frame[name].to_numpy() for name in spec.primary_key if name != spec.period}
    count = len(frame)
    rows = pd.DataFrame({**keys, "\0period": texts.map(earlier).to_numpy(), "\0row": np.arange(count)})
    previous = pd.DataFrame({**keys, "\0period": texts.to_numpy(), "\0before": np.arange(count)})
    pairs = rows.dropna(subset=["\0period"]).merge(previous, on=[*keys, "\0period"], sort=True)
    return pairs["\0row"].to_numpy(), pairs["\0before"].to_numpy()


def _implausible(table: Table, field: FieldSpec, now, before, noted: set[tuple[int, str]]) -> list[tuple[int, int]]:
    """(row, previous row) where the value changed by more than `max_change` of the previous value."""
    import numpy as np

    values = table.numeric(field.name).to_numpy(dtype=float)
    new, old = values[now], values[before]
    share = field.max_change or 0.0
    with np.errstate(invalid="ignore"):
        # "more than" the share, with room for binary fractions: 5.6 to 8.4 is exactly +50%, though 8.4 - 5.6
        # comes out as 2.8000000000000007
        allowed = np.maximum(share * np.abs(old) * (1 + _ROUNDING), field.min_change or 0.0)
        outside = ~np.isnan(new) & ~np.isnan(old) & (old != 0) & (np.abs(new - old) > allowed)
    pairs = [(int(r), int(b)) for r, b in zip(now[outside], before[outside], strict=True)]
    return sorted(pair for pair in pairs if (pair[0], field.name) not in noted)


def _report(table: Table, tables: Callable[[str], Table | None], field: FieldSpec, rows: list[tuple[int, int]],
            language: str, notes_file: str, first: set[int] | None = None) -> list[Finding]:
    doubted = {row for row, _before in rows}
    found = [_finding(table, row, field.name, warning(table, tables, field, row, before, language, notes_file,
                                                      before in doubted, before in (first or ())))
             for row, before in rows[:MAX_PER_COLUMN]]
    if len(rows) > MAX_PER_COLUMN:
        more = len(rows) - MAX_PER_COLUMN
        found.append(_finding(table, rows[MAX_PER_COLUMN][0], field.name, _n(
            "`{column}`: {count} more value changed by more than {allowed} since the previous period, from this one "
            "on: check it the same way",
            "`{column}`: {count} more values changed by more than {allowed} since the previous period, from this one "
            "on: check them the same way", more).format(
                column=field.name, count=number(more), allowed=_allowed(field.max_change or 0.0, Locale(language)))))
    return found


def warning(table: Table, tables: Callable[[str], Table | None], field: FieldSpec, row: int, before: int,
            language: str, notes_file: str, follows: bool = False, first: bool = False) -> str:
    """`nilai_investasi` 5,522 for Kabupaten Konawe, November 2020 — was 5.494,7 a month earlier (−99,9%, more
    than the ±50% allowed); a thousands dot in a decimal number? If the figure is right, add a note in ...
    (`follows`: the previous value has a warning of its own, so the slip is more likely there.)"""
    frame, spec, locale = table.frame, table.spec, Locale(language)
    text, earlier = frame[field.name].iloc[row], frame[field.name].iloc[before]
    value, previous = float(text), float(earlier)
    values = {name: frame[name].iloc[row] for name in spec.primary_key}
    period_field = spec.field(spec.period)
    period = parse_period(frame[spec.period].iloc[row], period_field.type if period_field else "string")
    change = (value - previous) / abs(previous) * 100
    # Panduan: Angka ini berubah lebih jauh dari batas `max_change` kolomnya sejak periode sebelumnya. Cocokkan
    # dengan sumbernya dan perbaiki selnya; bila angkanya memang benar, beri catatan di data/catatan.yaml (bab 6).
    return _("`{column}` {value} for {row} — was {previous} {earlier} ({change}, more than the {allowed} allowed); "
             "{cause} If the figure is right, add a note in {notes} with `data: {data}`, `row: {key}` and "
             "`column: {column}`.").format(data=spec.name, key=_row_key(values),
        column=field.name, value=locale.number(value, _digits(text)), row=", ".join(row_words(
            table, tables, values, language)), previous=locale.number(previous, _digits(earlier)),
        earlier=_(_EARLIER[period.frequency if period else "monthly"]),
        change=("+" if change > 0 else _MINUS) + locale.percent(abs(change), 1),
        allowed=_allowed(field.max_change or 0.0, locale),
        cause=_("the earlier value has a warning too: check that one first.") if follows
        else _cause_here(value, previous, text, field, table, before, first),
        notes=notes_file)


def _row_key(values: Mapping[str, str]) -> str:
    """A row's primary key as a note's `row:` takes it, in YAML: {periode: 2020-11, kode_wilayah: "7403"}."""
    def shown(value: str) -> str:
        plain = re.fullmatch(r"[A-Za-z][\w.-]*|\d{4}-\d{2}", value) and value.lower() not in _YAML_WORDS
        return value if plain else json.dumps(value, ensure_ascii=False)
    return "{" + ", ".join(f"{name}: {shown(str(value))}" for name, value in values.items()) + "}"


_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}  # YAML would read these otherwise


def _cause_here(value: float, previous: float, text: str, field: FieldSpec, table: Table, before: int,
                first: bool) -> str:
    """cause(), and for an earlier value nothing checked (`first`), that one too, unless the slip shows in this
    cell itself."""
    said, in_this_cell = _slip(value, previous, text, field)
    return said if in_this_cell or not first else f"{said} {_first_of_series(table, before, field.name)}"


def _first_of_series(table: Table, row: int, column: str) -> str:
    """Where to look besides: the earlier value has none of the period before it, so nothing checked it."""
    line, location = cell_location(table, row, column)
    return _("Or the earlier value is the slip ({where}): with no value of the period before it, nothing checked "
             "it.").format(where=location or _("line {line}").format(line=line))


def cause(value: float, previous: float, text: str, field: FieldSpec) -> str:
    """The slip that most likely made `value` (written `text`) of `previous`, as a question; else advice."""
    return _slip(value, previous, text, field)[0]


def _slip(value: float, previous: float, text: str, field: FieldSpec) -> tuple[str, bool]:
    """cause(), and whether the slip shows in this cell itself (a 0, a sign, a thousands dot), not only in its
    ratio to the earlier value, which a slip in that one would give as well."""
    if value == 0:
        return _("an unknown value typed as 0? Leave the cell empty when the value is not known."), True
    if (value < 0) != (previous < 0):
        return _("a minus sign typed by mistake, or left out?"), True
    tolerance = min(field.max_change or _FIT, _FIT) * abs(previous)
    for factor, slip in _SLIPS:
        if abs(value / factor - previous) <= tolerance:
            if factor == 1e-3 and field.type == "number" and _THOUSANDS_DOT.fullmatch(text):
                return _("a thousands dot in a decimal number?"), True
            if factor == 10.0 and field.type == "number" and "." not in text and previous != round(previous):
                return _("a decimal point left out (1062.3 typed as 10623)?"), False
            return _(slip), False
    return _("check it against its source."), False


def percent_message(column: str, text: str, locale: Locale) -> str:
    """What to do about a number that a workbook shows as a percentage: Excel keeps 12.5% as 0.125, and shows a
    25 typed into a cell formatted as a percentage as 2,500%."""
    digits = max(_digits(text) - 2, 0)
    shown = locale.number(float(text) * 100, digits)  # as Excel shows it, in the office's language
    if abs(float(text)) > 1:  # no fraction: the format is what is wrong
        return _("`{column}` {value}: the cell is formatted as a percentage, so Excel shows it as {shown}%; "
                 "buletin reads {value}. If that is the figure, format the column as Number (Home > Number)").format(
                     column=column, value=cell(text), shown=shown)
    # Panduan: Excel menyimpan 12,5% sebagai 0,125. Format kolomnya sebagai Number, lalu ketik 12.5.
    return _("`{column}` {value}: Excel shows this cell as {shown}% and keeps the fraction {value}, which is what "
             "buletin reads. If the figure is {shown}, format the column as Number (Home > Number) and type {typed}; "
             "if the fraction is meant, format it as Number all the same").format(
                 column=column, value=cell(text), shown=shown, typed=percent_figure(text))


def _digits(text: str) -> int:
    """The decimals a number cell is written with: 5494.7 -> 1, 1.2e3 -> 0."""
    mantissa, _e, exponent = text.strip().lower().partition("e")
    try:
        return max(0, len(mantissa.partition(".")[2]) - int(exponent or 0))
    except ValueError:
        return 0


def _allowed(share: float, locale: Locale) -> str:
    """±50%: a share as a percentage, with the decimals it needs."""
    percent = share * 100
    digits = next((d for d in range(3) if abs(round(percent, d) - percent) < 1e-9), 2)
    return "±" + locale.percent(percent, digits)


def within(text: str, edition: Period) -> bool:
    """Whether a row's period (as the data write it) lies in an edition's period: a month in its own month,
    quarter or year."""
    row = parse_period(text, "string")
    if row is None:
        return False
    (first, last), (start, end) = period_days(row), period_days(edition)
    return start <= first and last <= end
