import math

import pytest

from buletin.inputs.catalog import load_catalog
from buletin.inputs.query import QueryError, grouped, value
from buletin.problems import Problems

from .conftest import DATA_PACKAGE, data_site
from .conftest import DATA_ROWS as ROWS


@pytest.fixture
def catalog(tmp_path):
    catalog, problems = data_site(tmp_path, ROWS)
    assert problems == []
    return catalog


def test_value_aggregates_matching_rows(catalog):
    assert value(catalog, "ikm", "unit_usaha", "sum", {"periode": "2020-11"}) == 41
    assert value(catalog, "ikm", "unit_usaha", "mean", {"kode_wilayah": 7401}) == 11
    assert value(catalog, "ikm", "unit_usaha", "max") == 30
    assert value(catalog, "ikm", "status", "count", {"status": "tetap"}) == 2


@pytest.mark.parametrize(("args", "key", "words"), [
    (("ikn", "unit_usaha", "sum", {}), "data", "did you mean `ikm`"),
    (("ikm", "unit", "sum", {}), "y", "no column `unit`.*unit_usaha"),
    (("ikm", "status", "sum", {}), "y", "not numbers"),
    (("ikm", "unit_usaha", "sum", {"periode": "2021-01"}), "filter", "no row"),
    (("ikm", "unit_usaha", "median", {}), "agg", "`agg` cannot be"),
    (("IKM", "unit_usaha", "sum", {}), "data", "did you mean `ikm`"),  # in capitals, as a report writes it
    (("ikm", "unit_usaha", "sum", {"digit": 1}), "filter", "no column `digit` \\(did you mean the option `digits`"),
])
def test_value_errors_say_what_and_where(catalog, args, key, words):
    with pytest.raises(QueryError, match=words) as caught:
        value(catalog, *args)
    assert caught.value.key == key


def test_grouped_sorts_cuts_and_labels(catalog):
    series = grouped(catalog, "ikm", "kode_wilayah", ["unit_usaha"], filters={"periode": "2020-10"}, sort="desc")
    assert series.x_values == ["7471", "7401"]
    assert series.labels == ["Kendari", "Buton"]
    assert series.values == [[30.0], [10.0]]
    top = grouped(catalog, "ikm", "kode_wilayah", ["unit_usaha"], sort="asc", top=1)
    assert top.x_values == ["7401"] and top.values == [[22.0]]


def test_grouped_by_series_and_value_agree(catalog):
    series = grouped(catalog, "ikm", "periode", ["unit_usaha"], by="kode_wilayah")
    assert series.columns == ["7401", "7471"]
    assert series.column_labels == ["Buton", "Kendari"]
    for i, period in enumerate(series.x_values):
        for j, code in enumerate(series.columns):
            expected = value(catalog, "ikm", "unit_usaha", "sum", {"periode": period, "kode_wilayah": code})
            assert math.isclose(series.values[i][j], expected)


def test_unused_catalog_fixture_does_not_leak(tmp_path):
    problems = Problems()
    assert load_catalog(tmp_path, problems).tables == {} and not problems


def test_range_filters_cut_periods_as_text_and_numbers_by_value(catalog):
    assert value(catalog, "ikm", "unit_usaha", "sum", {"periode": {"max": "2020-10"}}) == 40
    assert value(catalog, "ikm", "unit_usaha", "sum", {"unit_usaha": {"min": 12, "max": 29}}) == 41
    series = grouped(catalog, "ikm", "periode", ["unit_usaha"], filters={"periode": {"min": "2020-11"}})
    assert series.x_values == ["2020-11"]
    with pytest.raises(QueryError, match="takes `min` and `max`"):
        value(catalog, "ikm", "unit_usaha", "sum", {"periode": {"upto": "2020-10"}})


def test_a_result_too_large_to_show_is_an_error_of_the_query_not_an_overflow(tmp_path):
    package = DATA_PACKAGE.replace("{name: unit_usaha, type: integer", "{name: unit_usaha, type: number")
    rows = ROWS.replace("2020-11,7401,12,", "2020-11,7401,9e299,").replace("2020-11,7471,29,", "2020-11,7471,1.7e308,")
    catalog, problems = data_site(tmp_path, rows, package)
    assert problems == []
    assert value(catalog, "ikm", "unit_usaha", "sum", {"kode_wilayah": 7401}) == 9e299 + 10  # within 10^300
    for agg, filters in (("max", {}), ("sum", {"periode": "2020-11"}), ("mean", {"kode_wilayah": 7471})):
        with pytest.raises(QueryError, match=f'`unit_usaha` with agg="{agg}" gives a number too large') as caught:
            value(catalog, "ikm", "unit_usaha", agg, filters)
        assert caught.value.key == "y"
    with pytest.raises(QueryError, match="too large to show"):  # a chart of it: its axis would overflow too
        grouped(catalog, "ikm", "kode_wilayah", ["unit_usaha"], filters={"periode": "2020-11"})
    with pytest.raises(QueryError, match="too large to show"):
        grouped(catalog, "ikm", "periode", ["unit_usaha"], by="kode_wilayah", agg="sum")
    assert grouped(catalog, "ikm", "periode", ["unit_usaha"], filters={"periode": "2020-10"}).values == [[40.0]]


def test_a_group_without_a_value_is_no_value_not_zero(tmp_path):
    """An empty cell (and, with `by`, a pair with no row) stays unknown: no bar, `–`, an empty CSV cell."""
    catalog, problems = data_site(tmp_path, ROWS + "2020-12,7401,,sementara\n")
    assert problems == []
    series = grouped(catalog, "ikm", "periode", ["unit_usaha"], filters={"kode_wilayah": "7401"})
    assert series.x_values == ["2020-10", "2020-11", "2020-12"] and series.values[:2] == [[10.0], [12.0]]
    assert math.isnan(series.values[2][0])
    wide = grouped(catalog, "ikm", "periode", ["unit_usaha"], by="kode_wilayah")
    assert wide.columns == ["7401", "7471"] and wide.values[:2] == [[10.0, 30.0], [12.0, 29.0]]
    assert all(math.isnan(v) for v in wide.values[2])  # 7401's cell is empty, 7471 has no row
    counted = grouped(catalog, "ikm", "periode", ["unit_usaha"], agg="count", filters={"kode_wilayah": "7401"})
    assert counted.values == [[1.0], [1.0], [0.0]]  # a count of no values is 0


def test_a_filter_given_the_name_of_a_code_is_told_the_code(catalog):
    """`kode_wilayah="Kendari"`: the column holds codes, and the name is that of 7471 in wilayah."""
    for written, filters in (("kendari", {"kode_wilayah": "kendari"}),
                             ("Kendari", {"periode": "2020-11", "kode_wilayah": ["7401", "Kendari"]})):
        with pytest.raises(QueryError) as caught:
            value(catalog, "ikm", "unit_usaha", "sum", filters)
        assert str(caught.value).endswith(
            f'(`{written}` is the name of 7471: filter by its code, kode_wilayah="7471")'), str(caught.value)
        assert caught.value.key == "filter" and caught.value.column == "kode_wilayah"
    with pytest.raises(QueryError) as caught:
        grouped(catalog, "ikm", "periode", ["unit_usaha"], filters={"kode_wilayah": "Buton"})
    assert str(caught.value).endswith('(`Buton` is the name of 7401: filter by its code, kode_wilayah="7401")')
    with pytest.raises(QueryError) as caught:  # no such name: nothing is said of codes
        value(catalog, "ikm", "unit_usaha", "sum", {"kode_wilayah": "Muna"})
    assert "is the name of" not in str(caught.value)


def test_a_value_of_a_list_filter_that_no_row_has_is_an_error(catalog):
    """`sektor=["sandang", "Pangan"]` summed sandang alone: a misspelt value of a list dropped its rows without a
    word, where the same value alone is an error."""
    with pytest.raises(QueryError, match=r"no row of `ikm` has kode_wilayah='9999'; kode_wilayah has: 7401, 7471") \
            as caught:
        value(catalog, "ikm", "unit_usaha", "sum", {"kode_wilayah": [7401, 9999]})
    assert caught.value.key == "filter" and caught.value.column == "kode_wilayah"
    assert str(caught.value).endswith("kode_wilayah has: 7401, 7471")  # listed once: no "(known: ...)" after it
    with pytest.raises(QueryError, match=r"status has: sementara, tetap.*did you mean `tetap`"):
        value(catalog, "ikm", "unit_usaha", "sum", {"status": ["sementara", "Tetap"]})
    assert value(catalog, "ikm", "unit_usaha", "sum", {"kode_wilayah": [7401, "7471"], "periode": "2020-11"}) == 41



def test_a_period_the_data_lack_names_the_last_one_or_the_nearest(catalog):
    """A month after the data's last (not entered yet, or a typo of the year) says where the data end; a value
    written otherwise says the one meant. The list was cut after the eight oldest values, so it never showed the
    recent months that a writer asks for."""
    with pytest.raises(QueryError) as late:
        value(catalog, "ikm", "unit_usaha", "sum", {"periode": "2021-12"})
    assert str(late.value).endswith("periode has: 2020-10, 2020-11 (the data end at 2020-11: correct the value, "
                                    "or add its rows to the data)")
    with pytest.raises(QueryError) as typed:
        value(catalog, "ikm", "unit_usaha", "sum", {"periode": "2020-1"})
    assert str(typed.value).endswith("(did you mean `2020-11`?)")
    with pytest.raises(QueryError) as code:  # a code is no period: nothing is said of where the data end
        value(catalog, "ikm", "unit_usaha", "sum", {"kode_wilayah": "9999"})
    assert "data end" not in str(code.value)
    with pytest.raises(QueryError) as quarter:  # 2020-Q1 sorts after 2020-11 as text, but is no later month
        value(catalog, "ikm", "unit_usaha", "sum", {"periode": "2020-Q1"})
    assert "data end" not in str(quarter.value)
    with pytest.raises(QueryError) as listed:  # one hint, not the list's own and _no_row's
        value(catalog, "ikm", "unit_usaha", "sum", {"periode": ["2020-11", "2020-1"]})
    assert str(listed.value).count("did you mean") == 1, listed.value

@pytest.mark.parametrize("filters", [
    {"periode": "2020-11"}, {"periode": "2020-11", "kode_wilayah": 7401}, {"kode_wilayah": [7401, "7471"]},
    {"status": "tetap", "periode": ["2020-11", "2020-10"]}, {"periode": "2031-01"}, {"kode_wilayah": []},
    {"status": ""}, {},
])
def test_a_filter_selects_the_rows_whose_cells_equal_its_values_as_written(catalog, filters):
    """select() finds each column's rows by value once; it selects what comparing every cell selects."""
    from buletin.inputs.query import as_text, select

    table = catalog.get("ikm")
    expected = table.frame.index == table.frame.index
    for column, wanted in filters.items():
        values = [as_text(w) for w in wanted] if isinstance(wanted, list) else [as_text(wanted)]
        expected = expected & table.frame[column].isin(values).to_numpy()
    for _ in range(2):  # the second time from what the first found
        assert select(table, filters).tolist() == expected.tolist()
