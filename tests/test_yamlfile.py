"""Parsed YAML is remembered across builds; every caller still gets a copy of its own."""
from __future__ import annotations

import pytest

from buletin.inputs import yamlfile


def test_parsed_texts_are_remembered_and_handed_out_as_copies():
    yamlfile.recall({})
    first = yamlfile.load("tags: [tenun]")
    first["tags"].append("diubah")
    assert yamlfile.load("tags: [tenun]") == {"tags": ["tenun"]}
    memo, changed = yamlfile.parsed()
    assert changed and list(memo) == ["tags: [tenun]"]
    yamlfile.recall(memo)
    yamlfile.load("tags: [tenun]")
    assert yamlfile.parsed() == (memo, False)  # nothing new to keep


def test_errors_are_not_remembered():
    yamlfile.recall({})
    for _ in range(2):
        with pytest.raises(yamlfile.YamlError) as error:
            yamlfile.load("a: [1, 2")
        assert error.value.line is not None
    assert yamlfile.parsed() == ({}, False)


def test_keys_written_as_yaml_booleans_or_numbers_stay_as_written_in_a_row_or_filter():
    from buletin.inputs.notes import NoteDecl
    from buletin.inputs.schema import Where, validate
    from buletin.problems import Problems

    text = "- data: tabel\n  row: {no: 1, 2020: '7401', yes: n}\n  column: nilai\n  note: Benar.\n"
    problems = Problems()
    declared = validate(NoteDecl, yamlfile.load(text)[0], Where("data/catatan.yaml", yamlfile.KeyLines(text), (0,)),
                        problems)
    assert not problems and declared is not None
    assert declared.row == {"no": "1", "2020": "7401", "yes": "n"}
    assert yamlfile.KeyLines(text).keys(0, "row") == ["no", "2020", "yes"]


@pytest.mark.parametrize(("text", "line", "reason"), [
    # libyaml names no character: a tab before a list item read as "a character that cannot start a value", with
    # a hint about macros for an item in quotes
    ("highlights:\n  - 'a {{ x }}'\n\t- 'b'\n", 3,
     "a tab in the indentation; indent with spaces, as the lines above are"),
    ("highlights:\n  - 'a'\n  - @b\n", 3, "a character that cannot start a value here"),
])
def test_a_tab_in_the_indentation_is_named_as_such(text, line, reason):
    with pytest.raises(yamlfile.YamlError) as caught:
        yamlfile.load(text)
    assert caught.value.line == line and reason in str(caught.value) and "{{" not in str(caught.value), caught.value


@pytest.mark.parametrize("text", ["a: 1\u2028b: 2\u2028c: d: e", "a: 1\rb: 2\rc: d: e",
                                  "title: \u00e9\u00e9 \U0001f600\nhighlights:\n  - x\n\t- y\n"])
def test_a_yaml_error_after_other_line_breaks_or_wide_characters_is_a_message(text):
    """libyaml also breaks lines at \\r and U+2028: the line of its mark is not the text's nth \\n line."""
    with pytest.raises(yamlfile.YamlError):
        yamlfile.load(text)


def test_a_long_text_is_refused_when_aliases_repeat_it_not_when_it_is_written_out(monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_CHARACTERS", 100)
    assert yamlfile.load("a: " + "x" * 300 + "\n") == {"a": "x" * 300}  # written out: as long as the file
    with pytest.raises(yamlfile.YamlError, match="more than 100 characters"):
        yamlfile.load("a: &a " + "x" * 60 + "\nb: [*a, *a, *a]\n")
