"""Baking and unbaking: an assertion embedded in its badge image (Open Badges Baking Specification).

The site bakes in the browser at download time (themes/default/assets/site.js) so that
no per-assertion image is stored; this module does the same for ``badgesite bake``, and
reads baked badges back for ``badgesite verify``. One chunk iterator serves both directions.

PNG: an ``iTXt`` chunk (also read: ``tEXt``, ``zTXt``) with keyword ``openbadges`` (2.0: JSON,
a JWS or the hosted URL) or ``openbadgecredential`` (3.0). SVG: ``<openbadges:assertion
verify="URL">`` (namespace http://openbadges.org) or ``<openbadges:credential>``
(https://purl.imsglobal.org/ob/v3p0) holding the same in CDATA.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass

# defusedxml (already a dependency for badge images): parses the SVG with entities refused,
# so a baked SVG cannot expand entities (billion laughs) or reach external resources.
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from site_builder.errors import BadgesiteError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_KEYWORDS = ("openbadgecredential", "openbadges")  # preferred first
MAX_TEXT = 5 * 1024 * 1024  # bytes of text (after inflating) read from one PNG, all chunks together
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")


class BakingError(BadgesiteError):
    """An image that cannot be baked or unbaked: not a PNG/SVG, corrupt, or over a limit."""


@dataclass(frozen=True)
class Chunk:
    """One PNG chunk: its type, its data, and the span ``image[start:end]`` of the whole chunk."""

    kind: bytes
    data: bytes
    start: int
    end: int


def png_chunks(image: bytes) -> Iterator[Chunk]:
    """Every chunk of a PNG, in file order (also any after IEND); BakingError if truncated."""
    if not image.startswith(PNG_MAGIC):
        raise BakingError("not a PNG image")
    at = len(PNG_MAGIC)
    while at < len(image):
        if at + 12 > len(image):
            raise BakingError(f"the PNG is truncated: {len(image) - at} stray bytes at byte {at}")
        (length,) = struct.unpack(">I", image[at:at + 4])
        kind, end = image[at + 4:at + 8], at + 12 + length
        if end > len(image):
            raise BakingError(f"the PNG is truncated: its {kind.decode('latin-1')!r} chunk at byte {at} "
                              "ends past the end of the file")
        yield Chunk(kind, image[at + 8:at + 8 + length], at, end)
        at = end


def size(limit: int) -> str:
    """A limit as messages show it: ``5 MiB``, or bytes when not whole mebibytes."""
    return f"{limit // 1048576} MiB" if limit and limit % 1048576 == 0 else f"{limit} bytes"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bake_png(image: bytes, keyword: str, text: str) -> bytes:
    """Insert an uncompressed iTXt chunk after IHDR, replacing one with the same keyword."""
    out = [image[:len(PNG_MAGIC)]]
    marker = keyword.encode("latin-1") + b"\0"
    for chunk in png_chunks(image):
        if not (chunk.kind == b"iTXt" and chunk.data.startswith(marker)):
            out.append(image[chunk.start:chunk.end])
        if chunk.kind == b"IHDR":
            out.append(_chunk(b"iTXt", marker + b"\0\0\0\0" + text.encode("utf-8")))
    return b"".join(out)


def _inflate(data: bytes, budget: int, what: str, limit: int) -> bytes:
    """zlib-decompress at most ``budget`` bytes; BakingError past it (never inflates more)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, budget + 1)
    except zlib.error as exc:
        raise BakingError(f"the PNG's {what} is corrupt ({exc})") from exc
    if len(out) > budget:
        raise BakingError(f"the PNG's {what} inflates past the {size(limit)} limit of baked text")
    if not inflater.eof:
        raise BakingError(f"the PNG's {what} is corrupt (truncated compressed data)")
    return out


def _keyword(data: bytes) -> tuple[str, bytes]:
    keyword, _, rest = data.partition(b"\0")
    return keyword[:79].decode("latin-1"), rest  # PNG keywords are 1-79 Latin-1 characters


def png_texts(image: bytes, keywords: Collection[str] | None = None, max_text: int = MAX_TEXT) -> dict[str, str]:
    """The text chunks (iTXt, tEXt, zTXt) before IEND, by keyword: only ``keywords`` when given.

    All the text read (after inflating) is at most ``max_text`` bytes: a compressed chunk that
    would inflate past it raises BakingError, as does a corrupt one.
    """
    texts: dict[str, str] = {}
    budget = max_text
    for chunk in png_chunks(image):
        if chunk.kind == b"IEND":
            break
        if chunk.kind not in _TEXT_CHUNKS:
            continue
        name, rest = _keyword(chunk.data)
        if keywords is not None and name not in keywords:
            continue
        what = f"{chunk.kind.decode()} chunk {name!r}"
        try:
            if chunk.kind == b"iTXt":
                compressed, rest = rest[0], rest[2:]
                _lang, _, rest = rest.partition(b"\0")
                _translated, _, rest = rest.partition(b"\0")
                raw = _inflate(rest, budget, what, max_text) if compressed else rest
                text = raw.decode("utf-8")
            elif chunk.kind == b"tEXt":
                raw = rest
                text = raw.decode("latin-1")
            else:
                raw = _inflate(rest[1:], budget, what, max_text)
                text = raw.decode("latin-1")
        except (IndexError, UnicodeDecodeError) as exc:
            raise BakingError(f"the PNG's {what} is corrupt ({exc})") from exc
        budget -= len(raw)
        if budget < 0:
            raise BakingError(f"the PNG's text chunks hold more than the {size(max_text)} limit of baked text")
        texts[name] = text
    return texts


def bake_svg(svg: bytes, element: str, namespace: str, verify: str | None, text: str) -> bytes:
    """Insert ``<openbadges:ELEMENT>`` with the JSON right after the <svg> tag.

    Any earlier baked element (of either version) is removed, so one SVG never holds both;
    ``verify`` (2.0: the hosted assertion's URL) is omitted when None (3.0 embedded proofs).
    """
    source = svg.decode("utf-8")
    source = re.sub(r"<openbadges:(assertion|credential)\b.*?</openbadges:\1>", "", source, flags=re.S)
    match = re.search(r"<svg\b[^>]*>", source)
    if not match:
        raise BakingError("not an SVG image")
    tag = re.sub(r'\sxmlns:openbadges="[^"]*"', "", match.group(0))
    tag = tag.replace("<svg", f'<svg xmlns:openbadges="{namespace}"', 1)
    body = "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    attr = "" if verify is None else ' verify="' + verify.replace("&", "&amp;").replace('"', "&quot;") + '"'
    baked = f"<openbadges:{element}{attr}>{body}</openbadges:{element}>"
    return (source[:match.start()] + tag + baked + source[match.end():]).encode("utf-8")


def svg_badge(svg: bytes) -> tuple[str, str]:
    """(text, verify URL) of the baked element of an SVG (3.0 ``credential`` or 2.0 ``assertion``)."""
    try:
        root = fromstring(svg, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BakingError("refusing an SVG that declares XML entities") from exc
    except ParseError as exc:
        raise BakingError(f"not a well-formed SVG: {exc}") from exc
    for element in root.iter():
        if element.tag in (f"{{{OB3_SVG_NAMESPACE}}}credential", f"{{{OB2_SVG_NAMESPACE}}}assertion"):
            return (element.text or "").strip(), element.get("verify", "")
    raise BakingError("the SVG holds no baked badge (no <openbadges:assertion> or <openbadges:credential>)")
