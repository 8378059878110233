"""Hostile scalar and JSON values shared by the generators, and a JSON writer with raw tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.harness import RECIPIENT_EMAILS

SPECIAL_STRINGS = (
    "", " ", "\t", "\n", "\x00", "\x1b[31mred", "\u202egnp.exe", "\ufeff", "\ud800", "\udfff", "é", "😀" * 3,
    "../", "../../etc/passwd", "/etc/passwd", "..\\..\\x", "C:\\x", "~/x", "%2e%2e/x", "file:///etc/passwd",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "{% raw %}", "${x}", "'\"", "NaN", "null", "true",
    "2025-02-30", "2025-13-01", "0000-01-01", "9999-12-31", "9999-12-31T23:59:59Z", "2025-03-14T25:00:00",
    "2025-03-14T12:00:00+99:00", "-1", "1e999", "https://", "http://[::1", "https://example.org:99999/",
    "https://example.org/\x00", "https://example.github.io/minimal/", "mailto:x@y.z", "sha256$", "sha256$zz",
    "tester.svg", "tester.png", "../issuers/acme.json", "../earners/ada-lovelace.json",
    "../achievements/tester.json", "../achievements/missing.json", "acme", "ada-lovelace",
    "00000000000000000000000000000001", "email", "url", "did:web:example.github.io:minimal",
    *RECIPIENT_EMAILS, *(e.upper() for e in RECIPIENT_EMAILS), *(f"write to {e} please" for e in RECIPIENT_EMAILS),
)
# Long strings are made when drawn, so strategy reprs (in Hypothesis' statistics) stay short.
LONG = (("a", 5000), ("x", 300_000), ("é", 20_000), ("\n", 10_000), ("1", 5000))
RAW_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999", "-0", "0.0000000000000000001e-400",
               "1E400", "0x10", "01", "+1", ".5", "1.", "--1")

long_texts = st.sampled_from(LONG).map(lambda pair: pair[0] * pair[1])
texts = st.one_of(st.sampled_from(SPECIAL_STRINGS), long_texts, st.text(max_size=40),
                  st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "Zp")), max_size=10))
numbers = st.one_of(st.integers(), st.integers(min_value=2**53, max_value=2**70), st.integers(-5, 5),
                    st.floats(allow_nan=False, allow_infinity=False))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)


@dataclass(frozen=True)
class Raw:
    """A token written as is (NaN, 1e999, a 5000-digit number): not valid JSON, or beyond float."""

    token: str


@dataclass(frozen=True)
class Pairs:
    """A JSON object written with these (key, value) pairs, duplicates kept."""

    items: tuple[tuple[str, Any], ...]


def nested(depth: int) -> Raw:
    """Arrays and objects ``depth`` deep, as text (a writer that recursed would hit Python's limit first)."""
    return Raw('[{"k":' * (depth // 2) + "1" + "}]" * (depth // 2))


hostile = st.recursive(
    st.one_of(scalars, st.sampled_from(RAW_NUMBERS).map(Raw), st.just(("1", 5000)).map(lambda p: Raw(p[0] * p[1]))),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
) | st.sampled_from((5, 50, 200, 1100, 5000)).map(nested)


def dump(value: Any, indent: int = 0) -> str:
    """JSON text of ``value``, with Raw tokens and Pairs objects as given."""
    pad = "\n" + "  " * (indent + 1)
    if isinstance(value, Raw):
        return value.token
    if isinstance(value, Pairs | dict):
        items = value.items if isinstance(value, Pairs) else tuple(value.items())
        if not items:
            return "{}"
        body = ",".join(f"{pad}{json.dumps(k)}: {dump(v, indent + 1)}" for k, v in items)
        return "{" + body + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[" + ",".join(pad + dump(v, indent + 1) for v in value) + "\n" + "  " * indent + "]"
    return json.dumps(value)
