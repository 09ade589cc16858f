"""data/datapackage.yaml -> resource descriptions (a Frictionless Data Package subset)."""
from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buletin.inputs import yamlfile
from buletin.inputs.packagedecl import (
    FieldDecl,
    PackageDecl,
    ResourceDecl,
    plain_path,
)
from buletin.inputs.paths import MISSING, read_input, refusal, refused
from buletin.inputs.schema import Where, validate
from buletin.messages import _, number
from buletin.problems import Problems, did_you_mean

PACKAGE_FILE = "data/datapackage.yaml"
GEOJSON = "geojson"
PERIOD_TYPES = ("yearmonth", "year", "string")  # a period column: months, years, or quarters written 2020-Q4
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".geojson", ".json")


@dataclass(frozen=True)
class FieldSpec:
    """One column of a resource's schema."""

    name: str
    type: str = "string"
    title: str = ""
    description: str = ""
    unit: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)
    max_change: float | None = None  # checks: the share a value may change by from the previous period
    min_change: float | None = None  # checks: a change of at most this amount is never in doubt

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]
    line: int | None


@dataclass(frozen=True)
class ResourceSpec:
    """A resource as declared: where its file is and what its columns must hold."""

    name: str
    path: str  # relative to the site root, e.g. data/ikm.csv
    sheet: str | None
    title: str
    description: str
    sources: tuple[str, ...]
    licenses: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    line: int | None  # where the resource is declared in datapackage.yaml
    declared_in: str = PACKAGE_FILE
    sheet_line: int | None = None
    missing_values: tuple[str, ...] = ()  # cells that mean "no value" besides an empty one, e.g. "-"
    format: str = ""  # "geojson" for a map resource (docs/reference.md §6.5); tables leave it as written
    key: str = ""  # a map resource: the feature property that holds each area's code
    period: str = ""  # the column holding each row's period (declared, else the first yearmonth or year field)

    @property
    def is_geojson(self) -> bool:
        """A map resource (GeoJSON areas), not a table."""
        return self.format == GEOJSON

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class PackageSpec:
    title: str
    licenses: tuple[str, ...]
    resources: tuple[ResourceSpec, ...]
    raw: dict[str, Any]
    unusable: frozenset[str] = frozenset()  # named but declared with errors: a use of one is a follow-on error
    source: str = "data/datapackage.yaml"  # or a published edition's snapshot, data/releases/PERIOD/...
    failed: bool = False  # the file is there but could not be read: every use of a dataset is a follow-on error


def load_package(site_root: Path, problems: Problems, data_dir: str = "data") -> PackageSpec:
    """Read datapackage.yaml (an empty package when the site has no data)."""
    rel = f"{data_dir}/datapackage.yaml"
    path = site_root / rel
    if not path.exists() and not path.is_symlink():
        return PackageSpec("", (), (), {}, source=rel)
    text = read_input(site_root, rel, problems)
    if text is None:
        return PackageSpec("", (), (), {}, source=rel, failed=True)
    try:
        raw = yamlfile.load(text) or {}
    except yamlfile.YamlError as exc:
        problems.add(rel, exc.line, str(exc))
        return PackageSpec("", (), (), {}, source=rel, failed=True)
    where = Where(rel, yamlfile.KeyLines(text))
    package = validate(PackageDecl, raw, where, problems)
    if package is None:
        return PackageSpec("", (), (), {}, source=rel, failed=True)
    resources = _resources(package.resources, where.at("resources"), data_dir, site_root, problems)
    named = {str(item.get("name")) for item in package.resources if isinstance(item, dict) and item.get("name")}
    _check_references(resources, named, rel, problems)
    usable = [spec for spec in resources if spec.name not in _broken_references(resources)]
    return PackageSpec(package.title, _names(package.licenses), tuple(usable), raw,
                       frozenset(named - {spec.name for spec in usable}), source=rel)


def warn_undeclared(site_root: Path, package: PackageSpec, problems: Problems) -> None:
    """A warning for each table or map file in data/ that no resource declares: nothing can use it, and staff
    who saved a new month's file under a new name would otherwise see no change and no reason."""
    declared = {posixpath.normpath(f"data/{item['path']}") for item in package.raw.get("resources") or []
                if isinstance(item, dict) and isinstance(item.get("path"), str)}
    for rel in _table_files(site_root):
        if rel not in declared:
            problems.warn(rel, None, _(
                "no resource of {package} declares this file, so no chart, value or page can use it: declare it "
                "there (`- name:` and `path: {path}`), or move it out of data/").format(
                package=PACKAGE_FILE, path=rel.removeprefix("data/")))


def _table_files(site_root: Path) -> list[str]:
    """The table and map files under data/ (not the published snapshots, hidden files or Excel's lock files)."""
    found = []
    for folder, subfolders, files in os.walk(site_root / "data"):
        here = Path(folder).relative_to(site_root).as_posix()
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and f"{here}/{d}" != "data/releases")
        found += [f"{here}/{name}" for name in files if name.lower().endswith(TABLE_SUFFIXES)
                  and not name.startswith((".", "~$"))]
    return sorted(found)


def _names(items: Any) -> tuple[str, ...]:
    """Titles (or names/paths) of a `sources` or `licenses` list."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(str(item.get("title") or item.get("name") or item.get("path") or ""))
        elif item:
            out.append(str(item))
    return tuple(x for x in out if x)


def _check_offered_name(declared: ResourceDecl, here: Where, data_dir: str, offered: dict[str, str],
                        problems: Problems) -> None:
    """A workbook is offered for download under its file name (data/FILE.xlsx): two different files may not share
    it, or one dataset's link would give the other's data."""
    if not declared.path.lower().endswith((".xlsx", ".xlsm")):
        return
    name = posixpath.basename(declared.path)
    other = offered.setdefault(name.lower(), declared.path)
    if posixpath.normpath(other) != posixpath.normpath(declared.path):
        problems.add(here.source, here.at("path").line(), _(
            "resource `{name}`: its workbook would be offered for download as `data/{file}`, as `{other}` is: rename "
            "one of the two files").format(name=declared.name, file=name, other=f"{data_dir}/{other}"))


def _resources(items: tuple[Any, ...], where: Where, data_dir: str, site_root: Path,
               problems: Problems) -> list[ResourceSpec]:
    out: list[ResourceSpec] = []
    seen: set[str] = set()
    offered: dict[str, str] = {}  # a workbook's download name, as Windows and macOS see it -> its path
    for index, item in enumerate(items):
        here = where.at(index)
        before = problems.mark()
        declared = validate(ResourceDecl, item, here, problems)
        if declared is None or not declared.name or not declared.path or plain_path(declared.path):
            continue
        if declared.name in seen:
            problems.add(here.source, here.at("name").line(), _(
                "resource `{name}` is declared twice: keep one of the two, or rename one of them").format(
                name=declared.name))
        seen.add(declared.name)
        _check_offered_name(declared, here, data_dir, offered, problems)
        path = f"{data_dir}/{declared.path}"
        reason = refusal(site_root, site_root / path)
        if reason == MISSING:
            problems.add(here.source, here.at("path").line(), _(
                "resource `{name}`: file `{path}` not found: add the file, or correct `path`").format(
                name=declared.name, path=path))
        elif reason:
            problems.add(path, None, refused(site_root, site_root / path) or reason)
            continue
        geojson = _is_geojson(declared)
        if geojson:
            _check_geojson(declared, item, here, problems)
        elif declared.key:
            problems.add(here.source, here.at("key").line(), _(
                "resource `{name}`: `key` is only for map files (`format: geojson`): the property of each area "
                "that holds its code; remove it from this table").format(name=declared.name))
        fields = _fields(declared.schema.fields, here.at("schema").at("fields"), problems)
        period = _period(declared, fields, here, problems)
        if problems.mark() > before:
            continue  # unusable: every use of it is a follow-on error, not reported again
        spec = ResourceSpec(
            name=declared.name, path=path, sheet=declared.sheet or None, title=declared.title or declared.name,
            description=declared.description, sources=_names(declared.sources),
            licenses=_names(declared.licenses), fields=tuple(fields), primary_key=declared.schema.primary_key,
            foreign_keys=tuple(ForeignKey(fk.fields, fk.reference.resource, fk.reference.fields,
                                          here.at("schema").at("foreignKeys").at(i).line())
                               for i, fk in enumerate(declared.schema.foreign_keys)),
            line=here.line(), declared_in=here.source,
            sheet_line=here.at("sheet").line() if declared.sheet else None,
            missing_values=declared.schema.missing_values,
            format=GEOJSON if geojson else declared.format, key=declared.key if geojson else "", period=period)
        _check_keys_exist(spec, here, problems)
        if problems.mark() == before:
            out.append(spec)
    return out


def _is_geojson(declared: ResourceDecl) -> bool:
    """`format: geojson` (or a `.geojson` file): a map resource, whose areas a chart of `type: map` shades."""
    return declared.format.strip().lower() == GEOJSON or \
        (not declared.format and declared.path.lower().endswith(".geojson"))


def _check_geojson(declared: ResourceDecl, item: dict, here: Where, problems: Problems) -> None:
    """A map resource names its key property and has no table's keys."""
    name = declared.name
    if not declared.key:
        problems.add(here.source, here.at("key").line() if "key" in item else here.at("format").line() or here.line(),
                     _("resource `{name}`: a map file (GeoJSON) needs `key`, the property (attribute column) of "
                       "each area that holds its code, e.g. `key: kode`").format(name=name))
    for table_key in ("schema", "sheet"):
        if item.get(table_key) not in (None, "", {}, []):
            problems.add(here.source, here.at(table_key).line(), _(
                "resource `{name}`: a map file (GeoJSON) has no `{key}`, only `key`, the property that names its "
                "areas: remove `{key}`").format(name=name, key=table_key))


def _broken_references(resources: list[ResourceSpec]) -> set[str]:
    """Resources whose foreign keys point at a resource or field that does not exist (reported already)."""
    by_name = {r.name: r for r in resources}
    broken = set()
    for spec in resources:
        for fk in spec.foreign_keys:
            target = by_name.get(fk.resource) if fk.resource else spec
            if target is None or len(fk.reference_fields) != len(fk.fields) or \
                    any(key not in target.field_names for key in fk.reference_fields):
                broken.add(spec.name)
    return broken


def _fields(declared: tuple[FieldDecl, ...], where: Where, problems: Problems) -> list[FieldSpec]:
    out, names = [], set()
    for index, item in enumerate(declared):
        here = where.at(index)
        if not item.name:
            continue
        if item.name in names:
            problems.add(here.source, here.at("name").line(), _(
                "field `{name}` is declared twice: keep one of the two").format(name=item.name))
        names.add(item.name)
        constraints = _constraints(item, here.at("constraints"), problems)
        if item.checks.min_change is not None and item.checks.max_change is None:
            problems.add(here.source, here.at("checks").line(), _(
                "field `{name}`: `min_change` only lets small changes pass the `max_change` check: add "
                "`max_change`, e.g. `checks: {{max_change: 0.5, min_change: 5}}`").format(name=item.name))
        if (item.checks.max_change is not None or item.checks.min_change is not None) and \
                item.type not in ("integer", "number"):
            problems.add(here.source, here.at("checks").line(), _(
                "field `{name}`: `checks` compare numbers, and this column is {type}: remove them, or make the "
                "column `integer` or `number`").format(name=item.name, type=item.type))
        out.append(FieldSpec(item.name, item.type, item.title, item.description, item.unit, constraints,
                             item.checks.max_change, item.checks.min_change))
    return out


def _period(declared: ResourceDecl, fields: list[FieldSpec], here: Where, problems: Problems) -> str:
    """The resource's period column: `period` as declared, else its first yearmonth (or year) field. Checks
    compare a row with the same key in the previous period, so they need both a period and a primary key."""
    name, by_name = declared.name, {f.name: f for f in fields}
    if declared.period and declared.period not in by_name:
        problems.add(here.source, here.at("period").line(), _("resource `{name}`: `period` names no field of it: "
                                                              "`{period}`").format(name=name, period=declared.period)
                     + did_you_mean(declared.period, list(by_name)))
        return ""
    period = declared.period or next((f.name for kind in ("yearmonth", "year") for f in fields if f.type == kind), "")
    if period and by_name[period].type not in PERIOD_TYPES:
        problems.add(here.source, here.at("period").line(), _(
            "resource `{name}`: the period column `{period}` holds {type}: name a column of type yearmonth, year, "
            "or string (quarters written 2020-Q4)").format(name=name, period=period, type=by_name[period].type))
    checked = next((i for i, f in enumerate(declared.schema.fields) if f.checks.max_change is not None), None)
    if checked is None:
        return period
    line = here.at("schema").at("fields").at(checked).at("checks").line()
    key = declared.schema.primary_key
    if not period:
        problems.add(here.source, line, _("resource `{name}`: `checks` compare each value with the previous "
                                          "period's, so the resource needs a period column: a field of type "
                                          "yearmonth, or `period: COLUMN`").format(name=name))
    elif period not in key:
        problems.add(here.source, line, _("resource `{name}`: `checks` compare each value with the same row in the "
                                          "previous period, so the resource needs a `primaryKey` that includes "
                                          "`{period}`, e.g. [{period}, kode_wilayah]").format(name=name, period=period))
    return period


def _constraints(item: FieldDecl, where: Where, problems: Problems) -> dict[str, Any]:
    """The constraints that are set, each of a kind its column's type can be compared with."""
    declared = item.constraints
    numeric = item.type in ("integer", "number", "year")
    found: dict[str, Any] = {}
    for key in ("minimum", "maximum"):
        limit = getattr(declared, key)
        if limit is None:
            continue
        if numeric and not isinstance(limit, float):
            problems.add(where.source, where.at(key).line(), _(
                "field `{name}`: `{key}` must be a number (the column is {type}), not `{limit}`").format(
                name=item.name, key=key, type=item.type, limit=limit))
            continue
        found[key] = limit if not numeric or not float(limit).is_integer() else int(limit)
    if declared.required:
        found["required"] = True
    if declared.unique:
        found["unique"] = True
    if declared.enum is not None:
        found["enum"] = list(declared.enum)
    return found


def _check_keys_exist(spec: ResourceSpec, where: Where, problems: Problems) -> None:
    names = spec.field_names
    for key in spec.primary_key:
        if key not in names:
            problems.add(where.source, where.at("schema").at("primaryKey").line(), _(
                "resource `{name}`: the key column `{key}` of `primaryKey` is not in its `fields`{hint}: add the "
                "column, or correct `primaryKey`").format(name=spec.name, key=key, hint=did_you_mean(key, names)))
    for fk in spec.foreign_keys:
        for key in fk.fields:
            if key not in names:
                problems.add(where.source, fk.line, _(
                    "resource `{name}`: the column `{key}` of `foreignKeys` is not in its `fields`{hint}: add the "
                    "column, or correct `foreignKeys`").format(name=spec.name, key=key,
                                                              hint=did_you_mean(key, names)))


def _check_references(resources: list[ResourceSpec], named: set[str], rel: str, problems: Problems) -> None:
    by_name = {r.name: r for r in resources}
    for spec in resources:
        for fk in spec.foreign_keys:
            target = by_name.get(fk.resource) if fk.resource else spec
            if target is None and fk.resource in named:
                continue  # declared with errors of its own, reported there
            if target is None:
                problems.add(rel, fk.line, _(
                    "resource `{name}`: `foreignKeys` refers to `{other}`, which is no dataset of "
                    "data/datapackage.yaml{hint}: correct `resource` under `reference`").format(
                    name=spec.name, other=fk.resource, hint=did_you_mean(fk.resource, by_name)))
                continue
            if len(fk.reference_fields) != len(fk.fields):
                problems.add(rel, fk.line, _(
                    "resource `{name}`: `foreignKeys` needs as many columns under `reference` as in its own "
                    "`fields` ({count}): give each column the column it refers to").format(
                    name=spec.name, count=number(len(fk.fields))))
            for key in fk.reference_fields:
                if key not in target.field_names:
                    problems.add(rel, fk.line, _(
                        "resource `{name}`: `foreignKeys` refers to the column `{key}` of `{other}`, which it does "
                        "not have{hint}: correct `fields` under `reference`").format(
                        name=spec.name, key=key, other=target.name, hint=did_you_mean(key, target.field_names)))
