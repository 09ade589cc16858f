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
