"""Images from ``badges/``: PNG or SVG, size-checked; SVGs sanitised before they are served.

The SVG sanitiser is in ``svg.py`` (its CSS allow-list in ``css.py``), the pixel limits in ``raster.py``.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image as PILImage

from site_builder.load.raster import PNG_MAGIC, png_header_size, size_problem
from site_builder.load.svg import SvgProblem, sanitise_svg
from site_builder.model import Image

__all__ = ["PNG_MAGIC", "ImageProblem", "load_image", "sanitise_svg"]


class ImageProblem(ValueError):
    """Why an image cannot be used; the loader turns it into a diagnostic."""


def _load_png(data: bytes, source: str) -> Image:
    size = png_header_size(data)
    if size is None:
        raise ImageProblem(f"image {source!r} is a corrupt PNG (it does not start with an IHDR chunk)")
    problem = size_problem(*size)
    if problem:
        raise ImageProblem(f"image {source!r} is {problem}")
    try:
        with PILImage.open(io.BytesIO(data)) as img:
            img.verify()
            width, height = img.size
    except Exception as exc:  # Pillow raises many types for corrupt files
        raise ImageProblem(f"image {source!r} is a corrupt PNG ({exc})") from exc
    return Image(source, "image/png", data, hashlib.sha256(data).hexdigest(), width, height)


def load_image(path: Path, source: str, max_bytes: int) -> Image:
    """Read and check one image file; raise ImageProblem with a user-facing reason."""
    if not path.is_file():
        raise ImageProblem(f"image file {source!r} not found in badges/")
    data = path.read_bytes()
    if len(data) > max_bytes:
        raise ImageProblem(
            f"image {source!r} is {len(data):,} bytes, over the limit of {max_bytes:,} "
            "(max_image_bytes in site.toml)"
        )
    if data.startswith(PNG_MAGIC):
        return _load_png(data, source)
    head = data[:1024].lstrip().lower()
    if path.suffix.lower() == ".svg" or head.startswith(b"<?xml") or b"<svg" in head:
        try:
            clean = sanitise_svg(data)
        except SvgProblem as exc:
            raise ImageProblem(f"image {source!r}: {exc}") from None
        return Image(source, "image/svg+xml", clean, hashlib.sha256(clean).hexdigest())
    raise ImageProblem(f"image {source!r} is neither PNG nor SVG (badges must be PNG or SVG)")
