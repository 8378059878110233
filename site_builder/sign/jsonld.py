"""JSON-LD offline: the shipped contexts, canonicalisation (RDFC-1.0) and the dropped-terms check."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader

CONTEXTS = Path(__file__).resolve().parent.parent / "contexts"
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


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads (pyld calls the algorithm URDNA2015)."""
    return jsonld.normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader(),
    })


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
