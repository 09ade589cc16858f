"""What a data cell says, for messages: its text quoted with invisible characters shown, and the fix for the
usual typing slips (a comma before the decimals, a thousands dot, `Rp`, Excel's errors and dates, a totals row)."""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from buletin.messages import N_, _
from buletin.problems import close_matches

if TYPE_CHECKING:
    import pandas as pd

CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # invisible characters no data cell needs (tab and newline may)
# [0-9], not \d: \d takes a full-width １２３ (an input method's digits) too, which no total can add up
TYPE_PATTERNS = {
    "integer": r"[+-]?[0-9]+",
    "number": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
    "date": r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
    "yearmonth": r"[0-9]{4}-(0[1-9]|1[0-2])",
    "year": r"[0-9]{4}",
    "boolean": r"(?i:true|false|1|0|yes|no|ya|tidak)",
}
_NOT_OF_TYPE = {"integer": N_("{value} is not a whole number"),
                "number": N_("{value} is not a number written with `.` before the decimals"),
                "date": N_("{value} is not a date written YYYY-MM-DD"),
                "yearmonth": N_("{value} is not a month written YYYY-MM"),
                "year": N_("{value} is not a year written YYYY"),
                "boolean": N_("{value} is not true or false")}


def cell(text: str) -> str:
    """A cell's text quoted for a message: short, with invisible characters shown."""
    shown = text if len(text) <= 60 else text[:57] + "…"
    return "`" + re.sub(CONTROL, lambda m: f"\\x{ord(m.group(0)):02x}", shown) + "`"


def not_of_type(text: str, kind: str, percent: bool = False) -> str:
    """Why a cell is not of its column's type, with the fix for the usual typing mistakes (`percent`: the
    workbook shows the cell as a percentage)."""
    # `12%` or `Rp 1.500` has no decimal point to speak of: its first words say only that it is no number
    said = N_("{value} is not a number") if kind == "number" and re.search(r"[%A-Za-z]", text) else _NOT_OF_TYPE[kind]
    message = _(said).format(value=cell(text))
    plain = _ascii_digits(text)
    if plain != text:  # any other advice would be made of those digits, and be no value either
        if re.fullmatch(TYPE_PATTERNS[kind], plain):
            return message + _(": it is written with other digits than 0-9 (a keyboard's full-width ones?): write "
                               "{fixed}").format(fixed=plain)
        return message + _(": it is written with other digits than 0-9 (a keyboard's full-width ones?): type it "
                           "again with the digits 0-9")
    typed = percent_figure(text) if percent and kind == "integer" else None
    if typed is not None:  # 0.25 shown as 25%
        advice = _(": the cell is formatted as a percentage, which Excel keeps as a fraction (it shows {typed}%): "
                   "format the column as Number (Home > Number) and type {typed}").format(typed=typed)
        if not re.fullmatch(r"-?\d+", typed):
            advice += _("; the column holds whole numbers, so declare it `type: number` in data/datapackage.yaml "
                        "if the figure has decimals")
        return message + advice
    advice = _spreadsheet_habit(text, kind)
    if advice:
        return message + advice
    if kind in ("integer", "number") and re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", text):  # 0.125: no thousands
        return message + _(": remove the thousands dot ({fixed})").format(fixed=text.replace(".", ""))
    if kind == "integer" and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return message + _(": remove the thousands separator ({fixed})").format(fixed=text.replace(",", ""))
    if kind == "number" and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return message + _(": write it without a thousands separator, with a point before any decimals ({whole} or "
                           "{decimal})").format(whole=text.replace(",", ""), decimal=text.replace(",", "."))
    if kind == "number" and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})*,\d+", text):
        return message + _(": write {fixed} (a point before the decimals, no thousands dot)").format(
            fixed=text.replace(".", "").replace(",", "."))
    if kind == "number" and re.fullmatch(r"[+-]?\d+,\d+", text):
        return message + _(": write {fixed} (a point before the decimals)").format(fixed=text.replace(",", "."))
    if kind == "integer" and re.fullmatch(r"[+-]?\d+\.\d+", _plain_number(text)):
        return message + _(": this column holds whole numbers; if the figure has decimals, declare the column "
                           "`type: number` in data/datapackage.yaml and write {fixed}").format(
                               fixed=_plain_number(text))
    if kind in ("integer", "number"):
        advice = _number_slip(text, kind)
        if advice:
            return message + advice
    if kind in ("date", "yearmonth"):
        meant = typed_as_people_write(text, kind)
        if meant:
            return message + _(": write {fixed}").format(fixed=meant)
    if kind in ("date", "yearmonth", "year"):
        return message + _(": type it so, e.g. {example}").format(example=_EXAMPLES[kind])
    return message


def _ascii_digits(text: str) -> str:
    """`１２３` (full-width, Arabic-Indic, Devanagari...) as 123."""
    import unicodedata

    return "".join(str(unicodedata.digit(c)) if not c.isascii() and unicodedata.digit(c, None) is not None else c
                   for c in text)


def percent_figure(text: str) -> str | None:
    """A fraction as the percentage Excel shows (0.125 -> 12.5), written as data are; None for no number."""
    from decimal import Decimal, DecimalException

    try:
        return format((Decimal(text) * 100).normalize(), "f") if re.fullmatch(TYPE_PATTERNS["number"], text) else None
    except DecimalException:
        return None


def _number_slip(text: str, kind: str) -> str:
    """The fix for a number typed as a person writes it on paper: a letter O for a zero, brackets for a minus,
    an exponent."""
    if re.search(r"\d", text) and re.search("[OoIl]", text) and re.fullmatch(r"[+-]?[\dOoIl]+(\.[\dOoIl]+)?", text):
        return _(": a letter where a digit is meant ({letters})? Write {fixed}").format(
            letters="O → 0, I/l → 1", fixed=text.translate(str.maketrans("OoIl", "0011")))
    bracketed = re.fullmatch(r"\(([\d.,]+)\)", text)
    if bracketed:
        figure = bracketed.group(1)  # 1,234 or 1.234 in whole numbers: thousands
        thousands = kind == "integer" and re.fullmatch(r"\d{1,3}([.,]\d{3})+", figure) is not None
        return _(": a negative number is written with a minus sign: {fixed}").format(
            fixed="-" + (re.sub(r"[.,]", "", figure) if thousands else _plain_number(figure)))
    if kind == "integer" and re.fullmatch(TYPE_PATTERNS["number"], text):
        whole = float(text)
        if whole.is_integer() and abs(whole) < 1e15:
            return _(": write the number in full, {fixed}").format(fixed=int(whole))
    return ""


# What a spreadsheet's row of totals says in its label column.
TOTALS = frozenset({"jumlah", "total", "jumlah total", "total keseluruhan", "jumlah keseluruhan", "grand total",
                    "subtotal", "sub total", "sub-total", "sub jumlah", "subjumlah", "totals"})


def labelled_total(column: pd.Series) -> pd.Series:
    """Which cells of a text column read as the label of a totals row (`Jumlah`, ` total `)."""
    return column.str.strip().str.casefold().isin(TOTALS)


def totals_message(column: str, text: str) -> str:
    """`kode_wilayah` `Jumlah`: a row of totals, which charts and value() would count twice."""
    return f"`{column}` {total_row(text)}"


def total_row(text: str) -> str:
    # Panduan: Baris "Jumlah" di akhir tabel Excel ikut terjumlah dua kali di grafik: hapus barisnya.
    return _("{value}: this row looks like the total of the others; charts and value() add the rows up themselves, "
             "so it would be counted twice: remove the row").format(value=cell(text))


_EXAMPLES = {"date": "2020-11-09", "yearmonth": "2020-11", "year": "2020"}
# Months as people write them, in Indonesian and in English, in full or cut to three letters (Agt, Sept too)
_MONTH_NAMES = ("januari january", "februari february", "maret march", "april", "mei may", "juni june", "juli july",
                "agustus august", "september", "oktober october", "november", "desember december")
_MONTHS = {name[:length]: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()
           for length in (3, len(name))} | {"agt": 8, "sept": 9}
# Des-20 (Excel's mmm-yy), Desember 2020, Dec. 2020: a year of two digits only after a dash, as Excel writes it
_NAMED_MONTH = re.compile(r"(?P<month>[a-z]+)\.?(?:-(?P<short>[0-9]{2})|[\s/.-]*(?P<year>[0-9]{4}))", re.I)
# 12/2020 (12.2020, 12-2020), 2020/12, 2020.12 (not 2020.1, which may be Excel's 2020.10)
_MONTH_AND_YEAR = (re.compile(r"(?P<month>[0-9]{1,2})[/.-](?P<year>[0-9]{4})"),
                   re.compile(r"(?P<year>[0-9]{4})/(?P<month>[0-9]{1,2})"),
                   re.compile(r"(?P<year>[0-9]{4})\.(?P<month>[0-9]{2})"),
                   re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9])"))  # 2021-1


def typed_as_people_write(text: str, kind: str) -> str | None:
    """A month or a day typed as people write them (12/2020, Des-20, 13/11/2020) in the form the column takes,
    when only one reading is possible; else None (1/12/2020 may be the 1st of December or the 12th of January)."""
    text = text.strip()
    named = _NAMED_MONTH.fullmatch(text)
    if named and kind == "yearmonth" and named["month"].lower() in _MONTHS:
        named_year = int(named["year"]) if named["year"] else int(named["short"]) + (
            2000 if int(named["short"]) < 30 else 1900)  # as Excel reads a year of two digits
        return f"{named_year:04d}-{_MONTHS[named['month'].lower()]:02d}"
    whole = next((found for pattern in _MONTH_AND_YEAR if (found := pattern.fullmatch(text))), None)
    if whole and kind == "yearmonth":
        return f"{whole['year']}-{int(whole['month']):02d}" if 1 <= int(whole["month"]) <= 12 else None
    day = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", text)
    if not day:
        return None
    first, second, year = int(day[1]), int(day[2]), int(day[3])
    month: int | None
    if kind == "yearmonth":  # a month Excel made a date: its day is the 1st
        month = second if first == 1 else first if second == 1 else None
    elif first == second or max(first, second) > 12:  # the day is the one that cannot be a month
        first, month = (second, first) if second > 12 else (first, second)
    else:
        return None
    if month is None or not 1 <= month <= 12:
        return None
    if kind == "yearmonth":
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, first).isoformat()
    except ValueError:
        return None


EXCEL_ERROR = re.compile(r"#(DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|"
                         r"CONNECT!|UNKNOWN!|BUSY!|PYTHON!)", re.I)
_UNKNOWN = ("-", "–", "—", "..", "...", "x", "NA", "N/A", "n.a.", "na", "tidak ada", "?")


def excel_errors(column):
    """Which cells of a column hold one of Excel's error values."""
    return column.str.fullmatch(EXCEL_ERROR.pattern, flags=re.I)


def _plain_number(text: str) -> str:
    """A number as a data file writes it: no spaces or thousands dots, a point before the decimals."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?", text) or re.fullmatch(r"[+-]?\d+,\d+", text):
        return text.replace(".", "").replace(",", ".")
    return text


def _spreadsheet_habit(text: str, kind: str) -> str:
    """The fix for what spreadsheets and office habits put in a cell: a formula's error, a dash for unknown,
    a currency or a percent sign, spaces between thousands, a month that Excel turned into a date."""
    if EXCEL_ERROR.fullmatch(text):
        return _(": the cell holds Excel's error for a formula: correct the formula in the workbook, or leave the "
                 "cell empty where the value is unknown")
    if kind in ("integer", "number"):
        if text in _UNKNOWN:
            return _(": an unknown value is an empty cell; leave it empty, or list {value} in the resource's "
                     "`missingValues` in data/datapackage.yaml").format(value=cell(text))
        bare = re.sub(r"(?i)^rp\.?\s*|\s*%$", "", text)
        if bare != text and re.fullmatch(r"[+-]?[\d.,\s\u00a0]+", bare):
            return _(": write the number alone ({bare}), without `Rp` or `%`; the unit belongs in the column's "
                     "`unit` in data/datapackage.yaml").format(bare=cell(_plain_number(bare)))
        if re.fullmatch(r"[+-]?\d{1,3}([\s\u00a0\u202f]\d{3})+([.,]\d+)?", text):
            return _(": remove the spaces between the thousands ({fixed})").format(fixed=_plain_number(text))
    if kind == "yearmonth" and re.fullmatch(r"\d{4}-\d{2}-01", text):
        # Panduan: Excel mengubah 2020-11 menjadi tanggal. Format kolomnya sebagai Teks dulu, lalu ketik ulang.
        return _(": Excel turned the month into a date; format the column as Text (Home > Number > Text), then "
                 "type {month} again").format(month=text[:7])
    if kind in ("date", "yearmonth") and re.fullmatch(r"\d{5}", text) and 25000 <= int(text) <= 55000:  # 1968-2050
        # a date's serial number in Excel: 44197 is 2021-01-01
        day = (dt.date(1899, 12, 30) + dt.timedelta(days=int(text))).isoformat()
        if kind == "date":
            return _(": Excel's number for the day {day}, in a cell formatted as a number; format the cell as a date "
                     "(Format Cells > Date), or type {day}").format(day=day)
        return _(": Excel's number for the day {day}, in a cell formatted as a number; format the column as Text "
                 "(Home > Number > Text), then type {month}").format(day=day, month=day[:7])
    if kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", text):
        return _(": a date with a time of day; write the date alone, {day}").format(day=text[:10])
    return ""


def nearest(text: str, known) -> str:
    """" (nearest: 7404, 7401)" for a typo among known values."""
    found = close_matches(text, known, 3, 0.5)
    return " " + _("(nearest: {values})").format(values=", ".join(found)) if found else ""
