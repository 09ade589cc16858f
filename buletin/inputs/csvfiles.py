"""CSV files read as text cells, with the line each row starts on, refusing what would shift or invent cells:
a row with more values than the first line has names (pandas would quietly use the first as an index and
move every value one column left), a name written twice, a value under no name, and a file separated by
semicolons or tabs (which Excel writes where a comma is the decimal mark)."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from buletin.messages import _, number

if TYPE_CHECKING:
    import pandas as pd


MAX_COLUMNS = 1000  # a data table has tens; a file of thousands is not one (and would take minutes to read)
MAX_BYTES = 50 * 2**20  # a bulletin's table (the sample's 4,080 rows: 190 KB); read, it takes some 30 times this


class CsvProblem(ValueError):
    """Why a CSV file cannot be read as a table, at its line."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line


def read_csv(path: Path, declared: tuple[str, ...] | list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The file's cells as text (stripped; rows with no value left out) under its first line's names, and the
    line each row starts on. UnicodeDecodeError where it is not UTF-8; CsvProblem where it is not a table."""
    import pandas as pd

    size = path.stat().st_size
    if size > MAX_BYTES:
        raise CsvProblem(None, _("the file is {size} MB, more than the {limit} MB a table of a bulletin may be: keep "
                                 "the rows the bulletin shows (the totals by region and month, say), or split the "
                                 "file").format(size=number(size // 2**20), limit=number(MAX_BYTES // 2**20)))
    records, starts = _records(path.read_text(encoding="utf-8-sig"))
    if not records:
        return pd.DataFrame(columns=[]), []
    header = [name.strip().lstrip("\ufeff") for name in records[0]]
    if len(header) > MAX_COLUMNS:
        raise CsvProblem(1, _("the first line holds {count} column names, more than the {limit} a table may have: "
                              "is this the file meant?").format(count=number(len(header)),
                                                                limit=number(MAX_COLUMNS)))
    _check_separator(header, declared)
    _check_names(header)
    width = len(header)
    rows, lines = [], []
    for record, line in zip(records[1:], starts[1:], strict=True):
        cells = [cell.strip() for cell in record]
        if any(cells[width:]):
            raise CsvProblem(line, _("this row has {found} cells but the first line has {expected} column names: put a "
                                     'value holding a comma in double quotes ("Buton, Utara"), or add the missing '
                                     "column name").format(found=number(len(cells)), expected=number(width)))
        cells = cells[:width] + [""] * (width - len(cells))
        if any(cells):
            rows.append(cells)
            lines.append(str(line))
    named = [i for i, name in enumerate(header) if name]
    for i in (i for i, name in enumerate(header) if not name):
        found = next((line for cells, line in zip(rows, lines, strict=True) if cells[i]), None)
        if found is not None:
            raise CsvProblem(int(found), _("a value stands in a column without a name (column {column}): give the "
                                           "column a name in the first line, or remove the value").format(
                                               column=number(i + 1)))
    frame = pd.DataFrame([[cells[i] for i in named] for cells in rows], columns=[header[i] for i in named],
                         dtype=str)
    return frame, lines


def _records(text: str) -> tuple[list[list[str]], list[int]]:
    """Every record and the line it starts on (a quoted cell may hold line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    starts: list[int] = []
    start = 1
    try:
        for record in reader:
            if record or not records:  # a blank line is no row (35 MB of them took 4 GB as empty rows)
                records.append(record)
                starts.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:  # a cell longer than the csv module's limit, far above MAX_CELL
        raise CsvProblem(start, _("this row cannot be read ({reason}): was a whole file pasted into one cell?").format(
            reason=exc)) from None
    if records and _runs_to_the_end(text, starts[-1]):  # an unclosed quote takes in the rest of the file
        raise CsvProblem(starts[-1], _('a double quote (") opens a value here that is never closed: close it, or '
                                       "remove it"))
    return records, starts


def _runs_to_the_end(text: str, line: int) -> bool:
    """Whether the record starting at `line` (the last) ends inside quotes."""
    rest = "\n".join(text.split("\n")[line - 1:])
    try:
        list(csv.reader(io.StringIO(rest, newline=""), strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _check_separator(header: list[str], declared: tuple[str, ...] | list[str]) -> None:
    if len(header) != 1 or len(declared) < 2:
        return
    if ";" in header[0]:
        # Panduan: Excel dengan pengaturan Indonesia memakai koma sebagai tanda desimal, jadi CSV-nya dipisah `;`.
        # Menyimpan tabel sebagai .xlsx menghindari soal itu sama sekali.
        raise CsvProblem(1, _("the values are separated by `;` (Excel does so where the comma is the decimal mark): "
                              "save the table as an Excel workbook (.xlsx) and change its `path` in "
                              "data/datapackage.yaml, or save it as CSV with commas"))
    if "\t" in header[0]:
        raise CsvProblem(1, _("the values are separated by tabs: save the table as an Excel workbook (.xlsx) and "
                              "change its `path` in data/datapackage.yaml, or save it as CSV with commas (in Excel: "
                              "CSV UTF-8, comma delimited)"))


def _check_names(header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise CsvProblem(1, _("the column `{name}` is named twice in the first line: rename or remove one").format(
                name=name))
        seen.add(name)
