"""JSON-LD offline: the shipped contexts, canonicalisation (RDFC-1.0) and the dropped-terms check."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader

from site_builder.linkeddata.shapes import TemplateCanoniser

CONTEXTS = Path(__file__).resolve().parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@lru_cache(maxsize=1)
def document_loader() -> FrozenDocumentLoader:
    """Serves only the contexts shipped in site_builder/contexts/; a build never goes online."""
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    documents = {url: json.loads((CONTEXTS / entry["file"]).read_text(encoding="utf-8"))
                 for url, entry in index.items()}
    return FrozenDocumentLoader(documents=documents)


def _options() -> dict[str, Any]:
    return {"documentLoader": document_loader(), "safe": False}


def canonize_pyld(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads by pyld (which calls the algorithm URDNA2015): the cross-check."""
    return jsonld.normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader(),
    })


@lru_cache(maxsize=1)
def _inline_contexts() -> dict[str, Any]:
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return {url: json.loads((CONTEXTS / entry["file"]).read_text(encoding="utf-8"))["@context"]
            for url, entry in index.items()}


def _nquads(data: Any) -> str:
    """Canonical N-Quads of a JSON-LD document (compacted with inlined contexts, or expanded)."""
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(json.dumps(data), format=pyoxigraph.RdfFormat.JSON_LD))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted(f"{quad} .\n" for quad in dataset))


@lru_cache(maxsize=1)
def _templates() -> TemplateCanoniser:
    return TemplateCanoniser(document_loader(), canonize_full, _nquads)


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads; documents of an already seen shape skip context processing."""
    return _templates().canonize(document)


def canonize_full(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads by pyoxigraph (about twice as fast as pyld, same bytes).

    pyoxigraph has no document loader, so every shipped context the document uses, at any
    depth (an embedded endorsement carries its own ``@context``), is inlined; a context URL
    that is not shipped is an error, as with the frozen loader.
    """
    return _nquads(inline_contexts(document))


def _inline_context(value: Any, contexts: dict[str, Any], depth: int) -> Any:
    """One ``@context`` value with every URL replaced by the shipped context (recursively)."""
    if depth > 16:
        raise ValueError("JSON-LD contexts nest more than 16 deep")
    if isinstance(value, str):
        if value not in contexts:
            raise ValueError(f"unknown JSON-LD context {value!r} (only shipped contexts are loaded)")
        return _inline_context(contexts[value], contexts, depth + 1)
    if isinstance(value, list):
        return [_inline_context(item, contexts, depth) for item in value]
    if isinstance(value, dict):
        return {key: _inline_in_context(item, key, contexts, depth) for key, item in value.items()}
    return value


def _inline_in_context(value: Any, key: str, contexts: dict[str, Any], depth: int) -> Any:
    """A member of a context: scoped contexts (``@context`` of a term) and ``@import`` are inlined."""
    if key == "@import" and isinstance(value, str):
        if value not in contexts:
            raise ValueError(f"unknown JSON-LD context {value!r} (only shipped contexts are loaded)")
        return _inline_context(contexts[value], contexts, depth + 1)
    if isinstance(value, dict):
        return {k: _inline_context(v, contexts, depth + 1) if k == "@context" else _inline_in_context(
            v, k, contexts, depth) for k, v in value.items()}
    return value


def _inline_document(value: Any, contexts: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {key: _inline_context(item, contexts, 0) if key == "@context" else _inline_document(item, contexts)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_inline_document(item, contexts) for item in value]
    return value


def inline_contexts(document: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """``document`` with every shipped context it names, at any depth, inlined; ValueError for others.

    ``extra`` maps more context URLs to their ``@context`` values (the verifier's own).
    """
    return _inline_document(document, _inline_contexts() | extra if extra else _inline_contexts())


def _named_paths(value: Any, names: set[str], path: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            if key in names:
                out.append(f"{path}/{key}")
            _named_paths(item, names, f"{path}/{key}", out)
    elif isinstance(value, list):
        for item in value:
            _named_paths(item, names, path, out)


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def _relative_types(expanded: Any, out: set[str]) -> None:
    """``type`` values and node ids that are no absolute IRI: RDF cannot hold them, so no proof covers them."""
    if isinstance(expanded, dict):
        for key, item in expanded.items():
            if key in ("@type", "@id") and not isinstance(item, dict):
                out.update(f"{'type' if key == '@type' else 'id'} {t}" for t in (item if isinstance(item, list)
                                                                                  else [item])
                           if isinstance(t, str) and not t.startswith("_:") and not _ABSOLUTE_IRI.fullmatch(t))
            else:
                _relative_types(item, out)
    elif isinstance(expanded, list):
        for item in expanded:
            _relative_types(item, out)


def dropped_terms(document: dict[str, Any]) -> list[str]:
    """What JSON-LD expansion drops or leaves relative, so that no RDF (and no proof) covers it.

    Properties whose term no context defines (by JSON pointer) and ``type`` values that do
    not expand to an absolute IRI. Only expansion is consulted: a term that compacts back
    under another name (``image`` to a full IRI) is not dropped.
    """
    dropped: set[str] = set()
    nulls: list[None] = []

    def on_dropped(expanded: str | None) -> None:
        if expanded is None:
            nulls.append(None)
        else:
            dropped.add(expanded)

    # base None: relative IRIs stay relative (pyld would otherwise resolve them against a placeholder base)
    expanded = jsonld.expand(document, {"documentLoader": document_loader(), "base": None},
                             on_property_dropped=on_dropped)
    found: list[str] = []
    _named_paths(document, dropped, "", found)
    found += sorted({name for name in dropped if not any(p.endswith("/" + name) for p in found)})
    if nulls:
        found.append("a term the @context maps to null")
    types: set[str] = set()
    _relative_types(expanded, types)
    return sorted(dict.fromkeys(found)) + sorted(types)
