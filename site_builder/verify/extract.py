"""What was given: a URL, a JSON or JWS file, or a baked PNG/SVG; and which kind of badge it holds.

Unbaking (PNG text chunks, SVG ``<openbadges:...>`` elements) is ``site_builder.baking``'s;
this module reads the file (at most ``limits.MAX_INPUT`` bytes) and classifies what it holds.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from site_builder.baking import PNG_KEYWORDS, PNG_MAGIC, BakingError, png_texts, svg_badge
from site_builder.errors import BadgesiteError
from site_builder.verify import limits

JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")

URL, OB2, OB2_JWS, OB3, OB3_JWT = "url", "ob2", "ob2-jws", "ob3", "ob3-jwt"


class SourceError(BadgesiteError):
    """The input is missing, unreadable, or holds no badge."""


@dataclass(frozen=True)
class Source:
    """A badge as given. ``kind`` is one of url, ob2, ob2-jws, ob3, ob3-jwt."""

    kind: str
    origin: str
    document: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the URL, or the compact JWS


def b64url(part: str) -> bytes:
    """Decode base64url without padding; ValueError if it is not."""
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url: {exc}") from exc


def jws_parts(token: str) -> tuple[dict[str, Any], Any, bytes]:
    """Header, payload (parsed JSON) and signature of a compact JWS; ValueError when malformed."""
    pieces = token.strip().split(".")
    if len(pieces) != 3:
        raise ValueError("a compact JWS has three dot-separated parts")
    try:
        header = limits.loads(b64url(pieces[0]))
        payload = limits.loads(b64url(pieces[1]))
    except limits.TooDeep:
        raise
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"the JWS header or payload is not base64url JSON ({exc})") from exc
    if not isinstance(header, dict):
        raise ValueError("the JWS header is not a JSON object")
    return header, payload, b64url(pieces[2])


def is_credential(document: dict[str, Any]) -> bool:
    """A Verifiable Credential (Open Badges 3.0) rather than an OB 2.0 assertion."""
    types = document.get("type", [])
    types = types if isinstance(types, list) else [types]
    contexts = document.get("@context", [])
    contexts = contexts if isinstance(contexts, list) else [contexts]
    return "VerifiableCredential" in types or any(
        isinstance(c, str) and "/credentials/" in c for c in contexts)


def classify(text: str, origin: str, name: str = "") -> Source:
    """JSON, a JWS or a URL, and of which Open Badges version; ``name`` (the file) heads cap errors."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith(("{", "[")):
        try:
            document = limits.loads(text)
        except limits.TooDeep as exc:
            raise SourceError(f"{name or 'the ' + origin}: {exc}") from exc
        except ValueError as exc:
            raise SourceError(f"{name + ': ' if name else ''}the {origin} holds invalid JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise SourceError(f"{name + ': ' if name else ''}the {origin} holds JSON, but not a JSON object")
        return Source(OB3 if is_credential(document) else OB2, origin, document)
    if JWS.match(text):
        try:
            header, payload, _ = jws_parts(text)
        except limits.TooDeep as exc:
            raise SourceError(f"{name or 'the ' + origin}: {exc}") from exc
        except ValueError as exc:
            raise SourceError(f"{name + ': ' if name else ''}the {origin} holds a malformed JWS: {exc}") from exc
        # By the payload, not the header: OB 2.0 signers may also say "typ": "JWT".
        jwt = isinstance(payload, dict) and (isinstance(payload.get("vc"), dict) or is_credential(payload))
        return Source(OB3_JWT if jwt else OB2_JWS, origin, payload if isinstance(payload, dict) else {}, text)
    if re.match(r"^https?://\S+$", text):
        return Source(URL, origin, text=text)
    raise SourceError(f"{name + ': ' if name else ''}the {origin} holds neither JSON, a JWS nor a URL")


def _read(source: str) -> bytes:
    """The file's bytes, refusing more than ``limits.MAX_INPUT`` (it may be a pipe or a device)."""
    try:
        with open(source, "rb") as handle:
            data = handle.read(limits.MAX_INPUT + 1)
    except OSError as exc:
        raise SourceError(f"cannot read {source}: {exc.strerror or exc}") from exc
    if len(data) > limits.MAX_INPUT:
        raise SourceError(f"{source} is larger than the {limits.size(limits.MAX_INPUT)} limit of input files")
    return data


def _unbaked(source: str, data: bytes) -> Source:
    """The badge baked in a PNG or SVG file."""
    if data.startswith(PNG_MAGIC):
        texts = png_texts(data, PNG_KEYWORDS, limits.MAX_DOCUMENT)
        for keyword in PNG_KEYWORDS:
            if keyword in texts:
                return classify(texts[keyword], "baked PNG", source)
        raise SourceError(f"{source}: the PNG holds no baked badge (no 'openbadges' or "
                          "'openbadgecredential' text chunk)")
    text, verify = svg_badge(data)
    if not text and JWS.match(verify.strip()):  # OB 3.0: a VC-JWT in the verify attribute
        return classify(verify, "baked SVG", source)
    if not text:
        if not verify:
            raise SourceError(f"{source}: the baked SVG element is empty and has no verify URL")
        return Source(URL, "baked SVG", text=verify)
    return classify(text, "baked SVG", source)


def read_source(source: str) -> Source:
    """Read SOURCE: a URL (not fetched here), or a file with JSON, a JWS or a baked image."""
    if re.match(r"^https?://", source):
        return Source(URL, "URL", text=source)
    data = _read(source)
    head = data[:4096].lstrip()
    if data.startswith(PNG_MAGIC) or head.startswith(b"<") and b"<svg" in data:
        try:
            return _unbaked(source, data)
        except BakingError as exc:
            raise SourceError(f"{source}: {exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source}: neither a PNG, an SVG nor a text file") from exc
    return classify(text, "JWS file" if JWS.match(text.strip()) else "JSON file", source)
