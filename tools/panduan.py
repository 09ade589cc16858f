"""Build the examples of the staff guide (docs/panduan/) and write its pictures into docs/panduan/gambar/.

    python tools/panduan.py            # build the examples, write the pictures
    python tools/panduan.py --periksa  # build them and print every place where the guide and the engine differ

Every example of the guide is a fenced block (or a picture) after an HTML comment that GitHub does not show:

    <!-- contoh: content/2020-11/grafik-batang.md -->     a file of the guide's site; a block that does not
                                                          start with `---` gets a plain article front matter
    <!-- salah: content/2020-11/kolom-salah.md -->        a wrong file, checked in a site of its own ...
    <!-- salah: data/pelatihan.xlsx | gabung F10:G10 -->  ... or the sample's workbook with an Excel trap made
                                                          (a `contoh` with a trap: the guide's site has it too)
    <!-- pesan -->                                        every error line the last `salah` gives, and only those
    <!-- hasil: 2020-11/grafik-batang/ -->                text the built page shows (blank lines part it)
    <!-- unduhan: 2020-11/grafik-tabel/tabel-1 -->        a file of the built page, byte for byte
    <!-- gambar: 2020-11/grafik-batang/ -->               the picture is that page's first figure (`/#2`: the 2nd)
    <!-- cuplikan: data/datapackage.yaml -->              lines quoted, in order, from the sample site's file

A scenario is a site of its own that changes step by step, in the order of the guide (`@NAME` after the kind):
`contoh@NAME: PATH` writes a file, `koreksi@NAME: PATH` applies a ```diff block, `perintah@NAME` runs each
`python build.py ...` line of a block in the site's folder, `keluaran@NAME` lists lines that the last
`perintah` printed (`...` stands for any text), `hasil@NAME: ADDRESS` reads the site's output/.

The guide's site is the sample site's site.yaml, data/ (without releases/) and pictures, with every `contoh`;
a wrong example's site has the sample's settings and data, the guide's edition for an article, and the wrong
file; a scenario's site has the sample's settings and data and the guide's editions. Commands run in this
process, at 2021-01-01 (SOURCE_DATE_EPOCH), as tests/conftest.py runs them. tests/test_panduan.py builds all
of it and fails where the guide and the engine differ.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by file by the tests

from panduan_compare import main_differences, shown_differences, wrong_differences
from panduan_io import (
    GUIDE,
    MAIN,
    ROOT,
    Block,
    blocks,
    excel_trap,
    figure_svg,
    matches,
)

PICTURES = GUIDE / "gambar"
PICTURES_README = PICTURES / "README.md"
EPOCH = "1609459200"  # 2021-01-01, as tests/conftest.py: after every date of the sample site
LIBRARIES = ("matplotlib", "babel")  # what decides the bytes of a chart's SVG
FRONT = "---\ntitle: Contoh {name}\ndate: 2020-11-09\n---\n\n"
EMPTY_EDITION = "---\nsummary: Edisi contoh.\n---\n"

@dataclass
class Run:
    """A command's exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.out + self.err).splitlines() if line.strip()]


@dataclass
class Wrong:
    """A `salah` example, the error lines the guide shows for it, and what the engine printed."""

    block: Block
    expected: list[str] = field(default_factory=list)
    run: Run | None = None


# ---------------------------------------------------------------- the sites


def base_files(root: Path = ROOT, pictures: bool = True) -> dict[str, bytes]:
    """The sample site's settings, data (snapshots left out) and pictures: what every example site starts with."""
    files = {"site.yaml": (root / "site.yaml").read_bytes()}
    for path in sorted((root / "data").rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith("data/releases/"):
            files[rel] = path.read_bytes()
    for path in sorted((root / "content").rglob("*") if pictures else ()):
        if path.is_file() and path.suffix != ".md":
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def example_text(block: Block) -> str:
    """A `contoh` or `salah` block as its file: a body alone gets a plain article front matter."""
    if block.text.startswith("---") or not block.path.endswith(".md") or block.path.endswith("/index.md"):
        return block.text
    return FRONT.format(name=Path(block.path).stem) + block.text


def site_files(found: list[Block], site: str = MAIN) -> dict[str, bytes]:
    """The sample's base files with every `contoh` of a site (the last one of a path wins)."""
    files = base_files()
    for block in found:
        if block.kind == "contoh" and block.site == site and not block.recipe:
            files[block.path] = example_text(block).encode("utf-8")
    return files


def main_site(folder: Path, found: list[Block]) -> Path:
    """The guide's site written into `folder`: site_files, then the Excel recipes of its `contoh` blocks."""
    write_site(folder, site_files(found))
    for block in found:
        if block.kind == "contoh" and block.site == MAIN and block.recipe:
            excel_trap(folder / block.path, block.recipe)
    return folder


def write_site(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def wrong_site(folder: Path, block: Block, main_files: dict[str, bytes]) -> Path:
    """A site for one `salah` example: the base, an edition for an article, and the wrong file or trap."""
    files = base_files(pictures=False)
    parts = block.path.split("/")
    if parts[0] == "content" and len(parts) == 3 and parts[1] != "pages" and parts[2] != "index.md":
        edition = f"content/{parts[1]}/index.md"
        files[edition] = main_files.get(edition, EMPTY_EDITION.encode())
    write_site(folder, files)
    (folder / "content").mkdir(exist_ok=True)
    if block.recipe:
        excel_trap(folder / block.path, block.recipe)
    else:
        (folder / block.path).write_text(example_text(block), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- running buletin


def run(args: list[str], cwd: Path | None = None) -> Run:
    """buletin's command line in this process, at a fixed time, with what it printed."""
    from buletin.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _environment(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _environment(cwd: Path | None) -> Iterator[None]:
    pinned = {"SOURCE_DATE_EPOCH": EPOCH, "BULETIN_LANG": "id"}  # the guide quotes messages as staff see them
    before, here = {name: os.environ.get(name) for name in pinned}, Path.cwd()
    os.environ.update(pinned)
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(here)
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def build(site: Path, out: Path, cache: Path) -> Run:
    return run(["build", "--site", site, "--out", out, "--cache", cache, "--quiet"])


def check(site: Path, cache: Path) -> Run:
    return run(["check", "--site", site, "--cache", cache, "--quiet"])


def command_args(line: str) -> list[str] | None:
    """`python build.py publish 2020-11` -> ["publish", "2020-11"]; None for a line that is not a command."""
    words = shlex.split(line, comments=True)
    return words[2:] if words[:2] == ["python", "build.py"] else None


# ---------------------------------------------------------------- the examples, built


@dataclass
class Built:
    """The guide's examples built: the main site's output and run, and each wrong example's run."""

    blocks: list[Block]
    out: Path
    main: Run
    wrong: list[Wrong]


def wrong_examples(found: list[Block]) -> list[Wrong]:
    """Each `salah` with the lines of the `pesan` that follows it."""
    wrong: list[Wrong] = []
    for block in found:
        if block.kind == "salah":
            wrong.append(Wrong(block))
        elif block.kind == "pesan":
            if not wrong or wrong[-1].expected:
                raise ValueError(f"{block.where}: a `pesan` must follow its `salah`")
            wrong[-1].expected = [line for line in block.text.splitlines() if line.strip()]
    return wrong


def build_all(folder: Path, found: list[Block] | None = None) -> Built:
    """Build the main site and check every wrong example, under `folder`."""
    found = blocks() if found is None else found
    files = site_files(found)
    site, out, cache = main_site(folder / "utama", found), folder / "out", folder / "cache"
    main = build(site, out, cache)
    wrong = wrong_examples(found)
    for number, example in enumerate(wrong, start=1):
        example.run = check(wrong_site(folder / f"salah-{number}", example.block, files), cache)
    return Built(found, out, main, wrong)


def scenarios(found: list[Block]) -> list[str]:
    """The names of the guide's scenarios, in reading order."""
    return list(dict.fromkeys(b.site for b in found if b.site != MAIN))


def run_scenario(folder: Path, name: str, found: list[Block]) -> list[str]:
    """Play a scenario, step by step, in a site of the sample's data and the guide's editions; the differences
    from what the guide says."""
    editions = {b.path: example_text(b).encode() for b in found
                if b.kind == "contoh" and b.site == MAIN and re.fullmatch(r"content/[^/]+/index\.md", b.path)}
    site = write_site(folder / name, {**base_files(pictures=False), **editions})
    last: Run | None = None
    problems: list[str] = []
    steps = [b for b in found if b.site == name]
    for index, block in enumerate(steps):
        if block.kind == "perintah":
            last = _commands(block, site)
            shown = steps[index + 1].text if index + 1 < len(steps) and steps[index + 1].kind == "keluaran" else ""
            if last.code and ": error: " not in shown:  # a command may fail where the guide shows its error
                problems.append(f"{block.where}: exit {last.code}:\n{last.err}")
        elif block.kind == "keluaran":
            shown = last.lines if last else []
            problems.extend(f"{block.where}: the command did not print `{e}`; it printed:\n" + "\n".join(shown)
                            for e in block.text.splitlines() if e.strip() and not any(matches(e, s) for s in shown))
        else:
            problems.extend(_scenario_step(block, site))
    return problems


def _commands(block: Block, site: Path) -> Run:
    """Each `python build.py ...` line of a block, in the site's folder; stops at the first that fails."""
    total = Run(0, "", "")
    for args in (a for a in map(command_args, block.text.splitlines()) if a is not None):
        result = run(args, cwd=site)
        total = Run(result.code, total.out + result.out, total.err + result.err)
        if result.code:
            break
    return total


def _scenario_step(block: Block, site: Path) -> list[str]:
    """A file written (`contoh`), corrected (`koreksi`) or a page read (`hasil`) in a scenario's site."""
    if block.kind == "contoh":
        (site / block.path).write_text(example_text(block), encoding="utf-8")
    elif block.kind == "koreksi":
        return apply_diff(site / block.path, block)
    elif block.kind == "hasil":
        return shown_differences(block, site / "output")
    return []


def apply_diff(path: Path, block: Block) -> list[str]:
    """Apply a ```diff block: its ` ` and `-` lines, found once in the file in that order, become its ` ` and
    `+` lines."""
    lines = path.read_text(encoding="utf-8").split("\n")
    hunk = [line for line in block.text.splitlines() if line[:1] in (" ", "-", "+")]
    old = [line[1:] for line in hunk if line[0] != "+"]
    new = [line[1:] for line in hunk if line[0] != "-"]
    starts = [i for i in range(len(lines) - len(old) + 1) if lines[i:i + len(old)] == old]
    if len(starts) != 1:
        return [f"{block.where}: the lines of the diff are found {len(starts)} times in {block.path}, not once"]
    path.write_text("\n".join(lines[:starts[0]] + new + lines[starts[0] + len(old):]), encoding="utf-8")
    return []


def pictures(built: Built) -> dict[Path, bytes]:
    """Each `gambar` of the guide: where the guide shows it, and the SVG the engine draws for it."""
    found: dict[Path, bytes] = {}
    for block in built.blocks:
        if block.kind == "gambar":
            found[(GUIDE / block.text).resolve()] = figure_svg(built.out, block.target)
    return found


def libraries() -> str:
    """`matplotlib 3.11.2, babel 2.19.0`: the versions the pictures were drawn with."""
    from buletin.build.state import versions

    found = dict(versions())
    return ", ".join(f"{name} {found.get(name, '-')}" for name in LIBRARIES)


def pictures_readme() -> str:
    return ("# Gambar panduan\n\n"
            "Gambar di folder ini dibuat otomatis dari contoh-contoh panduan oleh perintah\n"
            "`python tools/panduan.py` (dari folder utama proyek). Jangan diubah dengan tangan: setiap gambar\n"
            "adalah grafik yang digambar buletin untuk contohnya, dan pengujian gagal bila keduanya berbeda.\n\n"
            f"Digambar dengan: {libraries()}\n")


def differences(built: Built) -> list[str]:
    """Every place where the guide says something the engine does not do (empty when they agree)."""
    found = [f"the guide's site did not build (exit {built.main.code}):\n{built.main.err}"] if built.main.code else []
    for block in built.blocks:
        found.extend(main_differences(block, built.out))
    for example in built.wrong:
        found.extend(wrong_differences(example))
    return found


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="panduan-") as folder:
        built = build_all(Path(folder))
        problems = differences(built)
        for name in scenarios(built.blocks):
            problems.extend(run_scenario(Path(folder), name, built.blocks))
        if "--periksa" in argv:
            print("\n\n".join(problems) or "panduan: every example agrees with the engine")
            return 1 if problems else 0
        if built.main.code:
            print(problems[0], file=sys.stderr)
            return 1
        drawn = pictures(built)
    PICTURES.mkdir(parents=True, exist_ok=True)
    for path, svg in drawn.items():
        path.write_bytes(svg)
    PICTURES_README.write_text(pictures_readme(), encoding="utf-8")
    stale = sorted(p.name for p in PICTURES.glob("*.svg") if p.resolve() not in drawn)
    print(f"panduan: wrote {len(drawn)} pictures into {PICTURES.relative_to(ROOT)}"
          + (f"; not used by the guide: {', '.join(stale)}" if stale else ""))
    for line in problems:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
