import csv
import io
import re
from dataclasses import replace

from buletin.compose.charts import build_figure, render_svg
from buletin.compose.chartspec import parse_spec
from buletin.i18n import Locale
from buletin.inputs.query import Series, grouped
from buletin.problems import Problems

from .conftest import DATA_ROWS as ROWS
from .conftest import data_site


def test_spec_errors_name_the_line_of_the_key():
    problems = Problems()
    text = "title: T\ntype: pie\ndata: ikm\nx: periode\ny: unit_usaha\ncolour: red\n"
    assert parse_spec(text, "c.md", 20, problems)[0] is None
    found = [str(p) for p in problems]
    assert "c.md:21: error: chart: `type` must be one of bar, barh, line, table, map, not `pie`" in found
    assert any(p.startswith("c.md:25: error: chart: unknown key `colour`") for p in found)


def test_values_are_rendered_after_parsing_so_text_cannot_become_yaml():
    problems = Problems()
    text = 'title: "{{ nama }}"\ndata: ikm\nx: periode\ny: unit_usaha\ntop: {{ n }}\nfilter: {k: {{ nama }}}\n'
    values = {"{{ nama }}": 'Kabupaten "Kolaka" Raya\ntop: 1 # lain', "{{ n }}": "3"}
    spec, _ = parse_spec(text, "c.md", 1, problems, lambda value, line: values[value])
    assert not problems, [str(p) for p in problems]
    assert spec.title == 'Kabupaten "Kolaka" Raya\ntop: 1 # lain' and spec.top == 3
    assert spec.filter == {"k": 'Kabupaten "Kolaka" Raya\ntop: 1 # lain'}


def test_figure_svg_csv_and_alt(tmp_path):
    catalog, _ = data_site(tmp_path, ROWS)
    problems = Problems()
    spec, _ = parse_spec("title: Unit\ntype: barh\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\nsort: desc\n",
                         "c.md", 1, problems)
    series = grouped(catalog, spec.data, spec.x, list(spec.y), sort=spec.sort)
    figure = build_figure(spec, series, 1, Locale("id"))
    assert figure.svg is None  # drawn later, by drawing.draw_all
    svg = render_svg(spec, series, Locale("id"), figure.digits).decode()
    assert svg.startswith("<?xml") and "<text" in svg  # text stays text
    assert "Kendari" in svg and "59" in svg
    assert "dc:date" not in svg
    rows = list(csv.reader(io.StringIO(figure.csv.decode())))
    assert rows == [["kode_wilayah", "label", "unit_usaha"], ["7471", "Kendari", "59"], ["7401", "Buton", "22"]]
    assert "Kendari (59)" in figure.alt and "Buton (22)" in figure.alt
    assert render_svg(spec, series, Locale("id"), figure.digits).decode() == svg  # deterministic


def test_a_dollar_in_a_label_is_a_dollar_not_a_formula(tmp_path):
    """matplotlib read text between two `$` as a formula: `$\\foo$ Buton` stopped the build with an internal
    error, `US$ 5 juta ... US$ 7` was drawn in italics as another text."""
    catalog, _ = data_site(tmp_path, ROWS, extra={"wilayah.csv": "kode,nama\n7401,$\\foo$ Buton\n"
                                                                  "7471,Ekspor US$ 5 juta dan US$ 7\n"})
    spec, _ = parse_spec("title: Unit\ntype: barh\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n", "c.md", 1,
                         Problems())
    series = grouped(catalog, spec.data, spec.x, list(spec.y))
    svg = render_svg(spec, series, Locale("id"), 0).decode()
    assert "$\\foo$ Buton" in svg and "Ekspor US$ 5 juta dan US$ 7" in svg


def test_table_type_draws_nothing(tmp_path):
    catalog, _ = data_site(tmp_path, ROWS)
    spec = parse_spec("type: table\ndata: ikm\nx: periode\ny: unit_usaha\n", "c.md", 1, Problems())[0]
    figure = build_figure(spec, grouped(catalog, "ikm", "periode", ["unit_usaha"]), 1, Locale("en"))
    assert figure.svg is None and figure.is_table
    assert figure.csv.decode().splitlines() == ["periode,unit_usaha", "2020-10,40", "2020-11,41"]


def test_separate_measures_keep_their_own_digits_and_are_not_added_up():
    series = Series("periode", ["2020-10", "2020-11"], None, ["a", "b"], ["Ton", "Nelayan"],
                    [[1.5, 10.0], [2.25, 12.0]])
    spec = parse_spec("type: line\ndata: ikm\nx: periode\ny: [a, b]\n", "c.md", 1, Problems())[0]
    figure = build_figure(spec, series, 1, Locale("id"))
    assert figure.column_digits == (1, 0)
    assert "Ton:" in figure.alt and "1,5" in figure.alt and "11,5" not in figure.alt


def test_empty_cells_are_not_drawn_or_described_as_zeros_and_signs_stack_apart():
    spec = parse_spec("type: bar\ndata: ikm\nx: periode\ny: a\nby: b\n", "c.md", 1, Problems())[0]
    series = Series("periode", ["p1", "p2", "p3"], None, ["A", "B"], ["A", "B"],
                    [[30.0, -60.0], [-120.5, 80.25], [float("nan"), float("nan")]])
    figure = build_figure(spec, series, 1, Locale("en"))
    assert "(0" not in figure.alt and "p3" not in figure.alt  # p3 has no data at all
    texts = re.findall(r">([^<>]+)</text>", render_svg(spec, series, Locale("en"), figure.digits).decode())
    assert "-100" in texts and "100" in texts  # negative parts stack below zero, positive ones above
    flat = parse_spec("type: line\ndata: ikm\nx: periode\ny: a\n", "c.md", 1, Problems())[0]
    zeros = Series("periode", ["p1", "p2"], None, ["a"], ["a"], [[0.0], [0.0]])
    ticks = re.findall(r">([^<>]+)</text>", render_svg(flat, zeros, Locale("en"), 0).decode())
    assert "0" in ticks and not [t for t in ticks if t in ("-0", "-0.0", "0.0")]


def test_one_pass_svg_is_matplotlibs_tight_svg_byte_for_byte(tmp_path, monkeypatch):
    """save_svg measures the drawn extent without drawing: the bytes must be those of bbox_inches="tight"."""
    import matplotlib.figure

    catalog, _ = data_site(tmp_path, ROWS)
    problems = Problems()
    savefig = matplotlib.figure.Figure.savefig

    def tight(fig, buffer, **options):
        return savefig(fig, buffer, format="svg", metadata=options["metadata"], bbox_inches="tight", pad_inches=0.08)

    for block in ("type: barh\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n",
                  "title: Tren\ntype: line\ndata: ikm\nx: periode\ny: unit_usaha\nby: kode_wilayah\n"):
        spec, _ = parse_spec(block, "c.md", 1, problems)
        series = grouped(catalog, spec.data, spec.x, list(spec.y), sort=spec.sort)
        one_pass = render_svg(spec, series, Locale("id"), 0)
        with monkeypatch.context() as patched:
            patched.setattr(matplotlib.figure.Figure, "savefig", tight)
            assert render_svg(spec, series, Locale("id"), 0) == one_pass, block
    assert not problems


def test_a_line_chart_whose_axis_does_not_start_at_zero_says_so(tmp_path):
    catalog, _ = data_site(tmp_path, ROWS)
    problems = Problems()
    note = "Sumbu nilai tidak dimulai dari nol."
    spec, _ = parse_spec("type: line\ndata: ikm\nx: periode\ny: unit_usaha\nby: kode_wilayah\n", "c.md", 1, problems)
    series = grouped(catalog, spec.data, spec.x, list(spec.y), by=spec.by)
    assert note in render_svg(spec, series, Locale("id"), 0).decode()  # 10 to 30 units: the axis starts near 10
    assert "The value axis does not start at zero." in render_svg(spec, series, Locale("en"), 0).decode()
    bars, _ = parse_spec("type: bar\ndata: ikm\nx: periode\ny: unit_usaha\nby: kode_wilayah\n", "c.md", 1, problems)
    assert note not in render_svg(bars, series, Locale("id"), 0).decode()  # bars always start at zero
    with_zero = replace(series, values=[[0.0, row[1]] for row in series.values])
    assert note not in render_svg(spec, with_zero, Locale("id"), 0).decode()
    assert not problems


def test_a_label_is_measured_once_a_process_and_the_bytes_are_matplotlibs_own(tmp_path, monkeypatch):
    """Every SVG renderer of a process shares the text sizes measured (matplotlib keeps them per renderer, and
    each chart makes two): the second chart measures nothing again, and its bytes are those drawn without it."""
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.textpath import TextToPath

    from buletin.compose import canvas

    catalog, _ = data_site(tmp_path, ROWS)
    spec, _ = parse_spec("type: barh\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n", "c.md", 1, Problems())
    series = grouped(catalog, spec.data, spec.x, list(spec.y), sort=spec.sort)
    measured: list[str] = []
    measure = TextToPath.get_text_width_height_descent
    monkeypatch.setattr(TextToPath, "get_text_width_height_descent",
                        lambda self, s, prop, ismath: measured.append(s) or measure(self, s, prop, ismath))
    monkeypatch.setattr(canvas, "_TEXT_SIZES", {})
    first = render_svg(spec, series, Locale("id"), 0)
    assert measured and len(measured) == len(set(measured))  # each label once, though the chart is laid out twice
    measured.clear()
    assert render_svg(spec, series, Locale("id"), 0) == first and measured == []
    monkeypatch.setattr(canvas, "_share_text_sizes", lambda: None)
    monkeypatch.setattr(RendererSVG, "get_text_width_height_descent",  # matplotlib's own, unshared
                        lambda self, s, prop, ismath: self._text2path.get_text_width_height_descent(s, prop, ismath))
    assert render_svg(spec, series, Locale("id"), 0) == first
    assert len(measured) > len(set(measured))  # and matplotlib alone measures labels again
