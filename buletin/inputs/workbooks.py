"""Workbooks (.xlsx) read as text cells, with the traps Excel hides named by their cell: merged cells and
formulas whose value was never saved read as empty, which would silently change the totals."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError

from buletin.inputs.datapackage import ResourceSpec
from buletin.messages import _, number

if TYPE_CHECKING:
    import pandas as pd

MAX_UNPACKED = 200 * 1024 * 1024  # bytes a workbook may unpack to; a zip bomb unpacks to gigabytes
MAX_TRAPS = 20
MAX_CELLS = 20_000_000  # of a sheet's used area: a table of 13,000 rows by 20 columns has 260,000
# Elements of the styles part (fonts, fills, cell formats...), which openpyxl reads whole before any cell: Excel
# allows 64,000 cell formats; a 28 KB workbook declaring 3,000,000 took 2 GB.
MAX_STYLE_ELEMENTS = 500_000  # start tags: one format with its alignment and protection is three
_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")  # a name Excel writes unquoted (others: 'Data IKM'!A1)


class UnnamedColumn(ValueError):
    """A workbook cell holds a value in a column with no header (the cell, e.g. Pelatihan!I7); or, with `title`,
    the first row holds one cell, a table's title above its column names (that cell)."""

    def __init__(self, location: str, title: str = ""):
        super().__init__(location)
        self.title = title


class DuplicateName(ValueError):
    """Two columns of a sheet have one name (the second's cell in `location`)."""

    def __init__(self, location: str, message: str):
        super().__init__(message)
        self.location = location


class SheetMissing(ValueError):
    """The `sheet` a resource names is not in its workbook: an error in datapackage.yaml, or, where a sheet was
    only renamed (`in_workbook`), in the workbook."""

    def __init__(self, message: str, in_workbook: bool = False):
        super().__init__(message)
        self.in_workbook = in_workbook


class NotAWorkbook(ValueError):
    """The file is not a workbook buletin can read; the message says what it is and what to do."""


class WorkbookTraps(ValueError):
    """Cells that Excel shows but that read differently: (cell, what to do) for each."""

    def __init__(self, traps: list[tuple[str, str]]):
        super().__init__(f"{len(traps)} cells")
        self.traps = traps


def check_workbook_file(path: Path) -> None:
    """Refuse what is not an .xlsx workbook, or would unpack to too much, with what to do in Excel."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise NotAWorkbook(_("the file is empty: save the workbook again from Excel"))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotAWorkbook(_("a password-protected workbook, or an old Excel 97-2003 .xls: in Excel remove the "
                             "password (File > Info > Protect Workbook) or use File > Save As > Excel Workbook "
                             "(.xlsx)"))
    if not zipfile.is_zipfile(path):
        raise NotAWorkbook(_("this is not an Excel workbook (.xlsx), perhaps a CSV or another file renamed: in Excel "
                             "use File > Save As > Excel Workbook (.xlsx), or keep it as .csv and change its `path` "
                             "in data/datapackage.yaml"))
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            styles = _elements(archive, "xl/styles.xml") if unpacked <= MAX_UNPACKED else 0
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged(exc) from None
    if "xl/workbook.xml" not in names:
        raise NotAWorkbook(_("a zip file, not an Excel workbook (.xlsx): in Excel use File > Save As > Excel "
                             "Workbook (.xlsx)"))
    if unpacked > MAX_UNPACKED:
        raise NotAWorkbook(_("the workbook unpacks to {size} MB, more than {limit} MB: keep only the table in it, "
                             "or save it as CSV").format(size=number(unpacked // 2**20),
                                                         limit=number(MAX_UNPACKED // 2**20)))
    if styles > MAX_STYLE_ELEMENTS:
        raise NotAWorkbook(_("the workbook's styles hold {count} parts, far more than a table needs (Excel itself "
                             "allows 64,000 cell formats): copy the table into a new workbook with Paste "
                             "Special > Values, and save that").format(count=number(styles)))


def _elements(archive: zipfile.ZipFile, name: str) -> int:
    """How many elements a part of the workbook holds (0 when it has no such part), read a megabyte at a time:
    its start tags, not its end tags, declarations or comments."""
    try:
        part = archive.open(name)
    except KeyError:
        return 0
    count = 0
    with part:
        while chunk := part.read(2**20):
            count += chunk.count(b"<") - chunk.count(b"</") - chunk.count(b"<?") - chunk.count(b"<!")
    return count


@dataclass(frozen=True)
class SheetCells:
    """A sheet read as text: its cells under their names, each row's reference with `{col}` for the column
    (Data!{col}7), the column letter of each name, and the sheet's name as a reference writes it."""

    frame: pd.DataFrame
    locations: list[str]
    letters: dict[str, str]
    sheet: str
    percent: tuple[tuple[int, str], ...] = ()  # (row, name) of the numbers shown as percentages
    hidden: tuple[int, ...] = ()  # rows hidden in Excel (by hand or by a filter), which are read all the same


def _damaged(reason: Exception) -> NotAWorkbook:
    return NotAWorkbook(_("a damaged workbook ({reason}): open it in Excel and save it again").format(reason=reason))


def read_xlsx(path: Path, spec: ResourceSpec) -> SheetCells:
    import openpyxl

    check_workbook_file(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a damaged part (IndexError, KeyError, ...)
        raise NotAWorkbook(_("the workbook cannot be read ({reason}): open it in Excel and save it again").format(
            reason=exc)) from None
    try:
        sheet = _sheet(book, spec)
        _check_area(sheet.title, sheet.max_row or 0, sheet.max_column or 0)
        sheet.reset_dimensions()  # the area a workbook declares may stop short of its last rows (written by a tool)
        rows, percent = _cells(sheet)
        name = _quoted(sheet.title)
        traps, hidden_rows = _scan(sheet)
    except ParseError as exc:  # the sheet's XML is not well formed
        raise _damaged(exc) from None
    finally:
        book.close()
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    header = [h.strip() for h in rows[0]] if rows else []
    named = [i for i in range(width) if header[i]]
    if len(named) == 1 and any(sum(1 for cell in row if cell) > 1 for row in rows[1:]):
        # one cell above rows of several (merged across them or not): a title, not the column names
        raise UnnamedColumn(f"{name}!{get_column_letter(named[0] + 1)}1", header[named[0]])
    if traps:
        raise WorkbookTraps([(f"{name}!{cell}", message) for cell, message in traps])
    _check_names(header, name)
    for i in range(width):  # formatted but empty columns beside the table are not data; a value without a header is
        found = next((n for n, row in enumerate(rows[1:], start=2) if not header[i] and row[i] != ""), None)
        if found is not None:
            raise UnnamedColumn(f"{name}!{get_column_letter(i + 1)}{found}")
    body = [(number, [row[i] for i in named]) for number, row in enumerate(rows[1:], start=2)
            if any(row[i] != "" for i in named)]
    import pandas as pd

    frame = pd.DataFrame([cells for _, cells in body], columns=[header[i] for i in named], dtype=str)
    position = {number: index for index, (number, _) in enumerate(body)}
    shown = tuple((position[r + 1], header[c]) for r, c in sorted(percent) if r + 1 in position and c in named)
    hidden = tuple(position[number] for number in sorted(hidden_rows) if number in position)
    return SheetCells(frame, [f"{name}!{{col}}{number}" for number, _ in body],
                      {header[i]: get_column_letter(i + 1) for i in named}, name, shown, hidden)


# In a number format, text in quotes and a character after a backslash are shown as they are (`0.0"%"` shows
# 12.5 as "12.5%"); only a bare % multiplies the value by 100 for display.
_LITERALS = re.compile(r'"[^"]*"?|\\.')


def _cells(sheet: Any) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """The sheet's cells as text, and (row, column) of the numbers it shows as percentages: Excel keeps 12.5%
    as 0.125, and that is what the data then say."""
    rows, percent, width = [], set(), 0
    for r, row in enumerate(sheet.iter_rows()):
        width = max(width, len(row))
        _check_area(sheet.title, r + 1, width)  # a sheet that declares no area: its rows are counted as they come
        texts = []
        for c, cell in enumerate(row):
            value = cell.value
            if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                    "%" in _LITERALS.sub("", getattr(cell, "number_format", None) or ""):
                percent.add((r, c))
            texts.append(_cell_text(value))
        rows.append(texts)
    return rows, percent


def _check_area(sheet: str, rows: int, columns: int) -> None:
    """Refuse a sheet whose used area is far larger than a table: every row of it would be read, padded to its
    width (one stray mark at XFD1048576 makes 17 billion cells of a 5 KB file)."""
    if rows * columns > MAX_CELLS:
        from openpyxl.utils import get_column_letter as letter

        raise NotAWorkbook(_("the sheet `{sheet}` reaches cell {cell}, far beyond a table ({count} cells): delete the "
                             "empty rows below the table and the columns beside it (select them, right-click, "
                             "Delete), then save").format(sheet=sheet, cell=f"{letter(columns)}{rows}",
                                                         count=number(rows * columns)))


def _sheet(book: Any, spec: ResourceSpec) -> Any:
    """The sheet `sheet:` names, or the first visible sheet of cells (a hidden one is not what staff see)."""
    tables = [sheet.title for sheet in book.worksheets]
    if spec.sheet and spec.sheet not in book.sheetnames:
        renamed = [name for name in book.sheetnames if " ".join(name.split()).casefold() == spec.sheet.casefold()]
        if renamed:  # a clerk's rename, most likely: the workbook is where to mend it
            raise SheetMissing(_("the sheet that {declared} names `{sheet}` is called `{renamed}` here: rename it "
                                 "`{sheet}` exactly (in Excel: double-click the sheet's tab), then save; or, if "
                                 "the workbook has it right, correct `sheet` there").format(
                                     declared=f"{spec.declared_in}:{spec.sheet_line or spec.line}", sheet=spec.sheet,
                                     renamed=renamed[0]), in_workbook=True)
        raise SheetMissing(_("the workbook {path} of `{dataset}` has no sheet `{sheet}` (its sheets: {sheets}): "
                             "correct `sheet`").format(dataset=spec.name, path=spec.path, sheet=spec.sheet,
                                                       sheets=", ".join(f"`{name}`" for name in book.sheetnames)))
    if spec.sheet and spec.sheet not in tables:
        raise SheetMissing(_("the sheet `{sheet}` of {path} holds a chart, not a table: name the sheet that holds "
                             "the table (sheets with cells: {sheets})").format(
                                 sheet=spec.sheet, path=spec.path, sheets=", ".join(tables) or "-"))
    if spec.sheet:
        return book[spec.sheet]
    if not book.worksheets:
        raise NotAWorkbook(_("the workbook has no sheet of cells, only charts: add the table's sheet"))
    return next((sheet for sheet in book.worksheets if sheet.sheet_state == "visible"), book.worksheets[0])


def _check_names(header: list[str], sheet: str) -> None:
    """Each column named once: two columns of one name would read as one."""
    first: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name in first:
            raise DuplicateName(f"{sheet}!{get_column_letter(i + 1)}1", _(
                "the column `{name}` is named twice in the first row ({first} and {second}): rename or remove "
                "one").format(name=name, first=f"{get_column_letter(first[name] + 1)}1",
                              second=f"{get_column_letter(i + 1)}1"))
        first.setdefault(name, i)


def get_column_letter(index: int) -> str:
    """Excel's letter of a column, from 1: A, ..., Z, AA."""
    from openpyxl.utils import get_column_letter as letter

    return letter(index)


def _quoted(title: str) -> str:
    """A sheet's name as Excel writes it in a reference: Data!A1, 'Data IKM'!A1, '2020'!A1."""
    return title if _PLAIN_SHEET.fullmatch(title) else "'" + title.replace("'", "''") + "'"


def _scan(sheet: Any) -> tuple[list[tuple[str, str]], set[int]]:
    """Merged cells and formulas with no saved value (both read as empty, so totals would silently change), and
    the numbers of the rows hidden in Excel (openpyxl's read-only mode keeps neither)."""
    from xml.etree.ElementTree import iterparse

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found: list[tuple[str, str]] = []
    hidden: set[int] = set()
    source = sheet._get_source()  # the sheet's XML, streamed: openpyxl's read-only mode keeps no merges
    try:
        for _event, element in iterparse(source):
            if element.tag == f"{main}c":
                formula, value = element.find(f"{main}f"), element.find(f"{main}v")
                if formula is not None and (value is None or value.text is None):
                    found.append((element.get("r", "?"), _("a formula whose value was never saved (the file was "
                                                           "written by a program, not Excel): open it in Excel and "
                                                           "save it, or type the values in")))
                element.clear()
            elif element.tag == f"{main}row":
                number = element.get("r", "")
                if element.get("hidden") in ("1", "true") and number.isdigit():
                    hidden.add(int(number))
                element.clear()
            elif element.tag == f"{main}mergeCell":
                area = element.get("ref", "?")
                found.append((area.split(":")[0], _("cells {area} are merged, so all but the first read as empty: "
                                                    "in Excel select them, click Home > Merge & Center to unmerge, "
                                                    "and fill every cell").format(area=area)))
    finally:
        source.close()
    return found[:MAX_TRAPS], hidden


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


