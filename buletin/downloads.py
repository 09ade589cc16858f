"""The data downloads: each dataset as CSV (and its workbook), and datapackage.json for machines."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from .cache import NO_CACHE, Cache, make_key
from .catalog import Catalog
from .data import Table
from .datapackage import ResourceSpec


@dataclass(frozen=True)
class Download:
    """One dataset as published under data/."""

    spec: ResourceSpec
    rows: int
    csv_path: str  # output path
    size: int
    original_path: str | None  # a workbook offered as it is, beside the CSV
    original_size: int = 0


def table_csv(table: Table) -> bytes:
    """A workbook's cells as written, as CSV."""
    buffer = io.StringIO()
    table.frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _as_csv(catalog: Catalog, name: str, cache: Cache) -> tuple[bytes | None, int]:
    """(CSV bytes for a workbook or None for a CSV file, row count): cached by the file's hash."""
    key = make_key("download", catalog.hashes[name])
    found = cache.load("download", key)
    if found is not None:
        return found
    table = catalog.get(name)
    spec = catalog.spec(name)
    is_csv = spec is not None and spec.path.lower().endswith(".csv")
    result = (None if is_csv else table_csv(table), len(table.frame)) if table is not None else (None, 0)
    cache.store("download", key, result)
    return result


def data_files(site_root: Path, catalog: Catalog, prefix: str = "data/",
               cache: Cache = NO_CACHE) -> tuple[list[Download], dict[str, bytes]]:
    """Every resource's downloads and datapackage.json, by output path (under `prefix`)."""
    files: dict[str, bytes] = {}
    downloads = []
    for name in sorted(catalog.names):
        spec = catalog.spec(name)
        source = site_root / spec.path
        converted, rows = _as_csv(catalog, name, cache)
        csv_path = f"{prefix}{name}.csv"
        original = None
        if converted is None:
            files[csv_path] = source.read_bytes()
        else:
            files[csv_path] = converted
            original = f"{prefix}{source.name}"
            files[original] = source.read_bytes()
        downloads.append(Download(spec, rows, csv_path, len(files[csv_path]), original,
                                  len(files[original]) if original else 0))
    files[f"{prefix}datapackage.json"] = datapackage_json(catalog, downloads, prefix)
    return downloads, files


def datapackage_json(catalog: Catalog, downloads: list[Download], prefix: str = "data/") -> bytes:
    """The package descriptor, pointing at the published CSV files."""
    package = {k: v for k, v in catalog.package.raw.items() if k != "resources"}
    resources = []
    raw_by_name = {str(r.get("name")): r for r in catalog.package.raw.get("resources") or []}
    for download in downloads:
        raw = dict(raw_by_name.get(download.spec.name, {}))
        raw.pop("sheet", None)
        raw.update(path=download.csv_path.removeprefix(prefix), format="csv", mediatype="text/csv",
                   encoding="utf-8", bytes=download.size)
        resources.append(raw)
    package["resources"] = resources
    return (json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n").encode("utf-8")
