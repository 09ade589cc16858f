"""Bounds on the work an input can ask for: every template (a body's macros, the site's theme) runs in a
Jinja sandbox that caps text and number sizes, loop work and time, so a pull request cannot hang CI or
exhaust its memory with `{{ 'x' * 10**9 }}` or nested loops."""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import signal
import threading
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, ValuesView
from pathlib import PurePath
from types import ModuleType
from typing import Any

from jinja2 import BaseLoader, Environment, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

from buletin.messages import _, number

MAX_TEXT = 2_000_000  # characters a template may build or write (the longest real page is about 200,000)
MAX_ITEMS = 1_000_000  # loop items over all range() calls of one template render
MAX_DIGITS = 1_000  # digits of a number made by `**`
_DEEPEST = 20  # levels of lists in lists a value may have to be measured (no page needs more than a few)
SECONDS = 10  # a render that takes longer is stopped (a body takes milliseconds, a page a few)


_OFF_LIMITS = (PurePath, Environment, BaseLoader, ModuleType)
# Libraries whose objects do anything (a DataFrame writes files with to_csv, its Styler makes an unsandboxed Jinja
# environment): a template reaches none of their objects, even through the model's data.
_OFF_LIMIT_PACKAGES = frozenset({"pandas", "numpy", "matplotlib", "openpyxl", "sqlite3", "subprocess", "os", "io",
                                 "pathlib", "shutil", "typst", "pickle", "markdown", "yaml", "multiprocessing"})


def _off_limits(value: Any) -> bool:
    return isinstance(value, _OFF_LIMITS) or type(value).__module__.split(".")[0] in _OFF_LIMIT_PACKAGES


class TooMuchWork(SecurityError):
    """A template asked for more text, items or time than any real page needs."""


class _MeasuredConcat(CodeGenerator):
    """Compiles `a ~ b` to a join that is measured first: Jinja writes `~` as an inline join that no sandbox
    hook sees, so `{% set a = a ~ a %}` in a loop would double a text past any memory."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.measured_concat({join}, (")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


class _Bounded:
    """Sandbox hooks shared by the body sandbox and the theme's (a mixin for SandboxedEnvironment)."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class: type[CodeGenerator] = _MeasuredConcat

    def measured_concat(self, join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
        """`~`: the parts joined as text, refused when that would pass MAX_TEXT characters."""
        if sum(_text_size(part) for part in parts) > MAX_TEXT:
            raise TooMuchWork(_("a text of more than {count} characters (`~` joins too much)").format(
                count=number(MAX_TEXT)))
        return join(parts)

    def _bound_filters(self) -> None:
        """The filters and globals that can make a text or list of any size, checked before they make it; every
        `{{ }}` checked before it is printed (a value is made text only then)."""
        env: Any = self  # a Jinja environment: this class is mixed into one
        env.filters.update({name: _checked(env.filters[name], name) for name in (*_GROWING, *_TEXT_OF)
                            if name in env.filters})
        env.globals.update(range=self.budgeted_range)
        # A text is made again only when what it read changed, and a build gives the bytes the last one gave:
        # nothing may differ from one run to the next.
        env.filters.pop("random", None)
        env.globals.pop("lipsum", None)
        env.finalize = _printable

    def concat(self, parts: Iterable[str]) -> str:
        """The output of a block (`{% set x %}...{% endset %}`), a macro or a template, joined: refused once it
        passes MAX_TEXT characters (a macro that prints its argument twice, called on itself, doubles it)."""
        return capped(iter(parts))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A str method that makes a text of any size (`center`, `replace`, `format`) is checked first."""
        method = getattr(__obj, "__wrapped__", __obj)
        text = getattr(method, "__self__", None)
        if isinstance(text, (str, bytes, bytearray)):
            name = getattr(method, "__name__", "")
            _check_size("str.join" if name == "join" else name, (text, *args), kwargs)
        return super().call(__context, __obj, *args, **kwargs)  # type: ignore[misc]

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and \
                abs(left) > 1 and right * max(len(str(abs(left))), 1) > MAX_DIGITS:
            raise TooMuchWork(_("a number with more than {count} digits").format(count=number(MAX_DIGITS)))
        if operator == "*" and _repeated_length(left, right) > MAX_TEXT:
            raise TooMuchWork(_("a text or list of more than {count} items (`*` repeats too much)").format(
                count=number(MAX_TEXT)))
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, type(left)) and \
                len(left) + len(right) > MAX_TEXT:
            raise TooMuchWork(_("a text or list of more than {count} items").format(count=number(MAX_TEXT)))
        if operator == "%" and isinstance(left, str):
            _check_size("format", (left, *(right if isinstance(right, tuple) else (right,))), {})
        return super().call_binop(context, operator, left, right)  # type: ignore[misc]

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`row.items` is a row's column `items`, not the dict's method (nor, for `row.pop`, a refused one): a
        mapping's keys come before its methods."""
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)  # type: ignore[misc]

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Nothing of the machine is reachable: no path (its methods read and write files), no Jinja environment
        or loader (which would let a template include any file), no module."""
        if _off_limits(obj) or _off_limits(value):
            return False
        return super().is_safe_attribute(obj, attr, value)  # type: ignore[misc]

    def budgeted_range(self, *args: int) -> range:
        """range(), counting every item handed out in this render against MAX_ITEMS."""
        items = range(*args)
        _budget.left -= len(items)
        if _budget.left < 0:
            raise TooMuchWork(_("loops over more than {count} items in all (range() too large or nested)").format(
                count=number(MAX_ITEMS)))
        return items


# What a filter, global or str method of that name can make, at most, from its arguments (the text first).
_GROWING = ("center", "indent", "replace", "format", "batch", "slice", "join", "wordwrap", "tojson", "string", "sum")
_TEXT_OF = frozenset({"pprint", "e", "escape", "forceescape", "upper", "lower", "title", "capitalize", "trim",
                      "striptags", "urlencode", "urlize", "safe", "truncate", "wordcount", "xmlattr"})
_WIDE_NUMBER = re.compile(r"\d{7,}")


def _checked(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`function`, refusing to make more than MAX_TEXT characters or items (it keeps Jinja's pass_* marks)."""
    marked = getattr(function, "jinja_pass_arg", None) is not None

    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_size(name, args[1:] if marked else args, kwargs)
        return function(*args, **kwargs)

    return functools.update_wrapper(checked, function)


def _check_size(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if _size(name, args, kwargs) > MAX_TEXT:
        raise TooMuchWork(_("`{name}` would make a text or list of more than {count} items").format(
            name=name, count=number(MAX_TEXT)))


def _size(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """An upper bound of what `name` makes from `args` (0 for what cannot grow)."""
    first = args[0] if args else ""
    # a container or bytes are measured, never printed (str() of 1.5 GB of bytes would be the bomb itself)
    text = first if isinstance(first, str) else "" if isinstance(first, (list, tuple, dict, bytes, bytearray)) \
        else str(first)[:MAX_TEXT]

    def arg(i: int, key: str, default: Any) -> Any:
        return args[i] if len(args) > i else kwargs.get(key, default)

    def whole(value: Any) -> int:
        return len(value) if isinstance(value, str) else value if isinstance(value, int) else 0

    if name in ("center", "ljust", "rjust", "zfill"):
        return whole(arg(1, "width", 80))
    if name == "indent":
        return len(text) + (text.count("\n") + 1) * whole(arg(1, "width", 4))
    if name == "expandtabs":
        return len(text) * max(whole(arg(1, "tabsize", 8)), 1)
    if name == "replace":
        old, new = str(arg(1, "old", "")), str(arg(2, "new", ""))
        return len(text) + (text.count(old) if old else len(text) + 1) * len(new)
    if name == "format":  # widths in the text, or given as arguments (`%*s`, `{0:>{1}}`), and what is put in
        values = (*args[1:], *kwargs.values())
        widths = [value for value in values if isinstance(value, int) and not isinstance(value, bool)]
        return max([len(text), *(int(n) for n in _WIDE_NUMBER.findall(text)), *widths]) + \
            sum(_text_size(value) for value in values)
    if name in ("join", "str.join"):  # the filter joins its value with `d`; the method joins its argument
        items, glue = (arg(0, "value", ()), arg(1, "d", "")) if name == "join" else (arg(1, "iterable", ()), text)
        return _text_size(items) + len(str(glue)) * (len(items) if isinstance(items, (list, tuple)) else 0)
    if name in ("tojson", "string"):
        return _text_size(args[0] if args else "")
    if name == "wordwrap":
        return len(text) + (len(text) // max(whole(arg(1, "width", 79)), 1) + 1) * len(str(arg(4, "wrapstring", "")))
    if name == "sum" and not isinstance(arg(2, "start", 0), (int, float)):
        return MAX_TEXT + 1  # lists or texts added up: quadratic in one call, which no deadline stops
    if name in ("batch", "slice"):
        return whole(arg(1, "linecount" if name == "batch" else "slices", 0))
    # a filter that makes text of its value: a list holding the same long text many times, nested, costs
    # nothing to make and gigabytes to print
    return _text_size(first) if name in _TEXT_OF and args and not isinstance(first, str) else 0


def _text_size(value: Any, depth: int = 0, known: dict[int, int] | None = None) -> int:
    """About how many characters `value` prints as: texts, and containers, namespaces and data classes by what
    they hold (a part held many times counts each time, but is measured once); anything else as a short text.
    Nesting deeper than any page needs counts as too much."""
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if value is None or isinstance(value, (bool, int, float)):
        return len(repr(value))
    if depth >= _DEEPEST:
        return MAX_TEXT + 1
    known = {} if known is None else known
    if id(value) not in known:
        known[id(value)] = _parts_size(value, depth, known)
    return known[id(value)]


def _parts_size(value: Any, depth: int, known: dict[int, int]) -> int:
    if isinstance(value, Namespace):
        value = object.__getattribute__(value, "_Namespace__attrs")
    if isinstance(value, (dict, ItemsView)):
        items = value.items() if isinstance(value, dict) else value
        return sum(_text_size(k, depth + 1, known) + _text_size(v, depth + 1, known) + 4 for k, v in items)
    if isinstance(value, (list, tuple, set, frozenset, KeysView, ValuesView)):
        return sum(_text_size(item, depth + 1, known) + 2 for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_text_size(getattr(value, f.name), depth + 1, known) + len(f.name) + 3
                   for f in dataclasses.fields(value)) + len(type(value).__name__)
    return 20


def _printable(value: Any) -> Any:
    """A `{{ }}` value, refused before it is made text when that text would pass MAX_TEXT characters."""
    if not isinstance(value, str) and _text_size(value) > MAX_TEXT:
        raise TooMuchWork(_("a text or list of more than {count} items").format(count=number(MAX_TEXT)))
    return value


def _repeated_length(left: Any, right: Any) -> int:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, bytearray, list, tuple)) and isinstance(times, int) and \
                not isinstance(times, bool):
            return len(seq) * max(times, 0)
    return 0


class BodySandbox(_Bounded, ImmutableSandboxedEnvironment):
    """For Markdown bodies and chart specs: nothing mutable, nothing internal, bounded."""

    def __init__(self, **options: Any):
        super().__init__(**options)
        self._bound_filters()


class ThemeSandbox(_Bounded, ImmutableSandboxedEnvironment):
    """For theme templates, which a pull request can change as easily as a body: no access to Python
    internals (`__class__`, `__globals__`) nor to the machine, nothing of the model changed, bounded like a
    body."""

    def __init__(self, **options: Any):
        super().__init__(**options)
        self._bound_filters()


class _Budget(threading.local):
    left = MAX_ITEMS
    inside = False  # within a deadline of ours (a figure inside a page): the outer one's budget and time hold


_budget = _Budget()


def capped(chunks: Iterator[str]) -> str:
    """Join a template's output, stopping once it passes MAX_TEXT characters."""
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_TEXT:
            raise TooMuchWork(_("the text grows past {count} characters").format(count=number(MAX_TEXT)))
        out.append(chunk)
    return "".join(out)


class TookTooLong(TooMuchWork):
    """A render ran past its deadline."""


@contextlib.contextmanager
def bounded(seconds: int = SECONDS) -> Iterator[None]:
    """Run a render with a fresh loop budget and, where the platform allows (the main thread of a POSIX
    process, which is where buletin renders), a deadline; a render that recurses without end is too much work."""
    with _calls_end(), deadline(seconds):
        yield


@contextlib.contextmanager
def deadline(seconds: int = SECONDS) -> Iterator[None]:
    """Stop the work inside (a render, Markdown on a body) after `seconds`, with TookTooLong, where the platform
    allows (the main thread of a POSIX process); inside a deadline already, that one holds."""
    if _budget.inside:
        yield  # inside a bounded render already (a figure inside a page): its budget and deadline hold
        return
    _budget.left, _budget.inside = MAX_ITEMS, True
    try:
        # a timer someone else set (a program that runs buletin, a test's own limit) is left to run as it is
        usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread() and \
            signal.getitimer(signal.ITIMER_REAL)[0] == 0
        if not usable:
            yield
            return

        def stop(_signum: int, _frame: Any) -> None:
            raise TookTooLong(_("it takes longer than {seconds} s (a loop that does too much?)").format(
                seconds=number(seconds)))

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    finally:
        _budget.inside = False


@contextlib.contextmanager
def _calls_end() -> Iterator[None]:
    """A macro or template that calls itself without end is too much work, like any other."""
    try:
        yield
    except RecursionError as exc:  # its traceback kept: it names the template's line
        raise TooMuchWork(_("a macro or template calls itself without end")).with_traceback(exc.__traceback__) \
            from None
