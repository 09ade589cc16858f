"""The sandboxed Jinja2 stage run over Markdown bodies and chart specs, with `value()`."""
from __future__ import annotations

import math
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

import jinja2

from buletin.compose.limits import MAX_TEXT, BodySandbox, TooMuchWork, bounded, capped
from buletin.compose.macroerrors import (
    call_error,
    in_code,
    python_problem,
    syntax_problem,
    text_line,
    undefined,
    unquoted_period,
)
from buletin.compose.markup import FIGURE_PLACEHOLDER, PRINTED, PRINTED_END, unmarked
from buletin.i18n import Locale
from buletin.inputs.catalog import Catalog
from buletin.inputs.notes import covered, note_text
from buletin.inputs.query import QueryError, select, value
from buletin.inputs.tables import as_text
from buletin.messages import _, number
from buletin.problems import Problems

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w-]*)")  # indented too: a chart may stand in a list item
PLACEHOLDER = FIGURE_PLACEHOLDER
MAX_RETRIES = 20
PLACEHOLDER_LINE = re.compile(r"^[ \t]*BULETINFIGURE(\d+)X$", re.M)


class BodyText(str):
    """A document's body as extract_charts gives it to the macro stage: a value it quotes that a note vouches
    for (data/catatan.yaml) gets a footnote there, and only there (not in a title or a main point)."""


@dataclass(frozen=True)
class ChartBlock:
    """A ```chart fenced block: its YAML text and the file line of its first spec line; for a block without its
    closing fence, the line where it was cut off (the next block's opening fence, or the body's end)."""

    text: str
    first_line: int
    runs_to: int | None = None


def extract_charts(body: str, body_line: int) -> tuple[str, list[ChartBlock]]:
    """Replace each chart block by a one-line placeholder, keeping the body's line count."""
    lines = body.split("\n")
    out: list[str] = []
    blocks: list[ChartBlock] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        fence = match.group(2)
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        chart = match.group(3) == "chart"
        # a fence with a name after it opens the next block: this one was never closed
        unclosed = end == len(lines) or bool(lines[end].strip().lstrip(fence[0]).strip())
        if chart and unclosed and end < len(lines):
            end -= 1  # the next block stays a block of its own
        chunk = lines[i : end + 1]
        if chart:
            indent = len(match.group(1))
            # the block's own indentation (a chart in a list item) goes; the YAML's nesting within it stays
            spec = "\n".join(line[indent:] if not line[:indent].strip() else line.lstrip()
                             for line in lines[i + 1 : end])
            last = min(end, len(lines) - 1)  # the last line of text the block took
            while last > i and not lines[last].strip():
                last -= 1
            blocks.append(ChartBlock(spec, body_line + i + 1, body_line + last if unclosed else None))
            chunk = [match.group(1) + PLACEHOLDER.format(len(blocks) - 1)] + [""] * (len(chunk) - 1)
        out.extend(chunk)
        i = end + 1
    return BodyText("\n".join(out)), blocks


def make_environment(body: bool = False) -> BodySandbox:
    """The sandbox: no access to Python internals, undefined names are errors, work is bounded.

    In a body (`body`), what `{{ }}` prints is marked (PRINTED ... PRINTED_END), so that after Markdown it is made
    text, whatever it holds (markup.printed_as_text): a data cell shown by `{{ row.nama }}` never becomes markup,
    even on a site that allows raw HTML (which trusts its writers, not its data), while Markdown still treats it
    as it treats any text, in code too. Titles, main points and chart blocks are not HTML; the theme escapes them.
    """
    env = BodySandbox(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    if body:
        bounded = env.finalize
        assert bounded is not None  # limits._Bounded sets it
        env.finalize = lambda value: _printed(bounded(value))
    return env


def _printed(value: Any) -> str:
    """A value `{{ }}` prints in a body, between the marks that make it text (its footnote marks after them)."""
    shown, marks = (value.shown, value.marks) if isinstance(value, Marked) else (str(value), "")
    return PRINTED + unmarked(shown) + PRINTED_END + marks  # unmarked: a cell holding one could end its text early


Lookup = Callable[[str, tuple, Callable[[], Any]], Any]


class MacroStage:
    """Renders text through the sandbox, reporting every error at its file line."""

    def __init__(self, catalog: Catalog, locale: Locale, problems: Problems, lookup: Lookup | None = None):
        self.lookup = lookup or (lambda kind, parts, compute: compute())  # a cache of values (Composer.artifact)
        self.env, self.body_env = make_environment(), make_environment(body=True)
        self.catalog = catalog
        self.locale = locale
        self.problems = problems
        self.quoted: list[dict[str, Any]] = []  # every value() call, for revision notices and caches
        self.footnotes: dict[str, str] | None = None  # in a body: the notes of the values quoted, by label
        self._text = ""  # the text being rendered, to quote a faulty macro as it was written

    def render(self, text: str, source: str, first_line: int, context: dict[str, Any]) -> str | None:
        """Render `text` (which starts on `first_line` of `source`); None when it has errors.

        A runtime error stops Jinja at its line; to report every error in one run, that line is blanked
        and the text rendered again, up to MAX_RETRIES times.
        """
        if len(text) > MAX_TEXT:  # said of the text as such, not as of a macro making too much of it
            self.problems.add(source, first_line, _("this text holds {count} characters, more than a page may hold "
                                                    "({limit}): split it into several").format(
                count=number(len(text)), limit=number(MAX_TEXT)))
            return None
        if "{" not in text:
            return text
        before, body = self.problems.mark(), isinstance(text, BodyText)
        for _attempt in range(MAX_RETRIES):
            self.footnotes = {} if body else None
            result, failed_line = self._render_once(text, source, first_line, context, body)
            if failed_line is None:
                return _with_footnotes(result, self.footnotes) if self.problems.mark() == before else None
            lines = text.split("\n")
            if not 0 < failed_line <= len(lines) or not lines[failed_line - 1].strip():
                return None
            lines[failed_line - 1] = ""
            text = "\n".join(lines)
        return None

    def _render_once(self, text: str, source: str, first_line: int, context: dict[str, Any],
                     body: bool) -> tuple[str | None, int | None]:
        """(result, None) or (None, the failing template line)."""
        filename = f"{source}#L{first_line}"
        try:
            env = self.body_env if body else self.env
            template = env.template_class.from_code(env, env.compile(text, filename=filename), env.make_globals(None))
        except jinja2.TemplateSyntaxError as exc:
            line, message = syntax_problem(exc, text)
            self.problems.add(source, first_line + line - 1, message)
            return None, 0  # nothing more can be learnt from a text that does not parse
        except SyntaxError as exc:  # Jinja's code is valid; Python refuses what it says, e.g. a repeated agg=
            line, message = python_problem(exc, text)
            self.problems.add(source, first_line + line - 1, message)
            return None, 0
        error: Exception
        self._text = text
        try:
            with bounded():
                variables = {**context, **self._functions(source, first_line, filename, template)}
                return capped(template.generate(variables)), None
        except TooMuchWork as exc:  # not tried again: another run of the same text would cost as much
            self._runtime_problem(exc, source, first_line, filename, _(
                "too much work for one text ({reason}): simplify the {code} code").format(reason=exc, code="{{ }}"))
            return None, 0
        except jinja2.exceptions.SecurityError as exc:
            error, message = exc, _("this is not allowed in an article ({reason}): use value() and change() to "
                                    "quote data").format(reason=exc)
        except jinja2.UndefinedError as exc:
            error, message = exc, undefined(exc.message or "", self.catalog, context)
        except TypeError as exc:
            error, message = exc, call_error(exc)
        except Exception as exc:  # a user's template can fail in many ways; name it, never a traceback
            error, message = exc, in_code(str(exc) or type(exc).__name__)  # a MemoryError says nothing
        return None, self._runtime_problem(error, source, first_line, filename, message)

    def _runtime_problem(self, exc: Exception, source: str, first_line: int, filename: str,
                         message: str) -> int:
        """Report a runtime error at its file line; return its template line."""
        line = 1
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == filename and frame.lineno:
                line = frame.lineno
        self.problems.add(source, first_line + line - 1, message)
        return line

    def _quote(self, where: tuple, dataset: str, column: str, agg: str, filters: dict[str, Any],
               macro: str, digits: int | None = None, marks: list[str] | None = None) -> float | None:
        """One aggregate, recorded for revision notices; None (with a problem at the macro's line) on error."""
        source, first_line, filename, template = where
        _defined(dataset, column, agg, filters)
        try:
            number, notes = self.lookup("value", (dataset, column, agg, filters),
                                        lambda: (value(self.catalog, dataset, column, agg, filters),
                                                 self._notes(dataset, column, filters)))
        except QueryError as exc:
            if not exc.follow_on:
                line = _template_line(filename, template)
                hint = unquoted_period(text_line(self._text, line), exc.column) if exc.unquoted else ""
                self.problems.add(source, first_line + line - 1, f"{macro}(): {exc}{hint}")
            return None
        self.quoted.append(quote_record(source, dataset, column, agg, filters, number, digits))
        if self.footnotes is not None and marks is not None:
            self.footnotes.update(notes)
            marks.extend(label for label, _text in notes)
        return number

    def _notes(self, dataset: str, column: str, filters: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """(footnote label, text) of each note on a value the aggregate includes."""
        rows = self.catalog.note_rows(dataset)
        table = self.catalog.get(dataset) if rows else None
        if table is None:
            return ()
        return tuple((note.label, note_text(note, table, self.catalog.get, self.locale.language))
                     for note in covered(rows, [column], select(table, filters)))


    def _functions(self, source: str, first_line: int, filename: str, template: jinja2.Template) -> dict:
        """value() and change(), bound to where the text stands, for error lines."""
        where = (source, first_line, filename, template)

        def places(digits: Any, macro: str) -> int | None:
            if isinstance(digits, int) and not isinstance(digits, bool) and 0 <= digits <= 10:
                return digits
            self.problems.add(source, first_line + _template_line(filename, template) - 1,
                              f"{macro}(): " + _("`digits` must be a whole number from 0 to 10, not "
                                                 "`{digits}`").format(digits=digits))
            return None

        def value_macro(dataset: str, column: str, agg: str = "sum", digits: int = 0, **filters: Any) -> str:
            shown, marks = places(digits, "value"), list[str]()
            number = self._quote(where, dataset, column, agg, filters, "value", shown or 0, marks)
            if number is None or shown is None:
                return "?"
            return "–" if math.isnan(number) else _marked(self.locale.number(number, shown), marks)

        def change_macro(dataset: str, column: str, compare: dict[str, Any], agg: str = "sum", digits: int = 1,
                         **filters: Any) -> str:
            """ "naik 0,8%" / "turun 2,1%" / "tetap": the filtered value against the same with `compare` applied."""
            shown, marks = places(digits, "change"), list[str]()
            now = self._quote(where, dataset, column, agg, filters, "change", marks=marks)
            before = self._quote(where, dataset, column, agg, {**filters, **dict(compare)}, "change", marks=marks)
            if now is None or before is None or shown is None:
                return "?"
            if math.isnan(now) or math.isnan(before) or before == 0:
                return "–"
            percent = (now - before) / abs(before) * 100
            if round(percent, shown) == 0:
                return self.locale.text("unchanged")
            word = self.locale.text("up" if percent > 0 else "down")
            return _marked(f"{word} {self.locale.percent(abs(percent), shown)}", marks)

        return {"value": value_macro, "change": change_macro}


def _defined(*values: Any) -> None:
    """Raise Jinja's own error for a name that is not defined among a macro's arguments (`edition.periode`),
    as printing it would: a key cannot be made of it."""
    for argument in values:
        if isinstance(argument, jinja2.Undefined):
            argument._fail_with_undefined_error()
        if isinstance(argument, dict):
            _defined(*argument.values())


class Marked(str):
    """A quoted figure with the footnote mark of each note on a value it includes (Markdown: 5.522[^catatan-1]);
    printed in a body, the marks stay Markdown (make_environment)."""

    shown: str
    marks: str

    def __new__(cls, shown: str, marks: str) -> Marked:
        made = super().__new__(cls, shown + marks)
        made.shown, made.marks = shown, marks
        return made


def _marked(shown: str, labels: list[str]) -> str:
    """`shown` with the footnote marks of `labels`, as Marked when it has any."""
    marks = "".join(f"[^{label}]" for label in dict.fromkeys(labels))
    return Marked(shown, marks) if marks else shown


def _with_footnotes(text: str | None, footnotes: dict[str, str] | None) -> str | None:
    """A body with the notes its figures quote as Markdown footnotes, at its end (python-markdown lists them
    at the end of the page, each linked to and from its marks)."""
    if not text or not footnotes:
        return text
    shown = [f"[^{label}]: {_escaped(note)}" for label, note in footnotes.items()]
    return text + "\n\n" + "\n".join(shown) + "\n"


def _escaped(text: str) -> str:
    """A note's text as plain text in Markdown: no markup, no HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def quote_record(source: str, dataset: str, column: str, agg: str, filters: dict[str, Any], number: float,
                 digits: int | None) -> dict[str, Any]:
    """A quoted figure as revision notices need it: filter values as the data write them (true, 2020), and the
    digits it was shown with (None: not shown as a number, as the two terms of a change())."""
    written = {k: v if isinstance(v, dict) else [as_text(i) for i in v] if isinstance(v, (list, tuple))
               else as_text(v) for k, v in filters.items()}
    return {"source": source, "data": dataset, "column": column, "agg": agg, "filters": written, "value": number,
            "digits": digits}


def _template_line(filename: str, template: jinja2.Template) -> int:
    """The template line of the innermost frame of the compiled template on the stack."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return 1
