"""How much ``badgesite verify`` reads, inflates, nests and waits for: hostile input stays bounded.

Every document a verification reads (an input file, a PNG's baked text, a fetched body, a
decoded status list) is capped, and so is JSON nesting; fetches have deadlines (see fetch.py).
"""

from __future__ import annotations

import json
from typing import Any

from site_builder.baking import size

MAX_INPUT = 16 * 1024 * 1024  # bytes of a file given to verify (a baked image, JSON or JWS)
MAX_DOCUMENT = 5 * 1024 * 1024  # bytes of one fetched body, and of a PNG's baked text once inflated
MAX_STATUS_LIST = 16 * 1024 * 1024  # bytes of a Bitstring Status List once un-gzipped
MAX_DEPTH = 32  # nesting of JSON arrays and objects (credentials nest about 8 deep)
FETCH_SECONDS = 15.0  # one fetch, redirects included: connect, TLS, headers and body
VERIFY_SECONDS = 60.0  # every fetch of one verification together
MAX_REDIRECTS = 5

__all__ = ["FETCH_SECONDS", "MAX_DEPTH", "MAX_DOCUMENT", "MAX_INPUT", "MAX_REDIRECTS", "MAX_STATUS_LIST",
           "VERIFY_SECONDS", "TooDeep", "loads", "size"]


class TooDeep(ValueError):
    """JSON nested deeper than ``MAX_DEPTH``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than the limit of {limit} levels")


def _depth_over(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit`` (iterative: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text: str | bytes, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``limit`` (TooDeep, a ValueError)."""
    try:
        value = json.loads(text)
    except RecursionError as exc:  # the C parser's own guard, far past any sensible limit
        raise TooDeep(limit) from exc
    if _depth_over(value, limit):
        raise TooDeep(limit)
    return value
