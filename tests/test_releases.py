"""Versioned editions: publish, snapshots, revision notices, reproducible and atomic output."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from buletin.compose.macros import quote_record
from buletin.i18n import Locale
from buletin.inputs.catalog import load_catalog
from buletin.inputs.releases import mark_published
from buletin.inputs.revisions import find_revision
from buletin.outputs.manifest import sha256
from buletin.outputs.writer import site_lock
from buletin.problems import Problems

from .conftest import IKM_CSV, OCTOBER_MD, WILAYAH_CSV

BUILD_PY = Path(__file__).resolve().parent.parent / "build.py"


@pytest.fixture
def site(make_site):
    return make_site({"content/2020-10/index.md": OCTOBER_MD})


def _html(out: Path, page: str) -> str:
    return (out / page).read_text(encoding="utf-8")


def _notice(html: str) -> str:
    """The revision notice of a page ("" when it has none)."""
    return html.split('<aside class="revision"', 1)[1].split("</aside>")[0] if 'class="revision"' in html else ""


def _row(html: str, figure: str) -> list[str] | None:
    """The published value, current value and change of one figure in the notice's table."""
    found = re.search(rf'<tr><th scope="row">{re.escape(figure)}</th>(.*?)</tr>', _notice(html))
    return re.findall(r'<td class="num">(.*?)</td>', found.group(1)) if found else None


def test_publish_snapshots_data_and_marks_front_matter(site, run_cli):
    result = run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05")
    assert result.code == 0, result.err
    release = site / "data/releases/2020-10"
    lock = json.loads((release / "release.lock.json").read_text())
    assert lock["period"] == "2020-10" and lock["published"] == "2020-11-05"
    assert set(lock["files"]) == {"datapackage.yaml", "ikm.csv", "wilayah.csv"}
    for name, digest in lock["files"].items():
        assert sha256((release / name).read_bytes()) == digest == sha256((site / "data" / name).read_bytes())
    text = (site / "content/2020-10/index.md").read_text()
    assert text == OCTOBER_MD.replace("---\n\nPada", "status: published\npublished: 2020-11-05\n---\n\nPada")



def test_an_edition_that_cannot_be_marked_published_leaves_no_snapshot(site, run_cli, monkeypatch):
    """A front matter that may not be written (read-only, immutable) was an internal error after the snapshot
    was written: the site then failed to build, its edition having a snapshot and no `status: published`."""
    import os

    def refused(temporary, path):
        raise PermissionError(1, "Operation not permitted", str(temporary))

    monkeypatch.setattr(os, "replace", refused)
    result = run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05")
    assert result.code == 1 and "Traceback" not in result.err and "internal error" not in result.err
    assert "Operation not permitted): edition 2020-10 was not published; make the site's files writable" in result.err
    assert not (site / "data/releases/2020-10").exists()
    assert (site / "content/2020-10/index.md").read_text() == OCTOBER_MD
    assert not [p.name for p in (site / "content/2020-10").iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    assert run_cli("check", "--site", site).code == 0
    # published once, then again with --force after a data edit: a failure keeps the first snapshot as it was
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    frozen = {p.name: p.read_bytes() for p in (site / "data/releases/2020-10").iterdir()}
    marked = (site / "content/2020-10/index.md").read_text()
    data = site / "data/ikm.csv"
    data.write_text(data.read_text().replace("2020-10,7401,4300", "2020-10,7401,4301"))
    monkeypatch.setattr(os, "replace", refused)
    again = run_cli("publish", "2020-10", "--site", site, "--force", "--date", "2020-11-06")
    monkeypatch.undo()
    assert again.code == 1 and "was not published" in again.err
    assert {p.name: p.read_bytes() for p in (site / "data/releases/2020-10").iterdir()} == frozen
    assert (site / "content/2020-10/index.md").read_text() == marked
    assert [p.name for p in (site / "data/releases").iterdir()] == ["2020-10"]


def test_publish_twice_is_refused_unless_forced(site, run_cli):
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    again = run_cli("publish", "2020-10", "--site", site)
    assert again.code == 1
    assert "content/2020-10/index.md:" in again.err and "already published" in again.err
    assert run_cli("publish", "2020-10", "--site", site, "--force").code == 0


def test_publish_refuses_a_draft_edition_or_one_with_draft_articles_unless_forced(site, run_cli):
    """`new edition` writes a draft whose articles are drafts: publishing it froze an edition without articles,
    and a link to a draft article passed publish (checked with drafts) and failed the next build."""
    edition = site / "content/2020-10/index.md"
    edition.write_text(OCTOBER_MD.replace("---\n\nPada", "status: draft\n---\n\nPada"))
    (site / "content/2020-10/kabar.md").write_text(
        "---\ntitle: Kabar Oktober\ndate: 2020-10-20\ndraft: true\n---\n\nIsi kabar.\n")
    result = run_cli("publish", "2020-10", "--site", site)
    assert result.code == 1 and [line for line in result.err.splitlines() if ": error: " in line] == [
        "content/2020-10/index.md:6: error: edition 2020-10 is still a draft (`status: draft`): remove that line "
        "when the edition is ready, then publish it; to publish it as it is, add --force",
        "content/2020-10/kabar.md:4: error: this article is still a draft (`draft: true`), so edition 2020-10 would "
        "be published without it: remove that line if it is ready, or move the file out of content/2020-10/ if it "
        "is not; to publish without it, add --force"], result.err
    assert not (site / "data/releases").exists() and "status: published" not in edition.read_text()
    # ready: the edition links to the article, which is still a draft, so the site's build would fail
    edition.write_text(OCTOBER_MD.replace("\nPada", "\n[Kabar](kabar.md).\n\nPada"))
    result = run_cli("publish", "2020-10", "--site", site)
    assert result.code == 1 and "content/2020-10/index.md:" in result.err and "kabar.md" in result.err, result.err
    assert not (site / "data/releases").exists() and "status: published" not in edition.read_text()
    (site / "content/2020-10/kabar.md").write_text("---\ntitle: Kabar Oktober\ndate: 2020-10-20\n---\n\nIsi.\n")
    assert run_cli("publish", "2020-10", "--site", site).code == 0



def test_publish_force_says_what_it_froze_against_the_refusals(site, run_cli):
    """--force froze a draft article's absence or a value in doubt without a word."""
    (site / "content/2020-10/kabar.md").write_text(
        "---\ntitle: Kabar Oktober\ndate: 2020-10-20\ndraft: true\n---\n\nIsi kabar.\n")
    result = run_cli("publish", "2020-10", "--site", site, "--force")
    assert result.code == 0, result.err
    assert "content/2020-10/kabar.md:4: warning: this article is still a draft (`draft: true`), so edition 2020-10 " \
        "would be published without it" in result.err
    assert "published edition 2020-10" in result.out

def test_a_published_edition_whose_status_line_was_deleted_is_an_error(site, run_cli):
    """With `status: published` deleted by mistake, the published edition showed the current data, and no revision
    notice, without a word, though its frozen data were still there."""
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    edition = site / "content/2020-10/index.md"
    edition.write_text(edition.read_text().replace("status: published\n", ""))
    result = run_cli("check", "--site", site)
    assert result.code == 1 and [line for line in result.err.splitlines() if ": error: " in line] == [
        "content/2020-10/index.md:2: error: edition 2020-10 was published (its frozen data are in "
        "data/releases/2020-10/), but this file does not say `status: published`, so the edition would show the "
        "current data instead: put `status: published` back; to freeze it again with the current data, run "
        "`python build.py publish 2020-10`; to withdraw the publication on purpose, delete "
        "data/releases/2020-10/"], result.err
    edition.write_text(edition.read_text().replace("published: 2020-11-05", "status: draft\npublished: 2020-11-05"))
    assert "content/2020-10/index.md:6: error: edition 2020-10 was published" in run_cli("check", "--site", site).err
    # set back to `live` to be published again, as the guide says: publish takes it
    edition.write_text(edition.read_text().replace("status: draft", "status: live"))
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    assert "status: published" in edition.read_text() and run_cli("check", "--site", site).code == 0


def test_publish_checks_what_the_release_day_will_show(site, run_cli, monkeypatch):
    """Checked without the items dated after today, an edition released tomorrow was frozen unchecked, and its
    error failed the build on its release day."""
    edition = site / "content/2020-10/index.md"
    edition.write_text(OCTOBER_MD.replace("---\n\nPada", "published: 2020-11-05\n---\n\nPada").replace(
        '"unit_usaha"', '"unit"'))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1604448000")  # 2020-11-04
    result = run_cli("publish", "2020-10", "--site", site)
    assert result.code == 1 and "content/2020-10/index.md:" in result.err and "no column `unit`" in result.err, \
        result.err
    assert "status: published" not in edition.read_text()
    result = run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-04")  # earlier than planned
    assert result.code == 1 and "no column `unit`" in result.err, result.err


def test_publish_refuses_an_edition_with_errors(site, run_cli):
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,-1"))
    result = run_cli("publish", "2020-10", "--site", site)
    assert result.code == 1 and "data/ikm.csv:2: error:" in result.err
    assert not (site / "data/releases").exists()
    assert "status: published" not in (site / "content/2020-10/index.md").read_text()


def test_published_edition_keeps_its_figures_and_shows_the_revision(site, run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    assert run_cli("build", "--site", site, "--out", out).code == 0
    before = _html(out, "2020-10/index.html")
    assert "13.000 unit usaha" in before and "Revisi data" not in before
    # Later data arrive: October is revised from 4300 to 4400 in one region.
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,4400"))
    assert run_cli("build", "--site", site, "--out", out).code == 0
    after = _html(out, "2020-10/index.html")
    assert "13.000 unit usaha" in after  # frozen
    assert "Revisi data" in after and _row(after, "Unit usaha, Oktober 2020") == ["13.000", "13.100", "+100 (+0,8%)"]
    assert 'datetime="2021-01-01"' in _notice(after)  # outside git: the build's day (SOURCE_DATE_EPOCH)
    assert 'card-value">13.000' in after
    # The live November edition compares with the revised October figure.
    latest = _html(out, "2020-11/index.html")
    assert "Revisi data" not in latest
    assert (out / "2020-10/data/ikm.csv").read_bytes() == (site / "data/releases/2020-10/ikm.csv").read_bytes()
    assert b"4400" in (out / "data/ikm.csv").read_bytes()


def test_tampered_snapshot_is_a_build_error(site, run_cli, tree_snapshot, tmp_path):
    out = tmp_path / "out"
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    assert run_cli("build", "--site", site, "--out", out).code == 0
    kept = tree_snapshot(out)
    frozen = site / "data/releases/2020-10/ikm.csv"
    frozen.write_text(frozen.read_text().replace("4300", "4301"))
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 1
    assert "data/releases/2020-10/ikm.csv: error: this file of a published edition's frozen data was " \
        "changed" in result.err
    assert tree_snapshot(out) == kept


def test_not_latest_banner_and_edition_links(site, run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    october, november = _html(out, "2020-10/index.html"), _html(out, "2020-11/index.html")
    assert "Ini bukan edisi terbaru." in october and 'href="../2020-11/"' in october
    assert "Ini bukan edisi terbaru." not in november
    assert 'rel="next" href="../2020-11/"' in october and 'rel="prev" href="../2020-10/"' in november


def test_mark_published_keeps_every_other_byte():
    text = "---\r\ntitle: X\r\nstatus: live   \r\n---\r\nBody\r\n"
    assert mark_published(text, dt.date(2020, 12, 4)) == \
        "---\r\ntitle: X\r\nstatus: published\r\npublished: 2020-12-04\r\n---\r\nBody\r\n"
    assert mark_published("Body only\n", dt.date(2020, 12, 4)).startswith("---\nstatus: published\n")


def test_mark_published_keeps_a_byte_order_mark_in_front_and_sets_quoted_keys():
    text = '\ufeff---\ntitle: X\n"published": "2020-12-01"\n---\nBody\n'
    assert mark_published(text, dt.date(2020, 12, 4)) == \
        "\ufeff---\ntitle: X\npublished: 2020-12-04\nstatus: published\n---\nBody\n"


def test_mark_published_refuses_what_it_cannot_set_line_by_line():
    with pytest.raises(ValueError, match="each on a line of its own"):
        mark_published("---\ntitle: X\nstatus:\n  published\n---\nBody\n", dt.date(2020, 12, 4))


def test_publish_refuses_a_linked_releases_folder_and_writes_nothing(site, run_cli, tmp_path, tree_snapshot):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "data" / "releases").symlink_to(elsewhere, target_is_directory=True)
    before = tree_snapshot(site)
    result = run_cli("publish", "2020-10", "--site", site)
    assert result.code == 1, result.err
    assert "data/releases/2020-10: error: data/releases is a link" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert list(elsewhere.iterdir()) == [] and tree_snapshot(site) == before


def test_publish_refuses_a_front_matter_it_cannot_mark_and_writes_nothing(site, run_cli, tree_snapshot):
    index = site / "content/2020-10/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("---\n", "---\nstatus: >-\n  live\n", 1),
                     encoding="utf-8")
    before = tree_snapshot(site)
    result = run_cli("publish", "2020-10", "--site", site)
    assert result.code == 1, result.err
    assert "content/2020-10/index.md: error: publish cannot set `status`" in result.err
    after = {k: v for k, v in tree_snapshot(site).items() if not k.startswith(".buletin-cache/")}  # the lock
    assert after == before and not (site / "data/releases/2020-10").exists()


def test_without_source_date_epoch_build_time_is_the_last_commit(site, run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2020-12-04T10:00:00+08:00",
           "GIT_COMMITTER_DATE": "2020-12-04T10:00:00+08:00", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "edition"]):
        subprocess.run(["git", "-C", str(site), *command], check=True, env=env)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["built_at"] == "2020-12-04T02:00:00+00:00"
    assert len(manifest["commit"]) == 40


@pytest.mark.parametrize(("holder", "told"), [
    ("build", "(`build`, process {pid})"),
    ("serve", "(the preview of `serve` building again after an edit, process {pid})"),  # it said "build, process"
])
def test_a_second_build_is_refused_while_one_runs(site, tmp_path, holder, told):
    out = tmp_path / "out"
    with site_lock(site, holder):  # as a running build holds it
        second = subprocess.run([sys.executable, str(BUILD_PY), "--site", str(site), "--out", str(out)],
                                capture_output=True, text=True)
    assert second.returncode == 1
    assert "another build or publish of this site is running " + told.format(pid=os.getpid()) in second.stderr
    assert "Traceback" not in second.stderr
    assert not out.exists()


def test_two_builds_started_at_once_leave_a_whole_site(site, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, str(BUILD_PY), "--site", str(site), "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(), run.stderr.read()) for run in runs]
    assert any(code == 0 for code, _ in results)
    for code, err in results:
        assert code == 0 or (code == 1 and "another build or publish" in err), err
    manifest = json.loads((out / "manifest.json").read_text())
    for path, digest in manifest["files"].items():
        assert sha256((out / path).read_bytes()) == digest


def test_two_uncached_builds_are_byte_identical(site, run_cli, tmp_path, tree_snapshot):
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    for name in ("one", "two"):
        assert run_cli("build", "--site", site, "--out", tmp_path / name, "--no-cache").code == 0
    one, two = tree_snapshot(tmp_path / "one"), tree_snapshot(tmp_path / "two")
    assert one == two
    assert any(path.startswith("pagefind/") for path in one)  # the search index is reproducible too


def test_notice_lists_only_figures_that_changed_where_they_are_quoted(site, run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("publish", "2020-11", "--site", site).code == 0
    # 7402 changes; the article quotes the total (changed) and its 1 decimal nilai (unchanged).
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-11,7402,3690", "2020-11,7402,3700"))
    assert run_cli("build", "--site", site, "--out", out).code == 0
    article = _html(out, "2020-11/sorotan/index.html")
    assert _row(article, "Unit usaha, November 2020") == ["13.012", "13.022", "+10 (+0,1%)"]
    assert "Nilai" not in _notice(article)
    assert "NaN" not in article


def test_a_published_edition_keeps_its_figures_when_its_dataset_is_renamed(site, run_cli, tmp_path):
    """The figure's source line and the edition's "data used" come from the snapshot it was drawn from."""
    article = ("---\ntitle: Oktober\ndate: 2020-10-20\n---\n\n```chart\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n"
               "filter: {periode: '2020-10'}\n```\n")
    (site / "content/2020-10/grafik.md").write_text(article, encoding="utf-8")
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text(encoding="utf-8").replace("name: ikm", "name: ikm_baru")
                       .replace("title: Statistik IKM", "title: Statistik baru"), encoding="utf-8")
    for rel in ("content/2020-11/sorotan.md",):
        (site / rel).write_text((site / rel).read_text(encoding="utf-8").replace('"ikm"', '"ikm_baru"')
                                .replace("data: ikm", "data: ikm_baru"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out, "--quiet")
    assert result.code == 0, result.err
    october = _html(out, "2020-10/grafik/index.html")
    assert "Disperindag uji" in october  # the source line, from the snapshot's declaration
    assert "Statistik IKM" in _html(out, "2020-10/index.html")  # data used: as published


# ---------------------------------------------------------------- honest revisions: when, what, where


def _git(site: Path, *args: str, when: str = "2020-11-01T10:00:00+08:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-C", str(site), *args], check=True, env=env,
                   capture_output=True)


def _commit(site: Path, when: str) -> None:
    _git(site, "add", "-A", "data", "content")
    _git(site, "commit", "-qm", f"data of {when}", when=when)


def _revision_date(out: Path, page: str) -> str | None:
    found = re.search(r'<time datetime="([\d-]+)">', _notice(_html(out, page)))
    return found.group(1) if found else None


def test_the_notice_is_dated_by_the_commit_that_changed_the_periods_rows(site, run_cli, tmp_path, monkeypatch):
    out = tmp_path / "out"
    ikm = site / "data/ikm.csv"
    _published_in_git(site, run_cli)
    ikm.write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,4400"))  # October revised
    _commit(site, "2020-12-01T09:00:00+08:00")
    ikm.write_text(ikm.read_text().replace("2020-11,7401,4321", "2020-11,7401,4333"))  # November only
    _commit(site, "2020-12-10T09:00:00+08:00")
    assert run_cli("build", "--site", site, "--out", out).code == 0
    # The last commit touching the file changed November; October's rows took their form on 1 December.
    assert _revision_date(out, "2020-10/index.html") == "2020-12-01"
    assert "1 Desember 2020" in _notice(_html(out, "2020-10/index.html"))
    # An uncommitted correction is dated by the build: today where the site is (Asia/Makassar, UTC+8).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1608483600")  # 2020-12-20T17:00Z = 21 December, 01:00 in Makassar
    ikm.write_text(ikm.read_text().replace("2020-10,7401,4400", "2020-10,7401,4410"))
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _revision_date(out, "2020-10/index.html") == "2020-12-21"
    _git(site, "add", "data/ikm.csv")  # staged, not committed: still today
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _revision_date(out, "2020-10/index.html") == "2020-12-21"
    _commit(site, "2020-12-15T23:30:00+00:00")  # 16 December in Makassar
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _revision_date(out, "2020-10/index.html") == "2020-12-16"
    assert _row(_html(out, "2020-10/index.html"), "Unit usaha, Oktober 2020") == ["13.000", "13.110", "+110 (+0,8%)"]


def _published_in_git(site: Path, run_cli) -> None:
    """The site committed on 1 November, October published on the 5th and committed (Makassar time)."""
    _git(site, "init", "-q")
    _commit(site, "2020-11-01T10:00:00+08:00")
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    _commit(site, "2020-11-05T10:00:00+08:00")


def _revised_in_git(repo: Path, site: Path, run_cli) -> None:
    """October published on 5 November, then revised in a commit of 1 December (Makassar time)."""
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "start")
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,4400"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "revised", when="2020-12-01T09:00:00+08:00")


def test_a_file_leaving_git_dates_its_revision_by_the_build_in_an_incremental_build(site, run_cli, tmp_path):
    out = tmp_path / "out"
    _revised_in_git(site, site, run_cli)
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _revision_date(out, "2020-10/index.html") == "2020-12-01"
    _git(site, "rm", "-q", "--cached", "data/ikm.csv")  # same bytes, same commit: only git's view changed
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert _revision_date(out, "2020-10/index.html") == "2021-01-01"  # SOURCE_DATE_EPOCH, as a fresh build says


def test_a_site_in_a_folder_of_a_git_checkout_is_dated_by_its_commits(make_site, run_cli, tmp_path):
    (tmp_path / "repo").mkdir()
    site = make_site({"content/2020-10/index.md": OCTOBER_MD}, name="repo/bulletin")
    _revised_in_git(tmp_path / "repo", site, run_cli)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _revision_date(out, "2020-10/index.html") == "2020-12-01"
    assert len(json.loads((out / "manifest.json").read_text())["commit"]) == 40


def test_a_shallow_clone_or_a_checkout_git_cannot_read_is_a_warning(site, run_cli, tmp_path, monkeypatch):
    """Both dated a published edition's revision wrongly without a word: a shallow clone by its one commit (the
    revision's own is missing), a checkout git refuses (another owner's, a moved worktree) by the clock."""
    _revised_in_git(site, site, run_cli)
    _git(site, "commit", "-q", "--allow-empty", "-m", "later", when="2021-03-01T09:00:00+08:00")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site}", str(shallow)], check=True)
    for said in ("built", "nothing changed"):  # a skipped build says it again
        result = run_cli("build", "--site", shallow, "--out", tmp_path / "out", "--lang", "en", "--cache",
                         tmp_path / "cache")
        assert result.code == 0 and said in result.out and ".git: warning: this git checkout is shallow (cloned " \
            "with a depth), so the revision dates of published editions may be wrong: fetch the whole history" \
            in result.err, result.err
    full = run_cli("build", "--site", site, "--out", tmp_path / "full", "--lang", "en")
    assert full.code == 0 and "checkout is shallow" not in full.err and "cannot read" not in full.err, full.err
    shutil.rmtree(shallow / ".git")
    (shallow / ".git").write_text("gitdir: /nonexistent/worktree\n")  # a worktree whose repository moved
    result = run_cli("build", "--site", shallow, "--out", tmp_path / "out", "--lang", "en")
    assert result.code == 0 and "warning: git cannot read this checkout (not a git repository: " in result.err
    assert "so the revision dates of published editions come from SOURCE_DATE_EPOCH" in result.err, result.err
    from buletin.inputs import clock

    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert clock.checkout(site, published=True) == (None, "the site is in a git checkout, but git is not installed "
                                                    "here, so the build's time and the revision dates of published "
                                                    "editions come from the clock, and change from day to day: install "
                                                    "git")


def test_the_shallow_list_is_read_in_a_worktree_and_follows_a_deepening(site, run_cli, tmp_path):
    """The no-op check read `.git/shallow` only where `.git` is a folder, and only whether it was there: a
    worktree's build kept the shallow warning after `git fetch --unshallow`, and `--deepen` changed nothing."""
    from buletin.inputs import clock

    _revised_in_git(site, site, run_cli)
    _git(site, "commit", "-q", "--allow-empty", "-m", "later", when="2021-03-01T09:00:00+08:00")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site}", str(shallow)], check=True)
    _git(shallow, "worktree", "add", "-q", str(tmp_path / "pohon"))
    one = clock.shallow(shallow)
    assert one and clock.shallow(tmp_path / "pohon") == one and clock.shallow(site) == ""
    _git(shallow, "fetch", "-q", "--deepen=1")
    assert clock.shallow(tmp_path / "pohon") not in ("", one)
    _git(shallow, "fetch", "-q", "--unshallow")
    assert clock.shallow(tmp_path / "pohon") == ""
    assert clock.git_folder(tmp_path / "pohon") == ".git" and clock.git_folder(site / "content") == "../.git"


def test_an_untracked_data_file_is_dated_by_the_build(site, run_cli, tmp_path):
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7401,4300", "2020-10,7401,4400"))
    _git(site, "init", "-q")
    _git(site, "add", "-A", "content", "data/releases", "data/datapackage.yaml", "data/wilayah.csv")
    _git(site, "commit", "-qm", "all but the data", when="2020-12-01T09:00:00+08:00")
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _revision_date(out, "2020-10/index.html") == "2021-01-01"  # SOURCE_DATE_EPOCH, not the commit


ISSUE_13_EDITION = """\
---
summary: Edisi uji November 2020.
highlights:
  - 'Kota Kendari mencatat {{ value("ikm", "unit_usaha", kode_wilayah="7471", periode=edition.period) }} unit.'
figures:
  - {data: ikm, y: unit_usaha, filter: {kode_wilayah: "7401"}, label: unit usaha Buton}
---

Ringkasan edisi November 2020.
"""
BUTON_MD = """\
---
title: Buton
date: 2020-11-10
---

Buton: {{ value("ikm", "unit_usaha", kode_wilayah="7401", periode=edition.period) }} unit usaha,
rata-rata nilai {{ value("ikm", "nilai", agg="mean", digits=2, periode=edition.period) }},
nilai Buton {{ value("ikm", "nilai", kode_wilayah="7401", periode=edition.period, digits=1) }},
yang tetap {{ value("ikm", "unit_usaha", kode_wilayah=["7401", "7402"], status="tetap", periode="2020-10") }}.
"""
MUNA_MD = """\
---
title: Muna
date: 2020-11-11
---

Muna: {{ value("ikm", "unit_usaha", kode_wilayah="7402", periode=edition.period) }} unit usaha;
nilai Buton {{ value("ikm", "nilai", kode_wilayah="7401", periode=edition.period, digits=1) }} juta rupiah.
"""
PLAIN_MD = "---\ntitle: Tanpa angka\ndate: 2020-11-12\n---\n\nTidak ada angka di sini.\n"


def test_the_notice_names_labels_and_shows_only_where_a_quoted_figure_changed(make_site, run_cli, tmp_path):
    site = make_site({"content/2020-11/index.md": ISSUE_13_EDITION, "content/2020-11/buton.md": BUTON_MD,
                      "content/2020-11/muna.md": MUNA_MD, "content/2020-11/tanpa.md": PLAIN_MD})
    assert run_cli("publish", "2020-11", "--site", site).code == 0
    # Buton's units are revised, its nilai only past the quoted digit (400,3 either way); Kendari's row is gone.
    revised = IKM_CSV.replace("2020-11,7401,4321,400.25", "2020-11,7401,4341,400.26") \
        .replace("2020-11,7471,5001,334,sementara\n", "")
    (site / "data/ikm.csv").write_text(revised)
    (site / "data/wilayah.csv").write_text("kode,nama\n7401,Kabupaten Buton\n7402,Muna\n7471,Kota Kendari\n")
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 0, result.err
    edition = _html(out, "2020-11/index.html")
    notice = _notice(edition)
    assert 'href="../data/#ikm"' in notice and "#wilayah" not in notice  # a lookup table is no revised figure
    assert "kode_wilayah" not in notice and "2020-11" not in notice and "7401" not in notice
    # The edition's table: its main point and headline card first, then its articles' figures, by file, each
    # once (Buton's units are quoted by the card and by buton.md); labels as published, from the snapshot.
    figures = re.findall(r'<th scope="row">(.*?)</th>', notice)
    assert figures == ["Unit usaha, Kota Kendari, November 2020", "Unit usaha, Buton, November 2020",
                       "Nilai (rata-rata), November 2020", "Unit usaha, November 2020", "Nilai, November 2020"]
    assert _row(edition, "Unit usaha, Kota Kendari, November 2020") == ["5.001", "–", "–"]
    assert _row(edition, "Unit usaha, Buton, November 2020") == ["4.321", "4.341", "+20 (+0,5%)"]
    assert _row(edition, "Nilai (rata-rata), November 2020") == ["411,50", "450,26", "+38,76 (+9,4%)"]
    assert _row(edition, "Unit usaha, November 2020") == ["13.012", "8.031", "-4.981 (-38,3%)"]
    assert "<caption>Angka yang berubah</caption>" in notice
    assert '<th scope="col" class="num">Saat terbit</th>' in notice
    assert "style=" not in notice
    buton = _html(out, "2020-11/buton/index.html")
    assert re.findall(r'<th scope="row">(.*?)</th>', _notice(buton)) == [
        "Unit usaha, Buton, November 2020", "Nilai (rata-rata), November 2020"]
    assert "Status angka" not in _notice(buton)  # the October figure of two regions did not change
    assert _notice(_html(out, "2020-11/sorotan/index.html"))
    # Muna quotes an unchanged figure and one that reads the same as quoted; the third quotes nothing.
    for quiet in ("muna", "tanpa"):
        page = _html(out, f"2020-11/{quiet}/index.html")
        assert "Revisi data" not in page and 'class="revision"' not in page, quiet


def test_a_filter_without_a_label_keeps_its_column_title_and_english_words(make_site, run_cli, tmp_path):
    october = OCTOBER_MD.replace('periode=edition.period) }} unit usaha.',
                                 'periode=edition.period) }} unit usaha, '
                                 '{{ value("ikm", "unit_usaha", agg="max", status="tetap", periode=edition.period) }}.')
    site = make_site({"content/2020-10/index.md": october,
                      "site.yaml": "title: Test\nlanguage: en\nfrequency: monthly\ntimezone: Asia/Makassar\n"})
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7471,5000", "2020-10,7471,5100"))
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    page = _html(out, "2020-10/index.html")
    assert "Data revised" in _notice(page) and "<caption>Figures that changed</caption>" in _notice(page)
    assert _row(page, "Unit usaha (highest), Status angka tetap, October 2020") == ["5,000", "5,100", "+100 (+2.0%)"]
    assert _row(page, "Unit usaha, October 2020") == ["13,000", "13,100", "+100 (+0.8%)"]


def test_a_published_edition_ignores_revisions_of_data_it_does_not_use(site, run_cli, tmp_path):
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    (site / "data/wilayah.csv").write_text("kode,nama\n7401,Kabupaten Buton\n7402,Muna\n7471,Kota Kendari\n")
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert "Revisi data" not in _html(out, "2020-10/index.html")


def test_the_terms_of_a_change_count_exactly_and_show_their_own_digits(make_site):
    old = load_catalog(make_site(name="old"), Problems())
    new = load_catalog(make_site({"data/ikm.csv": IKM_CSV.replace("2020-10,7401,4300,390.5",
                                                                  "2020-10,7401,4300,390.75")}, name="new"), Problems())

    def record(digits: int | None) -> dict:
        return quote_record("content/2020-10/index.md", "ikm", "nilai", "sum", {"periode": "2020-10"}, 1190.75, digits)

    as_term = find_revision(old, new, "2020-10", [record(None)], Locale("id"))
    assert as_term.datasets == ["ikm"]
    [figure] = as_term.figures
    assert (figure.description, figure.old, figure.new, figure.digits) == ("Nilai, Oktober 2020", 1190.75, 1191.0, 2)
    assert figure.difference == 0.25 and round(figure.percent, 3) == 0.021
    assert find_revision(old, new, "2020-10", [record(0)], Locale("id")).figures == []  # 1.191 as quoted, still
    assert not find_revision(old, new, "2020-11", [record(None)], Locale("id"))  # November's rows are the same
    # Quoted in two places: listed once, for the place where it reads differently.
    article = {**record(None), "source": "content/2020-10/a.md"}
    [both] = find_revision(old, new, "2020-10", [record(0), article], Locale("id")).figures
    assert both.sources == ("content/2020-10/a.md",) and both.digits == 2


def test_a_dataset_renamed_after_publishing_is_named_in_the_snapshot_the_edition_reads(site, run_cli):
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2020-11-05").code == 0
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("- name: ikm", "- name: industri"))
    for text in (site / "content/2020-10/index.md", site / "content/2020-11/sorotan.md"):
        text.write_text(text.read_text().replace('"ikm"', '"industri"').replace("data: ikm", "data: industri"))
    result = run_cli("check", "--site", site)
    assert result.code == 1
    assert "content/2020-10/index.md:10: error: value(): there is no dataset `industri` in " \
        "data/releases/2020-10/datapackage.yaml: a published edition reads the data it was published with" \
        in result.err, result.err
    assert "(known: ikm" in result.err and "2020-11" not in result.err  # the live edition reads the new name


def test_an_edition_published_for_a_later_day_puts_none_of_its_data_online_before_it(site, run_cli, tmp_path):
    assert run_cli("publish", "2020-10", "--site", site, "--date", "2021-02-01").code == 0  # "today": 1 January
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert not (out / "2020-10").exists() and [path for path in listed if path.startswith("2020-10/")] == []
    assert run_cli("build", "--site", site, "--out", tmp_path / "preview", "--drafts").code == 0
    assert (tmp_path / "preview/2020-10/data/ikm.csv").is_file()  # shown with --drafts, its data too


def test_provisional_figures_made_final_are_no_revision_of_the_figures(site, run_cli, tmp_path):
    """The monthly round turns last month's `sementara` into `tetap`: the edition says the status changed, not
    that its data were revised; a value changed as well makes it a revision again."""
    assert run_cli("publish", "2020-11", "--site", site).code == 0
    final = IKM_CSV.replace(",sementara", ",tetap")
    (site / "data/ikm.csv").write_text(final)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    notice = _notice(_html(out, "2020-11/index.html"))
    assert "Status data diperbarui" in notice and "Revisi data" not in notice and "Statistik IKM" in notice
    assert "<table" not in notice and _notice(_html(out, "2020-11/sorotan/index.html")) == ""
    (site / "data/ikm.csv").write_text(final.replace("2020-11,7402,3690", "2020-11,7402,3700"))
    assert run_cli("build", "--site", site, "--out", out).code == 0
    notice = _notice(_html(out, "2020-11/index.html"))
    assert "Revisi data" in notice and "Status data diperbarui" not in notice


def test_numbers_saved_again_in_another_form_are_no_revision(site, run_cli, tmp_path):
    """Excel saves 480 as 480.0 (or the reverse): the same numbers, no notice that the data were revised."""
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    (site / "data/ikm.csv").write_text(IKM_CSV.replace(",480,", ",480.0,").replace(",390.5,", ",3.905e2,"))
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _notice(_html(out, "2020-10/index.html")) == ""


def test_rows_added_to_a_dataset_without_periods_revise_no_edition(make_site):
    """A dataset without a period column grows (a training held after the edition): no revision of what the
    edition saw; a row of it changed or removed is one."""
    old = load_catalog(make_site(name="old"), Problems())

    def revised(wilayah: str) -> list[str]:
        new = load_catalog(make_site({"data/wilayah.csv": wilayah}, name=f"new{len(wilayah)}"), Problems())
        return find_revision(old, new, "2020-10", [], Locale("id"), uses=["wilayah"]).datasets

    assert revised(WILAYAH_CSV + "7403,Kabupaten Konawe\n") == []
    assert revised(WILAYAH_CSV.replace("Muna", "Kabupaten Muna")) == ["wilayah"]
    assert revised("".join(WILAYAH_CSV.splitlines(keepends=True)[:-1])) == ["wilayah"]


def test_a_number_past_decimals_range_compares_as_written():
    """1e1000000 passes a number column's check; comparing the snapshot's rows must not fail on it."""
    from buletin.inputs.revisions import _as_number

    assert _as_number("1e1000000") == "1e1000000" and _as_number("480.0") == _as_number("480") != _as_number("48")


def test_a_dataset_without_periods_is_dated_by_its_revision_not_by_rows_added_after(make_site, run_cli, tmp_path):
    """A region's name corrected on 1 December, a region added on 10 December: the revision came in on the 1st."""
    site = make_site({"content/2020-10/index.md": OCTOBER_MD + "\nWilayah: {{ value('wilayah', 'kode', "
                                                               "agg='count') }}.\n"})
    out = tmp_path / "out"
    wilayah = site / "data/wilayah.csv"
    _published_in_git(site, run_cli)
    wilayah.write_text(WILAYAH_CSV.replace("7402,Muna", "7402,Kabupaten Muna"))
    _commit(site, "2020-12-01T09:00:00+08:00")
    wilayah.write_text(wilayah.read_text() + "7403,Kabupaten Konawe\n")
    _commit(site, "2020-12-10T09:00:00+08:00")
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert "Revisi data" in _notice(_html(out, "2020-10/index.html"))
    assert _revision_date(out, "2020-10/index.html") == "2020-12-01"
