"""The site's datasets: declared up front, validated once per content hash, loaded only when used."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from buletin.build.state import NO_STATE, BuildState, make_key
from buletin.inputs.datapackage import PackageSpec, ResourceSpec, load_package
from buletin.inputs.tables import Table, read_table
from buletin.inputs.validation import check_foreign_keys, validate_table
from buletin.problems import Problems


@dataclass
class Catalog:
    """Every resource of a site, by name. Tables are read on first use; each use is recorded in
    `accessed`, so a cache entry can name exactly the datasets it depends on."""

    package: PackageSpec
    site_root: Path
    hashes: dict[str, str]  # name -> sha256 of the resource's file and declaration
    broken: set[str] = field(default_factory=set)  # declared resources that could not be read
    accessed: set[str] = field(default_factory=set)
    _tables: dict[str, Table] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.package.resources if spec.name not in self.broken]

    def without_tables(self) -> Catalog:
        """The declarations and hashes alone (for a worker that renders pages and reads no data)."""
        return Catalog(self.package, self.site_root, dict(self.hashes), set(self.broken))

    def is_broken(self, name: str) -> bool:
        """Declared, but unusable for an error reported at its declaration or its file."""
        return name in self.broken

    def spec(self, name: str) -> ResourceSpec | None:
        return next((s for s in self.package.resources if s.name == name and name not in self.broken), None)

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


def _resource_hash(site_root: Path, spec: ResourceSpec, raw: dict) -> str:
    path = site_root / spec.path
    digest = hashlib.sha256(path.read_bytes() if path.is_file() else b"")
    digest.update(json.dumps(raw, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def open_catalog(site_root: Path, data_dir: str, hashes: dict[str, str]) -> Catalog:
    """The catalog of datasets a build has validated already (in a worker process): read, not checked."""
    package = load_package(site_root, Problems(), data_dir)
    return Catalog(package, site_root, hashes, broken=set(package.unusable))


def load_catalog(site_root: Path, problems: Problems, data_dir: str = "data", state: BuildState = NO_STATE) -> Catalog:
    """Read datapackage.yaml; validate every resource whose file or declaration changed since it last passed."""
    package = load_package(site_root, problems, data_dir)
    raw_by_name = {str(r.get("name")): r for r in package.raw.get("resources") or [] if isinstance(r, dict)}
    hashes = {spec.name: _resource_hash(site_root, spec, raw_by_name.get(spec.name, {}))
              for spec in package.resources}
    catalog = Catalog(package, site_root, hashes, broken=set(package.unusable))
    for spec in package.resources:
        key = make_key("valid", catalog.dependencies({spec.name}))
        if state.recall("valid", key):
            continue
        before = len(problems)
        table = read_table(site_root, spec, problems)
        if table is None:
            catalog.broken.add(spec.name)
            continue
        catalog._tables[spec.name] = table
        validate_table(table, problems)
        check_foreign_keys(table, catalog.get, problems)
        if len(problems) == before:
            state.keep("valid", key, True)
    catalog.accessed.clear()
    return catalog
