"""Every cell checked against its column's type and constraints, keys and references; each problem at its
line (or workbook cell) with what to do about the usual typing mistakes."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from buletin.inputs.tables import MAX_CELL, Table
from buletin.problems import Problems

MAX_ERRORS_PER_COLUMN = 10
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # invisible characters no data cell needs (tab and newline may)
_TYPE_PATTERNS = {

    "integer": r"[+-]?\d+",
    "number": r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?",
    "date": r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
    "yearmonth": r"\d{4}-(0[1-9]|1[0-2])",
    "year": r"\d{4}",
    "boolean": r"(?i:true|false|1|0|yes|no|ya|tidak)",
}
_TYPE_WORDS = {"integer": "a whole number", "number": "a number with `.` as decimal point",
               "date": "a date YYYY-MM-DD", "yearmonth": "a month YYYY-MM", "year": "a year YYYY",
               "boolean": "true or false"}


def _first_control(text: str) -> str:
    """The first invisible control character of a cell known to hold one."""
    found = re.search(_CONTROL, text)
    assert found is not None  # only cells that match _CONTROL are reported
    return found.group(0)


def _where(table: Table, row: int, column: str) -> tuple[int | None, str | None]:
    """(line, location) for a problem at a row and column."""
    location = table.locations[row]
    if "{col}" in location:
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(table.spec.field_names.index(column) + 1)
        return None, location.replace("{col}", letter)
    return int(location), None


def _report(table: Table, rows, column: str, message, problems: Problems) -> None:
    """Add one problem per offending row (capped per column), `message(row)` giving the text."""
    rows = list(rows)
    for row in rows[:MAX_ERRORS_PER_COLUMN]:
        line, location = _where(table, row, column)
        problems.add(table.spec.path, line, f"{column}: {message(row)}", location)
    if len(rows) > MAX_ERRORS_PER_COLUMN:
        line, location = _where(table, rows[MAX_ERRORS_PER_COLUMN], column)
        problems.add(table.spec.path, line,
                     f"{column}: {len(rows) - MAX_ERRORS_PER_COLUMN} more rows with the same kind of error",
                     location)


def validate_table(table: Table, problems: Problems) -> None:
    """Check every cell against its field's type and constraints, and the primary key."""
    frame = table.frame
    for spec in table.spec.fields:
        column = frame[spec.name]
        filled = column != ""
        long = column.str.len() > MAX_CELL
        _report(table, _positions(long), spec.name, lambda r, c=column: f"a cell of {len(c.iloc[r]):,} characters "
                f"(at most {MAX_CELL:,}): is a whole text pasted into one cell?", problems)
        hidden = filled & ~long & column.str.contains(_CONTROL, regex=True)
        _report(table, _positions(hidden), spec.name, lambda r, c=column: "holds an invisible control character "
                f"(U+{ord(_first_control(c.iloc[r])):04X}): retype the cell", problems)
        constraints = spec.constraints
        if constraints.get("required") or spec.name in table.spec.primary_key:
            _report(table, _positions(~filled), spec.name, lambda _r: "a value is required", problems)
        filled = filled & ~long & ~hidden  # reported once, not again for their type
        pattern = _TYPE_PATTERNS.get(spec.type)
        valid = filled
        if pattern:
            matches = column.str.fullmatch(pattern)
            bad = filled & ~matches
            _report(table, _positions(bad), spec.name, lambda r, c=column, t=spec.type: _not_of_type(c.iloc[r], t),
                    problems)
            valid = filled & matches
        if spec.type == "date":
            valid = _check_real_dates(table, spec.name, valid, problems)
        _check_range(table, spec, valid, problems)
        if "enum" in constraints:
            allowed = [str(v) for v in constraints["enum"]]
            _report(table, _positions(filled & ~column.isin(allowed)), spec.name,
                    lambda r, c=column, a=allowed: f"{cell(c.iloc[r])} is not one of: {', '.join(a)}"
                    f"{_nearest(c.iloc[r], a)}", problems)
        if constraints.get("unique") and table.spec.primary_key != (spec.name,):
            _report(table, _positions(filled & column.duplicated()), spec.name,
                    lambda r, c=column: f"{cell(c.iloc[r])} appears more than once (must be unique)", problems)
    _check_primary_key(table, problems)


def cell(text: str) -> str:
    """A cell's text quoted for a message: short, with invisible characters shown."""
    shown = text if len(text) <= 60 else text[:57] + "…"
    return "`" + re.sub(_CONTROL, lambda m: f"\\x{ord(m.group(0)):02x}", shown) + "`"


def _not_of_type(text: str, kind: str) -> str:
    """Why a cell is not of its column's type, with the fix for the usual typing mistakes."""
    message = f"{cell(text)} is not {_TYPE_WORDS[kind]}"
    if kind in ("integer", "number") and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", text):
        return message + f": remove the thousands dot ({text.replace('.', '')})"
    if kind == "integer" and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return message + f": remove the thousands separator ({text.replace(',', '')})"
    if kind == "number" and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return message + f": write it without a thousands separator, with a point before any decimals " \
            f"({text.replace(',', '')} or {text.replace(',', '.')})"
    if kind == "number" and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})*,\d+", text):
        return message + f": write {text.replace('.', '').replace(',', '.')} (a point before the decimals, " \
            "no thousands dot)"
    if kind in ("integer", "number") and re.fullmatch(r"[+-]?\d+,\d+", text):
        return message + f": write {text.replace(',', '.')} (a point before the decimals)"
    return message


def _nearest(text: str, known) -> str:
    """" (nearest: 7404, 7401)" for a typo among known values."""
    import difflib

    found = difflib.get_close_matches(text, sorted(set(known)), n=3, cutoff=0.5)
    return f" (nearest: {', '.join(found)})" if found else ""


def _positions(mask) -> list[int]:
    return [int(i) for i in mask.to_numpy().nonzero()[0]]


def _check_real_dates(table: Table, name: str, valid, problems: Problems):
    column = table.frame[name]
    bad = []
    for row in _positions(valid):
        try:
            dt.date.fromisoformat(column.iloc[row])
        except ValueError:
            bad.append(row)
    _report(table, bad, name, lambda r: f"{cell(column.iloc[r])} is not a real date", problems)
    valid = valid.copy()
    valid.iloc[bad] = False
    return valid


def _check_range(table: Table, spec, valid, problems: Problems) -> None:
    column = table.frame[spec.name]
    numeric = spec.type in ("integer", "number", "year")
    values = table.numeric(spec.name) if numeric else column
    for key, word, compare in (("minimum", "below", "lt"), ("maximum", "above", "gt")):
        if key not in spec.constraints:
            continue
        limit = spec.constraints[key]
        limit = float(limit) if numeric else str(limit)
        outside = valid & getattr(values, compare)(limit)
        shown = spec.constraints[key]
        _report(table, _positions(outside), spec.name,
                lambda r, w=word, k=key, s=shown: f"{column.iloc[r][:60]} is {w} {k} {s}", problems)


def _check_primary_key(table: Table, problems: Problems) -> None:
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
        return (f"this row repeats {', '.join(f'{k}={cell(v)}' for k, v in zip(key, values, strict=True))} "
                f"from {'line ' if where.isdigit() else ''}{where}: keep one of the two")

    _report(table, _positions(duplicated), key[0], repeated, problems)


def check_foreign_keys(table: Table, tables: Callable[[str], Table | None], problems: Problems) -> None:
    """Every value of a foreign key must exist in the referenced resource."""
    for fk in table.spec.foreign_keys:
        target = tables(fk.resource) if fk.resource else table
        if target is None or len(fk.fields) != len(fk.reference_fields) or \
                not set(fk.reference_fields) <= set(target.frame.columns):
            continue
        if len(fk.fields) == 1:
            column = table.frame[fk.fields[0]]
            known = set(target.frame[fk.reference_fields[0]])
            bad = (column != "") & ~column.isin(known)
            _report(table, _positions(bad), fk.fields[0],
                    lambda r, c=column, k=fk, n=known: f"{cell(c.iloc[r])} is not a `{k.reference_fields[0]}` of "
                    f"`{k.resource or table.spec.name}`{_nearest(c.iloc[r], n)}", problems)
            continue
        known_rows = set(map(tuple, target.frame[list(fk.reference_fields)].to_numpy()))
        values = list(map(tuple, table.frame[list(fk.fields)].to_numpy()))
        bad = [i for i, v in enumerate(values) if v not in known_rows]
        _report(table, bad, fk.fields[0], lambda r, v=values, k=fk: f"{v[r]} has no match in resource `{k.resource}`",
                problems)


