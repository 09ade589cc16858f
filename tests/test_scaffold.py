"""`new edition` and `new article`: files that build at once, never overwriting."""
from __future__ import annotations

import pytest


def test_new_edition_and_article_build_and_never_overwrite(make_site, run_cli):
    site = make_site()
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    result = run_cli("new", "article", "2020-12", "Pelatihan Kopi: Angkatan 2", "--site", site)
    assert result.code == 0, result.err
    article = site / "content/2020-12/pelatihan-kopi-angkatan-2.md"
    text = article.read_text()
    assert 'title: "Pelatihan Kopi: Angkatan 2"' in text and "draft: true" in text
    assert run_cli("check", "--site", site, "--drafts").code == 0
    article.write_text(text + "\nKarya staf.\n")
    again = run_cli("new", "article", "2020-12", "Pelatihan Kopi: Angkatan 2", "--site", site)
    assert again.code == 1 and "already exists" in again.err
    assert article.read_text().endswith("Karya staf.\n")


def test_new_refuses_a_malformed_period_or_a_missing_edition(make_site, run_cli):
    site = make_site()
    malformed = run_cli("new", "edition", "2020-13", "--site", site)
    assert malformed.code == 2 and "is not a period" in malformed.err
    other_frequency = run_cli("new", "edition", "2020-Q4", "--site", site)
    assert other_frequency.code == 2 and "is not a monthly period" in other_frequency.err
    missing = run_cli("new", "article", "2021-01", "Judul", "--site", site)
    assert missing.code == 1 and "new edition 2021-01" in missing.err


def test_new_article_names_accented_titles_plainly_and_refuses_reserved_ones(make_site, run_cli):
    site = make_site()
    assert run_cli("new", "article", "2020-11", "Ünïcödé Résumé: Q1", "--site", site).code == 0
    assert (site / "content/2020-11/unicode-resume-q1.md").is_file()
    reserved = run_cli("new", "article", "2020-11", "Data", "--site", site)
    assert reserved.code == 1 and "reserved" in reserved.err
    assert not (site / "content/2020-11/data.md").exists()


@pytest.mark.parametrize(("language", "frequency"), [("id", "monthly"), ("en", "quarterly"), ("id", "yearly")])
def test_new_site_checks_and_builds_with_a_value_and_a_chart(run_cli, tmp_path, language, frequency):
    site = tmp_path / "baru"
    made = run_cli("new", "site", site, "--title", "Buletin Baru", "--language", language, "--frequency", frequency)
    assert made.code == 0, made.err
    for rel in ("site.yaml", "build.py", "requirements.txt", ".gitignore", "README.md", ".gitlab-ci.yml",
                ".github/workflows/check.yml", ".github/workflows/pages.yml", "data/datapackage.yaml",
                "data/contoh.csv"):
        assert (site / rel).is_file(), rel
    assert run_cli("check", "--site", site).code == 0
    out = tmp_path / "out"
    built = run_cli("build", "--site", site, "--out", out, "--quiet")
    assert built.code == 0, built.err
    slug = "contoh-artikel" if language == "id" else "a-sample-article"
    html = next(out.glob(f"*/{slug}/index.html")).read_text(encoding="utf-8")
    assert "289" in html and "<figure" in html  # the quoted value (128 + 90 + 71) and the chart
    assert ("Buletin Baru" in html) and (f'lang="{language}"' in html)


def test_new_site_refuses_a_folder_that_is_not_empty(run_cli, tmp_path, tree_snapshot):
    site = tmp_path / "ada"
    site.mkdir()
    (site / "catatan.txt").write_text("punya saya\n", encoding="utf-8")
    before = tree_snapshot(tmp_path)
    result = run_cli("new", "site", site)
    assert result.code == 1 and "not an empty folder" in result.err
    assert tree_snapshot(tmp_path) == before
