"""Issue #9, property tests: whatever a pull request feeds buletin, it builds (exit 0) or reports problems (exit 1,
every line `path(:line)?: error: ...` naming a file of the site), never a traceback or an internal error.

Each example writes the tiny valid site (tests/conftest.py) with one part generated: front matter, a chart block
and macros, CSV cells, workbook cells, datapackage.yaml, site.yaml. The CLI runs in this process
(`buletin.cli.main`, BULETIN_DEBUG unset) under a time and memory limit, with `--no-cache` into a temporary folder;
no function-scoped fixture is used (each example makes its own temporary folder).

Profiles (tests/conftest.py): `ci`, the default, a few hundred derandomized examples in all (under a minute);
`--hypothesis-profile=long` for hunting (thousands of random examples, no deadline).
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import event, given, note
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.conftest import (
    ARTICLE_MD,
    BASE_FILES,
    DATAPACKAGE_YAML,
    FIXED_EPOCH,
    IKM_CSV,
    REPORT_LINE,
    SUMMARY_LINE,
    Hung,
    Result,
    _run,
    limits,
    write_files,
)

ARTICLE = "content/2020-11/sorotan.md"
EDITION = "content/2020-11/index.md"
PAGE = "content/pages/tentang.md"
SECONDS = 20  # per build: the tiny site takes well under 1 s


@pytest.fixture(autouse=True, scope="module")
def _fixed_build_time():
    """The module-scoped stand-in for conftest's function-scoped one (hypothesis re-uses one test call)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        mp.delenv("BULETIN_DEBUG", raising=False)
        yield


# ---------------------------------------------------------------- running a generated site


@contextlib.contextmanager
def site_with(files: dict[str, str | bytes | None]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="buletin-fuzz-") as folder:
        root = Path(folder) / "site"
        write_files(root, {**BASE_FILES, **files})
        yield root


def run(root: Path, command: str) -> Result:
    args: list[str | Path] = [command, "--site", root, "--no-cache", "--quiet"]
    if command == "build":
        args += ["--out", root.parent / "out"]
    try:
        with limits(seconds=SECONDS, memory=1024 * 2**20):
            return _run(*args)
    except Hung as exc:  # an AssertionError, so hypothesis shrinks it like any other failure
        raise AssertionError(f"buletin {command} hangs: {exc}") from None


# Failures already in tests/test_bad_inputs.py as xfail lines: (catalogue id, a regular expression over stderr).
# Tolerated here so these tests keep finding new ones; delete an entry when its catalogue line is flipped.
KNOWN: list[tuple[str, str]] = []  # (catalogue case, pattern): a crash under repair, ignored here


def assert_built_or_reported(result: Result, root: Path) -> None:
    """Exit 0, or exit 1 with only `path(:line)?: error:` lines naming files of the site; never a crash."""
    note(f"exit {result.code}\n{result.err}")
    event(f"exit {result.code}")
    for ident, pattern in KNOWN:
        if re.search(pattern, result.err):
            note(f"a known failure: test_bad_inputs.py [{ident}]")
            return
    for sign in ("Traceback", "internal error"):
        assert sign not in result.err + result.out, result.err
    assert result.code in (0, 1), result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    if result.code == 0:
        assert all(line.startswith("buletin: warning: ") or REPORT_LINE.match(line) for line in lines), result.err
        return
    assert any(": error: " in line for line in lines), result.err
    for line in lines:
        match = REPORT_LINE.match(line)
        assert match or SUMMARY_LINE.match(line) or line.startswith("buletin: warning: "), \
            f"not a `path:line: error:` line: {line!r}"
        if match:
            path = match.group("path")
            assert (root / path).exists() or (root / path).is_symlink(), f"{path!r} is not a file of the site: {line}"


def check_site(files: dict[str, str | bytes | None], command: str = "check") -> None:
    with site_with(files) as root:
        assert_built_or_reported(run(root, command), root)


# ---------------------------------------------------------------- values as a pull request may write them

ODD_TEXT = st.one_of(  # any letter, sign or space of any script; now and then a control character
    *[st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=24)] * 4,
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24))
TOKENS = [  # written as they stand, after `key: `
    "2024-02-30", "2020-13-01", "2020-11", "2020-Q4", "2020-11-09T25:00:00", "0x1F", "0o17", "1e400", "-.inf", ".nan",
    "~", "null", "yes", "no", "on", "Off", "'", '"', "[", "]", "{", "}", "|", ">", "- a", "? a", "@x", "`x`", "%x",
    "&a x", "*a", "&a [*a]", "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!!set {a, b}",
    "!!omap [a: 1]", "!foo bar", "{{ edition.title }}", "{{ row.nama }}", "{{ page.title }}", "{% raw %}",
    "{{ value('ikm', 'unit_usaha') }}", "{{ 1/0 }}", "{{ x", "=1+1", "=HYPERLINK(\"http://x\")", "\u202eabc",
    "\ufeffx", "a\tb", "x" * 300, "1_000", "13.012", "13,012", "+1", "-0", "010", "1:30", "2020-11-09 10:00",
    "'unterminated", '"esc \\u0000 nul"', '"\\x00"', "<script>alert(1)</script>", "../../../etc/passwd",
    "/etc/passwd", "https://example.go.id/", "javascript:alert(1)", "C:\\\\x", "[[[[[[[[[[]]]]]]]]]]",
    "{a: {b: {c: {d: {}}}}}", "[a, [b, [c]]]", "{a, b}", "{periode: {min: 2020-01, max: 2020-11}}",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**15), st.floats(allow_nan=True, allow_infinity=True),
    ODD_TEXT, st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), st.sampled_from(["ikm", "wilayah", "kode",
                                                                                  "unit_usaha", "2020-11"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=6), inner, max_size=3), max_leaves=6)


def dump(mapping: dict[str, Any]) -> str:
    """YAML block lines for a mapping (valid YAML for any value)."""
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in n draws (away from the ends of the range, which hypothesis draws more often)."""
    return st.integers(0, 999).map(lambda k: 400 <= k < 400 + 1000 // n)


@st.composite
def yaml_mapping(draw, keys: list[str], special: dict[str, st.SearchStrategy] | None = None, max_keys: int = 6,
                 base: dict[str, Any] | None = None) -> str:
    """`key: value` lines: mostly known keys with plausible values (so that many examples get past validation
    into rendering and drawing), sometimes an unknown key, a value of another type, a raw token or a key twice.
    The keys of `base` that were not drawn are written first, with their valid values."""
    name = st.one_of(*[st.sampled_from(keys)] * 7, st.text(min_size=1, max_size=8))
    names = draw(st.lists(name, max_size=max_keys, unique=True))
    lines = [dump({key: value}) for key, value in (base or {}).items() if key not in names]
    for key in names:
        value = draw(special[key]) if special and key in special and not draw(one_in(4)) else draw(VALUES)
        lines.append(f"{key}: {draw(st.sampled_from(TOKENS))}\n" if draw(one_in(8)) else dump({key: value}))
    if lines and draw(one_in(12)):  # a key written twice
        lines.append(lines[-1])
    return "".join(lines)


# ---------------------------------------------------------------- front matter

EDITION_KEYS = ["title", "published", "status", "summary", "highlights", "figures", "next_release"]
ARTICLE_KEYS = ["title", "date", "authors", "editor", "location", "summary", "tags", "image", "image_alt",
                "image_caption", "image_credit", "draft", "extra"]
PAGE_KEYS = ["title", "summary", "each", "extra"]
CARD = st.fixed_dictionaries({"data": st.sampled_from(["ikm", "wilayah", "x"]), "y": st.sampled_from(
    ["unit_usaha", "nilai", "kode", "nama", "status"])}, optional={
    "label": VALUES, "unit": VALUES, "agg": st.sampled_from(["sum", "mean", "count", "min", "max", "x"]) | VALUES,
    "filter": st.dictionaries(st.sampled_from(["periode", "kode_wilayah", "status", "x"]), VALUES, max_size=2)
    | VALUES, "digits": st.integers(-2, 12) | VALUES, "period_field": VALUES})
FRONT_SPECIAL = {
    "status": st.sampled_from(["draft", "live", "published", "x"]),
    "published": st.dates() | st.sampled_from(["2020-11-30", "2021-02-29"]),
    "date": st.dates() | st.sampled_from(["2020-11-09", "2024-02-30"]),
    "next_release": st.dates(),
    "highlights": st.lists(ODD_TEXT | st.sampled_from(["Naik {{ change('ikm', 'unit_usaha', compare={'periode': "
                                                       "edition.previous}, periode=edition.period) }}"]) | VALUES,
                           max_size=3),
    "figures": st.lists(CARD | VALUES, max_size=3),
    "tags": st.lists(ODD_TEXT, max_size=3),
    "authors": st.lists(ODD_TEXT, max_size=3),
    "each": st.fixed_dictionaries({"data": st.sampled_from(["wilayah", "ikm", "x"]), "key": st.sampled_from(
        ["kode", "nama", "kode_wilayah", "x"])}, optional={"tag": st.sampled_from(["nama", "kode", "x"]) | VALUES,
                                                         "title": VALUES}) | VALUES,
    "draft": st.booleans() | VALUES,
    "image": st.sampled_from(["foto.png", "../foto.png", "/etc/passwd", ""]) | ODD_TEXT,
}
BODIES = st.sampled_from([
    "Teks biasa.\n", "Nilai {{ value('ikm', 'unit_usaha', periode=edition.period) }}.\n",
    "Baris {{ row.nama }}.\n", "Judul {{ page.title }} {{ page.extra }}.\n", "{{ edition.title }}\n", "",
])


@given(kind=st.sampled_from(["edition", "article", "page"]), data=st.data())
def test_front_matter(kind, data):
    keys, path, base = {"edition": (EDITION_KEYS, EDITION, {}),
                        "article": (ARTICLE_KEYS, ARTICLE, {"title": "Sorotan", "date": dt.date(2020, 11, 9)}),
                        "page": (PAGE_KEYS, PAGE, {"title": "Tentang"})}[kind]
    front = data.draw(yaml_mapping(keys, FRONT_SPECIAL, max_keys=5, base=base), label="front matter")
    body = data.draw(BODIES, label="body")
    text = f"---\n{front}---\n\n{body}"
    note(text)
    check_site({path: text}, command=data.draw(st.sampled_from(["check", "build"]), label="command"))


# ---------------------------------------------------------------- chart blocks and macros

CHART_KEYS = ["title", "type", "data", "filter", "x", "y", "by", "agg", "sort", "top", "caption", "source", "alt",
              "digits"]
COLUMNS = st.sampled_from(["periode", "kode_wilayah", "unit_usaha", "nilai", "status", "kode", "nama", "x"])
FILTER_VALUES = st.sampled_from(["2020-11", "2020-10", "7401", "sementara", "{{ edition.period }}",
                                 "{{ edition.previous }}", 7401, 2020, "1999-01"]) | VALUES
CHART_SPECIAL = {
    "type": st.sampled_from(["bar", "barh", "line", "table", "map", "pie"]),
    "data": st.sampled_from(["ikm", "wilayah", "x"]),
    "x": COLUMNS, "by": COLUMNS, "y": COLUMNS | st.lists(COLUMNS, max_size=3),
    "agg": st.sampled_from(["sum", "mean", "count", "min", "max", "median"]),
    "sort": st.sampled_from(["asc", "desc", "none", "random"]),
    "top": st.integers(-3, 10**12), "digits": st.integers(-3, 40),
    "filter": st.dictionaries(COLUMNS, FILTER_VALUES | st.fixed_dictionaries(
        {}, optional={"min": FILTER_VALUES, "max": FILTER_VALUES}), max_size=3),
    "caption": ODD_TEXT | st.sampled_from(["{{ value('ikm', 'nilai', digits=1) }}", "{{ edition.title }}"]),
    "title": ODD_TEXT | st.sampled_from(["Judul {{ edition.title }}", "{{ page.title }}"]),
}
MACROS = st.builds(
    lambda name, dataset, column, kwargs: f"{{{{ {name}({dataset!r}, {column!r}{kwargs}) }}}}",
    st.sampled_from(["value", "change"]), st.sampled_from(["ikm", "wilayah", "x"]),
    st.sampled_from(["unit_usaha", "nilai", "kode", "status", "x"]),
    st.lists(st.sampled_from([", agg='mean'", ", agg='count'", ", agg='x'", ", digits=2", ", digits=-1",
                              ", digits='dua'", ", digits=99", ", periode=edition.period", ", periode='1999-01'",
                              ", kode_wilayah=7401", ", compare={'periode': edition.previous}", ", compare=5",
                              ", status=None", ", periode={'min': '2020-01'}", ", x=1"]), max_size=3).map("".join))


CHART_BASE = {"data": "ikm", "x": "kode_wilayah", "y": "unit_usaha", "filter": {"periode": "{{ edition.period }}"}}


@given(spec=yaml_mapping(CHART_KEYS, CHART_SPECIAL, max_keys=6, base=CHART_BASE), macros=st.lists(MACROS, max_size=2),
       indent=st.sampled_from(["", "   "]))
def test_chart_block_and_macros(spec, macros, indent):
    block = "".join(indent + line + "\n" for line in spec.split("\n") if line)
    start = ARTICLE_MD.index("```chart\n")
    end = ARTICLE_MD.index("```\n", start + 8) + 4
    text = ARTICLE_MD[:start] + f"{indent}```chart\n{block}{indent}```\n" + ARTICLE_MD[end:]
    text += "".join(f"\nAngka {macro} di sini.\n" for macro in macros)
    note(text)
    check_site({ARTICLE: text}, command="build")


# ---------------------------------------------------------------- CSV cells

CELL = st.one_of(
    st.sampled_from(["2020-11", "2020-10", "7401", "7402", "7471", "0", "-1", "13.012", "13,012", "1e3", "4321",
                     "400.25", "sementara", "tetap", "", " ", "NA", "null", "nan", "inf", "=1+1", "\"", "a,b",
                     "baris\nbaru", "\ufeff", "\x00", "\u202e", "9" * 40, "0x10", "2020-02-30", "+5", "5.", ".5",
                     "1_000", "\u0665\u0660", "\uff17\uff14\uff10\uff11", "7401 ", "2020-11-01"]),
    ODD_TEXT)
IKM_HEADER = ["periode", "kode_wilayah", "unit_usaha", "nilai", "status"]
IKM_ROWS = [line.split(",") for line in IKM_CSV.strip().split("\n")[1:]]


@given(edits=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4), CELL), max_size=3),
       extra=st.lists(st.lists(CELL, min_size=4, max_size=6), max_size=2),
       header=st.sampled_from([IKM_HEADER] * 6 + [IKM_HEADER[:4], [*IKM_HEADER, "x"], list(reversed(IKM_HEADER))]),
       quoted=st.booleans(), bom=st.booleans())
def test_csv_cells(edits, extra, header, quoted, bom):
    rows = [list(row) for row in IKM_ROWS]
    for row, column, cell in edits:
        rows[row][column] = cell
    rows += extra
    if quoted:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
        text = buffer.getvalue()
    else:  # as someone would type it: no quoting at all
        text = "".join(",".join(row) + "\n" for row in [header, *rows])
    note(repr(text))
    check_site({"data/ikm.csv": ("\ufeff" if bom else "") + text}, command="build")


# ---------------------------------------------------------------- workbook cells

PELATIHAN = """\
- name: pelatihan
  path: pelatihan.xlsx
  sheet: Pelatihan
  schema:
    fields:
    - {name: 'no', type: integer, constraints: {required: true, unique: true}}
    - {name: kode_wilayah, type: string, constraints: {required: true}}
    - {name: tanggal, type: date}
    - {name: peserta, type: number, constraints: {minimum: 0}}
    primaryKey: 'no'
    foreignKeys:
    - fields: kode_wilayah
      reference: {resource: wilayah, fields: kode}
"""
XLSX_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**16), 10**16), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)), st.dates(dt.date(1900, 3, 1)),
    st.times(), st.sampled_from(["=1/0", "=A1", "=SUM(D2:D9)", "=NOW()", "=\"x\"", "7401", "7471", "7499", " 7401 ",
                                "2020-11-09", "2020-02-30", "1.5", "13.012", "", " "]),
    st.text(max_size=20).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)))
ISO_CHART = "\n```chart\ndata: pelatihan\ntype: table\nx: kode_wilayah\ny: peserta\nagg: {agg}\n```\n"


XLSX_ROWS = [[1, "7401", dt.date(2020, 11, 2), 12], [2, "7471", dt.datetime(2020, 11, 3, 0, 0), 7.5],
             [3, 7401, None, 0], [4, "7471", "2020-11-04", None]]
XLSX_HEADER = ["no", "kode_wilayah", "tanggal", "peserta"]


@given(edits=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), XLSX_CELL), max_size=3),
       extra=st.lists(st.lists(XLSX_CELL, min_size=3, max_size=5), max_size=2), header=st.sampled_from(
           [XLSX_HEADER] * 6 + [["no", "kode_wilayah", None, "peserta"], [*XLSX_HEADER, "x"], [None] * 4]),
       merge=st.sampled_from([None] * 6 + ["A1:B1", "C2:D3", "A2:A4"]), agg=st.sampled_from(["sum", "count", "max"]))
def test_workbook_cells(edits, extra, header, merge, agg):
    rows = [list(row) for row in XLSX_ROWS]
    for row, column, cell in edits:
        rows[row][column] = cell
    rows += extra
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pelatihan"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    note(repr([header, *rows]))
    check_site({"data/datapackage.yaml": DATAPACKAGE_YAML + PELATIHAN, "data/pelatihan.xlsx": buffer.getvalue(),
                ARTICLE: ARTICLE_MD + ISO_CHART.format(agg=agg)}, command="build")


# ---------------------------------------------------------------- datapackage.yaml

PACKAGE = yaml.safe_load(DATAPACKAGE_YAML)


def paths_of(node: Any, here: tuple = ()) -> list[tuple]:
    """Every key path in the parsed package, e.g. ("resources", 1, "schema", "fields", 2, "type")."""
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_of(value, (*here, index))
    return found


PACKAGE_PATHS = paths_of(PACKAGE)[1:]
PACKAGE_SPECIAL = st.sampled_from(["string", "integer", "number", "date", "yearmonth", "year", "boolean", "geojson",
                                   "wilayah", "ikm", "kode", "periode", "x", "ikm.csv", "../ikm.csv", "/etc/passwd",
                                   "Sheet1", 0, -1, 1e308, True, None, [], {}, ["kode"], {"resource": "wilayah"}])


def mutated(package: Any, path: tuple, action: str, value: Any) -> Any:
    import copy

    package = copy.deepcopy(package)
    parent = package
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif isinstance(parent[last], dict):
        parent[last]["x" + str(len(parent[last]))] = value
    elif isinstance(parent[last], list):
        parent[last].append(value)
    else:
        parent[last] = [parent[last], value]
    return package


@given(changes=st.lists(st.tuples(st.sampled_from(PACKAGE_PATHS), st.sampled_from(["delete", "replace", "add"]),
                                  PACKAGE_SPECIAL | VALUES), min_size=1, max_size=3), raw=st.booleans())
def test_datapackage(changes, raw):
    package = PACKAGE
    for path, action, value in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            package = mutated(package, path, action, value)
    text = dump(package)
    if raw:  # one line written by hand instead
        lines = text.split("\n")
        lines[len(lines) // 2] = lines[len(lines) // 2].split(":")[0] + ": " + TOKENS[len(text) % len(TOKENS)]
        text = "\n".join(lines)
    note(text)
    check_site({"data/datapackage.yaml": text}, command="check")


# ---------------------------------------------------------------- site.yaml

SITE_KEYS = ["title", "language", "description", "publisher", "base_url", "timezone", "frequency", "license",
             "version", "notice", "allow_raw_html", "pdf"]
SITE_SPECIAL = {
    "title": ODD_TEXT, "language": st.sampled_from(["id", "en", "fr", "ID", ""]),
    "frequency": st.sampled_from(["monthly", "quarterly", "yearly", "weekly"]),
    "timezone": st.sampled_from(["Asia/Makassar", "UTC", "Asia/Jakarta", "WITA", "../../etc/localtime", "+08:00"]),
    "base_url": st.sampled_from(["https://example.go.id/buletin/", "http://x", "https://x/a b/", "ftp://x/",
                                 "https://exa mple/", "https://x/?a=1#f", "https://ü.example/", "//x/"]),
    "allow_raw_html": st.booleans(), "notice": ODD_TEXT, "pdf": st.booleans(),
}


@given(config=yaml_mapping(SITE_KEYS, SITE_SPECIAL, max_keys=6, base={"title": "Buletin Uji", "language": "id"}))
def test_site_yaml(config):
    text = config
    note(text)
    check_site({"site.yaml": text}, command="build")


def test_profiles_are_registered():
    from hypothesis import settings

    assert settings.get_profile("long").deadline is None
    assert settings.get_profile("long").max_examples > settings.get_profile("ci").max_examples
    assert os.environ.get("BULETIN_DEBUG") is None
