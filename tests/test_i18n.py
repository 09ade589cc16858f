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
