"""Fast canonicalisation of documents that share a shape (our credentials all do).

Turning JSON-LD into RDF costs about 3 ms per credential, nearly all of it processing the
large contexts; canonicalising the resulting quads costs about 0.1 ms. Documents of one
shape (same keys, array lengths, types and vocabulary values) expand alike, so each shape is
expanded once with its free values replaced by markers, and later documents only substitute
their values into that expanded template.

Safety: a template is kept only if, for the document that created it, it gives exactly the
canonical N-Quads of the full algorithm; a leaf counts as free only if its marker survives
expansion verbatim; an IRI-valued leaf must hold an absolute IRI, or the full path is used.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from pyld import jsonld

_MARK = "urn:x-badgesite:leaf:"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_FIXED_KEYS = {"type", "@type", "@context", "@language", "@direction"}


def _walk(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, leaf) of every string or number leaf that may be free (not types, not contexts)."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _FIXED_KEYS:
                out += _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _walk(item, (*path, index))
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        out.append((path, value))
    return out


def _structure(value: Any) -> Any:
    """The shape: keys, array lengths, JSON types of leaves, and the values of fixed keys."""
    if isinstance(value, dict):
        return tuple(sorted((k, json.dumps(v, sort_keys=True) if k in _FIXED_KEYS else _structure(v))
                            for k, v in value.items()))
    if isinstance(value, list):
        return ("[", *(_structure(v) for v in value))
    if isinstance(value, bool) or value is None:
        return value
    return type(value).__name__


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def _marker(index: int, leaf: Any) -> Any:
    if isinstance(leaf, str):
        return f"{_MARK}{index}"
    if isinstance(leaf, int):
        return 7_000_000_000_000 + index
    return 0.000123 + index  # floats expand as xsd:double literals; the marker survives as a number


@dataclass
class _Template:
    expanded: Any  # the expanded document, markers in place of free values
    free: dict[Any, tuple[int, str]]  # marker -> (leaf index, "id" or "value")
    fixed: tuple[tuple[tuple[Any, ...], Any], ...]  # leaves expansion transforms: must be equal


def _find(expanded: Any, markers: dict[Any, int], found: dict[Any, set[str]]) -> None:
    if isinstance(expanded, dict):
        for key, item in expanded.items():
            if key in ("@id", "@value") and not isinstance(item, (dict, list)) and item in markers:
                found.setdefault(item, set()).add("id" if key == "@id" else "value")
            else:
                _find(item, markers, found)
    elif isinstance(expanded, list):
        for item in expanded:
            _find(item, markers, found)


class TemplateCanoniser:
    """Per-process cache of expanded templates, one per document shape."""

    def __init__(self, loader: Any, full: Any, nquads: Any) -> None:
        self.loader, self.full, self.nquads = loader, full, nquads
        self.templates: dict[Any, list[_Template]] = {}
        self.refused: set[Any] = set()

    def _expand(self, document: dict[str, Any]) -> Any:
        return jsonld.expand(document, {"documentLoader": self.loader})

    def _build(self, document: dict[str, Any]) -> _Template | None:
        leaves = _walk(document)
        probe = copy.deepcopy(document)
        markers: dict[Any, int] = {}
        for index, (path, leaf) in enumerate(leaves):
            mark = _marker(index, leaf)
            markers[mark] = index
            _set(probe, path, mark)
        found: dict[Any, set[str]] = {}
        _find(self._expand(probe), markers, found)
        free = {m: (i, next(iter(found[m]))) for m, i in markers.items() if len(found.get(m, ())) == 1}
        fixed = tuple(leaves[i] for m, i in markers.items() if m not in free)
        for path, leaf in fixed:  # transformed by expansion (vocabulary terms...): keep their values
            _set(probe, path, leaf)
        template = _Template(self._expand(probe), free, fixed)
        if self._instantiate(template, leaves) != self.full(document):
            return None
        return template

    def _instantiate(self, template: _Template, leaves: list[tuple[tuple[Any, ...], Any]]) -> str | None:
        def fill(node: Any) -> Any:
            if isinstance(node, dict):
                out = {}
                for key, item in node.items():
                    if key in ("@id", "@value") and not isinstance(item, (dict, list)) and item in template.free:
                        index, kind = template.free[item]
                        value = leaves[index][1]
                        if kind == "id" and not (isinstance(value, str) and _ABSOLUTE_IRI.match(value)):
                            raise ValueError("relative IRI")
                        out[key] = value
                    else:
                        out[key] = fill(item)
                return out
            if isinstance(node, list):
                return [fill(item) for item in node]
            return node

        try:
            return self.nquads(fill(template.expanded))
        except ValueError:
            return None

    def canonize(self, document: dict[str, Any]) -> str:
        shape = _structure(document)
        if shape in self.refused:
            return self.full(document)
        leaves = _walk(document)
        values = dict(leaves)
        for template in self.templates.get(shape, []):
            if all(values.get(path) == leaf for path, leaf in template.fixed):
                result = self._instantiate(template, leaves)
                return result if result is not None else self.full(document)
        template = self._build(document)
        if template is None:
            self.refused.add(shape)
            return self.full(document)
        self.templates.setdefault(shape, []).append(template)
        return self.full(document)
