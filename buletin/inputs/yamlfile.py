"""YAML loading that can say on which line a key stands, and front-matter splitting."""
from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import yaml

from buletin import messages
from buletin.build import pickles
from buletin.messages import N_, _, number

try:  # the C parser is several times faster where libyaml is installed
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Base

# What aliases may expand a text to: a front matter has tens of values, the largest datapackage.yaml a few
# thousand. Nine anchors nine deep expand to 387 million, which would exhaust memory wherever it is walked.
MAX_VALUES = 200_000
MAX_CHARACTERS = 10_000_000  # and of text: one 1 MB text repeated 10,000 times took 4 GB where it was printed
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

T = TypeVar("T")


class _Loader(_Base):
    """Safe YAML where dates stay text (the stages check them with their line) and a repeated key is an error."""

    yaml_implicit_resolvers: ClassVar = {first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
                               for first, resolvers in _Base.yaml_implicit_resolvers.items()}
    first_line = 1  # the file's line where the text starts (a front matter's or a chart block's)

    def construct_mapping(self, node, deep=False):
        seen: dict[object, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, _value in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, _("the key `{key}` is written twice here (first on line {line}): keep "
                                          "one").format(key=key_node.value, line=seen[key] + self.first_line - 1),
                            key_node.start_mark)
                    seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class YamlError(ValueError):
    """Invalid YAML, with the 1-based line of the fault relative to the text."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


# Parsed texts, pickled (each caller gets its own copy), kept across builds in the cache: a site's
# thousand front matters cost more to parse than the rest of a build that changed one article.
_MEMO: dict[str, bytes] = {}
_RECALLED: set[str] = set()
_USED: set[str] = set()


def recall(memo: dict[str, bytes] | None) -> None:
    """Know these parsed texts (the last build's), and start counting the texts used anew."""
    _MEMO.update(memo or {})
    _RECALLED.clear()
    _RECALLED.update(memo or {})
    _USED.clear()


def parsed() -> tuple[dict[str, bytes], bool]:
    """The parsed texts used since `recall`, and whether that differs from what was recalled."""
    return {text: _MEMO[text] for text in _USED}, _USED != _RECALLED


def load(text: str, first_line: int = 1) -> Any:
    """Parse YAML text, raising YamlError with the line of the fault in the text (`first_line`: the file's line
    where the text starts, for the lines a message names)."""
    return _memo(text, lambda: _parse(text, first_line))


def remembered(key: str, make: Callable[[], T]) -> T:
    """What `make()` gives for `key` (a pickle of it kept with the parsed texts: the next build reads it
    instead of making it again). The key must name everything the result depends on besides the code and the
    language of messages, which it is kept under (a process may build in two: the tests do)."""
    return _memo(f"\0{messages.language()}\0{key}", make)  # no YAML text starts with NUL: never taken for one


def _memo(key: str, make: Callable[[], T]) -> T:
    """make(), or what the last build kept for `key` (read as the build state reads its pickles: a memo that
    names anything buletin never keeps is made again)."""
    found = _MEMO.get(key)
    if found is not None:
        try:
            value = pickles.loads(found)
        except pickles.UNREADABLE:
            found = None
        else:
            _USED.add(key)
            return value
    found = _MEMO[key] = pickle.dumps(make(), protocol=pickle.HIGHEST_PROTOCOL)
    _USED.add(key)
    return pickle.loads(found)  # a copy, as a recalled one would be


def _parse(text: str, first_line: int = 1) -> Any:
    loader = _Loader(text)
    loader.first_line = first_line
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, len(text))
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        odd = _ODD_SPACE.search(text)
        if odd:  # YAML sees no `key: value` there, and fails further on: name the key's own line
            return _raise(_("this is not valid YAML: a no-break space (a word processor's) after `{key}:`, where "
                            "YAML needs an ordinary space: retype the space").format(key=odd.group(1)),
                          text[: odd.start()].count("\n") + 1)
        opened = exc.context and ("quoted scalar" in exc.context or "flow" in exc.context) and \
            not (exc.problem or "").startswith(_BAD_ESCAPES)  # closed, but not valid inside
        mark = (exc.context_mark if opened else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = _reason(exc.problem or str(exc))
        if mark is not None and text[mark.index:mark.index + 1] == "\t":
            reason = _(_TAB)  # libyaml names no character
        if opened:
            reason = next((_(words) for what, words in _UNCLOSED if what in exc.context), reason)
        elif line and (unclosed := _unclosed_quote(text, line)):  # YAML read on to the next quote, then failed
            return _raise(_("this is not valid YAML: {reason}").format(reason=_(_UNCLOSED[0][1])), unclosed)
        lines = text.split("\n")
        near = [lines[i] for i in range(max(0, line - 2), min(line, len(lines)))] if line else []
        macro = next((text_line for text_line in reversed(near) if _MACRO_VALUE.match(text_line)), None)
        if macro is not None:  # the line's own key, or its list item's dash, in the example
            start = re.match(r"\s*(?:-\s+|[^\s:#][^:#]*:\s+)", macro)
            example = f'{start.group(0).strip() if start else "title:"} "{{{{ ... }}}}"'
            reason += " " + _("(a value that starts with {open} must be in quotes: {example})").format(
                open="{{", example=example)
        if any(set(text_line) & set("\u201c\u201d\u2018\u2019") for text_line in near):
            reason += " " + _("(the quotes here are a word processor's curly ones, “ ”: YAML needs straight quotes, "
                              "\" or ')")
        # Panduan: Bagian kepala dan berkas .yaml ditulis sebagai baris `keterangan: nilai`. Beri tanda petik pada
        # nilai yang memuat titik dua dan spasi, tanda pagar (#), atau diawali tanda petik, `*`, `@`, `[` atau `{`.
        # Lihat bab 2.
        return _raise(_("this is not valid YAML: {reason}").format(reason=reason), line)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return _raise(_("this is not valid YAML: an invisible character ({code}) that YAML does not allow: retype "
                        "the line").format(code=f"U+{exc.character:04X}"), line)
    except yaml.YAMLError as exc:
        return _raise(_("this is not valid YAML: {reason}").format(reason=" ".join(str(exc).split())), None)
    except RecursionError:
        return _raise(_("this is not valid YAML: values are nested too deeply; write them flatter"), None)
    finally:
        loader.dispose()


# A value (of a key, or a list item) that opens with a quote: the quote, and the rest of its line.
_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^#]*?:\s+)?(["'])(.*)$""")


def _unclosed_quote(text: str, at_fault: int) -> int | None:
    """The line of a value that opens a quote which closes only on line `at_fault`, where YAML failed, or never:
    YAML read the lines between as one text. (A value in quotes that closes before, over two lines, is sound.)"""
    lines = text.split("\n")
    offset, block = 0, None  # where the line starts in the text; the indentation a `|` or `>` text is below
    for at, line in enumerate(lines[: at_fault - 1], start=1):
        start, offset = offset, offset + len(line) + 1
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and (indent > block or not line.strip()):
            continue  # a line of a block text: quotes there are its words
        block = indent if _BLOCK_TEXT.search(line) else None
        found = _QUOTED_VALUE.match(line)
        if found is None:
            continue
        closing = _CLOSING[found.group(1)].match(text, start + found.start(2))
        if closing is None or text.count("\n", 0, closing.end()) + 1 >= at_fault:
            return at
    return None


# A value in quotes after its opening quote, to its closing one (a double-quoted value's \" and \\, a
# single-quoted value's '').
_CLOSING = {'"': re.compile(r'(?:[^"\\]|\\.)*"', re.S), "'": re.compile(r"(?:[^']|'')*'", re.S)}
_BLOCK_TEXT = re.compile(r":\s*[|>][-+0-9]*\s*(?:#.*)?$")


_TAB = N_("a tab in the indentation; indent with spaces, as the lines above are (a key of its own starts at the "
          "line's beginning)")
_ODD_SPACE = re.compile(r"^[ \t]*(?:- )?([^\s:#'\"][^:\n]*):[\u00a0\u2007\u202f]", re.M)
_UNCLOSED = (("quoted scalar", N_("a value in quotes that is never closed: add the closing quote")),
             ("flow sequence", N_("a list [ ... ] that is never closed: add the `]`")),
             ("flow mapping", N_("a mapping { ... } that is never closed: add the `}`")))
# What PyYAML says most often, in words for staff (anything else is shown as PyYAML says it).
_REASONS = (("mapping values are not allowed", N_("a `:` where no `key: value` can start; put a value that holds "
                                                 "`: ` in quotes, or line the key up with the keys above")),
            ("could not find expected ':'", N_("a line without `key: value`; add the `:`, or join it to the line "
                                               "above")),
            ("found character that cannot start any token", N_("a character that cannot start a value here (a tab, "
                                                               "@ or `); indent with spaces, and put such a value "
                                                               "in quotes")),
            ("did not find expected key", N_("the indentation does not line up with the lines above; indent "
                                             "with the same number of spaces")),
            ("did not find expected '-' indicator", N_("a list item without `- `, or indented differently from the "
                                                       "items above")),
            ("found undefined alias", N_("`*` starts an alias in YAML; put the value in quotes")),
            ("found a tab character", _TAB),
            ("found unknown escape character", N_("a `\\` in a value in double quotes starts a code like `\\n`; "
                                                  "write `\\\\` for a backslash, or put the value in single quotes")),
            ("found invalid Unicode character escape code", N_("a `\\u` code in a value in double quotes that names no "
                                                               "character (`\\ud800` is half of one): write the "
                                                               "character itself")))
_BAD_ESCAPES = ("found unknown escape character", "found invalid Unicode character escape code")


# A value that starts with a macro, unquoted (YAML reads `{` as a mapping)
_MACRO_VALUE = re.compile(r"\s*(?:-\s+|[^\s:#'\"][^:#]*:\s+)?\{[{%]")


def _reason(problem: str) -> str:
    """PyYAML's words for a problem, or staff's where buletin knows them."""
    said = re.sub(r"^found character '.+?' that", "found character that", problem)  # PyYAML names the character
    return next((_(words) for what, words in _REASONS if said.startswith(what)), problem)


def _check_size(root: yaml.Node, length: int = 0) -> None:
    """Refuse a text whose aliases (`*name`) expand it beyond MAX_VALUES values or MAX_CHARACTERS characters (and
    its own `length`), or that refers to itself."""
    sizes: dict[int, tuple[int, int]] = {}  # node -> (values, characters), aliases expanded
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done:
            open_nodes.discard(id(node))
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            values = 1 + sum(sizes[id(child)][0] for child in children)
            characters = own + sum(sizes[id(child)][1] for child in children)
            sizes[id(node)] = values, characters
            if values > MAX_VALUES or characters > max(MAX_CHARACTERS, length):  # a long text, written out: fine
                raise yaml.constructor.ConstructorError(
                    None, None, _("aliases (`*name`) repeat content here to more than {count} values: write the "
                                  "values out instead").format(count=number(MAX_VALUES)) if values > MAX_VALUES else
                    _("aliases (`*name`) repeat text here to more than {count} characters: write the values out "
                      "instead").format(count=number(MAX_CHARACTERS)), node.start_mark)
            continue
        if id(node) in open_nodes:
            raise yaml.constructor.ConstructorError(None, None, _("an alias (`*name`) refers to the value it stands "
                                                                  "in: write the value out instead"), node.start_mark)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _raise(message: str, line: int | None) -> Any:
    raise YamlError(message, line)


@dataclass
class KeyLines:
    """Finds the line of a key path such as ("schema", "fields", 2, "type") in YAML text, lazily."""

    text: str
    offset: int = 0  # added to every line: where the text starts in its file, minus one
    written: Callable[[str], str] | None = None  # a scalar as its writer wrote it (a chart block's macros put back)
    _root: Any = None

    def style(self, *path: str | int) -> str | None:
        """How the scalar at `path` is quoted: "'", '"' or None (plain)."""
        node = self._node(*path)
        return (node.style or None) if isinstance(node, yaml.ScalarNode) else None  # libyaml says "" for plain

    def raw(self, *path: str | int) -> str | None:
        """The scalar at `path` as written (YAML reads a bare `no` as false; a column can be named no)."""
        node = self._node(*path)
        if not isinstance(node, yaml.ScalarNode):
            return None
        return self.written(node.value) if self.written else node.value

    def keys(self, *path: str | int) -> list[str] | None:
        """The keys of the mapping at `path` as written, in order (YAML reads a bare `no` key as false)."""
        node = self._node(*path)
        return [key.value for key, _ in node.value] if isinstance(node, yaml.MappingNode) else None

    def _node(self, *path: str | int):
        self.line()
        node = self._root
        for step in path:
            found = _child(node, step)
            if found is None:
                return None
            node = found[1]
        return node

    def line(self, *path: str | int) -> int | None:
        """The file line of the deepest key of `path` that exists."""
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=_Base)
            except yaml.YAMLError:
                return None
        node = self._root
        best = 1 if node is not None else None
        for step in path:
            found = _child(node, step)
            if found is None:
                break
            key_node, node = found
            best = key_node.start_mark.line + 1
        return best + self.offset if best is not None else None


def _child(node: Any, step: str | int) -> tuple[Any, Any] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == step or (not isinstance(step, str) and key.value == str(step)):
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        item = node.value[step]
        return item, item
    return None


@dataclass(frozen=True)
class SourceText:
    """A Markdown file split into front matter and body."""

    front_matter: str
    body: str
    body_line: int  # the file line on which the body starts
    problem: str = ""  # what to do when the front matter's `---` lines are not right (none has the file: "")


# The line that closes a front matter, `---` or `...` with spaces around it (what str.strip() removes: \s):
# found in the whole text at once, as splitting a long body into lines to find it costs more than parsing its YAML.
_CLOSING_FENCE = re.compile(r"\n[^\S\n]*(?:---|\.\.\.)[^\S\n]*(?=\n|\Z)")
_LOOKS_LIKE_FENCE = re.compile(r"^(?:-{1,2}|-{4,}|[\u2013\u2014]+-*|(?:title|date|summary|judul|tanggal)\s*:.*)$")


def split_front_matter(text: str) -> SourceText:
    """Split `---` delimited YAML front matter from the body."""
    text = text.lstrip("\ufeff")
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).strip()
    if first != "---":
        problem = _("a front matter stands between two lines of three dashes, `---`, but this file starts with "
                    "`{line}`: write a `---` line above the keys and one below them").format(line=first[:40]) \
            if _LOOKS_LIKE_FENCE.match(first) else ""  # `--`, a word processor's `—`, or keys without their fences
        return SourceText("", text, 1, problem=problem)
    closing = _CLOSING_FENCE.search(text, end) if end >= 0 else None
    if closing is None:
        return SourceText(text[end + 1:] if end >= 0 else "", "", text.count("\n") + 2, problem=_(
            "the front matter starts with `---` but has no closing `---` line: add it after the last `key: value` "
            "line"))
    fence_line = text.count("\n", 0, closing.start()) + 1  # counted from 0, as the file's second line is 1
    return SourceText(text[end + 1:closing.start()], text[closing.end() + 1:], fence_line + 2)
