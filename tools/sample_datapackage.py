"""The Frictionless Data Package (subset) that describes the sample data of buletin.

Used by make_sample_data.py, which writes it to data/datapackage.yaml.
"""
from __future__ import annotations

from typing import Any

import yaml

HEADER = """\
# Data Package (Frictionless, subset) untuk Buletin IKM Sulawesi Tenggara.
# Data ilustratif, bukan data resmi.
#
# Di situs contoh ini, skrip membuat berkas ini bersama datanya (identik byte demi byte):
#     python tools/make_sample_data.py
#
# Di situs kantor sendiri, berkas ini diubah dengan tangan (panduan bab 6).
#
"""
NOTICE = "Data ilustratif, bukan data resmi."
SOURCE_TITLE = "Disperindag Sultra (data ilustratif)"
JENIS_KEGIATAN = ["pelatihan", "pendampingan", "wirausaha baru"]
# How far each monthly measure of `ikm` may move from the same region and sector's previous month before
# buletin warns (`checks: {max_change: ...}`). The largest moves in the sample, 2019-01 to 2020-12, are 25%
# for units and investment and 26% for workers (a cell of 4 firms gaining a fifth, Konawe Utara, August 2020)
# and 32% for production (Lebaran and the April 2020 closures). Counts of firms move least, workers a little
# more, money most, production (a month's flow) more than investment (a stock). Every usual typing slip moves
# a value by 90% or more (a thousands dot: -99.9%, a digit lost: -90%, typed as 0: -100%), so these limits
# catch them all and stay clear of the moves real cells make.
MAX_CHANGE = {"unit_usaha": 0.3, "tenaga_kerja": 0.4, "nilai_investasi": 0.5, "nilai_produksi": 0.6}


def field(name: str, ftype: str, title: str, description: str, unit: str | None = None,
          max_change: float | None = None, **constraints: Any) -> dict[str, Any]:
    """One schema field; constraints are given as keyword arguments (required=True, minimum=0...), a
    plausibility check as `max_change`."""
    spec: dict[str, Any] = {"name": name, "type": ftype, "title": title, "description": description}
    if unit:
        spec["unit"] = unit
    if constraints:
        spec["constraints"] = constraints
    if max_change is not None:
        spec["checks"] = {"max_change": max_change}
    return spec


def foreign_key(column: str, resource: str) -> dict[str, Any]:
    return {"fields": column, "reference": {"resource": resource, "fields": "kode"}}


def region_field() -> dict[str, Any]:
    return field("kode_wilayah", "string", "Kode wilayah",
                 "Kode BPS kabupaten/kota, mengacu ke data wilayah.", required=True)


def sector_field() -> dict[str, Any]:
    return field("sektor", "string", "Sektor", "Kode sektor IKM, mengacu ke data sektor.",
                 required=True)


def wilayah() -> dict[str, Any]:
    return {
        "name": "wilayah", "path": "wilayah.csv",
        "title": "Kabupaten/kota di Sulawesi Tenggara",
        "description": "Kode BPS dan Kemendagri, nama, dan jumlah penduduk 17 kabupaten/kota. " + NOTICE,
        "sources": [{"title": "Dukcapil Kemendagri, Desember 2024 (penduduk)"}],
        "schema": {
            "fields": [
                field("kode", "string", "Kode BPS", "Kode wilayah BPS, 4 digit.",
                      required=True, unique=True),
                field("kode_kemendagri", "string", "Kode Kemendagri",
                      "Kode wilayah Kemendagri (Permendagri), misalnya 74.04.", required=True, unique=True),
                field("nama", "string", "Nama", "Nama kabupaten/kota.", required=True, unique=True),
                field("jenis", "string", "Jenis", "Kabupaten atau kota.",
                      required=True, enum=["Kabupaten", "Kota"]),
                field("penduduk", "integer", "Penduduk",
                      "Jumlah penduduk menurut Dukcapil, Desember 2024.", "orang", minimum=0),
                field("tag", "string", "Topik", "Topik artikel untuk wilayah ini, misalnya kota-kendari.",
                      required=True, unique=True),
            ],
            "primaryKey": "kode",
        },
    }


def petak_wilayah() -> dict[str, Any]:
    """The map resource: a schematic tile grid (tools/make_tile_grid.py), not boundaries."""
    return {
        "name": "petak_wilayah", "path": "wilayah-petak.geojson", "format": "geojson", "key": "kode",
        "title": "Peta petak kabupaten/kota di Sulawesi Tenggara (skematis)",
        "description": ("Peta petak skematis untuk peta tematik buletin: satu persegi yang sama besar untuk "
                        "setiap kabupaten/kota, disusun kira-kira menurut letak ibu kotanya (daratan di barat "
                        "dan utara, Muna dan Buton di tenggara, Wakatobi di timur). Bukan batas wilayah: luas, "
                        "bentuk, dan batas persegi tidak menggambarkan wilayah sebenarnya. GeoJSON "
                        "(bujur/lintang), properti kode (kode BPS) dan nama."),
        "sources": [{"title": "Tim Buletin, disusun dari letak ibu kota kabupaten/kota"}],
    }


def sektor() -> dict[str, Any]:
    return {
        "name": "sektor", "path": "sektor.csv",
        "title": "Sektor industri kecil menengah",
        "description": "Sepuluh sektor IKM yang dipakai Disperindag Sultra. " + NOTICE,
        "sources": [{"title": SOURCE_TITLE}],
        "schema": {
            "fields": [
                field("kode", "string", "Kode sektor", "Kode singkat sektor.", required=True, unique=True),
                field("nama", "string", "Nama sektor", "Nama sektor IKM.", required=True, unique=True),
            ],
            "primaryKey": "kode",
        },
    }


def ikm() -> dict[str, Any]:
    return {
        "name": "ikm", "path": "ikm.csv",
        "title": "Statistik bulanan IKM menurut kabupaten/kota dan sektor",
        "description": ("Jumlah unit usaha, tenaga kerja, nilai investasi, dan nilai produksi "
                        "industri kecil menengah (IKM) per bulan, Januari 2019 sampai Desember 2020. "
                        "Angka November dan Desember 2020 bersifat sementara. " + NOTICE),
        "sources": [{"title": SOURCE_TITLE}],
        "period": "periode",  # the month each row is of: checks compare it with the month before
        "schema": {
            "fields": [
                field("periode", "yearmonth", "Periode", "Bulan data, ditulis YYYY-MM.", required=True),
                region_field(),
                sector_field(),
                field("unit_usaha", "integer", "Unit usaha", "Jumlah unit usaha IKM pada akhir bulan.",
                      "unit", MAX_CHANGE["unit_usaha"], required=True, minimum=0),
                field("tenaga_kerja", "integer", "Tenaga kerja", "Jumlah tenaga kerja IKM.",
                      "orang", MAX_CHANGE["tenaga_kerja"], required=True, minimum=0),
                field("nilai_investasi", "number", "Nilai investasi",
                      "Nilai investasi (aset usaha) IKM pada akhir bulan.", "juta rupiah",
                      MAX_CHANGE["nilai_investasi"], minimum=0),
                field("nilai_produksi", "number", "Nilai produksi", "Nilai produksi IKM selama sebulan.",
                      "juta rupiah", MAX_CHANGE["nilai_produksi"], minimum=0),
                field("status", "string", "Status angka", "tetap atau sementara.",
                      required=True, enum=["sementara", "tetap"]),
            ],
            "primaryKey": ["periode", "kode_wilayah", "sektor"],
            "foreignKeys": [foreign_key("kode_wilayah", "wilayah"), foreign_key("sektor", "sektor")],
        },
    }


def pelatihan() -> dict[str, Any]:
    return {
        "name": "pelatihan", "path": "pelatihan.xlsx", "sheet": "Pelatihan",
        "title": "Pelatihan, pendampingan, dan wirausaha baru IKM 2020",
        "description": ("Kegiatan pembinaan IKM oleh Disperindag Sultra selama pandemi Covid-19, "
                        "tahun 2020. " + NOTICE),
        "sources": [{"title": SOURCE_TITLE}],
        "schema": {
            "fields": [
                field("no", "integer", "No.", "Nomor urut kegiatan.",
                      required=True, unique=True, minimum=1),
                field("tanggal_mulai", "date", "Tanggal mulai", "Hari pertama kegiatan.", required=True),
                field("tanggal_selesai", "date", "Tanggal selesai", "Hari terakhir kegiatan.",
                      required=True),
                region_field(),
                sector_field(),
                field("kegiatan", "string", "Kegiatan", "Uraian kegiatan.", required=True),
                field("jenis", "string", "Jenis kegiatan", "Pelatihan, pendampingan, atau wirausaha baru.",
                      required=True, enum=JENIS_KEGIATAN),
                field("peserta", "integer", "Peserta", "Jumlah peserta.", "orang", minimum=0),
            ],
            "primaryKey": "no",
            "foreignKeys": [foreign_key("kode_wilayah", "wilayah"), foreign_key("sektor", "sektor")],
        },
    }


def datapackage() -> dict[str, Any]:
    return {
        "name": "ikm-sultra",
        "title": "Data IKM Sulawesi Tenggara (data ilustratif)",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
        "resources": [wilayah(), sektor(), ikm(), pelatihan(), petak_wilayah()],
    }


def datapackage_yaml() -> str:
    """The data package as readable YAML with a comment header."""
    body = yaml.safe_dump(datapackage(), sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=4096, indent=2)
    return HEADER + body
