"""Issue #9: a catalogue of bad and hostile inputs, one line per case, each with the report it must get.

Every case overlays a few files on the tiny valid site (tests/conftest.py) after a first good build, then builds
again into the same folder: exit 1, an error line at the expected place (`path`, `path:LINE` or
`path:Sheet!CELL`) mentioning the given words, no traceback or internal error, the previous output byte-identical
and nothing left beside it, and `check` reporting the same (the `broken` fixture). A case marked xfail is what
buletin does not do yet: its reason says what happens today; remove the mark when it passes (strict).

`where` is written `PATH`, `PATH:12`, `PATH:Sheet!D7`, `PATH:@needle` (the line of the first `needle` in the file
as written) or `PATH:@first..@last` (any line from that of `first` to that of `last`).
"""
from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import (
    ARTICLE_MD,
    BASE_FILES,
    DATAPACKAGE_YAML,
    IKM_CSV,
    SITE_YAML,
    WILAYAH_CSV,
    assert_only_reports,
    assert_reported_at,
    error_lines,
    limits,
    pelatihan_resource,
    tree_snapshot,
)

ARTICLE = "content/2020-11/sorotan.md"
EDITION = "content/2020-11/index.md"
PAGE = "content/pages/tentang.md"
ROWS = "content/pages/wilayah.md"
SITE = "site.yaml"
DP = "data/datapackage.yaml"
IKM = "data/ikm.csv"
WIL = "data/wilayah.csv"
XLSX = "data/pelatihan.xlsx"
LOCK = "data/releases/2020-11/release.lock.json"


# ---------------------------------------------------------------- how a case writes its files

Edit = str | bytes | None | Callable[[str], str | bytes]


@dataclass(frozen=True)
class Link:
    """A symbolic link to `target` in the folder outside the site (see the `outside` fixture)."""

    target: str


def sub(old: str, new: str) -> Callable[[str], str]:
    """The file with its first `old` replaced by `new` (which must be there)."""

    def edit(source: str) -> str:
        assert old in source, f"fixture text has no {old!r}"
        return source.replace(old, new, 1)

    return edit


def key(name: str, value: str) -> Callable[[str], str]:
    """The Markdown file with front-matter line `name: ...` set to `name: value` (added when missing)."""

    def edit(source: str) -> str:
        lines = source.split("\n")
        end = lines.index("---", 1)
        for index in range(1, end):
            if lines[index].startswith(f"{name}:"):
                lines[index] = f"{name}: {value}"
                return "\n".join(lines)
        lines.insert(end, f"{name}: {value}")
        return "\n".join(lines)

    return edit


def append(more: str) -> Callable[[str], str]:
    return lambda source: source + more


def edition(*lines: str) -> str:
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n\nRingkasan edisi November 2020.\n"


def figures(card: str) -> str:
    """An edition with one headline card, written in flow style on one line."""
    return edition("figures:", f"- {card}")


def chart(*lines: str) -> str:
    """The article with these lines added to its chart block (after `caption:`)."""
    return ARTICLE_MD.replace("caption: Angka sementara.\n", "caption: Angka sementara.\n" + "".join(
        f"{line}\n" for line in lines))


def chart_spec(spec: str) -> str:
    """The article with its chart block holding `spec` instead."""
    start = ARTICLE_MD.index("```chart\n") + len("```chart\n")
    return ARTICLE_MD[:start] + spec + ARTICLE_MD[ARTICLE_MD.index("```\n", start):]


def body(more: str) -> str:
    """The article with `more` after its last paragraph (from line 26 on)."""
    return ARTICLE_MD + "\n" + more + "\n"


def bomb(indent: str = "") -> str:
    """Nine anchors nine deep: 9**9 (387 million) strings when the aliases are expanded."""
    lines = [f'{indent}a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{indent}{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines)


def flow_bomb() -> str:
    return "{" + ", ".join(bomb().split("\n")) + "}"


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def with_pelatihan(sheet: str = "Pelatihan") -> Callable[[str], str]:
    return append(pelatihan_resource(sheet))


def workbook(merge: str | None = None, formula: tuple[str, str] | None = None, title: str = "Pelatihan") -> bytes:
    """data/pelatihan.xlsx: a header and six rows (2..7) on sheet Pelatihan; cells merged or a formula left
    without a saved value (openpyxl writes none: as a script or a web export makes them)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["no", "kode_wilayah", "kegiatan", "peserta"])
    for number in range(1, 7):
        sheet.append([number, "7401" if number % 2 else "7471", f"Kegiatan {number}", 10 * number])
    if merge:
        sheet.merge_cells(merge)
    if formula:
        sheet[formula[0]] = formula[1]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def published(lock: dict | str) -> dict[str, Edit]:
    """Edition 2020-11 published, its snapshot in data/releases/2020-11/ with this release.lock.json."""
    return {EDITION: edition("status: published", "published: 2020-11-30"),
            "data/releases/2020-11/datapackage.yaml": DATAPACKAGE_YAML,
            "data/releases/2020-11/ikm.csv": IKM_CSV, "data/releases/2020-11/wilayah.csv": WILAYAH_CSV,
            LOCK: lock if isinstance(lock, str) else json.dumps(lock, indent=2)}


ROW_PAGE = """\
---
title: Profil {{ row.nama }}
each: {data: wilayah, key: kode}
---

Unit usaha di {{ row.nama }}.

```chart
title: "Unit usaha {{ row.nama }}"
type: line
data: ikm
filter: {kode_wilayah: "{{ row.kode }}"}
x: periode
y: unit_usaha
```
"""

OTHER_ARTICLE = "---\ntitle: Artikel lain\ndate: 2020-11-10\n---\n\nIsi.\n"
LATIN1_ARTICLE = ARTICLE_MD.replace("location: Kendari", "location: Bau-Bau (Buton Selatan)").replace(
    "Paragraf penutup.", "Paragraf penutup, caf\u00e9.").encode("latin-1")
BIG_CATEGORIES = [["kode", "nilai"]] + [[f"K{n:05d}", str(n % 97)] for n in range(5000)]
BANYAK_RESOURCE = """\
- name: banyak
  path: banyak.csv
  schema:
    fields:
    - {name: kode, type: string}
    - {name: nilai, type: integer}
"""


def _png_header(width: int, height: int) -> bytes:
    """A PNG that says it is width x height pixels (its header only: enough for a reader to learn the size)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


PIXEL_BOMB = _png_header(65000, 65000)
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)  # the start of an encrypted workbook (or an old .xls)


# ---------------------------------------------------------------- the catalogue

def case(ident: str, files: dict[str, Edit | Link], where: str, *words: str, today: str | None = None):
    """One bad input. `today`: what buletin does instead (the case is then an expected failure, strict)."""
    marks = [pytest.mark.xfail(strict=True, reason=today)] if today else []
    return pytest.param(files, where, words, id=ident, marks=marks)


# A long text held ten times, the list of them ten times: nothing to make, but a gigabyte to print.
FAN_OUT = ("{% set s = 'x' * 1000000 %}{% set a = [s, s, s, s, s, s, s, s, s, s] %}"
           "{% set b = [a, a, a, a, a, a, a, a, a, a] %}")

CASES = [
    # ---- YAML syntax, one per YAML file
    case("yaml-site", {SITE: sub("notice: Data ilustratif", "notice: Data: ilustratif")}, f"{SITE}:@notice:", "yaml"),
    case("yaml-edition", {EDITION: sub("summary: Edisi uji", "summary: Edisi: uji")}, f"{EDITION}:@summary:", "yaml"),
    case("yaml-article", {ARTICLE: sub("location: Kendari", "location: Kota: Kendari")}, f"{ARTICLE}:@location:",
         "yaml"),
    case("yaml-page", {PAGE: sub("title: Tentang", "title: Tentang: kami")}, f"{PAGE}:@title:", "yaml"),
    case("yaml-datapackage", {DP: sub("title: Data uji", "title: Data: uji")}, f"{DP}:@title: Data:", "yaml"),
    case("yaml-chart", {ARTICLE: sub("caption: Angka sementara.", "caption: Angka: sementara.")},
         f"{ARTICLE}:@caption:", "yaml"),
    case("yaml-unclosed-quote", {ARTICLE: sub("title: Sorotan IKM November", 'title: "Sorotan IKM November')},
         f"{ARTICLE}:@title:", "yaml"),
    case("yaml-unclosed-quote-before-another", {ARTICLE: lambda t: sub("location: Kendari", 'location: "Kendari"')(
        sub("title: Sorotan IKM November", 'title: "Sorotan IKM November')(t))}, f"{ARTICLE}:@title:",
         "never closed"),
    case("site-unclosed-quote-before-another", {SITE: lambda t: sub("title: ", 'title: "')(t) + 'notice: "Uji"\n'},
         f"{SITE}:@title:", "never closed"),
    case("highlight-macro-without-quotes", {EDITION: edition("summary: Edisi.", "highlights:",
                                                             '  - {{ value("ikm", "nilai") }} juta')},
         f"{EDITION}:@  - {{{{", 'quotes: - "{{'),
    case("yaml-unclosed-bracket", {ARTICLE: sub("authors: [Tim Uji]", "authors: [Tim Uji")}, f"{ARTICLE}:@authors:",
         "yaml"),
    case("yaml-tab-indent", {DP: sub("  path: wilayah.csv", "\tpath: wilayah.csv")}, f"{DP}:@\tpath:", "yaml"),
    case("yaml-no-break-space-after-a-key", {ARTICLE: sub("date: 2020-11-09", "date:\u00a02020-11-09")},
         f"{ARTICLE}:@date:", "no-break space", "`date:`"),
    case("yaml-tab-before-a-key", {ARTICLE: sub("location: Kendari", "location: Kendari\n\tcatatan: x")},
         f"{ARTICLE}:@\tcatatan", "indent with spaces"),
    case("yaml-backslash-in-double-quotes", {ARTICLE: sub("title: Sorotan IKM November",
                                                          'title: "Ekspor\\Impor"')}, f"{ARTICLE}:@title:",
         "`\\\\` for a backslash"),
    case("yaml-half-a-character-in-double-quotes", {ARTICLE: sub("title: Sorotan IKM November", 'title: "A\\ud800B"')},
         f"{ARTICLE}:@title:", "names no character"),  # it said the quotes were never closed
    case("yaml-control-character", {EDITION: edition("summary: Edisi\x08uji")}, f"{EDITION}:2", "invisible character"),
    case("yaml-control-character-chart", {ARTICLE: sub("caption: Angka sementara.", "caption: Angka\x1bsementara.")},
         f"{ARTICLE}:@caption:", "invisible character"),
    case("yaml-front-matter-unclosed", {ARTICLE: lambda t: t.replace("---\n\nJumlah", "\nJumlah", 1)}, f"{ARTICLE}:1",
         "closing `---`"),
    case("yaml-front-matter-a-list", {PAGE: "---\n- title\n- Tentang\n---\n\nIsi.\n"}, f"{PAGE}:2", "key: value"),
    case("yaml-site-a-list", {SITE: "- title: T\n- language: id\n"}, f"{SITE}:1", "key: value"),
    case("yaml-datapackage-a-list", {DP: "- wilayah\n- ikm\n"}, f"{DP}:1", "resources"),

    # ---- YAML aliases that multiply content (nine anchors nine deep)
    case("alias-bomb-front-matter-extra", {ARTICLE: key("extra", "\n" + bomb("  "))},
         f"{ARTICLE}:@extra:..@  i: &i", "alias"),
    case("alias-bomb-datapackage-description", {DP: sub("title: Data uji\n", "title: Data uji\ndescription:\n"
                                                        + bomb("  ") + "\n")},
         f"{DP}:@description:..@  i: &i", "alias"),
    case("alias-bomb-chart-caption", {ARTICLE: sub("caption: Angka sementara.", "caption: " + flow_bomb())},
         f"{ARTICLE}:@caption:", "alias"),
    # one 1 MB text a hundred times a hundred: few values, 10 GB of text where a page's key printed them
    case("alias-text-bomb-front-matter", {ARTICLE: key("extra", "{a: &a " + "x" * 1_000_000 + ", b: &b ["
                                                      + ", ".join(["*a"] * 100) + "], c: [" + ", ".join(["*b"] * 100)
                                                      + "]}")},
         f"{ARTICLE}:@extra:", "more than 10,000,000 characters"),

    # ---- site.yaml: wrong types and values
    case("site-title-list", {SITE: sub("title: Buletin Uji", "title: [Buletin, Uji]")}, f"{SITE}:@title:", "title"),
    case("site-title-empty", {SITE: sub("title: Buletin Uji", "title: ''")}, SITE, "title"),
    case("site-language-unknown", {SITE: sub("language: id", "language: fr")}, f"{SITE}:@language:", "fr", "id, en"),
    case("site-language-mapping", {SITE: sub("language: id", "language: {kode: id}")}, f"{SITE}:@language:",
         "language"),
    case("site-frequency-number", {SITE: sub("frequency: monthly", "frequency: 12")}, f"{SITE}:@frequency:", "12",
         "monthly"),
    case("site-timezone-unknown", {SITE: sub("timezone: Asia/Makassar", "timezone: WITA")}, f"{SITE}:@timezone:",
         "WITA", "Asia/Makassar"),
    case("site-timezone-area-only", {SITE: sub("timezone: Asia/Makassar", "timezone: Asia")}, f"{SITE}:@timezone:",
         "unknown time zone `Asia`"),  # a folder of the list: an internal error (IsADirectoryError)
    case("site-timezone-number", {SITE: sub("timezone: Asia/Makassar", "timezone: 8")}, f"{SITE}:@timezone:", "8"),
    case("site-base-url-no-scheme", {SITE: append("base_url: example.go.id/buletin\n")}, f"{SITE}:@base_url:",
         "http"),
    case("site-base-url-list", {SITE: append("base_url: [https://a.example/]\n")}, f"{SITE}:@base_url:", "base_url"),
    case("site-allow-raw-html-text", {SITE: append("allow_raw_html: ya\n")}, f"{SITE}:@allow_raw_html:", "true"),
    case("site-notice-mapping", {SITE: sub("notice: Data ilustratif untuk pengujian", "notice: {id: Data}")},
         f"{SITE}:@notice:", "notice"),
    case("site-version-list", {SITE: append("version: [1, 0]\n")}, f"{SITE}:@version:", "version"),
    case("site-unknown-key", {SITE: append("titel: X\n")}, f"{SITE}:@titel:", "did you mean `title`"),
    case("site-duplicate-key", {SITE: append("title: Buletin Lain\n")}, f"{SITE}:@title: Buletin Lain", "title",
         "twice"),

    # ---- edition front matter
    case("edition-title-list", {EDITION: edition("title: [Edisi, November]")}, f"{EDITION}:2", "title"),
    case("edition-published-text", {EDITION: edition("published: kemarin")}, f"{EDITION}:2", "published",
         "YYYY-MM-DD"),
    case("edition-published-not-a-date", {EDITION: edition("published: 2021-02-29")}, f"{EDITION}:2",
         "2021-02-29"),
    case("edition-published-list", {EDITION: edition("published: [2020-11-30]")}, f"{EDITION}:2", "published",
         "list"),
    case("edition-status-unknown", {EDITION: edition("status: final")}, f"{EDITION}:2", "final", "published"),
    case("edition-status-bool", {EDITION: edition("status: true")}, f"{EDITION}:2", "status"),
    case("edition-summary-mapping", {EDITION: edition("summary: {teks: x}")}, f"{EDITION}:2", "summary"),
    case("edition-highlights-text", {EDITION: edition("highlights: Satu poin")}, f"{EDITION}:2", "highlights",
         "list"),
    case("edition-highlight-mapping", {EDITION: edition("highlights:", "- Poin pertama", "- {teks: Poin kedua}")},
         f"{EDITION}:4", "highlights"),
    case("edition-figures-text", {EDITION: edition("figures: unit_usaha")}, f"{EDITION}:2", "figures", "list"),
    case("edition-figure-not-mapping", {EDITION: figures("unit_usaha")}, f"{EDITION}:3", "figures"),
    case("edition-figure-no-y", {EDITION: figures("{data: ikm}")}, f"{EDITION}:3", "`y`"),
    case("edition-figure-unknown-data", {EDITION: figures("{data: ikmm, y: unit_usaha}")}, f"{EDITION}:3", "ikmm"),
    case("edition-figure-data-list", {EDITION: figures("{data: [ikm], y: unit_usaha}")}, f"{EDITION}:3", "`data`"),
    case("edition-figure-unknown-y", {EDITION: figures("{data: ikm, y: unit}")}, f"{EDITION}:3", "unit"),
    case("edition-figure-y-list", {EDITION: figures("{data: ikm, y: [unit_usaha, nilai]}")}, f"{EDITION}:3", "`y`"),
    case("edition-figure-label-list", {EDITION: figures("{data: ikm, y: unit_usaha, label: [Unit, usaha]}")},
         f"{EDITION}:3", "label"),
    case("edition-figure-unit-mapping", {EDITION: figures("{data: ikm, y: unit_usaha, unit: {id: unit}}")},
         f"{EDITION}:3", "unit"),
    case("edition-figure-agg-unknown", {EDITION: figures("{data: ikm, y: unit_usaha, agg: median}")},
         f"{EDITION}:3", "median"),
    case("edition-figure-filter-text", {EDITION: figures("{data: ikm, y: unit_usaha, filter: x}")}, f"{EDITION}:3",
         "filter"),
    case("edition-figure-filter-no-row", {EDITION: figures("{data: ikm, y: unit_usaha, filter: {kode_wilayah: 1}}")},
         f"{EDITION}:3", "kode_wilayah"),
    case("edition-figure-digits-text", {EDITION: figures("{data: ikm, y: unit_usaha, digits: two}")},
         f"{EDITION}:3", "digits"),
    case("edition-figure-digits-negative", {EDITION: figures("{data: ikm, y: unit_usaha, digits: -1}")},
         f"{EDITION}:3", "digits"),
    case("edition-next-release-text", {EDITION: edition("next_release: segera")}, f"{EDITION}:2", "next_release",
         "YYYY-MM-DD"),
    case("edition-next-release-not-a-date", {EDITION: edition("next_release: 2021-02-30")}, f"{EDITION}:2",
         "2021-02-30"),
    case("edition-unknown-key", {EDITION: edition("titel: Edisi")}, f"{EDITION}:2", "did you mean `title`"),

    # ---- article front matter
    case("article-title-list", {ARTICLE: key("title", "[Sorotan, IKM]")}, f"{ARTICLE}:@title:", "title"),
    case("article-title-mapping", {ARTICLE: key("title", "{id: Sorotan}")}, f"{ARTICLE}:@title:", "title"),
    case("article-date-text", {ARTICLE: key("date", "kemarin")}, f"{ARTICLE}:@date:", "kemarin", "YYYY-MM-DD"),
    case("article-date-not-a-date", {ARTICLE: key("date", "2024-02-30")}, f"{ARTICLE}:@date:", "2024-02-30"),
    case("article-date-month-13", {ARTICLE: key("date", "2020-13-01")}, f"{ARTICLE}:@date:", "2020-13-01"),
    case("article-date-list", {ARTICLE: key("date", "[2020-11-09]")}, f"{ARTICLE}:@date:", "date", "list"),
    case("article-date-number", {ARTICLE: key("date", "20201109")}, f"{ARTICLE}:@date:", "20201109"),
    case("article-authors-mapping", {ARTICLE: key("authors", "{nama: Tim}")}, f"{ARTICLE}:@authors:", "authors"),
    case("article-authors-nested", {ARTICLE: key("authors", "[{nama: Tim}]")}, f"{ARTICLE}:@authors:", "authors"),
    case("article-editor-list", {ARTICLE: key("editor", "[A, B]")}, f"{ARTICLE}:@editor:", "editor"),
    case("article-location-mapping", {ARTICLE: key("location", "{kota: Kendari}")}, f"{ARTICLE}:@location:",
         "location"),
    case("article-summary-list", {ARTICLE: key("summary", "[satu, dua]")}, f"{ARTICLE}:@summary:", "summary"),
    case("article-tags-mapping", {ARTICLE: key("tags", "{uji: 1}")}, f"{ARTICLE}:@tags:", "tags"),
    case("article-image-list", {ARTICLE: key("image", "[a.png]")}, f"{ARTICLE}:@image:", "image"),
    case("article-image-missing", {ARTICLE: key("image", "foto.jpg")}, f"{ARTICLE}:@image:", "foto.jpg", "is not next"),
    case("article-image-outside", {ARTICLE: key("image", "../../../site.yaml")}, f"{ARTICLE}:@image:",
         "../../../site.yaml"),
    case("article-image-alt-list", {ARTICLE: key("image_alt", "[a]")}, f"{ARTICLE}:@image_alt:", "image_alt"),
    case("article-image-caption-mapping", {ARTICLE: key("image_caption", "{a: b}")}, f"{ARTICLE}:@image_caption:",
         "image_caption"),
    case("article-image-credit-list", {ARTICLE: key("image_credit", "[a]")}, f"{ARTICLE}:@image_credit:",
         "image_credit"),
    case("article-draft-text", {ARTICLE: key("draft", "ya")}, f"{ARTICLE}:@draft:", "draft", "true or false"),
    case("article-draft-number", {ARTICLE: key("draft", "1")}, f"{ARTICLE}:@draft:", "draft"),
    case("article-extra-list", {ARTICLE: key("extra", "[a, b]")}, f"{ARTICLE}:@extra:", "extra", "key: value"),
    case("article-extra-text", {ARTICLE: key("extra", "catatan")}, f"{ARTICLE}:@extra:", "extra"),
    case("article-number-key", {ARTICLE: key("0", "2024-02-30")}, f"{ARTICLE}:@0: 2024", "`0`"),
    case("article-unknown-key", {ARTICLE: key("autor", "Tim")}, f"{ARTICLE}:@autor:", "did you mean `authors`"),
    case("article-duplicate-key", {ARTICLE: sub("date: 2020-11-09", "date: 2020-11-09\ndate: 2020-11-10")},
         f"{ARTICLE}:@date: 2020-11-10", "date", "twice"),
    case("article-no-front-matter", {ARTICLE: "Hanya teks, tanpa judul.\n"}, ARTICLE, "title"),

    # ---- page front matter
    case("page-title-list", {PAGE: key("title", "[Tentang]")}, f"{PAGE}:@title:", "title"),
    case("page-summary-mapping", {PAGE: key("summary", "{a: b}")}, f"{PAGE}:@summary:", "summary"),
    case("page-each-text", {PAGE: key("each", "wilayah")}, f"{PAGE}:@each:", "each"),
    case("page-with-an-articles-date", {PAGE: key("date", "2020-11-09")}, f"{PAGE}:@date:",
         "unknown front-matter key `date`: a page has no `date`, an article has", "content/PERIOD/"),
    case("page-each-no-key", {PAGE: key("each", "{data: wilayah}")}, f"{PAGE}:@each:", "each", "key"),
    case("page-each-unknown-data", {PAGE: key("each", "{data: wilayahh, key: kode}")}, f"{PAGE}:@each:", "wilayahh"),
    case("page-each-unknown-key-column", {PAGE: key("each", "{data: wilayah, key: kd}")}, f"{PAGE}:@each:", "kd"),
    case("page-each-unknown-option", {PAGE: key("each", "{data: wilayah, key: kode, warna: x}")}, f"{PAGE}:@each:",
         "warna"),
    case("page-each-key-repeated", {PAGE: key("each", "{data: ikm, key: kode_wilayah}")}, f"{PAGE}:@each:",
         "appear once"),
    case("page-each-keys-one-address", {PAGE: key("each", "{data: wilayah, key: nama}"),
                                        WIL: append("7403,KOTA KENDARI\n")}, f"{PAGE}:@each:", "one web address",
         "`Kota Kendari` = `KOTA KENDARI`"),
    case("page-each-key-too-long", {PAGE: key("each", "{data: wilayah, key: nama}"), WIL: append("7403," + "a" * 300
                                                                                                 + "\n")},
         f"{PAGE}:@each:", "would make a web address of 300 characters, more than 200: choose a column of short "
         "values"),  # File name too long
    case("article-tag-too-long", {ARTICLE: key("tags", "[uji, " + "kata " * 60 + "]")}, f"{ARTICLE}:@tags:",
         "would make a web address of 299 characters, more than 200: shorten it"),
    case("article-tag-without-letters", {ARTICLE: key("tags", '[uji, "???"]')}, f"{ARTICLE}:@tags:",
         "`???` has no letter or digit a web address can hold"),  # it vanished from the page without a word
    # a folder Windows cannot make: the build there failed with advice about disk space
    case("article-tag-windows-device", {ARTICLE: key("tags", "[uji, Aux]")}, f"{ARTICLE}:@tags:",
         "`Aux` would make a folder named `aux`, a name Windows keeps for a device"),
    case("page-each-key-windows-device", {PAGE: key("each", "{data: wilayah, key: nama}"), WIL: append("7403,CON\n")},
         f"{PAGE}:@each:", "`CON` would make a folder named `con`, a name Windows keeps for a device"),
    case("page-extra-list", {PAGE: key("extra", "[a]")}, f"{PAGE}:@extra:", "extra"),
    case("page-unknown-key", {PAGE: key("tanggal", "2020-11-01")}, f"{PAGE}:@tanggal:", "tanggal"),
    case("front-matter-two-dashes", {ARTICLE: lambda text: text.replace("---\n", "--\n", 1)}, f"{ARTICLE}:1",
         "three dashes", "starts with `--`"),
    case("front-matter-without-fences", {ARTICLE: lambda text: text.split("---\n", 2)[1] + text.split("---\n", 2)[2]},
         f"{ARTICLE}:1", "three dashes", "starts with `title: Sorotan IKM November`"),
    case("article-key-in-indonesian", {ARTICLE: key("penulis", "[Tim]")}, f"{ARTICLE}:@penulis:",
         "did you mean `authors`?"),
    case("chart-key-in-indonesian", {ARTICLE: chart("jenis: bar")}, f"{ARTICLE}:@jenis:", "did you mean `type`?"),

    # ---- slugs, places, empty files
    case("slug-page-is-edition", {"content/pages/2020-11.md": "---\ntitle: Bentrok\n---\n"}, "content/pages/2020-11.md",
         EDITION),
    case("slug-page-reserved", {"content/pages/arsip.md": "---\ntitle: Arsip\n---\n"}, "content/pages/arsip.md",
         "taken by the site"),
    case("slug-article-windows-device", {"content/2020-11/Nul.md": "---\ntitle: Nol\ndate: 2020-11-02\n---\n"},
         "content/2020-11/Nul.md", "the file name `Nul.md` would make a folder named `Nul`, a name Windows keeps"),
    case("slug-article-is-a-picture", {"content/2020-11/foto.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
                                       "content/2020-11/foto.svg.md": OTHER_ARTICLE,
                                       EDITION: append("\n![Foto](foto.svg)\n")},
         "content/2020-11/foto.svg.md", "`2020-11/foto.svg`", "rename"),
    case("article-extension-capitals", {"content/2020-11/lain.MD": OTHER_ARTICLE}, "content/2020-11/lain.MD",
         "`lain.md`"),
    case("page-saved-as-text", {"content/pages/profil.md.txt": "---\ntitle: Profil\n---\n"},
         "content/pages/profil.md.txt", "`profil.md`"),
    case("article-title-with-a-macro", {ARTICLE: key("title", "'Naik {{ value(\"ikm\", \"unit_usaha\") }}'")},
         f"{ARTICLE}:@title:", "macros do not work in `title`"),
    case("edition-summary-with-a-macro", {EDITION: key("summary", "'{{ value(\"ikm\", \"unit_usaha\") }} unit'")},
         f"{EDITION}:@summary:", "macros do not work in `summary`"),
    case("macro-never-closed", {ARTICLE: append('\nNilai {{ value("ikm", "unit_usaha").\n\nParagraf kedua.\n')},
         ARTICLE + ":@Nilai {{ value", "is not closed with `}}`"),
    case("macro-parenthesis-never-closed", {ARTICLE: append('\nNilai {{ value("ikm" }}.\n')},
         ARTICLE + ":@Nilai {{ value", "a `(` is not closed"),
    case("template-command-in-an-article", {ARTICLE: append("\nDiskon {% 50 %}.\n")}, ARTICLE + ":@Diskon",
         "begins a template command"),
    case("article-in-a-folder-inside-the-edition", {"content/2020-11/artikel/lain.md": OTHER_ARTICLE},
         "content/2020-11/artikel/lain.md", "stand directly in content/2020-11/"),
    case("page-in-a-folder-inside-pages", {"content/pages/profil/tim.md": "---\ntitle: Tim\n---\n"},
         "content/pages/profil/tim.md", "stand directly in content/pages/"),
    case("slug-article-is-the-editions-page", {"content/2020-11/index.html.md": OTHER_ARTICLE},
         "content/2020-11/index.html.md", "`2020-11/index.html/`"),
    *[case(f"svg-picture-{what}", {"content/2020-11/peta.svg": f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>',
                                    ARTICLE: body("![Peta](peta.svg)")}, f"{ARTICLE}:@![Peta]", "`peta.svg` holds",
           "Optimized SVG")
      for what, svg in [("script", "<script>alert(1)</script>"), ("handler", '<rect onmouseover="x()"/>'),
                        ("remote-image", '<image href="https://contoh.example/p.png"/>'),
                        ("remote-style", "<style>rect {fill: url(//contoh.example/f)}</style>")]],
    *[case(f"svg-picture-{what}", {"content/2020-11/peta.svg": svg, ARTICLE: body("![Peta](peta.svg)")},
           f"{ARTICLE}:@![Peta]", "`peta.svg` holds")
      for what, svg in [
          ("prefixed-script", '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></s:svg>'),
          ("entity", '<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'),
          ("character-reference", '<svg xmlns="http://www.w3.org/2000/svg"><image href="https:&#47;&#47;e.example/p"/>'
                                  '</svg>'),
          ("css-escape", '<svg xmlns="http://www.w3.org/2000/svg"><style>r{fill:u\\72l(https://e.example/f)}</style>'
                         '</svg>'),
          # opened by itself, the picture sends its reader to another site (Chromium, tried)
          ("xhtml-meta-refresh", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
                                 '<h:meta http-equiv="refresh" content="0;url=https://e.example/masuk"/></svg>'),
          ("xhtml-form", '<svg xmlns="http://www.w3.org/2000/svg"><form xmlns="http://www.w3.org/1999/xhtml" '
                         'action="https://e.example/">x</form></svg>')]],
    # a browser runs a script it meets before the fault of an SVG that is not well-formed (Chromium, tried)
    *[case(f"svg-picture-not-xml-{what}", {"content/2020-11/peta.svg": svg, ARTICLE: body("![Peta](peta.svg)")},
           f"{ARTICLE}:@![Peta]", "`peta.svg` is not well-formed XML")
      for what, svg in [
          ("script-then-unclosed", b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/x")</script><rect></svg>'),
          ("script-then-entity", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script>&nbsp;</svg>'),
          ("shift-jis", b'<?xml version="1.0" encoding="Shift_JIS"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
          ("gzip-named-svg", bytes.fromhex("1f8b08000000000000ff"))]],
    case("image-that-is-no-picture", {"content/2020-11/skrip.js": "alert(1)", ARTICLE: body("![ ](skrip.js)")},
         f"{ARTICLE}:@](skrip.js)", "`skrip.js` is shown as a picture, but it is no picture file"),
    case("svg-photo-script", {"content/2020-11/foto.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
                              ARTICLE: key("image", "foto.svg")}, f"{ARTICLE}:@image:", "`foto.svg` holds"),
    case("slug-article-reserved", {"content/2020-11/data.md": OTHER_ARTICLE}, "content/2020-11/data.md", "reserved"),
    case("slug-pages-differ-in-case", {"content/pages/Tentang.md": "---\ntitle: Tentang juga\n---\n"},
         "content/pages/Tentang.md", PAGE),
    case("slug-articles-differ-in-case", {"content/2020-11/Sorotan.md": OTHER_ARTICLE}, "content/2020-11/Sorotan.md",
         ARTICLE),
    case("slug-resource-twice", {DP: append("- name: ikm  # lagi\n  path: ikm.csv\n")}, f"{DP}:@# lagi", "twice"),
    case("slug-two-files-one-address", {"content/2020-11/berita-\u016bnicode.md": OTHER_ARTICLE,
                                        "content/2020-11/berita-unicode.md": OTHER_ARTICLE},
         "content/2020-11/berita-\u016bnicode.md", "content/2020-11/berita-unicode.md"),
    case("place-article-outside-edition", {"content/lepas.md": OTHER_ARTICLE}, "content/lepas.md", "content/PERIOD/"),
    case("place-edition-without-index", {"content/2020-12/baru.md": OTHER_ARTICLE}, "content/2020-12", "index.md"),
    case("place-folder-not-a-period", {"content/berita/x.md": OTHER_ARTICLE}, "content/berita", "period"),
    case("empty-site-yaml", {SITE: ""}, SITE, "title"),
    case("empty-edition", {EDITION: ""}, EDITION, "empty"),
    case("empty-article", {ARTICLE: ""}, ARTICLE, "title"),
    case("empty-page", {PAGE: ""}, PAGE, "title"),
    case("empty-datapackage", {DP: ""}, DP, "resources"),
    case("empty-csv", {IKM: ""}, IKM, "empty"),
    case("empty-csv-header-only", {IKM: "periode,kode_wilayah,unit_usaha,nilai,status\n"}, f"{ARTICLE}:@Jumlah unit",
         "ikm"),
    case("empty-chart-block", {ARTICLE: chart_spec("")}, f"{ARTICLE}:@```chart..@Paragraf", "chart"),
    case("chart-block-a-list", {ARTICLE: chart_spec("- data: ikm\n- x: kode_wilayah\n")}, f"{ARTICLE}:@- data",
         "key: value"),

    # ---- encodings and byte-order marks
    case("encoding-site-utf16", {SITE: "title: Buletin Uji\nlanguage: id\n".encode("utf-16")}, f"{SITE}:1", "UTF-8"),
    case("encoding-site-latin1", {SITE: "title: Buletin Uji\nlanguage: id\nnotice: Data caf\u00e9\n".encode(
        "latin-1")}, f"{SITE}:3", "UTF-8"),
    case("encoding-article-utf16", {ARTICLE: ARTICLE_MD.encode("utf-16")}, f"{ARTICLE}:1", "UTF-8"),
    case("encoding-article-latin1", {ARTICLE: LATIN1_ARTICLE}, f"{ARTICLE}:@caf", "UTF-8"),
    case("encoding-datapackage-latin1", {DP: DATAPACKAGE_YAML.replace("Data uji", "Data caf\u00e9").encode("latin-1")},
         f"{DP}:2", "UTF-8"),
    case("encoding-article-utf16-no-mark", {ARTICLE: ARTICLE_MD.encode("utf-16-le")}, f"{ARTICLE}:1", "UTF-8"),
    case("encoding-site-utf16-no-mark", {SITE: "title: Buletin Uji\nlanguage: id\n".encode("utf-16-le")},
         f"{SITE}:1", "UTF-8"),
    case("encoding-csv-utf16", {WIL: WILAYAH_CSV.encode("utf-16")}, f"{WIL}:1", "UTF-8", "UTF-16"),
    case("encoding-csv-latin1", {WIL: WILAYAH_CSV.replace("Muna", "Mun\u00e1").encode("latin-1")}, f"{WIL}:3",
         "UTF-8"),

    # ---- CSV
    case("csv-missing-column", {IKM: "\n".join(",".join(r.split(",")[:3] + r.split(",")[4:])
                                               for r in IKM_CSV.split("\n") if r) + "\n"}, f"{IKM}:1", "nilai",
         "missing"),
    case("csv-extra-column", {WIL: "kode,nama,catatan\n7401,Buton,\n7402,Muna,\n7471,Kota Kendari,\n"}, f"{WIL}:1",
         "catatan"),
    case("csv-semicolons", {WIL: WILAYAH_CSV.replace(",", ";")}, f"{WIL}:1", "`;`", "comma"),
    case("csv-thousands-separator", {IKM: sub("2020-11,7471,5001,", "2020-11,7471,5.001,")}, f"{IKM}:@5.001",
         "unit_usaha", "5.001", "thousands"),
    case("csv-thousands-separator-quoted", {IKM: sub("2020-11,7471,5001,", '2020-11,7471,"5,001",')},
         f"{IKM}:@5,001", "unit_usaha", "5,001", "thousands"),
    case("csv-decimal-comma", {IKM: sub("2020-10,7401,4300,390.5,", '2020-10,7401,4300,"390,5",')}, f"{IKM}:@390,5",
         "nilai", "390,5"),
    case("csv-blank-required", {IKM: sub("2020-11,7402,3690,", "2020-11,7402,,")}, f"{IKM}:@7402,,", "unit_usaha",
         "needs a value"),
    case("csv-primary-key-unknown-field", {DP: sub("primaryKey: [periode, kode_wilayah]", "primaryKey: nomor")},
         f"{DP}:@primaryKey: nomor", "nomor"),
    case("csv-foreign-key-unknown-field", {DP: sub("    - fields: kode_wilayah", "    - fields: nomor")},
         f"{DP}:@fields: nomor", "nomor"),
    case("csv-foreign-key-without-reference", {DP: sub("\n      reference:\n        resource: wilayah\n"
                                                        "        fields: kode", "")}, f"{DP}:@- fields: kode_wilayah",
         "reference"),
    case("csv-decimal-comma-in-a-whole-number-column", {IKM: sub("2020-11,7401,4321,", '2020-11,7401,"4321,5",')},
         f"{IKM}:5", "`type: number`", "4321.5"),
    case("csv-duplicate-key", {WIL: append("7402,Muna Barat\n")}, f"{WIL}:5", "7402"),
    case("csv-broken-foreign-key", {IKM: sub("2020-10,7402,", "2020-10,7499,")}, f"{IKM}:@7499", "7499", "wilayah"),
    case("csv-too-many-cells", {IKM: sub("2020-11,7471,5001,334,sementara", "2020-11,7471,5001,334,sementara,x")},
         f"{IKM}:@sementara,x", "6"),
    case("csv-unclosed-quote", {WIL: sub("7402,Muna", '7402,"Muna')}, f"{WIL}:@\"Muna", "quote"),
    case("csv-cell-with-line-break", {IKM: sub("2020-10,7402,3700,480,", '2020-10,7402,3700,"48\n0",')}, f"{IKM}:3",
         "nilai"),
    case("csv-nul-byte", {WIL: sub("7402,Muna", "7402,Mu\x00na")}, f"{WIL}:3", "nama"),

    # ---- XLSX
    case("xlsx-sheet-renamed", {DP: with_pelatihan("Pelatihan"), XLSX: workbook(title="pelatihan ")}, XLSX,
         "`pelatihan `", "rename it `Pelatihan` exactly", f"{DP}:"),
    case("xlsx-missing-sheet", {DP: with_pelatihan("Nope"), XLSX: workbook()}, f"{DP}:@sheet:", "Nope", "Pelatihan"),
    # both offered as data/pelatihan.xlsx: one dataset's link gave the other's data
    case("xlsx-two-with-one-name", {DP: append(pelatihan_resource("Pelatihan") + pelatihan_resource(
        "Pelatihan").replace("name: pelatihan", "name: pelatihan_lama").replace("path: pelatihan.xlsx",
                                                                                "path: lama/PELATIHAN.xlsx")),
        XLSX: workbook(), "data/lama/PELATIHAN.xlsx": workbook()}, f"{DP}:@lama/PELATIHAN.xlsx",
        "resource `pelatihan_lama`: its workbook would be offered for download as `data/PELATIHAN.xlsx`, as "
        "`data/pelatihan.xlsx` is"),
    case("xlsx-merged-header", {DP: with_pelatihan(), XLSX: workbook(merge="C1:D1")}, f"{XLSX}:Pelatihan!C1",
         "merged"),
    case("xlsx-formula-without-value", {DP: with_pelatihan(), XLSX: workbook(formula=("D7", "=D6*2"))},
         f"{XLSX}:Pelatihan!D7", "formula"),
    case("xlsx-csv-renamed", {DP: with_pelatihan(), XLSX: IKM_CSV.encode()}, XLSX, "workbook"),
    case("xlsx-empty-file", {DP: with_pelatihan(), XLSX: b""}, XLSX, "empty"),
    case("xlsx-encrypted", {DP: with_pelatihan(), XLSX: OLE2}, XLSX, "password"),

    # ---- charts and macros
    case("chart-filter-leaves-no-row", {ARTICLE: sub('filter: {periode: "{{ edition.period }}"}',
                                                     'filter: {periode: "{{ edition.period }}", status: tetap}')},
         f"{ARTICLE}:@filter:", "tetap"),
    case("chart-top-negative", {ARTICLE: chart("top: -1")}, f"{ARTICLE}:@top:", "top"),
    case("chart-digits-text", {ARTICLE: chart("digits: dua")}, f"{ARTICLE}:@digits:", "digits"),
    case("chart-y-mapping", {ARTICLE: sub("y: unit_usaha", "y: {kolom: unit_usaha}")}, f"{ARTICLE}:@y: {{", "y"),
    case("chart-y-empty-list", {ARTICLE: sub("y: unit_usaha", "y: []")}, f"{ARTICLE}:@y: []", "`y`"),
    case("chart-type-list", {ARTICLE: sub("type: bar", "type: [bar]")}, f"{ARTICLE}:@type:", "type"),
    case("chart-filter-list", {ARTICLE: sub('filter: {periode: "{{ edition.period }}"}', "filter: [2020-11]")},
         f"{ARTICLE}:@filter:", "filter"),
    case("chart-duplicate-key", {ARTICLE: sub("type: bar\n", "type: bar\ntype: line\n")}, f"{ARTICLE}:@type: line",
         "type", "twice"),
    case("macro-string-times-billion", {ARTICLE: body("Isi {{ 'x' * 10**9 }} di sini.")}, f"{ARTICLE}:@10**9", "too"),
    case("macro-nested-range-loops", {ARTICLE: body("{% for i in range(100000) %}{% for j in range(100000) %}"
                                                    "{% endfor %}{% endfor %}")}, f"{ARTICLE}:@range(", "too"),
    *[case(f"macro-grows-by-{name}", {ARTICLE: body(f"Isi {code} di sini.")}, f"{ARTICLE}:@Isi {{{{", "too much work",
           f"`{name}` would make")
      for name, code in [("indent", '{{ "x"|indent(900000000) }}'), ("center", '{{ "a"|center(700000000) }}'),
                         ("format", '{{ "%0400000000d" % 1 }}'), ("replace", '{{ ("x"*2000)|replace("x","y"*2000) }}'),
                         ("center", '{{ "a".center(700000000) }}'), ("format", '{{ "{:>999999999}".format(1) }}'),
                         ("batch", '{{ [1]|batch(900000000, 0)|list }}'),
                         ("format", '{{ "%*s" % (1500000000, "a") }}'),
                         ("format", '{{ "{0:>{1}}".format("a", 10**9) }}'),
                         ("join", '{{ (["x" * 2000000] * 800)|join }}'),
                         ("tojson", '{{ (["x" * 2000000] * 800)|tojson }}'),
                         ("str.join", '{{ "".join(["x" * 2000000] * 800) }}'),
                         ("wordwrap", '{{ ("x" * 1000000)|wordwrap(1, wrapstring="y" * 1000000) }}'),
                         ("sum", "{{ ([[0] * 100] * 20000)|sum(start=[]) }}")]],
    case("macro-grows-by-concat", {ARTICLE: body("Isi {% set ns = namespace(a='xx') %}{% for i in range(25) %}"
                                                 "{% set ns.a = ns.a ~ ns.a %}{% endfor %}{{ ns.a|length }} di sini.")},
         f"{ARTICLE}:@Isi {{%", "too much work", "`~`"),
    *[case(f"macro-grows-by-{name}", {ARTICLE: body(f"Isi {code} di sini.")}, f"{ARTICLE}:@Isi {{%", "too much work")
      for name, code in [
          ("namespace-tilde", "{% set ns = namespace(s=namespace(a='x' * 1000000)) %}{% for i in range(40) %}"
                              "{% set ns.s = namespace(a=ns.s ~ ns.s) %}{% endfor %}"),
          ("str-format", "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(40) %}"
                         "{% set ns.s = '{}{}'.format(ns.s, ns.s) %}{% endfor %}"),
          ("percent", "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(40) %}"
                      "{% set ns.s = '%s%s' % (ns.s, ns.s) %}{% endfor %}"),
          ("block-set", "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(40) %}{% set t %}{{ ns.s }}"
                        "{{ ns.s }}{% endset %}{% set ns.s = t %}{% endfor %}"),
          ("macro", "{% macro d(s) %}{{ s }}{{ s }}{% endmacro %}{{ d(d(d(d(d(d(d(d(d(d('x' * 1000000)))))))))) }}"),
          ("shared-parts-printed", FAN_OUT + "{% set c = [b, b, b, b, b, b, b, b, b, b] %}{{ c|upper }}{{ c }}"),
      ]],
    case("macro-bytes-times-billion", {ARTICLE: body("Isi {{ 'x'.encode() * 1500000000 }} di sini.")},
         ARTICLE + ":@Isi {{", "too much work"),
    case("markdown-lists-nested-5000-deep", {ARTICLE: body("- " * 5000 + "x")}, f"{ARTICLE}:8", "nested"),
    # the sanitiser's time grows with the square of the depth: 200,000 took minutes, 1,001 a few milliseconds
    case("html-nested-1001-deep", {ARTICLE: body("<div>" * 1001 + "x")}, f"{ARTICLE}:8", "nested more than 1,000 deep"),
    case("html-nested-1001-deep-self-closed", {ARTICLE: body("<figure/>" * 1001 + "x")}, f"{ARTICLE}:8",
         "nested more than 1,000 deep"),  # HTML ignores the `/`: each opens a figure in the one before
    case("html-nested-1001-deep-self-closed-in-svg-html", {ARTICLE: body("<svg><foreignObject>" + "<figure/>" * 1001
                                                                         + "x")}, f"{ARTICLE}:8",
         "nested more than 1,000 deep"),  # a foreignObject holds HTML, where `/` closes nothing
    case("html-nested-1001-deep-between-paragraphs", {ARTICLE: body("<div><p>x</p>\n" * 1001)}, f"{ARTICLE}:8",
         "nested more than 1,000 deep"),  # `</p>` took a level away, though `<p>` added none
    case("macro-range-too-big", {ARTICLE: body("{% for i in range(10**9) %}x{% endfor %}")}, f"{ARTICLE}:@range(",
         "range"),
    # where a chart block's figure goes: written or printed by a macro, it put a figure inside a link's address
    case("body-figure-placeholder", {ARTICLE: body("Lihat [ini](https://contoh.go.id/BULETINFIGURE0X).")},
         f"{ARTICLE}:@Lihat", "`BULETINFIGURE` is a word buletin keeps for placing figures"),
    case("row-cell-figure-placeholder", {ROWS: ROW_PAGE, WIL: sub("7402,Muna", "7402,BULETINFIGURE0X")}, ROWS,
         "a value printed by {{ }} holds `BULETINFIGURE`"),
    case("body-over-2000000-characters", {ARTICLE: body("Kata kata kata kata kata. " * 80_000)}, ARTICLE,
         "this text holds 2,080,2", "split it into several"),  # it said to simplify the {{ }} code
    case("macro-change-digits-huge", {ARTICLE: body("Naik {{ change('ikm', 'unit_usaha', compare={'periode': "
                                                    "'2020-10'}, periode='2020-11', digits=300000000) }}.")},
         f"{ARTICLE}:@Naik", "change(): `digits` must be a whole number from 0 to 10, not `300000000`"),
    case("macro-random-filter", {ARTICLE: body("Kode {{ range(1000000)|random }}.")}, f"{ARTICLE}:@Kode",
         "there is no filter `|random`: a page shows the same on every build"),
    case("macro-lipsum", {ARTICLE: body("Isi {{ lipsum(2) }}.")}, f"{ARTICLE}:@lipsum", "`lipsum` is unknown here"),
    case("macro-filter-unknown", {ARTICLE: body("Isi {{ 'a'|uppr }}.")}, f"{ARTICLE}:@uppr",
         "there is no filter `|uppr`: check its spelling"),
    case("macro-keyword-repeated", {ARTICLE: body("Rata-rata {{ value('ikm', 'unit_usaha', agg='mean') }} dan "
                                                  "{{ value('ikm', 'unit_usaha', agg='max') }}.\n\n"
                                                  "Angka {{ value('ikm', 'unit_usaha', agg='mean', agg='mean') }}.")},
         f"{ARTICLE}:@agg='mean', agg", "`agg=` is written twice in one macro: keep one of them"),
    case("macro-filter-misspelt", {ARTICLE: body("Isi {{ value('ikm', 'nilai', periode=edition.periode) }}.")},
         f"{ARTICLE}:@edition.periode", "has no attribute 'periode'"),
    case("macro-compare-misspelt", {ARTICLE: body(
        "Isi {{ change('ikm', 'nilai', compare={'periode': edition.prev}, periode=edition.period) }}.")},
         f"{ARTICLE}:@edition.prev", "has no attribute 'prev'"),
    case("macro-curly-quotes", {ARTICLE: body("Isi {{ value(\u201cikm\u201d, \u201cnilai\u201d) }}.")},
         f"{ARTICLE}:@\u201cikm", "`\u201c` is a word processor's curly quote, not a quote here: write straight"),
    case("macro-three-braces", {ARTICLE: body("Isi {{{ value('ikm', 'nilai') }}} unit.")}, f"{ARTICLE}:@Isi",
         "a macro stands between two braces, `{{ value(\"ikm\", \"unit_usaha\") }}`, not three"),
    case("front-matter-curly-quotes", {ARTICLE: key("title", "\u201cHarga: naik\u201d")}, f"{ARTICLE}:@title:",
         "curly ones", "straight quotes"),
    case("chart-filter-curly-quotes", {ARTICLE: chart_spec("type: bar\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n"
                                                           "filter: {periode: \u201c{{ edition.period }}\u201d}\n")},
         f"{ARTICLE}:@filter:", "curly quotes", "straight quotes"),
    case("macro-period-without-quotes", {ARTICLE: body("Isi {{ value('ikm', 'nilai', periode=2020-11) }}.")},
         f"{ARTICLE}:@periode=2020-11", "subtraction", 'periode="2020-11"'),
    case("macro-period-zero-without-quotes", {ARTICLE: body("Isi {{ value('ikm', 'nilai', periode=2020-09) }}.")},
         f"{ARTICLE}:@periode=2020-09", 'a period or a code must be written in quotes: write periode="2020-09"'),
    case("macro-other-period-without-quotes", {ARTICLE: body("Isi {{ value('ikm', 'nilai', periode=2020-10) }}.")},
         f"{ARTICLE}:@periode=2020-10", "2020-10 is a subtraction", 'periode="2020-10"'),
    case("macro-unclosed-quote-before-another", {ARTICLE: body(
        "Isi {{ value('ikm', 'nilai', periode=\"2020-11) }}.\n\nLagi {{ value(\"ikm\", \"nilai\") }}.")},
         f"{ARTICLE}:@\"2020-11) }}}}", "quotes is not closed"),
    case("macro-dataset-without-quotes", {ARTICLE: body("Isi {{ value(ikm, 'nilai') }}.")}, f"{ARTICLE}:@value(ikm",
         '"ikm"', "in quotes"),
    case("macro-column-without-quotes", {ARTICLE: body("Isi {{ value('ikm', nilai) }}.")}, f"{ARTICLE}:@, nilai)",
         '"nilai"', "in quotes"),
    case("macro-not-closed-before-an-apostrophe", {ARTICLE: body("Isi {{ value('ikm', 'nilai') unit pada hari "
                                                                  "Jum'at.")}, f"{ARTICLE}:@Jum'at", "not closed with"),
    case("yaml-quoted-over-two-lines-then-a-colon", {ARTICLE: sub(
        "location: Kendari", 'location: "Kendari,\n  Sulawesi"\nimage_alt: Teh kelor: hasil')}, f"{ARTICLE}:@image_alt",
         "yaml"),
    case("yaml-quote-in-a-block-text", {ARTICLE: sub("location: Kendari",
                                                     'location: |\n  "Kutipan\n  x\nsummary: a: b')},
         f"{ARTICLE}:@summary: a", "yaml"),
    case("image-outside-content-same-name", {ARTICLE: body("![Peta](../../gambar/peta.png)"),
                                             "gambar/peta.png": _png_header(4, 4)}, f"{ARTICLE}:@peta.png", "peta.png"),
    case("row-page-column-without-row", {ROWS: ROW_PAGE.replace("Unit usaha di {{ row.nama }}", "Unit usaha di "
                                                                "{{ nama }}")}, f"{ROWS}:@{{{{ nama", "row.nama"),
    case("macro-one-closing-brace", {ARTICLE: body("Isi {{ value('ikm', 'nilai') } unit.")}, f"{ARTICLE}:@Isi",
         "two braces"),
    case("chart-block-capitalised", {ARTICLE: sub("```chart", "```Chart")}, f"{ARTICLE}:@```Chart", "```chart",
         "small letters"),
    case("chart-block-in-indonesian", {ARTICLE: sub("```chart", "```grafik")}, f"{ARTICLE}:@```grafik",
         "```chart (not ```grafik), whatever"),  # not "in small letters": it is in small letters
    case("macro-unknown-function", {ARTICLE: body("Isi {{ nilai('ikm', 'unit_usaha') }}.")}, f"{ARTICLE}:@nilai(",
         "nilai"),
    case("image-markdown-missing", {ARTICLE: body("![Peta](peta.png)")}, f"{ARTICLE}:@peta.png", "peta.png"),
    case("image-named-in-other-capitals", {ARTICLE: body("![Peta](foto-peta.png)"),
                                           "content/2020-11/Foto-Peta.PNG": _png_header(4, 4)},
         f"{ARTICLE}:@foto-peta.png", "there is `Foto-Peta.PNG`"),
    case("image-html-missing-late-line", {SITE: append("allow_raw_html: true\n"), ARTICLE: body(
        "Satu.\n\nDua.\n\n<img src=\"x\" alt=\"peta\">")}, f"{ARTICLE}:@<img", "`x`"),
    case("link-to-missing-article", {ARTICLE: body("[lihat](tidak-ada.md)")}, f"{ARTICLE}:@tidak-ada.md",
         "tidak-ada.md"),
    # found once the pages are rendered, while the output is being written into the work folder
    case("link-to-missing-page", {ARTICLE: body("[arsip](../arsip-lama/)")}, f"{ARTICLE}:@arsip-lama",
         "arsip-lama"),

    # ---- releases
    case("release-lock-files-a-list", published({"period": "2020-11", "files": ["datapackage.yaml", "ikm.csv",
                                                                                 "wilayah.csv"]}), LOCK, "files"),
    case("release-lock-not-json", published("{files: nope"), LOCK, "lock"),
    case("release-lock-empty", published(""), LOCK, "lock"),
    case("release-lock-names-file-outside", published({"period": "2020-11", "files": {
        "../../../site.yaml": "0" * 64}}), LOCK, "../../../site.yaml"),

    # ---- dates, names and addresses that would overflow or leak into other files
    case("edition-next-release-year-9999", {EDITION: key("next_release", "9999-12-31")}, f"{EDITION}:@next_release:",
         "9999", "1900", "2999"),
    case("article-date-year-zero", {ARTICLE: key("date", "0000-01-01")}, f"{ARTICLE}:@date:", "1900"),
    case("article-date-day-first", {ARTICLE: key("date", "15-01-2021")}, f"{ARTICLE}:@date:",
         "must be a date written YYYY-MM-DD, e.g. 2020-11-09, not `15-01-2021`: write 2021-01-15"),
    case("edition-folder-year-zero", {"content/0000-01/index.md": "---\nsummary: Edisi.\n---\n"}, "content/0000-01",
         "0000-01", "1900"),
    case("datapackage-resource-name-leaves-data", {DP: sub("- name: ikm\n", "- name: ../ikm\n")}, f"{DP}:@../ikm",
         "`name`", "data/NAME.csv"),
    case("datapackage-resource-name-folder", {DP: sub("- name: ikm\n", "- name: sub/ikm\n")}, f"{DP}:@sub/ikm",
         "`name`"),
    case("datapackage-resource-name-windows-device", {DP: sub("- name: ikm\n", "- name: Aux\n")}, f"{DP}:@Aux",
         "data/Aux.csv, a name Windows keeps for a device"),
    case("datapackage-resource-name-too-long", {DP: sub("- name: ikm\n", "- name: " + "i" * 250 + "\n")},
         f"{DP}:@iiiiiiii", "longer than 200 characters, too long for the download's file name"),  # File name too long
    case("site-base-url-line-break", {SITE: append('base_url: "https://example.go.id/\\nUser-agent: *"\n')},
         f"{SITE}:@base_url:", "base_url"),
    case("site-base-url-bad-port", {SITE: append("base_url: https://example.go.id:99999/\n")}, f"{SITE}:@base_url:",
         "base_url"),
    case("template-includes-itself", {"templates/footer_extra.html": '<p>x</p>\n{% include "footer_extra.html" %}\n'},
         "templates/footer_extra.html:2", "footer_extra.html → footer_extra.html"),
    case("template-random-filter", {"templates/footer_extra.html": "<p>{{ ['a', 'b']|random }}</p>\n"},
         "templates/footer_extra.html:1", "random"),
    case("template-includes-the-base", {"templates/footer_extra.html": '{% include "base.html" %}\n'},
         "templates/footer_extra.html:1", "footer_extra.html → base.html → footer_extra.html"),
    case("macro-calls-itself", {ARTICLE: body("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}")},
         f"{ARTICLE}:@macro f", "itself"),
    case("image-pixel-bomb", {"content/2020-11/besar.png": PIXEL_BOMB, ARTICLE: body("![Besar](besar.png)")},
         f"{ARTICLE}:@besar.png", "65000 x 65000"),
    case("photo-pixel-bomb", {"content/2020-11/besar.png": PIXEL_BOMB, ARTICLE: key("image", "besar.png")},
         f"{ARTICLE}:@image:", "65000 x 65000"),

    # ---- nothing outside the site is read
    case("outside-datapackage-path-up", {DP: sub("path: ikm.csv", "path: ../{UP}/lain.csv")}, f"{DP}:@lain.csv",
         "`path`", "inside"),
    case("outside-datapackage-path-absolute", {DP: sub("path: ikm.csv", "path: {OUTSIDE}/lain.csv")},
         f"{DP}:@lain.csv", "`path`", "absolute"),
    case("outside-symlink-article", {"content/2020-11/bocor.md": Link("rahasia.md")}, "content/2020-11/bocor.md",
         "outside"),
    case("outside-symlink-edition-folder", {"content/2020-12": Link("edisi")}, "content/2020-12", "outside"),
    case("outside-symlink-csv", {IKM: Link("lain.csv")}, IKM, "outside"),
    case("outside-symlink-template", {"templates/page.html": Link("page.html")}, "templates/page.html", "outside"),
    case("outside-symlink-asset", {"templates/assets/extra.css": Link("rahasia.md")}, "templates/assets/extra.css",
         "outside"),
    case("outside-symlink-image", {"content/2020-11/foto.png": Link("rahasia.md"), ARTICLE: key("image", "foto.png")},
         f"{ARTICLE}:@image:", "outside"),
    case("outside-symlink-body-image", {"content/2020-11/foto.png": Link("rahasia.md"),
                                        ARTICLE: append("\n![Foto](foto.png)\n")}, f"{ARTICLE}:@![Foto]",
         "`foto.png`: this is a link to a file outside the site"),
    case("outside-symlink-attachment", {"content/2020-11/laporan.pdf": Link("rahasia.md"),
                                        ARTICLE: append("\n[Laporan](laporan.pdf)\n")}, f"{ARTICLE}:@[Laporan]",
         "`laporan.pdf`: this is a link to a file outside the site"),
]

SECRET = "RAHASIA-6b1f"  # in every file outside the site: it must never reach the output or a message


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A folder outside every test site, holding files a hostile pull request may point at."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "rahasia.md").write_text(f"---\ntitle: {SECRET}\ndate: 2020-11-09\n---\n\n{SECRET}\n", encoding="utf-8")
    (folder / "lain.csv").write_text(IKM_CSV, encoding="utf-8")
    (folder / "page.html").write_text('{% extends "base.html" %}{% block main %}' + SECRET + "{% endblock %}\n",
                                      encoding="utf-8")
    (folder / "edisi").mkdir()
    (folder / "edisi" / "index.md").write_text(f"---\ntitle: {SECRET}\n---\n\n{SECRET}\n", encoding="utf-8")
    return folder


def _placed(value: Edit, site: Path, outside: Path) -> Edit:
    if isinstance(value, str):
        return value.replace("{UP}", os.path.relpath(outside, site)).replace("{OUTSIDE}", str(outside))
    return value


@pytest.mark.parametrize(("files", "where", "words"), CASES)
def test_bad_input_is_reported(broken, outside, files, where, words):
    site, break_site = broken
    plain: dict[str, str | bytes | None] = {}
    for rel, value in files.items():
        if isinstance(value, Link):
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.unlink()
            target.symlink_to(outside / value.target)
        elif callable(value):
            current = (site / rel).read_text(encoding="utf-8") if (site / rel).is_file() else ""
            plain[rel] = _placed(value(current), site, outside)
        else:
            plain[rel] = _placed(value, site, outside)
    with limits(seconds=10, memory=768 * 2**20):
        result = break_site(plain)
    assert_only_reports(result)
    assert_reported_at(result, site, where, *words)
    assert SECRET not in result.err + result.out


# ---------------------------------------------------------------- inputs that may build or be refused, in bounds

# (id, files, places an error may stand, words it must hold, seconds); the build must end in time either way
BOUNDED = [
    pytest.param({DP: append(BANYAK_RESOURCE), "data/banyak.csv": csv_text(BIG_CATEGORIES),
                  ARTICLE: body("```chart\ntitle: Banyak\ntype: bar\ndata: banyak\nx: kode\ny: nilai\n```")},
                 (f"{ARTICLE}:@data: banyak..@y: nilai",), ("top",), 30, id="chart-5000-categories"),
    pytest.param({WIL: sub("7402,Muna", "7402," + "M" * 2_000_000)}, (WIL, f"{ARTICLE}:@```chart..@caption"), (), 8,
                 id="chart-label-2mb-cell"),
    pytest.param({IKM: sub("2020-11,7471,5001,", "2020-11,7471," + "9" * 40 + ",")},
                 (f"{IKM}:@99999", f"{ARTICLE}:@Jumlah unit"), (), 30, id="value-of-40-digits"),
    pytest.param({WIL: sub("7402,Muna", '7402,"Kabupaten ""Kolaka"" Raya"'), ROWS: ROW_PAGE},
                 (f"{ROWS}:@title: \"Unit",), ("7402",), 30, id="row-page-quote-in-cell"),
    pytest.param({WIL: sub("7402,Muna", "7402,Mu\x00na"), ROWS: ROW_PAGE}, (WIL, f"{ROWS}:@title: \"Unit"), (), 30,
                 id="row-page-nul-in-cell"),
]


@pytest.mark.parametrize(("files", "places", "words", "seconds"), BOUNDED)
def test_big_or_odd_input_stays_in_bounds(make_site, run_cli, tmp_path, files, places, words, seconds):
    """Exit 0 with every chart image under 1 MB and no NUL in any page, or exit 1 with a proper report."""
    site = make_site({rel: value(str(BASE_FILES.get(rel, ""))) if callable(value) else value
                      for rel, value in files.items()})
    out = tmp_path / "out"
    with limits(seconds=seconds, memory=1536 * 2**20):
        result = run_cli("build", "--site", site, "--out", out, "--no-cache", "--quiet")
    assert result.code in (0, 1), result.err
    assert_only_reports(result)
    if result.code == 1:
        failures = []
        for place in places:
            try:
                assert_reported_at(result, site, place, *words)
                break
            except AssertionError as exc:
                failures.append(str(exc))
        else:
            raise AssertionError("\n".join(failures))
        return
    for path in out.rglob("*"):
        if path.suffix in (".svg", ".png"):
            assert path.stat().st_size < 2**20, f"{path.relative_to(out)}: {path.stat().st_size} bytes"
        if path.suffix in (".html", ".svg", ".xml", ".json"):
            assert b"\x00" not in path.read_bytes(), f"NUL byte in {path.relative_to(out)}"


# ---------------------------------------------------------------- odd but valid: they must build

GOOD = [  # (files, a file the output must have)
    pytest.param({ARTICLE: "\ufeff" + ARTICLE_MD}, "2020-11/sorotan/index.html", id="bom-front-matter"),
    pytest.param({IKM: "\ufeff" + IKM_CSV}, "data/ikm.csv", id="bom-csv"),
    pytest.param({SITE: "\ufeff" + SITE_YAML}, "index.html", id="bom-site-yaml"),
    pytest.param({DP: "\ufeff" + DATAPACKAGE_YAML}, "data/datapackage.json", id="bom-datapackage"),
    pytest.param({ARTICLE: ARTICLE_MD.replace("\n", "\r\n"), IKM: IKM_CSV.replace("\n", "\r\n")},
                 "2020-11/sorotan/index.html", id="crlf"),
    pytest.param({ARTICLE: key("title", "Sorotan \u201cIKM\u201d \u2014 \u00e9t\u00e9 \U0001f4ca \u200b")(ARTICLE_MD)},
                 "2020-11/sorotan/index.html", id="odd-unicode-title"),
    pytest.param({"content/2020-11/berita-\u016bnicode.md": OTHER_ARTICLE}, "2020-11/berita-unicode/index.html",
                 id="unicode-file-name"),
    pytest.param({"content/pages/profil wilayah.md": "---\ntitle: Profil\n---\n"}, "profil-wilayah/index.html",
                 id="space-in-file-name"),
    pytest.param({SITE: append("version: 2024-02-30\n")(SITE_YAML)}, "manifest.json", id="version-like-a-date"),
    pytest.param({ARTICLE: sub("caption: Angka sementara.", "caption: 'Total {{ value(''ikm'', ''nilai'') }} juta'")(
        ARTICLE_MD)}, "2020-11/sorotan/index.html", id="chart-macro-in-single-quoted-yaml"),
    # a page on writing charts shows the slips as examples: in a longer fence, indented, or in inline code
    pytest.param({ARTICLE: append("\n````markdown\n```Chart\ntype: line\n```\n````\n\n    ~~~grafik\n\n"
                                  "```Chart``` (huruf besar) tidak digambar.\n")(ARTICLE_MD)},
                 "2020-11/sorotan/index.html", id="chart-fence-slips-shown-as-examples"),
    # a template offered for download, linked from the article: a text that starts like one, not a misnamed one
    pytest.param({"content/2020-11/contoh-artikel.txt": OTHER_ARTICLE,
                  ARTICLE: append("\n[Contoh artikel](contoh-artikel.txt)\n")(ARTICLE_MD)},
                 "2020-11/sorotan/contoh-artikel.txt", id="text-file-like-an-article-offered-for-download"),
    pytest.param({ARTICLE: sub("location: Kendari", 'location: "Kendari,\n  Sulawesi Tenggara"')(ARTICLE_MD)},
                 "2020-11/sorotan/index.html", id="quoted-yaml-value-over-two-lines"),
]


@pytest.mark.parametrize(("files", "made"), GOOD)
def test_odd_but_valid_input_builds(make_site, run_cli, tmp_path, files, made):
    site = make_site(files)
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--no-cache", "--quiet")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / made).is_file()


def test_editor_locks_and_mac_shadow_files_are_not_content(make_site, run_cli, tmp_path, tree_snapshot):
    """Emacs keeps `.#NAME` (a link to nowhere) beside a file with unsaved changes; a Mac leaves `._NAME` beside
    each file on a shared drive. Neither is an article, a page or a template."""
    shadow = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
    site = make_site({"content/2020-11/._sorotan.md": shadow, "content/pages/._tentang.md": shadow,
                      "templates/._footer_extra.html": shadow, "templates/footer_extra.html": "<p>Kontak</p>\n"})
    for folder, name in (("content/2020-11", "sorotan.md"), ("content/pages", "tentang.md"),
                         ("templates", "footer_extra.html")):
        (site / folder / f".#{name}").symlink_to("staf@kantor.4242:1614556800")
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--no-cache")
    assert result.code == 0, result.err
    for folder in ("content/2020-11", "content/pages", "templates"):
        for hidden in (site / folder).glob(".*"):
            hidden.unlink()
    assert run_cli("build", "--site", site, "--out", tmp_path / "plain", "--no-cache").code == 0
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "plain")


# ---------------------------------------------------------------- misuse of the command line: exit 2

# (id, arguments after the command; FOLDER is a folder buletin did not make, with a file in it; FILE a file)
USAGE = [
    pytest.param(["build", "--jobs", "0"], "--jobs", id="jobs-zero"),
    pytest.param(["build", "--jobs", "-3"], "--jobs", id="jobs-negative"),
    pytest.param(["build", "--jobs", "two"], "--jobs", id="jobs-text"),
    pytest.param(["build", "--cache", "FOLDER"], "--cache", id="cache-foreign-folder"),  # `--cache /`, safely
    pytest.param(["check", "--cache", "FOLDER"], "--cache", id="cache-foreign-folder-check"),
    pytest.param(["build", "--cache", "FILE"], "--cache", id="cache-is-a-file"),
    pytest.param(["build", "--out", ""], "--out", id="out-empty"),
    pytest.param(["build", "--out", "FILE"], "--out", id="out-is-a-file"),
    pytest.param(["build", "--out", "FOLDER"], "--out", id="out-foreign-folder"),
    pytest.param(["build", "--site", "NOWHERE"], "--site", id="site-missing"),
    pytest.param(["build", "--base-url", "ftp://example.go.id/"], "--base-url", id="base-url-not-http"),
    pytest.param(["serve", "--port", "99999"], "--port", id="port-out-of-range"),
    pytest.param(["publish", "2020-13"], "2020-13", id="publish-bad-period"),
    pytest.param(["publish", "2020-11", "--date", "9999-12-31"], "9999", id="publish-date-year-9999"),
    pytest.param(["new", "edition", "0000-01"], "0000-01", id="new-edition-year-zero"),
    pytest.param(["new", "article", "2020-11"], "TITLE", id="new-article-without-title"),
    pytest.param(["new", "page", "x"], "page", id="new-unknown-kind"),
]


@pytest.mark.parametrize(("args", "word"), USAGE)
def test_wrong_usage_is_refused(make_site, run_cli, tmp_path, monkeypatch, args, word):
    """Exit 2, a message naming the option, no traceback; nothing written anywhere (the site included)."""
    site = make_site()
    folder = tmp_path / "dokumen"
    folder.mkdir()
    (folder / "catatan.txt").write_text("jangan diubah\n", encoding="utf-8")
    (tmp_path / "berkas.txt").write_text("sebuah berkas\n", encoding="utf-8")
    names = {"FOLDER": str(folder), "FILE": str(tmp_path / "berkas.txt"), "NOWHERE": str(tmp_path / "tidak-ada")}
    argv = [names.get(a, a) for a in args]
    if "--site" not in argv:
        argv += ["--site", str(site)]
    monkeypatch.chdir(tmp_path)  # an empty --out must not mean the current folder either
    before = tree_snapshot(tmp_path)
    with limits(seconds=30):
        result = run_cli(*argv)
    assert result.code == 2, f"exit {result.code}\n{result.out}{result.err}"
    assert word in result.err, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert tree_snapshot(tmp_path) == before, "a refused command wrote files"


def test_an_article_saved_as_text_is_an_error_other_text_a_warning_and_a_folder_with_an_underscore_is_left_alone(
        make_site, run_cli):
    """Notepad saves `.txt`: an article (it starts with a front matter) would be missing without a word; other
    text may be a note or an attachment. A `_catatan/` folder holds notes."""
    site = make_site({"content/2020-11/catatan.txt": "Ide untuk bulan depan.\n",
                      "content/2020-11/_catatan/ide.md": "# Ide\n"})
    result = run_cli("check", "--site", site)
    assert result.code == 0 and [line for line in result.err.splitlines() if ": warning: " in line] == [
        "content/2020-11/catatan.txt: warning: this file is not read: an article or page is a Markdown file, "
        "whose name ends in `.md`; rename it `catatan.md` if it is one"], result.err
    (site / "content/2020-11/harga-gula.txt").write_text(OTHER_ARTICLE, encoding="utf-8")
    result = run_cli("check", "--site", site)
    assert result.code == 1 and "content/2020-11/harga-gula.txt:1: error: this file is not read, though it starts " \
        "like an article (`---`)" in result.err and "rename it `harga-gula.md`" in result.err, result.err


def test_a_macro_between_single_braces_is_a_warning_at_its_line(make_site, run_cli):
    """`Rp{ value(...) }` would be printed as it is; `{a}` and braces in code are other text."""
    body = OTHER_ARTICLE + '\nHarga Rp{ value("ikm", "unit_usaha", periode="2020-11") } per kg; {a} dan `{x}`.\n'
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    line = body.count("\n")
    assert result.code == 0 and [text for text in result.err.splitlines() if ": warning: " in text] == [
        f"content/2020-11/lain.md:{line}: warning: `{{ value(\"ikm\", \"unit_usaha\", periode=\"2020-11\") }}` is "
        "shown as written: a macro stands between double braces, `{{ value(...) }}`"], result.err


def test_a_folder_that_is_no_site_gets_that_one_error(run_cli, tmp_path, monkeypatch):
    """Run in the wrong folder, "make content/ here" would send staff the wrong way."""
    monkeypatch.chdir(tmp_path)
    result = run_cli("check")
    assert result.code == 1 and [line for line in result.err.splitlines() if ": error: " in line] == [
        "site.yaml: error: there is no site.yaml here: is `.` a buletin site? Run the command in the site's folder, "
        "or name it with --site DIR"], result.err


def test_markdown_that_would_take_minutes_is_stopped_at_its_deadline(make_site, run_cli, monkeypatch):
    """python-markdown's links are worse than quadratic in a run of `[`: 40,000 kept `check` busy for minutes."""
    from buletin.compose import markup

    monkeypatch.setattr(markup, "SECONDS", 1)
    site = make_site({ARTICLE: ARTICLE_MD + "\n" + "[" * 40_000 + "\n"})
    started = time.monotonic()
    result = run_cli("check", "--site", site)
    assert result.code == 1 and "Markdown takes more than 1 s on this text" in result.err, result.err
    assert time.monotonic() - started < 20


def test_an_article_dated_far_from_its_period_or_titled_as_another_is_a_warning(make_site, run_cli):
    """2019 typed for 2020 hides the article for a year; a copy under a new name lists the story twice."""
    late = OTHER_ARTICLE.replace("date: 2020-11", "date: 2019-11") if "date: 2020-11" in OTHER_ARTICLE else None
    assert late is not None
    site = make_site({"content/2020-11/lain.md": late,
                      "content/2020-11/salinan.md": ARTICLE_MD.replace("date: 2020-11-09", "date: 2021-02-27")})
    result = run_cli("check", "--site", site)
    found = sorted(line for line in result.err.splitlines() if ": warning: " in line)
    assert result.code == 0 and len(found) == 2, result.err
    assert found[0] == "content/2020-11/lain.md:3: warning: the article is dated 2019-11-10, far from its " \
        "edition's period (2020-11-01 to 2020-11-30): a typo in the year? Write 2020-11-10 (year-month-day)"
    assert found[1].startswith("content/2020-11/sorotan.md:2: warning: content/2020-11/salinan.md has the same title")
    # the day and the month swapped (12 November typed 2020-12-11 would pass: within the months after), and a
    # date nothing explains, in the past: not said to appear only from its date on
    for date, words in (("2020-10-11", "the day and the month swapped? Write 2020-11-10 (year-month-day)"),
                        ("2020-03-31", "a typo? It is listed by its date, among older articles")):
        (site / "content/2020-11/lain.md").write_text(OTHER_ARTICLE.replace("date: 2020-11-10", f"date: {date}"))
        result = run_cli("check", "--site", site)
        assert f"lain.md:3: warning: the article is dated {date}, far from its edition's period (2020-11-01 to " \
            f"2020-11-30): {words}" in result.err, result.err


def test_a_macro_without_its_braces_or_with_one_opening_brace_is_a_warning_at_its_line(make_site, run_cli):
    """`value("ikm", ...)` without braces, or `{ value(...) }}`, was published as written without a word; a macro,
    a call inside one, an example in code and one in a code block are other text."""
    lines = ['Jumlah value("ikm", "unit_usaha") unit.', 'Naik { value("ikm", "unit_usaha") }} unit.',
             'Makro {{ "Rp" ~ value("ikm", "unit_usaha") }} dan `value("ikm", "x")` sebagai contoh.',
             '{# value("ikm", "unit_usaha") dihapus dari halaman #}',
             "", "```", 'value("ikm", "unit_usaha")', "```"]
    body = OTHER_ARTICLE + "\n" + "\n".join(lines) + "\n"
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    first = OTHER_ARTICLE.count("\n") + 2
    assert result.code == 0 and [text for text in result.err.splitlines() if ": warning: " in text] == [
        f"content/2020-11/lain.md:{first}: warning: `value(\"ikm\", \"unit_usaha\")` is shown as written: a macro "
        "stands between double braces, `{{ value(...) }}`",
        f"content/2020-11/lain.md:{first + 1}: warning: `{{ value(\"ikm\", \"unit_usaha\") }}}}` is shown as written: "
        "a macro stands between double braces, `{{ value(...) }}`"], result.err


def test_a_paragraph_indented_by_a_tab_is_a_warning_but_a_list_items_second_paragraph_is_not(make_site, run_cli):
    """A tab before a paragraph made it a block of code on the page."""
    lines = ["Paragraf pertama.", "", "\tKota Kendari mencatat 205 unit.", "", "- butir satu", "",
             "    paragraf kedua butir satu.", "", "```", "", "    kode di dalam blok", "```", "",
             "Catatan[^1].", "", "[^1]: Sumber: Disperindag.", "", "    Angka 2020 sementara.", "",
             "- butir yang", "berlanjut tanpa indentasi", "", "    paragraf kedua butir itu.", "",
             "<details>", "<summary>Metodologi</summary>", "", "    Teks di dalam blok HTML.", "", "</details>"]
    body = OTHER_ARTICLE + "\n" + "\n".join(lines) + "\n"
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    line = OTHER_ARTICLE.count("\n") + 4
    assert result.code == 0 and [text for text in result.err.splitlines() if ": warning: " in text] == [
        f"content/2020-11/lain.md:{line}: warning: this paragraph starts with a tab or four spaces, so it is shown "
        "as a block of code: remove the indentation (a paragraph needs none; a list item's or a footnote's second "
        "paragraph is indented under it; code on purpose goes between lines of ```)"], result.err


@pytest.mark.parametrize("address", ["C:\\Users\\humas\\Pictures\\kelor.jpg", "C:/Users/humas/kelor.jpg",
                                     "file:///C:/Users/humas/kelor.jpg"])
def test_a_picture_or_file_named_by_its_place_on_the_computer_is_an_error(make_site, run_cli, address):
    """The sanitiser dropped such an address: an empty picture, a link to nowhere, and no message."""
    body = OTHER_ARTICLE + f"\n![Foto]({address})\n\n[laporan]({address.replace('kelor.jpg', 'laporan.docx')})\n"
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    line = OTHER_ARTICLE.count("\n") + 2
    assert result.code == 1 and error_lines(result.err) == [
        f"content/2020-11/lain.md:{line}: error: `{address}` is a place on this computer, which readers' browsers "
        "cannot open: copy the file next to the Markdown file and write its name, e.g. `kelor.jpg`",
        f"content/2020-11/lain.md:{line + 2}: error: `{address.replace('kelor.jpg', 'laporan.docx')}` is a place on "
        "this computer, which readers' browsers cannot open: copy the file next to the Markdown file and write its "
        "name, e.g. `laporan.docx`"], result.err


def test_an_invisible_control_character_in_a_body_or_a_text_key_is_an_error_at_its_line(make_site, run_cli):
    """A manual line break pasted from Word (U+000B), or a NUL written as an escape in quotes, passed into every
    page as it was; YAML refuses the characters themselves, a body did not."""
    body = OTHER_ARTICLE.replace("title: Artikel lain", 'title: "Artikel\\0 lain"')
    body += "\nBaris dari Word,\x0bdengan jeda.\n\n```\nkode\x0c\n```\n\nBaris biasa.\n"
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    lines = body.split("\n")
    word, code = [n for n, line in enumerate(lines, 1) if "\x0b" in line or "\x0c" in line]
    title = next(n for n, line in enumerate(lines, 1) if line.startswith("title:"))
    invisible = ("this line holds an invisible character ({}), which pages would show as nothing or as a box (it "
                 "comes with text copied from Word or a PDF): retype the line, or delete the character")
    assert result.code == 1 and error_lines(result.err) == [
        f"content/2020-11/lain.md:{title}: error: `title` holds an invisible character (U+0000), which a page would "
        "not show: delete it",
        f"content/2020-11/lain.md:{word}: error: " + invisible.format("U+000B"),
        f"content/2020-11/lain.md:{code}: error: " + invisible.format("U+000C")], result.err


def test_a_stray_zero_byte_is_an_invisible_character_at_its_line_not_utf16(make_site, run_cli, line_of):
    """One NUL in a UTF-8 file is no UTF-16 text (whose every other byte is zero): it is told at its line."""
    site = make_site({ARTICLE: ARTICLE_MD.replace("Paragraf penutup.", "Paragraf\x00 penutup.")})
    result = run_cli("check", "--site", site)
    assert result.code == 1 and error_lines(result.err) == [
        f"{ARTICLE}:{line_of(ARTICLE_MD, 'Paragraf penutup.')}: error: this line holds an invisible character "
        "(U+0000), which pages would show as nothing or as a box (it comes with text copied from Word or a PDF): "
        "retype the line, or delete the character"], result.err


def test_a_link_from_the_sites_root_is_an_error_at_its_line(make_site, run_cli):
    """`[x](/2020-11/tidak-ada/)` was published as written: it leads nowhere under a sub-path, and was not checked."""
    body = OTHER_ARTICLE + "\nLihat [artikel](/2020-11/sorotan/) dan ![logo](/logo.png).\n"
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    line = OTHER_ARTICLE.count("\n") + 2
    assert result.code == 1 and error_lines(result.err) == [
        f"content/2020-11/lain.md:{line}: error: `/logo.png` starts with `/`: name the picture as seen from the "
        "Markdown file, e.g. `foto.jpg` next to it",
        f"content/2020-11/lain.md:{line}: error: the link `/2020-11/sorotan/` starts with `/`, so it leads elsewhere "
        "when the site is published in a folder (as on GitHub Pages): link to an article by its file name as seen "
        "from this one, e.g. `../2020-11/artikel.md`"], result.err


def test_tags_written_with_commas_but_no_brackets_are_an_error_at_their_line(make_site, run_cli):
    """`tags: kota-kendari, sandang` made one topic, `kota-kendari-sandang`, without a word."""
    body = OTHER_ARTICLE.replace("date: 2020-11-10\n", "date: 2020-11-10\ntags: kota-kendari, sandang\n")
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    assert result.code == 1 and error_lines(result.err) == [
        "content/2020-11/lain.md:4: error: `kota-kendari, sandang` is one tag, as written: write several tags as a "
        "list, `tags: [kota-kendari, sandang]`"], result.err
    (site / "content/2020-11/lain.md").write_text(body.replace("kota-kendari, sandang", "[kota-kendari, sandang]"))
    assert run_cli("check", "--site", site).code == 0
    (site / "content/2020-11/lain.md").write_text(body.replace("kota-kendari, sandang", '["Kendari, Sultra"]'))
    assert run_cli("check", "--site", site).code == 0  # a tag of a list may hold a comma


def test_a_chart_block_without_its_closing_fence_is_said_at_its_opening_line(make_site, run_cli):
    """The text after it, down to the next chart, was read as the chart's settings: an error about a line
    without a `:` at a blank line, which never said that the block was not closed."""
    chart = "```chart\ntitle: Unit\ntype: bar\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n"
    body = OTHER_ARTICLE + "\n" + chart + "\nTeks di antara dua grafik.\n\n" + chart + "```\n\nPenutup.\n"
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    opening = OTHER_ARTICLE.count("\n") + 2
    assert result.code == 1 and error_lines(result.err) == [
        f"content/2020-11/lain.md:{opening}: error: this chart block is not closed: end it with a line of ``` after "
        f"its last setting (without it, the lines down to line {opening + 7} are read as the chart's settings)"], \
        result.err
    (site / "content/2020-11/lain.md").write_text(OTHER_ARTICLE + "\n" + chart + "\nAkhir tanpa penutup.\n")
    result = run_cli("check", "--site", site)
    assert result.code == 1 and f"lain.md:{opening}: error: this chart block is not closed" in result.err, result.err
    assert f"down to line {opening + 7} are read" in result.err, result.err


def test_a_title_in_curly_quotes_is_a_warning(make_site, run_cli):
    """`title: “Penjahit Kendari menutup tahun”` showed the quotes in the heading and the browser's tab."""
    body = OTHER_ARTICLE.replace("title: Artikel lain", "title: \u201cArtikel lain\u201d")
    site = make_site({"content/2020-11/lain.md": body})
    result = run_cli("check", "--site", site)
    assert result.code == 0 and [text for text in result.err.splitlines() if ": warning: " in text] == [
        "content/2020-11/lain.md:2: warning: `title` is in a word processor's curly quotes, \u201c \u201d, which the "
        "page shows: YAML needs no quotes around it, or straight ones"], result.err
    (site / "content/2020-11/lain.md").write_text(OTHER_ARTICLE.replace(
        "title: Artikel lain", "title: \u2018Kopi\u2019 dan \u2018Teh\u2019"))  # two words in quotes
    assert ": warning: " not in run_cli("check", "--site", site).err
    (site / "content/2020-11/lain.md").write_text(OTHER_ARTICLE.replace(
        "title: Artikel lain", "title: \u201cPasar Jum\u2019at\u201d"))  # an apostrophe inside
    assert "curly quotes" in run_cli("check", "--site", site).err
