"""Bad input: exit 1, every error as `path:line: error: ...`, and the previous output left exactly as it was."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.conftest import assert_reported, error_lines, pelatihan_resource, replaced, text

ARTICLE = "content/2020-11/sorotan.md"
EDITION = "content/2020-11/index.md"
PAGE = "content/pages/tentang.md"
IKM = "data/ikm.csv"
LEAKS = ("<class", "<module", "<function", "<built-in", "__builtins__", "subprocess", "os.system")


# ---------------------------------------------------------------- site.yaml


def test_bad_yaml_in_site_yaml(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, "site.yaml"), "notice: Data ilustratif", "notice: Data: ilustratif")
    result = break_site({"site.yaml": bad})
    assert_reported(result, f"site.yaml:{line_of(bad, 'notice:')}", "yaml")


def test_unknown_site_key_suggests_nearest(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, "site.yaml"), "title:", "titel:")
    result = break_site({"site.yaml": bad})
    assert_reported(result, f"site.yaml:{line_of(bad, 'titel:')}", "titel", "did you mean `title`")


def test_invalid_site_value(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, "site.yaml"), "frequency: monthly", "frequency: weekly")
    result = break_site({"site.yaml": bad})
    assert_reported(result, f"site.yaml:{line_of(bad, 'frequency:')}", "weekly")


# ---------------------------------------------------------------- front matter


def test_unknown_front_matter_key(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "location: Kendari\n", "location: Kendari\nautor: Tim Uji\n")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, 'autor:')}", "autor", "did you mean `authors`")


def test_bad_yaml_in_front_matter(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "location: Kendari", "location: Kota: Kendari")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, 'location:')}", "yaml")


@pytest.mark.parametrize("key", ["title", "date"])
def test_missing_required_front_matter_key(broken, key):
    site, break_site = broken
    source = text(site, ARTICLE)
    bad = "\n".join(line for line in source.split("\n") if not line.startswith(f"{key}:"))
    result = break_site({ARTICLE: bad})
    closing = bad.split("\n").index("---", 1) + 1  # the front matter spans lines 1..closing
    lines = [line for line in error_lines(result.err) if line.startswith(f"{ARTICLE}:") and f"`{key}`" in line]
    assert lines, result.err
    number = re.match(rf"{re.escape(ARTICLE)}:(\d+): error: ", lines[0])
    assert number and 1 <= int(number.group(1)) <= closing, f"not a front-matter line: {lines[0]}"


def test_page_without_title(broken):
    _, break_site = broken
    result = break_site({PAGE: "---\nsummary: Tanpa judul\n---\n\nIsi.\n"})
    assert re.search(rf"^{re.escape(PAGE)}:[1-3]: error: .*`title`", result.err, flags=re.M), result.err


# ---------------------------------------------------------------- CSV data

# (id, old text, new text, needle for the offending line, words the message must hold)
CSV_CASES = [
    ("not-integer", "2020-11,7402,3690,", "2020-11,7402,36x0,", "36x0", ("unit_usaha", "36x0")),
    ("not-number", "2020-10,7402,3700,480,", "2020-10,7402,3700,empat,", "empat", ("nilai", "empat")),
    ("below-minimum", "2020-11,7401,4321,", "2020-11,7401,-3,", ",-3,", ("unit_usaha", "-3", "smallest value")),
    ("not-yearmonth", "2020-10,7471,", "2020-13,7471,", "2020-13", ("periode", "2020-13")),
    ("enum", "2020-11,7471,5001,334,sementara", "2020-11,7471,5001,334,sementra", "sementra",
     ("status", "sementra")),
    ("duplicate-primary-key", "2020-11,7471,5001,334,sementara\n",
     "2020-11,7471,5001,334,sementara\n2020-10,7401,1,1,tetap\n", "2020-10,7401,1,", ("7401",)),
    ("foreign-key", "2020-10,7402,", "2020-10,7499,", "7499", ("kode_wilayah", "7499")),
    ("required-empty", "2020-10,7471,5000,320.25,tetap", "2020-10,7471,5000,320.25,", "2020-10,7471,",
     ("status",)),
]


@pytest.mark.parametrize(("old", "new", "needle", "words"), [c[1:] for c in CSV_CASES],
                         ids=[c[0] for c in CSV_CASES])
def test_csv_schema_violation(broken, line_of, old, new, needle, words):
    site, break_site = broken
    bad = replaced(text(site, IKM), old, new)
    result = break_site({IKM: bad})
    line = line_of(bad, needle, start=2)  # the header is line 1
    assert_reported(result, f"{IKM}:{line}", *words)


def test_several_csv_errors_are_all_reported(broken, line_of):
    site, break_site = broken
    bad = replaced(replaced(text(site, IKM), "2020-10,7401,4300,", "2020-10,7401,-1,"),
                   "2020-11,7471,5001,334,sementara", "2020-11,7471,5001,334,final")
    result = break_site({IKM: bad})
    assert_reported(result, f"{IKM}:{line_of(bad, ',-1,')}", "unit_usaha")
    assert_reported(result, f"{IKM}:{line_of(bad, 'final')}", "status", "final")


# ---------------------------------------------------------------- XLSX data


def workbook(sheet: str, bad_cell: str | None = None, bad_value: object = None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(["no", "kode_wilayah", "kegiatan", "peserta"])
    for number in range(1, 7):  # rows 2..7
        ws.append([number, "7401" if number % 2 else "7471", f"Kegiatan {number}", 10 * number])
    if bad_cell:
        ws[bad_cell] = bad_value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("sheet", "cell", "value", "words", "shown"), [
    ("Pelatihan", "D7", -5, ("peserta", "-5"), "Pelatihan!D7"),
    ("Pelatihan", "D4", "banyak", ("peserta", "banyak"), "Pelatihan!D4"),
    ("Pelatihan", "B5", "7499", ("kode_wilayah", "7499"), "Pelatihan!B5"),
    ("Pelatihan", "A3", 1, ("no",), "Pelatihan!A3"),  # `no` must be unique: 1 again
    ("Data Pelatihan", "D7", -5, ("peserta",), "'Data Pelatihan'!D7"),
], ids=["below-minimum", "not-integer", "foreign-key", "unique", "sheet-with-space"])
def test_xlsx_violation_names_sheet_and_cell(broken, sheet, cell, value, words, shown):
    site, break_site = broken
    package = text(site, "data/datapackage.yaml") + pelatihan_resource(repr(sheet), foreign_key=True)
    result = break_site({"data/datapackage.yaml": package, "data/pelatihan.xlsx": workbook(sheet, cell, value)})
    assert_reported(result, f"data/pelatihan.xlsx:{shown}", *words)


# ---------------------------------------------------------------- chart blocks

# (id, old line, new line, words); the error must stand at the new line
CHART_CASES = [
    ("unknown-dataset", "data: ikm\n", "data: ikmm\n", ("ikmm",)),
    ("unknown-y-column", "y: unit_usaha\n", "y: unit_usah\n", ("unit_usah",)),
    ("unknown-x-column", "x: kode_wilayah\n", "x: kode_wil\n", ("kode_wil",)),
    ("unknown-type", "type: bar\n", "type: pie\n", ("pie",)),
    ("unknown-agg", "agg: sum\n", "agg: total\n", ("total",)),
    ("unknown-key", "caption: Angka sementara.\n", "caption: Angka sementara.\ncolour: red\n", ("colour",)),
    ("filter-matches-no-row", 'filter: {periode: "{{ edition.period }}"}\n', 'filter: {periode: "1999-01"}\n',
     ("1999-01",)),
    ("filter-unknown-column", 'filter: {periode: "{{ edition.period }}"}\n', 'filter: {bulan: "2020-11"}\n',
     ("bulan",)),
]


@pytest.mark.parametrize(("old", "new", "words"), [c[1:] for c in CHART_CASES], ids=[c[0] for c in CHART_CASES])
def test_chart_spec_error_at_line_of_key(broken, line_of, old, new, words):
    site, break_site = broken
    source = text(site, ARTICLE)
    bad = replaced(source, old, new)
    result = break_site({ARTICLE: bad})
    first_new = next(line for line in new.split("\n") if line and line not in old.split("\n"))
    line = line_of(bad, first_new, start=line_of(bad, "```chart"))
    assert_reported(result, f"{ARTICLE}:{line}", *words)


def test_chart_error_in_second_block_of_another_file(broken, line_of):
    site, break_site = broken
    edition = text(site, EDITION) + """
```chart
title: Baik
data: ikm
x: periode
y: unit_usaha
type: line
```

Teks di antara.

```chart
title: Salah
data: ikm
x: periode
y: [unit_usaha, tenaga_kerja]
```
"""
    result = break_site({EDITION: edition})
    assert_reported(result, f"{EDITION}:{line_of(edition, 'y: [unit_usaha, tenaga_kerja]')}", "tenaga_kerja")


# ---------------------------------------------------------------- value()

VALUE_CASES = [
    ("unknown-dataset", '{{ value("ikmx", "unit_usaha") }}', ("ikmx",)),
    ("unknown-column", '{{ value("ikm", "unit") }}', ("unit",)),
    ("unknown-filter-column", '{{ value("ikm", "unit_usaha", bulan="2020-11") }}', ("bulan",)),
    ("filter-matches-no-row", '{{ value("ikm", "unit_usaha", periode="1999-01") }}', ("1999-01",)),
    ("unknown-agg", '{{ value("ikm", "unit_usaha", agg="median") }}', ("median",)),
]


@pytest.mark.parametrize(("macro", "words"), [c[1:] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES])
def test_value_error_at_line_of_macro(broken, line_of, macro, words):
    """The macro stands on the third line of a paragraph after the chart block."""
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "Paragraf penutup.\n",
                   f"Paragraf penutup\ndengan beberapa baris,\nangka {macro} di sini.\n")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, macro)}", *words)


def test_value_error_inside_chart_spec(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "caption: Angka sementara.",
                   'caption: Total {{ value("ikm", "unit_usaha", periode="1999-01") }} unit.')
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, 'caption: Total')}", "1999-01")


def test_undefined_variable_in_body(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "Paragraf penutup.", "Paragraf {{ edisi.period }} penutup.")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, 'edisi.period')}", "edisi")


def test_template_syntax_error_in_body(broken, line_of):
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "Paragraf penutup.", "Paragraf {{ value( penutup.")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, '{{ value( penutup')}")


# ---------------------------------------------------------------- the sandbox

SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ value.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
]


@pytest.mark.parametrize("payload", SANDBOX_ESCAPES)
def test_sandbox_escape_is_an_error(broken, line_of, payload):
    site, break_site = broken
    bad = replaced(text(site, ARTICLE), "Paragraf penutup.", f"Paragraf penutup.\n\nCoba {payload} ini.")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, payload)}")
    for leak in LEAKS:
        assert leak not in result.err + result.out, f"{leak!r} leaked:\n{result.err}"


def test_sandbox_escape_in_chart_spec(broken, line_of):
    site, break_site = broken
    payload = "{{ cycler.__init__.__globals__ }}"
    bad = replaced(text(site, ARTICLE), "caption: Angka sementara.", f"caption: {payload}")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, payload)}")
    for leak in LEAKS:
        assert leak not in result.err, leak


# ---------------------------------------------------------------- all errors in one run


def test_errors_in_several_files_reported_in_one_run(broken, line_of):
    site, break_site = broken
    config = replaced(text(site, "site.yaml"), "notice:", "notise:")
    article = replaced(text(site, ARTICLE), "location: Kendari\n", "location: Kendari\nredaktur: X\n")
    ikm = replaced(text(site, IKM), "2020-11,7402,3690,", "2020-11,7402,-7,")
    edition = text(site, EDITION) + "\n```chart\ndata: ikm\nx: periode\ny: unit_usaha\nby: sektor\n```\n"
    page = text(site, PAGE) + '\nAda {{ value("penduduk", "jumlah") }} orang.\n'
    result = break_site({"site.yaml": config, ARTICLE: article, IKM: ikm, EDITION: edition, PAGE: page})
    assert_reported(result, f"site.yaml:{line_of(config, 'notise:')}", "notise", "notice")
    assert_reported(result, f"{ARTICLE}:{line_of(article, 'redaktur:')}", "redaktur")
    assert_reported(result, f"{IKM}:{line_of(ikm, ',-7,')}", "unit_usaha")
    assert_reported(result, f"{EDITION}:{line_of(edition, 'by: sektor')}", "sektor")
    assert_reported(result, f"{PAGE}:{line_of(page, 'penduduk')}", "penduduk")


# (id, first faulty text); a value() error always follows a few lines later in the same body
FIRST_ERRORS = [
    ("value-error", '{{ value("ikm", "unit_usaha", periode="1999-01") }}'),
    ("undefined-variable", "{{ edisi.period }}"),
    ("sandbox-escape", "{{ ''.__class__.__mro__ }}"),
]


@pytest.mark.parametrize("first", [c[1] for c in FIRST_ERRORS], ids=[c[0] for c in FIRST_ERRORS])
def test_every_error_in_one_body_is_reported(broken, line_of, first):
    """CONTRACT §2: all errors in one run, not just the first, also within one file."""
    site, break_site = broken
    later = '{{ value("ikmx", "unit_usaha") }}'
    bad = replaced(text(site, ARTICLE), "Paragraf penutup.",
                   f"Paragraf {first} penutup.\n\nLalu\nangka {later} di sini.")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, first)}")
    assert_reported(result, f"{ARTICLE}:{line_of(bad, later)}", "ikmx")


def test_every_error_in_one_chart_spec_is_reported(broken, line_of):
    site, break_site = broken
    bad = replaced(replaced(text(site, ARTICLE), "type: bar\n", "type: pie\n"),
                   "caption: Angka sementara.\n", "caption: Angka sementara.\ncolour: red\n")
    result = break_site({ARTICLE: bad})
    assert_reported(result, f"{ARTICLE}:{line_of(bad, 'type: pie')}", "pie")
    assert_reported(result, f"{ARTICLE}:{line_of(bad, 'colour: red')}", "colour")


def test_every_misspelt_column_of_a_chart_is_reported_at_its_line(broken, line_of):
    """x, y and a filter's column each misspelt: three errors at three lines, not the first one alone."""
    site, break_site = broken
    bad = text(site, ARTICLE)
    for old, new in (("x: kode_wilayah\n", "x: kode_wil\n"), ("y: unit_usaha\n", "y: unit_usah\n"),
                     ('filter: {periode: "{{ edition.period }}"}\n', 'filter: {bulan: "{{ edition.period }}"}\n')):
        bad = replaced(bad, old, new)
    result = break_site({ARTICLE: bad})
    chart = line_of(bad, "```chart")
    assert [line.split(": error: ")[0] for line in error_lines(result.err)] == [
        f"{ARTICLE}:{line_of(bad, written, start=chart)}" for written in sorted(
            ("x: kode_wil", "y: unit_usah", "filter: {bulan"),
            key=lambda written: line_of(bad, written, start=chart))]
    for word in ("kode_wil", "unit_usah", "bulan"):
        assert_reported(result, ARTICLE, word)


# ---------------------------------------------------------------- slugs and collisions


def test_page_colliding_with_edition_names_both_files(broken):
    _, break_site = broken
    result = break_site({"content/pages/2020-11.md": "---\ntitle: Bentrok\n---\n\nIsi.\n"})
    lines = [line for line in error_lines(result.err) if "content/pages/2020-11.md" in line]
    assert lines and EDITION in lines[0], result.err


def test_page_with_reserved_name(broken):
    _, break_site = broken
    result = break_site({"content/pages/arsip.md": "---\ntitle: Arsip saya\n---\n\nIsi.\n"})
    assert any(line.startswith("content/pages/arsip.md") and "arsip" in line
               for line in error_lines(result.err)), result.err


# ---------------------------------------------------------------- usage and the output folder


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["build", "--frobnicate"],
    ["check", "--nope"],
    ["build", "--site"],
    ["--no-such-option"],
], ids=["unknown-command", "unknown-build-option", "unknown-check-option", "missing-value", "bare-option"])
def test_wrong_usage_exits_2(run_cli, make_site, tmp_path, tree_snapshot, args):
    make_site()
    before = tree_snapshot(tmp_path)
    result = run_cli(*args)
    assert result.code == 2, result
    assert result.err.strip(), "usage errors say what is wrong"
    assert "Traceback" not in result.err
    assert tree_snapshot(tmp_path) == before


@pytest.mark.parametrize("target", ["foreign", "site", "content"])
def test_out_folder_not_made_by_buletin_is_refused(make_site, run_cli, tmp_path, tree_snapshot, target):
    site = make_site()
    if target == "foreign":
        out = tmp_path / "dokumen"
        (out / "sub").mkdir(parents=True)
        (out / "catatan.txt").write_text("jangan dihapus\n", encoding="utf-8")
        (out / "sub" / "laporan.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    else:
        out = site if target == "site" else site / "content"
    before = tree_snapshot(tmp_path, mtimes=True)
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 2, result  # a usage error (CONTRACT §2)
    assert "Traceback" not in result.err
    assert result.err.strip()
    assert tree_snapshot(tmp_path, mtimes=True) == before


def test_an_unknown_site_key_does_not_hide_content_errors(make_site, run_cli):
    site = make_site({"site.yaml": "title: T\nlanguage: en\nfrequency: quarterly\ncolour: blue\n",
                      "content/2020-11/index.md": None, "content/2020-11/sorotan.md": None,
                      "content/2020-Q4/index.md": "Total {{ value('ikm', 'nope') }}\n"})
    result = run_cli("check", "--site", site)
    assert result.code == 1
    assert "site.yaml:4: error: unknown key `colour`" in result.err
    assert "content/2020-Q4/index.md:1: error: value(): the dataset `ikm` has no column `nope`" in result.err
    assert "not a monthly period" not in result.err


def test_check_reports_a_site_templates_syntax_and_unknown_filters_at_their_lines(make_site, run_cli):
    """`check` renders no page, so a site template that does not compile passed it and failed only the build; it
    is told beside another input's error, and a file of templates/ that no page uses (an old copy, another
    tool's snippet) is left alone."""
    from .conftest import ARTICLE_MD

    site = make_site({"templates/article.html": '{% extends "base.html" %}\n{% block main %}\n{% if article %}\n'
                                                "<p>x</p>\n{% endblock %}\n",
                      "templates/footer_extra.html": "<p>Kontak</p>\n<p>{{ page.title|uppr }}</p>\n",
                      "templates/lama/angular.html": "<div ng-app>{{ item.name | uppercase }}</div>\n",
                      "templates/_share.html": "<p>Bagikan</p>\n<p>caf\u00e9</p>\n".encode("latin-1"),
                      "content/2020-11/sorotan.md": ARTICLE_MD.replace("location:", "lokasi:")})
    result = run_cli("check", "--site", site, "--lang", "en")
    assert result.code == 1
    found = error_lines(result.err)  # Jinja's own words, which its versions change, then what to do
    assert [line.split(": error: ")[0] for line in found] == ["content/2020-11/sorotan.md:5",
                                                              "templates/_share.html:2"], result.err
    assert "this text is not UTF-8 (line 2)" in found[1], result.err
    site = make_site({"templates/_share.html": None, "content/2020-11/sorotan.md": ARTICLE_MD}, base=False)
    result = run_cli("check", "--site", site, "--lang", "en")
    found = error_lines(result.err)
    assert [line.split(": error: ")[0] for line in found] == ["templates/article.html:5",
                                                              "templates/footer_extra.html:2"], result.err
    assert "unknown tag 'endblock'" in found[0] and "No filter named 'uppr'" in found[1], result.err
    assert all(line.endswith("correct the template; a template of templates/ can also be removed, and the built-in "
                             "one is used again") for line in found), result.err


def test_the_remembered_template_check_sees_an_include_of_any_name(make_site, run_cli, tmp_path):
    """The check's memory was keyed by .html and .xml files only: a broken `.j2` include passed a cached check."""
    site = make_site({"templates/footer_extra.html": '{% if false %}{% include "parts/kontak.j2" %}{% endif %}\n',
                      "templates/parts/kontak.j2": "<p>Kontak</p>\n"})
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    (site / "templates/parts/kontak.j2").write_text("<p>{% if %}</p>\n")
    result = run_cli("check", "--site", site, "--lang", "en")
    assert result.code == 1 and "templates/parts/kontak.j2:1: error: theme template:" in result.err, result.err


def test_a_page_too_large_for_the_theme_is_the_documents_fault_not_the_templates(make_site, run_cli, tmp_path,
                                                                                 monkeypatch):
    """A table of tens of thousands of rows made the page pass the bound while the built-in theme wrote it: the
    message blamed `(built-in theme) page.html` and said to simplify the template."""
    from buletin.compose import limits

    from .conftest import ARTICLE_MD

    monkeypatch.setattr(limits, "MAX_TEXT", 60_000)  # as 2,000,000 characters are to a real site's pages
    table = "\n| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 3000
    site = make_site({"content/2020-11/sorotan.md": ARTICLE_MD + table})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--lang", "en")
    assert result.code == 1 and error_lines(result.err) == [
        "content/2020-11/sorotan.md: error: the page made from this file would be too large (the text grows past "
        "60,000 characters): shorten it, or split it into several"], result.err


@pytest.mark.parametrize("in_workers", [False, True], ids=["here", "in-workers"])
def test_a_broken_site_template_is_reported_at_its_line(make_site, run_cli, tmp_path, monkeypatch, in_workers):
    from buletin.outputs import render

    if in_workers:
        monkeypatch.setattr(render, "MIN_FOR_POOL", 1)
    site = make_site({"templates/article.html": '{% extends "base.html" %}\n{% block main %}\n'
                                                "{{ article.article.meta.missing.key }}\n{% endblock %}\n"})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--jobs", "2")
    assert result.code == 1
    assert "templates/article.html:3: error: theme template:" in result.err, result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("in_workers", [False, True], ids=["here", "in-workers"])
@pytest.mark.parametrize("expression, kind", [("1 / (article.article.meta | length - article.article.meta | length)",
                                               "ZeroDivisionError"),
                                              ("article | truncate(20)", "TypeError"),
                                              ('article.article.title + 1', "TypeError")])
def test_a_site_templates_own_mistake_at_render_time_is_said_at_its_line_not_as_buletins(
        make_site, run_cli, tmp_path, monkeypatch, in_workers, expression, kind):
    """A division by zero, a text added to a number or a filter given a page's object in a site template was
    "buletin: internal error ... this is buletin's fault, not your file's", with no file or line."""
    from buletin.outputs import render

    if in_workers:
        monkeypatch.setattr(render, "MIN_FOR_POOL", 1)
    site = make_site({"templates/article.html": '{% extends "base.html" %}\n{% block main %}\n'
                                                f"<p>{{{{ {expression} }}}}</p>\n{{% endblock %}}\n"})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--jobs", "2", "--lang", "en")
    assert result.code == 1
    assert "templates/article.html:3: error: theme template: page 2020-11/sorotan/index.html: " in result.err, \
        result.err
    assert f"({kind}): correct the template" in result.err and "internal error" not in result.err
    assert not (tmp_path / "out").exists()


def test_a_bug_in_bulletins_own_code_under_a_site_template_stays_an_internal_error(make_site, run_cli, tmp_path,
                                                                                  monkeypatch):
    """Only a failure in the template itself, or in what it called of Jinja's, is the template's: one in buletin's
    code that the template called (here `slugify`, which no built-in template calls, failing inside) is not."""
    from buletin import urls
    from buletin.outputs import theme

    monkeypatch.setattr(theme, "slugify", lambda text: urls.slugify(None))
    site = make_site({"templates/footer_extra.html": "<p>{{ slugify('Kendari') }}</p>\n"})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--lang", "en")
    assert result.code != 0 and "internal error" in result.err, result.err
    assert "templates/footer_extra.html" not in result.err


def test_an_error_in_the_data_is_said_without_the_rows_it_hides_from_the_articles(make_site, run_cli, line_of):
    """Excel turned November's months into dates: the articles quoting November find no row. That follows from
    the data's errors, which are said (first); the articles' other errors are said after them, and the rows the
    data's errors hid are not said again for each figure (a staff member got 137 such lines after 10)."""
    from tests.conftest import ARTICLE_MD, IKM_CSV

    article = ARTICLE_MD.replace("Paragraf penutup.", 'Lain: {{ value("ikm", "unit_usah", periode="2020-10") }}.')
    site = make_site({IKM: IKM_CSV.replace("2020-11,", "2020-11-01,"), ARTICLE: article})
    result = run_cli("check", "--site", site)
    lines = error_lines(result.err)
    assert result.code == 1 and lines[0].startswith(f"{IKM}:"), lines
    assert [line for line in lines if line.startswith("content/")] == [
        f"{ARTICLE}:{line_of(article, 'Lain: ')}: error: value(): the dataset `ikm` has no column `unit_usah` "
        "(did you mean `unit_usaha`?)"], lines
    assert not any("no row" in line for line in lines), lines


def test_a_chart_blocks_and_a_front_matters_messages_name_the_files_lines_and_what_was_written(make_site, run_cli,
                                                                                                line_of):
    """A repeated key's first line was counted within the block ("first on line 5" for the file's line 20), and a
    macro in a number key was shown as its placeholder, `BULETINEXPR0X`."""
    from tests.conftest import ARTICLE_MD

    def check(text: str, name: str) -> str:
        return run_cli("check", "--site", make_site({ARTICLE: text}, name=name), "--lang", "en").err

    twice = ARTICLE_MD.replace("title: Sorotan IKM November", "title: Sorotan\ntitle: Lagi")
    assert f"{ARTICLE}:3: error: front matter: this is not valid YAML: the key `title` is written twice here (first " \
        "on line 2): keep one" in check(twice, "a")
    twice = ARTICLE_MD.replace("caption: Angka sementara.", "caption: Angka sementara.\ntype: line")
    assert f"{ARTICLE}:{line_of(twice, 'type: line')}: error: chart: this is not valid YAML: the key `type` is " \
        f"written twice here (first on line {line_of(twice, 'type: bar')}): keep one" in check(twice, "b")
    macro = ARTICLE_MD.replace("type: bar\n", "type: bar\ndigits: {{ -1 }}\n")
    assert f"{ARTICLE}:{line_of(macro, 'digits:')}: error: chart: `digits` must be a whole number from 0 to 10, not " \
        "`{{ -1 }}`" in check(macro, "c")


@pytest.mark.parametrize(("arguments", "said"), [
    # each said "write it with http:// or https://", or pointed at the disk's room, or was an internal error
    (("check", "--base-url", "https://contoh.go.id/b/?a=1"), "has a `?` or `#` part, which the site's address cannot "
     "have (pages are added to it): write it without that part, e.g. https://contoh.go.id/b/"),
    (("build", "--out", "{site}/.buletin-cache/work"), "is the site's cache folder"),
    (("build", "--out", "{tmp}/link"), "is a link to {tmp}/nowhere, which does not exist"),
    (("new", "site", "{tmp}/link"), "this is a link to {tmp}/nowhere, which does not exist, so nothing was written"),
    (("publish", "2020-11", "--date", "2020-10-31"), "--date 2020-10-31 is before 2020-11 begins"),
])
def test_misuses_of_the_commands_are_told_what_they_are(make_site, run_cli, tmp_path, arguments, said):
    import os

    site = make_site()
    os.symlink(tmp_path / "nowhere", tmp_path / "link")
    filled = [a.format(site=site, tmp=tmp_path) for a in arguments]
    result = run_cli(*filled, *([] if filled[0] == "new" else ["--site", site]))
    assert result.code in (1, 2) and "Traceback" not in result.err and "internal error" not in result.err
    assert said.format(tmp=tmp_path) in result.err, result.err
    assert not (tmp_path / "nowhere").exists()
