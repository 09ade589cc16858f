"""Datasets read as text: each resource (CSV or XLSX) as a table of cells as written, with where each row
stands in its file."""
from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buletin.inputs.csvfiles import CsvProblem, read_csv
from buletin.inputs.datapackage import ResourceSpec
from buletin.inputs.workbooks import (
    DuplicateName,
    NotAWorkbook,
    SheetMissing,
    UnnamedColumn,
    WorkbookTraps,
    read_xlsx,
)
from buletin.messages import N_, _, number
from buletin.problems import Problems

if TYPE_CHECKING:
    import pandas as pd

MAX_REPORTED = 10  # columns named one by one in a header's problems; the rest are counted
MAX_CELL = 10_000  # characters in one cell: a long description fits; a file pasted into a cell does not
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """A validated resource: its cells as written (text), with where each row stands in its file."""

    spec: ResourceSpec
    frame: pd.DataFrame  # every column as text, "" for empty cells
    locations: list[str]  # per row: the file line ("42") or the workbook cell row ("Pelatihan!{col}7")
    letters: dict[str, str] = field(default_factory=dict)  # a workbook's column letter of each name
    percent: tuple[tuple[int, str], ...] = ()  # (row, name) of the numbers a workbook shows as percentages
    hidden: tuple[int, ...] = ()  # rows a workbook hides, read all the same
    _numeric: dict[str, Any] = field(default_factory=dict)
    _rows_of: dict[str, dict[str, Any]] = field(default_factory=dict)

    def matching(self, column: str, values: list[str]) -> Any:
        """A boolean array: the rows whose cell in `column` is one of `values`, as written. (Each column's rows by
        value are found once: a build quotes and charts the same columns hundreds of times, and comparing a
        column's every cell takes about as long as finding them all.)"""
        import numpy as np

        rows_of = self._rows_by_value(column)
        mask = np.zeros(len(self.frame), dtype=bool)
        for value in values:
            found = rows_of.get(value)
            if found is not None:
                mask[found] = True
        return mask

    def absent(self, column: str, values: list[str]) -> list[str]:
        """The values that no row has in `column`, as written."""
        rows_of = self._rows_by_value(column)
        return [value for value in values if value not in rows_of]

    def _rows_by_value(self, column: str) -> dict[str, Any]:
        rows_of = self._rows_of.get(column)
        if rows_of is None:
            rows_of = self._rows_of[column] = self.frame.groupby(column, sort=False).indices
        return rows_of

    def numeric(self, column: str):
        """The column as numbers (NaN where empty), cached."""
        if column not in self._numeric:
            import pandas as pd

            self._numeric[column] = pd.to_numeric(self.frame[column].replace("", None), errors="coerce")
        return self._numeric[column]

    def labels(self, column: str, tables: Callable[[str], Table | None]) -> dict[str, str] | None:
        """Code -> label for a column with a single-field foreign key (the referenced `nama`, or first text)."""
        for fk in self.spec.foreign_keys:
            if fk.fields == (column,) and len(fk.reference_fields) == 1:
                target = tables(fk.resource)
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
            cells = read_xlsx(path, spec)
            frame, locations, letters, sheet = cells.frame, cells.locations, cells.letters, cells.sheet
            percent, hidden = cells.percent, cells.hidden
        elif path.suffix.lower() == ".csv":
            if not path.read_bytes().strip():
                problems.add(spec.path, None, _("the file is empty: it needs at least its first line, the column "
                                                "names ({names})").format(names=", ".join(spec.field_names)))
                return None
            frame, locations = read_csv(path, spec.field_names)
            letters, sheet, percent, hidden = {}, None, (), ()
        else:
            problems.add(spec.path, None, _("buletin reads only .csv and .xlsx data files: save the table as one of "
                                            "them, and change its `path` in data/datapackage.yaml"))
            return None
    except UnicodeDecodeError:
        line = _first_bad_line(path)
        # Panduan: Di Excel: File > Save As, lalu pilih jenis berkas CSV UTF-8 (Comma delimited) (*.csv).
        problems.add(spec.path, line, _("this text is Unicode Text (UTF-16), not CSV: in Excel, save it again as "
                                        "CSV UTF-8 (Comma delimited)") if _utf16(path) else
                     _("this text is not UTF-8 (a character such as é saved in another encoding): save the file as "
                       "CSV UTF-8"))
        return None
    except SheetMissing as exc:
        if exc.in_workbook:
            problems.add(spec.path, None, str(exc))
        else:
            problems.add(spec.declared_in, spec.sheet_line or spec.line, str(exc))
        return None
    except NotAWorkbook as exc:
        problems.add(spec.path, None, str(exc))
        return None
    except DuplicateName as exc:
        problems.add(spec.path, None, str(exc), location=exc.location)
        return None
    except WorkbookTraps as exc:
        for location, message in exc.traps:
            problems.add(spec.path, None, message, location=location)
        return None
    except UnnamedColumn as exc:
        if exc.title:
            problems.add(spec.path, None, _("the sheet's first row holds only `{title}`, where the column names "
                                            "belong: remove that title row, so that the names come first").format(
                                                title=exc.title[:60]), location=str(exc))
            return None
        problems.add(spec.path, None, _("a value stands in a column without a name: give the column a name that "
                                        "data/datapackage.yaml lists, or move the value (a note belongs outside the "
                                        "table's sheet)"), location=str(exc))
        return None
    except CsvProblem as exc:
        problems.add(spec.path, exc.line, str(exc))
        return None
    except (ValueError, KeyError, OSError) as exc:
        problems.add(spec.path, None, _("the file cannot be read ({reason}): save it again as CSV UTF-8").format(
            reason=" ".join(str(exc).split())))
        return None
    declared = spec.field_names
    missing = [name for name in declared if name not in frame.columns]
    extra = [name for name in frame.columns if name not in declared]
    misnamed = _misnamed(missing, extra)  # each pair taken out of both lists
    for name, found, message in misnamed:
        problems.add(spec.path, 1, _(message).format(found=found, name=name),
                     location=f"{sheet}!{letters[found]}1" if sheet else None)
    for name in missing:
        problems.add(spec.path, 1, _("the column `{name}` is missing: data/datapackage.yaml lists it, so add it to "
                                     "the file's first line (or check its spelling)").format(name=name),
                     location=f"{sheet}!A1" if sheet else None)
    for name in extra[:MAX_REPORTED]:
        problems.add(spec.path, 1, _("the column `{name}` is not in the rules of `{dataset}` in "
                                     "data/datapackage.yaml: correct its name, or add the column there").format(
                                         name=name, dataset=spec.name),
                     location=f"{sheet}!{letters[name]}1" if sheet else None)
    if len(extra) > MAX_REPORTED:
        problems.add(spec.path, 1, _("{count} more columns are not in the rules of `{dataset}`: is this the file "
                                     "meant?").format(count=number(len(extra) - MAX_REPORTED), dataset=spec.name))
    if missing or extra or misnamed:
        return None
    frame = frame[declared].reset_index(drop=True)
    if spec.missing_values:
        frame = frame.map(lambda text: "" if text in spec.missing_values else text)
    return Table(spec, frame, locations, letters, percent, hidden)


def _utf16(path: Path) -> bool:
    """Whether a file starts with UTF-16's byte-order mark (Excel's "Unicode Text")."""
    try:
        with open(path, "rb") as file:
            return file.read(2) in (b"\xff\xfe", b"\xfe\xff")
    except OSError:
        return False


def _first_bad_line(path: Path) -> int | None:
    """The line of the first byte that is not UTF-8 (pandas reports offsets within its read buffer)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return None


# A declared name missing from the file, beside a column of the file no declaration names: the same name written
# otherwise (`Nilai`, `unit usaha`: one slip, said once), else one a letter off (`unit_usha`: a slip on either side)
_PAIRINGS = (
    (lambda name, extra: next((other for other in extra if _loose(other) == _loose(name)), None),
     N_("the column `{found}` is named `{name}` in data/datapackage.yaml: write it so, letter for letter")),
    (lambda name, extra: next(iter(difflib.get_close_matches(name, extra, n=1, cutoff=0.8)), None),
     N_("the column `{found}` is declared as `{name}` in data/datapackage.yaml, the name articles and charts use: if "
        "`{name}` is right, rename the column so here; if it is misspelt, have data/datapackage.yaml corrected")),
)


def _misnamed(missing: list[str], extra: list[str]) -> list[tuple[str, str, str]]:
    """(declared name, the file's name, message) of each pair, the closer kind first; both lists lose them."""
    found_pairs = []
    for match, message in _PAIRINGS:
        for name in list(missing):
            found = match(name, extra)
            if found is not None:
                missing.remove(name)
                extra.remove(found)
                found_pairs.append((name, found, message))
    return found_pairs


def _loose(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.casefold())


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


