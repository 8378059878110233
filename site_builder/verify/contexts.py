"""JSON-LD contexts that only verification needs (status lists other issuers use), on top of the shipped ones.

They live in ``contexts/`` beside this module, listed with their source in ``contexts/index.json``;
documents are inlined with them before expansion or canonicalisation, so nothing is fetched.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from site_builder.linkeddata.jsonld import inline_contexts

FOLDER = Path(__file__).resolve().parent / "contexts"


@lru_cache(maxsize=1)
def extra() -> dict[str, Any]:
    """Context URL -> its ``@context`` value."""
    index = json.loads((FOLDER / "index.json").read_text(encoding="utf-8"))
    return {url: json.loads((FOLDER / entry["file"]).read_text(encoding="utf-8"))["@context"]
            for url, entry in index.items()}


def inlined(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every context it names, at any depth, inlined; ValueError names an unknown one."""
    return inline_contexts(document, extra())
