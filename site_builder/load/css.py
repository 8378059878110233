"""CSS inside SVG badges: an allow-list re-serialiser for ``<style>`` and ``style="..."``.

CSS is judged after tokenizing, on decoded names and values (``@\\69mport`` is ``@import``,
``u\\72l(`` is ``url(``), never on the raw text, and only what the allow-list keeps is written
back, in tinycss2's canonical serialisation (deterministic: same input, same output).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# tinycss2 (by the WeasyPrint authors) is a CSS Syntax Level 3 tokenizer and parser: escapes,
# comments, strings and url() are decoded the way a browser decodes them, which a regex cannot do.
import tinycss2
from tinycss2.ast import Declaration, FunctionBlock, Node, QualifiedRule, URLToken

# Properties a badge needs: paint, strokes, text, gradients, transforms, visibility.
_PROPERTIES = frozenset(
    "fill fill-opacity fill-rule stroke opacity color font letter-spacing word-spacing direction "
    "writing-mode white-space dominant-baseline alignment-baseline baseline-shift transform "
    "transform-origin transform-box display visibility overflow clip-path clip-rule mask "
    "mask-type filter flood-color flood-opacity lighting-color marker marker-start marker-mid "
    "marker-end paint-order shape-rendering vector-effect mix-blend-mode isolation".split()
)
_PREFIXES = ("font-", "text-", "stroke-", "stop-")
# Functions allowed in values: colours and transforms. url() is handled apart (local only);
# var() is not allowed: custom properties are dropped, so it could only hide a value from review.
_FUNCTIONS = frozenset(
    "rgb rgba hsl hsla matrix translate translatex translatey scale scalex scaley rotate skewx skewy".split()
)
# Functional pseudo-classes allowed in selectors.
_SELECTOR_FUNCTIONS = frozenset("not is where nth-child nth-last-child nth-of-type nth-last-of-type".split())
# Kept values and selectors nest functions at most this deep (tinycss2's serialiser recurses).
_MAX_NESTING = 8
_PLAIN = frozenset({"whitespace", "ident", "hash", "literal", "string", "number", "percentage", "dimension"})
# A same-document reference: url(#id).
_LOCAL = re.compile(r"#[A-Za-z_][\w.:-]*")
# Functions that fetch a resource, whatever the property: any of them in an attribute is refused.
_FETCHING = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element", "paint"})


def _is_local_url(node: Node) -> bool:
    """Whether ``node`` is ``url(#id)`` or ``url("#id")``."""
    if isinstance(node, URLToken):
        return _LOCAL.fullmatch(node.value) is not None
    if isinstance(node, FunctionBlock) and node.lower_name == "url":
        args = [a for a in node.arguments if a.type not in ("whitespace", "comment")]
        return len(args) == 1 and args[0].type == "string" and _LOCAL.fullmatch(args[0].value) is not None
    return False


def _walk(nodes: Iterable[Node]) -> Iterator[tuple[Node, int]]:
    """Every node of a component value list with its nesting depth, blocks and function arguments included.

    Iterative: tinycss2 parses any depth, so this walk must not recurse.
    """
    stack = [(node, 0) for node in reversed(list(nodes))]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        if node.type in ("function", "() block", "[] block", "{} block"):
            inner = node.arguments if isinstance(node, FunctionBlock) else node.content
            stack.extend((child, depth + 1) for child in reversed(inner))


def _value_allowed(value: list[Node]) -> bool:
    """A declaration value of plain tokens, colour/transform functions and local url() only."""
    for node, depth in _walk(value):
        if depth > _MAX_NESTING:
            return False
        if node.type in ("ident", "string") and "javascript" in node.value.lower():
            return False
        if _is_local_url(node):
            continue
        if isinstance(node, FunctionBlock) and node.lower_name in _FUNCTIONS:
            continue
        if node.type not in _PLAIN:
            return False
    return True


def _property_allowed(name: str) -> bool:
    return name in _PROPERTIES or name.startswith(_PREFIXES)


def _clean_declarations(nodes: Iterable[Node]) -> str:
    """``name:value`` pairs the allow-lists keep, joined by ``;``; everything else is dropped."""
    kept = []
    for node in nodes:
        if not isinstance(node, Declaration):
            continue  # nested rules, at-rules, parse errors
        if not _property_allowed(node.lower_name) or not _value_allowed(node.value):
            continue
        value = tinycss2.serialize(node.value).strip()
        if value:
            kept.append(f"{node.lower_name}:{value}{'!important' if node.important else ''}")
    return ";".join(kept)


def clean_style_attribute(text: str) -> str:
    """The declarations of a ``style="..."`` attribute that the allow-list keeps."""
    return _clean_declarations(tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True))


def _selector_allowed(prelude: list[Node]) -> bool:
    for node, depth in _walk(prelude):
        if depth > _MAX_NESTING:
            return False
        if isinstance(node, FunctionBlock) and node.lower_name in _SELECTOR_FUNCTIONS:
            continue
        if node.type not in _PLAIN and node.type != "[] block":
            return False
    return True


def clean_stylesheet(text: str) -> str:
    """The rules of a ``<style>`` sheet that the allow-list keeps: no at-rule, allowed declarations only."""
    rules = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if not isinstance(rule, QualifiedRule) or not _selector_allowed(rule.prelude):
            continue  # @import, @font-face, @namespace, @media, ... and parse errors
        selector = tinycss2.serialize(rule.prelude).strip()
        body = _clean_declarations(tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                                  skip_whitespace=True))
        if selector and body:
            rules.append(f"{selector}{{{body}}}")
    return "\n".join(rules)


def fetches_resource(text: str) -> bool:
    """Whether an attribute value, read as CSS, refers to anything but ``url(#id)``."""
    for node, _depth in _walk(tinycss2.parse_component_value_list(text, skip_comments=True)):
        if _is_local_url(node):
            continue
        if isinstance(node, URLToken) or (node.type == "error" and node.kind == "bad-url"):
            return True
        if isinstance(node, FunctionBlock) and (node.lower_name in _FETCHING or node.lower_name == "expression"):
            return True
    return False
