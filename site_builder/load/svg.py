"""The SVG sanitiser: parse safely, refuse active content and absurd sizes, keep an allow-list.

Everything here is iterative (no recursion over the element tree), and the tree is refused
before any other work when it is deeper or larger than ``MAX_DEPTH`` / ``MAX_ELEMENTS``, so
ElementTree's own recursive serialiser stays far from Python's recursion limit.
"""

from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from site_builder.load.css import clean_style_attribute, clean_stylesheet, fetches_resource
from site_builder.load.raster import png_header_size, size_problem

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

MAX_DEPTH = 100  # badges nest a handful of groups; editors rarely go past 20
MAX_ELEMENTS = 20_000  # a detailed badge has a few hundred
MAX_COORDINATE = 1_000_000  # viewBox numbers

# Elements kept; anything else (editor metadata, unknown namespaces) is dropped.
_ELEMENTS = frozenset(
    "svg g defs title desc symbol use path rect circle ellipse line polyline polygon text tspan "
    "textPath linearGradient radialGradient stop clipPath mask pattern filter feGaussianBlur "
    "feOffset feBlend feFlood feComposite feMerge feMergeNode feColorMatrix feDropShadow "
    "feMorphology marker image style".split()
)
# Elements that make an SVG unsafe to serve on the site's origin: refused, not dropped.
_FORBIDDEN = frozenset({"script", "foreignObject", "iframe", "embed", "object", "handler"})
# Raw-text guard kept from the first sanitiser; url() is judged decoded, by css.fetches_resource.
_EXTERNAL = re.compile(r"@import|javascript:|expression\(", re.I)
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_LENGTH = re.compile(rf"\s*({_NUMBER})\s*(px|pt|pc|in|cm|mm|q|em|ex|%)?\s*", re.I)
_PX = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4,
       "q": 96 / 101.6, "em": 16.0, "ex": 8.0}


class SvgProblem(ValueError):
    """Why an SVG cannot be used (the caller adds the image's name)."""


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _check_structure(root: ET.Element) -> None:
    """Refuse trees deeper than MAX_DEPTH or with more than MAX_ELEMENTS elements."""
    count, deepest = 0, 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    if deepest > MAX_DEPTH:
        raise SvgProblem(f"SVG nests elements {deepest:,} deep, over the limit of {MAX_DEPTH} levels")
    if count > MAX_ELEMENTS:
        raise SvgProblem(f"SVG has {count:,} elements, over the limit of {MAX_ELEMENTS:,}")


def _check_embedded_png(value: str) -> None:
    """A ``data:image/png`` href must hold a PNG within the pixel limits."""
    header, _, payload = value.partition(",")
    try:  # the 24 bytes up to the end of the PNG's IHDR size are enough
        if header.lower().endswith(";base64"):
            head = base64.b64decode("".join(payload.split())[:32] + "==", validate=False)
        else:
            head = unquote_to_bytes(payload)[:24]
    except ValueError:  # binascii.Error: not base64
        head = b""
    size = png_header_size(head)
    if size is None:
        raise SvgProblem("SVG embeds a data:image/png image that is not a PNG")
    problem = size_problem(*size)
    if problem:
        raise SvgProblem(f"SVG embeds a PNG of {problem}")


def _clean_attributes(element: ET.Element) -> None:
    for attr, value in list(element.attrib.items()):
        ns, name = _local(attr)
        if name.lower().startswith("on"):
            raise SvgProblem(f"SVG attribute {name!r} is an event handler: scripts are not allowed")
        if ns not in ("", XLINK_NS):
            del element.attrib[attr]
        elif name == "href":
            if value.startswith("data:image/png"):
                _check_embedded_png(value)
            elif not value.startswith("#"):
                raise SvgProblem(f"SVG links to {value[:60]!r}: only internal (#id) references are allowed")
        elif name == "style" and not ns:
            kept = clean_style_attribute(value)
            if kept:
                element.attrib[attr] = kept
            else:
                del element.attrib[attr]
        elif name not in ("d", "points") and (_EXTERNAL.search(value) or fetches_resource(value)):
            raise SvgProblem(f"SVG attribute {name!r} refers to external resources or scripts")


def _clean_style_element(style: ET.Element) -> None:
    """A ``<style>`` keeps only its sanitised CSS: child elements go, their tails are read as CSS too."""
    text = (style.text or "") + "".join(child.tail or "" for child in style)
    for child in list(style):
        style.remove(child)
    style.text = clean_stylesheet(text) or None


def _clean_tree(root: ET.Element) -> None:
    """Drop foreign and unknown elements, refuse active content, clean what stays (document order)."""
    _clean_attributes(root)
    stack = [root]
    while stack:
        element = stack.pop()
        kept = []
        for child in list(element):
            if not isinstance(child.tag, str):  # comments, processing instructions
                element.remove(child)
                continue
            ns, name = _local(child.tag)
            if name in _FORBIDDEN:
                raise SvgProblem(f"SVG contains <{name}>: scripts and embedded documents are not allowed")
            if ns != SVG_NS or name not in _ELEMENTS:
                element.remove(child)
                continue
            _clean_attributes(child)
            if name == "style":
                _clean_style_element(child)
                if child.text is None:
                    element.remove(child)
                continue
            kept.append(child)
        stack.extend(reversed(kept))


def _length(root: ET.Element, name: str) -> float | None:
    """The root's ``width`` or ``height`` in px; None when absent, ``auto`` or a percentage."""
    value = root.get(name)
    if value is None or value.strip() == "auto":
        return None
    match = _LENGTH.fullmatch(value)
    if not match:
        raise SvgProblem(f"SVG {name} {value!r} is not a length (a number, optionally followed by "
                         "px, pt, pc, in, cm, mm, em, ex or %)")
    number = float(match[1])
    if not math.isfinite(number) or number < 0:
        raise SvgProblem(f"SVG {name} {value!r} is not a finite, non-negative length")
    unit = (match[2] or "").lower()
    if unit == "%":
        if number > 100:
            raise SvgProblem(f"SVG {name} {value!r} is over 100%")
        return None
    return number * _PX[unit]


def _view_box(root: ET.Element) -> tuple[float, float] | None:
    """The root's viewBox width and height, checked; None when there is no viewBox."""
    value = root.get("viewBox")
    if value is None:
        return None
    parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
    if len(parts) != 4 or not all(re.fullmatch(_NUMBER, p) for p in parts):
        raise SvgProblem(f"SVG viewBox {value!r} is not four numbers (min-x min-y width height)")
    numbers = [float(p) for p in parts]
    if not all(math.isfinite(n) for n in numbers):
        raise SvgProblem(f"SVG viewBox {value!r} has a number that is not finite")
    if numbers[2] < 0 or numbers[3] < 0:
        raise SvgProblem(f"SVG viewBox {value!r} has a negative width or height")
    if any(abs(n) > MAX_COORDINATE for n in numbers):
        raise SvgProblem(f"SVG viewBox {value!r} has a number over the limit of {MAX_COORDINATE:,}")
    return numbers[2], numbers[3]


def _check_size(root: ET.Element) -> None:
    """The size a rasteriser would give the SVG (width/height, else from the viewBox) within the limits."""
    width, height, box = _length(root, "width"), _length(root, "height"), _view_box(root)
    if box and box[0] > 0 and box[1] > 0:
        if width is None and height is None:
            width, height = box
        elif width is None and height is not None:
            width = height * box[0] / box[1]
        elif height is None and width is not None:
            height = width * box[1] / box[0]
    problem = size_problem(width or 0, height or 0)
    if problem:
        raise SvgProblem(f"SVG size is {problem} (set a smaller width, height or viewBox)")


def sanitise_svg(data: bytes) -> bytes:
    """Parse (safely), refuse active content and absurd sizes, drop foreign parts, re-serialise.

    The result is deterministic and starts with ``<svg`` so bakers that look only at the first
    bytes find it.
    """
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise SvgProblem(f"not a well-formed SVG ({exc})") from exc
    if _local(root.tag) != (SVG_NS, "svg"):
        raise SvgProblem("not an SVG: the root element must be <svg> in the SVG namespace")
    _check_structure(root)
    _clean_tree(root)
    _check_size(root)
    return ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"
