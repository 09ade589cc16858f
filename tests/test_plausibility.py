"""The plausibility gate (issue 13): `checks: {max_change: ...}` against the previous period, warnings that
name the likely slip, notes that vouch for a value (data/catatan.yaml) and show beside its figures, and the
commands that stop on warnings (`check --strict`, `publish`)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from buletin.inputs.datapackage import FieldSpec
from buletin.inputs.plausibility import cause, within
from buletin.periods import Period
from tests.conftest import DATAPACKAGE_YAML, SITE_YAML, line_of, replaced

ROOT = Path(__file__).resolve().parents[1]
CHECKED = replaced(replaced(DATAPACKAGE_YAML, "      unit: juta rupiah\n",
                            "      unit: juta rupiah\n      checks: {max_change: 0.5}\n"),
                   "      unit: unit\n", "      unit: unit\n      checks: {max_change: 0.3}\n")
# Line 5: 5522.2 typed as 5.522, the trial's mistake (Buton's nilai was 5494.7 in October).
IKM = """\
periode,kode_wilayah,unit_usaha,nilai,status
2020-10,7401,4300,5494.7,tetap
2020-10,7402,3700,480,tetap
2020-10,7471,5000,320.25,tetap
2020-11,7401,4321,5.522,sementara
2020-11,7402,3690,500.25,sementara
2020-11,7471,5001,334,sementara
"""
WARNING = {
    "id": "data/ikm.csv:5: warning: `nilai` 5,522 for Buton, November 2020 — was 5.494,7 a month earlier "
          "(−99,9%, more than the ±50% allowed); a thousands dot in a decimal number? If the figure is right, add "
          "a note in data/catatan.yaml with `data: ikm`, `row: {periode: 2020-11, kode_wilayah: \"7401\"}` and "
          "`column: nilai`.",
    "en": "data/ikm.csv:5: warning: `nilai` 5.522 for Buton, November 2020 — was 5,494.7 a month earlier "
          "(−99.9%, more than the ±50% allowed); a thousands dot in a decimal number? If the figure is right, add "
          "a note in data/catatan.yaml with `data: ikm`, `row: {periode: 2020-11, kode_wilayah: \"7401\"}` and "
          "`column: nilai`.",
}
NOTE = """\
# Angka yang benar walaupun berubah tajam.
- data: ikm
  row: {periode: 2020-11, kode_wilayah: 7401}
  column: nilai
  note: Investasi pabrik baru di Buton.
"""


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": warning: " in line]


@pytest.fixture
def checked(make_site):
    """The tiny site with checks on `unit_usaha` (±30%) and `nilai` (±50%), and the 5.522 slip on line 5."""
    return make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": IKM})


# ---------------------------------------------------------------- the warning


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_thousands_dot_in_a_decimal_number_is_a_warning_naming_line_values_change_and_cause(
        make_site, run_cli, language):
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": IKM,
                      "site.yaml": SITE_YAML.replace("language: id", f"language: {language}")})
    result = run_cli("check", "--site", site)
    assert result.code == 0, result.err
    assert warnings(result.err) == [WARNING[language]]
    assert "no errors" in result.out


def test_the_note_the_warning_asks_for_can_be_pasted_as_it_says(checked, run_cli):
    """Staff guessed the row of a note from the warning's words (Kabupaten Buton Utara, Mesin), wrote another
    row's code, and the warning stayed: it now gives the note's data, row and column as YAML."""
    said = warnings(run_cli("check", "--site", checked).err)[0]
    data, row, column = re.search(r"with `data: (\w+)`, `row: (\{.*?\})` and `column: (\w+)`", said).groups()
    (checked / "data/catatan.yaml").write_text(f"- data: {data}\n  row: {row}\n  column: {column}\n"
                                               "  note: Angka yang benar.\n")
    again = run_cli("check", "--strict", "--site", checked)
    assert again.code == 0 and warnings(again.err) == [], again.err

def test_a_build_with_a_warning_succeeds_and_says_it(checked, run_cli, tmp_path):
    result = run_cli("build", "--site", checked, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert warnings(result.err) == [WARNING["id"]]


def test_check_strict_fails_on_a_warning_and_passes_without_one(checked, make_site, run_cli):
    strict = run_cli("check", "--strict", "--site", checked)
    assert strict.code == 1
    assert WARNING["id"] in strict.err and "1 warning; --strict: the check failed" in strict.err
    make_site({"data/ikm.csv": IKM.replace("5.522", "5522.2")}, base=False)
    assert run_cli("check", "--strict", "--site", checked).code == 0


@pytest.mark.parametrize(("value", "previous", "written", "kind", "expected"), [
    (5.522, 5494.7, "5.522", "number", "a thousands dot in a decimal number?"),
    (5.0, 5494.0, "5", "integer", "the figure typed in thousands?"),
    (5494700.0, 5494.7, "5494700", "number", "a decimal point lost, or three zeros too many?"),
    (549.0, 5494.0, "549", "integer", "a digit missing?"),
    (54994.0, 5494.0, "54994", "integer", "a digit doubled, or a zero too many?"),
    (10623.0, 1062.3, "10623", "number", "a decimal point left out (1062.3 typed as 10623)?"),
    (0.0, 12.0, "0", "integer", "an unknown value typed as 0? Leave the cell empty when the value is not known."),
    (-118.0, 120.0, "-118", "integer", "a minus sign typed by mistake, or left out?"),
    (300.0, 100.0, "300", "integer", "check it against its source."),
])
def test_each_slip_is_named(value, previous, written, kind, expected):
    assert cause(value, previous, written, FieldSpec("x", kind, max_change=0.5)) == expected


def test_each_slip_in_a_real_file_is_named_at_its_line(make_site, run_cli):
    rows = IKM.replace("5.522", "5494.7").replace("2020-11,7402,3690,", "2020-11,7402,0,") \
        .replace("2020-11,7471,5001,334,", "2020-11,7471,50010,334,")
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows})
    found = warnings(run_cli("check", "--site", site).err)
    assert len(found) == 2, found
    assert found[0].startswith("data/ikm.csv:6: warning: `unit_usaha` 0 for Muna, November 2020 — was 3.700 ")
    assert "(−100,0%, more than the ±30% allowed); an unknown value typed as 0?" in found[0]
    assert found[1].startswith("data/ikm.csv:7: warning: `unit_usaha` 50.010 for Kota Kendari, November 2020 — "
                               "was 5.000 a month earlier (+900,2%")
    assert "a digit doubled, or a zero too many?" in found[1]


def test_a_value_after_a_doubted_one_points_to_that_one(make_site, run_cli):
    rows = IKM + "2020-12,7401,4330,5520.1,sementara\n"
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows})
    found = warnings(run_cli("check", "--site", site).err)
    assert [w.split(": warning:")[0] for w in found] == ["data/ikm.csv:5", "data/ikm.csv:8"]
    assert "Desember 2020 — was 5,522 a month earlier" in found[1]
    assert "the earlier value has a warning too: check that one first." in found[1]


def test_a_slip_in_the_first_period_is_pointed_at_too(make_site, run_cli):
    """A value typed wrong in its series' first period is checked against nothing before it: the next period's
    warning names the first one's line as well (unless the slip shows in the later cell itself)."""
    rows = IKM.replace("2020-10,7402,3700,", "2020-10,7402,37000,").replace("5.522", "5494.7")
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows})
    found = warnings(run_cli("check", "--site", site).err)
    assert len(found) == 1 and found[0].startswith("data/ikm.csv:6: warning: `unit_usaha` 3.690 for Muna"), found
    assert "Or the earlier value is the slip (line 3): with no value of the period before it" in found[0], found[0]
    assert "Or the earlier value" not in "".join(warnings(run_cli("check", "--site", make_site(
        {"data/datapackage.yaml": CHECKED, "data/ikm.csv": IKM}, name="dot")).err))  # 5.522: the dot is here


def test_a_change_within_min_change_is_never_in_doubt(make_site, run_cli):
    """In a column of small counts 2 to 3 is +50%: `min_change: 5` lets a change of at most 5 pass, whatever its
    share; a larger one is still in doubt."""
    small = replaced(CHECKED, "checks: {max_change: 0.3}", "checks: {max_change: 0.3, min_change: 5}")
    rows = IKM.replace("5.522", "5494.7").replace("2020-10,7402,3700,", "2020-10,7402,2,") \
        .replace("2020-11,7402,3690,", "2020-11,7402,3,").replace("2020-11,7471,5001,", "2020-11,7471,50010,")
    site = make_site({"data/datapackage.yaml": small, "data/ikm.csv": rows})
    found = warnings(run_cli("check", "--site", site).err)
    assert [w.split(": warning:")[0] for w in found] == ["data/ikm.csv:7"], found  # 5000 -> 50010; not 2 -> 3
    without = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows}, name="without")
    assert len(warnings(run_cli("check", "--site", without).err)) == 2


def test_no_previous_period_no_warning(make_site, run_cli):
    """The first month of a row, a row new this month, a month after a gap: nothing to compare with."""
    rows = ("periode,kode_wilayah,unit_usaha,nilai,status\n"
            "2020-08,7401,10,1,tetap\n"
            "2020-10,7401,4300,5494.7,tetap\n"  # after a gap: September is missing
            "2020-11,7402,3690,500.25,sementara\n")  # Muna's first month
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows})
    result = run_cli("check", "--strict", "--site", site)
    assert result.code == 0, result.err
    assert warnings(result.err) == []


def test_a_change_within_the_limit_and_empty_cells_raise_nothing(make_site, run_cli):
    rows = IKM.replace("5.522", "8242.0").replace("2020-11,7402,3690,500.25", "2020-11,7402,3690,") \
        .replace("2020-11,7471,5001,", "2020-11,7471,6500,")  # +30% exactly, the limit: allowed
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows})
    assert warnings(run_cli("check", "--strict", "--site", site).err) == []


def test_warnings_are_capped_per_column(make_site, run_cli):
    package = CHECKED
    codes = [f"75{i:02d}" for i in range(13)]
    wilayah = "kode,nama\n" + "".join(f"{c},Wilayah {c}\n" for c in codes)
    rows = "periode,kode_wilayah,unit_usaha,nilai,status\n" + "".join(
        f"2020-10,{c},100,10,tetap\n2020-11,{c},100,10000,tetap\n" for c in codes)
    site = make_site({"data/datapackage.yaml": package, "data/wilayah.csv": wilayah, "data/ikm.csv": rows})
    found = warnings(run_cli("check", "--site", site).err)
    assert len(found) == 11
    assert found[-1] == ("data/ikm.csv:23: warning: `nilai`: 3 more values changed by more than ±50% since the "
                         "previous period, from this one on: check them the same way")


# ---------------------------------------------------------------- other periods, other files


def test_quarters_in_a_text_column_and_years_compare_with_the_period_before(make_site, run_cli):
    package = CHECKED.replace("type: yearmonth", "type: string")
    rows = IKM.replace("2020-10", "2020-Q3").replace("2020-11", "2020-Q4")
    site = make_site({"data/datapackage.yaml": package.replace("  schema:\n    fields:\n    - name: periode",
                                                               "  period: periode\n  schema:\n    fields:\n"
                                                               "    - name: periode"),
                      "data/ikm.csv": rows,
                      "content/2020-11/sorotan.md": None, "content/2020-11/index.md": None})
    found = warnings(run_cli("check", "--site", site).err)
    assert len(found) == 1 and "for Buton, Triwulan IV 2020 — was 5.494,7 a quarter earlier" in found[0], found
    yearly = make_site({"data/datapackage.yaml": CHECKED.replace("type: yearmonth", "type: year"),
                        "data/ikm.csv": IKM.replace("2020-10", "2019").replace("2020-11", "2020"),
                        "content/2020-11/sorotan.md": None, "content/2020-11/index.md": None}, name="yearly")
    found = warnings(run_cli("check", "--site", yearly).err)
    assert len(found) == 1 and "for Buton, 2020 — was 5.494,7 a year earlier" in found[0], found


def test_a_workbook_warning_names_its_cell(make_site, run_cli, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in IKM.splitlines():
        sheet.append([float(c) if re.fullmatch(r"[\d.]+", c) and "." in c else c for c in row.split(",")])
    book.save(tmp_path / "ikm.xlsx")
    package = CHECKED.replace("  path: ikm.csv\n", "  path: ikm.xlsx\n  sheet: Data\n")
    site = make_site({"data/datapackage.yaml": package, "data/ikm.csv": None,
                      "data/ikm.xlsx": (tmp_path / "ikm.xlsx").read_bytes()})
    found = warnings(run_cli("check", "--site", site).err)
    assert [w.split(" `nilai`")[0] for w in found] == ["data/ikm.xlsx:Data!D5: warning:"], found


def test_the_sample_site_raises_no_warning(run_cli):
    result = run_cli("check", "--strict", "--site", ROOT, "--no-cache")
    assert result.code == 0, result.err
    assert warnings(result.err) == []


# ---------------------------------------------------------------- the build state


def test_a_fully_cached_build_repeats_the_warning_without_importing_pandas(checked, run_cli, tmp_path):
    out = tmp_path / "out"
    assert warnings(run_cli("build", "--site", checked, "--out", out).err) == [WARNING["id"]]
    probe = ("import sys; from buletin.cli import main; "
             f"code = main(['build', '--site', {str(checked)!r}, '--out', {str(out)!r}, '--quiet']); "
             "print(code, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"], done.stderr
    assert warnings(done.stderr) == [WARNING["id"]]


def test_the_warning_follows_the_language_and_the_notes(checked, run_cli, tmp_path):
    """Kept per language, and made again when the notes change."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert warnings(run_cli("build", "--site", checked, "--out", out, "--cache", cache).err) == [WARNING["id"]]
    (checked / "site.yaml").write_text(SITE_YAML.replace("language: id", "language: en"))
    assert warnings(run_cli("build", "--site", checked, "--out", out, "--cache", cache).err) == [WARNING["en"]]
    (checked / "data/catatan.yaml").write_text(NOTE)
    assert warnings(run_cli("build", "--site", checked, "--out", out, "--cache", cache).err) == []


# ---------------------------------------------------------------- notes


def test_a_noted_value_raises_no_warning_and_its_value_gets_a_footnote(checked, run_cli, tmp_path):
    (checked / "data/catatan.yaml").write_text(NOTE)
    result = run_cli("build", "--site", checked, "--out", tmp_path / "out")
    assert result.code == 0 and warnings(result.err) == [], result.err
    page = (tmp_path / "out/2020-11/sorotan/index.html").read_text()
    assert re.search(r'Nilainya 839,8<sup id="fnref:catatan-1"><a class="footnote-ref" href="#fn:catatan-1">'
                     r"1</a></sup> juta rupiah", page), page
    footnotes = page[page.index('<div class="footnote">'):]
    assert '<li id="fn:catatan-1">' in footnotes
    assert "Nilai, Buton, November 2020 — Investasi pabrik baru di Buton." in footnotes
    assert "Unit usaha per wilayah" not in footnotes and 'style="' not in footnotes


def test_a_value_without_a_noted_cell_gets_no_footnote(checked, run_cli, tmp_path):
    note = NOTE.replace("periode: 2020-11", "periode: 2020-10")
    (checked / "data/catatan.yaml").write_text(note)
    result = run_cli("build", "--site", checked, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    page = (tmp_path / "out/2020-11/sorotan/index.html").read_text()
    assert "catatan-1" not in page and "footnote" not in page


def test_chart_notes_name_the_noted_values_a_chart_includes(checked, tmp_path):
    from buletin.compose.charts import build_figure, chart_notes
    from buletin.compose.chartspec import ChartSpec
    from buletin.i18n import Locale
    from buletin.inputs.catalog import load_catalog
    from buletin.inputs.query import grouped
    from buletin.problems import Problems

    (checked / "data/catatan.yaml").write_text(NOTE.replace("column: nilai", "column: unit_usaha"))
    catalog = load_catalog(checked, Problems())
    locale = Locale("id")

    def notes(**spec):
        chart = ChartSpec(data="ikm", x="kode_wilayah", **spec)
        series = grouped(catalog, "ikm", chart.x, list(chart.y), filters=chart.filter, sort=chart.sort, top=chart.top)
        return chart_notes(catalog, chart, series, locale)

    shown = ("Unit usaha, Buton, November 2020 — Investasi pabrik baru di Buton.",)
    assert notes(y=("unit_usaha",), filter={"periode": "2020-11"}) == shown
    assert notes(y=("unit_usaha",)) == shown
    assert notes(y=("nilai",), filter={"periode": "2020-11"}) == ()
    assert notes(y=("unit_usaha",), filter={"periode": "2020-10"}) == ()
    assert notes(y=("unit_usaha",), filter={"periode": "2020-11"}, sort="asc", top=1) == ()  # Buton is cut
    chart = ChartSpec(data="ikm", x="kode_wilayah", y=("unit_usaha",))
    figure = build_figure(chart, grouped(catalog, "ikm", "kode_wilayah", ["unit_usaha"]), 1, locale, notes=shown)
    assert figure.notes == shown


def test_the_figure_shows_its_notes_as_catatan_lines(tmp_path):
    from buletin.compose.charts import build_figure
    from buletin.compose.chartspec import ChartSpec
    from buletin.i18n import Locale
    from buletin.inputs.query import Series
    from buletin.outputs.theme import make_environment

    chart = ChartSpec(data="ikm", x="kode_wilayah", y=("unit_usaha",), type="table", title="Unit usaha")
    series = Series("kode_wilayah", ["7401"], ["Buton"], ["unit_usaha"], ["Unit usaha"], [[4321.0]])
    figure = build_figure(chart, series, 1, Locale("id"), notes=("Unit usaha, Buton, November 2020 — Baru <b>.",))
    html = make_environment(tmp_path, Locale("id")).get_template("_figure.html").render(
        ref=SimpleNamespace(label="Tabel 1"), figure=figure, spec=chart, width=0, height=0, svg_url=None,
        csv_url="t.csv", csv_size=10, source="", notice="", anchor="tabel-1", x_title="Wilayah", x_text=["Buton"])
    assert '<p class="figure-notice figure-note">Catatan: Unit usaha, Buton, November 2020 — Baru &lt;b&gt;.</p>' \
        in html


def test_a_chart_that_includes_a_noted_value_shows_the_note_under_it(checked, run_cli, tmp_path):
    (checked / "data/catatan.yaml").write_text(NOTE.replace("column: nilai", "column: unit_usaha"))
    assert run_cli("build", "--site", checked, "--out", tmp_path / "out").code == 0
    page = (tmp_path / "out/2020-11/sorotan/index.html").read_text()
    figure = page[page.index("<figure"):page.index("</figure>")]
    assert "Catatan: Unit usaha, Buton, November 2020 — Investasi pabrik baru di Buton." in figure


@pytest.mark.parametrize(("notes", "where", "message"), [
    ("- data: ikmm\n  row: {periode: 2020-11, kode_wilayah: 7401}\n  column: nilai\n  note: x\n", 1,
     "there is no dataset `ikmm` in data/datapackage.yaml (did you mean `ikm`?)"),
    ("- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7401}\n  column: nilia\n  note: x\n", 3,
     "the dataset `ikm` has no column `nilia` (did you mean `nilai`?)"),
    ("- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7499}\n  column: nilai\n  note: x\n", 2,
     "no row of `ikm` has periode=2020-11, kode_wilayah=7499: correct `row`, or remove the note"),
    ("- data: ikm\n  row: {periode: 2020-11-01, kode_wilayah: 7401}\n  column: nilai\n  note: x\n", 2,
     "no row of `ikm` has periode=2020-11-01, kode_wilayah=7401: correct `row`, or remove the note (`periode` holds "
     "months, written 2020-11)"),
    ("- data: ikm\n  row:\n    periode: 2020-11\n    wilayah: 7401\n  column: nilai\n  note: x\n", 4,
     "`wilayah` is not a column of the primary key of `ikm`: name the row by periode, kode_wilayah "
     "(did you mean `kode_wilayah`?)"),
    ("- data: ikm\n  row: {periode: 2020-11}\n  column: nilai\n  note: x\n", 2,
     "`row` must give every column of the primary key of `ikm` (periode, kode_wilayah); missing: kode_wilayah"),
    ("- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7401}\n  column: nilai\n", 1,
     "missing required key `note`, e.g. `note: Investasi pabrik baru di Konawe.`"),
    ("- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7401}\n  column: nilai\n  note: x\n  catatan: y\n", 5,
     "unknown key `catatan`"),
    ("data: ikm\n", 1, "write one note per item, each starting with `- data:`"),
    ("- data: wilayah\n  row: {kode: 7401}\n  column: nama\n  note: x\n"
     "- data: wilayah\n  row: {kode: '7401'}\n  column: nama\n  note: y\n", 5,
     "this value already has a note, on line 1: keep one of the two"),
])
def test_a_wrong_note_is_an_error_at_its_line(checked, run_cli, notes, where, message):
    (checked / "data/catatan.yaml").write_text(notes)
    result = run_cli("check", "--site", checked)
    assert result.code == 1
    assert any(line.startswith(f"data/catatan.yaml:{where}: error: {message}")
               for line in result.err.splitlines()), result.err


# ---------------------------------------------------------------- declarations


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("    - name: status\n      type: string\n", "    - name: status\n      type: string\n"
     "      checks: {max_change: 0.7}\n", "max_change: 0.7", "field `status`: `checks` compare numbers, and this "
     "column is string: remove them, or make the column `integer` or `number`"),
    ("  title: Statistik IKM\n", "  title: Statistik IKM\n  period: periodee\n", "period: periodee",
     "resource `ikm`: `period` names no field of it: `periodee` (did you mean `periode`?)"),
    ("  title: Statistik IKM\n", "  title: Statistik IKM\n  period: unit_usaha\n", "period: unit_usaha",
     "resource `ikm`: the period column `unit_usaha` holds integer: name a column of type yearmonth, year, or "
     "string (quarters written 2020-Q4)"),
    ("      checks: {max_change: 0.5}\n", "      checks: {max_change: 0}\n", "max_change: 0}",
     "`max_change` must be a share above 0, e.g. 0.5 for ±50%, not 0"),
    ("      checks: {max_change: 0.5}\n", "      checks: {max_change: 0.5, min_change: -1}\n", "min_change: -1",
     "`min_change` must be an amount of 0 or more, e.g. 5, not -1"),
    ("      checks: {max_change: 0.5}\n", "      checks: {min_change: 5}\n", "min_change: 5",
     "field `nilai`: `min_change` only lets small changes pass the `max_change` check: add `max_change`, e.g. "
     "`checks: {max_change: 0.5, min_change: 5}`"),
    ("      checks: {max_change: 0.5}\n", "      checks: {max_chnage: 0.5}\n", "max_chnage",
     "unknown key `max_chnage` (did you mean `max_change`?)"),
    ("      checks: {max_change: 0.5}\n", "      checks: {max_change: separuh}\n", "separuh",
     "`max_change` must be a number, not `separuh`"),
    ("type: yearmonth", "type: date", "checks: {max_change: 0.3}",
     "resource `ikm`: `checks` compare each value with the previous period's, so the resource needs a period column"),
    ("    primaryKey: [periode, kode_wilayah]\n", "", "checks: {max_change: 0.3}",
     "resource `ikm`: `checks` compare each value with the same row in the previous period, so the resource needs "
     "a `primaryKey` that includes `periode`"),
])
def test_a_wrong_declaration_is_an_error_at_its_line(make_site, run_cli, old, new, needle, message):
    package = replaced(CHECKED, old, new)
    site = make_site({"data/datapackage.yaml": package})
    result = run_cli("check", "--site", site)
    assert result.code == 1
    where = f"data/datapackage.yaml:{line_of(package, needle)}: error: {message}"
    assert any(line.startswith(where) for line in result.err.splitlines()), f"{where}\n{result.err}"


# ---------------------------------------------------------------- publish


def test_publish_refuses_an_edition_with_a_warning_for_its_period_unless_forced(checked, run_cli):
    refused = run_cli("publish", "2020-11", "--site", checked)
    assert refused.code == 1
    assert WARNING["id"] in refused.err
    assert "content/2020-11/index.md: error: edition 2020-11 has 1 value in doubt (its warning is listed here): " \
           "correct it, " \
           "or vouch for it with a note in data/catatan.yaml; to publish it as it is, add --force" in refused.err
    assert "status: published" not in (checked / "content/2020-11/index.md").read_text()
    assert not (checked / "data/releases/2020-11").exists()
    forced = run_cli("publish", "2020-11", "--site", checked, "--force")
    assert forced.code == 0, forced.err
    assert "status: published" in (checked / "content/2020-11/index.md").read_text()


def test_publish_gives_every_reason_it_refuses_at_once(checked, run_cli):
    """A value in doubt and an example text still in the edition: both said in one run, not one per run."""
    edition = checked / "content/2020-11/index.md"
    edition.write_text(edition.read_text().replace("summary: Edisi uji November 2020.",
                                                   "summary: Ringkasan edisi dalam satu kalimat."))
    refused = run_cli("publish", "2020-11", "--site", checked)
    assert refused.code == 1
    assert "has 1 value in doubt" in refused.err and "still shows the example texts" in refused.err, refused.err


def test_publish_is_not_stopped_by_a_warning_of_another_period(checked, make_site, run_cli):
    make_site({"content/2020-10/index.md": "---\nsummary: Oktober.\n---\n\nOktober.\n"}, base=False)
    result = run_cli("publish", "2020-10", "--site", checked)
    assert result.code == 0, result.err


def test_a_warning_of_a_dataset_without_periods_stops_the_publishing_of_any_edition(make_site, run_cli):
    site = make_site({"data/wilayah.csv": "kode,nama\n7401,Buton\n7402,Muna\n7471,Kota Kendari\nJumlah,Semua\n"})
    refused = run_cli("publish", "2020-11", "--site", site)
    assert refused.code == 1 and "data/wilayah.csv:5: warning: `kode` `Jumlah`" in refused.err, refused.err
    assert "edition 2020-11 has 1 value in doubt" in refused.err and not (site / "data/releases/2020-11").exists()


def test_a_noted_value_does_not_stop_publish(checked, run_cli):
    (checked / "data/catatan.yaml").write_text(NOTE)
    assert run_cli("publish", "2020-11", "--site", checked).code == 0


def test_a_published_edition_keeps_its_notes_after_the_live_notes_change(checked, run_cli, tmp_path):
    (checked / "data/catatan.yaml").write_text(NOTE)
    assert run_cli("publish", "2020-11", "--site", checked).code == 0
    assert (checked / "data/releases/2020-11/catatan.yaml").read_text() == NOTE
    (checked / "data/catatan.yaml").unlink()  # the live data no longer vouch for it (a warning again)
    result = run_cli("build", "--site", checked, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    page = (tmp_path / "out/2020-11/sorotan/index.html").read_text()
    assert "Investasi pabrik baru di Buton." in page  # as published: from the snapshot's notes


@pytest.mark.parametrize(("row", "edition", "inside"), [
    ("2020-11", Period(2020, 11, "monthly"), True), ("2020-10", Period(2020, 11, "monthly"), False),
    ("2020-11", Period(2020, 4, "quarterly"), True), ("2020-09", Period(2020, 4, "quarterly"), False),
    ("2020-Q4", Period(2020, 4, "quarterly"), True), ("2020-03", Period(2020, 1, "yearly"), True),
    ("2020", Period(2020, 11, "monthly"), False), ("nanti", Period(2020, 11, "monthly"), False),
])
def test_a_rows_period_lies_within_an_editions(row, edition, inside):
    assert within(row, edition) is inside


def test_a_snapshot_equal_to_the_live_data_neither_repeats_nor_hides_their_warning(checked, run_cli, tmp_path):
    """A published snapshot is never checked for plausibility; the live data are. Their checks are kept apart in
    the build state although, right after `publish`, the files are the same."""
    first = run_cli("build", "--site", checked, "--out", tmp_path / "out")
    assert warnings(first.err) == [WARNING["id"]], first.err
    assert run_cli("publish", "2020-11", "--site", checked, "--force").code == 0
    for _ in range(2):  # with the live data's checks kept, then with both kept
        again = run_cli("build", "--site", checked, "--out", tmp_path / "out")
        assert again.code == 0 and warnings(again.err) == [WARNING["id"]], again.err
    (checked / "data/ikm.csv").write_text(IKM.replace("status\n", "status\n2020-09,7402,3700,480,tetap\n"))
    moved = run_cli("build", "--site", checked, "--out", tmp_path / "out")  # the slip is on line 6 now
    assert warnings(moved.err) == [WARNING["id"].replace("ikm.csv:5:", "ikm.csv:6:")], moved.err
    (checked / ".buletin-cache").rename(tmp_path / "old-cache")
    (checked / "data/ikm.csv").write_text(IKM.replace("5.522", "5522.2"))
    assert run_cli("build", "--site", checked, "--out", tmp_path / "out").code == 0  # the snapshot's kept first
    (checked / "data/ikm.csv").write_text(IKM)
    last = run_cli("build", "--site", checked, "--out", tmp_path / "out")
    assert warnings(last.err) == [WARNING["id"]], last.err


@pytest.mark.parametrize(("language", "row"), [("en", "for Area C, March 2021"), ("id", "for Wilayah C, Maret 2021")])
def test_a_value_that_starts_with_its_columns_title_is_not_named_twice(run_cli, tmp_path, monkeypatch, language, row):
    """`new site`'s areas are "Area C" in the column titled "Area": the row is "Area C", not "Area Area C"."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1614556800")  # 1 March 2021
    site = tmp_path / "baru"
    assert run_cli("new", "site", site, "--language", language).code == 0
    package = site / "data/datapackage.yaml"
    limits = "constraints: {required: true, minimum: 0}"
    package.write_text(package.read_text().replace(limits, "checks: {max_change: 0.3}, " + limits))
    csv = site / "data/contoh.csv"
    area = "Area" if language == "en" else "Wilayah"
    csv.write_text(csv.read_text().replace(f"2021-03,{area} C,71", f"2021-03,{area} C,171"))
    found = [line for line in warnings(run_cli("check", "--site", site).err) if "example text" not in line]
    assert len(found) == 1 and f"` 171 {row} — was 60 " in found[0], found


@pytest.mark.parametrize("name", ["notes.yaml", "catatan.yml"])
def test_notes_under_another_name_are_a_warning_not_silence(make_site, run_cli, name):
    site = make_site({f"data/{name}": "- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7402}\n"
                                      "  column: unit_usaha\n  note: Catatan.\n"})
    result = run_cli("check", "--site", site)
    assert result.code == 0 and warnings(result.err) == [
        f"data/{name}: warning: this file is not read: the notes on values are read from data/catatan.yaml: "
        "rename it"], result.err
    assert run_cli("check", "--site", site, "--strict").code == 1


def test_a_change_of_exactly_the_limit_in_decimals_is_allowed(make_site, run_cli):
    """8.4 - 5.6 is 2.8000000000000007 in binary fractions; +50% is still "no more than ±50%"."""
    rows = ("periode,kode_wilayah,unit_usaha,nilai,status\n2020-10,7401,4300,5.6,tetap\n2020-10,7402,3700,0.3,tetap\n"
            "2020-11,7401,4300,8.4,tetap\n2020-11,7402,3700,0.45,tetap\n")
    site = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows})
    assert warnings(run_cli("check", "--strict", "--site", site).err) == []
    over = make_site({"data/datapackage.yaml": CHECKED, "data/ikm.csv": rows.replace(",8.4,", ",8.41,")}, name="o")
    assert len(warnings(run_cli("check", "--site", over).err)) == 1


def test_a_row_of_totals_is_a_warning_at_its_line(make_site, run_cli):
    """A spreadsheet's last row, `Jumlah`, is a row like any other to the data; charts and value() add rows up,
    so it would be counted twice."""
    site = make_site({"data/wilayah.csv": "kode,nama\n7401,Buton\n7402,Muna\n7471,Kota Kendari\nJUMLAH,Semua\n"})
    result = run_cli("check", "--site", site, "--strict")
    assert result.code == 1 and warnings(result.err) == [
        "data/wilayah.csv:5: warning: `kode` `JUMLAH`: this row looks like the total of the others; charts and "
        "value() add the rows up themselves, so it would be counted twice: remove the row"], result.err
    (site / "data/catatan.yaml").write_text("- data: wilayah\n  row: {kode: JUMLAH}\n  column: kode\n"
                                            "  note: Kode wilayah yang memang bernama demikian.\n", encoding="utf-8")
    result = run_cli("check", "--site", site, "--strict")
    assert result.code == 0 and not warnings(result.err), result.err  # a row that is right after all is noted
