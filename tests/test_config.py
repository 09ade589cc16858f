from buletin.inputs.config import load_config
from buletin.problems import Problems


def _load(tmp_path, text):
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    problems = Problems()
    return load_config(tmp_path, problems), [str(p) for p in problems]


def test_valid_config_is_typed_and_normalised(tmp_path):
    config, problems = _load(tmp_path, "title: T\nlanguage: en\nbase_url: https://x.org/b\nversion: 1.0\n")
    assert problems == []
    assert config.base_url == "https://x.org/b/"
    assert config.version == "1.0"
    assert config.frequency == "monthly"
    assert config.allow_raw_html is False


def test_unknown_key_suggests_nearest(tmp_path):
    config, problems = _load(tmp_path, "language: id\ntitel: T\nfrequency: quarterly\n")
    assert config.frequency == "quarterly"  # the valid keys still apply, so content is checked in the same run
    assert "site.yaml:2: error: unknown key `titel` (did you mean `title`?)" in problems
    assert any("missing required key `title`" in p for p in problems)


def test_every_bad_value_reported_at_its_line(tmp_path):
    _, problems = _load(tmp_path, "title: T\nlanguage: fr\nfrequency: weekly\ntimezone: Mars/Base\n")
    assert any(p.startswith("site.yaml:2:") and "language" in p for p in problems)
    assert any(p.startswith("site.yaml:3:") and "frequency" in p for p in problems)
    assert any(p.startswith("site.yaml:4:") and "time zone" in p for p in problems)


def test_bad_yaml_names_the_line(tmp_path):
    _, problems = _load(tmp_path, "title: T\nlanguage: id\ndescription: [unclosed\n")
    assert len(problems) == 1 and problems[0].startswith("site.yaml:")
    assert "not valid YAML" in problems[0]
