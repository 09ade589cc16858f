"""Versioned editions: publish, snapshots, revision notices, reproducible and atomic output."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from buletin.inputs.releases import mark_published
from buletin.outputs.writer import sha256, site_lock

from .conftest import IKM_CSV

BUILD_PY = Path(__file__).resolve().parent.parent / "build.py"
OCTOBER_MD = """\
---
summary: Edisi uji Oktober 2020.
# a comment that must survive publishing
figures:
  - {data: ikm, y: unit_usaha, label: unit usaha}
---

Pada Oktober 2020 tercatat {{ value("ikm", "unit_usaha", periode=edition.period) }} unit usaha.
"""


@pytest.fixture
def site(make_site):
    return make_site({"content/2020-10/index.md": OCTOBER_MD})


def _html(out: Path, page: str) -> str:
    return (out / page).read_text(encoding="utf-8")


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


def test_publish_twice_is_refused_unless_forced(site, run_cli):
    assert run_cli("publish", "2020-10", "--site", site).code == 0
    again = run_cli("publish", "2020-10", "--site", site)
    assert again.code == 1
    assert "content/2020-10/index.md:" in again.err and "already published" in again.err
    assert run_cli("publish", "2020-10", "--site", site, "--force").code == 0


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
    assert "Revisi data" in after and "semula 13.000, kini 13.100" in after
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
    assert "data/releases/2020-10/ikm.csv: error: published snapshot was changed" in result.err
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


def test_a_second_build_is_refused_while_one_runs(site, tmp_path):
    out = tmp_path / "out"
    with site_lock(site):  # as a running build holds it
        second = subprocess.run([sys.executable, str(BUILD_PY), "--site", str(site), "--out", str(out)],
                                capture_output=True, text=True)
    assert second.returncode == 1
    assert "another build or publish" in second.stderr and f"build, process {os.getpid()}" in second.stderr
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
    assert "semula 13.012, kini 13.022" in article
    assert "Nilai" not in article.split('class="revision"')[1].split("</aside>")[0]
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
