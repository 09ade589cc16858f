"""The YAML inputs' shapes, declared once as dataclasses, and the one mechanism that validates them.

A declaration is a frozen dataclass whose fields carry their type and, where needed, a `Rule` (the key as
written, bounds, an example, a check). `validate()` walks a parsed YAML value against it and reports every
problem at the exact line of its key, with "did you mean" for unknown keys and the allowed values for
choices; it returns the typed value with defaults where the input was wrong, so later stages can go on
checking in the same run. Written here rather than with pydantic, whose import alone costs about 100 ms in
every build process, or msgspec, which stops at the first error.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin

from buletin.inputs.cellslips import CONTROL, typed_as_people_write
from buletin.inputs.yamlfile import KeyLines
from buletin.messages import N_, _, number
from buletin.periods import year_problem
from buletin.problems import Problems, did_you_mean, nearest

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")  # a declaration: a dataclass
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UNKNOWN = {"key": N_("unknown key `{key}`"), "front-matter key": N_("unknown front-matter key `{key}`")}
_MISSING = {"key": N_("missing required key `{key}`"),
            "front-matter key": N_("missing required front-matter key `{key}`")}


@dataclass(frozen=True)
class Rule:
    """What a field's type alone does not say."""

    key: str = ""  # the key as written in YAML, where it is not a Python name (primaryKey)
    minimum: float | None = None
    maximum: float | None = None
    one_or_many: bool = False  # a single value counts as a list of one (tags: uji)
    example: str = ""  # shown when the value has the wrong shape, e.g. "{periode: 2020-11}"
    check: Callable[[Any], str | None] | None = None  # a further check of a valid value: the problem, or None
    as_written: bool = False  # a mapping's values as the text written (filters: `0701` is no octal number)


def option(default: Any = dataclasses.MISSING, **rule: Any) -> Any:
    """A field with a Rule; without a default it is required."""
    if isinstance(default, (list, dict)):
        value = default
        return dataclasses.field(default_factory=lambda: type(value)(value), metadata={"rule": Rule(**rule)})
    return dataclasses.field(default=default, metadata={"rule": Rule(**rule)})


@dataclass(frozen=True)
class Where:
    """Where a value stands: its file, the lines of that file's YAML, and the key path to it."""

    source: str
    lines: KeyLines
    path: tuple[str | int, ...] = ()
    prefix: str = ""  # put before every message, e.g. "chart: "
    noun: str = "key"  # what a key is called in messages: "key" or "front-matter key" (see _UNKNOWN)

    def at(self, step: str | int) -> Where:
        return dataclasses.replace(self, path=(*self.path, step))

    def line(self) -> int | None:
        return self.lines.line(*self.path)


def validate(cls: type[T], raw: Any, where: Where, problems: Problems) -> T | None:
    """The typed value of `raw` (a parsed YAML mapping), or None when it is not a mapping at all."""
    if not isinstance(raw, dict):
        problems.add(where.source, where.line(), f"{where.prefix}{_describe_mapping(cls)}")
        return None
    return _Checker(problems).record(cls, raw, where)


def _describe_mapping(cls: type[DataclassInstance]) -> str:
    return _("write `key: value` lines here ({keys}, ...)").format(keys=", ".join(keys_of(cls)[:4]))


@cache
def _fields(cls: type[DataclassInstance]) -> tuple[tuple[str, Any, Rule | None], ...]:
    """(key as written, type, rule) of each field of a declaration."""
    hints = typing.get_type_hints(cls)
    out = []
    for item in dataclasses.fields(cls):
        rule = item.metadata.get("rule")
        out.append((rule.key if rule and rule.key else item.name, hints[item.name], rule))
    return tuple(out)


def keys_of(cls: type[DataclassInstance]) -> tuple[str, ...]:
    """The keys a declaration allows, as written in YAML."""
    return tuple(key for key, _, _ in _fields(cls))


class _Checker:
    def __init__(self, problems: Problems):
        self.problems = problems

    def fail(self, where: Where, message: str) -> None:
        self.problems.add(where.source, where.line(), where.prefix + message)

    def record(self, cls: type[T], raw: dict, where: Where) -> T:
        fields = _fields(cls)
        known = [key for key, _, _ in fields]
        misplaced: dict[str, str] = getattr(cls, "misplaced", {})  # keys of another kind of file, with advice
        for key in raw:
            if key not in known:
                advice = misplaced.get(key)
                self.fail(where.at(key), _(_UNKNOWN[where.noun]).format(key=key) + (
                    ": " + _(advice).format(key=key) if advice else did_you_mean(str(key), known)))
        values: dict[str, Any] = {}
        for item, (key, kind, rule) in zip(dataclasses.fields(cls), fields, strict=True):
            rule = rule or Rule()
            missing = item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
            if key not in raw or raw[key] is None or raw[key] == "" or raw[key] == [] or raw[key] == {}:
                if missing:
                    self.fail(where.at(key) if key in raw else where,
                              _(_MISSING[where.noun]).format(key=key) + self._hint(rule))
                    values[item.name] = _empty(kind)
                continue
            ok, value = self.value(kind, raw[key], where.at(key), key, rule)
            if ok:
                values[item.name] = value
            elif missing:
                values[item.name] = _empty(kind)
        return cls(**values)

    def _hint(self, rule: Rule) -> str:
        return _(", e.g. {example}").format(example=rule.example) if rule.example else ""

    def value(self, kind: Any, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
        """(True, the typed value) or (False, None) after reporting why not."""
        origin, args = get_origin(kind), get_args(kind)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            if len(options) == 1:
                return self.value(options[0], raw, where, key, rule)
            for option_kind in options:  # e.g. str | list[str]: the first that fits without a problem
                trial = Problems()
                ok, value = _Checker(trial).value(option_kind, raw, where, key, rule)
                if ok and not trial:
                    return True, value
            return self.value(options[-1], raw, where, key, rule)
        if origin is Literal:
            return self.choice(args, raw, where, key)
        if origin in (list, tuple):
            ok, items = self.sequence(args[0], raw, where, key, rule)
            return ok, tuple(items) if ok and origin is tuple else items
        if origin is dict:
            if isinstance(raw, dict):
                return True, as_written(raw, where) if rule.as_written else raw
            self.fail(where, _("`{key}` must be `key: value` lines").format(key=key) + self._hint(rule))
            return False, None
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            if isinstance(raw, dict):
                return True, self.record(kind, raw, dataclasses.replace(where, noun="key"))
            self.fail(where, _("`{key}` must be `key: value` lines ({keys})").format(
                key=key, keys=", ".join(keys_of(kind))))
            return False, None
        checker = _SCALARS.get(kind)
        if checker is None:  # Any
            return True, raw
        ok, value = checker(self, raw, where, key, rule)
        if ok and rule.check is not None:
            message = rule.check(value)
            if message:
                self.fail(where, message)
                return False, None
        return ok, value

    def choice(self, allowed: tuple, raw: Any, where: Where, key: str) -> tuple[bool, Any]:
        text = _scalar_text(raw, where)
        if text in allowed:
            return True, text
        names = [str(a) for a in allowed]
        guess = nearest(str(text), names) if text is not None else None
        hint = " " + _("(did you mean `{name}`?)").format(name=guess) if guess else ""
        if text is None:
            message = _("`{key}` must be one of {names}, not a list or mapping")
        else:
            message = _("`{key}` must be one of {names}, not `{text}`")
        self.fail(where, message.format(key=key, names=", ".join(names), text=text) + hint)
        return False, None

    def sequence(self, item_kind: Any, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
        if not isinstance(raw, list):
            if rule.one_or_many and not isinstance(raw, dict):
                ok, value = self.value(item_kind, raw, where, key, Rule(check=rule.check))
                return ok, [value] if ok else None
            self.fail(where, _("`{key}` must be a list (one `- item` per line)").format(key=key) + self._hint(rule))
            return False, None
        out, good = [], True
        for index, item in enumerate(raw):
            ok, value = self.value(item_kind, item, where.at(index), f"{key}[{index + 1}]", Rule(check=rule.check))
            good = good and ok
            if ok:
                out.append(value)
        return good, out


def as_written(value: Any, where: Where) -> Any:
    """Every scalar inside a mapping or list as the text written in the file: YAML reads `0701` as 449,
    `no` as false and `1.10` as 1.1, but a filter compares with the data's cells as written."""
    if isinstance(value, dict):
        keys = list(value)
        if not all(isinstance(key, str) for key in keys):  # `no: 1` names the column `no`, not false
            written = where.lines.keys(*where.path)
            keys = written if written is not None and len(written) == len(keys) else keys
        return {key: as_written(item, where.at(key)) for key, item in zip(keys, value.values(), strict=True)}
    if isinstance(value, list):
        return [as_written(item, where.at(index)) for index, item in enumerate(value)]
    if value is None or isinstance(value, str):
        return value
    return _scalar_text(value, where)


def _scalar_text(raw: Any, where: Where) -> str | None:
    """A scalar as written: YAML reads `no` as false and `1.10` as 1.1; the text is what the writer meant."""
    if isinstance(raw, (dict, list)):
        return None
    if isinstance(raw, str):
        return raw
    written = where.lines.raw(*where.path)
    return written if written is not None else str(raw)


def _text(checker: _Checker, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
    text = _scalar_text(raw, where)
    if text is None:
        checker.fail(where, _("`{key}` must be text, not a list or mapping").format(key=key) + checker._hint(rule))
        return False, None
    hidden = re.search(CONTROL, text)
    if hidden:  # written as an escape ("\0", "\a") in quotes: YAML refuses the character itself
        checker.fail(where, _("`{key}` holds an invisible character ({code}), which a page would not show: delete "
                              "it").format(key=key, code=f"U+{ord(hidden.group(0)):04X}"))
        return False, None
    return True, text.strip()


def _whole(checker: _Checker, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
    value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    return _bounded(checker, value, raw, where, key, rule, True)


def _number(checker: _Checker, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
    value = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None
    return _bounded(checker, value, raw, where, key, rule, False)


def _bounded(checker: _Checker, value: float | None, raw: Any, where: Where, key: str, rule: Rule,
             whole: bool) -> tuple[bool, Any]:
    low, high = rule.minimum, rule.maximum
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        shown = _scalar_text(raw, where)
        checker.fail(where, _bounds(whole, low, high).format(key=key, low=_plain(low), high=_plain(high),
                                                             shown=_shown(shown)))
        return False, None
    return True, value


def _bounds(whole: bool, low: float | None, high: float | None) -> str:
    """What a number must be: whole or not, between bounds or above one."""
    if low is not None and high is not None:
        if whole:
            return _("`{key}` must be a whole number from {low} to {high}, not {shown}")
        return _("`{key}` must be a number from {low} to {high}, not {shown}")
    if low is not None:
        if whole:
            return _("`{key}` must be a whole number of at least {low}, not {shown}")
        return _("`{key}` must be a number of at least {low}, not {shown}")
    return _("`{key}` must be a whole number, not {shown}") if whole else _("`{key}` must be a number, not {shown}")


def _shown(text: str | None) -> str:
    """A value as written, for "not ...": `segera`, or a list."""
    return f"`{text}`" if text is not None else _("a list or mapping")


def _plain(value: float | None) -> str:
    return "" if value is None else number(value)


def _flag(checker: _Checker, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
    if isinstance(raw, bool):
        return True, raw
    checker.fail(where, _("`{key}` must be true or false, not `{text}`").format(key=key,
                                                                                   text=_scalar_text(raw, where)))
    return False, None


def _date(checker: _Checker, raw: Any, where: Where, key: str, rule: Rule) -> tuple[bool, Any]:
    text = _scalar_text(raw, where)
    written = _DATE.fullmatch(text.strip()) if text else None
    if text is None or written is None:
        meant = typed_as_people_write(text, "date") if text else None  # 15-01-2021: write 2021-01-15
        checker.fail(where, _("`{key}` must be a date written YYYY-MM-DD, e.g. 2020-11-09, not {shown}").format(
            key=key, shown=_shown(text)) + (_(": write {fixed}").format(fixed=meant) if meant else ""))
        return False, None
    year, month, day = (int(part) for part in written.groups())
    out_of_range = year_problem(text.strip(), year)
    if out_of_range:
        checker.fail(where, out_of_range)
        return False, None
    try:
        return True, dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            checker.fail(where, _("`{text}` is not a real date ({month} has {days} days)").format(
                text=text.strip(), month=f"{year}-{month:02d}", days=calendar.monthrange(year, month)[1]))
        else:
            checker.fail(where, _("`{text}` is not a real date: the month is 01 to 12").format(text=text.strip()))
        return False, None


_SCALARS: dict[Any, Callable[..., tuple[bool, Any]]] = {str: _text, int: _whole, float: _number, bool: _flag,
                                                       dt.date: _date}


def _empty(kind: Any) -> Any:
    """A stand-in for a required value that is missing or wrong, so checking can go on."""
    return {list: [], tuple: (), dict: {}}.get(get_origin(kind), "" if kind is str else None)
