"""How tools/panduan.py compares what the staff guide shows with what the engine does: a page's text, a
download, a quoted file, the errors of a wrong example."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from panduan_io import MAIN, ROOT, Block, output_file, page_text, paragraphs


def main_differences(block: Block, out: Path) -> list[str]:
    if block.site != MAIN:
        return []
    if block.kind == "hasil":
        return shown_differences(block, out)
    if block.kind == "unduhan" and output_file(out, block.target).read_text(encoding="utf-8") != block.text:
        return [f"{block.where}: {block.target} differs:\n{output_file(out, block.target).read_text('utf-8')}"]
    if block.kind == "cuplikan":
        return quote_differences(block)
    return []


def shown_differences(block: Block, out: Path) -> list[str]:
    """The paragraphs of a `hasil` that its page does not show, each with what the page has there instead."""
    try:
        text = page_text(out, block.target)
    except FileNotFoundError:
        return [f"{block.where}: no page {block.target} was built"]
    return [f"{block.where}: {block.target} does not show:\n  {p}\nit shows:\n  {_near(text, p)}"
            for p in paragraphs(block.text) if p not in text]


def _near(text: str, expected: str) -> str:
    """The page's text where an expected paragraph would stand (found by its first words)."""
    for size in (40, 20, 10):
        at = text.find(expected[:size])
        if at >= 0:
            return text[at:at + len(expected) + 60]
    return text[-1500:]


def quote_differences(block: Block) -> list[str]:
    """A `cuplikan` whose lines are not, in order, lines of the sample site's file."""
    lines = iter(line.strip() for line in (ROOT / block.target).read_text(encoding="utf-8").splitlines())
    missing = [q for q in (q.strip() for q in block.text.splitlines()) if q and q not in lines]
    return [f"{block.where}: {block.target} has no line (in this order) `{q}`" for q in missing]


def wrong_differences(example: Any) -> list[str]:  # a panduan.Wrong (imported there, not here: no circle)
    """The error lines a wrong example gave, against those the guide shows (both ways)."""
    assert example.run is not None
    errors = [line.strip() for line in example.run.lines if ": error: " in line]
    where = example.block.where
    if example.run.code != 1 or not example.expected:
        return [f"{where}: expected exit 1 and a `pesan`; got exit {example.run.code}:\n{example.run.err}"]
    expected = [e.strip() for e in example.expected]
    unmatched = [e for e in expected if e not in errors]
    unexpected = [line for line in errors if line not in expected]
    return [f"{where}: the guide shows `{e}`; the engine printed:\n" + "\n".join(errors) for e in unmatched] + \
        [f"{where}: the engine also printed `{line}`, which the guide does not show" for line in unexpected]
