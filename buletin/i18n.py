"""Numbers, dates, periods, and every word buletin writes in the site's language: the theme's, and new files'."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from buletin.periods import Period

LANGUAGES = ("id", "en")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

STRINGS: dict[str, dict[str, str]] = {
    "id": {
        "no_data": "Tidak ada data", "map": "Peta", "areas_without_data": "{n} wilayah tanpa data",
        "area_without_data": "1 wilayah tanpa data", "highlighted": "ditandai", "download_map": "Unduh peta",
        "axis_not_zero": "Sumbu nilai tidak dimulai dari nol.", "other": "Lainnya", "chart_bar": "Grafik batang",
        "chart_line": "Grafik garis", "chart_table": "Tabel",
        "areas": "wilayah",
        "home": "Beranda", "archive": "Arsip", "edition": "Edisi", "search": "Cari", "data": "Data",
        "download_data": "Unduh data", "data_table": "Tabel data", "source": "Sumber", "note": "Catatan",
        "main_points": "Poin utama", "previous_edition": "Edisi sebelumnya", "next_edition": "Edisi berikutnya",
        "share": "Bagikan", "not_latest": "Ini bukan edisi terbaru.", "see_latest": "Lihat edisi terbaru",
        "figure": "Gambar", "table": "Tabel", "released": "Dirilis", "reporter": "Reporter", "editor": "Editor",
        "tags": "Topik", "articles": "Artikel", "in_this_edition": "Dalam edisi ini",
        "earlier_editions": "Edisi sebelumnya", "all_editions": "Semua edisi", "skip": "Langsung ke isi",
        "menu": "Menu", "feed": "Umpan Atom", "license": "Lisensi", "version": "Versi situs",
        "data_date": "data per", "up": "naik", "down": "turun", "unchanged": "tetap",
        "from": "dari", "cite": "Kutip edisi ini", "datasets": "Kumpulan data", "columns": "Kolom",
        "column": "Kolom", "type": "Tipe", "unit": "Satuan", "description": "Keterangan",
        "licence_of_data": "Lisensi", "machine_readable": "Untuk mesin", "not_found": "Halaman tidak ditemukan",
        "not_found_text": "Halaman yang Anda cari tidak ada atau sudah dipindahkan.",
        "back_home": "Kembali ke beranda", "lead_chart": "Grafik utama", "read_more": "Baca selengkapnya",
        "no_editions": "Belum ada edisi yang terbit.", "copy_link": "Salin tautan", "email": "Surel",
        "photo": "Foto", "previous_article": "Artikel sebelumnya", "next_article": "Artikel berikutnya",
        "figures": "Angka utama", "draft": "Draf", "pages": "Halaman", "rows": "baris", "publisher": "Penerbit",
        "data_used": "Data yang digunakan", "revised": "Revisi data",
        "revised_text": "Sejak edisi ini terbit, data berikut untuk periode {period} telah diperbarui:",
        "revised_keep": "Angka dalam edisi ini tetap seperti saat terbit.", "current_figures": "Lihat angka terbaru",
        "finalised": "Status data diperbarui",
        "finalised_text": "Sejak edisi ini terbit, status angka periode {period} berikut berubah (misalnya dari "
                          "sementara menjadi tetap); nilainya tidak berubah:",
        "frozen": "Angka edisi ini dibekukan saat terbit.", "status": "Status data", "was": "semula",
        "now": "kini", "card": "kartu", "tags_dir": "topik",
        "revised_figures": "Angka yang berubah", "revised_figure": "Angka", "revised_old": "Saat terbit",
        "revised_new": "Kini", "revised_change": "Perubahan", "agg_mean": "rata-rata", "agg_min": "terendah",
        "agg_max": "tertinggi", "agg_count": "banyaknya",
        "csv_safe": "Berkas CSV memakai UTF-8, titik sebagai pemisah desimal, tanpa pemisah ribuan. Sel teks yang "
                    "diawali =, +, - atau @ diberi tanda petik (') di depannya agar program lembar kerja tidak "
                    "menjalankannya sebagai rumus. Buku kerja Excel disediakan apa adanya hanya bila tidak memuat "
                    "rumus.",
        "search_dir": "cari", "search_label": "Kata yang dicari", "search_found": "{n} hasil untuk “{q}”",
        "search_failed": "Pencarian gagal dimuat.",
        "search_needs_js": "Pencarian memerlukan JavaScript. Tanpa JavaScript, telusuri lewat arsip atau topik:",
        "calendar": "Jadwal rilis", "calendar_dir": "jadwal", "next_release": "Rilis berikutnya",
        "calendar_intro": "Tanggal rilis setiap edisi: yang sudah terbit dan yang dijadwalkan.",
        "release_date": "Tanggal rilis", "release_status": "Status", "release_past": "Sudah rilis",
        "release_announced": "Dijadwalkan", "no_releases": "Belum ada jadwal rilis.",
        "calendar_file": "Unduh jadwal untuk aplikasi kalender (.ics)",
        "calendar_subscribe": "Untuk berlangganan, tambahkan alamat ini di aplikasi kalender Anda:",
        "release_of": "Rilis {site}, edisi {period}",
        "page_of": "Halaman {page} dari {pages}", "download_pdf": "Unduh PDF",
        "share_on": "Bagikan ke {name}", "share_email": "Bagikan lewat surel", "contents": "Daftar isi",
    },
    "en": {
        "no_data": "No data", "map": "Map", "areas_without_data": "{n} areas without data",
        "area_without_data": "1 area without data", "highlighted": "highlighted", "download_map": "Download the map",
        "axis_not_zero": "The value axis does not start at zero.", "other": "Other", "chart_bar": "Bar chart",
        "chart_line": "Line chart", "chart_table": "Table",
        "areas": "areas",
        "home": "Home", "archive": "Archive", "edition": "Edition", "search": "Search", "data": "Data",
        "download_data": "Download data", "data_table": "Data table", "source": "Source", "note": "Note",
        "main_points": "Main points", "previous_edition": "Previous edition", "next_edition": "Next edition",
        "share": "Share", "not_latest": "This is not the latest edition.", "see_latest": "See the latest edition",
        "figure": "Figure", "table": "Table", "released": "Released", "reporter": "Reporter", "editor": "Editor",
        "tags": "Topics", "articles": "Articles", "in_this_edition": "In this edition",
        "earlier_editions": "Earlier editions", "all_editions": "All editions", "skip": "Skip to content",
        "menu": "Menu", "feed": "Atom feed", "license": "Licence", "version": "Site version",
        "data_date": "data as of", "up": "up", "down": "down", "unchanged": "unchanged",
        "from": "from", "cite": "Cite this edition", "datasets": "Datasets", "columns": "Columns",
        "column": "Column", "type": "Type", "unit": "Unit", "description": "Description",
        "licence_of_data": "Licence", "machine_readable": "For machines", "not_found": "Page not found",
        "not_found_text": "The page you are looking for does not exist or has moved.",
        "back_home": "Back to the home page", "lead_chart": "Lead chart", "read_more": "Read more",
        "no_editions": "No edition has been released yet.", "copy_link": "Copy link", "email": "E-mail",
        "photo": "Photo", "previous_article": "Previous article", "next_article": "Next article",
        "figures": "Headline figures", "draft": "Draft", "pages": "Pages", "rows": "rows", "publisher": "Publisher",
        "data_used": "Data used", "revised": "Data revised",
        "revised_text": "Since this edition was released, these data for {period} have been updated:",
        "revised_keep": "The figures in this edition stay as released.", "current_figures": "See the current figures",
        "finalised": "Data status updated",
        "finalised_text": "Since this edition was released, the status of these figures for {period} has changed "
                          "(from provisional to final, say); their values have not:",
        "frozen": "The figures of this edition were frozen at release.", "status": "Data status", "was": "was",
        "now": "now", "card": "card", "tags_dir": "tags",
        "revised_figures": "Figures that changed", "revised_figure": "Figure", "revised_old": "As released",
        "revised_new": "Now", "revised_change": "Change", "agg_mean": "mean", "agg_min": "lowest",
        "agg_max": "highest", "agg_count": "count",
        "csv_safe": "CSV files are UTF-8, with a point as the decimal mark and no thousands separators. Text cells "
                    "that begin with =, +, - or @ start with an apostrophe (') so that spreadsheet programs do not "
                    "run them as formulas. Excel workbooks are offered as they are only when they hold no formulas.",
        "search_dir": "search", "search_label": "Search for", "search_found": "{n} results for “{q}”",
        "search_failed": "Search could not be loaded.",
        "search_needs_js": "Search needs JavaScript. Without it, browse the archive or the topics:",
        "calendar": "Release calendar", "calendar_dir": "schedule", "next_release": "Next release",
        "calendar_intro": "The release date of every edition: those released and those scheduled.",
        "release_date": "Release date", "release_status": "Status", "release_past": "Released",
        "release_announced": "Scheduled", "no_releases": "No release is scheduled yet.",
        "calendar_file": "Download the calendar for your calendar app (.ics)",
        "calendar_subscribe": "To subscribe, add this address to your calendar app:",
        "release_of": "Release of {site}, {period} edition",
        "page_of": "Page {page} of {pages}", "download_pdf": "Download PDF",
        "share_on": "Share on {name}", "share_email": "Share by e-mail", "contents": "Contents",
    },
}


def _half_up(value: float | int, digits: int) -> Decimal:
    """The value rounded as statistics offices round, a half away from zero (86.882,5 -> 86.883), from the
    number as written (repr: 2.675 stays 2.675, not the float just below it)."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-max(digits, 0)), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # no "-0,0"


@dataclass(frozen=True)
class Locale:
    """Formatting for one site language."""

    language: str

    def number(self, value: float | int, digits: int = 0) -> str:
        """A number with the language's grouping and decimal marks: 13.012 / 1.234,5 (id)."""
        if isinstance(value, float) and not math.isfinite(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        try:
            return format_decimal(_half_up(value, digits), format=pattern, locale=self.language)
        except (ArithmeticError, ValueError):  # past what Babel's decimal context holds (about 1e27)
            plain = f"{value:,.{digits}f}"
            return plain.translate(str.maketrans(",.", ".,")) if self.language == "id" else plain

    def percent(self, value: float, digits: int = 1) -> str:
        """A percentage such as 0,8% (id) or 0.8% (en)."""
        return self.number(value, digits) + "%"

    def date(self, value: dt.date) -> str:
        """A full date: Senin, 9 November 2020 / Monday, 9 November 2020."""
        return format_date(value, "EEEE, d MMMM y", locale=self.language)

    def short_date(self, value: dt.date) -> str:
        """A date without the weekday: 9 November 2020."""
        return format_date(value, "d MMMM y", locale=self.language)

    def period(self, period: Period) -> str:
        """A period in words: November 2020, Triwulan IV 2020 / Q4 2020, 2020."""
        if period.frequency == "monthly":
            return format_date(dt.date(period.year, period.index, 1), "MMMM y", locale=self.language)
        if period.frequency == "quarterly":
            if self.language == "id":
                return f"Triwulan {_ROMAN[period.index]} {period.year}"
            return f"Q{period.index} {period.year}"
        return str(period.year)

    def edition_title(self, period: Period) -> str:
        """The default title of an edition: Edisi November 2020 / November 2020 edition."""
        if self.language == "id":
            return f"Edisi {self.period(period)}"
        return f"{self.period(period)} edition"

    def text(self, key: str) -> str:
        return STRINGS[self.language][key]

    @property
    def strings(self) -> dict[str, str]:
        return STRINGS[self.language]


# The words `new site` writes into a new site (its sample files, comments of its site.yaml and build.py).
NEW_SITE_WORDS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Buletin Data", "description": "Buletin berkala berisi angka-angka pilihan dan ulasannya.",
        "publisher": "Nama instansi penerbit", "notice": "Data contoh, bukan data resmi",
        "area": "Wilayah", "value": "Nilai", "period": "Periode", "dataset": "Data contoh",
        "source": "Contoh; ganti dengan sumber data Anda", "summary": "Edisi pertama buletin.",
        "point": 'Nilai seluruh wilayah {{ value("contoh", "nilai", periode=edition.period) }}, '
                 '{{ change("contoh", "nilai", compare={"periode": edition.previous}, periode=edition.period) }} '
                 "dari periode sebelumnya.",
        "intro": "Selamat datang di edisi pertama. Ubah teks ini di",
        "article": "Contoh artikel", "chart": "Nilai per wilayah, {{ edition.period_text }}",
        "body": "Nilai seluruh wilayah pada {{ edition.period_text }} tercatat "
                '{{ value("contoh", "nilai", periode=edition.period) }}. Angka ini diambil langsung dari '
                "`data/contoh.csv`, jadi selalu sama dengan datanya.",
        "about": "Tentang", "about_text": "Tulis di sini siapa penerbit buletin ini dan cara menghubunginya.",
        "base_url": "alamat publik situs: tulis di sini, lalu hapus tanda # di awal baris",
        "requirements": "Yang dipasang CI untuk membangun situs ini.",
        "requirements_where": "Bila pip tidak menemukan buletin, ganti baris di bawah dengan tempat kantor Anda "
                              "menyimpannya, misalnya: buletin @ git+https://github.com/ORG/buletin@v0.1.0",
        "build_doc": "python build.py [PERINTAH]: sama dengan perintah `buletin`.",
        "build_why": "proses pekerja mengimpor berkas ini lagi",
    },
    "en": {
        "title": "Data Bulletin", "description": "A periodic bulletin of selected figures and what they mean.",
        "publisher": "Name of the publishing office", "notice": "Sample data, not official statistics",
        "area": "Area", "value": "Value", "period": "Period", "dataset": "Sample data",
        "source": "Sample; replace with your data's source", "summary": "The bulletin's first edition.",
        "point": 'All areas together: {{ value("contoh", "nilai", periode=edition.period) }}, '
                 '{{ change("contoh", "nilai", compare={"periode": edition.previous}, periode=edition.period) }} '
                 "on the period before.",
        "intro": "Welcome to the first edition. Change this text in",
        "article": "A sample article", "chart": "Value by area, {{ edition.period_text }}",
        "body": "All areas together came to {{ value(\"contoh\", \"nilai\", periode=edition.period) }} in "
                "{{ edition.period_text }}. The figure is taken from `data/contoh.csv` itself, so it always "
                "matches the data.",
        "about": "About", "about_text": "Say here who publishes this bulletin and how to reach them.",
        "base_url": "the site's public address: write it here, then remove the # at the start of the line",
        "requirements": "What CI installs to build this site.",
        "requirements_where": "If pip finds no buletin, replace the line below by where your office keeps it, "
                              "e.g. buletin @ git+https://github.com/ORG/buletin@v0.1.0",
        "build_doc": "python build.py [COMMAND]: the same as the `buletin` command.",
        "build_why": "worker processes import this file again",
    },
}

# The words `new edition` and `new article` write into a new file (placeholders and front-matter comments).
NEW_FILE_WORDS: dict[str, dict[str, str]] = {
    "id": {"summary": "Ringkasan edisi dalam satu kalimat.", "point": "Poin pertama.", "intro": "Pengantar edisi",
           "section": "Bagian pertama", "body": "Tulis artikel di sini.",
           "hint": "Kutip angka dari data agar selalu sama dengan datanya, misalnya",
           "column": "KOLOM", "period_column": "KOLOM_PERIODE",
           "c_status": "hapus baris ini bila edisi sudah siap",
           "c_published": "tanggal rilis, mis. 2021-01-05 (edisi tampil hari itu); bila kosong, `publish` mengisinya",
           "c_next_release": "tanggal rilis edisi berikutnya, mis. 2021-02-05 (tampil di beranda dan Jadwal rilis)",
           "c_highlights": "3-6 poin utama; makro seperti value() bisa dipakai di sini",
           "c_figures": "kartu angka utama, misalnya - {{data: DATASET, y: KOLOM, label: Keterangan}}",
           "c_date": "dalam periode edisi; bila mendatang, artikel tampil pada tanggal itu",
           "c_draft": "hapus baris ini bila artikel sudah siap"},
    "en": {"summary": "The edition in one sentence.", "point": "First point.", "intro": "Introduction to",
           "section": "First section", "body": "Write the article here.",
           "hint": "Quote figures from the data so they always match it, e.g.",
           "column": "COLUMN", "period_column": "PERIOD_COLUMN",
           "c_status": "remove this line when the edition is ready",
           "c_published": "the release date, e.g. 2021-01-05 (shown from that day); else `publish` fills it in",
           "c_next_release": "the next edition's release date, e.g. 2021-02-05 (on the home page and the calendar)",
           "c_highlights": "3-6 main points; macros such as value() work here",
           "c_figures": "headline cards, e.g. - {{data: DATASET, y: COLUMN, label: Label}}",
           "c_date": "within the edition's period; if later than today, the article appears that day",
           "c_draft": "remove this line when the article is ready"},
}
