"""Whether a site's template may show what the page keys do not cover (outputs/pagecache.py): another page's body,
figures, headline figures or main points, the model's `files`, the build time beyond its year, the catalog beyond
its package and declarations. Read from Jinja's syntax tree, not the text, and on the safe side: a key or an
attribute name that is computed (`x[k]`, `x|attr(k)`, `x|map(attribute=k)`) may be any of them."""
from __future__ import annotations

import jinja2
from jinja2 import nodes

# What no page's key follows when a site template reaches for it; `body` alone is the page's own.
OFF_KEY = frozenset({"body", "figures", "headlines", "highlights", "headline_cards", "main_points", "card_path",
                     "lead", "files", "built_at"})
_CATALOG_KEYED = frozenset({"package", "spec"})  # model.catalog.package, model.catalog.spec(name)
# Filters and tests that take an attribute's name (`sort(attribute="date")`, `selectattr("draft")`)
_BY_NAME = frozenset({"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max",
                      "join", "dictsort"})
_PARSER = jinja2.Environment()  # parses as the theme's sandbox does: the same delimiters, no extensions


def reaches_off_key(source: str) -> bool:
    """Whether the template `source` may show something the page keys do not cover (a template that does not
    parse may: `check` reports it)."""
    try:
        tree = _PARSER.parse(source)
    except jinja2.TemplateSyntaxError:
        return True
    return _reaches(tree, None)


def _reaches(node: nodes.Node, parent: nodes.Node | None) -> bool:
    if _off_key(node, parent):
        return True
    return any(_reaches(child, node) for child in node.iter_child_nodes())


def _off_key(node: nodes.Node, parent: nodes.Node | None) -> bool:
    if isinstance(node, nodes.Name):
        return (node.name in OFF_KEY and node.name != "body") or (node.name == "catalog" and not _keyed_part(parent))
    if isinstance(node, nodes.Getattr):
        return node.attr in OFF_KEY or (node.attr == "catalog" and not _keyed_part(parent))
    if isinstance(node, nodes.Getitem):
        return not isinstance(node.arg, nodes.Slice) and _named(node.arg)
    if isinstance(node, nodes.Const):
        return _off_key_name(node.value)
    if isinstance(node, (nodes.Filter, nodes.Test)) and node.name in _BY_NAME:
        arguments = [*node.args, *(pair.value for pair in node.kwargs)]
        return node.dyn_args is not None or node.dyn_kwargs is not None or any(map(_named, arguments))
    return False


def _named(expression: nodes.Expr) -> bool:
    """Whether an attribute's name or a key may be one the keys do not follow: computed ones may be any."""
    try:
        return _off_key_name(expression.as_const(nodes.EvalContext(_PARSER)))
    except Exception:  # nodes.Impossible, or whatever a filter folded in advance raised
        return True


def _off_key_name(value: object) -> bool:
    return isinstance(value, str) and (value in OFF_KEY or value == "catalog")


def _keyed_part(parent: nodes.Node | None) -> bool:
    """Whether the catalog is reached for its package or its declarations, which the keys cover."""
    return isinstance(parent, nodes.Getattr) and parent.attr in _CATALOG_KEYED
