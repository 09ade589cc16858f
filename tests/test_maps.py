"""Maps (CONTRACT §8): a GeoJSON resource, `type: map` charts, their drawing, files and errors."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from buletin.compose.chartspec import ChartSpec
from buletin.compose.mapareas import map_areas
from buletin.compose.maps import class_labels, classes, render_map
from buletin.i18n import Locale
from buletin.inputs.geojson import read_geojson
from buletin.inputs.query import Series
from buletin.problems import Problems

from .conftest import DATAPACKAGE_YAML, EDITION_MD, FIXED_EPOCH, assert_only_reports, assert_reported, line_of

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "geo" / "indonesia-provinsi.geojson"
GEO = "data/wilayah.geojson"
PACKAGE = "data/datapackage.yaml"
EDITION = "content/2020-11/index.md"
MAX_SVG = 60_000

MAP_RESOURCE = """\
- name: peta
  path: wilayah.geojson
  format: geojson
  key: kode
  title: Peta uji
  description: Petak skematis, bukan batas wilayah.
"""

# One square per area, by (column, row); 7403 has no data in the tiny site.
SQUARES = {"7401": ("Buton", 1, 1), "7402": ("Muna", 0, 1), "7403": ("Konawe", 0, 0), "7471": ("Kota Kendari", 1, 0)}


def feature(code: str, name: str, col: int, row: int, **extra) -> dict:
    x0, y1 = 122.0 + 0.4 * col, -4.0 - 0.4 * row
    ring = [[x0, y1 - 0.4], [x0 + 0.4, y1 - 0.4], [x0 + 0.4, y1], [x0, y1], [x0, y1 - 0.4]]
    return {"type": "Feature", "properties": {"kode": code, "nama": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]}, **extra}


def collection(features: list[dict]) -> str:
    """A FeatureCollection written one feature per line (line 1 opens it, feature i is on line i + 1)."""
    lines = [json.dumps(f, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def squares() -> list[dict]:
    return [feature(code, name, col, row) for code, (name, col, row) in SQUARES.items()]


MAP_CHART = """
```chart
title: Unit usaha per wilayah, {{ edition.period_text }}
type: map
data: ikm
filter: {periode: "{{ edition.period }}"}
x: kode_wilayah
y: unit_usaha
map: peta
highlight: "7471"
caption: Petak skematis.
```
"""


def map_site(make_site, files: dict | None = None, chart: str = MAP_CHART, name: str = "site") -> Path:
    return make_site({PACKAGE: DATAPACKAGE_YAML + MAP_RESOURCE, GEO: collection(squares()),
                      EDITION: EDITION_MD + chart, **(files or {})}, name=name)


def built(run_cli, site: Path, out: Path, *options: str):
    result = run_cli("build", "--site", site, "--out", out, "--quiet", *options)
    assert result.code == 0, result.err
    return result


def figure_files(out: Path, page: str = "2020-11") -> tuple[str, bytes, str]:
    """The map's <img> tag, SVG bytes and CSV text on a page (its first figure)."""
    html = (out / page / "index.html").read_text(encoding="utf-8")
    tag = re.search(r'<img src="(gambar-1-[0-9a-f]{8}\.svg)"[^>]*>', html)
    assert tag, html
    svg = (out / page / tag.group(1)).read_bytes()
    csv_text = (out / page / tag.group(1).replace(".svg", ".csv")).read_text(encoding="utf-8")
    return tag.group(0), svg, csv_text


def svg_texts(svg: bytes | str) -> list[str]:
    text = svg.decode() if isinstance(svg, bytes) else svg
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text\b[^>]*>(.*?)</text>", text, re.S)]


# ---------------------------------------------------------------- a map in a built site


def test_map_in_built_site(make_site, run_cli, tmp_path):
    site = map_site(make_site)
    built(run_cli, site, tmp_path / "out")
    tag, svg, csv_text = figure_files(tmp_path / "out")
    assert len(svg) < MAX_SVG
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows == [["kode_wilayah", "label", "unit_usaha"], ["7401", "Buton", "4321"], ["7402", "Muna", "3690"],
                    ["7471", "Kota Kendari", "5001"]]  # exactly the data drawn: no row for the area without data
    alt = re.search(r'alt="([^"]*)"', tag).group(1)
    assert alt.startswith("Peta: Unit usaha per wilayah, November 2020. Tertinggi Kota Kendari (5.001), terendah "
                          "Muna (3.690); 1 wilayah tanpa data."), alt
    assert "Kota Kendari ditandai (5.001)" in alt
    texts = svg_texts(svg)
    assert "Tidak ada data" in texts and "Unit usaha" in texts
    assert b"<pattern" in svg  # the area without data is hatched
    html = (tmp_path / "out" / "2020-11" / "index.html").read_text(encoding="utf-8")
    assert "Gambar 1." in html and "Petak skematis." in html and "Disperindag uji" in html  # a figure like any


def test_geojson_is_published_under_data(make_site, run_cli, tmp_path):
    site = map_site(make_site)
    built(run_cli, site, tmp_path / "out")
    published = tmp_path / "out" / "data" / "peta.geojson"
    assert published.read_bytes() == (site / GEO).read_bytes()
    package = json.loads((tmp_path / "out" / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert any(r["name"] == "peta" and r["path"] == "peta.geojson" for r in package["resources"])


def test_geojson_is_not_a_table(make_site, run_cli, tmp_path):
    """A map resource has no CSV download and is no dataset for value() or each."""
    site = map_site(make_site)
    built(run_cli, site, tmp_path / "out")
    assert not (tmp_path / "out" / "data" / "peta.csv").exists()
    result = run_cli("check", "--site", map_site(make_site, {
        "content/pages/tentang.md": "---\ntitle: Tentang\n---\n\n{{ value('peta', 'kode', agg='count') }}\n"},
        name="other"))
    assert result.code == 1
    assert_reported(result, "content/pages/tentang.md:5", "peta")


def test_highlight_is_outlined(make_site, run_cli, tmp_path):
    site = map_site(make_site)
    built(run_cli, site, tmp_path / "out")
    svg = figure_files(tmp_path / "out")[1].decode()
    outlines = re.findall(r'style="fill: none; stroke: #1f2328; stroke-width: ([\d.]+)', svg)
    assert outlines and max(float(w) for w in outlines) >= 2, svg  # the area's thick dark outline, and its legend
    assert "Kota Kendari" in svg_texts(svg)  # the legend names the outlined area
    plain = map_site(make_site, chart=MAP_CHART.replace('highlight: "7471"\n', ""), name="plain")
    built(run_cli, plain, tmp_path / "plain-out")
    assert "stroke: #1f2328; stroke-width: 2" not in figure_files(tmp_path / "plain-out")[1].decode()


def test_highlight_from_a_row(make_site, run_cli, tmp_path):
    """`highlight: "{{ row.kode }}"` on a page per row outlines that row's area (a code stays text)."""
    page = ("---\ntitle: \"{{ row.nama }}\"\neach: {data: wilayah, key: kode}\n---\n"
            + MAP_CHART.replace('"7471"', '"{{ row.kode }}"'))
    site = map_site(make_site, {"content/pages/wilayah.md": page})
    built(run_cli, site, tmp_path / "out")
    for code, name in (("7401", "Buton"), ("7471", "Kota Kendari")):
        tag, svg, _ = figure_files(tmp_path / "out", f"wilayah/{code}")
        assert f"{name} ditandai" in tag and name in svg_texts(svg)


def test_deterministic_bytes_across_processes(make_site, run_cli, tmp_path):
    site = map_site(make_site)
    built(run_cli, site, tmp_path / "a", "--no-cache")
    script = ("import sys; from buletin.cli import main; "
              f"sys.exit(main(['build', '--site', {str(site)!r}, '--out', {str(tmp_path / 'b')!r}, '--quiet', "
              "'--no-cache']))")
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert figure_files(tmp_path / "a")[1] == figure_files(tmp_path / "b")[1]


def test_editing_the_geojson_redraws_the_map(make_site, run_cli, tmp_path):
    site = map_site(make_site)
    cache = tmp_path / "cache"
    built(run_cli, site, tmp_path / "out", "--cache", cache)
    before = figure_files(tmp_path / "out")[1]
    moved = squares()
    moved[0] = feature("7401", "Buton", 2, 1)
    map_site(make_site, {GEO: collection(moved)})
    built(run_cli, site, tmp_path / "out", "--cache", cache)
    after = figure_files(tmp_path / "out")[1]
    assert after != before
    built(run_cli, site, tmp_path / "fresh", "--no-cache")
    assert figure_files(tmp_path / "fresh")[1] == after


def test_english_words_and_numbers(make_site, run_cli, tmp_path):
    site = map_site(make_site, {"site.yaml": "title: Test\nlanguage: en\nfrequency: monthly\n"})
    built(run_cli, site, tmp_path / "out")
    html = (tmp_path / "out" / "2020-11" / "index.html").read_text(encoding="utf-8")
    tag = re.search(r'<img src="figure-1-[0-9a-f]{8}\.svg"[^>]*>', html).group(0)
    assert "Map: Unit usaha per wilayah, November 2020. Highest Kota Kendari (5,001)" in tag
    assert "1 area without data" in tag
    svg = (tmp_path / "out" / "2020-11" / re.search(r'src="([^"]+)"', tag).group(1)).read_bytes()
    assert "No data" in svg_texts(svg)


# ---------------------------------------------------------------- classes and legend


def test_legend_classes_are_nice_and_in_the_sites_number_format():
    values = [698, 1301, 1024, 802, 2268, 652, 485, 564, 185, 310, 522, 131, 80, 466, 387, 1993, 1144]
    bounds = classes([float(v) for v in values], 0)
    assert bounds == [300, 500, 700, 1000]
    assert class_labels([float(v) for v in values], bounds, Locale("id"), 0) == [
        "80 – 299", "300 – 499", "500 – 699", "700 – 999", "1.000 – 2.268"]
    assert class_labels([float(v) for v in values], bounds, Locale("en"), 0)[-1] == "1,000 – 2,268"
    decimals = [1.24, 3.5, 8.76]
    assert classes(decimals, 1) == [3.0, 5.0]
    assert class_labels(decimals, [3.0, 5.0], Locale("id"), 1) == ["1,2 – 2,9", "3,0 – 4,9", "5,0 – 8,8"]
    assert classes([5.0, 5.0], 0) == [] and class_labels([5.0], [], Locale("id"), 0) == ["5"]
    for data in ([1.0, 2.0], [0.0, 0.0, 1e9], list(map(float, range(1000)))):  # every class holds a value
        found = classes(data, 0)
        edges = [-float("inf"), *found, float("inf")]
        assert all(any(low <= v < high for v in data) for low, high in itertools.pairwise(edges))
        assert len(found) <= 4


def test_sample_tile_grid_map_is_small_and_labelled():
    problems = Problems()
    geometry = read_geojson(ROOT, "data/wilayah-petak.geojson", "petak_wilayah", "kode", problems)
    assert geometry is not None and not problems and len(geometry.areas) == 17
    codes = geometry.codes
    values = [[float(100 + 130 * i)] for i in range(len(codes))]
    series = Series("kode_wilayah", codes, None, ["unit_usaha"], ["Unit usaha"], values)
    spec = ChartSpec(data="ikm", x="kode_wilayah", y=("unit_usaha",), type="map", map="petak_wilayah",
                     highlight="7471", title="Peta")
    svg = render_map(spec, series, map_areas(geometry), Locale("id"), 0)
    assert len(svg) < MAX_SVG, len(svg)
    assert svg == render_map(spec, series, map_areas(geometry), Locale("id"), 0)
    texts = " ".join(svg_texts(svg))
    assert "Kendari" in texts and "Konawe" in texts  # each square is named inside it
    width = float(re.search(rb'width="([\d.]+)pt"', svg).group(1)) * 4 / 3
    assert 440 <= width <= 470, width  # a chart's width: legible on a phone at 460 px


def test_sample_site_maps(sample_build):
    result, out = sample_build
    assert result.code == 0, result.err
    html = (out / "2020-11" / "index.html").read_text(encoding="utf-8")
    maps = re.findall(r'<img src="(gambar-\d+-[0-9a-f]{8}\.svg)" alt="Peta: ', html)
    assert len(maps) == 1
    assert len((out / "2020-11" / maps[0]).read_bytes()) < MAX_SVG
    page = (out / "wilayah" / "7471" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'alt="Peta: [^"]*Kota Kendari ditandai \(', page)


# ---------------------------------------------------------------- real boundaries nobody here drew


def test_map_from_real_boundaries(make_site, run_cli, tmp_path):
    provinces = {"1626230": 13012, "1626232": 52000, "1642672": 120500, "1642669": 98000, "1650535": 21000}
    package = DATAPACKAGE_YAML + """\
- name: provinsi
  path: provinsi.csv
  title: IKM per provinsi (uji)
  schema:
    fields:
    - {name: geonames_id, type: string, constraints: {required: true, unique: true}}
    - {name: unit_usaha, type: integer}
- name: batas_provinsi
  path: indonesia-provinsi.geojson
  format: geojson
  key: geonames_id
"""
    chart = ("\n```chart\ntitle: IKM per provinsi\ntype: map\ndata: provinsi\nx: geonames_id\ny: unit_usaha\n"
             "map: batas_provinsi\nhighlight: \"1626230\"\n```\n")
    site = make_site({PACKAGE: package, "data/indonesia-provinsi.geojson": FIXTURE.read_bytes(),
                      "data/provinsi.csv": "geonames_id,unit_usaha\n" + "".join(f"{k},{v}\n" for k, v in
                                                                                  provinces.items()),
                      EDITION: EDITION_MD + chart})
    built(run_cli, site, tmp_path / "out")
    tag, svg, csv_text = figure_files(tmp_path / "out")
    assert len(svg) < MAX_SVG, len(svg)  # 155 KB of boundaries, simplified to what 460 px can show
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["geonames_id", "label", "unit_usaha"]
    assert ["1626230", "Sulawesi Tenggara", "13012"] in rows and len(rows) == 1 + len(provinces)  # names from the map
    assert "28 wilayah tanpa data" in tag and "Tertinggi Jawa Barat (120.500)" in tag
    assert "Tidak ada data" in svg_texts(svg) and b"<pattern" in svg
    assert svg.count(b"<path") >= 33  # every province drawn, those without data too


def test_real_boundaries_read_as_they_are():
    problems = Problems()
    geometry = read_geojson(FIXTURE.parent, FIXTURE.name, "p", "geonames_id", problems)
    assert geometry is not None and not problems
    assert len(geometry.areas) == 33
    assert geometry.area("1626230").name == "Sulawesi Tenggara"
    assert sum(len(a.polygons) > 1 for a in geometry.areas) == 25
    areas = map_areas(geometry)
    points = sum(len(ring) for shape in areas.shapes for ring in shape)
    source = sum(len(ring) for a in geometry.areas for polygon in a.polygons for ring in polygon)
    assert points < source / 3  # simplified


# ---------------------------------------------------------------- errors, each at its file and line


def failed(run_cli, site: Path):
    result = run_cli("build", "--site", site, "--out", site.parent / "out")
    assert result.code == 1, result.out + result.err
    assert_only_reports(result)
    return result


def test_not_json(make_site, run_cli):
    text = collection(squares()).replace('"Muna"}', '"Muna",}')
    site = map_site(make_site, {GEO: text})
    assert_reported(failed(run_cli, site), f"{GEO}:{line_of(text, 'Muna')}", "not GeoJSON", "JSON")


@pytest.mark.parametrize("text", ['{"type":"Feature","properties":{},"geometry":null}\n', "[1, 2]\n",
                                  '{"type":"FeatureCollection"}\n'])
def test_not_a_feature_collection(make_site, run_cli, text):
    site = map_site(make_site, {GEO: text})
    assert_reported(failed(run_cli, site), f"{GEO}:1", "not GeoJSON", "FeatureCollection")


def test_feature_without_the_key(make_site, run_cli):
    features = squares()
    features[2]["properties"] = {"Kode": "7403", "nama": "Konawe"}
    text = collection(features)
    site = map_site(make_site, {GEO: text})
    assert_reported(failed(run_cli, site), f"{GEO}:4", "area 3", "`kode`", "did you mean `Kode`")


def test_key_found_in_a_feature_written_over_many_lines(make_site, run_cli):
    features = squares()
    features.append(dict(features[1]))  # 7402 again
    text = json.dumps({"type": "FeatureCollection", "features": features}, indent=2)
    site = map_site(make_site, {GEO: text})
    needle = '"kode": "7402"'
    first = line_of(text, needle)
    assert_reported(failed(run_cli, site), f"{GEO}:{line_of(text, needle, first + 1)}", "7402", "twice",
                    f"first on line {first}")


def test_geometry_that_is_not_a_polygon(make_site, run_cli):
    features = squares()
    features[1]["geometry"] = {"type": "Point", "coordinates": [122.5, -4.5]}
    site = map_site(make_site, {GEO: collection(features)})
    assert_reported(failed(run_cli, site), f"{GEO}:3", "7402", "Point", "Polygon or MultiPolygon")


def test_coordinates_out_of_range(make_site, run_cli):
    features = squares()
    features[3]["geometry"]["coordinates"] = [[[500000, 9500000], [510000, 9500000], [510000, 9510000],
                                               [500000, 9500000]]]
    site = map_site(make_site, {GEO: collection(features)})
    assert_reported(failed(run_cli, site), f"{GEO}:5", "7471", "out of range", "longitude", "EPSG:4326")


@pytest.mark.parametrize("digits", [400, 5000])  # 5,000: past Python's limit for reading an int, not only a float's
def test_coordinate_too_large_for_a_number(make_site, run_cli, digits):
    features = squares()
    features[3]["geometry"]["coordinates"][0][1] = [123456789, 1]  # valid JSON, no float holds it
    site = map_site(make_site, {GEO: collection(features).replace("123456789", "9" * digits)})
    result = failed(run_cli, site)
    assert_reported(result, f"{GEO}:5", "7471", "longitude, latitude")
    assert "set_int_max_str_digits" not in result.err



def test_an_outline_too_intricate_to_simplify_is_an_error_at_the_file(make_site, run_cli):
    """A zig-zag whose every tooth is a little smaller than the last is Douglas-Peucker's worst case: 100,000
    points took `check` 40 s, 160,000 nearly two minutes, for a file of a few megabytes."""
    n = 40_000
    teeth = [[122 + i * 0.4 / n, -4.2 + (-1) ** i * (0.2 - i * 0.2 / (n + 1))] for i in range(n)]
    ring = [*teeth, [122.4, -4.6], [122.0, -4.6], teeth[0]]
    features = squares()
    features[3]["geometry"]["coordinates"] = [ring]
    site = map_site(make_site, {GEO: collection(features)})
    assert_reported(failed(run_cli, site), GEO, "the outline of area `7471` (40,003 points) zig-zags too finely")

def test_control_characters_in_area_names_stay_out_of_the_map(make_site, run_cli, tmp_path):
    features = squares()
    features[2]["properties"]["nama"] = "Kona\x00we Raya\x07"  # 7403: no data, named by the map
    site = map_site(make_site, {GEO: collection(features)})
    result = run_cli("build", "--site", str(site), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    assert "Warning" not in result.err  # matplotlib's notes (a missing glyph) are not the staff's business
    svgs = list((tmp_path / "out").rglob("*.svg"))
    assert svgs
    for svg in svgs:
        ElementTree.fromstring(svg.read_bytes())  # well-formed XML
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.html")]
    assert not [page for page in pages if "\x00" in page or "\x07" in page]
    assert any("Konawe Raya" in svg.read_text(encoding="utf-8") for svg in svgs)


def test_malformed_coordinates(make_site, run_cli):
    features = squares()
    features[0]["geometry"]["coordinates"] = [[[122, -5], [122.4, -5]]]
    site = map_site(make_site, {GEO: collection(features)})
    assert_reported(failed(run_cli, site), f"{GEO}:2", "7401", "ring", "at least 4")


def test_duplicate_keys(make_site, run_cli):
    features = [*squares(), feature("7401", "Buton lagi", 2, 2)]
    site = map_site(make_site, {GEO: collection(features)})
    assert_reported(failed(run_cli, site), f"{GEO}:6", "7401", "twice", "first on line 2")


def test_geojson_resource_needs_its_key(make_site, run_cli):
    package = DATAPACKAGE_YAML + MAP_RESOURCE.replace("  key: kode\n", "")
    site = map_site(make_site, {PACKAGE: package})
    result = failed(run_cli, site)
    assert_reported(result, f"{PACKAGE}:{line_of(package, 'format: geojson')}", "peta", "`key`")
    assert "no map file" not in result.err  # the chart's use of it is a follow-on error, not reported again


def test_key_on_a_table_and_schema_on_a_map(make_site, run_cli):
    package = DATAPACKAGE_YAML.replace("  path: wilayah.csv\n", "  path: wilayah.csv\n  key: kode\n") + \
        MAP_RESOURCE + "  schema:\n    fields:\n    - {name: kode}\n"
    site = map_site(make_site, {PACKAGE: package})
    result = failed(run_cli, site)
    assert_reported(result, f"{PACKAGE}:{line_of(package, 'key: kode')}", "`key` is only for map")
    assert_reported(result, f"{PACKAGE}:{line_of(package, 'schema:', line_of(package, '- name: peta'))}",
                    "GeoJSON", "schema")


def test_data_value_without_an_area(make_site, run_cli):
    features = [f for f in squares() if f["properties"]["kode"] != "7402"]
    site = map_site(make_site, {GEO: collection(features)})
    text = EDITION_MD + MAP_CHART
    assert_reported(failed(run_cli, site), f"{EDITION}:{line_of(text, 'x: kode_wilayah')}", "`7402`",
                    "no area in map `peta`")


def test_map_on_a_chart_that_is_not_a_map(make_site, run_cli):
    chart = MAP_CHART.replace("type: map", "type: bar")
    site = map_site(make_site, chart=chart)
    text = EDITION_MD + chart
    result = failed(run_cli, site)
    assert_reported(result, f"{EDITION}:{line_of(text, 'map: peta')}", "`map` is only for maps")
    assert_reported(result, f"{EDITION}:{line_of(text, 'highlight:')}", "`highlight` is only for maps")


@pytest.mark.parametrize(("value", "words"), [("wilayah", ("`wilayah` is a table", "format: geojson")),
                                              ("petta", ("no map file `petta`", "did you mean `peta`"))])
def test_map_that_is_not_a_geojson_resource(make_site, run_cli, value, words):
    chart = MAP_CHART.replace("map: peta", f"map: {value}")
    site = map_site(make_site, chart=chart)
    assert_reported(failed(run_cli, site), f"{EDITION}:{line_of(EDITION_MD + chart, 'map: ')}", *words)


def test_map_resource_as_data(make_site, run_cli):
    chart = MAP_CHART.replace("data: ikm", "data: peta")
    site = map_site(make_site, chart=chart)
    assert_reported(failed(run_cli, site), f"{EDITION}:{line_of(EDITION_MD + chart, 'data: peta')}",
                    "is a map file", "`map: peta`")


@pytest.mark.parametrize(("old", "new", "key", "words"), [
    ("map: peta\n", "", "type: map", ("needs `map`",)),
    ('highlight: "7471"', 'highlight: "7499"', "highlight:", ("7499", "no area")),
    ("y: unit_usaha", "y: [unit_usaha, nilai]", "y: [", ("one `y`",)),
    ("y: unit_usaha", "y: unit_usaha\nby: status", "by: status", ("`by`",)),
    ("y: unit_usaha", "y: unit_usaha\ntop: 2", "top: 2", ("`top`",)),
])
def test_map_keys(make_site, run_cli, old, new, key, words):
    chart = MAP_CHART.replace(old, new)
    site = map_site(make_site, chart=chart)
    assert_reported(failed(run_cli, site), f"{EDITION}:{line_of(EDITION_MD + chart, key)}", *words)



def test_a_map_as_an_editions_sharing_card(make_site, run_cli, tmp_path):
    site = map_site(make_site)
    built(run_cli, site, tmp_path / "out", "--base-url", "https://example.go.id/uji/")
    cards = list((tmp_path / "out" / "2020-11").glob("kartu-*.png"))
    assert len(cards) == 1 and cards[0].read_bytes().startswith(b"\x89PNG")


def test_a_published_edition_keeps_its_map(make_site, run_cli, tmp_path):
    """`publish` snapshots the GeoJSON with the tables; later edits to it leave the frozen edition's map alone."""
    site = map_site(make_site)
    assert run_cli("publish", "2020-11", "--site", site).code == 0
    assert (site / "data/releases/2020-11/wilayah.geojson").read_bytes() == (site / GEO).read_bytes()
    built(run_cli, site, tmp_path / "out")
    before = figure_files(tmp_path / "out")[1]
    moved = squares()
    moved[0] = feature("7401", "Buton", 2, 1)
    make_site({GEO: collection(moved)}, base=False)
    built(run_cli, site, tmp_path / "out")
    assert figure_files(tmp_path / "out")[1] == before
    built(run_cli, site, tmp_path / "fresh", "--no-cache")
    assert figure_files(tmp_path / "fresh")[1] == before


@pytest.mark.parametrize(("code", "said"), [(["7401"], "has `kode`: ['7401'], where its code belongs"),
                                             ("  ", "has an empty `kode`")])
def test_a_key_property_that_holds_no_code_says_what_it_holds(tmp_path, code, said):
    from buletin.problems import Problems

    areas = squares()
    areas[1]["properties"]["kode"] = code
    (tmp_path / "peta.geojson").write_text(collection(areas))
    problems = Problems()
    read_geojson(tmp_path, "peta.geojson", "peta", "kode", problems)
    assert [(p.line, said in p.message) for p in problems] == [(3, True)], [str(p) for p in problems]


def test_long_stretches_are_simplified_in_numpy_to_the_same_points(monkeypatch):
    """A comb-shaped ring of 40,000 points made Douglas-Peucker quadratic point by point (minutes); long
    stretches now go through numpy, which must keep exactly the points the loop keeps."""
    import math
    import random
    import time

    from buletin.compose import mapareas

    rng = random.Random(7)
    wiggly = [(i / 100 + rng.uniform(-0.02, 0.02), math.sin(i / 37) + rng.uniform(-0.02, 0.02)) for i in range(6000)]
    comb = [(i / 1000, 1.0 if i % 2 else 0.0) for i in range(3000)]
    for line in (wiggly, comb):
        fast = mapareas._douglas_peucker(line, 0.01)
        monkeypatch.setattr(mapareas, "_VECTOR_FROM", 10**9)
        assert mapareas._douglas_peucker(line, 0.01) == fast
        monkeypatch.undo()
    started = time.monotonic()
    assert len(mapareas._douglas_peucker([(i / 1000, 1.0 if i % 2 else 0.0) for i in range(15_000)], 0.01)) > 1000
    assert time.monotonic() - started < 30  # a minute before
