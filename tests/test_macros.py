import pytest

from buletin.compose.macros import MacroStage, extract_charts
from buletin.i18n import Locale
from buletin.problems import Problems

from .conftest import DATA_ROWS as ROWS
from .conftest import data_site


@pytest.fixture
def stage(tmp_path):
    catalog, problems = data_site(tmp_path, ROWS)
    assert problems == []
    return MacroStage(catalog, Locale("id"), Problems())


def test_value_is_formatted_in_the_site_language(stage):
    text = stage.render('Total {{ value("ikm", "unit_usaha", periode=edition.period) }} unit', "a.md", 5,
                        {"edition": {"period": "2020-11"}})
    assert text == "Total 41 unit"
    mean = stage.render('{{ value("ikm", "unit_usaha", agg="mean", digits=1) }}', "a.md", 1, {})
    assert mean == "20,3"  # 20,25: a half is rounded up, as statistics offices do (not to the even 20,2)


def test_errors_name_the_line_where_the_macro_stands(stage):
    body = 'line one\nline two {{ value("ikm", "nope") }}\nthree\n{{ value("ikm", "unit_usaha", periode="1999-01") }}'
    assert stage.render(body, "content/2020-11/a.md", 10, {}) is None
    found = [str(p) for p in stage.problems]
    assert any(p.startswith("content/2020-11/a.md:11: error: value(): the dataset `ikm` has no column `nope`")
               for p in found)
    assert any(p.startswith("content/2020-11/a.md:13: error: value(): no row") for p in found)


@pytest.mark.parametrize("attack", [
    "{{ ''.__class__.__mro__ }}",
    "{{ value.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
])
def test_sandbox_refuses_python_internals(stage, attack):
    assert stage.render("ok\n" + attack, "a.md", 1, {}) is None
    problem = str(stage.problems.items[0])
    assert problem.startswith("a.md:2: error:")
    assert "<class" not in problem and "__subclasses__" not in problem.split("error:")[1].replace(attack, "")


def test_undefined_names_and_syntax_errors_are_reported(stage):
    assert stage.render("{{ nothing }}", "a.md", 3, {}) is None
    assert stage.render("a\n{% if %}", "b.md", 1, {}) is None
    found = [str(p) for p in stage.problems]
    assert any(p.startswith("a.md:3:") and "nothing" in p for p in found)
    assert any(p.startswith("b.md:2:") for p in found)


def test_chart_blocks_are_cut_out_keeping_line_numbers():
    body = "intro\n\n```chart\ndata: ikm\nx: periode\n```\n\n````md\n```chart\nnot a chart\n```\n````\nend"
    text, blocks = extract_charts(body, 7)
    assert len(blocks) == 1
    assert blocks[0].text == "data: ikm\nx: periode"
    assert blocks[0].first_line == 10  # body starts on line 7; the spec on the 4th body line
    assert text.count("\n") == body.count("\n")
    assert "not a chart" in text


def test_a_chart_block_keeps_the_nesting_of_its_yaml_and_loses_only_its_own_indentation():
    nested = "data: ikm\nfilter:\n  periode: '2020-11'\ncaption: >\n  Angka\n  sementara."
    in_list = "".join(f"    {line}\n" for line in ["```chart", *nested.split("\n"), "```"])
    body = f"```chart\n{nested}\n```\n\n- Butir:\n\n{in_list}"
    _text, blocks = extract_charts(body, 1)
    assert [block.text for block in blocks] == [nested, nested]  # at the margin, and inside a list item


def test_each_render_has_its_own_loop_budget_even_under_a_timer_set_by_another_program():
    """A timer someone else set (here, the test's) once made every render look nested in the one before, so a
    body that spent the loop budget left none to the bodies after it."""
    import signal

    import pytest

    from buletin.compose.limits import BodySandbox, TooMuchWork, bounded, capped

    sandbox = BodySandbox()
    greedy = sandbox.from_string("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    modest = sandbox.from_string("{% for i in range(25) %}.{% endfor %}")
    previous = signal.signal(signal.SIGALRM, lambda *_: None)
    signal.setitimer(signal.ITIMER_REAL, 60)
    try:
        with pytest.raises(TooMuchWork), bounded():
            capped(greedy.generate({}))
        with bounded():
            assert capped(modest.generate({})) == "." * 25
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 50  # the other program's timer runs on, untouched
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
