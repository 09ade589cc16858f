"""Workbooks (.xlsx) read as text cells, with the traps Excel hides named by their cell: merged cells and
formulas whose value was never saved read as empty, which would silently change the totals."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buletin.inputs.datapackage import ResourceSpec
from buletin.messages import _, number

if TYPE_CHECKING:
    import pandas as pd

MAX_UNPACKED = 200 * 1024 * 1024  # bytes a workbook may unpack to; a zip bomb unpacks to gigabytes
MAX_TRAPS = 20


class UnnamedColumn(ValueError):
    """A workbook cell holds a value in a column with no header (the cell, e.g. Pelatihan!I7); or, with `title`,
    the first row holds one cell, a table's title above its column names (that cell)."""

    def __init__(self, location: str, title: str = ""):
        super().__init__(location)
        self.title = title


class SheetMissing(ValueError):
    """The `sheet` a resource names is not in its workbook: an error in datapackage.yaml."""


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
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotAWorkbook(_("a damaged workbook ({reason}): open it in Excel and save it again").format(
            reason=exc)) from None
    if "xl/workbook.xml" not in names:
        raise NotAWorkbook(_("a zip file, not an Excel workbook (.xlsx): in Excel use File > Save As > Excel "
                             "Workbook (.xlsx)"))
    if unpacked > MAX_UNPACKED:
        raise NotAWorkbook(_("the workbook unpacks to {size} MB, more than {limit} MB: keep only the table in it, "
                             "or save it as CSV").format(size=number(unpacked // 2**20),
                                                         limit=number(MAX_UNPACKED // 2**20)))


def read_xlsx(path: Path, spec: ResourceSpec) -> tuple[pd.DataFrame, list[str]]:
    import openpyxl
    import pandas as pd

    check_workbook_file(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise NotAWorkbook(_("the workbook cannot be read ({reason}): open it in Excel and save it again").format(
            reason=exc)) from None
    try:
        if spec.sheet and spec.sheet not in book.sheetnames:
            raise SheetMissing(_("the workbook {path} of `{dataset}` has no sheet `{sheet}` (its sheets: {sheets}): "
                                 "correct `sheet`").format(dataset=spec.name, path=spec.path, sheet=spec.sheet,
                                                   sheets=", ".join(book.sheetnames)))
        sheet = book[spec.sheet] if spec.sheet else book.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        title = sheet.title
        traps = _traps(sheet)
    finally:
        book.close()
    if traps:
        raise WorkbookTraps([(f"{_quoted(title)}!{cell}", message) for cell, message in traps])
    if not rows:
        return pd.DataFrame(columns=[]), []
    sheet_name = _quoted(title)
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    header = [h.strip() for h in rows[0]]
    keep = [i for i in range(width) if header[i]]
    for i in range(width):  # formatted but empty columns beside the table are not data; a value without a header is
        found = next((n for n, row in enumerate(rows[1:], start=2) if not header[i] and row[i] != ""), None)
        if found is not None:
            from openpyxl.utils import get_column_letter

            if len(keep) == 1 and found == 2:  # one cell above a row of several: a title, not names
                raise UnnamedColumn(f"{sheet_name}!{get_column_letter(keep[0] + 1)}1", header[keep[0]])
            raise UnnamedColumn(f"{sheet_name}!{get_column_letter(i + 1)}{found}")
    body = [(number, [row[i] for i in keep]) for number, row in enumerate(rows[1:], start=2)
            if any(row[i] != "" for i in keep)]
    frame = pd.DataFrame([cells for _, cells in body], columns=[header[i] for i in keep], dtype=str)
    return frame, [f"{sheet_name}!{{col}}{number}" for number, _ in body]


def _quoted(title: str) -> str:
    """A sheet's name as Excel writes it in a reference: 'Data IKM'!A1."""
    return f"'{title}'" if " " in title else title


def _traps(sheet: Any) -> list[tuple[str, str]]:
    """Merged cells and formulas with no saved value: both read as empty, so totals would silently change."""
    from xml.etree.ElementTree import iterparse

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found: list[tuple[str, str]] = []
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
            elif element.tag == f"{main}mergeCell":
                area = element.get("ref", "?")
                found.append((area.split(":")[0], _("cells {area} are merged, so all but the first read as empty: "
                                                    "in Excel select them, click Home > Merge & Center to unmerge, "
                                                    "and fill every cell").format(area=area)))
    finally:
        source.close()
    return found[:MAX_TRAPS]


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


