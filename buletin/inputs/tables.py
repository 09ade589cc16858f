"""Datasets: read each resource (CSV or XLSX) as text, validate it against its schema."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buletin.inputs.datapackage import ResourceSpec
from buletin.problems import Problems

if TYPE_CHECKING:
    import pandas as pd

    from buletin.inputs.catalog import Catalog

MAX_ERRORS_PER_COLUMN = 10
MAX_CELL = 10_000  # characters in one cell: a long description fits; a file pasted into a cell does not
MAX_UNPACKED = 200 * 1024 * 1024  # bytes a workbook may unpack to; a zip bomb unpacks to gigabytes
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # invisible characters no data cell needs (tab and newline may)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


@dataclass
class Table:
    """A validated resource: its cells as written (text), with where each row stands in its file."""

    spec: ResourceSpec
    frame: pd.DataFrame  # every column as text, "" for empty cells
    locations: list[str]  # per row: the file line ("42") or the workbook cell row ("Pelatihan!{col}7")
    _numeric: dict[str, Any] = field(default_factory=dict)

    def numeric(self, column: str):
        """The column as numbers (NaN where empty), cached."""
        if column not in self._numeric:
            import pandas as pd

            self._numeric[column] = pd.to_numeric(self.frame[column].replace("", None), errors="coerce")
        return self._numeric[column]

    def labels(self, column: str, catalog: Catalog) -> dict[str, str] | None:
        """Code -> label for a column with a single-field foreign key (the referenced `nama`, or first text)."""
        for fk in self.spec.foreign_keys:
            if fk.fields == (column,) and len(fk.reference_fields) == 1:
                target = catalog.get(fk.resource)
                if target is None:
                    return None
                label = _label_field(target.spec, fk.reference_fields[0])
                if label is None:
                    return None
                return dict(zip(target.frame[fk.reference_fields[0]], target.frame[label], strict=True))
        return None


def _label_field(spec: ResourceSpec, key: str) -> str | None:
    names = spec.field_names
    if "nama" in names and key != "nama":
        return "nama"
    if "name" in names and key != "name":
        return "name"
    return next((f.name for f in spec.fields if f.type == "string" and f.name != key), None)


def read_table(site_root: Path, spec: ResourceSpec, problems: Problems) -> Table | None:
    """Read a CSV or XLSX resource as text cells; report unreadable files and column mismatches."""
    path = site_root / spec.path
    if not path.is_file():
        return None
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame, locations = _read_xlsx(path, spec)
        elif path.suffix.lower() == ".csv":
            if not path.read_bytes().strip():
                problems.add(spec.path, None, "the file is empty: it needs at least its first line, the column "
                             f"names ({', '.join(spec.field_names)})")
                return None
            frame, locations = _read_csv(path)
        else:
            problems.add(spec.path, None, "only .csv and .xlsx resources can be read")
            return None
    except UnicodeDecodeError:
        line = _first_bad_line(path)
        problems.add(spec.path, line, "not UTF-8 text (a character such as é saved in another encoding): "
                     "save the file as CSV UTF-8")
        return None
    except SheetMissing as exc:
        problems.add(spec.declared_in, spec.sheet_line or spec.line, str(exc))
        return None
    except NotAWorkbook as exc:
        problems.add(spec.path, None, str(exc))
        return None
    except WorkbookTraps as exc:
        for location, message in exc.traps:
            problems.add(spec.path, None, message, location=location)
        return None
    except UnnamedColumn as exc:
        problems.add(spec.path, None, "a value stands in a column without a header: give the column a header "
                     "declared in the schema, or move the value (a note belongs outside the table's sheet)",
                     location=str(exc))
        return None
    except (ValueError, KeyError, OSError) as exc:
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if unclosed:
            problems.add(spec.path, int(unclosed.group(1)) + 1, 'a double quote (") opens a value here that is never '
                         "closed: close it, or remove it")
        elif ragged:
            expected, line, found = ragged.groups()
            problems.add(spec.path, int(line), f"this row has {found} cells but the header has {expected}: a value "
                         'holding a comma must be in double quotes ("Buton, Utara"), or a column is missing '
                         "from the header")
        else:
            problems.add(spec.path, None, f"cannot read the file: {' '.join(str(exc).split())}")
        return None
    declared = spec.field_names
    if len(frame.columns) == 1 and ";" in frame.columns[0] and len(declared) > 1:
        problems.add(spec.path, 1, "the values are separated by `;`: save the file as CSV with commas "
                     "(in Excel: CSV UTF-8, comma delimited)")
        return None
    missing = [name for name in declared if name not in frame.columns]
    extra = [name for name in frame.columns if name not in declared]
    header = _header_location(spec)
    for name in missing:
        problems.add(spec.path, 1, f"column `{name}` is declared in the schema but missing from the file",
                     location=header)
    for name in extra:
        problems.add(spec.path, 1, f"column `{name}` is not declared in the schema of `{spec.name}`",
                     location=header)
    if missing or extra:
        return None
    frame = frame[declared].reset_index(drop=True)
    if spec.missing_values:
        frame = frame.map(lambda text: "" if text in spec.missing_values else text)
    return Table(spec, frame, locations)


def _first_bad_line(path: Path) -> int | None:
    """The line of the first byte that is not UTF-8 (pandas reports offsets within its read buffer)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return None


def _header_location(spec: ResourceSpec) -> str | None:
    return f"{spec.sheet or 'Sheet1'}!A1" if spec.path.lower().endswith((".xlsx", ".xlsm")) else None


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                        encoding="utf-8", encoding_errors="strict")
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = frame.apply(lambda column: column.str.strip())
    lines = _record_lines(path) if frame.apply(lambda c: c.str.contains("\n")).to_numpy().any() else None
    keep = (frame != "").any(axis=1)
    numbers = [str(lines[i] if lines else i + 2) for i in range(len(frame))]
    locations = [n for n, kept in zip(numbers, keep, strict=True) if kept]
    return frame[keep], locations


def _record_lines(path: Path) -> list[int]:
    """The starting line of each record, for files with line breaks inside quoted cells."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        starts, start = [], 1
        for _ in reader:
            starts.append(start)
            start = reader.line_num + 1
    return starts[1:]


class UnnamedColumn(ValueError):
    """A workbook cell holds a value in a column with no header (the cell, e.g. Pelatihan!I7)."""


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
        raise NotAWorkbook("the file is empty: save the workbook again from Excel")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotAWorkbook("a password-protected workbook, or an old Excel 97-2003 .xls: in Excel remove the "
                           "password (File > Info > Protect Workbook) or use File > Save As > Excel Workbook (.xlsx)")
    if not zipfile.is_zipfile(path):
        raise NotAWorkbook("not an Excel workbook (.xlsx), perhaps a CSV or another file renamed: in Excel use "
                           "File > Save As > Excel Workbook (.xlsx), or keep it as .csv and change its `path`")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotAWorkbook(f"a damaged workbook ({exc}): open it in Excel and save it again") from None
    if "xl/workbook.xml" not in names:
        raise NotAWorkbook("a zip file but not an Excel workbook (.xlsx): in Excel use File > Save As > "
                           "Excel Workbook (.xlsx)")
    if unpacked > MAX_UNPACKED:
        raise NotAWorkbook(f"unpacks to {unpacked // 2**20:,} MB, more than {MAX_UNPACKED // 2**20} MB: keep only "
                           "the table in the workbook, or save it as CSV")


def _read_xlsx(path: Path, spec: ResourceSpec) -> tuple[pd.DataFrame, list[str]]:
    import openpyxl
    import pandas as pd

    check_workbook_file(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise NotAWorkbook(f"cannot be read as a workbook ({exc}): open it in Excel and save it again") from None
    try:
        if spec.sheet and spec.sheet not in book.sheetnames:
            raise SheetMissing(f"resource `{spec.name}`: {spec.path} has no sheet `{spec.sheet}` "
                               f"(its sheets: {', '.join(book.sheetnames)})")
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
        for _, element in iterparse(source):
            if element.tag == f"{main}c":
                formula, value = element.find(f"{main}f"), element.find(f"{main}v")
                if formula is not None and (value is None or value.text is None):
                    found.append((element.get("r", "?"), "a formula whose value was never saved (the file was "
                                  "written by a program, not Excel): open it in Excel and save it, or type the "
                                  "values in"))
                element.clear()
            elif element.tag == f"{main}mergeCell":
                area = element.get("ref", "?")
                found.append((area.split(":")[0], f"cells {area} are merged, so all but the first read as empty: "
                              "in Excel select them, click Home > Merge & Center to unmerge, and fill every cell"))
    finally:
        source.close()
    return found[:MAX_ERRORS_PER_COLUMN * 2]


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
                f"(U+{ord(re.search(_CONTROL, c.iloc[r]).group(0)):04X}): retype the cell", problems)
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
    first = {}
    for row, values in enumerate(map(tuple, table.frame[key].to_numpy())):
        first.setdefault(values, row)

    def repeated(r: int) -> str:
        values = tuple(table.frame[key].iloc[r])
        where = table.locations[first[values]].replace("{col}", "A")
        return (f"this row repeats {', '.join(f'{k}={cell(v)}' for k, v in zip(key, values, strict=True))} "
                f"from {'line ' if where.isdigit() else ''}{where}: keep one of the two")

    _report(table, _positions(duplicated), key[0], repeated, problems)


def check_foreign_keys(table: Table, catalog: Catalog, problems: Problems) -> None:
    """Every value of a foreign key must exist in the referenced resource."""
    for fk in table.spec.foreign_keys:
        target = catalog.get(fk.resource) if fk.resource else table
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


def spreadsheet_safe(text: str) -> str:
    """A cell that a spreadsheet would run as a formula (=, +, -, @ first, and not a number) made plain text
    with a leading apostrophe, as OWASP recommends for CSV downloads."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def as_text(value: Any) -> str:
    """A filter value (from YAML or a macro call) as the text written in a data file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


