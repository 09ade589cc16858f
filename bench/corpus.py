"""Seeded, deterministic benchmark corpus: a buletin site plus the same articles as plain Markdown for peers.

The site has two datasets (`ikm`, a few thousand rows with a foreign key to `wilayah`, and the smaller
`harga`), editions 2019-05..2020-12, articles of about 600 Indonesian-looking words each, some quoting
figures with `value()`, and a fixed number of distinct chart blocks spread over the articles.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

WILAYAH = [("7401", "Kabupaten Buton"), ("7402", "Kabupaten Muna"), ("7403", "Kabupaten Konawe"),
           ("7404", "Kabupaten Kolaka"), ("7405", "Kabupaten Konawe Selatan"), ("7406", "Kabupaten Bombana"),
           ("7407", "Kabupaten Wakatobi"), ("7408", "Kabupaten Kolaka Utara"), ("7409", "Kabupaten Buton Utara"),
           ("7410", "Kabupaten Konawe Utara"), ("7411", "Kabupaten Kolaka Timur"),
           ("7412", "Kabupaten Konawe Kepulauan"), ("7413", "Kabupaten Muna Barat"),
           ("7414", "Kabupaten Buton Tengah"), ("7415", "Kabupaten Buton Selatan"), ("7471", "Kota Kendari"),
           ("7472", "Kota Baubau")]
SEKTOR = ["pangan", "sandang", "kerajinan", "kimia", "logam", "mesin", "elektronika", "bangunan"]
KOMODITAS = ["beras", "jagung", "cabai_merah", "bawang_merah", "gula_pasir", "minyak_goreng", "ikan_cakalang",
             "telur_ayam"]
MONTHS = [f"{year}-{month:02d}" for year in (2019, 2020) for month in range(1, 13)]  # 24 data months
EDITIONS = MONTHS[4:]  # 2019-05 .. 2020-12: 20 monthly editions
KOTA = ["Kendari", "Baubau", "Raha", "Unaaha", "Kolaka", "Andoolo", "Rumbia", "Wangi-Wangi", "Lasusua"]
AUTHORS = ["Tim Buletin", "Rina Wulandari", "Andi Saputra", "La Ode Rahman", "Wa Ode Sitti", "Kang Upi"]
WORDS = """
usaha industri kecil menengah pelaku produk olahan pasar pembinaan pelatihan pendampingan kabupaten kota
desa kecamatan warga perajin tenun anyaman rotan bambu kayu kelapa kopi kakao cengkeh rumput laut ikan
abon keripik sagu jagung beras gula aren madu kemasan label merek izin halal sertifikat mutu standar
produksi penjualan pemasaran daring toko gerai pameran festival koperasi modal pinjaman bank kredit bunga
angsuran tenaga kerja pemuda ibu rumah tangga kelompok sentra klaster bahan baku pasokan harga biaya
ongkos kirim pelabuhan jalan listrik air mesin peralatan teknologi digital aplikasi pelanggan pembeli
permintaan musim panen hujan kemarau bulan tahun pekan hari pagi sore dinas pemerintah provinsi program
kegiatan anggaran bantuan hibah peralatan gudang pengeringan penggilingan pengemasan pengiriman ekspor
antar pulau kapal perahu nelayan petani peternak pengrajin penjahit bengkel las logam batu bata genteng
meningkat menurun bertahan tumbuh pulih naik turun stabil baru lama besar kecil banyak sedikit utama
penting lanjutan terpadu mandiri bersama setempat daerah wilayah pesisir pegunungan kepulauan daratan
dengan untuk dari pada dalam oleh karena sehingga namun tetapi juga masih sudah akan dapat lebih antara
"""
VOCABULARY = WORDS.split()


@dataclass(frozen=True)
class Size:
    articles: int
    charts: int


FULL = Size(articles=1000, charts=100)
QUICK = Size(articles=100, charts=10)


@dataclass(frozen=True)
class Chart:
    """One chart block and what it needs to say whether an edit to `harga` may change it."""

    number: int
    dataset: str
    type: str
    filter: dict[str, object]
    columns: tuple[str, ...]
    yaml: str


@dataclass
class Article:
    period: str
    slug: str
    title: str
    front: str
    body: str
    charts: list[Chart] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"content/{self.period}/{self.slug}.md"

    def text(self) -> str:
        return f"---\n{self.front}---\n\n{self.body}"


@dataclass
class Corpus:
    size: Size
    articles: list[Article]
    charts: list[Chart]
    edited_row: dict[str, str]  # the `harga` row whose price the data-edit case changes

    def words(self) -> int:
        return sum(len(plain_body(a.body).split()) for a in self.articles)


# ---------------------------------------------------------------- text


def _sentence(rng: random.Random, low: int = 8, high: int = 16) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _title(rng: random.Random, low: int = 4, high: int = 8) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high))).capitalize()


def _bullets(rng: random.Random) -> str:
    return "\n".join(f"- {_sentence(rng, 5, 9)}" for _ in range(4))


def _table(rng: random.Random) -> str:
    rows = ["| Kabupaten/kota | Unit usaha | Tenaga kerja |", "|---|---:|---:|"]
    for _, name in rng.sample(WILAYAH, 4):
        rows.append(f"| {name} | {rng.randint(20, 900)} | {rng.randint(100, 5000)} |")
    return "\n".join(rows)


def _quote(rng: random.Random, index: int) -> str:
    """A sentence quoting a figure with value(); every 20th article quotes the smaller dataset."""
    if index % 20 == 7:
        komoditas = KOMODITAS[(index // 20) % len(KOMODITAS)]
        return (f"Harga rata-rata {komoditas.replace('_', ' ')} pada bulan ini tercatat Rp"
                f'{{{{ value("harga", "harga", agg="mean", periode=edition.period, komoditas="{komoditas}") }}}}'
                " per kilogram.")
    kode, name = WILAYAH[index % len(WILAYAH)]
    return ("Jumlah unit usaha IKM tercatat "
            '{{ value("ikm", "unit_usaha", periode=edition.period) }} unit, dan di ' f"{name} "
            f'{{{{ value("ikm", "unit_usaha", periode=edition.period, kode_wilayah="{kode}") }}}} unit.')


def _body(rng: random.Random, index: int, neighbour: str, charts: list[Chart], target_words: int = 540) -> str:
    blocks = [_paragraph(rng)]
    if index % 3 == 0:
        blocks.append(_quote(rng, index))
    extras = [_bullets(rng), _table(rng),
              f"Lihat juga [artikel sebelumnya](../{neighbour}/) dan "
              f"[laman dinas](https://example.go.id/disperindag/{index}/)."]
    extras += [f"```chart\n{chart.yaml}```" for chart in charts]
    section = 0
    while sum(len(b.split()) for b in blocks) < target_words or extras:
        section += 1
        blocks.append(f"## {section}. {_title(rng, 2, 5)}")
        blocks.append(_paragraph(rng))
        if extras:
            blocks.append(extras.pop(0))
    blocks.append(_paragraph(rng))  # always end on a paragraph: the edit cases append a word to it
    return "\n\n".join(blocks) + "\n"


def plain_body(body: str) -> str:
    """The body for peers: chart blocks dropped, value() macros replaced by a fixed figure."""
    body = re.sub(r"```chart\n.*?```\n*", "", body, flags=re.S)
    return re.sub(r"\{\{ value\(.*?\) \}\}", "1.234", body)


# ---------------------------------------------------------------- charts


def _ikm_chart(rng: random.Random, number: int, kind: str) -> tuple[dict[str, object], list[str]]:
    period = rng.choice(MONTHS)
    y = rng.choice(["unit_usaha", "nilai_produksi"])
    if kind == "line":
        kode, name = rng.choice(WILAYAH)
        flt: dict[str, object] = {"kode_wilayah": kode, "periode": {"max": period}}
        lines = [f"title: Grafik {number}, {y.replace('_', ' ')} di {name} sampai {period}",
                 "x: periode", f"y: {y}"]
    elif kind == "table":
        flt = {"periode": period}
        lines = [f"title: Tabel {number}, unit usaha dan nilai produksi per kabupaten/kota, {period}",
                 "x: kode_wilayah", "y: [unit_usaha, nilai_produksi]", "sort: desc"]
    else:
        x = rng.choice(["kode_wilayah", "sektor"])
        flt = {"periode": period}
        lines = [f"title: Grafik {number}, {y.replace('_', ' ')} menurut {x}, {period}", f"x: {x}", f"y: {y}",
                 f"sort: {rng.choice(['asc', 'desc'])}"]
        if x == "kode_wilayah" and rng.random() < 0.5:
            lines.append("top: 10")
        if x == "kode_wilayah" and rng.random() < 0.3:
            lines.append("by: sektor")
    return flt, lines


def _harga_chart(rng: random.Random, number: int, kind: str) -> tuple[dict[str, object], list[str]]:
    period = rng.choice(MONTHS[-8:])  # prices: recent months
    if kind == "line":
        komoditas = rng.choice(KOMODITAS)
        flt: dict[str, object] = {"komoditas": komoditas, "periode": {"max": period}}
        lines = [f"title: Grafik {number}, harga {komoditas.replace('_', ' ')} sampai {period}",
                 "x: periode", "y: harga", "agg: mean"]
    elif kind == "table":
        flt = {"periode": period}
        lines = [f"title: Tabel {number}, harga dan pasokan komoditas, {period}", "x: komoditas",
                 "y: [harga, pasokan]", "agg: mean"]
    else:
        y = rng.choice(["harga", "pasokan"])
        flt = {"periode": period}
        lines = [f"title: Grafik {number}, {y} menurut komoditas, {period}", "x: komoditas", f"y: {y}",
                 f"sort: {rng.choice(['asc', 'desc', 'none'])}"]
    return flt, lines


def _filter_yaml(flt: dict[str, object]) -> str:
    parts = []
    for key, wanted in flt.items():
        parts.append(f'{key}: {{max: "{wanted["max"]}"}}' if isinstance(wanted, dict) else f'{key}: "{wanted}"')
    return "{" + ", ".join(parts) + "}"


def make_charts(count: int, rng: random.Random) -> list[Chart]:
    """`count` distinct chart specs: types in turn, one in five over the smaller dataset `harga`."""
    charts = []
    for number in range(1, count + 1):
        kind = ("bar", "barh", "line", "table")[number % 4]
        dataset = "harga" if number % 5 == 0 else "ikm"
        make = _harga_chart if dataset == "harga" else _ikm_chart
        flt, lines = make(rng, number, kind)
        y = next(line for line in lines if line.startswith("y: "))[3:].strip("[]")
        head = "\n".join(lines)
        yaml = (f"{head}\ntype: {kind}\ndata: {dataset}\nfilter: {_filter_yaml(flt)}\n"
                f"caption: Data ilustratif untuk uji kecepatan, grafik nomor {number}.\n")
        charts.append(Chart(number, dataset, kind, flt, tuple(y.split(", ")), yaml))
    return charts


def uses_row(chart: Chart, row: dict[str, str], column: str = "harga") -> bool:
    """Whether the edited `harga` cell lies in the chart's slice and columns (so the chart must change)."""
    if chart.dataset != "harga" or column not in chart.columns:
        return False
    for key, wanted in chart.filter.items():
        if isinstance(wanted, dict):
            if row[key] > str(wanted["max"]):
                return False
        elif row[key] != wanted:
            return False
    return True


def pick_edited_row(charts: list[Chart]) -> dict[str, str]:
    """The `harga` row in the slice of the most charts, so the data-edit case has something to redo."""
    rows = [{"periode": m, "komoditas": k} for m in MONTHS for k in KOMODITAS]
    return max(rows, key=lambda row: sum(uses_row(chart, row) for chart in charts))


# ---------------------------------------------------------------- site


def make_corpus(size: Size, seed: int = 2020) -> Corpus:
    rng = random.Random(seed)
    charts = make_charts(size.charts, rng)
    holder = {(k * size.articles) // size.charts: charts[k] for k in range(size.charts)}
    per_edition = max(1, size.articles // len(EDITIONS))
    articles = []
    for index in range(size.articles):
        period = EDITIONS[min(index // per_edition, len(EDITIONS) - 1)]
        title = _title(rng)
        slug = "-".join(title.lower().split()[:4]) + f"-{index:04d}"
        neighbour = articles[-1].slug if articles and articles[-1].period == period else slug
        own = [holder[index]] if index in holder else []
        year, month = map(int, period.split("-"))
        date = f"{year + month // 12}-{month % 12 + 1:02d}-{1 + index % 25:02d}"
        front = (f"title: {title}\ndate: {date}\nauthors: [{rng.choice(AUTHORS)}]\n"
                 f"location: {rng.choice(KOTA)}\nsummary: {_sentence(rng)}\n"
                 f"tags: [{', '.join(rng.sample(SEKTOR, 2))}]\n")
        articles.append(Article(period, slug, title, front, _body(rng, index, neighbour, own), own))
    return Corpus(size, articles, charts, pick_edited_row(charts))


SITE_YAML = """\
title: Buletin Uji Kecepatan
language: id
description: Situs buatan untuk mengukur kecepatan buletin.
publisher: Tim Buletin
timezone: Asia/Makassar
frequency: monthly
license: CC BY 4.0
notice: Data ilustratif, bukan data resmi
"""

DATAPACKAGE = """\
name: uji-kecepatan
title: Data uji kecepatan (data ilustratif)
licenses:
- name: CC-BY-4.0
resources:
- name: wilayah
  path: wilayah.csv
  title: Kabupaten/kota
  sources: [{title: Data ilustratif}]
  schema:
    fields:
    - {name: kode, type: string, title: Kode, constraints: {required: true, unique: true}}
    - {name: nama, type: string, title: Nama, constraints: {required: true}}
    primaryKey: kode
- name: ikm
  path: ikm.csv
  title: Statistik bulanan IKM
  sources: [{title: Data ilustratif}]
  schema:
    fields:
    - {name: periode, type: yearmonth, title: Periode, constraints: {required: true}}
    - {name: kode_wilayah, type: string, title: Kode wilayah, constraints: {required: true}}
    - {name: sektor, type: string, title: Sektor, constraints: {required: true, enum: [%(sektor)s]}}
    - {name: unit_usaha, type: integer, title: Unit usaha, unit: unit, constraints: {required: true, minimum: 0}}
    - {name: nilai_produksi, type: number, title: Nilai produksi, unit: juta rupiah, constraints: {minimum: 0}}
    primaryKey: [periode, kode_wilayah, sektor]
    foreignKeys:
    - {fields: kode_wilayah, reference: {resource: wilayah, fields: kode}}
- name: harga
  path: harga.csv
  title: Harga dan pasokan bahan pokok
  sources: [{title: Data ilustratif}]
  schema:
    fields:
    - {name: periode, type: yearmonth, title: Periode, constraints: {required: true}}
    - {name: komoditas, type: string, title: Komoditas, constraints: {required: true, enum: [%(komoditas)s]}}
    - {name: harga, type: number, title: Harga, unit: rupiah per kg, constraints: {minimum: 0}}
    - {name: pasokan, type: integer, title: Pasokan, unit: ton, constraints: {minimum: 0}}
    primaryKey: [periode, komoditas]
"""


def data_files(seed: int) -> dict[str, str]:
    """The CSV files and datapackage.yaml, by path relative to the site."""
    rng = random.Random(seed + 1)
    wilayah = ["kode,nama"] + [f"{kode},{nama}" for kode, nama in WILAYAH]
    ikm = ["periode,kode_wilayah,sektor,unit_usaha,nilai_produksi"]
    for month in MONTHS:
        for kode, _ in WILAYAH:
            for sektor in SEKTOR:
                units = rng.randint(5, 400)
                ikm.append(f"{month},{kode},{sektor},{units},{units * rng.uniform(2, 9):.1f}")
    harga = ["periode,komoditas,harga,pasokan"]
    for month in MONTHS:
        for komoditas in KOMODITAS:
            harga.append(f"{month},{komoditas},{rng.randint(8, 80) * 500},{rng.randint(20, 900)}")
    package = DATAPACKAGE % {"sektor": ", ".join(SEKTOR), "komoditas": ", ".join(KOMODITAS)}
    return {"data/datapackage.yaml": package, "data/wilayah.csv": "\n".join(wilayah) + "\n",
            "data/ikm.csv": "\n".join(ikm) + "\n", "data/harga.csv": "\n".join(harga) + "\n"}


def _edition_index(period: str) -> str:
    return ("---\nsummary: Ringkasan edisi untuk uji kecepatan.\n---\n\n"
            "Edisi ini mencatat "
            '{{ value("ikm", "unit_usaha", periode=edition.period) }} unit usaha IKM di '
            '{{ value("wilayah", "kode", agg="count") }} kabupaten/kota.\n')


def write_site(corpus: Corpus, root: Path, seed: int) -> None:
    """Write the buletin site: site.yaml, data/, content/PERIOD/index.md and the articles."""
    files = {"site.yaml": SITE_YAML, **data_files(seed)}
    for period in sorted({a.period for a in corpus.articles}):
        files[f"content/{period}/index.md"] = _edition_index(period)
    for article in corpus.articles:
        files[article.path] = article.text()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def edit_harga(site: Path, row: dict[str, str], run: int) -> None:
    """Change the price in `row` of data/harga.csv, differently on every run."""
    path = site / "data" / "harga.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    prefix = f"{row['periode']},{row['komoditas']},"
    for i, line in enumerate(lines):
        if line.startswith(prefix):
            _, _, price, supply = line.split(",")
            lines[i] = f"{prefix}{int(float(price)) + 250 * (run + 1)},{supply}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append_word(path: Path, word: str) -> None:
    """Touch-edit an article: one more word at the end of its last paragraph."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f" {word}\n", encoding="utf-8")
