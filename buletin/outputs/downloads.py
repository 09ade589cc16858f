"""The data downloads: each dataset as CSV (and its workbook), and datapackage.json for machines."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from buletin.build.state import NO_STATE, BuildState, make_key
from buletin.inputs.catalog import Catalog
from buletin.inputs.datapackage import ResourceSpec
from buletin.inputs.tables import Table, spreadsheet_safe


@dataclass(frozen=True)
class Download:
    """One dataset as published under data/."""

    spec: ResourceSpec
    rows: int
    csv_path: str  # output path
    size: int
    original_path: str | None  # a workbook offered as it is, beside the CSV
    original_size: int = 0
    format: str = "csv"  # or "geojson": a map's areas, published as they are


def table_csv(table: Table) -> bytes:
    """A table's cells as written, as CSV, with cells a spreadsheet would run as formulas made plain text."""
    buffer = io.StringIO()
    table.frame.map(spreadsheet_safe).rename(columns=spreadsheet_safe).to_csv(buffer, index=False,
                                                                             lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _needs_rewriting(table: Table) -> bool:
    return any(spreadsheet_safe(name) != name for name in table.frame.columns) or \
        bool(table.frame.map(lambda cell: spreadsheet_safe(cell) != cell).to_numpy().any())


def _as_csv(catalog: Catalog, name: str, state: BuildState) -> tuple[bytes | None, int, bool]:
    """(CSV bytes, or None when the CSV file can be published as it is; row count; whether a workbook may be
    offered as it is): cached by the file's hash."""
    key = make_key("download", catalog.hashes[name])
    found = state.recall("download", key)
    if found is not None:
        return found
    table = catalog.get(name)
    spec = catalog.spec(name)
    if table is None or spec is None:
        result: tuple[bytes | None, int, bool] = (None, 0, False)
    elif spec.path.lower().endswith(".csv"):
        result = (table_csv(table) if _needs_rewriting(table) else None, len(table.frame), False)
    else:
        result = (table_csv(table), len(table.frame), _plain_workbook(catalog.site_root / spec.path))
    state.keep("download", key, result)
    return result


MAX_PART = 256 * 1024 * 1024  # bytes read of one part of a workbook (reading it checked its unpacked size)


def _plain_workbook(path: Path) -> bool:
    """A workbook with no formula, macro or link to another file: safe to offer as it is."""
    import re
    import zipfile

    formula = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")  # with any namespace prefix: <f>, <x:f>
    # a link to another workbook, a DDE or OLE link, an outside address, a data connection or web query that
    # Excel refreshes on opening: whatever the part's name
    linked = re.compile(rb"externalLink|ddeLink|oleLink|TargetMode=.External|<(?:[\w.-]+:)?(?:connection|queryTable)\b")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            lowered = name.lower()
            if any(word in lowered for word in ("externallink", "vbaproject", "connections", "querytable")) or \
                    lowered.endswith(".bin"):
                return False
            with archive.open(name) as part:  # every XML part: the relations may give a sheet any name (sheet2.dat)
                content = part.read(MAX_PART)
            xml = content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")  # not a picture, whose bytes may hold <f
            if xml and (formula.search(content) or linked.search(content)):
                return False
    return True


def data_files(site_root: Path, catalog: Catalog, prefix: str = "data/",
               state: BuildState = NO_STATE) -> tuple[list[Download], dict[str, bytes]]:
    """Every resource's downloads and datapackage.json, by output path (under `prefix`)."""
    files: dict[str, bytes] = {}
    downloads = []
    for name in sorted(catalog.names):
        spec = catalog.spec(name)
        assert spec is not None  # `names` are the declared resources that are usable
        source = site_root / spec.path
        converted, rows, offer_original = _as_csv(catalog, name, state)
        csv_path = f"{prefix}{name}.csv"
        original = None
        files[csv_path] = source.read_bytes() if converted is None else converted
        if offer_original:
            original = f"{prefix}{source.name}"
            files[original] = source.read_bytes()
        downloads.append(Download(spec, rows, csv_path, len(files[csv_path]), original,
                                  len(files[original]) if original else 0))
    for name in sorted(catalog.geometry_names):  # map resources: the GeoJSON as it is
        geo_spec, geometry, data = catalog.geometry_spec(name), catalog.geometry(name), catalog.geometry_file(name)
        if geo_spec is None or geometry is None or data is None:
            continue
        path = f"{prefix}{name}.geojson"
        files[path] = data
        downloads.append(Download(geo_spec, len(geometry.areas), path, len(data), None, format="geojson"))
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
        mediatype = "application/geo+json" if download.format == "geojson" else "text/csv"
        raw.update(path=download.csv_path.removeprefix(prefix), format=download.format, mediatype=mediatype,
                   encoding="utf-8", bytes=download.size)
        resources.append(raw)
    package["resources"] = resources
    return (json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n").encode("utf-8")
