import textwrap

import openpyxl
import pytest

from buletin.inputs.catalog import load_catalog
from buletin.problems import Problems

from .conftest import DATA_PACKAGE, data_site


def test_valid_data_keeps_cells_as_written(tmp_path):
    catalog, problems = data_site(tmp_path, "periode,kode_wilayah,unit_usaha,status\n2020-11,7401,5,tetap\n")
    assert problems == []
    table = catalog.get("ikm")
    assert table.frame["kode_wilayah"].tolist() == ["7401"]
    assert table.numeric("unit_usaha").tolist() == [5]
    assert table.labels("kode_wilayah", catalog.get) == {"7401": "Buton", "7471": "Kendari"}


def test_each_violation_names_line_and_column(tmp_path):
    csv = ("periode,kode_wilayah,unit_usaha,status\n"
           "2020-11,7401,-3,tetap\n"       # line 2: below minimum
           "2020-13,7401,4,tetap\n"        # line 3: not a month
           "2020-11,7499,x,final\n"        # line 4: unknown region, not an integer, not in enum
           "2020-11,7401,1,tetap\n"        # line 5: duplicate primary key of line 2
           ",7471,1,tetap\n")              # line 6: required
    _, problems = data_site(tmp_path, csv)
    assert "data/ikm.csv:2: error: unit_usaha: -3 is below 0, the smallest value this column allows: check the " \
        "value" in problems
    assert any(p.startswith("data/ikm.csv:3: error: periode:") and "2020-13" in p for p in problems)
    assert any(p.startswith("data/ikm.csv:4: error: unit_usaha:") for p in problems)
    assert any(p.startswith("data/ikm.csv:4: error: status:") and "sementara, tetap" in p for p in problems)
    assert any(p.startswith("data/ikm.csv:4: error: kode_wilayah:") and "wilayah" in p for p in problems)
    assert "data/ikm.csv:5: error: periode: this row is already in the file (the same periode=`2020-11`, " \
        "kode_wilayah=`7401` as line 2): keep one of the two" in problems
    assert any(p.startswith("data/ikm.csv:4: error: kode_wilayah: `7499` is not in the list of codes (column "
                            "`kode`) of the data `wilayah` (nearest: 74")
               for p in problems), problems
    assert any(p.startswith("data/ikm.csv:6: error: periode: this cell is empty, and this column needs a value")
               for p in problems)


def test_blank_lines_do_not_shift_line_numbers(tmp_path):
    _, problems = data_site(tmp_path, "periode,kode_wilayah,unit_usaha,status\n\n2020-11,7401,-1,tetap\n")
    assert problems == ["data/ikm.csv:3: error: unit_usaha: -1 is below 0, the smallest value this column allows: "
                        "check the value"]


def test_missing_and_undeclared_columns(tmp_path):
    _, problems = data_site(tmp_path, "periode,kode_wilayah,unit,status\n2020-11,7401,1,tetap\n")
    assert any("the column `unit_usaha` is missing: data/datapackage.yaml lists it" in p for p in problems)
    assert any("the column `unit` is not in the rules of `ikm`" in p for p in problems)


def test_a_column_one_letter_off_its_declaration_is_one_error_that_does_not_take_sides(tmp_path):
    """`unit_usha` declared, `unit_usaha` in the file: a typo on either side. "Add `unit_usha` to the file" sent
    a staff member to rename the file's column, after which every article quoting `unit_usaha` failed."""
    package = DATA_PACKAGE.replace("name: unit_usaha", "name: unit_usha")
    _, problems = data_site(tmp_path, "periode,kode_wilayah,unit_usaha,status\n2020-11,7401,1,tetap\n", package)
    assert problems == ["data/ikm.csv:1: error: the column `unit_usaha` is declared as `unit_usha` in "
                        "data/datapackage.yaml, the name articles and charts use: if `unit_usha` is right, rename "
                        "the column so here; if it is misspelt, have data/datapackage.yaml corrected"]


def test_unknown_schema_type_and_key_suggest(tmp_path):
    package = DATA_PACKAGE.replace("type: yearmonth", "type: yearmoth").replace("primaryKey: kode\n",
                                                                                 "primarykey: kode\n")
    _, problems = data_site(tmp_path, "periode,kode_wilayah,unit_usaha,status\n2020-11,7401,1,tetap\n", package)
    assert any("`type` must be one of string, integer, number, date, yearmonth, year, boolean, not `yearmoth` "
               "(did you mean `yearmonth`?)" in p for p in problems)
    assert any("unknown key `primarykey` (did you mean `primaryKey`?)" in p for p in problems)


def test_workbook_errors_name_sheet_and_cell(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text(textwrap.dedent("""
        resources:
          - name: pelatihan
            path: pelatihan.xlsx
            sheet: Pelatihan
            schema:
              fields:
                - {name: no, type: integer}
                - {name: tanggal, type: date}
                - {name: peserta, type: integer, constraints: {minimum: 0}}
        """), encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pelatihan"
    sheet.append(["no", "tanggal", "peserta"])
    sheet.append([1, "2020-07-01", 25])
    sheet.append([2, "kemarin", -5])
    book.save(data / "pelatihan.xlsx")
    problems = Problems()
    catalog = load_catalog(tmp_path, problems)
    found = [str(p) for p in problems]
    assert any(p.startswith("data/pelatihan.xlsx:Pelatihan!B3: error: tanggal:") for p in found)
    assert "data/pelatihan.xlsx:Pelatihan!C3: error: peserta: -5 is below 0, the smallest value this column allows: " \
        "check the value" in found
    assert catalog.get("pelatihan").frame["no"].tolist() == ["1", "2"]


def test_a_missing_sheet_is_an_error_in_datapackage_yaml(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text("resources:\n  - name: p\n    path: p.xlsx\n    sheet: Pelatihann\n"
                                           "    schema: {fields: [{name: no, type: integer}]}\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "Pelatihan"
    book.save(data / "p.xlsx")
    problems = Problems()
    load_catalog(tmp_path, problems)
    assert [str(p) for p in problems] == ["data/datapackage.yaml:4: error: the workbook data/p.xlsx of `p` has no "
                                         "sheet `Pelatihann` (its sheets: `Pelatihan`): correct `sheet`"]


def test_workbook_columns_without_header_are_ignored_when_empty_and_named_when_not(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text("resources:\n  - name: p\n    path: p.xlsx\n"
                                           "    schema: {fields: [{name: no, type: integer}]}\n", encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["no"])
    sheet.append([1])
    sheet["D5"].number_format = "0.00"  # formatted, empty: not data
    book.save(data / "p.xlsx")
    problems = Problems()
    assert load_catalog(tmp_path, problems).get("p").frame["no"].tolist() == ["1"] and not problems
    sheet["C7"] = "catatan"
    book.save(data / "p.xlsx")
    load_catalog(tmp_path, problems)
    assert [p.location for p in problems] == ["Data!C7"]


def test_a_title_row_above_the_column_names_is_named_as_such(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text("resources:\n  - name: p\n    path: p.xlsx\n    schema: {fields: "
                                           "[{name: no, type: integer}, {name: nama, type: string}]}\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data 2"
    for row in (["Tabel 1. Pelatihan per wilayah"], ["no", "nama"], [1, "Buton"]):
        sheet.append(row)
    book.save(data / "p.xlsx")
    problems = Problems()
    load_catalog(tmp_path, problems)
    assert [(p.location, p.message) for p in problems] == [(
        "'Data 2'!A1", "the sheet's first row holds only `Tabel 1. Pelatihan per wilayah`, where the column names "
        "belong: remove that title row, so that the names come first")]


def test_windows_files_get_advice_at_the_right_line(tmp_path):
    _, problems = data_site(tmp_path, "periode,kode_wilayah,unit_usaha,status\n2020-11,7401,1,tetap\n")
    (tmp_path / "data/ikm.csv").write_bytes("periode,kode_wilayah,unit_usaha,status\n2020-11,7401,1,tétap\n"
                                             .encode("cp1252"))
    problems = Problems()
    load_catalog(tmp_path, problems)
    assert [(p.path, p.line) for p in problems] == [("data/ikm.csv", 2)] and "UTF-8" in problems.items[0].message
    (tmp_path / "data/ikm.csv").write_text("periode;kode_wilayah;unit_usaha;status\n2020-11;7401;1;tetap\n")
    problems = Problems()
    load_catalog(tmp_path, problems)
    assert [p.line for p in problems] == [1] and "separated by `;`" in problems.items[0].message


def test_a_data_file_no_resource_declares_is_a_warning_naming_it(make_site, run_cli):
    """A new month saved under a new name changes nothing on the site: the build says why, and not of Excel's
    lock files, hidden files, published snapshots, or when datapackage.yaml itself is broken."""
    site = make_site({"data/ikm-desember.csv": "periode,kode_wilayah,unit_usaha,status\n",
                      "data/~$ikm.xlsx": b"lock", "data/.ikm.csv.swp.csv": "x",
                      "data/releases/2020-11/ikm.csv": "periode\n", "data/arsip/lama.xlsx": b"PK"})
    result = run_cli("check", "--site", site)
    found = [line for line in result.err.splitlines() if ": warning: " in line]
    assert result.code == 0 and found == [
        "data/arsip/lama.xlsx: warning: no resource of data/datapackage.yaml declares this file, so no chart, value "
        "or page can use it: declare it there (`- name:` and `path: arsip/lama.xlsx`), or move it out of data/",
        "data/ikm-desember.csv: warning: no resource of data/datapackage.yaml declares this file, so no chart, "
        "value or page can use it: declare it there (`- name:` and `path: ikm-desember.csv`), or move it out of "
        "data/"], result.err
    assert run_cli("check", "--site", site, "--strict").code == 1
    package = site / "data" / "datapackage.yaml"
    package.write_text(package.read_text() + "  - name: [\n")
    broken = run_cli("check", "--site", site)
    assert broken.code == 1 and "declares this file" not in broken.err


HEADER = "periode,kode_wilayah,unit_usaha,status\n"


def test_a_trailing_comma_on_every_row_shifts_no_value(tmp_path):
    """pandas took the first value of such rows as an index and moved the others one column left."""
    catalog, problems = data_site(tmp_path, HEADER + "2020-11,7401,5,tetap,\n2020-11,7471,6,sementara,\n")
    assert problems == []
    frame = catalog.get("ikm").frame
    assert frame["kode_wilayah"].tolist() == ["7401", "7471"] and frame["status"].tolist() == ["tetap", "sementara"]


def test_a_row_with_a_value_beyond_the_names_is_an_error_at_its_line(tmp_path):
    _, problems = data_site(tmp_path, HEADER + "2020-11,7401,5,tetap\n2020-11,7471,6,sementara,lagi\n")
    assert problems == ["data/ikm.csv:3: error: this row has 5 cells but the first line has 4 column names: put a "
                        'value holding a comma in double quotes ("Buton, Utara"), or add the missing column name']


@pytest.mark.parametrize(("text", "expected"), [
    ("periode;kode_wilayah;unit_usaha;status\n2020-11;7401;5,5;tetap\n",
     "the values are separated by `;` (Excel does so"),
    ("periode\tkode_wilayah\tunit_usaha\tstatus\n2020-11\t7401\t5\ttetap\n", "the values are separated by tabs"),
    ("periode,kode_wilayah,unit_usaha,unit_usaha,status\n2020-11,7401,5,5,tetap\n",
     "the column `unit_usaha` is named twice in the first line"),
])
def test_a_header_that_is_not_comma_separated_names_once_each_says_so_at_line_1(tmp_path, text, expected):
    _, problems = data_site(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"data/ikm.csv:1: error: {expected}"), problems


def test_an_empty_last_name_is_ignored_while_its_column_holds_nothing(tmp_path):
    """Excel writes `,` after the last name when a column to the right was ever formatted."""
    catalog, problems = data_site(tmp_path, HEADER.replace("\n", ",\n") + "2020-11,7401,5,tetap,\n")
    assert problems == [] and list(catalog.get("ikm").frame.columns) == ["periode", "kode_wilayah", "unit_usaha",
                                                                       "status"]
    (tmp_path / "b").mkdir()
    _, problems = data_site(tmp_path / "b", HEADER.replace("\n", ",\n") + "2020-11,7401,5,tetap,\n"
                            "2020-11,7471,6,tetap,catatan\n")
    assert problems == ["data/ikm.csv:3: error: a value stands in a column without a name (column 5): give the "
                        "column a name in the first line, or remove the value"]


def test_lines_stay_right_after_a_cell_that_ends_in_a_line_break(tmp_path):
    _, problems = data_site(tmp_path, HEADER + '2020-11,7401,"5\n",tetap\n2020-11,7471,6,tetap\n2020-11,7471,x,y\n')
    assert [p.split(": error: ")[0] for p in problems] == ["data/ikm.csv:5"] * 3, problems


def workbook_site(tmp_path, rows, sheet="Data", first=None, package_sheet=None):
    """A site whose dataset `p` (no, nama, nilai) is the workbook p.xlsx holding `rows` on `sheet` (after a
    sheet `first` when given); the catalog's problems as (location, message)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text(
        "resources:\n  - name: p\n    path: p.xlsx\n" + (f"    sheet: {package_sheet}\n" if package_sheet else "")
        + "    schema: {fields: [{name: no, type: integer}, {name: nama, type: string}, "
        "{name: nilai, type: integer}]}\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = first or sheet
    target = book.create_sheet(sheet) if first else book.active
    for row in rows:
        target.append(row)
    return book, data / "p.xlsx"


def workbook_problems(tmp_path, book, path):
    book.save(path)
    problems = Problems()
    load_catalog(tmp_path, problems)
    return [(p.location, p.message) for p in problems]


def workbook_warnings(tmp_path, book, path):
    """The catalog's warnings as (location, message); there must be no error."""
    book.save(path)
    problems = Problems()
    load_catalog(tmp_path, problems)
    assert not problems, problems
    return [(p.location, p.message) for p in problems.warnings]


def test_a_workbooks_cells_are_named_by_their_own_column_letter(tmp_path):
    """The columns in another order than declared, the table starting in column B: the bad cell is named."""
    book, path = workbook_site(tmp_path, [[None, "nilai", "no", "nama"], [None, 5, 1, "Buton"],
                                          [None, "banyak", 2, "Muna"]], sheet="Data IKM")
    assert workbook_problems(tmp_path, book, path) == [("'Data IKM'!B3", "nilai: `banyak` is not a whole number")]


def test_header_problems_name_the_sheet_and_the_cell(tmp_path):
    book, path = workbook_site(tmp_path, [["no", "nama", "Nilai "], [1, "Buton", 5]], sheet="2020")
    assert workbook_problems(tmp_path, book, path) == [(
        "'2020'!C1", "the column `Nilai` is named `nilai` in data/datapackage.yaml: write it so, letter for letter")]
    book["2020"]["C1"] = "nilai_rp"
    assert workbook_problems(tmp_path, book, path) == [
        ("'2020'!A1", "the column `nilai` is missing: data/datapackage.yaml lists it, so add it to the file's first "
                      "line (or check its spelling)"),
        ("'2020'!C1", "the column `nilai_rp` is not in the rules of `p` in data/datapackage.yaml: correct its name, "
                      "or add the column there")]


def test_a_name_written_twice_in_a_workbook_is_an_error_at_its_cell(tmp_path):
    book, path = workbook_site(tmp_path, [["no", "nama", "nilai", "nilai"], [1, "Buton", 5, 6]])
    assert workbook_problems(tmp_path, book, path) == [
        ("Data!D1", "the column `nilai` is named twice in the first row (C1 and D1): rename or remove one")]


@pytest.mark.parametrize("merged", [False, True])
def test_a_title_above_an_empty_row_or_merged_across_is_a_title_row(tmp_path, merged):
    rows = [["Tabel 1"], [], ["no", "nama", "nilai"], [1, "Buton", 5]] if not merged else \
        [["Tabel 1"], ["no", "nama", "nilai"], [1, "Buton", 5]]
    book, path = workbook_site(tmp_path, rows)
    if merged:
        book["Data"].merge_cells("A1:C1")
    [(location, message)] = workbook_problems(tmp_path, book, path)
    assert location == "Data!A1" and "remove that title row" in message


def test_a_chart_sheet_is_named_as_such_and_a_hidden_first_sheet_is_passed_over(tmp_path):
    from openpyxl.chart import BarChart, Reference

    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5]], first="Lama",
                               package_sheet="Grafik")
    book["Lama"].sheet_state = "hidden"
    book["Lama"].append(["lama"])
    chart = BarChart()
    chart.add_data(Reference(book["Data"], min_col=3, min_row=1, max_row=2))
    book.create_chartsheet("Grafik").add_chart(chart)
    assert workbook_problems(tmp_path, book, path) == [(None, "the sheet `Grafik` of data/p.xlsx holds a chart, not "
                                                              "a table: name the sheet that holds the table (sheets "
                                                              "with cells: Lama, Data)")]
    package = tmp_path / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("    sheet: Grafik\n", ""))
    problems = Problems()
    assert load_catalog(tmp_path, problems).get("p").frame["nama"].tolist() == ["Buton"] and not problems


@pytest.mark.parametrize(("cell", "advice"), [
    ("Rp 1.200", ": write the number alone (`1200`), without `Rp` or `%`"),
    ("12%", ": write the number alone (`12`), without `Rp` or `%`"),
    ("-", ": an unknown value is an empty cell; leave it empty, or list `-` in the resource's `missingValues`"),
    ("1\u00a0200", ": remove the spaces between the thousands (1200)"),
    ("#DIV/0!", ": the cell holds Excel's error for a formula: correct the formula in the workbook"),
    ("12O", ": a letter where a digit is meant (O → 0, I/l → 1)? Write 120"),
    ("(12)", ": a negative number is written with a minus sign: -12"),
    ("(1,234)", ": a negative number is written with a minus sign: -1234"),  # whole numbers: a thousands comma
    ("(12,5)", ": a negative number is written with a minus sign: -12.5"),  # not three digits: a decimal comma
    ("0.125", "declare the column `type: number` in data/datapackage.yaml and write 0.125"),  # no thousands dot
    ("1e3", ": write the number in full, 1000"),
    ("1.234,5", "declare the column `type: number` in data/datapackage.yaml and write 1234.5"),
])
def test_office_habits_in_a_number_cell_get_their_fix(tmp_path, cell, advice):
    _, problems = data_site(tmp_path, HEADER + f'2020-11,7401,"{cell}",tetap\n')
    assert len(problems) == 1 and advice in problems[0], problems



@pytest.mark.parametrize("cell", ["12%", "Rp 1.500"])
def test_a_percent_or_a_currency_in_a_decimal_column_is_told_only_what_is_wrong(tmp_path, cell):
    """`12%` in a column of decimals was "not a number written with `.` before the decimals", which is not its
    slip."""
    package = DATA_PACKAGE.replace("{name: unit_usaha, type: integer, constraints: {minimum: 0}}",
                                   "{name: unit_usaha, type: number}")
    _, problems = data_site(tmp_path, HEADER + f'2020-11,7401,"{cell}",tetap\n', package)
    assert len(problems) == 1 and f"`{cell}` is not a number: write the number alone" in problems[0], problems

def test_excels_error_in_a_text_cell_is_an_error_at_the_cell_not_a_name(tmp_path):
    """A text column takes any text, so a failed lookup's `#N/A` became a region's name on the site."""
    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5], [2, "#N/A", 6],
                                          [3, "#ref!", 7], [4, "N/A", 8], [5, "#GETTING_DATA", 9]])
    assert book["Data"]["B3"].data_type == "e"  # as Excel saves it: an error cell, not a text
    assert workbook_problems(tmp_path, book, path) == [
        ("Data!B3", "nama: `#N/A` is Excel's error for a formula, not a value: correct the formula in the workbook, "
                    "or leave the cell empty where the value is unknown"),
        ("Data!B4", "nama: `#ref!` is Excel's error for a formula, not a value: correct the formula in the workbook, "
                    "or leave the cell empty where the value is unknown"),
        ("Data!B6", "nama: `#GETTING_DATA` is Excel's error for a formula, not a value: correct the formula in the "
                    "workbook, or leave the cell empty where the value is unknown")]


def test_a_fraction_a_workbook_shows_as_a_percentage_in_a_column_of_whole_numbers(tmp_path):
    """25% typed into a whole-number column is kept as 0.25: not "declare the column a number", but the format."""
    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5], [2, "Muna", 0.25]])
    book["Data"]["C3"].number_format = "0%"
    assert workbook_problems(tmp_path, book, path) == [
        ("Data!C3", "nilai: `0.25` is not a whole number: the cell is formatted as a percentage, which Excel keeps as "
                    "a fraction (it shows 25%): format the column as Number (Home > Number) and type 25")]


def test_excels_error_in_a_column_of_codes_is_said_once(tmp_path):
    """Not also as a code missing from the list the column refers to."""
    _, problems = data_site(tmp_path, HEADER + "2020-11,#N/A,5,tetap\n")
    assert len(problems) == 1 and "`#N/A` is Excel's error for a formula" in problems[0], problems


def test_a_number_excel_shows_as_a_percentage_is_a_warning_at_its_cell(tmp_path):
    """Typed as 12.5% in Excel, a value is kept as 0.125: the site would show 0.125 where the office meant 12.5."""
    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5], [2, "Muna", 1], [3, "Kendari", 2],
                                          [4, "Konawe", 25]])
    package = tmp_path / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("{name: nilai, type: integer}", "{name: nilai, type: number}"))
    book["Data"]["C3"].number_format = book["Data"]["C5"].number_format = "0%"
    book["Data"]["C4"].value, book["Data"]["C4"].number_format = 0.125, "0.0%"
    assert workbook_warnings(tmp_path, book, path) == [
        ("Data!C3", "`nilai` `1`: Excel shows this cell as 100% and keeps the fraction `1`, which is what buletin "
                    "reads. If the figure is 100, format the column as Number (Home > Number) and type 100; if the "
                    "fraction is meant, format it as Number all the same"),
        ("Data!C4", "`nilai` `0.125`: Excel shows this cell as 12,5% and keeps the fraction `0.125`, which is what "
                    "buletin reads. If the figure is 12,5, format the column as Number (Home > Number) and type "
                    "12.5; if the fraction is meant, format it as Number all the same"),  # shown as Excel in
        # Indonesian shows it, typed as the data write it; a 25 in a cell formatted as a percentage is no fraction
        ("Data!C5", "`nilai` `25`: the cell is formatted as a percentage, so Excel shows it as 2.500%; buletin reads "
                    "`25`. If that is the figure, format the column as Number (Home > Number)")]
    book["Data"]["C3"].number_format = book["Data"]["C4"].number_format = book["Data"]["C5"].number_format = "0.000"
    assert workbook_warnings(tmp_path, book, path) == []
    # a percent sign in quotes or after a backslash is shown as it is: 12.5 is shown as "12.5%", no fraction
    book["Data"]["C3"].number_format, book["Data"]["C4"].number_format = '0.0"%"', "0\\%"
    assert workbook_warnings(tmp_path, book, path) == []
    # a missing value (here -99) is no number, whatever its format
    package.write_text(package.read_text().replace("schema: {fields:", "schema: {missingValues: ['-99'], fields:"))
    book["Data"]["C4"].value, book["Data"]["C4"].number_format = -99, "0%"
    assert workbook_warnings(tmp_path, book, path) == []


def test_a_month_excel_turned_into_a_date_gets_the_way_back(tmp_path):
    _, problems = data_site(tmp_path, HEADER + "2020-11-01,7401,5,tetap\n")
    assert len(problems) == 1 and problems[0].endswith(": Excel turned the month into a date; format the column as "
                                                       "Text (Home > Number > Text), then type 2020-11 again")


def test_an_unreadable_datapackage_is_the_one_error_not_every_use_of_a_dataset(make_site, run_cli):
    site = make_site()
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("\n  ", "\n\t", 1))
    result = run_cli("check", "--site", site)
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert result.code == 1 and len(errors) == 1 and errors[0].startswith("data/datapackage.yaml:"), result.err


def test_a_header_of_thousands_of_names_is_one_error_and_many_extra_columns_are_counted(tmp_path):
    """300,000 names took minutes and gigabytes; 10,000 undeclared ones printed 10,000 lines."""
    (tmp_path / "a").mkdir()
    _, problems = data_site(tmp_path / "a", ",".join(f"k{i}" for i in range(1500)) + "\n" + "1," * 1499 + "1\n")
    assert problems == ["data/ikm.csv:1: error: the first line holds 1,500 column names, more than the 1,000 a "
                        "table may have: is this the file meant?"]
    (tmp_path / "b").mkdir()
    _, problems = data_site(tmp_path / "b", HEADER.strip() + "".join(f",lain{i}" for i in range(15)) + "\n")
    assert len(problems) == 11 and problems[-1] == "data/ikm.csv:1: error: 5 more columns are not in the rules of " \
        "`ikm`: is this the file meant?"


def test_a_stray_mark_far_below_a_table_is_an_error_not_billions_of_cells(tmp_path):
    """One cell at XFD1048576 made openpyxl hand out a million rows of 16,384 cells (5 KB file, 137 GB asked)."""
    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5]])
    book["Data"]["XFD1048576"] = " "
    [(location, message)] = workbook_problems(tmp_path, book, path)
    assert location is None and "reaches cell XFD1048576, far beyond a table" in message


def _with_dimension(path, ref: str | None) -> None:
    """The workbook's first sheet declaring the area `ref` (None: declaring none), as tools other than Excel do."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb"<dimension[^>]*/>", b"" if ref is None else f'<dimension ref="{ref}"/>'.encode(),
                          parts[sheet])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_csv_file_larger_than_a_bulletins_table_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A 56 MB CSV took 1.8 GB to read; 35 MB of blank lines, 4 GB (then MemoryError). Blank lines are no rows now,
    and a file past the limit is refused at once."""
    from buletin.inputs import csvfiles

    (tmp_path / "a").mkdir()
    _, problems = data_site(tmp_path / "a", HEADER + "\n" * 100_000 + "2020-11,7401,5,tetap\n")
    assert problems == []
    monkeypatch.setattr(csvfiles, "MAX_BYTES", 1000)
    (tmp_path / "b").mkdir()
    _, problems = data_site(tmp_path / "b", HEADER + "2020-11,7401,5,tetap\n" * 100)
    assert problems == ["data/ikm.csv: error: the file is 0 MB, more than the 0 MB a table of a bulletin may be: keep "
                        "the rows the bulletin shows (the totals by region and month, say), or split the file"]


def test_a_workbook_declaring_a_smaller_area_is_read_to_its_last_row(tmp_path):
    """`<dimension ref="A1:C2">` over four rows: the rows past it were dropped without a word (a sum of 5, not 12)."""
    from buletin.inputs.tables import read_table

    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5], [2, "Muna", 3], [3, "Kendari", 4]])
    book.save(path)
    _with_dimension(path, "A1:C2")
    catalog = load_catalog(tmp_path, Problems())
    table = read_table(tmp_path, catalog.package.resources[0], Problems())
    assert table is not None and table.frame["nilai"].tolist() == ["5", "3", "4"]


def test_a_workbook_declaring_no_area_is_measured_as_it_is_read(tmp_path):
    """No `<dimension>`, a cell at XFD on each of 1,300 rows: the rows were padded to 16,384 cells (20,000 rows:
    4 GB, then MemoryError); now the area is counted row by row, and refused once past a table's."""
    book, path = workbook_site(tmp_path, [["no", "nama", "nilai"], [1, "Buton", 5]])
    for row in range(3, 1300):
        book["Data"][f"XFD{row}"] = "x"
    book.save(path)
    _with_dimension(path, None)
    problems = Problems()
    load_catalog(tmp_path, problems)
    [problem] = list(problems)
    assert "reaches cell XFD12" in problem.message and "far beyond a table" in problem.message


def test_a_row_of_totals_is_not_a_code_to_add_but_a_row_to_remove(tmp_path):
    """A spreadsheet's last row `Jumlah` is in no list of codes: not "add `Jumlah` to the list", but remove the
    row, as charts and value() add the rows up themselves. That is its one error: its empty period and sector
    follow from it, and deleting the row mends them; other rows' errors stay as they are."""
    rows = HEADER + "2020-11,7401,12,tetap\n2020-11,7499,3,tetap\n,Jumlah,15,\n"
    _, problems = data_site(tmp_path, rows)
    assert "data/ikm.csv:3: error: kode_wilayah: `7499` is not in the list of codes (column `kode`) of the data " \
        "`wilayah` (nearest: 7471, 7401): correct it, or add the code there first" in problems, problems
    assert "data/ikm.csv:4: error: kode_wilayah: `Jumlah`: this row looks like the total of the others; charts and " \
        "value() add the rows up themselves, so it would be counted twice: remove the row" in problems, problems
    assert [problem for problem in problems if problem.startswith("data/ikm.csv:4:")] == [
        "data/ikm.csv:4: error: kode_wilayah: `Jumlah`: this row looks like the total of the others; charts and "
        "value() add the rows up themselves, so it would be counted twice: remove the row"], problems
    # codes outside the primary key: the same
    (tmp_path / "kunci").mkdir()
    _, problems = data_site(tmp_path / "kunci", rows, DATA_PACKAGE.replace("primaryKey: [periode, kode_wilayah]",
                                                                           "primaryKey: [periode, status]"))
    assert [problem for problem in problems if problem.startswith("data/ikm.csv:4:")] == [
        "data/ikm.csv:4: error: kode_wilayah: `Jumlah`: this row looks like the total of the others; charts and "
        "value() add the rows up themselves, so it would be counted twice: remove the row"], problems
    # a row that a note vouches for is no row of totals: its own errors are said
    (tmp_path / "dicatat").mkdir()
    package = DATA_PACKAGE.replace("primaryKey: [periode, kode_wilayah]", "primaryKey: [periode, status]")
    _, problems = data_site(tmp_path / "dicatat", HEADER + "2020-11,Jumlah,12.5,tetap\n", package, extra={
        "catatan.yaml": "- {data: ikm, row: {periode: 2020-11, status: tetap}, column: kode_wilayah, note: Uji.}\n",
        "wilayah.csv": "kode,nama\n7401,Buton\n7471,Kendari\nJumlah,Jumlah\n"})
    assert problems == ["data/ikm.csv:2: error: unit_usaha: `12.5` is not a whole number: this column holds whole "
                        "numbers; if the figure has decimals, declare the column `type: number` in "
                        "data/datapackage.yaml and write 12.5"], problems
    # the word in a column of numbers, the totals of a sheet without codes: one error too, at the word
    (tmp_path / "angka").mkdir()
    _, problems = data_site(tmp_path / "angka", HEADER + "2020-11,7401,12,tetap\n2020-12,7401,Total,\n")
    assert [problem for problem in problems if problem.startswith("data/ikm.csv:3:")] == [
        "data/ikm.csv:3: error: unit_usaha: `Total`: this row looks like the total of the others; charts and "
        "value() add the rows up themselves, so it would be counted twice: remove the row"], problems


def test_digits_other_than_0_to_9_are_an_error_with_the_number_to_type(tmp_path):
    """`１２３` from an input method matched `\\d` and passed, then counted in no total (value() gave 5, not 128)."""
    _, problems = data_site(tmp_path, HEADER + "2020-11,7401,\uff11\uff12\uff13,tetap\n")
    assert problems == ["data/ikm.csv:2: error: unit_usaha: `\uff11\uff12\uff13` is not a whole number: it is written "
                        "with other digits than 0-9 (a keyboard's full-width ones?): write 123"]
    from buletin.inputs.cellslips import not_of_type

    for text, kind in (("(\uff11\uff12)", "integer"), ("\uff11\uff12,\uff15", "number"),
                       ("\uff11\uff12/2020", "yearmonth")):
        assert not_of_type(text, kind).endswith(": type it again with the digits 0-9")  # no advice made of them


def test_a_five_digit_slip_in_a_month_column_is_no_day_number(tmp_path):
    _, problems = data_site(tmp_path, HEADER + "20201,7401,5,tetap\n")
    assert any("`20201` is not a month written YYYY-MM: type it so" in p for p in problems), problems


def test_a_month_excel_keeps_as_its_day_number_gets_the_month_to_type(tmp_path):
    """A month typed into a cell formatted as a number reads 44197 (Excel's number for 2021-01-01)."""
    _, problems = data_site(tmp_path, HEADER + "44197,7401,5,tetap\n")
    assert any("`44197` is not a month written YYYY-MM: Excel's number for the day 2021-01-01, in a cell formatted "
               "as a number; format the column as Text (Home > Number > Text), then type 2021-01" in p
               for p in problems), problems


@pytest.mark.parametrize(("text", "advice"), [
    ("2020-07-14T13:30:00", ": a date with a time of day; write the date alone, 2020-07-14"),
    ("44026", ": Excel's number for the day 2020-07-14, in a cell formatted as a number; format the cell as a "
              "date (Format Cells > Date), or type 2020-07-14"),
])
def test_a_date_cell_from_a_workbook_gets_the_date_to_type(text, advice):
    from buletin.inputs.cellslips import not_of_type

    assert not_of_type(text, "date").endswith(advice)


@pytest.mark.parametrize(("text", "kind", "fixed"), [
    ("12/2020", "yearmonth", "2020-12"), ("2020/12", "yearmonth", "2020-12"), ("Des-20", "yearmonth", "2020-12"),
    ("Desember 2020", "yearmonth", "2020-12"), ("Oct 2020", "yearmonth", "2020-10"),
    ("01/12/2020", "yearmonth", "2020-12"), ("12/1/2020", "yearmonth", "2020-12"),  # Excel's date for a month
    ("Des-99", "yearmonth", "1999-12"), ("2020.12", "yearmonth", "2020-12"), ("Sept 2020", "yearmonth", "2020-09"),
    ("13/11/2020", "date", "2020-11-13"), ("11/25/2020", "date", "2020-11-25"),  # the day: what is no month
])
def test_a_month_or_a_day_written_as_people_do_gets_the_form_to_type(text, kind, fixed):
    from buletin.inputs.cellslips import not_of_type

    assert not_of_type(text, kind).endswith(f": write {fixed}")


@pytest.mark.parametrize(("text", "kind"), [
    ("13/2020", "yearmonth"), ("05/12/2020", "yearmonth"), ("31/02/2020", "date"), ("Xyz-20", "yearmonth"),
    ("09/11/2020", "date"), ("2020.1", "yearmonth"),  # 9 November or 11 September; Excel's 2020.10 or January
    ("Mar 15", "yearmonth"), ("Desa 20", "yearmonth"), ("Maybe 20", "yearmonth")])  # a day, or words
def test_a_month_or_a_day_that_cannot_be_told_gets_the_example(text, kind):
    from buletin.inputs.cellslips import not_of_type

    assert ": type it so, e.g. 2020-11" in not_of_type(text, kind)


def test_a_fraction_shown_as_a_percentage_is_one_warning_not_also_a_jump(tmp_path):
    """12.5% typed in a checked column is kept as 0.125, far from last month's 12: the percentage is the slip, said
    once; the jump it makes is not said again."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.yaml").write_text(
        "resources:\n  - name: p\n    path: p.xlsx\n    schema:\n      fields:\n"
        "      - {name: periode, type: yearmonth}\n      - {name: nama, type: string}\n"
        "      - {name: nilai, type: number, checks: {max_change: 0.5}}\n      primaryKey: [periode, nama]\n",
        encoding="utf-8")
    book = openpyxl.Workbook()
    for row in (["periode", "nama", "nilai"], ["2020-10", "Buton", 12], ["2020-11", "Buton", 0.125]):
        book.active.append(row)
    book.active["C3"].number_format = "0.0%"
    warned = workbook_warnings(tmp_path, book, data / "p.xlsx")
    assert [location for location, _message in warned] == ["Sheet!C3"], warned
    assert "Excel shows this cell as 12,5%" in warned[0][1]


def test_a_row_hidden_in_excel_is_a_warning_at_its_row_unless_noted(tmp_path):
    """Hiding a row (by hand or with a filter) leaves it out of what staff see, not out of the data: a row hidden
    so that it would not count still counted on the site without a word."""
    book, path = workbook_site(tmp_path, [[None, "no", "nama", "nilai"], [None, 1, "Buton", 5], [None, 2, "Muna", 6],
                                          [None, 3, "Kendari", 7], [None, 4, "Konawe", 8], [None, None, None, None],
                                          [None, 5, "Wakatobi", 9]])
    book["Data"].row_dimensions[3].hidden = True
    book["Data"].row_dimensions[6].hidden = True  # an empty row, hidden: nothing is read from it
    book["Data"].row_dimensions[7].hidden = True
    message = ("this row is hidden in Excel, but buletin reads it and its figures count: if it should not count, "
               "delete the row (or move it to another sheet); if it should, show it again: clear the sheet's filter "
               "if it has one (Data > Clear), or select the rows around it, right-click, Unhide")
    assert workbook_warnings(tmp_path, book, path) == [("Data!B3", message), ("Data!B7", message)]
    (tmp_path / "data/datapackage.yaml").write_text((tmp_path / "data/datapackage.yaml").read_text().replace(
        "schema: {", "schema: {primaryKey: [no], "))
    (tmp_path / "data/catatan.yaml").write_text(
        "- {data: p, row: {no: 2}, column: nilai, note: Disembunyikan agar tabel ringkas.}\n")
    assert workbook_warnings(tmp_path, book, path) == [("Data!B7", message)]
    book["Data"].row_dimensions[7].hidden = False
    assert workbook_warnings(tmp_path, book, path) == []


def test_a_value_in_other_capitals_is_offered_alone(tmp_path):
    """`Pangan` offered `pangan` and then values unlike it: aneka, bahan_bangunan."""
    package = DATA_PACKAGE.replace("enum: [sementara, tetap]", "enum: [pangan, aneka, bahan_bangunan]")
    _, problems = data_site(tmp_path, HEADER + "2020-11,7401,5,Pangan\n", package)
    assert len(problems) == 1 and problems[0].endswith("(nearest: pangan)"), problems
