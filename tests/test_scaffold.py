"""`new edition` and `new article`: files that build at once, never overwriting."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from buletin.inputs.slips import EXAMPLES
from buletin.periods import Period
from buletin.scaffold import article_date

from .conftest import SITE_YAML


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
    assert again.code == 1 and "already exists" in again.err and "another title" in again.err
    assert article.read_text().endswith("Karya staf.\n")
    edition = run_cli("new", "edition", "2020-12", "--site", site)  # an edition has no title to choose
    assert edition.code == 1 and "the edition 2020-12 already exists" in edition.err and "title" not in edition.err


def test_new_refuses_a_malformed_period_or_a_missing_edition(make_site, run_cli):
    site = make_site()
    malformed = run_cli("new", "edition", "2020-13", "--site", site)
    assert malformed.code == 2 and "is not a period" in malformed.err
    short = run_cli("new", "edition", "2021-1", "--site", site)  # it offered 2020-Q4, which a monthly site refuses
    assert short.code == 2 and "`2021-1` is not a period: write the month as 2021-01" in short.err
    other_frequency = run_cli("new", "edition", "2020-Q4", "--site", site)
    assert other_frequency.code == 2 and "is not a month" in other_frequency.err
    missing = run_cli("new", "article", "2021-01", "Judul", "--site", site)
    assert missing.code == 1 and "new edition 2021-01" in missing.err


def test_new_article_names_accented_titles_plainly_and_refuses_reserved_ones(make_site, run_cli):
    site = make_site()
    assert run_cli("new", "article", "2020-11", "Ünïcödé Résumé: Q1", "--site", site).code == 0
    assert (site / "content/2020-11/unicode-resume-q1.md").is_file()
    reserved = run_cli("new", "article", "2020-11", "Data", "--site", site)
    assert reserved.code == 1 and "reserved" in reserved.err
    assert not (site / "content/2020-11/data.md").exists()
    device = run_cli("new", "article", "2020-11", "Aux", "--site", site)  # a name Windows keeps
    assert device.code == 1 and "`aux`, which is reserved" in device.err
    assert not (site / "content/2020-11/aux.md").exists()


@pytest.mark.parametrize("title", ['Ekspor\\Impor "baru" naik', "Harga\\naik 5%: 'kopi'"])
def test_new_article_keeps_a_title_with_backslashes_and_quotes_as_typed(make_site, run_cli, tmp_path, title):
    site = make_site()
    assert run_cli("new", "article", "2020-11", title, "--site", site).code == 0
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out, "--drafts").code == 0
    from html import unescape

    pages = [unescape(p.read_text()) for p in out.glob("2020-11/*/index.html")]
    assert any(f"<h1>{title}</h1>" in page for page in pages), title


def test_new_article_with_a_very_long_title_gets_a_short_file_name_and_keeps_the_title(make_site, run_cli):
    site = make_site()
    title = "Pelatihan " * 40
    assert run_cli("new", "article", "2020-11", title, "--site", site).code == 0
    made = [p for p in (site / "content/2020-11").glob("pelatihan-*.md")]
    assert len(made) == 1 and len(made[0].stem) <= 80 and not made[0].stem.endswith("-")
    assert title.strip() in made[0].read_text(encoding="utf-8")


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
    slug, about = ("contoh-artikel", "tentang") if language == "id" else ("a-sample-article", "about")
    html = next(out.glob(f"*/{slug}/index.html")).read_text(encoding="utf-8")
    assert "289" in html and "<figure" in html  # the quoted value (128 + 90 + 71) and the chart
    assert ("Buletin Baru" in html) and (f'lang="{language}"' in html)
    assert [p.name for p in (site / "content/pages").iterdir()] == [f"{about}.md"]  # its address in the language
    assert (out / about / "index.html").is_file()


def test_new_site_inside_a_repository_says_where_its_ci_files_would_run(run_cli, tmp_path):
    """GitHub runs only the top folder's .github/workflows/: a site made in a folder of an office's existing
    repository would have CI files that never run, without a word."""
    (tmp_path / "kantor" / ".git").mkdir(parents=True)
    made = run_cli("new", "site", tmp_path / "kantor" / "buletin", "--language", "en")
    assert made.code == 0 and "is inside the git repository" in made.err, made.err
    assert f"move them to {tmp_path / 'kantor'} and run each step in" in made.err
    alone = run_cli("new", "site", tmp_path / "sendiri", "--language", "en")
    assert alone.code == 0 and "git repository" not in alone.err + alone.out


def test_new_site_refuses_a_folder_that_is_not_empty(run_cli, tmp_path, tree_snapshot):
    site = tmp_path / "ada"
    site.mkdir()
    (site / "catatan.txt").write_text("punya saya\n", encoding="utf-8")
    before = tree_snapshot(tmp_path)
    result = run_cli("new", "site", site)
    assert result.code == 1 and "is not empty" in result.err
    assert tree_snapshot(tmp_path) == before


# 2020-12-15T00:00:00Z: 15 December 2020 in the tiny site's time zone (Asia/Makassar).
MID_DECEMBER = "1608000000"


@pytest.mark.parametrize(("epoch", "expected"), [(MID_DECEMBER, "2020-12-15"), (None, "2020-12-31")])
def test_new_article_is_dated_inside_its_period(make_site, run_cli, monkeypatch, epoch, expected):
    """Today when today is in the period; else the period's last day (the fixed "now" is 1 January 2021)."""
    site = make_site()
    if epoch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    assert run_cli("new", "article", "2020-12", "Judul", "--site", site).code == 0
    assert re.search(rf"^date: {expected}\s+#", (site / "content/2020-12/judul.md").read_text(), re.M)


@pytest.mark.parametrize(("period", "frequency", "today", "expected"), [
    ("2020-Q4", "quarterly", "2020-11-05", "2020-11-05"), ("2020-Q4", "quarterly", "2021-01-01", "2020-12-31"),
    ("2021-Q2", "quarterly", "2021-01-01", "2021-06-30"), ("2020-02", "monthly", "2020-03-01", "2020-02-29"),
    ("2020", "yearly", "2020-07-04", "2020-07-04"), ("2019", "yearly", "2020-07-04", "2019-12-31")])
def test_article_date_of_each_frequency(period, frequency, today, expected):
    assert article_date(Period.parse(period, frequency), dt.date.fromisoformat(today)).isoformat() == expected


def test_new_edition_has_no_release_date_and_publish_fills_it_in(make_site, run_cli):
    site = make_site()
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    path = site / "content/2020-12/index.md"
    assert re.search(r"^published:\s+#", path.read_text(), re.M)  # the key, with no value
    path.write_text(path.read_text().replace("Ringkasan edisi dalam satu kalimat.", "Ringkasan.")
                    .replace("Poin pertama.", "Poin."))  # the example texts: publish refuses them
    assert run_cli("publish", "2020-12", "--site", site).code == 1  # a draft, as `new` writes it
    path.write_text(re.sub(r"^status: draft\b.*\n", "", path.read_text(), flags=re.M))  # ready, as the guide says
    published = run_cli("publish", "2020-12", "--site", site, "--date", "2020-12-20")
    assert published.code == 0, published.err
    lines = [line for line in path.read_text().splitlines() if re.match(r"#?\s*published:", line)]
    assert lines == ["published: 2020-12-20"]


def test_a_new_draft_edition_says_nothing_about_its_release(make_site, run_cli, tmp_path):
    site = make_site()
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    assert run_cli("new", "article", "2020-12", "Judul", "--site", site).code == 0
    out = tmp_path / "out"
    assert run_cli("build", "--drafts", "--site", site, "--out", out, "--quiet").code == 0
    page = (out / "2020-12/index.html").read_text(encoding="utf-8")
    assert "Draf" in page and "Dirilis" not in page


@pytest.mark.parametrize(("language", "said", "not_said"), [
    ("id", ("hapus baris ini bila edisi sudah siap", "tanggal rilis", "Pengantar edisi Desember 2020"),
     ("remove this line", "release date", "the ")),
    ("en", ("remove this line when the edition is ready", "the release date", "Introduction to December 2020"),
     ("hapus", "tanggal", "bila "))])
def test_scaffolded_comments_are_in_the_sites_language(make_site, run_cli, language, said, not_said):
    site = make_site({"site.yaml": SITE_YAML.replace("language: id", f"language: {language}")})
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    assert run_cli("new", "article", "2020-12", "Judul", "--site", site).code == 0
    edition = (site / "content/2020-12/index.md").read_text()
    article = (site / "content/2020-12/judul.md").read_text()
    comments = " ".join(re.findall(r"#.*", edition + article))
    for words in said:
        assert words in edition, words
    for words in not_said:
        assert words not in comments, words
    draft_comment = {"id": "hapus baris ini bila artikel sudah siap", "en": "remove this line when the article"}
    assert draft_comment[language] in article


@pytest.mark.parametrize(("language", "words"), [("id", ("Yang dipasang CI", "alamat publik situs", "sama dengan")),
                                                 ("en", ("What CI installs", "public address", "the same as"))])
def test_new_site_comments_are_in_the_sites_language(run_cli, tmp_path, language, words):
    site = tmp_path / "baru"
    assert run_cli("new", "site", site, "--language", language).code == 0
    requirements, site_yaml, build_py = ((site / name).read_text() for name in ("requirements.txt", "site.yaml",
                                                                                  "build.py"))
    assert words[0] in requirements and words[1] in site_yaml and words[2] in build_py
    compile(build_py, "build.py", "exec")
    assert "# base_url: https://example.go.id/buletin/  #" in site_yaml  # CI looks for `^base_url:`


def warned(err: str) -> list[str]:
    return [line.split(": warning: ")[0] for line in err.splitlines() if ": warning: " in line]


@pytest.mark.parametrize("language", ["id", "en"])
def test_example_texts_are_warnings_at_their_lines_until_replaced(run_cli, tmp_path, language):
    """The new site's example sentences would go live unnoticed: each is a warning at its line until rewritten,
    and `publish` refuses an edition that still shows one (unless --force)."""
    site = tmp_path / "baru"
    assert run_cli("new", "site", site, "--language", language).code == 0
    [edition] = (site / "content").glob("20*/index.md")
    period = edition.parent.name
    about = next((site / "content/pages").glob("*.md"))
    expected = ["site.yaml:6", "site.yaml:8", "data/datapackage.yaml:6", f"content/{period}/index.md:9",
                f"content/pages/{about.name}:5"]  # the settings, the data, the texts
    checked = run_cli("check", "--site", site)
    assert checked.code == 0 and warned(checked.err) == expected, checked.err
    refused = run_cli("publish", period, "--site", site)
    assert refused.code == 1 and f"edition {period} was not published" in refused.err
    assert "status: published" not in edition.read_text() and not (site / "data/releases").exists()
    for path in (edition, about, site / "site.yaml", site / "data/datapackage.yaml"):
        text = path.read_text(encoding="utf-8")
        for example in EXAMPLES:
            text = text.replace(example, "Teks kami.")
        path.write_text(text, encoding="utf-8")
    clean = run_cli("check", "--site", site)
    assert clean.code == 0 and warned(clean.err) == [], clean.err
    assert run_cli("publish", period, "--site", site).code == 0


def test_an_example_text_in_a_draft_is_said_only_when_drafts_are_built(make_site, run_cli):
    site = make_site()
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    assert warned(run_cli("check", "--site", site).err) == []
    assert warned(run_cli("check", "--site", site, "--drafts").err) == [
        "content/2020-12/index.md:3", "content/2020-12/index.md:7"]


@pytest.mark.parametrize(("given", "zone", "cron"), [("WITA", "Asia/Makassar", "17 16 * * *"),
                                                     ("wit", "Asia/Jayapura", "17 15 * * *"),
                                                     ("Europe/Lisbon", "Europe/Lisbon", None)])
def test_new_site_takes_the_offices_time_zone(run_cli, tmp_path, given, zone, cron):
    """Kendari is WITA: the Jakarta default would date a revision or a scheduled article an hour off."""
    site = tmp_path / "baru"
    assert run_cli("new", "site", site, "--timezone", given).code == 0
    assert f"timezone: {zone}\n" in (site / "site.yaml").read_text()
    if cron:
        assert f'- cron: "{cron}"' in (site / ".github/workflows/pages.yml").read_text()
    assert run_cli("check", "--site", site).code == 0


def test_a_time_zone_written_as_wita_is_told_its_iana_name(make_site, run_cli, tmp_path):
    assert run_cli("new", "site", tmp_path / "x", "--timezone", "Mars/Base").code == 2
    site = make_site({"site.yaml": SITE_YAML.replace("timezone: Asia/Makassar", "timezone: WITA")})
    result = run_cli("check", "--site", site)
    assert result.code == 1 and "write the time zone WITA as `Asia/Makassar`" in result.err, result.err


@pytest.mark.parametrize(("direct_url", "line", "note"), [
    ({"url": "https://github.com/disperindag/buletin", "vcs_info": {"vcs": "git", "requested_revision": "v0.1.0",
                                                                     "commit_id": "ab12"}},
     "buletin @ git+https://github.com/disperindag/buletin@v0.1.0", False),
    ({"url": "https://github.com/disperindag/buletin", "vcs_info": {"vcs": "git", "requested_revision": "main",
                                                                     "commit_id": "ab12cd"}},
     "buletin @ git+https://github.com/disperindag/buletin@ab12cd", False),  # the commit: a branch moves on
    ({"url": "https://hg.example.go.id/buletin", "vcs_info": {"vcs": "hg", "commit_id": "f00d"}},
     "buletin @ hg+https://hg.example.go.id/buletin@f00d", False),
    ({"url": "https://unduh.example.go.id/buletin-0.1.0-py3-none-any.whl", "archive_info": {}},
     "buletin @ https://unduh.example.go.id/buletin-0.1.0-py3-none-any.whl", False),
    ({"url": "file:///home/staf/buletin", "dir_info": {"editable": True}}, "buletin>=", True),
    (None, "buletin>=", False),  # from a package index: pip writes no direct_url.json
])
def test_a_new_sites_requirements_name_where_buletin_came_from(run_cli, tmp_path, monkeypatch, direct_url, line,
                                                               note):
    """A new site's CI installs buletin as requirements.txt says: from the repository or web address this
    buletin came from; from the package index otherwise, with a comment on naming another place, and a note
    when this buletin came from a folder on this computer, which CI cannot reach."""
    import importlib.metadata
    import json

    class Installed:
        def read_text(self, name):
            return json.dumps(direct_url) if name == "direct_url.json" and direct_url is not None else None

    monkeypatch.setattr(importlib.metadata, "distributions", lambda name: iter([Installed()]))
    site = tmp_path / "baru"
    made = run_cli("new", "site", site, "--language", "en")
    assert made.code == 0, made.err
    lines = (site / "requirements.txt").read_text().splitlines()
    assert lines[-1].startswith(line), lines
    assert ("If pip finds no buletin" in "\n".join(lines)) == line.startswith("buletin>=")
    assert ("which CI cannot reach" in made.err) == note, made.err
