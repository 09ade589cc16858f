"""End-to-end builds of the tiny fixture site and of the sample site, checked against CONTRACT.md."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from .conftest import SITE_YAML, WILAYAH_CSV

ARTICLE = "content/2020-11/sorotan.md"
ARTICLE_PAGE = "2020-11/sorotan/index.html"


# ---------------------------------------------------------------- helpers


def build(run_cli, site: Path, out: Path, *extra: str):
    result = run_cli("build", "--site", site, "--out", out, "--quiet", *extra)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_by_region(site: Path, period: str, column: str) -> list[tuple[str, str, float]]:
    """(kode, nama, sum of column) for `period`, largest first, computed from the fixture's CSV files."""
    names = {row["kode"]: row["nama"] for row in read_rows(site / "data/wilayah.csv")}
    sums: dict[str, float] = defaultdict(float)
    for row in read_rows(site / "data/ikm.csv"):
        if row["periode"] == period:
            sums[row["kode_wilayah"]] += float(row[column])
    return sorted(((code, names[code], total) for code, total in sums.items()), key=lambda r: -r[2])


def total(site: Path, period: str, column: str) -> float:
    return sum(t for _, _, t in expected_by_region(site, period, column))


def grouped(value: float, digits: int, thousands: str, decimal: str) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def figures(html: str) -> list[str]:
    return re.findall(r"<figure\b.*?</figure>", html, flags=re.S)


def chart_figures(html: str) -> list[str]:
    return [f for f in figures(html) if "<table" in f]


class LinkCollector(HTMLParser):
    """Every URL-valued attribute of a page, with the tag, its rel and the enclosing class context."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str, str]] = []  # (tag, attr, url, context)
        self._context: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag not in ("img", "link", "meta", "br", "hr", "input", "source"):
            self._context.append(classes)
        context = " ".join([*self._context, classes, attrs.get("rel") or ""])
        for name in ("href", "src", "action", "poster", "data"):
            if attrs.get(name):
                self.links.append((tag, name, attrs[name], context))
        if attrs.get("srcset"):
            for part in attrs["srcset"].split(","):
                self.links.append((tag, "srcset", part.strip().split(" ")[0], context))

    def handle_endtag(self, tag):
        if tag not in ("img", "link", "meta", "br", "hr", "input", "source") and self._context:
            self._context.pop()


def links_of(path: Path) -> list[tuple[str, str, str, str]]:
    parser = LinkCollector()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def is_absolute(url: str) -> bool:
    return url.startswith(("/", "http:", "https:"))


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def tiny(make_site, run_cli, tmp_path):
    """The tiny site, built once for the test: (site, out)."""
    site = make_site()
    out = tmp_path / "out"
    build(run_cli, site, out)
    return site, out


# ---------------------------------------------------------------- layout


def test_output_layout(tiny):
    site, out = tiny
    for rel in ("index.html", "2020-11/index.html", ARTICLE_PAGE, "tentang/index.html", "arsip/index.html",
                "data/ikm.csv", "data/wilayah.csv", "data/datapackage.json", "feed.xml", "robots.txt",
                "404.html", "manifest.json"):
        assert (out / rel).is_file(), f"missing {rel}"
    assert not (out / "sitemap.xml").exists(), "sitemap.xml is only written when base_url is set"
    # each dataset CSV is the data, unchanged
    assert (out / "data/ikm.csv").read_bytes() == (site / "data/ikm.csv").read_bytes()
    package = json.loads((out / "data/datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} == {"ikm", "wilayah"}
    for resource in package["resources"]:
        assert (out / "data" / resource["path"]).is_file()


def test_a_folder_name_the_locale_cannot_encode_builds_and_prints(make_site, tmp_path):
    """Under LC_ALL=C without UTF-8 mode, a folder `ü` was an internal error (its name hashed as UTF-8); with an
    ASCII console, the summary naming it crashed after the site was written, exit 1."""
    import os

    site = make_site({"templates/footer_extra.html": "<p>Kontak</p>\n"}, name="situs ü")  # its name: the site's
    out = tmp_path / "keluaran ü"
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "buletin", "build", "--site", str(site), "--out", str(out)],
                          capture_output=True, text=True, encoding="utf-8", errors="replace", env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "keluaran \\udcc3\\udcbc" in done.stdout and "Kontak" in (out / "2020-11/sorotan/index.html").read_text()


def test_sitemap_only_with_base_url(make_site, run_cli, tmp_path):
    site = make_site()
    out = tmp_path / "out"
    build(run_cli, site, out, "--base-url", "https://contoh.go.id/buletin")
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://contoh.go.id/buletin/2020-11/sorotan/" in locs
    assert all(loc.startswith("https://contoh.go.id/buletin/") for loc in locs)
    assert "sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")


def test_xlsx_resource_is_published_as_csv(make_site, run_cli, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pelatihan"
    sheet.append(["no", "kegiatan", "peserta"])
    sheet.append([1, "Pelatihan masker", 25])
    sheet.append([2, "Pelatihan teh kelor", 30])
    buffer = io.BytesIO()
    book.save(buffer)
    package = (make_site() / "data/datapackage.yaml").read_text(encoding="utf-8") + """\
- name: pelatihan
  path: pelatihan.xlsx
  sheet: Pelatihan
  schema:
    fields:
    - {name: 'no', type: integer}
    - {name: kegiatan, type: string}
    - {name: peserta, type: integer}
"""
    site = make_site({"data/pelatihan.xlsx": buffer.getvalue(), "data/datapackage.yaml": package})
    out = tmp_path / "out"
    build(run_cli, site, out)
    rows = read_rows(out / "data/pelatihan.csv")
    assert [(r["kegiatan"], r["peserta"]) for r in rows] == [("Pelatihan masker", "25"),
                                                               ("Pelatihan teh kelor", "30")]


# ---------------------------------------------------------------- numbers, dates, charts


def test_value_formatted_in_indonesian(tiny):
    site, out = tiny
    html = (out / ARTICLE_PAGE).read_text(encoding="utf-8")
    units = total(site, "2020-11", "unit_usaha")
    assert units == 13012
    assert grouped(units, 0, ".", ",") in html  # 13.012
    assert grouped(total(site, "2020-11", "nilai"), 1, ".", ",") in html  # 1.234,5
    assert "13,012" not in html


def test_value_and_dates_in_english(make_site, run_cli, tmp_path):
    site_yaml = (make_site() / "site.yaml").read_text(encoding="utf-8").replace("language: id", "language: en")
    site = make_site({"site.yaml": site_yaml})
    out = tmp_path / "out"
    build(run_cli, site, out)
    html = (out / ARTICLE_PAGE).read_text(encoding="utf-8")
    assert grouped(total(site, "2020-11", "unit_usaha"), 0, ",", ".") in html  # 13,012
    assert grouped(total(site, "2020-11", "nilai"), 1, ",", ".") in html  # 1,234.5
    assert "13.012" not in html
    assert "Monday, 9 November 2020" in html
    assert '<html lang="en"' in html


def test_article_date_in_indonesian(tiny):
    _, out = tiny
    html = (out / ARTICLE_PAGE).read_text(encoding="utf-8")
    assert "Senin, 9 November 2020" in html


def test_chart_figure_has_image_caption_table_and_csv(tiny):
    site, out = tiny
    page = out / ARTICLE_PAGE
    charts = chart_figures(page.read_text(encoding="utf-8"))
    assert len(charts) == 1
    figure = charts[0]
    assert "<figcaption" in figure
    assert "Unit usaha per wilayah, Edisi November 2020" in figure  # macros work inside chart specs
    image = re.search(r"<img\b[^>]*>", figure).group(0)
    alt = re.search(r'alt="([^"]*)"', image).group(1)
    assert alt.strip(), "the chart image needs a text alternative"
    svg = page.parent / re.search(r'src="([^"]+)"', image).group(1)
    assert svg.is_file() and b"<svg" in svg.read_bytes()

    expected = expected_by_region(site, "2020-11", "unit_usaha")
    table = re.search(r"<table\b.*?</table>", figure, flags=re.S).group(0)
    for _code, name, value in expected:  # labels from the foreign key, numbers in Indonesian
        assert name in table
        assert grouped(value, 0, ".", ",") in table
    cells = re.findall(r'<th scope="row">([^<]*)</th>', table)
    assert cells == [name for _, name, _ in expected], "sort: desc orders the rows by value"

    href = re.search(r'<a\b[^>]*href="([^"]+\.csv)"', figure).group(1)
    assert not is_absolute(href)
    data = (page.parent / href).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(data)))
    header, body = rows[0], rows[1:]
    assert header[0] == "kode_wilayah" and header[-1] == "unit_usaha" and len(header) == 3
    assert body == [[code, name, str(int(value))] for code, name, value in expected]


def test_chart_csv_uses_plain_numbers(make_site, run_cli, tmp_path):
    chart = """\
---
title: Nilai
date: 2020-11-10
---

```chart
title: Nilai per wilayah
type: barh
data: ikm
filter: {periode: "2020-11"}
x: kode_wilayah
y: [unit_usaha, nilai]
```
"""
    site = make_site({"content/2020-11/nilai.md": chart})
    out = tmp_path / "out"
    build(run_cli, site, out)
    page = out / "2020-11/nilai/index.html"
    href = re.search(r'href="([^"]+\.csv)"', chart_figures(page.read_text(encoding="utf-8"))[0]).group(1)
    rows = list(csv.reader(io.StringIO((page.parent / href).read_text(encoding="utf-8"))))
    assert rows[0][0] == "kode_wilayah" and rows[0][-2:] == ["unit_usaha", "nilai"]
    units = {code: v for code, _, v in expected_by_region(site, "2020-11", "unit_usaha")}
    values = {code: v for code, _, v in expected_by_region(site, "2020-11", "nilai")}
    assert sorted(r[0] for r in rows[1:]) == sorted(values)
    for row in rows[1:]:
        assert re.fullmatch(r"-?\d+(\.\d+)?", row[-1]), f"not a plain number: {row[-1]!r}"
        assert float(row[-1]) == pytest.approx(values[row[0]])
        assert int(row[-2]) == units[row[0]]


def test_line_chart_order_and_top(make_site, run_cli, tmp_path):
    charts = """\
---
title: Urutan
date: 2020-11-10
---

```chart
title: Per bulan
type: line
data: ikm
x: periode
y: unit_usaha
```

```chart
title: Dua terbesar
type: table
data: ikm
filter: {periode: "2020-11"}
x: kode_wilayah
y: unit_usaha
sort: desc
top: 2
```
"""
    site = make_site({"content/2020-11/urutan.md": charts})
    out = tmp_path / "out"
    build(run_cli, site, out)
    page = out / "2020-11/urutan/index.html"
    found = chart_figures(page.read_text(encoding="utf-8"))
    assert len(found) == 2
    tables = []
    for figure in found:
        href = re.search(r'href="([^"]+\.csv)"', figure).group(1)
        tables.append(list(csv.reader(io.StringIO((page.parent / href).read_text(encoding="utf-8"))))[1:])
    per_month, top_two = tables
    assert [row[0] for row in per_month] == ["2020-10", "2020-11"]
    assert [int(row[-1]) for row in per_month] == [total(site, p, "unit_usaha") for p in ("2020-10", "2020-11")]
    expected = expected_by_region(site, "2020-11", "unit_usaha")[:2]
    assert top_two == [[code, name, str(int(value))] for code, name, value in expected]


def test_pages_with_data_show_the_notice(tiny):
    site, out = tiny
    notice = re.search(r"^notice: (.*)$", (site / "site.yaml").read_text(encoding="utf-8"), flags=re.M).group(1)
    for rel in ("index.html", "2020-11/index.html", ARTICLE_PAGE, "data/index.html"):
        assert notice in (out / rel).read_text(encoding="utf-8"), rel


def test_assets_carry_a_content_hash(tiny):
    _, out = tiny
    assets = [p for p in (out / "assets").rglob("*") if p.is_file()]
    assert any(p.suffix == ".css" for p in assets)
    for path in assets:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        parts = path.name.split(".")
        assert any(len(part) >= 8 and digest.startswith(part) for part in parts[1:]), path.name


# ---------------------------------------------------------------- drafts and future items


FUTURE = """\
---
title: Artikel dari masa depan
date: 2020-12-01
---

Belum terbit.
"""
DRAFT = """\
---
title: Artikel draf
date: 2020-11-05
draft: true
---

Masih draf.
"""


@pytest.mark.parametrize("drafts", [False, True], ids=["default", "with-drafts"])
def test_drafts_and_future_dates(make_site, run_cli, tmp_path, monkeypatch, drafts):
    # 2020-11-20 12:00 UTC: after the base article (2020-11-09), before the future one (2020-12-01)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2020, 11, 20, 12, tzinfo=dt.timezone.utc)
                                                    .timestamp())))
    site = make_site({"content/2020-11/masa-depan.md": FUTURE, "content/2020-11/draf.md": DRAFT})
    out = tmp_path / "out"
    build(run_cli, site, out, *(["--drafts"] if drafts else []))
    assert (out / ARTICLE_PAGE).is_file()
    everything = "".join(p.read_text(encoding="utf-8") for p in [*html_files(out), out / "feed.xml"])
    for slug, title in (("masa-depan", "Artikel dari masa depan"), ("draf", "Artikel draf")):
        assert (out / f"2020-11/{slug}/index.html").is_file() is drafts
        assert (title in everything) is drafts


# ---------------------------------------------------------------- links, manifest, reproducibility


def test_links_are_relative_and_resolve(tiny):
    _, out = tiny
    for page in html_files(out):
        rel = page.relative_to(out).as_posix()
        for tag, attr, url, _ in links_of(page):
            assert not is_absolute(url), f"{rel}: <{tag} {attr}={url!r}> is not relative"
            if url.startswith(("#", "mailto:", "data:")):
                continue
            target = url.split("#")[0].split("?")[0]
            if not target:
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if target.endswith("/") or resolved == ".":
                resolved = posixpath.join(resolved, "index.html")
            assert not resolved.startswith(".."), f"{rel}: {url!r} leaves the site"
            assert (out / resolved).is_file(), f"{rel}: {url!r} -> {resolved} does not exist"


def test_absolute_urls_only_where_the_contract_allows(make_site, run_cli, tmp_path):
    site = make_site()
    out = tmp_path / "out"
    build(run_cli, site, out, "--base-url", "https://contoh.go.id/buletin/")
    for page in html_files(out):
        rel = page.relative_to(out).as_posix()
        for tag, attr, url, context in links_of(page):
            if not is_absolute(url):
                continue
            allowed = rel == "404.html" or "canonical" in context or "share" in context
            assert allowed, f"{rel}: <{tag} {attr}={url!r}> should be relative"
            assert url.startswith(("https://contoh.go.id/buletin/", "https://wa.me/", "https://t.me/",
                                   "https://www.facebook.com/", "https://x.com/")), f"{rel}: {url!r} is elsewhere"
    # the feed is where absolute URLs belong
    feed = ET.parse(out / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    hrefs = [link.get("href") for entry in feed.iter(f"{atom}entry") for link in entry.iter(f"{atom}link")]
    assert "https://contoh.go.id/buletin/2020-11/sorotan/" in hrefs


def test_no_page_loads_from_another_host(tiny):
    _, out = tiny
    for page in html_files(out):
        for tag, _attr, url, _ in links_of(page):
            if tag in ("script", "link", "img", "iframe", "source"):
                assert not url.startswith(("http:", "https:", "//")), f"{page}: {url}"


def test_feed_lists_the_article(tiny):
    _, out = tiny
    feed = ET.parse(out / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert titles == ["Sorotan IKM November"]


def test_manifest(tiny, tree_snapshot):
    site, out = tiny
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"version", "generator", "built_at", "commit", "inputs", "files"}
    tree = {p for p in tree_snapshot(out) if not p.endswith("/")}
    assert set(manifest["files"]) == tree - {"manifest.json"}
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    for rel in ("site.yaml", "data/ikm.csv", "data/datapackage.yaml", "content/2020-11/sorotan.md",
                "content/pages/tentang.md"):
        assert manifest["inputs"][rel] == hashlib.sha256((site / rel).read_bytes()).hexdigest(), rel


def test_reproducible(make_site, run_cli, tmp_path, tree_snapshot):
    # two copies of the same inputs in different folders, built into different folders
    first, second = make_site(name="a"), make_site(name="b")
    build(run_cli, first, tmp_path / "out1")
    build(run_cli, second, tmp_path / "out2")
    one, two = tree_snapshot(tmp_path / "out1"), tree_snapshot(tmp_path / "out2")
    assert sorted(one) == sorted(two)
    for rel in one:
        assert one[rel] == two[rel], f"{rel} differs between two builds"


def test_rebuild_is_identical_and_keeps_unchanged_files(tiny, run_cli, tree_snapshot):
    site, out = tiny
    before = tree_snapshot(out, mtimes=True)
    build(run_cli, site, out)
    assert tree_snapshot(out, mtimes=True) == before


def test_check_writes_nothing(make_site, run_cli, tmp_path, tree_snapshot):
    site = make_site()
    before = tree_snapshot(tmp_path)
    result = run_cli("check", "--site", site)
    assert result.code == 0, result.err
    assert tree_snapshot(tmp_path) == before
    assert not (site / "output").exists()


def test_check_accepts_out_and_writes_nothing(make_site, run_cli, tmp_path, tree_snapshot):
    """CONTRACT §2: "Build and check also take --out DIR"."""
    site = make_site()
    before = tree_snapshot(tmp_path)
    result = run_cli("check", "--site", site, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert tree_snapshot(tmp_path) == before


BUILD_PY = Path(__file__).resolve().parents[1] / "build.py"


@pytest.mark.parametrize(("args", "code"), [(["check"], 0), (["build", "--quiet"], 0), (["frobnicate"], 2)])
def test_build_py_entry_point(make_site, tmp_path, args, code):
    """The real command line, in a child process: `python build.py COMMAND --site DIR`."""
    site = make_site()
    extra = ["--site", str(site)] if args[0] != "frobnicate" else []
    if args[0] == "build":
        extra += ["--out", str(tmp_path / "out")]
    done = subprocess.run([sys.executable, str(BUILD_PY), *args, *extra], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if args[0] == "build":
        assert (tmp_path / "out/2020-11/sorotan/index.html").is_file()
        assert done.stdout == "", "--quiet prints only errors"


# ---------------------------------------------------------------- raw HTML


RAW = """\
---
title: HTML mentah
date: 2020-11-10
---

Teks biasa.

<script>alert("xss-script")</script>

<p onclick="alert('xss-handler')">Paragraf <a href="javascript:alert('xss-url')">tautan</a></p>
"""


def test_raw_html_is_sanitised_by_default(make_site, run_cli, tmp_path):
    site = make_site({"content/2020-11/mentah.md": RAW})
    out = tmp_path / "out"
    build(run_cli, site, out)
    html = (out / "2020-11/mentah/index.html").read_text(encoding="utf-8")
    assert "Teks biasa." in html and "tautan" in html
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html)  # data for search engines
    for bad in ("<script", "xss-script", "onclick", "javascript:", "xss-handler"):
        assert bad not in html, bad


def test_raw_html_kept_when_allowed(make_site, run_cli, tmp_path):
    site_yaml = (make_site() / "site.yaml").read_text(encoding="utf-8") + "allow_raw_html: true\n"
    site = make_site({"site.yaml": site_yaml, "content/2020-11/mentah.md": RAW})
    out = tmp_path / "out"
    build(run_cli, site, out)
    html = (out / "2020-11/mentah/index.html").read_text(encoding="utf-8")
    assert '<script>alert("xss-script")</script>' in html


ROW_PAGE = """\
---
title: "Profil {{ row.nama }}"
each: {data: wilayah, key: kode}
---

## Usaha {{ row.nama }}

Wilayah {{ row.nama }} ({{ row.nama | upper }}), [peta]({{ "https://peta.contoh.go.id/?k=" ~ row.kode ~ "&n=1" }}).

Dalam kode: `{{ row.nama }}`.
"""
CELL = 'Kopi & Kelor <script>alert("sel")</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("raw", [False, True])
def test_a_data_cell_in_a_body_is_text_even_where_raw_html_is_allowed(make_site, run_cli, tmp_path, raw):
    """allow_raw_html trusts the site's writers, not its data: `{{ row.nama }}` printed a cell's markup as HTML,
    so a spreadsheet could put a script on the site. What `{{ }}` prints in a body is now escaped text."""
    quoted = '"' + CELL.replace('"', '""') + '"'
    site = make_site({"site.yaml": SITE_YAML + ("allow_raw_html: true\n" if raw else ""),
                      "content/pages/wilayah.md": ROW_PAGE,
                      "data/wilayah.csv": WILAYAH_CSV.replace("7402,Muna", f"7402,{quoted}")})
    out = tmp_path / "out"
    build(run_cli, site, out)
    html = (out / "wilayah/7402/index.html").read_text(encoding="utf-8")
    main = html[html.index("<main"):html.index("</main>")]
    assert "<script" not in main and "<img" not in main
    shown = re.search(r"<p>Wilayah (.*?) \((.*?)\), <a href=\"(.*?)\">peta</a>", main)
    assert shown is not None, main
    assert [unescape(part) for part in shown.groups()] == [CELL, CELL.upper(), "https://peta.contoh.go.id/?k=7402&n=1"]
    code = re.search(r"<p>Dalam kode: <code>(.*?)</code>", main)  # as printed, escaped once: it was twice
    assert code is not None and unescape(code.group(1)) == CELL
    heading = re.search(r'<h2 id="([^"]+)">(.*?)</h2>', main)
    assert heading is not None and unescape(heading.group(2)) == f"Usaha {CELL}"
    assert heading.group(1) == "usaha-kopi-kelor-alertsel"  # the table of contents drops the tags it sees


SAMPLE_BRIEFING = "2020-11/pembinaan-ikm-di-masa-pandemi/index.html"


def test_sample_site_builds(sample_build):
    result, out = sample_build
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    for rel in ("index.html", "2020-11/index.html", SAMPLE_BRIEFING, "arsip/index.html", "feed.xml",
                "manifest.json", "data/datapackage.json", "404.html", "robots.txt"):
        assert (out / rel).is_file(), rel


def test_sample_briefing_has_figures_and_no_placeholders(sample_build):
    result, out = sample_build
    assert result.code == 0, result.err
    html = (out / SAMPLE_BRIEFING).read_text(encoding="utf-8")
    assert len(figures(html)) >= 3
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"(^|[\s(>])\?($|[\s)<.,;:])", text), "a value() placeholder `?` was rendered"
    assert "Data ilustratif" in html, "pages that show data say they are illustrative"


def test_sample_site_links_are_relative(sample_build):
    """Internal links and every loaded resource are relative; prose may still link to other sites."""
    result, out = sample_build
    assert result.code == 0, result.err
    for page in html_files(out):
        if page.name == "404.html":
            continue
        for tag, attr, url, context in links_of(page):
            if "canonical" in context or "share" in context:
                continue
            where = f"{page.relative_to(out)}: <{tag} {attr}={url!r}>"
            assert not url.startswith("/"), where
            if tag != "a":
                assert not is_absolute(url), where


def test_tags_are_one_per_address_and_keep_their_spelling(make_site, run_cli, tmp_path):
    from .conftest import ARTICLE_MD

    article = ARTICLE_MD.replace("tags: [uji]", 'tags: [Foreign Visitors, foreign visitors, "Coastal News"]')
    site = make_site({"content/2020-11/sorotan.md": article})
    out = tmp_path / "out"
    build(run_cli, site, out)
    page = (out / "topik/foreign-visitors/index.html").read_text(encoding="utf-8")
    assert "<h1>Foreign Visitors</h1>" in page
    assert page.count('href="../../2020-11/sorotan/"') == 1
    assert ">Coastal News</a>" in (out / "topik/index.html").read_text(encoding="utf-8")


def test_a_chart_block_a_template_leaves_out_is_no_error(make_site, run_cli):
    """A chart block inside `{% if %}` that is false left its figure's mark out, which was taken for one printed
    from the data: an error telling staff to correct the data."""
    from .conftest import ARTICLE_MD

    article = ARTICLE_MD.replace("```chart", "{% if edition.period == '2020-12' %}\n```chart", 1).replace(
        "caption: Angka sementara.\n```", "caption: Angka sementara.\n```\n{% endif %}", 1)
    result = run_cli("check", "--site", make_site({ARTICLE: article}))
    assert result.code == 0, result.err
