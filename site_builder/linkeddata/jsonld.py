"""JSON-LD offline: the shipped contexts, canonicalisation (RDFC-1.0) and the dropped-terms check."""

from __future__ import annotations

import json
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

    pyoxigraph has no document loader, so the shipped contexts are inlined; a context URL
    that is not shipped is an error, as with the frozen loader.
    """
    contexts = _inline_contexts()
    listed = document.get("@context", [])
    inlined = []
    for item in listed if isinstance(listed, list) else [listed]:
        if isinstance(item, str):
            if item not in contexts:
                raise ValueError(f"unknown JSON-LD context {item!r} (only shipped contexts are loaded)")
            item = contexts[item]
        inlined.append(item)
    return _nquads(dict(document, **{"@context": inlined}))


def _leaf_keys(value: Any, path: str, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                out.add(f"{path}/{key}")
                _leaf_keys(item, f"{path}/{key}", out)
    elif isinstance(value, list):
        for item in value:
            _leaf_keys(item, path, out)


def dropped_terms(document: dict[str, Any]) -> list[str]:
    """Properties that JSON-LD expansion would silently drop (terms no context defines).

    Compacting the expansion with the document's own context gives back every property
    that survived; whatever is missing was dropped.
    """
    expanded = jsonld.expand(document, {"documentLoader": document_loader()})
    compacted = jsonld.compact(expanded, {"@context": document.get("@context")},
                               {"documentLoader": document_loader(), "compactArrays": True})
    before: set[str] = set()
    after: set[str] = set()
    _leaf_keys(document, "", before)
    _leaf_keys(compacted, "", after)
    return sorted(before - after)
