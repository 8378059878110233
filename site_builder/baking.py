"""Baking: an assertion embedded in its badge image (Open Badges Baking Specification).

The site bakes in the browser at download time (themes/default/assets/site.js) so that
no per-assertion image is stored; this module does the same for ``badgesite bake``.
"""

from __future__ import annotations

import re
import struct
import zlib

from site_builder.errors import BadgesiteError
from site_builder.load.images import PNG_MAGIC

OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bake_png(image: bytes, keyword: str, text: str) -> bytes:
    """Insert an uncompressed iTXt chunk after IHDR, replacing one with the same keyword."""
    if not image.startswith(PNG_MAGIC):
        raise BadgesiteError("not a PNG image")
    out, at = [image[:8]], 8
    marker = keyword.encode("latin-1") + b"\0"
    while at < len(image):
        (length,) = struct.unpack(">I", image[at:at + 4])
        kind, end = image[at + 4:at + 8], at + 12 + length
        if not (kind == b"iTXt" and image[at + 8:at + 8 + len(marker)] == marker):
            out.append(image[at:end])
        if kind == b"IHDR":
            out.append(_chunk(b"iTXt", marker + b"\0\0\0\0" + text.encode("utf-8")))
        at = end
    return b"".join(out)


def bake_svg(svg: bytes, element: str, namespace: str, verify: str | None, text: str) -> bytes:
    """Insert ``<openbadges:ELEMENT>`` with the JSON right after the <svg> tag.

    Any earlier baked element (of either version) is removed, so one SVG never holds both;
    ``verify`` (2.0: the hosted assertion's URL) is omitted when None (3.0 embedded proofs).
    """
    source = svg.decode("utf-8")
    source = re.sub(r"<openbadges:(assertion|credential)\b.*?</openbadges:\1>", "", source, flags=re.S)
    match = re.search(r"<svg\b[^>]*>", source)
    if not match:
        raise BadgesiteError("not an SVG image")
    tag = re.sub(r'\sxmlns:openbadges="[^"]*"', "", match.group(0))
    tag = tag.replace("<svg", f'<svg xmlns:openbadges="{namespace}"', 1)
    body = "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    attr = "" if verify is None else ' verify="' + verify.replace("&", "&amp;").replace('"', "&quot;") + '"'
    baked = f"<openbadges:{element}{attr}>{body}</openbadges:{element}>"
    return (source[:match.start()] + tag + baked + source[match.end():]).encode("utf-8")
