"""Edition periods: months (2020-11), quarters (2020-Q4) and years (2020)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from buletin.messages import N_, _

FREQUENCIES = ("monthly", "quarterly", "yearly")
_PATTERNS = {
    "monthly": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"),
    "yearly": re.compile(r"^(\d{4})$"),
}
_EXPECTED = {"monthly": N_("`{text}` is not a month: write YYYY-MM, e.g. 2020-11"),
             "quarterly": N_("`{text}` is not a quarter: write YYYY-Qn, e.g. 2020-Q4"),
             "yearly": N_("`{text}` is not a year: write YYYY, e.g. 2020")}
_PER_YEAR = {"monthly": 12, "quarterly": 4, "yearly": 1}
# Years a bulletin can be about; beyond them dates overflow (a calendar entry's end, a year's last day).
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass(frozen=True, order=True)
class Period:
    """One period of a bulletin's frequency; orders chronologically."""

    year: int
    index: int  # month 1-12, quarter 1-4, or 1 for a year
    frequency: str

    @classmethod
    def parse(cls, text: str, frequency: str) -> Period:
        """Parse `text` as a period of `frequency`, or raise ValueError saying the expected form."""
        match = _PATTERNS[frequency].match(str(text).strip())
        if not match:
            raise ValueError(_(_EXPECTED[frequency]).format(text=text))
        year = int(match.group(1))
        problem = year_problem(str(text), year)
        if problem:
            raise ValueError(problem)
        index = int(match.group(2)) if frequency != "yearly" else 1
        return cls(year, index, frequency)

    def __str__(self) -> str:
        if self.frequency == "monthly":
            return f"{self.year:04d}-{self.index:02d}"
        if self.frequency == "quarterly":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    def shifted(self, steps: int) -> Period:
        """The period `steps` periods later (earlier when negative)."""
        per_year = _PER_YEAR[self.frequency]
        ordinal = self.year * per_year + (self.index - 1) + steps
        return Period(ordinal // per_year, ordinal % per_year + 1, self.frequency)

    def previous(self) -> Period:
        return self.shifted(-1)

    def year_ago(self) -> Period:
        return self.shifted(-_PER_YEAR[self.frequency])


def period_days(period: Period) -> tuple[dt.date, dt.date]:
    """The first and the last day of a period."""
    months = 12 // _PER_YEAR[period.frequency]
    following = period.shifted(1)
    first = dt.date(period.year, (period.index - 1) * months + 1, 1)
    return first, dt.date(following.year, (following.index - 1) * months + 1, 1) - dt.timedelta(days=1)


def year_problem(text: str, year: int) -> str | None:
    """Why a period or date written `text` cannot be used: its year lies outside FIRST_YEAR..LAST_YEAR."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return _("`{text}`: the year must be between {first} and {last}").format(text=text, first=FIRST_YEAR,
                                                                            last=LAST_YEAR)


def is_period(text: str, frequency: str) -> bool:
    return bool(_PATTERNS[frequency].match(text))


def period_or_none(text: str, frequency: str) -> Period | None:
    """`text` as a period of `frequency`; None when it is not one (or its year is out of range)."""
    if not is_period(text, frequency):
        return None
    try:
        return Period.parse(text, frequency)
    except ValueError:
        return None
