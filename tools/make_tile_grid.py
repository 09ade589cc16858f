"""Write data/wilayah-petak.geojson: a tile-grid map of the 17 regencies/cities of Sulawesi Tenggara.

This is a SCHEMATIC tile grid, not boundaries: one equal square per area, laid out by hand on a grid so
that each square lies roughly where its seat is (seats from SAMPLE_FACTS.md, about +-0.1 degree), areas
that border each other touch, and the west-east and north-south order of the seats is kept where a
compact grid allows (mainland west and north, Muna and Buton islands south-east, Wakatobi far east).
It is drawn from nothing but the layout below, so it needs no licence and no attribution.

Every square is SIZE degrees wide; the grid's origin is the one that puts the squares' centres nearest
their seats (least squares), rounded to 0.05 degree. Output: a GeoJSON FeatureCollection (RFC 7946:
longitude/latitude, closed counter-clockwise rings), one feature per line, properties `kode` (BPS code)
and `nama`. Deterministic: running it again gives the same bytes.

Usage:  python tools/make_tile_grid.py [--out FILE]     (default: data/wilayah-petak.geojson)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

SIZE = 0.4  # degrees of longitude and latitude per square

# Rows from north to south, columns from west to east; "." is an empty cell (land or sea).
LAYOUT = """
    7408 .    7410 .    .    .    .    .
    7404 7411 7403 7471 .    7412 .    .
    .    .    7405 .    .    .    .    .
    .    .    7406 7413 7402 7409 .    .
    .    .    .    7414 7472 7401 .    7407
    .    .    .    .    7415 .    .    .
"""

# kode BPS: (nama, latitude and longitude of the seat)
AREAS = {
    "7401": ("Kabupaten Buton", -5.5, 122.8),
    "7402": ("Kabupaten Muna", -4.8, 122.7),
    "7403": ("Kabupaten Konawe", -3.9, 122.0),
    "7404": ("Kabupaten Kolaka", -4.1, 121.6),
    "7405": ("Kabupaten Konawe Selatan", -4.3, 122.3),
    "7406": ("Kabupaten Bombana", -4.9, 121.9),
    "7407": ("Kabupaten Wakatobi", -5.3, 123.5),
    "7408": ("Kabupaten Kolaka Utara", -3.5, 121.0),
    "7409": ("Kabupaten Buton Utara", -4.7, 123.1),
    "7410": ("Kabupaten Konawe Utara", -3.4, 122.1),
    "7411": ("Kabupaten Kolaka Timur", -3.9, 121.8),
    "7412": ("Kabupaten Konawe Kepulauan", -4.0, 123.0),
    "7413": ("Kabupaten Muna Barat", -4.7, 122.5),
    "7414": ("Kabupaten Buton Tengah", -5.3, 122.5),
    "7415": ("Kabupaten Buton Selatan", -5.6, 122.6),
    "7471": ("Kota Kendari", -4.0, 122.5),
    "7472": ("Kota Baubau", -5.5, 122.6),
}


def cells() -> dict[str, tuple[int, int]]:
    """kode -> (column, row) of its square in LAYOUT."""
    found = {}
    for row, line in enumerate(LAYOUT.strip("\n").splitlines()):
        for col, name in enumerate(line.split()):
            if name != ".":
                assert name not in found, f"{name} is placed twice"
                found[name] = (col, row)
    assert sorted(found) == sorted(AREAS), "LAYOUT must place every area exactly once"
    return found


def feature_collection() -> str:
    grid = cells()
    # West edge of column 0 and north edge of row 0, fitted so that centres lie nearest the seats.
    west = sum(AREAS[k][2] - (col + 0.5) * SIZE for k, (col, row) in grid.items()) / len(grid)
    north = sum(AREAS[k][1] + (row + 0.5) * SIZE for k, (col, row) in grid.items()) / len(grid)
    west, north = round(west * 20) / 20, round(north * 20) / 20
    lines = []
    for kode in sorted(grid):
        col, row = grid[kode]
        x0, y1 = west + col * SIZE, north - row * SIZE
        x1, y0 = x0 + SIZE, y1 - SIZE
        ring = [[round(x, 4), round(y, 4)] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
        feature = {"type": "Feature", "properties": {"kode": kode, "nama": AREAS[kode][0]},
                   "geometry": {"type": "Polygon", "coordinates": [ring]}}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "data" / "wilayah-petak.geojson"
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args()
    args.out.write_text(feature_collection(), encoding="utf-8", newline="\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
