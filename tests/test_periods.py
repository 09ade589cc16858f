import pytest

from buletin.periods import Period


@pytest.mark.parametrize(("text", "frequency", "previous", "year_ago"), [
    ("2020-01", "monthly", "2019-12", "2019-01"),
    ("2020-11", "monthly", "2020-10", "2019-11"),
    ("2020-Q1", "quarterly", "2019-Q4", "2019-Q1"),
    ("2020", "yearly", "2019", "2019"),
])
def test_previous_and_year_ago(text, frequency, previous, year_ago):
    period = Period.parse(text, frequency)
    assert str(period) == text
    assert str(period.previous()) == previous
    assert str(period.year_ago()) == year_ago


@pytest.mark.parametrize(("text", "frequency"), [("2020-13", "monthly"), ("2020-Q5", "quarterly"),
                                                 ("2020-11", "yearly"), ("20-11", "monthly")])
def test_rejects_malformed_periods(text, frequency):
    expected = {"monthly": "not a month: write YYYY-MM", "quarterly": "not a quarter: write YYYY-Qn",
                "yearly": "not a year: write YYYY"}[frequency]
    with pytest.raises(ValueError, match=expected):
        Period.parse(text, frequency)


def test_periods_order_chronologically():
    texts = ["2020-02", "2019-12", "2020-10"]
    assert [str(p) for p in sorted(Period.parse(t, "monthly") for t in texts)] == ["2019-12", "2020-02", "2020-10"]
