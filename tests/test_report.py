"""Problems as CI services read them: GitHub workflow commands and GitLab Code Quality (CONTRACT §11)."""
from __future__ import annotations

import json

from buletin.problems import Problem
from buletin.report import github_command


def test_github_command_escapes_what_the_runner_requires():
    problem = Problem("data/ikm.csv", 4, "100% wrong: a\nb\rc")
    assert github_command(problem, "site/data/ikm,x.csv") == (
        "::error file=site/data/ikm%2Cx.csv,line=4,title=buletin::100%25 wrong: a%0Ab%0Dc")


def test_a_workbook_cell_is_named_in_the_message_and_the_file_is_pointed_at():
    problem = Problem("data/pelatihan.xlsx", None, "peserta: `dua` is not a whole number", "Pelatihan!D7")
    assert github_command(problem, "data/pelatihan.xlsx") == (
        "::error file=data/pelatihan.xlsx,title=buletin::Pelatihan!D7: peserta: `dua` is not a whole number")


def test_a_file_named_with_terminal_codes_is_shown_escaped(make_site, run_cli):
    """The message escaped ESC, the path before it did not: `a<ESC>[2Kb.md` cleared the terminal's line."""
    site = make_site({"content/2020-11/a\x1b[2Kb.md": "---\ntitle: A\n---\nIsi.\n"})
    result = run_cli("check", "--site", site, "--lang", "en")
    assert result.code == 1 and "\x1b" not in result.err
    assert "content/2020-11/a\\x1b[2Kb.md:2: error: missing required front-matter key `date`" in result.err, result.err


def test_build_in_github_actions_prints_a_workflow_command_per_error(make_site, run_cli, tmp_path, monkeypatch,
                                                                     capfd):
    site = make_site({"data/ikm.csv": "periode,kode_wilayah,unit_usaha,nilai,status\n"
                                      "2020-11,7401,-3,1,tetap\n"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1
    assert "site/data/ikm.csv:2: error: unit_usaha: -3 is below 0" not in result.err  # paths: site's own
    assert "data/ikm.csv:2: error: unit_usaha: -3 is below 0, the smallest value" in result.err
    assert "::error file=site/data/ikm.csv,line=2,title=buletin::unit_usaha: -3 is below 0, the smallest" in result.out


def test_gitlab_format_writes_code_quality_report(make_site, run_cli, tmp_path, monkeypatch):
    site = make_site({"data/ikm.csv": "periode,kode_wilayah,unit_usaha,nilai,status\n"
                                      "2020-11,7401,-3,1,tetap\n"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run_cli("check", "--site", site, "--format", "gitlab")
    assert result.code == 1
    issues = json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    found = [i for i in issues if i["location"] == {"path": "site/data/ikm.csv", "lines": {"begin": 2}}]
    assert found and found[0]["severity"] == "major" and "is below 0, the smallest value" in found[0]["description"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    good = make_site(name="good")
    assert run_cli("check", "--site", good, "--format", "gitlab").code == 0
    assert json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8")) == []


def test_usage_errors_exit_2_and_create_nothing(make_site, run_cli, tmp_path, tree_snapshot):
    site = make_site()
    foreign = tmp_path / "dokumen"
    foreign.mkdir()
    (foreign / "catatan.txt").write_text("jangan dihapus\n", encoding="utf-8")
    before = tree_snapshot(tmp_path)
    for args in (["--jobs", "0"], ["--jobs", "-3"], ["--cache", str(foreign)], ["--cache", str(site)],
                 ["--cache", str(site / "data" / "cache")], ["--cache", str(tmp_path / "out" / "c")]):
        result = run_cli("build", "--site", site, "--out", tmp_path / "out", *args)
        assert result.code == 2, (args, result)
        assert "Traceback" not in result.err and result.err.strip()
    assert tree_snapshot(tmp_path) == before


def test_a_gitlab_report_that_cannot_be_written_is_a_warning_not_a_traceback(make_site, run_cli, monkeypatch,
                                                                             tmp_path):
    """A folder named gl-code-quality-report.json (or a read-only workspace) gave IsADirectoryError's traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gl-code-quality-report.json").mkdir()
    result = run_cli("check", "--site", make_site(), "--format", "gitlab")
    assert result.code == 0 and "Traceback" not in result.err
    assert "buletin: warning: cannot write GitLab's report gl-code-quality-report.json" in result.err
