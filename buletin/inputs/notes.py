"""data/catatan.yaml: notes that vouch for single values of a dataset.

A note names a dataset, a row by its primary key, a column, and why the value is right:

    - data: ikm
      row: {periode: 2020-11, kode_wilayah: "7403", sektor: pangan}
      column: nilai_investasi
      note: Investasi pabrik baru di Konawe.

A noted value raises no plausibility warning (inputs/plausibility.py), and the note is shown beside every
figure that includes the value: under a chart or table, and as a footnote of a quoted value (compose/).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buletin.inputs import yamlfile
from buletin.inputs.datapackage import PackageSpec, ResourceSpec
from buletin.inputs.paths import read_input
from buletin.inputs.plausibility import row_words
from buletin.inputs.schema import Where, option, validate
from buletin.messages import _
from buletin.problems import Problems, did_you_mean

if TYPE_CHECKING:
    from buletin.inputs.tables import Table

NOTES_FILE = "catatan.yaml"
_MEANT_AS_NOTES = ("catatan.yml", "Catatan.yaml", "catatan.yaml.txt", "notes.yaml", "notes.yml")  # by mistake


@dataclass(frozen=True)
class NoteDecl:
    """One entry of data/catatan.yaml."""

    data: str = option(example="`data: ikm`")
    row: dict[str, Any] = option(as_written=True, example='`row: {periode: 2020-11, kode_wilayah: "7403"}`')
    column: str = option(example="`column: nilai_investasi`")
    note: str = option(example="`note: Investasi pabrik baru di Konawe.`")


@dataclass(frozen=True)
class Note:
    """A value vouched for: its dataset, its row (the primary key's values as written), its column."""

    number: int  # its place in the file, from 1: the name of its footnote
    dataset: str
    row: tuple[tuple[str, str], ...]  # (key column, value), in the order of the primary key
    column: str
    text: str
    source: str  # data/catatan.yaml
    line: int | None  # the line of its `row`

    @property
    def label(self) -> str:
        """The footnote's name in a body's Markdown: [^catatan-3]."""
        return f"catatan-{self.number}"


Notes = dict[str, tuple[Note, ...]]  # by dataset


def load_notes(site_root: Path, data_dir: str, package: PackageSpec, problems: Problems) -> Notes:
    """The notes of data/catatan.yaml (none when there is no such file), each checked against the declarations;
    whether its row exists is checked with the data (check_rows)."""
    rel = f"{data_dir}/{NOTES_FILE}"
    path = site_root / rel
    if not path.exists() and not path.is_symlink():
        for other in _MEANT_AS_NOTES:
            if (site_root / data_dir / other).is_file():
                problems.warn(f"{data_dir}/{other}", None, _("this file is not read: the notes on values are read "
                                                             "from {file}: rename it").format(file=rel))
        return {}
    text = read_input(site_root, rel, problems)
    if text is None:
        return {}
    try:
        raw = yamlfile.load(text)
    except yamlfile.YamlError as exc:
        problems.add(rel, exc.line, str(exc))
        return {}
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.add(rel, 1, _("write one note per item, each starting with `- data:` (the dataset), then `row:`, "
                               "`column:` and `note:`"))
        return {}
    where = Where(rel, yamlfile.KeyLines(text))
    found: dict[str, list[Note]] = {}
    seen: dict[tuple[str, tuple[tuple[str, str], ...], str], int | None] = {}
    for index, item in enumerate(raw):
        note = _note(index, item, where.at(index), package, problems)
        if note is None:
            continue
        cell = (note.dataset, note.row, note.column)
        if cell in seen:
            problems.add(rel, where.at(index).line(), _("this value already has a note, on line {line}: keep one "
                                                        "of the two").format(line=seen[cell] or 0))
            continue
        seen[cell] = where.at(index).line()
        found.setdefault(note.dataset, []).append(note)
    return {name: tuple(notes) for name, notes in found.items()}


def _note(index: int, item: Any, here: Where, package: PackageSpec, problems: Problems) -> Note | None:
    """One entry, checked against the datasets' declarations (None when it has errors, reported)."""
    before = problems.mark()
    declared = validate(NoteDecl, item, here, problems)
    if declared is None or problems.mark() > before:
        return None
    tables = {spec.name: spec for spec in package.resources if not spec.is_geojson}
    spec = tables.get(declared.data)
    if spec is None:
        if declared.data not in package.unusable:  # declared with errors of its own, reported there
            problems.add(here.source, here.at("data").line(), _("there is no dataset `{name}` in "
                                                                "data/datapackage.yaml").format(name=declared.data)
                         + did_you_mean(declared.data, list(tables)))
        return None
    if spec.field(declared.column) is None:
        problems.add(here.source, here.at("column").line(), _("the dataset `{dataset}` has no column "
                                                              "`{column}`").format(dataset=spec.name,
                                                                                   column=declared.column)
                     + did_you_mean(declared.column, spec.field_names))
        return None
    row = _row(declared.row, spec, here.at("row"), problems)
    if row is None:
        return None
    return Note(index + 1, spec.name, row, declared.column, " ".join(declared.note.split()), here.source,
                here.at("row").line())


def _row(raw: dict[str, Any], spec: ResourceSpec, here: Where, problems: Problems
         ) -> tuple[tuple[str, str], ...] | None:
    """The row's primary key values, in the key's order; None (reported) when the row is not named by exactly
    its primary key."""
    key = spec.primary_key
    if not key:
        problems.add(here.source, here.line(), _("the dataset `{dataset}` has no `primaryKey`, so a row of it cannot "
                                                 "be named: give it one in data/datapackage.yaml").format(
                                                     dataset=spec.name))
        return None
    good = True
    for name, value in raw.items():
        if name not in key:
            problems.add(here.source, here.at(name).line(), _("`{column}` is not a column of the primary key of "
                                                              "`{dataset}`: name the row by {key}").format(
                                                                  column=name, dataset=spec.name, key=", ".join(key))
                         + did_you_mean(str(name), key))
            good = False
        elif not isinstance(value, str) or not value:
            problems.add(here.source, here.at(name).line(), _("`{column}` must be one value as the data write it, "
                                                              "e.g. 2020-11").format(column=name))
            good = False
    missing = [name for name in key if name not in raw]
    if missing:
        problems.add(here.source, here.line(), _("`row` must give every column of the primary key of `{dataset}` "
                                                 "({key}); missing: {missing}").format(
                                                     dataset=spec.name, key=", ".join(key), missing=", ".join(missing)))
    return tuple((name, str(raw[name])) for name in key) if good and not missing else None


def note_rows(table: Table, notes: tuple[Note, ...]) -> list[tuple[int | None, Note]]:
    """Each note with the position of its row in the table (None when no row has its key)."""
    frame, found = table.frame, []
    for note in notes:
        mask = frame.index == frame.index
        for name, value in note.row:
            mask = mask & (frame[name] == value).to_numpy()
        positions = mask.nonzero()[0]
        found.append((int(positions[0]) if len(positions) else None, note))
    return found


def check_rows(table: Table, rows: list[tuple[int | None, Note]], problems: Problems) -> None:
    """A note must name a row that is in the data."""
    for position, note in rows:
        if position is None:
            named = ", ".join(f"{name}={value}" for name, value in note.row)
            months = [(name, str(value)[:7]) for name, value in note.row  # a day where the column holds months
                      if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value))
                      and (spec := table.spec.field(name)) is not None and spec.type == "yearmonth"]
            problems.add(note.source, note.line, _("no row of `{dataset}` has {named}: correct `row`, or remove the "
                                                   "note").format(dataset=note.dataset, named=named) + "".join(
                _(" (`{column}` holds months, written {month})").format(column=name, month=month)
                for name, month in months))


def covered(rows: list[tuple[int | None, Note]], columns: list[str] | tuple[str, ...], mask: Any
            ) -> tuple[Note, ...]:
    """The notes whose value lies in `columns` of the rows `mask` selects."""
    return tuple(note for position, note in rows
                 if position is not None and note.column in columns and bool(mask[position]))


def note_text(note: Note, table: Table, tables: Callable[[str], Table | None], language: str) -> str:
    """How a note is shown to readers: the value it is about, in words, then the note."""
    column = table.spec.field(note.column)
    title = column.title if column and column.title else note.column
    where = ", ".join([title, *row_words(table, tables, dict(note.row), language)])
    return f"{where} — {note.text}"
