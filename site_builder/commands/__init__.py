"""What each CLI command does, in terms of the library: the only code that prints."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str = "") -> str:
    """``1 issuer``, ``2 issuers`` (English; the CLI speaks English)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
