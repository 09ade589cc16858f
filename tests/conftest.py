"""Shared fixtures: a tiny valid site written into tmp_path, the CLI run in-process, and the helpers of the
bad-input tests (how an error must be reported; the `broken` fixture; limits on time and memory)."""
from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import shutil
import signal
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buletin.cli import main as cli_main
from buletin.inputs.catalog import load_catalog
from buletin.messages import VARIABLE
from buletin.problems import Problems

try:  # property tests (tests/test_fuzz.py); the rest of the suite runs without hypothesis
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is in the `test` extra
    settings = None

if settings is not None:
    # The default: a few hundred examples over all of tests/test_fuzz.py (about 25 s on 2 cores), the same
    # examples on every run (derandomize) so a CI failure is reproducible and an xfail is stable. Each example
    # builds a site, so there is no per-example deadline and "too slow" is expected.
    settings.register_profile("ci", max_examples=80, deadline=None, derandomize=True, database=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    # `pytest tests/test_fuzz.py --hypothesis-profile=long`: hunting, thousands of random examples.
    settings.register_profile("long", max_examples=4000, deadline=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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


# The suite's tests assert messages in English (the catalogue's source text), whatever their sites' language;
# a module that asserts Indonesian messages sets MESSAGE_LANGUAGE = "id" (or None: the site's language).
os.environ[VARIABLE] = "en"


@pytest.fixture(autouse=True)
def _message_language(request, monkeypatch):
    language = getattr(request.module, "MESSAGE_LANGUAGE", "en")
    if language is None:
        monkeypatch.delenv(VARIABLE, raising=False)
    else:
        monkeypatch.setenv(VARIABLE, language)


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
    """The sample site (the project root) built once per session into a temporary folder, from a copy: a build
    takes the site's lock and stages its files in the site's .buletin-cache, never the repository's."""
    folder = tmp_path_factory.mktemp("sample")
    out = folder / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    try:
        result = _run("build", "--site", copy_sample_site(folder / "site"), "--out", out, "--quiet")
    finally:
        mp.undo()
    return result, out


def copy_sample_site(site: Path) -> Path:
    """The sample site's inputs (site.yaml, content, data, templates) copied into `site`, which is returned."""
    root = Path(__file__).resolve().parents[1]
    site.mkdir(parents=True)
    shutil.copy2(root / "site.yaml", site / "site.yaml")
    for name in ("content", "data", "templates"):
        if (root / name).is_dir():
            shutil.copytree(root / name, site / name)
    return site


# ---------------------------------------------------------------- bad input: how problems must be reported

# `path: error: ...`, `path:12: error: ...` or `path:Sheet!D7: error: ...` (also `warning`); the path is relative.
REPORT_LINE = re.compile(r"^(?P<path>[^\s/:][^:]*?)(?::(?P<where>\d+|[^:]*![A-Z]{1,3}\d+))?: "
                         r"(?P<kind>error|warning): \S")
SUMMARY_LINE = re.compile(r"^buletin: \d+ errors?; ")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


def assert_reported(result, where: str, *words: str) -> str:
    """An error line starting with `where: error:` (e.g. `data/ikm.csv:4`) that mentions every word.

    `where` may be a bare path: then the line may carry a line number or not (`path(:N)?: error:`).
    """
    prefix = re.escape(f"{where}: error: ") if ":" in where else re.escape(where) + r"(:\d+)?: error: "
    candidates = [line for line in error_lines(result.err) if re.match(prefix, line)]
    assert candidates, f"no error at {where!r} in:\n{result.err}"
    matching = [line for line in candidates if all(w.lower() in line.lower() for w in words)]
    assert matching, f"error at {where!r} does not mention {words}:\n{result.err}"
    return matching[0]


def assert_only_reports(result) -> None:
    """Every line on stderr is a reported problem or the summary: no traceback, no internal error."""
    for line in result.err.splitlines():
        if not line.strip():
            continue
        assert REPORT_LINE.match(line) or SUMMARY_LINE.match(line), f"not a `path:line: error:` line: {line!r}\n" \
            f"{result.err}"
    for sign in ("Traceback", "internal error"):
        assert sign not in result.err + result.out, result.err


def locate(site: Path, where: str) -> str:
    """Resolve `PATH:@needle` (the line of `needle` in the file as written) to `PATH:N`; others as they are.

    `PATH:@a..@b` (a range: any line from that of `a` to that of `b`) becomes a regular expression's text;
    use `matches_location` for it.
    """
    path, _, spec = where.partition(":@")
    if not spec:
        return where
    source = (site / path).read_text(encoding="utf-8", errors="replace")
    first, _, last = spec.partition("..@")
    if not last:
        return f"{path}:{line_of(source, first)}"
    return f"{path}:{line_of(source, first)}..{line_of(source, last, line_of(source, first))}"


def assert_reported_at(result, site: Path, where: str, *words: str) -> str:
    """assert_reported with `where` resolved by `locate` (a `..` range accepts any line within it)."""
    where = locate(site, where)
    path, _, lines = where.rpartition(":")
    if ".." not in lines:
        return assert_reported(result, where, *words)
    low, high = (int(n) for n in lines.split(".."))
    for number in range(low, high + 1):
        with contextlib.suppress(AssertionError):
            return assert_reported(result, f"{path}:{number}", *words)
    raise AssertionError(f"no error at {path} lines {low} to {high} mentioning {words} in:\n{result.err}")


def text(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def replaced(source: str, old: str, new: str) -> str:
    assert old in source, f"fixture text has no {old!r}"
    return source.replace(old, new, 1)


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write (or, for None, delete) files under `root`; for tests that cannot use `make_site` (hypothesis)."""
    _write(root, files)


@pytest.fixture(scope="session")
def built_tiny_site(tmp_path_factory) -> Path:
    """The tiny valid site and its output (`site/`, `out/`), built once; `broken` copies them."""
    root = tmp_path_factory.mktemp("tiny")
    _write(root / "site", dict(BASE_FILES))
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    try:
        first = _run("build", "--site", root / "site", "--out", root / "out", "--quiet")
    finally:
        mp.undo()
    assert first.code == 0, first.err
    return root


@pytest.fixture
def broken(built_tiny_site, make_site, run_cli, tmp_path, tree_snapshot):
    """The valid tiny site, built; break(files) edits it and builds again into the same folder.

    Returns (site, break): break asserts exit 1, no traceback or internal error, and an output folder (and its
    parent) unchanged down to the mtimes; `check` must fail the same way. It returns the build's Result.
    The first build is made once per session and copied (with its cache and mtimes) into tmp_path.
    """
    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(built_tiny_site / "site", site, symlinks=True)
    shutil.copytree(built_tiny_site / "out", out, symlinks=True)
    before = tree_snapshot(out, mtimes=True)
    neighbours = sorted(p.name for p in tmp_path.iterdir())

    def break_site(files: dict[str, str | bytes | None]):
        make_site(files, base=False)
        result = run_cli("build", "--site", site, "--out", out)
        assert result.code == 1, f"expected exit 1, got {result.code}\n{result.out}{result.err}"
        for sign in ("Traceback", "internal error"):
            assert sign not in result.err + result.out, result.err
        assert error_lines(result.err), result.err
        assert tree_snapshot(out, mtimes=True) == before, "a failed build changed the output folder"
        assert sorted(p.name for p in tmp_path.iterdir()) == neighbours, "a failed build left files beside --out"
        assert not (site / ".buletin-cache" / "work").exists(), "a failed build left its work folder"
        check = run_cli("check", "--site", site)
        assert check.code == 1, check.err
        assert sorted(error_lines(check.err)) == sorted(error_lines(result.err))
        return result

    return site, break_site


class Hung(BaseException):
    """Raised by `limits` when time is up: a BaseException, so the CLI's catch-all cannot turn it into exit 1."""


@contextlib.contextmanager
def limits(seconds: float = 30, memory: int = 768 * 2**20):
    """Run the body with a wall-clock limit (raises Hung) and `memory` bytes more address space than now.

    For hostile inputs (YAML alias bombs, `'x' * 10**9`, nested loops): a runaway build fails its test in
    seconds (as Hung, or as MemoryError, which buletin reports as an internal error) instead of taking the
    machine down. Python code is interrupted on time; a long C call only when it returns.
    """

    def time_up(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, time_up)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:  # Linux: the address space in use now; elsewhere only the time limit applies
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration):
        size = None
    if size is not None:
        limit = size + memory if hard == resource.RLIM_INFINITY else min(size + memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

# An edition of October 2020 that quotes a value and shows a headline card (publishing and revisions).
OCTOBER_MD = """\
---
summary: Edisi uji Oktober 2020.
# a comment that must survive publishing
figures:
  - {data: ikm, y: unit_usaha, label: unit usaha}
---

Pada Oktober 2020 tercatat {{ value("ikm", "unit_usaha", periode=edition.period) }} unit usaha.
"""


# ---------------------------------------------------------------- a workbook resource


def pelatihan_resource(sheet: str, foreign_key: bool = False) -> str:
    """datapackage.yaml's item for data/pelatihan.xlsx (no, kode_wilayah, kegiatan, peserta) on `sheet`, as
    written; with `foreign_key`, kode_wilayah must be a code of wilayah."""
    text = f"""\
- name: pelatihan
  path: pelatihan.xlsx
  sheet: {sheet}
  title: Pelatihan
  schema:
    fields:
    - {{name: 'no', type: integer, constraints: {{required: true, unique: true}}}}
    - {{name: kode_wilayah, type: string, constraints: {{required: true}}}}
    - {{name: kegiatan, type: string}}
    - {{name: peserta, type: integer, constraints: {{minimum: 0}}}}
    primaryKey: 'no'
"""
    return text + ("    foreignKeys:\n    - fields: kode_wilayah\n      reference: {resource: wilayah, fields: kode}\n"
                   if foreign_key else "")


# ---------------------------------------------------------------- a catalog of two small datasets (unit tests)

DATA_PACKAGE = """
resources:
  - name: wilayah
    path: wilayah.csv
    schema:
      fields:
        - {name: kode, type: string, constraints: {required: true, unique: true}}
        - {name: nama, type: string}
      primaryKey: kode
  - name: ikm
    path: ikm.csv
    schema:
      fields:
        - {name: periode, type: yearmonth, constraints: {required: true}}
        - {name: kode_wilayah, type: string}
        - {name: unit_usaha, type: integer, constraints: {minimum: 0}}
        - {name: status, type: string, constraints: {enum: [sementara, tetap]}}
      primaryKey: [periode, kode_wilayah]
      foreignKeys:
        - fields: kode_wilayah
          reference: {resource: wilayah, fields: kode}
"""


DATA_ROWS = ("periode,kode_wilayah,unit_usaha,status\n"
        "2020-10,7401,10,tetap\n2020-10,7471,30,tetap\n"
        "2020-11,7401,12,sementara\n2020-11,7471,29,sementara\n")



def data_site(tmp_path, ikm_csv, package=DATA_PACKAGE, extra=None):
    """data/ with the package, wilayah.csv and this ikm.csv (and `extra`: name -> text, written after them);
    the catalog and its problems."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text(textwrap.dedent(package), encoding="utf-8")
    (data / "wilayah.csv").write_text("kode,nama\n7401,Buton\n7471,Kendari\n", encoding="utf-8")
    (data / "ikm.csv").write_text(ikm_csv, encoding="utf-8")
    for name, text in (extra or {}).items():
        (data / name).write_text(text, encoding="utf-8")
    problems = Problems()
    catalog = load_catalog(tmp_path, problems)
    return catalog, [str(p) for p in problems]


@pytest.fixture
def slow_server_imports(monkeypatch, tmp_path) -> Iterator[Callable[[float], str]]:
    """slow_server_imports(seconds) -> the name of a module to preload that takes that long to import, with the
    forkserver start method and no server left from an earlier test (stopped again afterwards, so that the next
    test's server imports its own modules)."""
    from multiprocessing import forkserver

    def make(seconds: float) -> str:
        (tmp_path / "slow_to_import.py").write_text(f"import time\ntime.sleep({seconds})\n", encoding="utf-8")
        monkeypatch.setenv("PYTHONPATH", str(tmp_path))
        monkeypatch.setenv("BULETIN_START_METHOD", "forkserver")
        forkserver._forkserver._stop()
        return "slow_to_import"

    yield make
    forkserver._forkserver._stop()


def write_site(out: Path, files: dict[str, bytes], work: Path | None = None,
               known: Callable[[str, str], bool] | None = None) -> int:
    """Write a site into `out` at once, as a build's Staging does; the number of files written."""
    from buletin.outputs.writer import Staging

    staging = Staging(out, work, known)
    try:
        return staging.commit(files)
    finally:
        staging.discard()
