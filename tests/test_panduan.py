"""The staff guide (docs/panduan/) against the engine: every example of the guide is built, and what the guide
says happens is what happens.

tools/panduan.py reads the guide's marked examples (its docstring lists the markers), writes the guide's site
(the sample site's data with every `contoh`), builds it with the real command line, checks each wrong example
in a site of its own and plays each scenario step by step. These tests assert each claim one by one: a page
shows the text the guide quotes, a wrong file gives exactly the error lines the guide shows, a download has
the bytes shown, a stored picture is the SVG the engine draws now. They also check that the guide documents
every front-matter key, chart key and type, and schema rule that the engine accepts, and that it links to
nothing outside the repository.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import get_args

import pytest

from buletin.messages import VARIABLE

ROOT = Path(__file__).resolve().parents[1]


def _tool() -> ModuleType:
    """tools/panduan.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("panduan", ROOT / "tools" / "panduan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["panduan"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


panduan = _tool()
panduan_io = sys.modules["panduan_io"]  # what panduan.py imported: reading the guide and the output
BLOCKS = panduan.blocks()
MAIN_CLAIMS = [b for b in BLOCKS if b.site == panduan.MAIN and b.kind in ("hasil", "unduhan", "cuplikan")]
PICTURES = [b for b in BLOCKS if b.kind == "gambar"]
WRONG = panduan.wrong_examples(BLOCKS)
CHAPTERS = {p.name: p.read_text(encoding="utf-8") for p in panduan_io.guide_files()}


def chapter(prefix: str) -> str:
    return next(text for name, text in CHAPTERS.items() if name.startswith(prefix))


# The guide quotes messages as staff see them: in the language of the sample site (Indonesian).
MESSAGE_LANGUAGE = "id"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> panduan.Built:
    """The guide's site built and every wrong example checked, once for this module."""
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv(VARIABLE, MESSAGE_LANGUAGE)
        return panduan.build_all(tmp_path_factory.mktemp("panduan"), BLOCKS)


# ---------------------------------------------------------------- the examples, built


def test_the_guides_site_builds_without_a_problem(built):
    assert built.main.code == 0, built.main.err
    assert not [line for line in built.main.lines if ": error: " in line or "warning" in line], built.main.err


@pytest.mark.parametrize("block", MAIN_CLAIMS, ids=lambda b: f"{b.kind}@{b.where}")
def test_what_the_guide_shows_is_what_the_page_shows(built, block):
    """A `hasil` is shown on its page, an `unduhan` is the download byte for byte, a `cuplikan` is quoted from
    the sample site's file."""
    assert not panduan.main_differences(block, built.out)


@pytest.mark.parametrize("example", WRONG, ids=lambda w: w.block.where)
def test_a_wrong_example_gives_exactly_the_messages_shown(built, example):
    found = next(w for w in built.wrong if w.block.where == example.block.where)
    assert not panduan.wrong_differences(found)


@pytest.mark.parametrize("name", panduan.scenarios(BLOCKS))
def test_a_scenario_runs_as_the_guide_tells_it(tmp_path, name):
    """Commands print what the guide shows, corrections apply, and the pages then show what it says."""
    assert not panduan.run_scenario(tmp_path, name, BLOCKS)


# ---------------------------------------------------------------- the pictures


def _drawn_with() -> str:
    found = re.search(r"^Digambar dengan: (.+)$", panduan.PICTURES_README.read_text(encoding="utf-8"), re.M)
    assert found, f"{panduan.PICTURES_README} names no library versions"
    return found.group(1)


@pytest.mark.parametrize("block", PICTURES, ids=lambda b: b.text)
def test_a_picture_is_the_svg_the_engine_draws_for_its_example(built, block):
    stored = (panduan.GUIDE / block.text).read_bytes()
    drawn = panduan.figure_svg(built.out, block.target)
    if stored != drawn and _drawn_with() != panduan.libraries():
        pytest.skip(f"the pictures were drawn with {_drawn_with()}; installed: {panduan.libraries()}; "
                    "run `python tools/panduan.py` to draw them again")
    assert stored == drawn, f"{block.text} is not what the engine draws now: run `python tools/panduan.py`"


def test_every_picture_is_used_and_every_used_picture_is_stored():
    used = {(panduan.GUIDE / b.text).resolve() for b in PICTURES}
    stored = {p.resolve() for p in panduan.PICTURES.glob("*.svg")}
    assert used == stored, f"used but missing: {sorted(used - stored)}; stored but unused: {sorted(stored - used)}"


# ---------------------------------------------------------------- the tests can fail


def test_a_number_the_page_does_not_show_is_caught(built):
    claim = next(b for b in MAIN_CLAIMS if b.kind == "hasil" and re.search(r"\d\.\d{3}", b.text))
    wrong = dataclasses.replace(claim, text=re.sub(r"(\d)\.(\d{3})", r"\1.9\2", claim.text, count=1))
    assert panduan.main_differences(wrong, built.out)


def test_a_message_the_engine_does_not_print_is_caught(built):
    example = built.wrong[0]
    assert panduan.wrong_differences(dataclasses.replace(example, expected=[*example.expected[:-1], "x: error: y"]))
    assert panduan.wrong_differences(dataclasses.replace(example, expected=example.expected[:-1] or ["x"]))


# ---------------------------------------------------------------- what the guide covers


def _documented(text: str, key: str) -> bool:
    """A key is a row of one of the chapter's tables: | `key` | ..."""
    return re.search(rf"^\| `{re.escape(key)}` \|", text, re.M) is not None


def test_every_front_matter_key_is_documented():
    from buletin.inputs.frontmatter import ArticleMeta, EachSpec, EditionMeta, HeadlineSpec, PageMeta
    from buletin.inputs.schema import keys_of

    for cls, text in ((EditionMeta, chapter("02")), (HeadlineSpec, chapter("02")), (ArticleMeta, chapter("02")),
                      (PageMeta, chapter("02")), (EachSpec, chapter("05"))):
        missing = [k for k in keys_of(cls) if not _documented(text, k)]
        assert not missing, f"{cls.__name__}: no table row for {missing}"


def test_every_chart_key_and_type_is_documented_with_an_example():
    from buletin.compose.chartspec import CHART_TYPES, ChartSpec
    from buletin.inputs.schema import keys_of

    text = chapter("04")
    assert not [k for k in keys_of(ChartSpec) if not _documented(text, k)]
    for kind in CHART_TYPES:
        examples = [b for b in BLOCKS if b.kind == "contoh" and re.search(rf"^type: {kind}$", b.text, re.M)]
        assert examples, f"no example of `type: {kind}`"
        pages = tuple(panduan_io.page_address(b.path) for b in examples)
        shown = "unduhan" if kind == "table" else "gambar"  # a table is not drawn: the guide shows its download
        assert [b for b in BLOCKS if b.kind == shown and b.target.startswith(pages)], \
            f"`type: {kind}` has no {shown} in the guide"


def test_every_aggregate_and_schema_rule_is_explained():
    from buletin.inputs.frontmatter import Aggregate
    from buletin.inputs.packagedecl import FIELD_TYPES, ConstraintsDecl, SchemaDecl
    from buletin.inputs.schema import keys_of

    assert [a for a in get_args(Aggregate) if f'`"{a}"`' not in chapter("03")] == []
    data = chapter("06")
    missing = [k for k in (*keys_of(ConstraintsDecl), *keys_of(SchemaDecl), *FIELD_TYPES) if f"`{k}`" not in data]
    assert not missing, f"chapter 6 does not explain {missing}"


# ---------------------------------------------------------------- links


def _prose(text: str) -> str:
    """The guide's text without fenced blocks and inline code: what GitHub renders as links."""
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_links_lead_to_files_of_the_repository(name):
    """Relative links between the guide's pages, to its pictures and to the repository's docs work on GitHub;
    the guide links to nothing else."""
    for target in re.findall(r"\]\(([^)\s]+)\)", _prose(CHAPTERS[name])):
        assert not re.match(r"[a-z]+:|/", target), f"{name}: {target} leads outside the repository"
        path = (panduan.GUIDE / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), f"{name}: {target} leads to no file of the repository"


def test_every_chapter_is_in_the_index():
    index = CHAPTERS["README.md"]
    assert [n for n in CHAPTERS if n != "README.md" and f"]({n})" not in index] == []
