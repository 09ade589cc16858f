import datetime as dt

import pytest

from buletin.i18n import STRINGS, Locale
from buletin.periods import Period


@pytest.mark.parametrize(("language", "whole", "decimal", "date", "edition"), [
    ("id", "13.012", "1.234,5", "Senin, 9 November 2020", "Edisi November 2020"),
    ("en", "13,012", "1,234.5", "Monday, 9 November 2020", "November 2020 edition"),
])
def test_formats_follow_language(language, whole, decimal, date, edition):
    locale = Locale(language)
    assert locale.number(13012) == whole
    assert locale.number(1234.5, 1) == decimal
    assert locale.date(dt.date(2020, 11, 9)) == date
    assert locale.edition_title(Period.parse("2020-11", "monthly")) == edition


def test_quarters_and_years_in_words():
    assert Locale("id").period(Period.parse("2020-Q4", "quarterly")) == "Triwulan IV 2020"
    assert Locale("en").period(Period.parse("2020-Q4", "quarterly")) == "Q4 2020"
    assert Locale("en").period(Period.parse("2021", "yearly")) == "2021"


def test_both_languages_have_every_theme_string():
    assert set(STRINGS["id"]) == set(STRINGS["en"])
    assert STRINGS["id"]["main_points"] == "Poin utama"
    assert STRINGS["en"]["download_data"] == "Download data"


def test_halves_round_away_from_zero_from_the_number_as_written():
    indonesian = Locale("id")
    assert indonesian.number(86882.5) == "86.883"
    assert indonesian.number(2.675, 2) == "2,68"  # the float is 2.67499..., the data said 2.675
    assert indonesian.number(-2.5) == "-3"
    assert indonesian.number(-0.04, 1) == "0,0"  # never "-0,0"
    assert Locale("en").number(1234.45, 1) == "1,234.5"
