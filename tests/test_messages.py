"""Messages in the site's language (issue 13): the catalogue is complete and current, and every message reaches
the reader in the language chosen for the command, from this process, from worker processes and from the cache.

The catalogue checks extract the messages afresh from the code, as `python tools/messages.py` does, and compare
them with the committed buletin/locale/id/LC_MESSAGES/buletin.po: a message without an Indonesian translation,
a fuzzy one, one whose placeholders differ from the English, a .mo older than the .po, or a guide's list of
messages (docs/panduan/08-pesan.md) that does not show every message, fails here.
"""
from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import tomllib
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from buletin import messages
from buletin.arguments import parser as _parser
from tests.conftest import REPORT_LINE

ROOT = Path(__file__).resolve().parents[1]
MESSAGE_LANGUAGE = None  # tests/conftest.py: these tests choose the language themselves


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messages_tool", ROOT / "tools" / "messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["messages_tool"] = module
    spec.loader.exec_module(module)
    return module


tool = _tool()


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    """Every message marked in buletin/ now, with the `# Panduan:` comments, by the mapping in pyproject.toml."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["babel"]["mappings"][0]
    keywords = {}
    for word in mapping["keywords"]:
        name, _, spec = word.partition(":")
        keywords[name] = tuple(int(n) for n in spec.split(",")) if spec else None
    found: dict[str, list[str]] = {}
    for _file, _line, message, comments, _context in extract_from_dir(
            ROOT / "buletin", method_map=[(mapping["pattern"], mapping["method"])], keywords=keywords,
            comment_tags=mapping["add_comments"], strip_comment_tags=False):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, []).extend(comments)
    return found


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    return tool.catalogue()


def _english(message) -> str:
    return message.id[0] if message.pluralizable else message.id


def _translations(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def test_every_message_in_the_code_has_an_indonesian_translation(extracted, catalogue):
    translated = {_english(m): m for m in catalogue if m.id}
    missing = [text for text in extracted if text not in translated]
    assert not missing, f"not in buletin.po (run `python tools/messages.py`, then translate): {missing}"
    empty = [text for text in extracted if not all(_translations(translated[text]))]
    assert not empty, f"no Indonesian in buletin.po: {empty}"
    fuzzy = [text for text in extracted if translated[text].fuzzy]
    assert not fuzzy, f"fuzzy (check the translation, then remove `#, fuzzy`): {fuzzy}"


def test_the_catalogue_holds_no_message_the_code_no_longer_has(extracted, catalogue):
    stale = [_english(m) for m in catalogue if m.id and _english(m) not in extracted]
    assert not stale, f"run `python tools/messages.py`: {stale}"


def test_a_translation_has_exactly_the_placeholders_of_its_english(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        english = message.id if message.pluralizable else (message.id,)
        expected = {tuple(tool.placeholders(text)) for text in english}
        for text in _translations(message):
            if tuple(tool.placeholders(text)) not in expected:
                wrong.append((_english(message), text))
    assert not wrong


def test_the_words_editors_and_ci_read_stay_english(catalogue):
    """`buletin: error:`, `warning:` and `note:` lines keep their words in Indonesian too."""
    for message in catalogue:
        english = _english(message)
        for word in ("error", "warning", "note"):
            if english.startswith(f"buletin: {word}: "):
                assert all(text.startswith(f"buletin: {word}: ") for text in _translations(message)), english


def test_the_compiled_catalogue_is_the_po_compiled(catalogue):
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert tool.MO.read_bytes() == compiled.getvalue(), "run `python tools/messages.py` (pybabel compile)"


def test_the_template_is_current(extracted):
    with tool.POT.open("rb") as handle:
        template = read_po(handle)
    assert {_english(m) for m in template if m.id} == set(extracted), "run `python tools/messages.py`"


def test_the_guide_lists_every_message_as_the_catalogue_says_it(catalogue):
    page = tool.GUIDE.read_text(encoding="utf-8")
    assert page == tool.guide(catalogue), "run `python tools/messages.py` to write docs/panduan/08-pesan.md"
    for message in catalogue:
        if message.id:
            assert tool._readable(_translations(message)[0]) in page, _english(message)


def test_the_guide_links_its_list_of_messages():
    assert "(08-pesan.md)" in (ROOT / "docs/panduan/README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- choosing the language


def test_every_command_takes_lang():
    def commands(parser):
        for action in parser._actions:
            if action.choices and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    yield from ([(name, sub)] if not any(isinstance(a.choices, dict) for a in sub._actions)
                                else commands(sub))

    found = dict(commands(_parser()))
    assert set(found) == {"build", "check", "serve", "publish", "site", "edition", "article"}
    for name, sub in found.items():
        assert any("--lang" in action.option_strings for action in sub._actions), name


@pytest.mark.parametrize(("option", "variable", "site", "expected"), [
    ("en", "id", "id", "en"), (None, "en", "id", "en"), (None, None, "en", "en"), (None, None, None, "id"),
    (None, "fr", "en", "en"),
])
def test_lang_then_the_variable_then_the_site_then_indonesian(monkeypatch, option, variable, site, expected):
    if variable:
        monkeypatch.setenv(messages.VARIABLE, variable)
    else:
        monkeypatch.delenv(messages.VARIABLE, raising=False)
    assert messages.choose(option, site) == expected


def test_a_site_yaml_too_broken_to_parse_still_gives_its_language(tmp_path):
    (tmp_path / "site.yaml").write_text("title: [Buletin\n  language:  en  # the bulletin's language\n\tx: y\n")
    assert messages.site_language(tmp_path / "site.yaml") is None  # not at the start of a line
    (tmp_path / "site.yaml").write_text("title: [Buletin\nlanguage: 'en'   # the bulletin's language\n\tx: y\n")
    assert messages.site_language(tmp_path / "site.yaml") == "en"
    assert messages.site_language(tmp_path / "missing.yaml") is None


@pytest.mark.parametrize(("lang", "text"), [("id", "3.912"), ("en", "3,912")])
def test_numbers_follow_the_language(lang, text):
    messages.use(lang)
    try:
        assert messages.number(3912) == text
    finally:
        messages.use(None)


def _repeated_row_site(make_site, language: str = "id"):
    """A site whose wilayah.csv repeats, on its last line (1,002), the code of line 1,001."""
    rows = "".join(f"{10000 + n},Wilayah {n}\n" for n in range(996)) + "7999,Terakhir\n7999,Lagi\n"
    return make_site({"data/wilayah.csv": "kode,nama\n7401,Buton\n7402,Muna\n7471,Kota Kendari\n" + rows,
                      "site.yaml": f"title: Buletin Uji\nlanguage: {language}\nfrequency: monthly\n"})


def test_an_indonesian_site_speaks_indonesian_with_its_numbers(make_site, run_cli, monkeypatch):
    monkeypatch.delenv(messages.VARIABLE, raising=False)
    site = _repeated_row_site(make_site)
    result = run_cli("check", "--site", site, "--no-cache")
    assert result.code == 1
    assert "data/wilayah.csv:1002: error: kode: baris ini sudah ada (sama dengan baris 1001: kode=`7999`): " \
           "simpan salah satunya saja" in result.err.splitlines()
    assert result.err.splitlines()[-1] == "buletin: 1 kesalahan; pemeriksaan gagal"
    assert all(REPORT_LINE.match(line) for line in result.err.splitlines()[:-1])


def test_lang_en_overrides_the_sites_language(make_site, run_cli, monkeypatch):
    monkeypatch.setenv(messages.VARIABLE, "id")
    site = _repeated_row_site(make_site)
    result = run_cli("check", "--site", site, "--no-cache", "--lang", "en")
    assert "data/wilayah.csv:1002: error: kode: this row is already in the file (the same kode=`7999` as line " \
           "1001): keep one of the two" in result.err.splitlines()
    assert result.err.splitlines()[-1] == "buletin: 1 error; the check failed"


def test_usage_errors_are_in_the_language_too_and_exit_2(make_site, run_cli, monkeypatch):
    monkeypatch.delenv(messages.VARIABLE, raising=False)
    site = make_site()
    result = run_cli("check", "--site", site, "--jobs", "0")
    assert result.code == 2
    assert "argumen --jobs/-j: `0` bukan banyaknya proses: tulis 1 atau lebih" in result.err
    assert "Traceback" not in result.err
    result = run_cli("check", "--site", site, "--lang", "fr")
    assert result.code == 2 and "pilihan tidak sah: 'fr'" in result.err
    missing = run_cli("check", "--site", site / "tidak-ada")
    assert missing.code == 2
    assert missing.err == f"buletin: error: --site {site / 'tidak-ada'}: folder itu tidak ada; tulis folder yang " \
                          "berisi site.yaml\n"


def test_a_misspelt_or_indonesian_command_gets_the_command_meant(run_cli):
    """argparse lists the commands; a slip (`chek`) or the Indonesian word (`periksa`) is told the one meant."""
    for typed, meant in (("chek", "check"), ("bulid", "build"), ("periksa", "check"), ("terbitkan", "publish")):
        result = run_cli(typed, "--lang", "en")
        assert result.code == 2
        assert result.err.splitlines()[-1] == f"buletin: error: `{typed}` is not a command: did you mean `{meant}`?"
    result = run_cli("xyz", "--lang", "en")
    assert result.code == 2 and "invalid choice: 'xyz' (choose from 'build', 'check'" in result.err


def test_without_a_readable_site_yaml_messages_are_indonesian(make_site, run_cli, monkeypatch):
    monkeypatch.delenv(messages.VARIABLE, raising=False)
    site = make_site({"site.yaml": None})
    result = run_cli("check", "--site", site, "--no-cache")
    assert result.code == 1 and result.err.splitlines()[-1] == "buletin: 1 kesalahan; pemeriksaan gagal"


def test_a_new_site_speaks_its_own_language(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv(messages.VARIABLE, raising=False)
    result = run_cli("new", "site", tmp_path / "baru", "--language", "en")
    assert result.code == 0 and result.out.startswith("buletin: wrote a new site of ")
    result = run_cli("new", "site", tmp_path / "lain")
    assert result.code == 0 and "situs baru (" in result.out


def test_the_language_chosen_for_a_command_ends_with_it(make_site, run_cli, monkeypatch):
    monkeypatch.setenv(messages.VARIABLE, "en")
    run_cli("check", "--site", make_site(), "--lang", "id")
    assert messages.language() == "en"


# ---------------------------------------------------------------- worker processes and the cache


def _wrong_articles(count: int) -> dict[str, str]:
    """Articles enough for composition to run in the worker pool, each quoting a column that does not exist."""
    return {f"content/2020-11/salah-{n:02d}.md": f"---\ntitle: Salah {n}\ndate: 2020-11-09\n---\n\n"
            f"Angka {{{{ value(\"ikm\", \"nope\") }}}}.\n" for n in range(count)}


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_workers_speak_the_language_of_the_build_that_started_them(make_site, run_cli, monkeypatch, tmp_path, method):
    """A forkserver is started once per process, here for the English build: the Indonesian build's workers,
    forked from it, must still speak Indonesian."""
    from buletin.compose.composer import MIN_FOR_POOL

    monkeypatch.setenv("BULETIN_START_METHOD", method)
    site = make_site(_wrong_articles(MIN_FOR_POOL + 2))
    english = run_cli("check", "--site", site, "--no-cache", "--jobs", "2", "--lang", "en")
    indonesian = run_cli("check", "--site", site, "--no-cache", "--jobs", "2", "--lang", "id")
    wrong = f"content/2020-11/salah-{MIN_FOR_POOL + 1:02d}.md:6: error: value(): "
    assert f"{wrong}the dataset `ikm` has no column `nope`" in english.err
    assert f"{wrong}kumpulan data `ikm` tidak punya kolom `nope`" in indonesian.err
    assert "the dataset" not in indonesian.err


def test_every_cache_key_includes_the_language_of_messages():
    """An artifact may carry a message (a warning kept with a validated dataset): a build in the other language
    makes it again rather than show the other language's words."""
    from buletin.build.state import make_key

    keys = []
    for lang in ("en", "id"):
        messages.use(lang)
        try:
            keys.append(make_key("valid", {"ikm": "abc"}))
        finally:
            messages.use(None)
    assert keys[0] != keys[1]


def test_a_problem_is_never_shown_in_the_other_language(make_site, run_cli, tmp_path):
    site = _repeated_row_site(make_site)
    cache = tmp_path / "cache"
    runs = [run_cli("build", "--site", site, "--out", tmp_path / "out", "--cache", cache, "--lang", lang)
            for lang in ("en", "id", "en")]
    assert "this row is already in the file" in runs[0].err
    assert "baris ini sudah ada" in runs[1].err and "this row" not in runs[1].err
    assert runs[2].err == runs[0].err


def test_messages_stay_on_one_line_in_every_language(catalogue):
    assert not [m.id for m in catalogue if m.id and any(re.search(r"[\r\n]", t) for t in _translations(m))]
