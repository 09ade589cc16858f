"""Shared fixtures: a tiny valid site written into tmp_path, and the CLI run in-process."""
from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from buletin.cli import main as cli_main

# 2021-01-01T00:00:00Z: later than every date of the tiny site, so nothing is "in the future".
FIXED_EPOCH = "1609459200"

SITE_YAML = """\
title: Buletin Uji
language: id
frequency: monthly
timezone: Asia/Makassar
notice: Data ilustratif untuk pengujian
"""

DATAPACKAGE_YAML = """\
name: uji
title: Data uji
resources:
- name: wilayah
  path: wilayah.csv
  title: Wilayah
  sources:
  - title: Sumber uji
  schema:
    fields:
    - name: kode
      type: string
      title: Kode wilayah
      constraints:
        required: true
        unique: true
    - name: nama
      type: string
      title: Nama
    primaryKey: kode
- name: ikm
  path: ikm.csv
  title: Statistik IKM
  sources:
  - title: Disperindag uji
  schema:
    fields:
    - name: periode
      type: yearmonth
      title: Periode
      constraints:
        required: true
    - name: kode_wilayah
      type: string
      title: Wilayah
      constraints:
        required: true
    - name: unit_usaha
      type: integer
      title: Unit usaha
      unit: unit
      constraints:
        required: true
        minimum: 0
    - name: nilai
      type: number
      title: Nilai
      unit: juta rupiah
      constraints:
        minimum: 0
    - name: status
      type: string
      title: Status angka
      constraints:
        required: true
        enum: [sementara, tetap]
    primaryKey: [periode, kode_wilayah]
    foreignKeys:
    - fields: kode_wilayah
      reference:
        resource: wilayah
        fields: kode
"""

WILAYAH_CSV = """\
kode,nama
7401,Buton
7402,Muna
7471,Kota Kendari
"""

# November 2020: unit_usaha sums to 13012, nilai to 1234.5.
IKM_CSV = """\
periode,kode_wilayah,unit_usaha,nilai,status
2020-10,7401,4300,390.5,tetap
2020-10,7402,3700,480,tetap
2020-10,7471,5000,320.25,tetap
2020-11,7401,4321,400.25,sementara
2020-11,7402,3690,500.25,sementara
2020-11,7471,5001,334,sementara
"""

EDITION_MD = """\
---
summary: Edisi uji November 2020.
---

Ringkasan edisi November 2020.
"""

ARTICLE_MD = """\
---
title: Sorotan IKM November
date: 2020-11-09
authors: [Tim Uji]
location: Kendari
tags: [uji]
---

Jumlah unit usaha pada November 2020 tercatat {{ value("ikm", "unit_usaha", periode=edition.period) }} unit.

Nilainya {{ value("ikm", "nilai", periode=edition.period, digits=1) }} juta rupiah.

```chart
title: Unit usaha per wilayah, {{ edition.title }}
type: bar
data: ikm
filter: {periode: "{{ edition.period }}"}
x: kode_wilayah
y: unit_usaha
agg: sum
sort: desc
caption: Angka sementara.
```

Paragraf penutup.
"""

PAGE_MD = """\
---
title: Tentang
---

Halaman tentang buletin uji.
"""

BASE_FILES: dict[str, str | bytes] = {
    "site.yaml": SITE_YAML,
    "data/datapackage.yaml": DATAPACKAGE_YAML,
    "data/wilayah.csv": WILAYAH_CSV,
    "data/ikm.csv": IKM_CSV,
    "content/2020-11/index.md": EDITION_MD,
    "content/2020-11/sorotan.md": ARTICLE_MD,
    "content/pages/tentang.md": PAGE_MD,
}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def _write(root: Path, files: dict[str, str | bytes | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture(autouse=True)
def _fixed_build_time(monkeypatch):
    """A fixed "now" for every test; tests that need another one set it again."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)


@pytest.fixture
def make_site(tmp_path) -> Callable[..., Path]:
    """make_site(files, base=True, name="site") -> the site root.

    With base=True the tiny valid site is written first; `files` then overlays it (None deletes a file).
    Called again for the same name with base=False, it edits the existing site in place.
    """

    def make(files: dict[str, str | bytes | None] | None = None, base: bool = True, name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        if base:
            _write(root, dict(BASE_FILES))
        _write(root, dict(files or {}))
        return root

    return make


def _run(*args: str | os.PathLike) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main([str(a) for a in args])
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """run_cli(*args) -> Result(code, out, err), running buletin.cli.main in this process."""
    return _run


def tree_snapshot(path: Path, mtimes: bool = False) -> dict[str, bytes | tuple[bytes, int]]:
    """Every file under `path` (hidden ones too) by relative POSIX path -> bytes (and mtime_ns)."""
    snapshot: dict[str, bytes | tuple[bytes, int]] = {}
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path).as_posix()
        if item.is_dir():
            snapshot[rel + "/"] = b""
        elif mtimes:
            snapshot[rel] = (item.read_bytes(), item.stat().st_mtime_ns)
        else:
            snapshot[rel] = item.read_bytes()
    return snapshot


@pytest.fixture(name="tree_snapshot")
def tree_snapshot_fixture() -> Callable[..., dict]:
    return tree_snapshot


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based number of the first line (from line `start`) of `text` that contains `needle`."""
    for number, line in enumerate(text.split("\n"), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not found in fixture text")


@pytest.fixture(name="line_of")
def line_of_fixture() -> Callable[..., int]:
    return line_of


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Result, Path]:
    """The sample site (the project root) built once per session into a temporary folder."""
    out = tmp_path_factory.mktemp("sample") / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    try:
        result = _run("build", "--site", Path(__file__).resolve().parents[1], "--out", out, "--quiet")
    finally:
        mp.undo()
    return result, out
