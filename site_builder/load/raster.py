"""Pixel-size limits for images (PNG files, PNGs embedded in SVGs, SVGs' declared size).

A PNG's byte size says nothing of its pixel count: a 17.6 KB file can declare 12000x12000
pixels, which every viewer decodes into ~576 MB (RGBA). Badges are shown at 100-400 px and
exported at most at 600 px, so 2048x2048 (4 MiB pixels, 16 MiB decoded) is generous; up to
4096 px on one side lets wide issuer logos through while the area limit still holds.
"""

from __future__ import annotations

import struct

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4096
MAX_PIXELS = 2048 * 2048


def png_header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the IHDR chunk, without decoding pixels; None if there is none.

    The PNG specification fixes IHDR as the first chunk, right after the 8-byte signature, so
    the size is always bytes 16-24. It is read before Pillow sees the file: Pillow refuses
    images over ~179 megapixels with a message that names neither the size nor our limit.
    """
    if not data.startswith(PNG_MAGIC) or len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def size_problem(width: float, height: float) -> str | None:
    """Why ``width`` x ``height`` pixels is too large (``"12,000x12,000 pixels, over ..."``), or None."""
    size = f"{_number(width)}x{_number(height)} pixels"
    if max(width, height) > MAX_SIDE:
        return f"{size}, over the limit of {MAX_SIDE:,} pixels on a side"
    if width * height > MAX_PIXELS:
        return f"{size} ({_number(width * height)} in all), over the limit of {MAX_PIXELS:,} pixels (2048x2048)"
    return None
