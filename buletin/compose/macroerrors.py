"""The words for a macro that does not parse or fails: the usual slips in a writer's terms, at the line where
they were made, rather than as Jinja or Python word them."""
from __future__ import annotations

import re
from typing import Any

import jinja2

from buletin.inputs.catalog import Catalog
from buletin.messages import _

USAGE = {"value": 'value("DATASET", "COLUMN", agg="sum", digits=0, COLUMN=VALUE, ...)',
         "change": 'change("DATASET", "COLUMN", compare={"periode": edition.previous}, COLUMN=VALUE, ...)'}


def call_error(exc: TypeError) -> str:
    """A macro called with the wrong arguments, in the writer's terms rather than Python's."""
    text = str(exc)
    for name, usage in USAGE.items():
        if f"{name}_macro()" in text:
            reason = text.split("()", 1)[1].strip()
            return f"{name}(): " + _("{reason}; write it as {usage}").format(reason=reason, usage=usage)
    return in_code(text)


def syntax_problem(exc: jinja2.TemplateSyntaxError, text: str) -> tuple[int, str]:
    """(line, message) for a text whose {{ }} code does not parse: the usual slips in plain words, at the line
    where they were made; anything else as Jinja words it."""
    said, line = exc.message or "", exc.lineno or 1
    if said == "unexpected '}'" and "{{" in text_line(text, line) and "{%" not in text_line(text, line):
        return line, _("a macro ends with two braces, `{close}`: add the missing `}}`").format(close="}}")
    if "end of print statement" in said or "unexpected end of template" in said:  # `{{` never closed: Jinja
        # notices only where the text goes on, or at its end
        opened = [n for n, text_line in enumerate(text.split("\n")[:line], start=1) if "{{" in text_line]
        return (opened[-1] if opened else line), _("a `{open}` opened here is not closed with `{close}`: close it "
                                                   "after the macro, as in {example}").format(
            open="{{", close="}}", example='{{ value("ikm", "unit_usaha") }}')
    if re.fullmatch(r"unexpected '[}\]]', expected '\)'", said):
        return line, _("a `(` is not closed: add `)` before `{close}`").format(close="}}")
    if "statement block" in said or said.startswith(("tag name expected", "Encountered unknown tag")):
        return line, _("`{command}` begins a template command, which an article does not use; write {shown} to show "
                       "the characters {command} themselves").format(command="{%", shown="{{ '{%' }}")
    if "{{{" in text_line(text, line):  # Jinja reads `{{ {`: a mapping in a macro
        return line, _("a macro stands between two braces, `{example}`, not three").format(
            example='{{ value("ikm", "unit_usaha") }}')
    curly = re.search(r"unexpected char '([\u2018\u2019\u201c\u201d])'", said)
    if curly:  # said before an unclosed quote: a curly quote opening a text leaves the straight one after it open
        return line, _("`{quote}` is a word processor's curly quote, not a quote here: write straight quotes, \" or "
                       "'").format(quote=curly.group(1))
    unknown = re.fullmatch(r"No filter named '([^']+)'\.?", said)
    if unknown:
        if unknown.group(1) == "random":
            return line, _("there is no filter `|random`: a page shows the same on every build, so choose the item "
                           "yourself")
        return line, _("there is no filter `|{name}`: check its spelling").format(name=unknown.group(1))
    unclosed = _unclosed_quote(text, line)
    if unclosed is not None:  # Jinja reads on to the next quote, and fails somewhere after it
        return unclosed, _("a text in quotes is not closed: add the closing quote, as in {example}").format(
            example='value("ikm", "unit_usaha")')
    message = in_code(said)
    if "got 'integer'" in said:
        typed = re.search(r"\b(\w+)\s*=\s*(\d+(?:-\d+)+)", text_line(text, line))
        if typed:  # periode=2020-09: Jinja reads 0 and 9, two numbers
            return line, _("a period or a code must be written in quotes: write {column}=\"{typed}\"").format(
                column=typed.group(1), typed=typed.group(2))
        message += _(": a period or a code must be written in quotes, e.g. periode=\"2021-03\"")
    return line, message


def text_line(text: str, number: int) -> str:
    lines = text.split("\n")
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _unclosed_quote(text: str, upto: int) -> int | None:
    """The first line up to `upto` whose {{ }} code has a quote that is not closed on it, if any (a text in quotes
    rarely runs over two lines in a macro)."""
    raw = False  # inside {% raw %}: an example of code, shown as it is
    for number, line in enumerate(text.split("\n")[:upto], start=1):
        code = ""
        for part in _RAW.split(line):
            if part in ("raw", "endraw"):
                raw = part == "raw"
            elif not raw:
                code += part
        for macro in re.findall(r"{{(.*?)(?:}}|$)", code):
            if macro.count('"') % 2 or (macro.count("'") % 2 and '"' not in macro):  # Jum'at inside "..." is fine
                return number
    return None


_RAW = re.compile(r"{%-?\s*(raw|endraw)\s*-?%}")


def unquoted_period(line: str, column: str | None) -> str:
    """The hint for a filter written without quotes, which Jinja reads as a subtraction: `periode=2020-11` is 2009."""
    found = re.search(rf"\b{re.escape(column or '')}\s*=\s*(\d+(?:\s*-\s*\d+)+)", line) if column else None
    if found is None:
        return _(" (without quotes, a period such as 2020-11 is a subtraction: write it in quotes, as in "
                 "periode=\"2020-11\")")
    typed = re.sub(r"\s+", "", found.group(1))
    return _(" (without quotes, {typed} is a subtraction: write {column}=\"{typed}\")").format(typed=typed,
                                                                                             column=column)


def in_code(problem: str) -> str:
    """A problem in the {{ }} code of a text, as Jinja or Python words it."""
    return _("in the {code} code: {problem}").format(code="{{ }}", problem=problem)


def undefined(problem: str, catalog: Catalog, context: dict[str, Any]) -> str:
    """Jinja's "'editon' is undefined", with what is there instead (a column of the page's row is `row.name`; a
    dataset's or a column's name written without quotes is the name itself)."""
    found = re.match(r"^'([^']*)' is undefined$", problem)
    if not found:
        return _("in the {code} code: {problem}; available: value(), change(), edition, page, row").format(
            code="{{ }}", problem=problem)
    name, datasets, row = found.group(1), catalog.names, context.get("row")
    if isinstance(row, dict) and name in row:
        return _("`{name}` is unknown here: a column of this page's row is written row.{name}").format(name=name)
    if name in datasets or any(name in spec.field_names for n in datasets if (spec := catalog.spec(n))):
        return _("`{name}` is a name from the data, written in quotes: \"{name}\", as in value(\"ikm\", "
                 "\"unit_usaha\")").format(name=name)
    return _("`{name}` is unknown here: check its spelling; available: value(), change(), edition, page, "
             "row").format(name=found.group(1))


def python_problem(exc: SyntaxError, text: str) -> tuple[int, str]:
    """(line, message) for a macro that Jinja parses and Python refuses: a keyword given twice, as in
    `agg="sum", agg="mean"`."""
    repeated = re.fullmatch(r"keyword argument repeated: (\w+)", exc.msg or "")
    if repeated:
        name = repeated.group(1)  # twice in one {{ }}, which may run over lines; not in two macros of a line
        twice = re.search(rf"\b{name}\s*=(?!=)(?:(?!}}}}).)*?\b{name}\s*=(?!=)", text, re.S)
        line = text.count("\n", 0, twice.start()) + 1 if twice else _python_line(text, exc)
        return line, _("`{name}=` is written twice in one macro: keep one of them").format(name=name)
    return _python_line(text, exc), in_code(exc.msg)


def _python_line(text: str, exc: SyntaxError) -> int:
    """The text's line of a macro Python refused: the first `{{` line holding the offending name, else 1."""
    name = exc.msg.rsplit(":", 1)[-1].strip()
    lines = text.split("\n")
    return next((n for n, line in enumerate(lines, start=1) if "{{" in line and name and name in line), 1)
