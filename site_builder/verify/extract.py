"""What was given: a URL, a JSON or JWS file, or a baked PNG/SVG; and which kind of badge it holds.

Baked badges (Open Badges Baking): PNG ``iTXt`` chunks with keyword ``openbadges`` (2.0: JSON,
a JWS or the hosted URL) or ``openbadgecredential`` (3.0); SVG ``<openbadges:assertion
verify="URL">`` (namespace http://openbadges.org) or ``<openbadges:credential>``
(https://purl.imsglobal.org/ob/v3p0) holding the same in CDATA.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from site_builder.errors import BadgesiteError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OB2_NS = "http://openbadges.org"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
PNG_KEYWORDS = ("openbadgecredential", "openbadges")
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
        header = json.loads(b64url(pieces[0]))
        payload = json.loads(b64url(pieces[1]))
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


def classify(text: str, origin: str) -> Source:
    """JSON, a JWS or a URL, and of which Open Badges version."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise SourceError(f"the {origin} holds invalid JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise SourceError(f"the {origin} holds JSON, but not a JSON object")
        return Source(OB3 if is_credential(document) else OB2, origin, document)
    if JWS.match(text):
        try:
            header, payload, _ = jws_parts(text)
        except ValueError as exc:
            raise SourceError(f"the {origin} holds a malformed JWS: {exc}") from exc
        jwt = header.get("typ") == "JWT" or isinstance(payload, dict) and (
            "vc" in payload or is_credential(payload))
        return Source(OB3_JWT if jwt else OB2_JWS, origin, payload if isinstance(payload, dict) else {}, text)
    if re.match(r"^https?://\S+$", text):
        return Source(URL, origin, text=text)
    raise SourceError(f"the {origin} holds neither JSON, a JWS nor a URL")


def png_texts(data: bytes) -> dict[str, str]:
    """The text chunks (iTXt, tEXt, zTXt) of a PNG, by keyword."""
    texts: dict[str, str] = {}
    at = 8
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        at += 12 + length
        keyword, _, rest = body.partition(b"\0")
        name = keyword.decode("latin-1")
        try:
            if kind == b"iTXt":
                compressed, rest = rest[0], rest[2:]
                _lang, _, rest = rest.partition(b"\0")
                _translated, _, rest = rest.partition(b"\0")
                texts[name] = (zlib.decompress(rest) if compressed else rest).decode("utf-8")
            elif kind == b"tEXt":
                texts[name] = rest.decode("latin-1")
            elif kind == b"zTXt":
                texts[name] = zlib.decompress(rest[1:]).decode("latin-1")
        except (IndexError, zlib.error, UnicodeDecodeError) as exc:
            raise SourceError(f"the PNG's {kind.decode()} chunk {name!r} is corrupt ({exc})") from exc
        if kind == b"IEND":
            break
    return texts


def svg_badge(data: bytes) -> tuple[str, str]:
    """(text, verify URL) of the baked element of an SVG."""
    if re.search(rb"<!ENTITY", data):
        raise SourceError("refusing an SVG that declares XML entities")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise SourceError(f"not a well-formed SVG: {exc}") from exc
    for element in root.iter():
        if element.tag in (f"{{{OB3_NS}}}credential", f"{{{OB2_NS}}}assertion"):
            return (element.text or "").strip(), element.get("verify", "")
    raise SourceError("the SVG holds no baked badge (no <openbadges:assertion> or <openbadges:credential>)")


def read_source(source: str) -> Source:
    """Read SOURCE: a URL (not fetched here), or a file with JSON, a JWS or a baked image."""
    if re.match(r"^https?://", source):
        return Source(URL, "URL", text=source)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {source}: {exc.strerror or exc}") from exc
    if data.startswith(PNG_MAGIC):
        texts = png_texts(data)
        for keyword in PNG_KEYWORDS:
            if keyword in texts:
                return classify(texts[keyword], "baked PNG")
        raise SourceError(f"{source}: the PNG holds no baked badge (no 'openbadges' or "
                          "'openbadgecredential' text chunk)")
    head = data[:4096].lstrip()
    if head.startswith(b"<") and b"<svg" in data:
        text, verify = svg_badge(data)
        if not text:
            if not verify:
                raise SourceError(f"{source}: the baked SVG element is empty and has no verify URL")
            return Source(URL, "baked SVG", text=verify)
        return classify(text, "baked SVG")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source}: neither a PNG, an SVG nor a text file") from exc
    return classify(text, "JWS file" if JWS.match(text.strip()) else "JSON file")
