"""Keep buletin's message catalogue up to date, with Babel's own tools, and write the guide's list of messages.

    python tools/messages.py            # extract, update the Indonesian catalogue, compile it, write the list
    python tools/messages.py --periksa  # only say what is out of date (exit 1), change nothing

Steps, from the repository's root:
1. `pybabel extract` reads every `_()`, `N_()` and `_n()` of buletin/ (the mapping is [tool.babel] in
   pyproject.toml) into buletin/locale/buletin.pot, with the `# Panduan:` comment above a message.
2. `pybabel update` merges it into buletin/locale/id/LC_MESSAGES/buletin.po (`pybabel init` the first time):
   a new message gets an empty translation, a changed one a fuzzy guess. Translate those in the .po (every
   `{placeholder}` of the English kept as it is), then run this again.
3. `pybabel compile` writes buletin.mo, which buletin reads (untranslated and fuzzy entries stay English).
4. docs/panduan/08-pesan.md is written from the .po: every message in Indonesian, by where it comes from.

tests/test_messages.py fails while a message has no Indonesian, is fuzzy, has other placeholders than its
English, or while the .mo, the .pot or the guide's list is older than the .po and the code.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "buletin" / "locale"
POT = LOCALE / "buletin.pot"
PO = LOCALE / "id" / "LC_MESSAGES" / "buletin.po"
MO = PO.with_suffix(".mo")
GUIDE = ROOT / "docs" / "panduan" / "08-pesan.md"
_DATES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{(?P<brace>[a-z_]+)\}|%\((?P<percent>[a-z_]+)\)[sdr]|%[sdr]")

# Where a message comes from, by the module that says it, in the guide's order.
GROUPS = (
    ("Perintah, folder keluaran, dan cache", ("buletin/cli.py", "buletin/build/", "buletin/outputs/writer.py",
                                              "buletin/skip.py", "buletin/problems.py", "buletin/report.py")),
    ("Pengaturan situs (site.yaml) dan berkas YAML", ("buletin/inputs/config.py", "buletin/inputs/yamlfile.py",
                                                      "buletin/inputs/schema.py")),
    ("Edisi, artikel, dan halaman", ("buletin/inputs/content.py", "buletin/inputs/frontmatter.py",
                                     "buletin/inputs/slips.py", "buletin/inputs/paths.py", "buletin/periods.py",
                                     "buletin/compose/links.py", "buletin/compose/images.py",
                                     "buletin/compose/markup.py", "buletin/compose/rowpages.py",
                                     "buletin/compose/composer.py")),
    ("Mengutip angka: value() dan change()", ("buletin/compose/macros.py", "buletin/compose/macroerrors.py",
                                              "buletin/compose/limits.py",
                                              "buletin/inputs/query.py")),
    ("Data (CSV dan aturan kolom)", ("buletin/inputs/tables.py", "buletin/inputs/validation.py",
                                     "buletin/inputs/cellslips.py", "buletin/inputs/datapackage.py",
                                     "buletin/inputs/catalog.py")),
    ("Buku kerja Excel", ("buletin/inputs/workbooks.py",)),
    ("Grafik, tabel, dan peta", ("buletin/compose/chart", "buletin/compose/drawing.py", "buletin/compose/maps.py",
                                 "buletin/inputs/geojson.py")),
    ("Menerbitkan dan revisi", ("buletin/publish.py", "buletin/inputs/releases.py", "buletin/inputs/revisions.py",
                                "buletin/inputs/clock.py", "buletin/outputs/calendar.py")),
    ("Situs, edisi, dan artikel baru", ("buletin/newsite.py", "buletin/scaffold.py")),
    ("Pratinjau (serve)", ("buletin/serve.py",)),
    ("Tampilan, pencarian, dan lain-lain", ("buletin/",)),
)


def pybabel(*args: str) -> None:
    """`pybabel ARGS` with this Python's Babel."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", *args], cwd=ROOT, check=True)


def extract(target: Path) -> None:
    pybabel("extract", "-F", "pyproject.toml", "--no-default-keywords", "-k", "_", "-k", "N_",
            "-k", "_n:1,2", "--add-comments", "Panduan:", "--no-wrap", "--project", "buletin",
            "--msgid-bugs-address", "-", "--copyright-holder", "buletin", "-o", str(target), "buletin")


def update() -> None:
    if PO.exists():
        pybabel("update", "-D", "buletin", "-d", str(LOCALE), "-l", "id", "-i", str(POT), "--no-wrap",
                "--ignore-obsolete")
    else:
        pybabel("init", "-D", "buletin", "-d", str(LOCALE), "-l", "id", "-i", str(POT), "--no-wrap")


def compile_mo() -> None:
    pybabel("compile", "-D", "buletin", "-d", str(LOCALE), "-l", "id")


def without_dates(text: str) -> str:
    """A catalogue's text without its creation and revision dates, which change on every run."""
    return _DATES.sub("", text)


def keep_if_same(path: Path, before: str | None) -> None:
    """Put back the file's old text when only its dates changed (no churn in version control)."""
    if before is not None and without_dates(path.read_text(encoding="utf-8")) == without_dates(before):
        path.write_text(before, encoding="utf-8")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def catalogue():
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        return read_po(handle)


def group_of(locations: list[tuple[str, int | None]]) -> str:
    for title, prefixes in GROUPS:
        if any(path.startswith(prefix) for path, _ in locations for prefix in prefixes):
            return title
    return GROUPS[-1][0]


def guide(catalog) -> str:
    """docs/panduan/08-pesan.md: every message in Indonesian, grouped by where it comes from."""
    grouped: dict[str, list[tuple[str, str]]] = {title: [] for title, _ in GROUPS}
    for message in catalog:
        if not message.id:
            continue
        text = message.string[0] if message.pluralizable else message.string
        shown = text or (message.id[0] if message.pluralizable else message.id)
        notes = " ".join(c.removeprefix("Panduan:").strip() for c in message.auto_comments)
        grouped[group_of(message.locations)].append((_readable(shown), notes))
    parts = [HEADER]
    for title, entries in grouped.items():
        if not entries:
            continue
        parts.append(f"\n## {title}\n")
        for text, notes in sorted(entries, key=lambda e: e[0].lower()):
            parts.append(f"- {text}" + (f"\n  \n  {notes}" if notes else ""))
    return "\n".join(parts) + "\n"


def _readable(text: str) -> str:
    """A message as the guide shows it: each placeholder as what buletin puts there («kolom»), or «…»."""
    shown = _PLACEHOLDER.sub(lambda m: "«" + SHOWN.get(m["brace"] or m["percent"] or "", "…") + "»", text)
    return shown.replace("{{", "{").replace("}}", "}").replace("<", "&lt;")  # braces as format() leaves them


# What a placeholder stands for, in the guide's words.
SHOWN = {"count": "jumlah", "key": "keterangan", "text": "teks", "name": "nama", "value": "nilai",
         "dataset": "kumpulan data", "period": "periode", "column": "kolom", "out": "folder keluaran",
         "names": "nama-nama", "values": "nilai-nilai", "slug": "nama", "path": "berkas", "low": "angka",
         "high": "angka", "limit": "batas", "folder": "folder", "date": "tanggal", "line": "baris",
         "image": "gambar", "example": "contoh", "url": "alamat", "title": "judul", "source": "berkas",
         "site": "folder situs", "port": "port", "host": "alamat", "href": "tautan", "sheet": "lembar kerja",
         "sheets": "lembar kerja", "today": "hari ini", "published": "tanggal", "seconds": "detik",
         "pages": "jumlah", "rendered": "jumlah", "files": "jumlah", "written": "jumlah",
         "figures": "jumlah", "drawn": "jumlah",
         "cell": "sel", "area": "sel", "lock": "berkas", "other": "berkas lain", "looked": "berkas",
         "agg": "cara menjumlah", "digits": "angka", "code": "kode", "cache": "folder cache",
         "fixed": "angka yang benar", "whole": "angka", "decimal": "angka", "month": "bulan", "days": "jumlah",
         "wanted": "nilai", "found": "nilai-nilai", "others": "penyaring lain", "same": "nilai-nilai kunci",
         "address": "alamat", "default": "folder", "manifest": "berkas", "tag": "berkas", "command": "perintah",
         "holder": "proses", "needs": "isi", "size": "ukuran", "types": "jenis berkas", "usage": "cara menulis",
         "keys": "keterangan", "filters": "penyaring", "kind": "jenis", "reason": "sebab", "problem": "masalah",
         "message": "pesan", "summary": "ringkasan", "outcome": "akibat", "detail": "rincian", "items": "daftar",
         "last": "yang terakhir", "drafts": "draf", "expected": "jumlah", "shown": "nilai",
         "argument_name": "argumen", "choices": "pilihan", "type": "jenis", "option": "pilihan",
         "matches": "pilihan", "hint": "saran", "guess": "saran", "x": "kolom", "map": "peta",
         "areas": "wilayah-wilayah", "file": "berkas", "number": "nomor", "longitude": "bujur",
         "latitude": "lintang"}


HEADER = """# Daftar pesan buletin

<!-- Ditulis oleh `python tools/messages.py` dari buletin/locale/id/LC_MESSAGES/buletin.po: jangan diubah di sini. -->

Halaman ini mendaftar setiap pesan yang bisa ditulis buletin, dikelompokkan menurut asalnya. Setiap pesan
menyebut masalahnya dan, setelah titik dua, apa yang harus dilakukan; di bawah beberapa pesan ada penjelasan
tambahan. Bagian bertanda «…» diisi buletin saat menulis pesan: «kolom» menjadi nama kolomnya, «baris» nomor
barisnya, dan seterusnya.

Sebuah pesan kesalahan selalu diawali tempatnya: `berkas:baris: error:` (atau `berkas:Lembar!D7: error:`
untuk sel Excel), lalu pesannya. Kata `error`, `warning` (peringatan), dan `note` (catatan) sengaja tetap
dalam bahasa Inggris, karena editor seperti VS Code dan layanan CI membacanya. Cara membaca pesan ada di
[bab 1](01-langkah-bulanan.md#membaca-pesan-kesalahan).

Pesan ditulis dalam bahasa situs (`language:` di `site.yaml`). Untuk sekali jalan dalam bahasa lain, tambahkan
`--lang en` (atau `--lang id`) pada perintah, misalnya `python build.py check --lang en`.
"""


def stale() -> list[str]:
    """What is out of date: the .pot against the code, the .mo and the guide against the .po."""
    import tempfile

    found = []
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "buletin.pot"
        extract(fresh)
        if not POT.exists() or without_dates(fresh.read_text(encoding="utf-8")) != without_dates(
                POT.read_text(encoding="utf-8")):
            found.append(f"{POT.relative_to(ROOT)} is older than the code")
    catalog = catalogue()
    if not GUIDE.exists() or GUIDE.read_text(encoding="utf-8") != guide(catalog):
        found.append(f"{GUIDE.relative_to(ROOT)} is older than {PO.relative_to(ROOT)}")
    found += [f"{PO.relative_to(ROOT)}: no Indonesian for {text!r}" for text in untranslated(catalog)]
    return found


def untranslated(catalog) -> list[str]:
    """The messages with no Indonesian translation, or a fuzzy one."""
    return [m.id[0] if m.pluralizable else m.id for m in catalog
            if m.id and (m.fuzzy or not all(m.string if m.pluralizable else [m.string]))]


def main(argv: list[str]) -> int:
    if "--periksa" in argv:
        found = stale()
        for line in found:
            print(line)
        return 1 if found else 0
    before = {path: path.read_text(encoding="utf-8") if path.exists() else None for path in (POT, PO)}
    extract(POT)
    keep_if_same(POT, before[POT])
    update()
    keep_if_same(PO, before[PO])
    compile_mo()
    catalog = catalogue()
    GUIDE.write_text(guide(catalog), encoding="utf-8")
    missing = untranslated(catalog)
    print(f"{sum(1 for m in catalog if m.id)} messages; {len(missing)} without an Indonesian translation (or fuzzy) "
          f"in {PO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
