"""Pages generated from data rows (`each:`) and the change() macro."""
from __future__ import annotations

PROFILE_MD = """\
---
title: "Profil {{ row.nama }}"
each: {data: wilayah, key: kode, title: Profil wilayah}
---

Unit usaha {{ row.nama }}: {{ value("ikm", "unit_usaha", periode="2020-11", kode_wilayah=row.kode) }},
{{ change("ikm", "unit_usaha", compare={"periode": "2020-10"}, periode="2020-11", kode_wilayah=row.kode) }}
dari Oktober 2020.

```chart
title: "Unit usaha {{ row.nama }}"
type: bar
data: ikm
filter: {kode_wilayah: "{{ row.kode }}"}
x: periode
y: unit_usaha
```
"""


def test_one_page_per_row_and_a_list(make_site, run_cli, tmp_path):
    site = make_site({"content/pages/wilayah.md": PROFILE_MD})
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 0, result.err
    rows = [line.split(",") for line in (site / "data/wilayah.csv").read_text().splitlines()[1:]]
    ikm = [line.split(",") for line in (site / "data/ikm.csv").read_text().splitlines()[1:]]
    listing = (out / "wilayah/index.html").read_text()
    assert "<h1>Profil wilayah</h1>" in listing
    for kode, nama in rows:
        page = (out / f"wilayah/{kode}/index.html").read_text()
        assert f"<h1>Profil {nama}</h1>" in page
        assert f'href="{kode}/"' in listing
        now = sum(int(r[2]) for r in ikm if r[0] == "2020-11" and r[1] == kode)
        before = sum(int(r[2]) for r in ikm if r[0] == "2020-10" and r[1] == kode)
        change = (now - before) / before * 100
        word = "naik" if round(change, 1) > 0 else "turun" if round(change, 1) < 0 else "tetap"
        assert f"Unit usaha {nama}: {now:,}".replace(",", ".") in page
        assert word in page
        assert "<figure" in page and f"Unit usaha {nama}" in page


def test_unknown_each_column_is_an_error_at_its_line(make_site, run_cli, line_of):
    text = PROFILE_MD.replace("key: kode", "key: kod")
    site = make_site({"content/pages/wilayah.md": text})
    result = run_cli("check", "--site", site)
    assert result.code == 1
    assert f"content/pages/wilayah.md:{line_of(text, 'each:')}: error: each: the dataset `wilayah` has no " \
        "column `kod`" in result.err


def test_change_errors_name_the_line(make_site, run_cli, line_of):
    text = PROFILE_MD.replace('compare={"periode": "2020-10"}', 'compare={"periode": "1999-01"}')
    site = make_site({"content/pages/wilayah.md": text})
    result = run_cli("check", "--site", site)
    assert result.code == 1
    assert f"content/pages/wilayah.md:{line_of(text, 'change(')}: error: change(): no row" in result.err


def test_each_without_a_list_title_uses_the_dataset_title(make_site, run_cli, tmp_path):
    text = PROFILE_MD.replace("key: kode, title: Profil wilayah}", "key: kode}")
    site = make_site({"content/pages/wilayah.md": text})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "<h1>Wilayah</h1>" in (tmp_path / "out/wilayah/index.html").read_text()


def test_a_column_named_like_a_dicts_method_reads_as_the_column(make_site, run_cli, tmp_path):
    """`row.FIELD` for a column called `items`, `pop` (population), `keys` or `get`: the value, not the dict's
    method (an empty text) nor a refusal."""
    package = ("\n- name: area\n  path: area.csv\n  schema:\n    fields:\n    - {name: kode, type: string}\n"
               "    - {name: items, type: integer}\n    - {name: pop, type: integer}\n    - {name: get, type: string}\n"
               "    primaryKey: kode\n")
    page = ('---\ntitle: "Area {{ row.kode }}"\neach: {data: area, key: kode}\n---\n\n'
            "Isi {{ row.items }}, penduduk {{ row.pop }}, {{ row.get }}.\n")
    site = make_site({"data/area.csv": "kode,items,pop,get\na1,5,1200,mudah\n", "content/pages/area.md": page})
    with (site / "data/datapackage.yaml").open("a") as handle:
        handle.write(package)
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "Isi 5, penduduk 1200, mudah." in (tmp_path / "out/area/a1/index.html").read_text()
