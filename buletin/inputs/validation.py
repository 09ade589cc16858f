"""Every cell checked against its column's type and constraints, keys and references; each problem at its
line (or workbook cell) with what to do about the usual typing mistakes."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from buletin.inputs.datapackage import ForeignKey
from buletin.inputs.tables import MAX_CELL, Table
from buletin.messages import N_, _, _n, listing, number
from buletin.problems import Problems

if TYPE_CHECKING:
    import pandas as pd

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
_NOT_OF_TYPE = {"integer": N_("{value} is not a whole number"),
                "number": N_("{value} is not a number written with `.` before the decimals"),
                "date": N_("{value} is not a date written YYYY-MM-DD"),
                "yearmonth": N_("{value} is not a month written YYYY-MM"),
                "year": N_("{value} is not a year written YYYY"),
                "boolean": N_("{value} is not true or false")}

_OUTSIDE = {"minimum": N_("{value} is below {limit}, the smallest value this column allows: check the value"),
            "maximum": N_("{value} is above {limit}, the largest value this column allows: check the value")}


def _first_control(text: str) -> str:
    """The first invisible control character of a cell known to hold one."""
    found = re.search(_CONTROL, text)
    assert found is not None  # only cells that match _CONTROL are reported
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
            self.problems.add(self.table.spec.path, line, f"{column}: {_total_row(text)}", location)


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
                noted: Collection[tuple[int, str]] = ()) -> None:
    """Check every cell against its field's type and constraints, the primary key and the foreign keys (`noted`:
    (row, column) of the values notes vouch for: a label a note vouches for makes no row of totals)."""
    errors = _Errors(table, problems, noted)
    _check_cells(table, errors)
    _check_primary_key(table, errors)
    _check_foreign_keys(table, tables, errors)
    errors.finish()


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
        hidden = filled & ~long & column.str.contains(_CONTROL, regex=True)
        _report(table, _positions(hidden), spec.name, lambda r, c=column: _(
            "the cell holds an invisible character ({code}): retype the cell").format(
                code=f"U+{ord(_first_control(c.iloc[r])):04X}"), errors)
        constraints = spec.constraints
        if constraints.get("required") or spec.name in table.spec.primary_key:
            _report(table, _positions(~filled), spec.name,
                    lambda _r: _("this cell is empty, and this column needs a value in every row: fill it in"),
                    errors)
        filled = filled & ~long & ~hidden  # reported once, not again for their type
        pattern = _TYPE_PATTERNS.get(spec.type)
        valid = filled
        if pattern:
            matches = column.str.fullmatch(pattern)
            bad = filled & ~matches
            _report(table, _positions(bad), spec.name, lambda r, c=column, t=spec.type, n=spec.name: _not_of_type(
                c.iloc[r], t, (r, n) in percent), errors)
            valid = filled & matches
        else:  # a text column takes any text, but not what Excel writes for a formula that failed
            failed = filled & _excel_errors(column)
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
                        value=cell(c.iloc[r]), values=", ".join(a)) + _nearest(c.iloc[r], a), errors)
        if constraints.get("unique") and table.spec.primary_key != (spec.name,):
            _report(table, _positions(filled & column.duplicated()), spec.name,
                    lambda r, c=column: _("{value} appears more than once, and each value of this column may "
                                          "appear only once: correct or remove the repeat").format(
                                              value=cell(c.iloc[r])), errors)


def cell(text: str) -> str:
    """A cell's text quoted for a message: short, with invisible characters shown."""
    shown = text if len(text) <= 60 else text[:57] + "…"
    return "`" + re.sub(_CONTROL, lambda m: f"\\x{ord(m.group(0)):02x}", shown) + "`"


def _not_of_type(text: str, kind: str, percent: bool = False) -> str:
    """Why a cell is not of its column's type, with the fix for the usual typing mistakes (`percent`: the
    workbook shows the cell as a percentage)."""
    message = _(_NOT_OF_TYPE[kind]).format(value=cell(text))
    typed = percent_figure(text) if percent and kind == "integer" else None
    if typed is not None:  # 0.25 shown as 25%
        advice = _(": the cell is formatted as a percentage, which Excel keeps as a fraction (it shows {typed}%): "
                   "format the column as Number (Home > Number) and type {typed}").format(typed=typed)
        if not re.fullmatch(r"-?\d+", typed):
            advice += _("; the column holds whole numbers, so declare it `type: number` in data/datapackage.yaml "
                        "if the figure has decimals")
        return message + advice
    advice = _spreadsheet_habit(text, kind)
    if advice:
        return message + advice
    if kind in ("integer", "number") and re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", text):  # 0.125: no thousands
        return message + _(": remove the thousands dot ({fixed})").format(fixed=text.replace(".", ""))
    if kind == "integer" and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return message + _(": remove the thousands separator ({fixed})").format(fixed=text.replace(",", ""))
    if kind == "number" and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return message + _(": write it without a thousands separator, with a point before any decimals ({whole} or "
                           "{decimal})").format(whole=text.replace(",", ""), decimal=text.replace(",", "."))
    if kind == "number" and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})*,\d+", text):
        return message + _(": write {fixed} (a point before the decimals, no thousands dot)").format(
            fixed=text.replace(".", "").replace(",", "."))
    if kind == "number" and re.fullmatch(r"[+-]?\d+,\d+", text):
        return message + _(": write {fixed} (a point before the decimals)").format(fixed=text.replace(",", "."))
    if kind == "integer" and re.fullmatch(r"[+-]?\d+\.\d+", _plain_number(text)):
        return message + _(": this column holds whole numbers; if the figure has decimals, declare the column "
                           "`type: number` in data/datapackage.yaml and write {fixed}").format(
                               fixed=_plain_number(text))
    if kind in ("integer", "number"):
        advice = _number_slip(text, kind)
        if advice:
            return message + advice
    if kind in ("date", "yearmonth", "year"):
        return message + _(": type it so, e.g. {example}").format(example=_EXAMPLES[kind])
    return message


def percent_figure(text: str) -> str | None:
    """A fraction as the percentage Excel shows (0.125 -> 12.5), written as data are; None for no number."""
    from decimal import Decimal, DecimalException

    try:
        return format((Decimal(text) * 100).normalize(), "f") if re.fullmatch(_TYPE_PATTERNS["number"], text) else None
    except DecimalException:
        return None


def _number_slip(text: str, kind: str) -> str:
    """The fix for a number typed as a person writes it on paper: a letter O for a zero, brackets for a minus,
    an exponent."""
    if re.search(r"\d", text) and re.search("[OoIl]", text) and re.fullmatch(r"[+-]?[\dOoIl]+(\.[\dOoIl]+)?", text):
        return _(": a letter where a digit is meant ({letters})? Write {fixed}").format(
            letters="O → 0, I/l → 1", fixed=text.translate(str.maketrans("OoIl", "0011")))
    bracketed = re.fullmatch(r"\(([\d.,]+)\)", text)
    if bracketed:
        figure = bracketed.group(1)  # 1,234 or 1.234 in whole numbers: thousands
        thousands = kind == "integer" and re.fullmatch(r"\d{1,3}([.,]\d{3})+", figure) is not None
        return _(": a negative number is written with a minus sign: {fixed}").format(
            fixed="-" + (re.sub(r"[.,]", "", figure) if thousands else _plain_number(figure)))
    if kind == "integer" and re.fullmatch(_TYPE_PATTERNS["number"], text):
        whole = float(text)
        if whole.is_integer() and abs(whole) < 1e15:
            return _(": write the number in full, {fixed}").format(fixed=int(whole))
    return ""


# What a spreadsheet's row of totals says in its label column.
TOTALS = frozenset({"jumlah", "total", "jumlah total", "total keseluruhan", "jumlah keseluruhan", "grand total",
                    "subtotal", "sub total", "sub-total", "sub jumlah", "subjumlah", "totals"})


def labelled_total(column: pd.Series) -> pd.Series:
    """Which cells of a text column read as the label of a totals row (`Jumlah`, ` total `)."""
    return column.str.strip().str.casefold().isin(TOTALS)


def totals_message(column: str, text: str) -> str:
    """`kode_wilayah` `Jumlah`: a row of totals, which charts and value() would count twice."""
    return f"`{column}` {_total_row(text)}"


def _total_row(text: str) -> str:
    # Panduan: Baris "Jumlah" di akhir tabel Excel ikut terjumlah dua kali di grafik: hapus barisnya.
    return _("{value}: this row looks like the total of the others; charts and value() add the rows up themselves, "
             "so it would be counted twice: remove the row").format(value=cell(text))


_EXAMPLES = {"date": "2020-11-09", "yearmonth": "2020-11", "year": "2020"}
_EXCEL_ERROR = re.compile(r"#(DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|"
                          r"CONNECT!|UNKNOWN!|BUSY!|PYTHON!)", re.I)
_UNKNOWN = ("-", "–", "—", "..", "...", "x", "NA", "N/A", "n.a.", "na", "tidak ada", "?")


def _excel_errors(column):
    """Which cells of a column hold one of Excel's error values."""
    return column.str.fullmatch(_EXCEL_ERROR.pattern, flags=re.I)


def _plain_number(text: str) -> str:
    """A number as a data file writes it: no spaces or thousands dots, a point before the decimals."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?", text) or re.fullmatch(r"[+-]?\d+,\d+", text):
        return text.replace(".", "").replace(",", ".")
    return text


def _spreadsheet_habit(text: str, kind: str) -> str:
    """The fix for what spreadsheets and office habits put in a cell: a formula's error, a dash for unknown,
    a currency or a percent sign, spaces between thousands, a month that Excel turned into a date."""
    if _EXCEL_ERROR.fullmatch(text):
        return _(": the cell holds Excel's error for a formula: correct the formula in the workbook, or leave the "
                 "cell empty where the value is unknown")
    if kind in ("integer", "number"):
        if text in _UNKNOWN:
            return _(": an unknown value is an empty cell; leave it empty, or list {value} in the resource's "
                     "`missingValues` in data/datapackage.yaml").format(value=cell(text))
        bare = re.sub(r"(?i)^rp\.?\s*|\s*%$", "", text)
        if bare != text and re.fullmatch(r"[+-]?[\d.,\s\u00a0]+", bare):
            return _(": write the number alone ({bare}), without `Rp` or `%`; the unit belongs in the column's "
                     "`unit` in data/datapackage.yaml").format(bare=cell(_plain_number(bare)))
        if re.fullmatch(r"[+-]?\d{1,3}([\s\u00a0\u202f]\d{3})+([.,]\d+)?", text):
            return _(": remove the spaces between the thousands ({fixed})").format(fixed=_plain_number(text))
    if kind == "yearmonth" and re.fullmatch(r"\d{4}-\d{2}-01", text):
        # Panduan: Excel mengubah 2020-11 menjadi tanggal. Format kolomnya sebagai Teks dulu, lalu ketik ulang.
        return _(": Excel turned the month into a date; format the column as Text (Home > Number > Text), then "
                 "type {month} again").format(month=text[:7])
    if kind in ("date", "yearmonth") and re.fullmatch(r"\d{5}", text) and 25000 <= int(text) <= 55000:  # 1968-2050
        # a date's serial number in Excel: 44197 is 2021-01-01
        day = (dt.date(1899, 12, 30) + dt.timedelta(days=int(text))).isoformat()
        if kind == "date":
            return _(": Excel's number for the day {day}, in a cell formatted as a number; format the cell as a date "
                     "(Format Cells > Date), or type {day}").format(day=day)
        return _(": Excel's number for the day {day}, in a cell formatted as a number; format the column as Text "
                 "(Home > Number > Text), then type {month}").format(day=day, month=day[:7])
    if kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", text):
        return _(": a date with a time of day; write the date alone, {day}").format(day=text[:10])
    return ""


def _nearest(text: str, known) -> str:
    """" (nearest: 7404, 7401)" for a typo among known values."""
    import difflib

    found = difflib.get_close_matches(text, sorted(set(known)), n=3, cutoff=0.5)
    return " " + _("(nearest: {values})").format(values=", ".join(found)) if found else ""


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
                same=same, line=number(int(where)))
        return _("this row is already in the sheet (the same {same} as row {cell}): keep one of the two").format(
            same=same, cell=where)

    _report(table, _positions(duplicated), key[0], repeated, errors)


def _not_a_code(table: Table, fk: ForeignKey, text: str, known: set[str]) -> str:
    """A code the referenced data do not have (a row's `Jumlah` is the label of a total: _Errors)."""
    return _("{value} is not in the list of codes (column `{column}`) of the data `{dataset}`").format(
        value=cell(text), column=fk.reference_fields[0], dataset=fk.resource or table.spec.name) + \
        _nearest(text, known) + _(": correct it, or add the code there first")


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
            bad = (column != "") & ~column.isin(known) & ~_excel_errors(column)  # said once, as Excel's error
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


