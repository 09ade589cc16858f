"""Generate the illustrative sample data of Buletin IKM Sulawesi Tenggara.

The data are ILLUSTRATIVE, not official: they are calibrated to the scale described in
SAMPLE_FACTS.md (about 13,000 IKM, 13,012 units in November 2020) but otherwise invented.
The script is seeded and deterministic: running it again gives byte-identical files.

Usage:  python tools/make_sample_data.py [--out DIR]     (default DIR: data/ next to tools/)
Writes: wilayah.csv, sektor.csv, ikm.csv, pelatihan.xlsx, datapackage.yaml
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.xml.functions import tostring

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_datapackage import datapackage_yaml

SEED = 20201109
FIXED_TIME = dt.datetime(2020, 12, 31, 0, 0, 0)
CORE_XML = "docProps/core.xml"  # workbook metadata inside the xlsx archive
MONTHS = [f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)]
OCT_2020 = MONTHS.index("2020-10")
NOV_2020_UNITS = 13_012

# kode BPS, kode Kemendagri, nama, penduduk (Dukcapil, Desember 2024), share of IKM units (%),
# relative change of units from October to November 2020 (Covid-19).
REGIONS = [
    ("7401", "74.04", "Kabupaten Buton", 122024, 5.5, -0.050),
    ("7402", "74.03", "Kabupaten Muna", 233470, 10.0, -0.025),
    ("7403", "74.02", "Kabupaten Konawe", 269128, 8.0, -0.040),
    ("7404", "74.01", "Kabupaten Kolaka", 257733, 6.3, -0.045),
    ("7405", "74.05", "Kabupaten Konawe Selatan", 332389, 17.0, 0.000),
    ("7406", "74.06", "Kabupaten Bombana", 168055, 5.2, -0.060),
    ("7407", "74.07", "Kabupaten Wakatobi", 118793, 3.8, -0.045),
    ("7408", "74.08", "Kabupaten Kolaka Utara", 143604, 4.4, -0.040),
    ("7409", "74.10", "Kabupaten Buton Utara", 74718, 1.4, -0.020),
    ("7410", "74.09", "Kabupaten Konawe Utara", 83449, 2.4, -0.030),
    ("7411", "74.11", "Kabupaten Kolaka Timur", 130691, 4.0, -0.025),
    ("7412", "74.12", "Kabupaten Konawe Kepulauan", 44091, 1.0, -0.015),
    ("7413", "74.13", "Kabupaten Muna Barat", 91571, 0.6, 0.000),
    ("7414", "74.14", "Kabupaten Buton Tengah", 121745, 3.6, -0.030),
    ("7415", "74.15", "Kabupaten Buton Selatan", 102881, 3.0, -0.035),
    ("7471", "74.71", "Kota Kendari", 366454, 15.0, -0.003),
    ("7472", "74.72", "Kota Baubau", 163793, 8.8, -0.025),
]

# kode, nama, share of units (%), workers per unit, investment per unit and
# production per unit per month (both million rupiah).
SECTORS = [
    ("pangan", "Pangan", 39.0, 4.7, 18.0, 7.5),
    ("sandang", "Sandang", 12.5, 5.0, 15.0, 5.5),
    ("kerajinan", "Kerajinan", 17.0, 4.4, 12.0, 4.0),
    ("mesin", "Mesin", 2.8, 5.4, 55.0, 11.0),
    ("elektronika", "Elektronika", 1.4, 4.3, 35.0, 8.0),
    ("logam", "Logam", 7.0, 5.1, 40.0, 9.0),
    ("furnitur", "Furnitur & barang dari kayu", 9.5, 5.4, 30.0, 8.5),
    ("alat_angkut", "Alat angkut", 2.0, 5.6, 60.0, 12.0),
    ("bahan_bangunan", "Bahan bangunan", 3.8, 5.8, 45.0, 10.0),
    ("aneka", "Aneka", 5.0, 4.5, 14.0, 4.5),
]

# Region x sector cells without any IKM.
EMPTY_CELLS = [("7413", "elektronika"), ("7413", "alat_angkut"), ("7412", "elektronika"),
               ("7412", "alat_angkut"), ("7409", "elektronika"), ("7415", "elektronika")]

# Workers per unit, province average, 2020 (layoffs during the pandemic); 2019 is a gentle slope.
WORKER_RATIO_2020 = [4.870, 4.869, 4.866, 4.855, 4.846, 4.842, 4.845, 4.852, 4.860, 4.866, 4.862, 4.863]
# Production: seasonal pattern (Lebaran, year end) and the Covid-19 dip of 2020.
SEASON = [0.95, 0.94, 0.98, 1.00, 1.08, 1.04, 0.98, 1.00, 0.99, 1.00, 1.01, 1.08]
COVID_2020 = [1.00, 1.00, 0.93, 0.74, 0.68, 0.70, 0.76, 0.83, 0.87, 0.89, 0.91, 0.93]


def col(table: list[tuple], i: int) -> np.ndarray:
    """Column i of a table of tuples as an array."""
    return np.array([row[i] for row in table])


def fit_margins(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, rounds: int = 50) -> np.ndarray:
    """Scale a non-negative matrix so its row and column sums match the given shares (IPF)."""
    m = seed.astype(float)
    for _ in range(rounds):
        m *= (rows / m.sum(axis=1))[:, None]
        m *= (cols / m.sum(axis=0))[None, :]
    return m / m.sum()


def allocate(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to weights that add up exactly to total (largest remainder)."""
    exact = weights / weights.sum() * total
    ints = np.floor(exact).astype(int)
    order = np.argsort(-(exact - ints), axis=None, kind="stable")
    ints.flat[order[: total - ints.sum()]] += 1
    return ints


def province_totals(rng: np.random.Generator) -> np.ndarray:
    """Province total of units per month: slow rise to Oct 2020, a fall in Nov 2020."""
    steps = np.concatenate([rng.integers(4, 15, 11), rng.integers(12, 22, 3), rng.integers(-1, 5, 7)])
    totals = list(13_152 + np.concatenate([[0], np.cumsum(steps)]))
    totals += [NOV_2020_UNITS, NOV_2020_UNITS + int(rng.integers(30, 46))]
    return np.array(totals)


def region_index(rng: np.random.Generator) -> np.ndarray:
    """Relative level of each region per month (months x regions), 1 in October 2020."""
    trend = rng.normal(0.0, 0.01, len(REGIONS))  # regional drift per year
    to_oct = (OCT_2020 - np.arange(len(MONTHS)))[:, None] / 12
    index = 1 - trend[None, :] * to_oct
    nov = 1 + col(REGIONS, 5).astype(float)
    index[OCT_2020 + 1] = nov
    index[OCT_2020 + 2] = nov * np.where(nov < 0.99, 1.003, 1.002)
    return index


def unit_counts(rng: np.random.Generator) -> np.ndarray:
    """Units per month, region and sector (months x regions x sectors)."""
    base = rng.lognormal(0.0, 0.35, (len(REGIONS), len(SECTORS)))
    codes, sectors = list(col(REGIONS, 0)), list(col(SECTORS, 0))
    for region, sector in EMPTY_CELLS:
        base[codes.index(region), sectors.index(sector)] = 0.0
    region_share = col(REGIONS, 4).astype(float) / 100
    base = fit_margins(base, region_share, col(SECTORS, 2).astype(float) / 100)
    index = region_index(rng)
    totals = province_totals(rng)
    return np.stack([allocate(base * index[m][:, None], totals[m]) for m in range(len(MONTHS))])


def worker_counts(rng: np.random.Generator, units: np.ndarray) -> np.ndarray:
    """Workers: a fixed ratio per cell, scaled each month to the province ratio."""
    per_unit = col(SECTORS, 3).astype(float)[None, :] * rng.lognormal(0.0, 0.06, units.shape[1:])
    per_unit = np.clip(per_unit, 4.1, 5.9)
    ratio = np.concatenate([np.linspace(4.899, 4.872, 12), WORKER_RATIO_2020])
    workers = np.empty_like(units)
    for m in range(len(MONTHS)):
        raw = units[m] * per_unit
        workers[m] = np.rint(raw * ratio[m] * units[m].sum() / raw.sum())
    return np.where(units > 0, np.maximum(workers, units), 0)


def money_values(rng: np.random.Generator, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Investment (stock) and monthly production value, million rupiah, 1 decimal."""
    shape = units.shape[1:]
    invest_unit = col(SECTORS, 4).astype(float)[None, :] * rng.lognormal(0.0, 0.15, shape)
    prod_unit = col(SECTORS, 5).astype(float)[None, :] * rng.lognormal(0.0, 0.12, shape)
    month = np.arange(len(MONTHS))
    invest_growth = 1 + 0.002 * np.minimum(month, 15) + 0.001 * np.maximum(month - 18, 0)
    production_level = np.array(SEASON * 2) * np.concatenate([np.ones(12), 1.03 * np.array(COVID_2020)])
    masks = np.zeros((len(MONTHS), len(SECTORS)))
    masks[[MONTHS.index(p) for p in ("2020-05", "2020-06", "2020-07")], 1] = 0.12  # sandang: masker
    noise = rng.lognormal(0.0, 0.04, units.shape)
    invest = units * invest_unit[None] * invest_growth[:, None, None]
    production = units * prod_unit[None] * (production_level[:, None] + masks)[:, None, :] * noise
    return np.round(invest, 1), np.round(production, 1)


def ikm_table(rng: np.random.Generator) -> pd.DataFrame:
    """The monthly IKM table in long form, sorted by periode, kode_wilayah, sektor."""
    units = unit_counts(rng)
    workers = worker_counts(rng, units)
    invest, production = money_values(rng, units)
    index = pd.MultiIndex.from_product(
        [MONTHS, col(REGIONS, 0), col(SECTORS, 0)], names=["periode", "kode_wilayah", "sektor"])
    table = pd.DataFrame({
        "unit_usaha": units.ravel(), "tenaga_kerja": workers.ravel(),
        "nilai_investasi": invest.ravel(), "nilai_produksi": production.ravel(),
    }, index=index).reset_index()
    table["status"] = np.where(table["periode"] <= "2020-10", "tetap", "sementara")
    return table.sort_values(["periode", "kode_wilayah", "sektor"], kind="stable")


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with '\\n' line endings; floats always with one decimal, '.' as point."""
    out = table.copy()
    for name in out.columns:
        if pd.api.types.is_float_dtype(out[name]):
            out[name] = out[name].map(lambda v: f"{v:.1f}")
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def region_tag(nama: str) -> str:
    """The tag articles use for a region: kota-kendari, muna, konawe-selatan."""
    words = nama.lower().split()
    return "-".join(words[1:] if words[0] == "kabupaten" else words)


def wilayah_table() -> pd.DataFrame:
    rows = [(k, km, nama, nama.split()[0], pop, region_tag(nama)) for k, km, nama, pop, _, _ in REGIONS]
    table = pd.DataFrame(rows, columns=["kode", "kode_kemendagri", "nama", "jenis", "penduduk", "tag"])
    return table.sort_values("kode")


def sektor_table() -> pd.DataFrame:
    return pd.DataFrame([row[:2] for row in SECTORS], columns=["kode", "nama"])


# no is added when writing; dates are (start, end).
TRAININGS = [
    ("2020-02-11", "2020-02-13", "7471", "pangan",
     "Pelatihan desain kemasan dan label produk pangan olahan", "pelatihan", 30),
    ("2020-03-03", "2020-03-05", "7472", "sandang",
     "Pelatihan pengembangan motif dan pewarnaan alami tenun Buton", "pelatihan", 25),
    ("2020-06-22", "2020-07-03", "7471", "sandang",
     "Pelatihan pembuatan masker kain bagi IKM sandang (penjahit); masker dibagikan kepada masyarakat",
     "pelatihan", 20),
    ("2020-07-14", "2020-07-16", "7402", "pangan",
     "Pelatihan pembuatan teh daun kelor", "pelatihan", 25),
    ("2020-07-21", "2020-07-23", "7405", "alat_angkut",
     "Pelatihan perbengkelan sepeda motor bagi IKM bengkel", "pelatihan", 20),
    ("2020-08-04", "2020-08-07", "7407", "pangan",
     "Wirausaha baru IKM: pengolahan garam rakyat", "wirausaha baru", 20),
    ("2020-08-11", "2020-08-14", "7412", "pangan",
     "Wirausaha baru IKM: pengolahan pala (manisan dan sirup pala)", "wirausaha baru", 20),
    ("2020-08-18", "2020-08-20", "7405", "aneka",
     "Wirausaha baru IKM: pembuatan hand sanitizer", "wirausaha baru", 25),
    ("2020-08-25", "2020-08-28", "7410", "pangan",
     "Wirausaha baru IKM: pengolahan hasil perikanan (abon dan kerupuk ikan)", "wirausaha baru", 20),
    ("2020-09-01", "2020-09-04", "7410", "pangan",
     "Wirausaha baru IKM: pengolahan sagu", "wirausaha baru", 20),
    ("2020-09-08", "2020-09-11", "7414", "pangan",
     "Wirausaha baru IKM: pengolahan kacang mete", "wirausaha baru", 20),
    ("2020-09-15", "2020-09-18", "7408", "aneka",
     "Wirausaha baru IKM: penyulingan minyak atsiri (nilam)", "wirausaha baru", 15),
    ("2020-09-22", "2020-09-25", "7411", "pangan",
     "Wirausaha baru IKM: pengolahan pisang (keripik dan sale pisang)", "wirausaha baru", 20),
    ("2020-09-29", "2020-10-02", "7411", "pangan",
     "Wirausaha baru IKM: pembuatan jamu tradisional", "wirausaha baru", 20),
    ("2020-10-06", "2020-10-08", "7471", "mesin",
     "Pendampingan IKM perbengkelan: perawatan mesin dan pelayanan bengkel", "pendampingan", 15),
    ("2020-10-13", "2020-10-15", "7406", "pangan",
     "Pendampingan perizinan PIRT dan sertifikasi halal IKM pangan", "pendampingan", 25),
    ("2020-10-20", "2020-10-22", "7402", "pangan",
     "Pendampingan pengemasan dan pemasaran teh daun kelor", "pendampingan", 15),
    ("2020-11-17", "2020-11-19", "7404", "kerajinan",
     "Pendampingan pemasaran daring bagi IKM kerajinan", "pendampingan", 20),
]
TRAINING_HEADER = ["no", "tanggal_mulai", "tanggal_selesai", "kode_wilayah", "sektor",
                   "kegiatan", "jenis", "peserta"]


def write_xlsx(path: Path) -> None:
    """The trainings workbook: one sheet, real date cells, fixed metadata and zip timestamps."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Pelatihan"
    ws.append(TRAINING_HEADER)
    for no, (start, end, *rest) in enumerate(TRAININGS, start=1):
        ws.append([no, dt.date.fromisoformat(start), dt.date.fromisoformat(end), *rest])
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", [5, 14, 16, 14, 14, 80, 16, 9], strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "buletin tools/make_sample_data.py"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps "modified" with the clock here; undone below
    wb.properties.modified = FIXED_TIME
    path.write_bytes(deterministic_zip(buffer.getvalue(), {CORE_XML: tostring(wb.properties.to_tree())}))


def deterministic_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Rewrite a zip archive with fixed entry timestamps, replacing the given entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, replace.get(info.filename) or src.read(info.filename))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    write_csv(wilayah_table(), out / "wilayah.csv")
    write_csv(sektor_table(), out / "sektor.csv")
    write_csv(ikm_table(rng), out / "ikm.csv")
    write_xlsx(out / "pelatihan.xlsx")
    (out / "datapackage.yaml").write_text(datapackage_yaml(), encoding="utf-8")
    print(f"wrote 5 files to {out}")


if __name__ == "__main__":
    main()
