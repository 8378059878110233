"""Images from ``badges/``: PNG or SVG, size-checked; SVGs sanitised before they are served."""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image as PILImage

from site_builder.model import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# Elements kept; anything else (editor metadata, unknown namespaces) is dropped.
_ELEMENTS = frozenset(
    "svg g defs title desc symbol use path rect circle ellipse line polyline polygon text tspan "
    "textPath linearGradient radialGradient stop clipPath mask pattern filter feGaussianBlur "
    "feOffset feBlend feFlood feComposite feMerge feMergeNode feColorMatrix feDropShadow "
    "feMorphology marker image style".split()
)
# Elements that make an SVG unsafe to serve on the site's origin: refused, not dropped.
_FORBIDDEN = frozenset({"script", "foreignObject", "iframe", "embed", "object", "handler"})
_EXTERNAL = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:|expression\(", re.I)


class ImageProblem(ValueError):
    """Why an image cannot be used; the loader turns it into a diagnostic."""


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def sanitise_svg(data: bytes) -> bytes:
    """Parse (safely), refuse active content, drop foreign parts, re-serialise.

    The result starts with ``<svg`` so bakers that look only at the first bytes find it.
    """
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise ImageProblem(f"not a well-formed SVG ({exc})") from exc
    if _local(root.tag) != (SVG_NS, "svg"):
        raise ImageProblem("not an SVG: the root element must be <svg> in the SVG namespace")

    def clean(element: ET.Element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str):  # comments, processing instructions
                element.remove(child)
                continue
            ns, name = _local(child.tag)
            if name in _FORBIDDEN:
                raise ImageProblem(f"SVG contains <{name}>: scripts and embedded documents are not allowed")
            if ns != SVG_NS or name not in _ELEMENTS:
                element.remove(child)
                continue
            if name == "style" and _EXTERNAL.search(child.text or ""):
                raise ImageProblem("SVG <style> refers to external resources or scripts")
            clean_attributes(child)
            clean(child)

    def clean_attributes(element: ET.Element) -> None:
        for attr, value in list(element.attrib.items()):
            ns, name = _local(attr)
            if name.lower().startswith("on"):
                raise ImageProblem(f"SVG attribute {name!r} is an event handler: scripts are not allowed")
            if ns not in ("", XLINK_NS):
                del element.attrib[attr]
            elif name == "href" and not (value.startswith("#") or value.startswith("data:image/png")):
                raise ImageProblem(f"SVG links to {value[:60]!r}: only internal (#id) references are allowed")
            elif _EXTERNAL.search(value) and name not in ("d", "points"):
                raise ImageProblem(f"SVG attribute {name!r} refers to external resources or scripts")

    clean_attributes(root)
    clean(root)
    return ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"


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
        try:
            with PILImage.open(io.BytesIO(data)) as img:
                img.verify()
                width, height = img.size
        except Exception as exc:  # Pillow raises many types for corrupt files
            raise ImageProblem(f"image {source!r} is a corrupt PNG ({exc})") from exc
        return Image(source, "image/png", data, hashlib.sha256(data).hexdigest(), width, height)
    head = data[:1024].lstrip().lower()
    if path.suffix.lower() == ".svg" or head.startswith(b"<?xml") or b"<svg" in head:
        try:
            clean = sanitise_svg(data)
        except ImageProblem as exc:
            raise ImageProblem(f"image {source!r}: {exc}") from None
        return Image(source, "image/svg+xml", clean, hashlib.sha256(clean).hexdigest())
    raise ImageProblem(f"image {source!r} is neither PNG nor SVG (badges must be PNG or SVG)")
