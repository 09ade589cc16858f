"""The site's datasets: declared up front, validated once per content hash, loaded only when used."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from buletin import messages
from buletin.build.state import NO_STATE, BuildState, make_key
from buletin.inputs.datapackage import PackageSpec, ResourceSpec, load_package, warn_undeclared
from buletin.inputs.geojson import Geometry, read_geojson
from buletin.inputs.notes import NOTES_FILE, Note, Notes, check_rows, load_notes, note_rows
from buletin.inputs.plausibility import Finding, find
from buletin.inputs.tables import Table, read_table
from buletin.inputs.validation import check_table
from buletin.problems import Problems

LIVE_DATA = "data"  # the current data; a published edition's snapshot (data/releases/) is frozen


@dataclass
class Catalog:
    """Every resource of a site, by name. Tables and maps are read on first use; each use is recorded in
    `accessed`, so a cache entry can name exactly the datasets it depends on.

    Map resources (GeoJSON, docs/reference.md §6.5) are not tables: `names`, `spec()`, `get()` and `tables` know only
    tables; `geometry_names`, `geometry_spec()` and `geometry()` the maps. `hashes` holds both."""

    package: PackageSpec
    site_root: Path
    hashes: dict[str, str]  # name -> sha256 of the resource's file, declaration and notes
    broken: set[str] = field(default_factory=set)  # declared resources that could not be read
    accessed: set[str] = field(default_factory=set)
    notes: Notes = field(default_factory=dict)  # data/catatan.yaml, by dataset
    findings: list[Finding] = field(default_factory=list)  # the plausibility warnings of the current data
    faulty: dict[str, set[str]] = field(default_factory=dict)  # a table's columns with errors in their cells
    _tables: dict[str, Table] = field(default_factory=dict)
    _geometries: dict[str, Geometry] = field(default_factory=dict)
    _note_rows: dict[str, list[tuple[int | None, Note]]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The usable tables (not the maps)."""
        return [spec.name for spec in self.package.resources if spec.name not in self.broken and not spec.is_geojson]

    @property
    def geometry_names(self) -> list[str]:
        """The usable map resources (GeoJSON)."""
        return [spec.name for spec in self.package.resources if spec.name not in self.broken and spec.is_geojson]

    def without_tables(self) -> Catalog:
        """The declarations and hashes alone (for a worker that renders pages and reads no data)."""
        return Catalog(self.package, self.site_root, dict(self.hashes), set(self.broken), notes=self.notes)

    def is_broken(self, name: str) -> bool:
        """Declared, but unusable for an error reported at its declaration or its file."""
        return name in self.broken or self.package.failed

    def spec(self, name: str) -> ResourceSpec | None:
        """A usable table's declaration."""
        return next((s for s in self.package.resources if s.name == name and name not in self.broken
                     and not s.is_geojson), None)

    def geometry_spec(self, name: str) -> ResourceSpec | None:
        """A map resource's declaration, usable or not (None when no map resource has that name)."""
        return next((s for s in self.package.resources if s.name == name and s.is_geojson), None)

    def geometry(self, name: str) -> Geometry | None:
        """A usable map resource's areas, read now if they were not yet (their validation already passed)."""
        spec = self.geometry_spec(name)
        if spec is None or name in self.broken:
            return None
        self.accessed.add(name)
        if name not in self._geometries:
            geometry = read_geojson(self.site_root, spec.path, name, spec.key, Problems())
            if geometry is None:
                self.broken.add(name)
                return None
            self._geometries[name] = geometry
        return self._geometries[name]

    def geometry_file(self, name: str) -> bytes | None:
        """A usable map resource's file as published under data/ (the GeoJSON as it is); None for others."""
        spec = self.geometry_spec(name)
        if spec is None or name in self.broken:
            return None
        return (self.site_root / spec.path).read_bytes()

    def get(self, name: str) -> Table | None:
        """The table, read now if it was not yet (its validation already passed)."""
        spec = self.spec(name)
        if spec is None:
            return None
        self.accessed.add(name)
        if name not in self._tables:
            table = read_table(self.site_root, spec, Problems())
            if table is None:
                self.broken.add(name)
                return None
            self._tables[name] = table
        return self._tables[name]

    def note_rows(self, name: str) -> list[tuple[int | None, Note]]:
        """The notes of a table with the position of each one's row (None: no such row), read once."""
        table = self.get(name) if name in self.notes else None
        if table is None:
            return []
        if name not in self._note_rows:
            self._note_rows[name] = note_rows(table, self.notes[name])
        return self._note_rows[name]

    @property
    def tables(self) -> dict[str, Table]:
        """Every readable table, read now (for the data page and downloads)."""
        return {name: table for name in self.names if (table := self.get(name)) is not None}

    def dependencies(self, names: set[str]) -> dict[str, str]:
        """The hashes of `names` and of every resource they refer to by foreign key."""
        todo, seen = list(names), set()
        while todo:
            name = todo.pop()
            if name in seen or name not in self.hashes:
                continue
            seen.add(name)
            spec = self.spec(name)
            todo.extend(fk.resource for fk in (spec.foreign_keys if spec else ()))
        return {name: self.hashes[name] for name in sorted(seen)}


def _resource_hash(site_root: Path, spec: ResourceSpec, raw: dict, notes: tuple[Note, ...]) -> str:
    """The file, its declaration and its notes: whatever is made from a dataset is made again when one changes."""
    path = site_root / spec.path
    digest = hashlib.sha256(path.read_bytes() if path.is_file() else b"")
    digest.update(json.dumps(raw, sort_keys=True, default=str).encode("utf-8"))
    if notes:
        digest.update(json.dumps([[n.number, n.row, n.column, n.text, n.line] for n in notes]).encode("utf-8"))
    return digest.hexdigest()


def open_catalog(site_root: Path, data_dir: str, hashes: dict[str, str]) -> Catalog:
    """The catalog of datasets a build has validated already (in a worker process): read, not checked."""
    package = load_package(site_root, Problems(), data_dir)
    notes = load_notes(site_root, data_dir, package, Problems())
    return Catalog(package, site_root, hashes, broken=set(package.unusable), notes=notes)


def load_catalog(site_root: Path, problems: Problems, data_dir: str = LIVE_DATA, state: BuildState = NO_STATE,
                 language: str | None = None) -> Catalog:
    """Read datapackage.yaml and catatan.yaml; validate every resource whose file, declaration or notes changed
    since it last passed, and find its plausibility warnings (numbers in the site's `language`, read from
    site.yaml when not given)."""
    before = problems.mark()
    package = load_package(site_root, problems, data_dir)
    if data_dir == LIVE_DATA and problems.mark() == before:  # a broken declaration says enough
        warn_undeclared(site_root, package, problems)
    notes = load_notes(site_root, data_dir, package, problems)
    raw_by_name = {str(r.get("name")): r for r in package.raw.get("resources") or [] if isinstance(r, dict)}
    hashes = {spec.name: _resource_hash(site_root, spec, raw_by_name.get(spec.name, {}), notes.get(spec.name, ()))
              for spec in package.resources}
    catalog = Catalog(package, site_root, hashes, broken=set(package.unusable), notes=notes)
    words = language or messages.site_language(site_root / "site.yaml") or messages.DEFAULT
    for spec in package.resources:
        # data_dir too: a snapshot has no warnings (_plausibility), though right after `publish` its files are the
        # live ones, byte for byte
        key = make_key("valid", data_dir, catalog.dependencies({spec.name}), words)
        kept = state.recall("valid", key)
        if kept is not None:
            _warn(catalog, kept, problems)
            continue
        before = problems.mark()
        if spec.is_geojson:
            geometry = read_geojson(site_root, spec.path, spec.name, spec.key, problems)
            if geometry is None:
                catalog.broken.add(spec.name)
                continue
            catalog._geometries[spec.name] = geometry
            if problems.mark() == before:
                state.keep("valid", key, [])
            continue
        table = read_table(site_root, spec, problems)
        if table is None:
            catalog.broken.add(spec.name)
            continue
        catalog._tables[spec.name] = table
        noted = {(row, note.column) for row, note in catalog.note_rows(spec.name) if row is not None}
        faulty = check_table(table, catalog.get, problems, noted)
        if faulty:
            catalog.faulty[spec.name] = faulty
        if problems.mark() == before:
            check_rows(table, catalog.note_rows(spec.name), problems)
        if problems.mark() == before:
            found = _plausibility(catalog, table, data_dir, words, noted)
            _warn(catalog, found, problems)
            state.keep("valid", key, found)
    catalog.accessed.clear()
    return catalog


def _plausibility(catalog: Catalog, table: Table, data_dir: str, language: str,
                  noted: set[tuple[int, str]]) -> list[Finding]:
    """The warnings of a valid table of the current data (a published snapshot cannot be corrected); `noted`:
    (row, column) of the values notes vouch for."""
    if data_dir != LIVE_DATA:
        return []
    return find(table, catalog.get, noted, language, f"{data_dir}/{NOTES_FILE}")


def _warn(catalog: Catalog, found: list[Finding], problems: Problems) -> None:
    catalog.findings.extend(found)
    for finding in found:
        problem = finding.problem
        problems.warn(problem.path, problem.line, problem.message, problem.location)
