"""Every cell checked against its column's type and constraints, keys and references; each problem at its
line (or workbook cell), with the fix for the usual typing slips (cellslips)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection

from buletin.inputs.cellslips import (
    CONTROL,
    TYPE_PATTERNS,
    cell,
    excel_errors,
    labelled_total,
    nearest,
    not_of_type,
    total_row,
)
from buletin.inputs.datapackage import ForeignKey
from buletin.inputs.tables import MAX_CELL, Table
from buletin.messages import N_, _, _n, listing, number
from buletin.problems import Problems

MAX_ERRORS_PER_COLUMN = 10
_OUTSIDE = {"minimum": N_("{value} is below {limit}, the smallest value this column allows: check the value"),
            "maximum": N_("{value} is above {limit}, the largest value this column allows: check the value")}


def _first_control(text: str) -> str:
    """The first invisible control character of a cell known to hold one."""
    found = re.search(CONTROL, text)
    assert found is not None  # only cells that match CONTROL are reported
    return found.group(0)


def cell_location(table: Table, row: int, column: str) -> tuple[int | None, str | None]:
    """(line, location) for a problem at a row and column: a CSV file's line, or a workbook's cell (Sheet!D7)."""
    location = table.locations[row]
    if "{col}" in location:
        from openpyxl.utils import get_column_letter

        letter = table.letters.get(column) or get_column_letter(table.spec.field_names.index(column) + 1)
        return None, location.replace("{col}", letter)
    return int(location), None


class _Errors:
    """Where a table's errors go. A row labelled as the total of the others (`Jumlah` in its label column) gets
    one error, to remove it, in place of its cells' errors: a spreadsheet's totals row is the slip, and its empty
    period or its sums past a column's maximum are only what follows from it."""

    def __init__(self, table: Table, problems: Problems, noted: Collection[tuple[int, str]]):
        self.table, self.problems, self.noted = table, problems, noted
        self.labels: dict[int, str] | None = None  # row -> its label's column: looked for at the first error only
        self.in_totals: set[int] = set()  # totals rows that had an error
        self.columns: set[str] = set()  # the columns with an error in a row (not a totals row)

    def outside_totals(self, rows: list[int]) -> list[int]:
        """The rows to report one by one; the others are reported as rows of totals by finish()."""
        if not rows:
            return rows
        if self.labels is None:
            self.labels = {row: column for row, column in _totals_labels(self.table).items()
                           if (row, column) not in self.noted}
        self.in_totals.update(row for row in rows if row in self.labels)
        return [row for row in rows if row not in self.labels]

    def finish(self) -> None:
        for row in sorted(self.in_totals):
            column = (self.labels or {})[row]
            line, location = cell_location(self.table, row, column)
            text = self.table.frame[column].iloc[row]
            self.problems.add(self.table.spec.path, line, f"{column}: {total_row(text)}", location)


def _totals_labels(table: Table) -> dict[int, str]:
    """Row -> the column whose cell labels it a total: a string column of the primary key (any string column
    without one), a column of codes, or a column of another type, where the word is an error anyway."""
    spec, frame = table.spec, table.frame
    codes = {name for fk in spec.foreign_keys for name in fk.fields}
    labels: dict[int, str] = {}
    for field in spec.fields:
        if field.type == "string" and spec.primary_key and field.name not in {*spec.primary_key, *codes}:
            continue
        for row in _positions(labelled_total(frame[field.name])):
            labels.setdefault(row, field.name)
    return labels


def _report(table: Table, rows, column: str, message, errors: _Errors) -> None:
    """Add one problem per offending row (capped per column), `message(row)` giving the text."""
    rows = errors.outside_totals(list(rows))
    problems = errors.problems
    if rows:
        errors.columns.add(column)
    for row in rows[:MAX_ERRORS_PER_COLUMN]:
        line, location = cell_location(table, row, column)
        problems.add(table.spec.path, line, f"{column}: {message(row)}", location)
    if len(rows) > MAX_ERRORS_PER_COLUMN:
        line, location = cell_location(table, rows[MAX_ERRORS_PER_COLUMN], column)
        more = len(rows) - MAX_ERRORS_PER_COLUMN
        problems.add(table.spec.path, line, f"{column}: " + _n(
            "{count} more row with the same kind of error, from this one on: correct it the same way",
            "{count} more rows with the same kind of error, from this one on: correct them the same way",
            more).format(count=number(more)), location)


def check_table(table: Table, tables: Callable[[str], Table | None], problems: Problems,
                noted: Collection[tuple[int, str]] = ()) -> set[str]:
    """Check every cell against its field's type and constraints, the primary key and the foreign keys (`noted`:
    (row, column) of the values notes vouch for: a label a note vouches for makes no row of totals); the columns
    that have an error."""
    errors = _Errors(table, problems, noted)
    _check_cells(table, errors)
    _check_primary_key(table, errors)
    _check_foreign_keys(table, tables, errors)
    errors.finish()
    return errors.columns


def _check_cells(table: Table, errors: _Errors) -> None:
    frame = table.frame
    percent = set(table.percent)  # (row, column) of the numbers a workbook shows as percentages
    for spec in table.spec.fields:
        column = frame[spec.name]
        filled = column != ""
        long = column.str.len() > MAX_CELL
        _report(table, _positions(long), spec.name, lambda r, c=column: _(
            "a cell of {count} characters (at most {limit}): was a whole text pasted into one cell? Shorten "
            "it").format(count=number(len(c.iloc[r])), limit=number(MAX_CELL)), errors)
        hidden = filled & ~long & column.str.contains(CONTROL, regex=True)
        _report(table, _positions(hidden), spec.name, lambda r, c=column: _(
            "the cell holds an invisible character ({code}): retype the cell").format(
                code=f"U+{ord(_first_control(c.iloc[r])):04X}"), errors)
        constraints = spec.constraints
        if constraints.get("required") or spec.name in table.spec.primary_key:
            _report(table, _positions(~filled), spec.name,
                    lambda _r: _("this cell is empty, and this column needs a value in every row: fill it in"),
                    errors)
        filled = filled & ~long & ~hidden  # reported once, not again for their type
        pattern = TYPE_PATTERNS.get(spec.type)
        valid = filled
        if pattern:
            matches = column.str.fullmatch(pattern)
            bad = filled & ~matches
            _report(table, _positions(bad), spec.name, lambda r, c=column, t=spec.type, n=spec.name: not_of_type(
                c.iloc[r], t, (r, n) in percent), errors)
            valid = filled & matches
        else:  # a text column takes any text, but not what Excel writes for a formula that failed
            failed = filled & excel_errors(column)
            _report(table, _positions(failed), spec.name, lambda r, c=column: _(
                "{value} is Excel's error for a formula, not a value: correct the formula in the workbook, or leave "
                "the cell empty where the value is unknown").format(value=cell(c.iloc[r])), errors)
            filled = valid = filled & ~failed
        if spec.type == "date":
            valid = _check_real_dates(table, spec.name, valid, errors)
        _check_range(table, spec, valid, errors)
        if "enum" in constraints:
            allowed = [str(v) for v in constraints["enum"]]
            _report(table, _positions(filled & ~column.isin(allowed)), spec.name,
                    lambda r, c=column, a=allowed: _("{value} is not one of the allowed values: {values}").format(
                        value=cell(c.iloc[r]), values=", ".join(a)) + nearest(c.iloc[r], a), errors)
        if constraints.get("unique") and table.spec.primary_key != (spec.name,):
            _report(table, _positions(filled & column.duplicated()), spec.name,
                    lambda r, c=column: _("{value} appears more than once, and each value of this column may "
                                          "appear only once: correct or remove the repeat").format(
                                              value=cell(c.iloc[r])), errors)


def _positions(mask) -> list[int]:
    return [int(i) for i in mask.to_numpy().nonzero()[0]]


def _check_real_dates(table: Table, name: str, valid, errors: _Errors):
    column = table.frame[name]
    bad = []
    for row in _positions(valid):
        try:
            dt.date.fromisoformat(column.iloc[row])
        except ValueError:
            bad.append(row)
    _report(table, bad, name, lambda r: _("{value} is not a real date: check the day and the month").format(
        value=cell(column.iloc[r])), errors)
    valid = valid.copy()
    valid.iloc[bad] = False
    return valid


def _check_range(table: Table, spec, valid, errors: _Errors) -> None:
    column = table.frame[spec.name]
    numeric = spec.type in ("integer", "number", "year")
    values = table.numeric(spec.name) if numeric else column
    for key, compare in (("minimum", "lt"), ("maximum", "gt")):
        if key not in spec.constraints:
            continue
        limit = spec.constraints[key]
        limit = float(limit) if numeric else str(limit)
        outside = valid & getattr(values, compare)(limit)
        shown = spec.constraints[key]
        _report(table, _positions(outside), spec.name,
                lambda r, k=key, s=shown: _(_OUTSIDE[k]).format(value=column.iloc[r][:60], limit=s), errors)


def _check_primary_key(table: Table, errors: _Errors) -> None:
    key = list(table.spec.primary_key)
    if not key:
        return
    duplicated = table.frame.duplicated(subset=key, keep="first")
    if not duplicated.any():
        return
    first: dict[tuple[object, ...], int] = {}
    for row, values in enumerate(map(tuple, table.frame[key].to_numpy())):
        first.setdefault(values, row)

    def repeated(r: int) -> str:
        values = tuple(table.frame[key].iloc[r])
        where = table.locations[first[values]].replace("{col}", "A")
        same = ", ".join(f"{k}={cell(v)}" for k, v in zip(key, values, strict=True))
        if where.isdigit():
            # Panduan: Baris kembar biasanya muncul saat data bulan baru ditempel dua kali. Hapus salah satunya; bila
            # angka kedua baris berbeda, tanyakan kepada staf data mana yang benar.
            return _("this row is already in the file (the same {same} as line {line}): keep one of the two").format(
                same=same, line=int(where))  # a line number, like the one the message starts with: no 1.001
        return _("this row is already in the sheet (the same {same} as row {cell}): keep one of the two").format(
            same=same, cell=where)

    _report(table, _positions(duplicated), key[0], repeated, errors)


def _not_a_code(table: Table, fk: ForeignKey, text: str, known: set[str]) -> str:
    """A code the referenced data do not have (a row's `Jumlah` is the label of a total: _Errors)."""
    return _("{value} is not in the list of codes (column `{column}`) of the data `{dataset}`").format(
        value=cell(text), column=fk.reference_fields[0], dataset=fk.resource or table.spec.name) + \
        nearest(text, known) + _(": correct it, or add the code there first")


def _check_foreign_keys(table: Table, tables: Callable[[str], Table | None], errors: _Errors) -> None:
    """Every value of a foreign key must exist in the referenced resource."""
    for fk in table.spec.foreign_keys:
        target = tables(fk.resource) if fk.resource else table
        if target is None or len(fk.fields) != len(fk.reference_fields) or \
                not set(fk.reference_fields) <= set(target.frame.columns):
            continue
        if len(fk.fields) == 1:
            column = table.frame[fk.fields[0]]
            known = set(target.frame[fk.reference_fields[0]])
            bad = (column != "") & ~column.isin(known) & ~excel_errors(column)  # said once, as Excel's error
            _report(table, _positions(bad), fk.fields[0],
                    # Panduan: Kode di kolom ini harus sudah ada di berkas data yang disebut, misalnya kode wilayah di
                    # data/wilayah.csv. Untuk kode baru, tambahkan dulu barisnya di berkas itu.
                    lambda r, c=column, k=fk, n=known: _not_a_code(table, k, c.iloc[r], n), errors)
            continue
        known_rows = set(map(tuple, target.frame[list(fk.reference_fields)].to_numpy()))
        values = list(map(tuple, table.frame[list(fk.fields)].to_numpy()))
        bad = [i for i, v in enumerate(values) if v not in known_rows]
        _report(table, bad, fk.fields[0], lambda r, v=values, k=fk: _(
            "no row of the data `{dataset}` has the values {values} of this row: correct them, or add that row "
            "there first").format(dataset=k.resource, values=listing([cell(x) for x in v[r]])), errors)


