"""What tools/panduan.py reads and makes besides sites: the staff guide's marked examples (docs/panduan/),
the Excel traps of its wrong examples, and the text and files of a built page.

tools/panduan.py builds and compares them; its docstring lists the markers.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "panduan"
MAIN = "utama"

_MARKER = re.compile(r"^<!--\s*(?P<kind>[a-z]+)(?:@(?P<site>[\w-]+))?\s*(?::\s*(?P<target>.*?))?\s*-->\s*$")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_IMAGE = re.compile(r"^!\[[^\]]*\]\((?P<path>[^)\s]+)\)")
_NO_BLOCK = {"salah", "contoh"}  # with a recipe (`| ...`) they have no block


@dataclass(frozen=True)
class Block:
    """One marked example of the guide: its kind, scenario, target and text, and where it stands."""

    kind: str
    site: str
    target: str
    text: str
    where: str  # docs/panduan/FILE.md:LINE, for messages

    @property
    def recipe(self) -> str:
        """`gabung F10:G10` of `data/pelatihan.xlsx | gabung F10:G10`; empty without one."""
        return self.target.partition("|")[2].strip()

    @property
    def path(self) -> str:
        return self.target.partition("|")[0].strip()


# ---------------------------------------------------------------- reading the guide


def guide_files(guide: Path = GUIDE) -> list[Path]:
    """The guide's pages in reading order: README.md, then the chapters by file name."""
    pages = sorted(p for p in guide.glob("*.md") if p.name != "README.md")
    return [guide / "README.md", *pages] if (guide / "README.md").exists() else pages


def blocks(guide: Path = GUIDE) -> list[Block]:
    """Every marked example of the guide, in reading order."""
    found: list[Block] = []
    for page in guide_files(guide):
        found.extend(page_blocks(page.read_text(encoding="utf-8"), page.relative_to(ROOT).as_posix()))
    return found


def page_blocks(text: str, name: str) -> list[Block]:
    """The marked examples of one page."""
    lines = text.split("\n")
    found = []
    for number, line in enumerate(lines):
        match = _MARKER.match(line.strip())
        if not match:
            continue
        kind, target = match["kind"], match["target"] or ""
        body = "" if kind in _NO_BLOCK and "|" in target else _next_element(lines, number + 1, f"{name}:{number + 1}")
        found.append(Block(kind, match["site"] or MAIN, target, body, f"{name}:{number + 1}"))
    return found


def _next_element(lines: list[str], start: int, where: str) -> str:
    """The fenced block, blockquote or picture that follows a marker (blank lines skipped)."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    line = lines[index] if index < len(lines) else ""
    fence = _FENCE.match(line)
    if fence:
        return _fenced(lines, index, fence["fence"], where)
    image = _IMAGE.match(line)
    if image:
        return image["path"]
    if line.startswith(">"):
        quoted = []
        while index < len(lines) and lines[index].startswith(">"):
            quoted.append(lines[index][1:].removeprefix(" "))
            index += 1
        return "\n".join(quoted)
    raise ValueError(f"{where}: a marker must be followed by a fenced block, a blockquote or a picture")


def _fenced(lines: list[str], index: int, fence: str, where: str) -> str:
    body = []
    for line in lines[index + 1:]:
        if line.strip() == fence[0] * len(line.strip()) and len(line.strip()) >= len(fence):
            return "\n".join(body) + "\n"
        body.append(line)
    raise ValueError(f"{where}: the fenced block is not closed")


# ---------------------------------------------------------------- Excel traps, made with openpyxl


def excel_trap(path: Path, recipe: str) -> None:
    """Make one of the traps the guide shows in the sample's workbook: `gabung F10:G10` (merged cells),
    `rumus H7` (a formula saved by a program, without its value), `teks H7 1.250` (a number typed as text),
    `serial B5 44028` (a date shown as a number) or `tersembunyi Catatan` (a hidden sheet in front)."""
    import openpyxl

    verb, *args = recipe.split()
    book = openpyxl.load_workbook(path)
    sheet = book["Pelatihan"]
    traps: dict[str, Callable[[], None]] = {
        "gabung": lambda: sheet.merge_cells(args[0]),
        "rumus": lambda: sheet.__setitem__(args[0], "=20+5"),
        "teks": lambda: _set(sheet, args[0], args[1], "@"),
        "serial": lambda: _set(sheet, args[0], int(args[1]), "General"),
        "tersembunyi": lambda: _hidden_sheet(book, args[0]),
    }
    traps[verb]()
    book.save(path)


def _set(sheet, cell: str, value: object, number_format: str) -> None:
    sheet[cell] = value
    sheet[cell].number_format = number_format


def _hidden_sheet(book, title: str) -> None:
    notes = book.create_sheet(title, 0)
    notes["A1"] = "Catatan petugas data: angka Desember menyusul."
    notes.sheet_state = "hidden"


# ---------------------------------------------------------------- reading the output


def page_address(path: str) -> str:
    """`content/2020-11/grafik-batang.md` -> `2020-11/grafik-batang/`; `content/pages/kontak.md` -> `kontak/`."""
    rel = path.removeprefix("content/").removeprefix("pages/").removesuffix(".md").removesuffix("index")
    return rel.rstrip("/") + "/"


def page_text(out: Path, address: str) -> str:
    """The visible text of a built page (its index.html), on one line."""
    path = out / address / "index.html" if not address.endswith(".html") else out / address
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return normalised(html.unescape(re.sub(r"<[^>]+>", " ", text)))


def normalised(text: str) -> str:
    """Runs of white space as one space; no space before punctuation that markup tags leave apart."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([.,;:)])", r"\1", re.sub(r"([(]) ", r"\1", text))


def paragraphs(text: str) -> list[str]:
    """A `hasil` block's paragraphs (parted by blank lines), each on one line; a Markdown table's cells are read
    as the page shows them, one after the other."""
    lines = [" ".join(c.strip() for c in line.strip().strip("|").split("|")) if line.strip().startswith("|")
             else line for line in text.split("\n") if not re.fullmatch(r"\s*\|[-:| ]+\|\s*", line)]
    return [normalised(p) for p in re.split(r"\n\s*\n", "\n".join(lines)) if p.strip()]


def output_file(out: Path, target: str, suffix: str = ".csv") -> Path:
    """`2020-11/grafik-tabel/tabel-1` -> the page's file named `tabel-1-HASH.csv`."""
    folder, _, prefix = target.rpartition("/")
    found = sorted((out / folder).glob(f"{prefix}-*{suffix}"))
    if len(found) != 1:
        raise FileNotFoundError(f"{out / folder}: {len(found)} files named {prefix}-*")
    return found[0]


def figure_svg(out: Path, target: str) -> bytes:
    """`2020-11/grafik-batang/` (its first figure) or `2020-11/grafik-batang/#2` -> the SVG drawn."""
    address, _, number = target.partition("#")
    return output_file(out, f"{address.rstrip('/')}/gambar-{number or 1}", ".svg").read_bytes()


def matches(expected: str, line: str) -> bool:
    """An expected line as the guide shows it, where `...` stands for any text."""
    pattern = ".*".join(re.escape(part) for part in expected.strip().split("..."))
    return re.fullmatch(pattern, line.strip()) is not None
