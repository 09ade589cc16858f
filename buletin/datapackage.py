"""data/datapackage.yaml -> resource descriptions (a Frictionless Data Package subset)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlfile
from .paths import refusal, unsafe_relative
from .problems import Problems, did_you_mean

PACKAGE_FILE = "data/datapackage.yaml"
FIELD_TYPES = ("string", "integer", "number", "date", "yearmonth", "year", "boolean")
CONSTRAINTS = ("required", "minimum", "maximum", "enum", "unique")
_PACKAGE_KEYS = ("name", "title", "description", "version", "licenses", "sources", "contributors",
                 "keywords", "homepage", "created", "profile", "resources")
_RESOURCE_KEYS = ("name", "path", "sheet", "title", "description", "sources", "licenses", "schema",
                  "format", "mediatype", "encoding", "profile")
_SCHEMA_KEYS = ("fields", "primaryKey", "foreignKeys", "missingValues")
_FIELD_KEYS = ("name", "type", "title", "description", "unit", "constraints", "format", "example")


@dataclass(frozen=True)
class FieldSpec:
    """One column of a resource's schema."""

    name: str
    type: str = "string"
    title: str = ""
    description: str = ""
    unit: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)

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


def load_package(site_root: Path, problems: Problems, data_dir: str = "data") -> PackageSpec:
    """Read datapackage.yaml (an empty package when the site has no data)."""
    rel = f"{data_dir}/datapackage.yaml"
    path = site_root / rel
    if not path.exists() and not path.is_symlink():
        return PackageSpec("", (), (), {})
    refused = refusal(site_root, path)
    if refused:
        problems.add(rel, None, refused)
        return PackageSpec("", (), (), {})
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(rel, None, "not UTF-8 text: save the file as UTF-8")
        return PackageSpec("", (), (), {})
    try:
        raw = yamlfile.load(text) or {}
    except yamlfile.YamlError as exc:
        problems.add(rel, exc.line, str(exc))
        return PackageSpec("", (), (), {})
    if not isinstance(raw, dict):
        problems.add(rel, 1, "datapackage.yaml must be a mapping with a `resources` list")
        return PackageSpec("", (), (), {})
    lines = yamlfile.KeyLines(text)
    _unknown_keys(raw, _PACKAGE_KEYS, rel, lines, (), problems)
    _check_texts(raw, ("name", "title", "description", "version"), rel, lines, (), problems)
    resources = _resources(raw.get("resources") or [], rel, lines, data_dir, site_root, problems)
    _check_references(resources, rel, problems)
    return PackageSpec(str(raw.get("title") or ""), _names(raw.get("licenses")), tuple(resources), raw)


def _unknown_keys(raw: dict, known: tuple[str, ...], rel: str, lines: yamlfile.KeyLines,
                  where: tuple, problems: Problems) -> None:
    for key in raw:
        if key not in known:
            problems.add(rel, lines.line(*where, key), f"unknown key `{key}`{did_you_mean(str(key), known)}")


def _check_texts(raw: dict, keys: tuple[str, ...], rel: str, lines: yamlfile.KeyLines, where: tuple,
                 problems: Problems) -> None:
    """Keys that hold one line of text (a title, a description) must not be lists or mappings."""
    for key in keys:
        if isinstance(raw.get(key), (dict, list)):
            problems.add(rel, lines.line(*where, key), f"`{key}` must be text, not a list or mapping")
    for key in ("sources", "licenses"):
        if key in raw and not isinstance(raw[key], (list, type(None))):
            problems.add(rel, lines.line(*where, key), f"`{key}` must be a list, e.g. `- title: ...`")


def _names(items: Any) -> tuple[str, ...]:
    """Titles (or names/paths) of a `sources` or `licenses` list."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(str(item.get("title") or item.get("name") or item.get("path") or ""))
        elif item:
            out.append(str(item))
    return tuple(x for x in out if x)


def _resources(items: Any, rel: str, lines: yamlfile.KeyLines, data_dir: str, site_root: Path,
               problems: Problems) -> list[ResourceSpec]:
    if not isinstance(items, list):
        problems.add(rel, lines.line("resources"), "`resources` must be a list")
        return []
    out: list[ResourceSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = ("resources", index)
        if not isinstance(item, dict) or not item.get("name") or not item.get("path"):
            problems.add(rel, lines.line(*where), "each resource needs a `name` and a `path`")
            continue
        _unknown_keys(item, _RESOURCE_KEYS, rel, lines, where, problems)
        _check_texts(item, ("name", "path", "sheet", "title", "description"), rel, lines, where, problems)
        name = str(item["name"])
        if name in seen:
            problems.add(rel, lines.line(*where, "name"), f"resource `{name}` is declared twice")
        seen.add(name)
        unsafe = unsafe_relative(str(item["path"])) if isinstance(item["path"], str) else "must be a file name"
        if unsafe:
            problems.add(rel, lines.line(*where, "path"), f"resource `{name}`: `path` {unsafe}, e.g. `{name}.csv` "
                         f"for {data_dir}/{name}.csv")
            continue
        path = f"{data_dir}/{item['path']}"
        refused = refusal(site_root, site_root / path)
        if refused == "does not exist":
            problems.add(rel, lines.line(*where, "path"), f"resource `{name}`: file `{path}` not found")
        elif refused:
            problems.add(path, None, refused)
            continue
        schema = item.get("schema") or {}
        if not isinstance(schema, dict):
            problems.add(rel, lines.line(*where, "schema"), "`schema` must be a mapping with `fields`")
            schema = {}
        _unknown_keys(schema, _SCHEMA_KEYS, rel, lines, (*where, "schema"), problems)
        fields = _fields(schema.get("fields") or [], rel, lines, (*where, "schema", "fields"), problems)
        out.append(ResourceSpec(
            name=name, path=path, sheet=str(item["sheet"]) if item.get("sheet") else None,
            title=str(item.get("title") or name), description=str(item.get("description") or ""),
            sources=_names(item.get("sources")), licenses=_names(item.get("licenses")),
            fields=tuple(fields), primary_key=_as_tuple(schema.get("primaryKey")),
            foreign_keys=_foreign_keys(schema.get("foreignKeys") or [], rel, lines, where, problems),
            line=lines.line(*where), declared_in=rel, sheet_line=lines.line(*where, "sheet") if "sheet" in item
            else None))
        _check_keys_exist(out[-1], rel, lines, where, problems)
    return out


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _fields(items: Any, rel: str, lines: yamlfile.KeyLines, where: tuple, problems: Problems) -> list[FieldSpec]:
    out = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        here = (*where, index)
        if isinstance(item, dict) and isinstance(item.get("name"), bool):
            item = {**item, "name": lines.raw(*here, "name")}
        if not isinstance(item, dict) or not item.get("name"):
            problems.add(rel, lines.line(*here), "each field needs a `name`")
            continue
        _unknown_keys(item, _FIELD_KEYS, rel, lines, here, problems)
        _check_texts(item, ("name", "type", "title", "description", "unit"), rel, lines, here, problems)
        kind = str(item.get("type") or "string")
        if kind not in FIELD_TYPES:
            problems.add(rel, lines.line(*here, "type"),
                         f"field `{item['name']}`: unknown type `{kind}`{did_you_mean(kind, FIELD_TYPES)}")
            kind = "string"
        constraints = item.get("constraints") or {}
        for key in constraints:
            if key not in CONSTRAINTS:
                problems.add(rel, lines.line(*here, "constraints", key),
                             f"field `{item['name']}`: unknown constraint `{key}`{did_you_mean(key, CONSTRAINTS)}")
        out.append(FieldSpec(str(item["name"]), kind, str(item.get("title") or ""),
                             str(item.get("description") or ""), str(item.get("unit") or ""),
                             {k: v for k, v in constraints.items() if k in CONSTRAINTS}))
    return out


def _foreign_keys(items: Any, rel: str, lines: yamlfile.KeyLines, where: tuple,
                  problems: Problems) -> tuple[ForeignKey, ...]:
    out = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        line = lines.line(*where, "schema", "foreignKeys", index)
        reference = item.get("reference") if isinstance(item, dict) else None
        if not isinstance(reference, dict) or "fields" not in item or "resource" not in reference:
            problems.add(rel, line, "a foreign key needs `fields` and `reference: {resource, fields}`")
            continue
        out.append(ForeignKey(_as_tuple(item["fields"]), str(reference["resource"]),
                              _as_tuple(reference.get("fields")), line))
    return tuple(out)


def _check_keys_exist(spec: ResourceSpec, rel: str, lines: yamlfile.KeyLines, where: tuple,
                      problems: Problems) -> None:
    names = spec.field_names
    for key in spec.primary_key:
        if key not in names:
            problems.add(rel, lines.line(*where, "schema", "primaryKey"),
                         f"resource `{spec.name}`: primaryKey field `{key}` is not in its fields")
    for fk in spec.foreign_keys:
        for key in fk.fields:
            if key not in names:
                problems.add(rel, fk.line, f"resource `{spec.name}`: foreign key field `{key}` is not in its fields")


def _check_references(resources: list[ResourceSpec], rel: str, problems: Problems) -> None:
    by_name = {r.name: r for r in resources}
    for spec in resources:
        for fk in spec.foreign_keys:
            target = by_name.get(fk.resource) if fk.resource else spec
            if target is None:
                problems.add(rel, fk.line, f"resource `{spec.name}`: foreign key refers to unknown resource "
                             f"`{fk.resource}`{did_you_mean(fk.resource, by_name)}")
                continue
            for key in fk.reference_fields:
                if key not in target.field_names:
                    problems.add(rel, fk.line, f"resource `{spec.name}`: foreign key refers to unknown field "
                                 f"`{fk.resource}.{key}`")
