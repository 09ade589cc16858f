"""The edition PDF (CONTRACT §9): real text, vector charts, numbered figures and pages, revision notices,
reproducible bytes, and no text of a site ever read as Typst markup."""
from __future__ import annotations

import dataclasses
import io
import json
import random
import re
import struct
import time
import zlib
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("typst")

from buletin import pipeline  # noqa: E402
from buletin.build.state import make_key  # noqa: E402
from buletin.inputs.config import SiteConfig  # noqa: E402
from buletin.model import SiteModel  # noqa: E402
from buletin.outputs import pdf, pdfsource  # noqa: E402

from .conftest import (  # noqa: E402
    ARTICLE_MD,
    BASE_FILES,
    EDITION_MD,
    FIXED_EPOCH,
    IKM_CSV,
    OCTOBER_MD,
    SITE_YAML,
    assert_reported,
    assert_reported_at,
    copy_sample_site,
    limits,
    write_files,
)

ROOT = Path(__file__).resolve().parents[1]


def build_model(site: Path, out: Path, cache: Path | None = None, drafts: bool = False) -> SiteModel:
    """Build a site as `build` does and return the model its pages were rendered from.

    With `buletin.pipeline.build_model_for_tests(options)` the pipeline gives it; otherwise the model that
    `pipeline.assemble` returns during a real build is kept.
    """
    options = pipeline.BuildOptions(site, out, drafts=drafts, jobs=1, cache_dir=cache)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        hook = getattr(pipeline, "build_model_for_tests", None)
        if hook is not None:
            return hook(options)
        kept: list[SiteModel] = []
        assemble = pipeline.assemble

        def keep(*args, **kwargs):
            model = assemble(*args, **kwargs)
            kept.append(model)
            return model

        mp.setattr(pipeline, "assemble", keep)
        pipeline.run(options)
    if not kept:
        pytest.skip("the pipeline no longer assembles its model through pipeline.assemble: "
                    "add buletin.pipeline.build_model_for_tests(options)")
    return kept[-1]


def edition(model: SiteModel, period: str):
    return next(view for view in model.editions if str(view.edition.period) == period)


def text_of(data: bytes) -> str:
    """Every page's text, white space collapsed (a PDF breaks lines where the layout did)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_texts(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def images_of(data: bytes) -> list[str]:
    """The image XObjects anywhere in the PDF (inside form XObjects too)."""
    found: list[str] = []

    def visit(resources, seen):
        objects = resources.get("/XObject") if resources else None
        if not objects:
            return
        for name, ref in objects.get_object().items():
            obj = ref.get_object()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.get("/Subtype") == "/Image":
                found.append(name)
            elif obj.get("/Subtype") == "/Form":
                visit(obj.get("/Resources"), seen)

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        visit(page.get("/Resources"), set())
    return found


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 80, 0)) -> bytes:
    """A small PNG of one colour, written by hand."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def make(tmp_path_factory, name: str, files: dict | None = None) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp(name)
    write_files(root / "site", {**BASE_FILES, **(files or {})})
    return root / "site", root / "out"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    site, out = make(tmp_path_factory, "pdf-tiny")
    model = build_model(site, out)
    return model, edition(model, "2020-11")


@pytest.fixture(scope="module")
def tiny_pdf(tiny):
    model, view = tiny
    return pdf.edition_pdf(model, view, model.built_at)


# ---------------------------------------------------------------- names


def test_pdf_name_is_the_site_slug_and_period():
    config = SiteConfig(title="Buletin IKM Sulawesi Tenggara", language="id")
    assert pdf.pdf_name(config, "2020-11") == "buletin-ikm-sulawesi-tenggara-2020-11.pdf"
    assert pdf.pdf_name(SiteConfig(title="Bülten Çeyrek", language="en"), "2020-Q4") == "bulten-ceyrek-2020-Q4.pdf"
    assert pdf.pdf_name(SiteConfig(title="数据", language="en"), "2020") == "buletin-2020.pdf"
    long = pdf.pdf_name(SiteConfig(title="Buletin " * 31, language="id"), "2020-11")  # was "File name too long"
    assert long == "-".join(["buletin"] * 10) + "-2020-11.pdf"


def test_pdf_path_is_beside_the_edition_page(tiny):
    model, view = tiny
    assert pdf.pdf_path(model.config, view) == "2020-11/buletin-uji-2020-11.pdf"


# ---------------------------------------------------------------- what the PDF holds


def test_a_pdf_holds_the_edition_as_text(tiny_pdf):
    assert tiny_pdf.startswith(b"%PDF-")
    text = text_of(tiny_pdf)
    for expected in (
        "BULETIN UJI", "Edisi November 2020",  # cover: site, edition title
        "November 2020 · Dirilis Senin, 9 November 2020",  # period and release date
        "Catatan: Data ilustratif untuk pengujian",  # the site's notice
        "Status data: sementara",
        "Edisi uji November 2020.",  # summary
        "Ringkasan edisi November 2020.",  # the edition's body
        "Dalam edisi ini", "Sorotan IKM November",  # contents, and the article's title
        "Senin, 9 November 2020", "Reporter: Tim Uji",  # its date and credits
        "KENDARI – Jumlah unit usaha pada November 2020 tercatat 13.012 unit.",  # dateline, quoted figure
        "Nilainya 1.234,5 juta rupiah.",  # Indonesian number formats, as the page has them
        "Gambar 1. Unit usaha per wilayah, Edisi November 2020",  # number and title of the chart
        "Angka sementara.", "Sumber: Disperindag uji",  # its caption and source
        "Paragraf penutup.",
    ):
        assert expected in text, expected
    pages = page_texts(tiny_pdf)
    assert pages[0].endswith(f"Halaman 1 dari {len(pages)}")
    assert all(f"Halaman {n} dari {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_the_chart_is_vector_graphics_with_text(tiny_pdf):
    assert images_of(tiny_pdf) == []  # no picture of the chart: its SVG, drawn as paths and text
    text = text_of(tiny_pdf)
    assert "Kota Kendari" in text and "Buton" in text  # the chart's axis labels are text
    assert "5.001" in text  # and so are its value labels


def test_the_same_model_gives_the_same_bytes(tiny, tiny_pdf):
    model, view = tiny
    assert pdf.edition_pdf(model, view, model.built_at) == tiny_pdf
    # The PDF's date is the edition's release date: a later build of the same edition gives the same file.
    later = model.built_at.replace(year=model.built_at.year + 1)
    assert pdf.edition_pdf(model, view, later) == tiny_pdf
    assert b"D:20201109" in tiny_pdf


def test_the_key_changes_with_the_edition_and_not_with_other_pages(tmp_path_factory, tiny):
    """The build state keeps a PDF under this key: what the PDF shows changes it, other pages do not."""
    def key_and_source(model):
        view = edition(model, "2020-11")
        return make_key(*pdf.pdf_key_parts(model, view, model.built_at)), pdf.pdf_source(model, view, model.built_at)

    key, source = key_and_source(tiny[0])
    assert (key, source) == key_and_source(tiny[0])
    variants = {
        "other page": ({"content/pages/tentang.md": "---\ntitle: Lain\n---\n\nLain.\n"}, False),
        "prose": ({"content/2020-11/sorotan.md": ARTICLE_MD.replace("Paragraf penutup.", "Paragraf lain.")}, True),
        "credits": ({"content/2020-11/sorotan.md": ARTICLE_MD.replace("[Tim Uji]", "[Tim Lain]")}, True),
        "data": ({"data/ikm.csv": IKM_CSV.replace("7471,5001", "7471,5002")}, True),
        "notice": ({"site.yaml": SITE_YAML.replace("untuk pengujian", "saja")}, True),
        "summary": ({"content/2020-11/index.md": "---\nsummary: Lain.\n---\n\nRingkasan edisi November 2020.\n"},
                    True),
    }
    for name, (files, changes) in variants.items():
        site, out = make(tmp_path_factory, f"pdf-key-{name.replace(' ', '-')}", files)
        other_key, other_source = key_and_source(build_model(site, out))
        assert (other_key != key) == changes, name
        assert (other_source != source) == changes, name  # the key follows exactly what the PDF is made from


def test_a_figures_notes_change_the_key_as_they_change_the_pdf(tiny):
    """A note of data/catatan.yaml under a chart is printed in the PDF, so it is in the PDF's key."""
    from dataclasses import replace

    model, view = tiny
    article = next(a for a in view.articles if a.figures)
    ref = article.figures[0]
    noted = replace(ref, figure=replace(ref.figure, notes=("Unit usaha, Buton, November 2020 — Benar.",)))
    other = replace(view, articles=tuple(replace(a, figures=(noted, *a.figures[1:])) if a is article else a
                                         for a in view.articles))
    assert pdf.pdf_source(model, other, model.built_at) != pdf.pdf_source(model, view, model.built_at)
    assert make_key(*pdf.pdf_key_parts(model, other, model.built_at)) != \
        make_key(*pdf.pdf_key_parts(model, view, model.built_at))


def test_a_new_picture_changes_the_key(tmp_path_factory):
    article = ARTICLE_MD.replace("Paragraf penutup.", "![Foto](foto.png)")
    keys = []
    for colour in ((200, 0, 0), (0, 0, 200)):
        site, out = make(tmp_path_factory, "pdf-picture", {"content/2020-11/sorotan.md": article,
                                                           "content/2020-11/foto.png": png(8, 8, colour)})
        model = build_model(site, out)
        keys.append(make_key(*pdf.pdf_key_parts(model, edition(model, "2020-11"), model.built_at)))
    assert keys[0] != keys[1]


def test_an_english_site_says_page_of(tmp_path_factory):
    site, out = make(tmp_path_factory, "pdf-en", {"site.yaml": SITE_YAML.replace("language: id", "language: en")})
    model = build_model(site, out)
    data = pdf.edition_pdf(model, edition(model, "2020-11"), model.built_at)
    text = text_of(data)
    assert "Page 1 of" in text and "Halaman" not in text
    assert "Monday, 9 November 2020" in text and "13,012" in text and "1,234.5" in text
    assert "Figure 1." in text and "Source: Disperindag uji" in text and "KENDARI –" in text


# ---------------------------------------------------------------- a rich body

RICH_MD = """\
---
title: Catatan lengkap
date: 2020-11-10
authors: [Ani, Budi]
editor: Citra
location: Raha
image: foto.png
image_alt: Foto uji
image_caption: Keterangan foto uji.
image_credit: "Foto: Tim Uji"
---

Teks dengan *miring*, **tebal**, `kode_x` dan [laporan lengkap](https://example.org/laporan) serta
[halaman tentang](../pages/tentang.md) dan kutipan {{ value("ikm", "unit_usaha", periode="2020-11") }} unit.[^1]

Tanda Typst dibaca apa adanya: #panic("boom") $x^2$ @ref &lt;label&gt; = judul, - bukan daftar.

| Wilayah | Unit |
|:--|--:|
| Buton | 4.321 |
| Muna | 3.690 |

- satu
    - dua
        - tiga
- empat

1. pertama
2. kedua

> Kutipan dari narasumber.

```text
baris kode
  menjorok
```

```chart
title: Tabel unit usaha per wilayah
type: table
data: ikm
filter: {periode: "2020-11"}
x: kode_wilayah
y: [unit_usaha, nilai]
caption: Tabel uji.
```

![Grafik kecil](kecil.png)

[^1]: Isi catatan kaki.
"""


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    site, out = make(tmp_path_factory, "pdf-rich", {
        "content/2020-11/lengkap.md": RICH_MD,
        "content/2020-11/foto.png": png(64, 40),
        "content/2020-11/kecil.png": png(30, 20, (0, 114, 178)),
    })
    model = build_model(site, out)
    view = edition(model, "2020-11")
    return model, view, pdf.edition_pdf(model, view, model.built_at)


def test_a_rich_body_keeps_its_structure(rich):
    _, view, data = rich
    text = text_of(data)
    assert "Teks dengan miring, tebal, kode_x dan laporan lengkap (https://example.org/laporan)" in text
    assert "serta halaman tentang dan kutipan 13.012 unit.1" in text  # a relative link without base_url: text
    assert "Reporter: Ani, Budi · Editor: Citra" in text and "RAHA –" in text
    assert "Wilayah Unit Buton 4.321 Muna 3.690" in text
    assert "satu" in text and "tiga" in text and "Kutipan dari narasumber." in text
    assert "baris kode" in text and "menjorok" in text
    assert "Tabel 1. Tabel unit usaha per wilayah" in text and "Tabel uji." in text
    assert "Kota Kendari 5.001 334" in text  # the table figure's rows, numbers as the page shows them
    assert "Isi catatan kaki." in text and "↩" not in text
    assert "Keterangan foto uji. Foto: Tim Uji" in text
    assert len(images_of(data)) == 2  # the photo and the picture of the body
    assert [a.article.title for a in view.articles] == ["Sorotan IKM November", "Catatan lengkap"]
    first, second = text.index("KENDARI –"), text.index("RAHA –")
    assert first < second  # the articles in the edition's order, each after its title
    assert text.rindex("Sorotan IKM November", 0, first) > text.index("Dalam edisi ini")
    assert text.rindex("Catatan lengkap", 0, second) > first


def test_typst_syntax_in_the_text_is_only_text(rich):
    text = text_of(rich[2])
    assert '#panic("boom") $x^2$ @ref <label> = judul, - bukan daftar.' in text


def test_with_a_base_url_relative_links_lead_to_the_site(rich):
    model = dataclasses.replace(rich[0], config=rich[0].config.with_base_url("https://example.go.id/buletin/"))
    source = pdf.pdf_source(model, edition(model, "2020-11"), model.built_at)
    assert '"u":"https://example.go.id/buletin/tentang/"' in source.doc
    text = text_of(pdf.render_pdf(source))
    assert "halaman tentang (https://example.go.id/buletin/tentang/)" in text
    assert "https://example.go.id/buletin/2020-11/" in text  # the edition's address on the cover


# ---------------------------------------------------------------- the HTML of bodies, as data


def blocks_of(model: SiteModel, html: str, figures=()) -> list:
    return pdfsource.body_blocks(model, "2020-11/x/index.html", html, tuple(figures), pdfsource.Assets())


def test_tables_are_placed_on_a_grid(tiny):
    model, _ = tiny
    html = ("<table><thead><tr><th colspan=\"2\">A</th><th rowspan=\"3\">B</th></tr></thead>"
            "<tbody><tr><td rowspan=\"2\">c</td><td class=\"align-right\">1</td></tr><tr><td>2</td></tr>"
            "<tr><td colspan=\"99\">wide</td></tr></tbody></table>")
    [table] = blocks_of(model, html)
    assert table["k"] == "table" and table["cols"] == 3 and table["hr"] == 1
    placed = [(c["x"], c["y"], c["cs"], c["rs"]) for c in table["cells"]]
    assert placed == [(0, 0, 2, 1), (2, 0, 1, 1), (0, 1, 1, 2), (1, 1, 1, 1), (1, 2, 1, 1), (0, 3, 3, 1)]
    assert table["cells"][3]["a"] == "right"


def test_white_space_scripts_and_placeholders(tiny):
    model, view = tiny
    html = ("<p>  a\n  <em> b </em>  c <br/> d  </p><script>alert(1)</script><style>p{}</style>"
            "<ul><li>x BULETINFIGURE0X y</li></ul><p>BULETINFIGURE7X</p>")
    blocks = blocks_of(model, html, view.articles[0].figures)
    assert blocks[0] == {"k": "p", "c": [{"k": "t", "s": "a "}, {"k": "em", "c": [{"k": "t", "s": "b "}]},
                                         {"k": "t", "s": "c"}, {"k": "br"}, {"k": "t", "s": "d"}]}
    assert "alert" not in str(blocks) and "p{}" not in str(blocks)
    [item] = blocks[1]["i"]
    assert [block["k"] for block in item] == ["p", "fig", "p"]  # a figure where its placeholder stood
    assert item[1]["label"] == "Gambar 1" and item[1]["svg"] == "t0"
    assert len(blocks) == 2  # a placeholder of no figure shows nothing, as on the page


def test_deep_nesting_is_bounded(tiny):
    model, _ = tiny
    html = "<blockquote>" * 200 + "<p>" + "<em>" * 200 + "inti" + "</em>" * 200 + "</p>" + "</blockquote>" * 200

    def depth(node) -> int:
        if isinstance(node, list):
            return 1 + max((depth(item) for item in node), default=0)
        if isinstance(node, dict):
            return max((depth(value) for value in node.values()), default=0)
        return 0

    blocks = blocks_of(model, html)
    assert "inti" in str(blocks) and depth(blocks) < 40


def test_hostile_bodies_still_make_a_pdf(tmp_path_factory):
    deep = "<div>" * 300 + "<blockquote>" * 100 + "<em>" * 100 + "dalam" + "</em>" * 100 + \
        "</blockquote>" * 100 + "</div>" * 300
    body = (f"{deep}\n\n<table><tr><td>" + "<table><tr><td>" * 30 + "sel" + "</td></tr></table>" * 30 +
            "</td></tr></table>\n\n<p>akhir</p>\n")
    site, out = make(tmp_path_factory, "pdf-hostile", {
        "site.yaml": SITE_YAML + "allow_raw_html: true\n",
        "content/2020-11/dalam.md": f"---\ntitle: Dalam\ndate: 2020-11-10\n---\n\n{body}",
        "content/2020-11/gambar.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
                                      '<image href="x.png" width="5" height="5"/></svg>',  # Typst reads no linked file
        "content/2020-11/rusak.md": "---\ntitle: Rusak\ndate: 2020-11-10\n---\n\n![Gambar rusak](gambar.svg)\n\n"
                                    "![Bukan PNG](rusak.png)\n",
        "content/2020-11/rusak.png": b"\x89PNG\r\n\x1a\nnot really",
    })
    model = build_model(site, out)
    data = pdf.edition_pdf(model, edition(model, "2020-11"), model.built_at)
    text = text_of(data)
    assert "dalam" in text and "sel" in text and "akhir" in text
    assert "[Gambar rusak]" in text and "[Bukan PNG]" in text  # pictures Typst cannot read: their text


def test_a_picture_cannot_bring_a_file_of_the_current_folder_into_the_pdf(tmp_path_factory, monkeypatch):
    """Typst's root is a folder of the edition's pictures, not where the command runs: a picture's own references
    find nothing."""
    site, out = make(tmp_path_factory, "pdf-cwd", {
        "content/2020-11/gambar.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
                                      '<image href="rahasia.png" width="5" height="5"/></svg>',
        "content/2020-11/cwd.md": "---\ntitle: Gambar\ndate: 2020-11-10\n---\n\n![Gambar](gambar.svg)\n",
    })
    here = tmp_path_factory.mktemp("here")
    (here / "rahasia.png").write_bytes(png(37, 23))
    monkeypatch.chdir(here)
    model = build_model(site, out)
    data = pdf.edition_pdf(model, edition(model, "2020-11"), model.built_at)
    assert b"/Width 37" not in data and "[Gambar]" in text_of(data)


# ---------------------------------------------------------------- published editions


def test_a_published_edition_shows_its_revision(make_site, run_cli, tmp_path):
    site = make_site({"content/2020-10/index.md": OCTOBER_MD})
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,4400"))
    model = build_model(site, tmp_path / "out")
    view = edition(model, "2020-10")
    assert view.revision
    text = text_of(pdf.edition_pdf(model, view, model.built_at))
    assert "Revisi data" in text and "semula 13.000, kini 13.100" in text
    assert "Pada Oktober 2020 tercatat 13.000 unit usaha." in text  # frozen, as published
    assert "Angka edisi ini dibekukan saat terbit." in text and "Dirilis Kamis, 5 November 2020" in text
    latest = text_of(pdf.edition_pdf(model, edition(model, "2020-11"), model.built_at))
    assert "Revisi data" not in latest


def test_a_draft_edition_says_so(tmp_path_factory):
    site, out = make(tmp_path_factory, "pdf-draft", {
        "content/2020-12/index.md": "---\nstatus: draft\ntitle: Edisi Desember (draf)\n---\n\nBelum terbit.\n",
    })
    model = build_model(site, out, drafts=True)
    text = text_of(pdf.edition_pdf(model, edition(model, "2020-12"), model.built_at))
    assert "Edisi Desember (draf)" in text and "Draf" in text and "Belum terbit." in text
    assert "Dalam edisi ini" not in text  # no articles, no contents
    # No release date: the PDF is dated by the build.
    assert pdf.pdf_source(model, edition(model, "2020-12"), model.built_at).timestamp == 1609459200


# ---------------------------------------------------------------- the sample site


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample site (the repository's root), copied: its build takes no lock and no cache in the repository."""
    folder = tmp_path_factory.mktemp("pdf-sample")
    return build_model(copy_sample_site(folder / "site"), folder / "out", folder / "cache")


def test_the_sample_edition_is_small_and_quick(sample):
    view = edition(sample, "2020-11")
    start = time.perf_counter()
    data = pdf.edition_pdf(sample, view, sample.built_at)
    seconds = time.perf_counter() - start
    assert len(data) < 1_000_000, len(data)
    assert seconds < 10, seconds
    text = text_of(data)
    figures = sum(len(a.figures) for a in view.articles) + len(view.figures)
    assert figures >= 5 and images_of(data) == []  # every chart vector (the photo is an SVG too)
    assert "Buletin IKM Sulawesi Tenggara".upper() in text and "Data ilustratif, bukan data resmi" in text
    assert "13.012" in text and "Gambar 5." in text and "Tabel 1." in text and "Halaman 1 dari" in text
    print(f"\nsample 2020-11: {len(data) / 1024:.0f} KB, {len(pypdf.PdfReader(io.BytesIO(data)).pages)} pages, "
          f"{seconds * 1000:.0f} ms")


# ---------------------------------------------------------------- the build (`pdf: true`)

PDF_YAML = SITE_YAML + "pdf: true\n"
OCTOBER_CHART_MD = OCTOBER_MD + """
```chart
title: Unit usaha per wilayah, Oktober 2020
type: bar
data: ikm
filter: {periode: "2020-10"}
x: kode_wilayah
y: unit_usaha
```
"""
PDF_LINK = re.compile(r'<a href="(buletin-uji-2020-1[01]\.pdf)" download>Unduh PDF \(PDF, (\d+) KB\)</a>')


def built(run_cli, site: Path, out: Path, *more) -> None:
    result = run_cli("build", "--site", site, "--out", out, "--quiet", *more)
    assert result.code == 0, result.err


def test_the_build_writes_each_edition_pdf_beside_its_page(make_site, run_cli, tmp_path):
    site = make_site({"site.yaml": PDF_YAML})
    out = tmp_path / "out"
    built(run_cli, site, out)
    data = (out / "2020-11/buletin-uji-2020-11.pdf").read_bytes()
    model = build_model(site, tmp_path / "again")
    assert data == pdf.edition_pdf(model, edition(model, "2020-11"), model.built_at)
    # The edition page links it, relative and to download, with its size.
    [(href, size)] = PDF_LINK.findall((out / "2020-11/index.html").read_text(encoding="utf-8"))
    assert href == "buletin-uji-2020-11.pdf" and int(size) == round(len(data) / 1024)
    assert "2020-11/buletin-uji-2020-11.pdf" in json.loads((out / "manifest.json").read_text())["files"]


def test_without_the_option_no_pdf_is_made(make_site, run_cli, tmp_path):
    out = tmp_path / "out"
    built(run_cli, make_site(), out)
    assert not list(out.rglob("*.pdf"))
    assert "Unduh PDF" not in (out / "2020-11/index.html").read_text(encoding="utf-8")


def test_the_option_is_true_or_false(make_site, run_cli):
    site = make_site({"site.yaml": SITE_YAML + "pdf: ya\n"})
    result = run_cli("check", "--site", site)
    assert result.code != 0
    assert_reported_at(result, site, "site.yaml:@pdf:", "`pdf`", "true or false")


def test_pdfs_are_kept_in_the_build_state(make_site, run_cli, tmp_path, monkeypatch):
    """A PDF is typeset again only when what it shows changed: another page's edit makes none."""
    typeset: list[str] = []
    render = pdf.render_pdf_or_error

    def counting(source):
        typeset.append(json.loads(source.doc)["title"])
        return render(source)

    monkeypatch.setattr(pdf, "render_pdf_or_error", counting)
    site = make_site({"site.yaml": PDF_YAML, "content/2020-10/index.md": OCTOBER_MD})
    out, cache = tmp_path / "out", tmp_path / "cache"
    built(run_cli, site, out, "--cache", cache)
    assert sorted(typeset) == ["Edisi November 2020", "Edisi Oktober 2020"]
    first = {path.name: path.read_bytes() for path in out.rglob("*.pdf")}
    typeset.clear()
    make_site({"content/pages/tentang.md": "---\ntitle: Tentang\n---\n\nHalaman lain.\n"}, base=False)
    built(run_cli, site, out, "--cache", cache)
    assert typeset == []
    assert {path.name: path.read_bytes() for path in out.rglob("*.pdf")} == first
    make_site({"content/2020-11/index.md": EDITION_MD.replace("Ringkasan edisi", "Ringkasan baru edisi")}, base=False)
    built(run_cli, site, out, "--cache", cache)
    assert typeset == ["Edisi November 2020"]
    assert "Ringkasan baru edisi" in text_of((out / "2020-11/buletin-uji-2020-11.pdf").read_bytes())


def test_an_edition_whose_pdf_cannot_be_made_is_a_problem_at_its_file(make_site, run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "render_pdf_or_error", lambda source: "Typst: no room on the page")
    site = make_site({"site.yaml": PDF_YAML})
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out, "--quiet")
    assert result.code != 0
    assert_reported(result, "content/2020-11/index.md", "PDF could not be made", "Typst: no room on the page")
    assert not out.exists()  # nothing is written


def test_a_published_editions_pdf_keeps_its_figures_after_a_data_revision(make_site, run_cli, tmp_path):
    """The PDF of a published edition is made from its snapshot: later data add the revision notice, and
    change none of its figures."""
    site = make_site({"site.yaml": PDF_YAML, "content/2020-10/index.md": OCTOBER_CHART_MD})
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    out = tmp_path / "out"
    built(run_cli, site, out)
    before = text_of((out / "2020-10/buletin-uji-2020-10.pdf").read_bytes())
    chart = "Buton Muna Kota Kendari 0 1.500 3.000 4.500 4.300 3.700 5.000"  # its labels, axis and values
    assert chart in before and "13.000 unit usaha" in before and "Revisi data" not in before
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,4400"), encoding="utf-8")
    built(run_cli, site, out)
    after = text_of((out / "2020-10/buletin-uji-2020-10.pdf").read_bytes())
    assert "Revisi data" in after and "semula 13.000, kini 13.100" in after
    assert chart in after and "4.400" not in after  # the chart as published
    assert "Pada Oktober 2020 tercatat 13.000 unit usaha." in after
    assert after.split("Revisi data")[0] in before  # the cover before the notice: unchanged


def test_characters_the_pdf_fonts_lack_are_a_warning_at_their_line(make_site, run_cli, tmp_path):
    """Typst prints a character no font has as an empty box without a word: the build names it, at its line."""
    body = ARTICLE_MD.replace("Paragraf penutup.", "Paragraf penutup — ramah: 漢字, ภาษาไทย, ĀāŠž and Ω.")
    site = make_site({"site.yaml": PDF_YAML, "content/2020-11/sorotan.md": body})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--quiet")
    line = body.splitlines().index(next(t for t in body.splitlines() if "漢字" in t)) + 1
    found = [text for text in result.err.splitlines() if ": warning: " in text]
    assert result.code == 0 and len(found) == 1 and found[0].startswith(f"content/2020-11/sorotan.md:{line}: "), \
        result.err
    assert "no font for 漢 (U+6F22), 字 (U+5B57), ภ (U+0E20), า (U+0E32), ษ (U+0E29) and 3 more: " in found[0]
    assert not re.search(r"[ĀāŠžΩ—]", found[0])  # DejaVu has these
    assert (tmp_path / "out/2020-11/buletin-uji-2020-11.pdf").exists()
    clean = make_site({"site.yaml": PDF_YAML}, name="clean")
    assert ": warning: " not in run_cli("build", "--site", clean, "--out", tmp_path / "o2", "--quiet").err


def test_a_status_only_notice_names_the_datasets_current_title(make_site, run_cli, tmp_path):
    """The notice of data made final names its datasets by title: a new title makes the PDF anew, as a fresh
    build would (the key covered only revised datasets' titles)."""
    site = make_site({"site.yaml": PDF_YAML})
    assert run_cli("publish", "2020-11", "--site", site, "--force").code == 0
    ikm = site / "data/ikm.csv"
    ikm.write_text(ikm.read_text().replace("2020-11,7402,3690,500.25,sementara", "2020-11,7402,3690,500.25,tetap"))
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("title: Statistik IKM", "title: Statistik Baru"))
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    assert run_cli("build", "--site", site, "--out", fresh, "--quiet", "--no-cache").code == 0
    name = "2020-11/buletin-uji-2020-11.pdf"
    assert "Statistik Baru" in text_of((out / name).read_bytes())
    assert (out / name).read_bytes() == (fresh / name).read_bytes()


def test_punctuation_needs_no_font_lookup(monkeypatch):
    """An en dash or curly quotes are in every text; DejaVu has all of General Punctuation (checked here once),
    so such a text does not make a build read the font tables."""
    import unicodedata

    from buletin.outputs import pdffonts

    covered = pdffonts._covered()
    assert all(code in covered for code in range(0x2000, 0x2070)
               if unicodedata.category(chr(code)) not in ("Cn", "Cf", "Zs", "Zl", "Zp"))
    monkeypatch.setattr(pdffonts, "_covered", lambda: (_ for _ in ()).throw(AssertionError("font tables read")))
    assert pdffonts._missing("Harga – “naik” … • ‰, café") == []


def test_a_large_photo_reaches_typst_as_its_bytes(tmp_path_factory):
    """Pictures went to Typst as text, one character per byte, turned back into bytes one by one by the template:
    three 8-megapixel photos took 1.2 GB and 9 s. Typst now reads each from a file of its own root."""
    noise = random.Random(0)
    width, height = 1800, 1200  # 6.5 MB of PNG that does not compress
    rows = b"".join(b"\x00" + noise.randbytes(width * 3) for _ in range(height))
    photo = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
             + _chunk(b"IDAT", zlib.compress(rows, 1)) + _chunk(b"IEND", b""))
    site, out = make(tmp_path_factory, "pdf-photo", {
        "content/2020-11/foto.png": photo,
        "content/2020-11/foto.md": "---\ntitle: Foto\ndate: 2020-11-10\nimage: foto.png\nimage_alt: Foto\n---\n\n"
                                   "Teks.\n",
    })
    model = build_model(site, out)
    with limits(seconds=60, memory=384 * 2**20):
        data = pdf.edition_pdf(model, edition(model, "2020-11"), model.built_at)
    assert f"/Width {width}".encode() in data and "Foto" in text_of(data)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
