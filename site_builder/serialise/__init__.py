"""Stage 3: serialisers from the model to Open Badges documents."""

from __future__ import annotations

import json
from typing import Any


def dump(document: dict[str, Any]) -> bytes:
    """Deterministic JSON bytes: insertion order as built, UTF-8, trailing newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
