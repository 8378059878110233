"""Badge images: mutated PNGs and generated SVGs set as the achievement's image, then check (and build)."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import NO_EXPLAIN, assert_names, check_command, fresh_site
from tests.fuzz.values import texts

ACHIEVEMENT = "content/achievements/tester.json"
SIDES = (0, 1, 16, 2048, 2049, 4096, 4097, 65535, 2**31 - 1, 2**32 - 1)


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc & 0xFFFFFFFF)


def png(width: int = 4, height: int = 4, extra: tuple[bytes, ...] = ()) -> bytes:
    rows = b"".join(b"\x00" + b"\x22\xaa\x77\xff" * min(width, 64) for _ in range(min(height, 64)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + b"".join(extra)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


BOMB = zlib.compress(b"\x00" * 30_000_000, 9)  # ~30 KB that inflate to 30 MB
TEXT_CHUNKS = (chunk(b"zTXt", b"Comment\x00\x00" + BOMB), chunk(b"zTXt", b"openbadges\x00\x00" + zlib.compress(b"{}")),
               chunk(b"tEXt", b"openbadges\x00https://example.org/a.json"),
               chunk(b"iTXt", b"openbadges\x00\x01\x00\x00\x00" + BOMB), chunk(b"zTXt", b"k\x00\x00not zlib"),
               chunk(b"tEXt", b"\x00" * 100), chunk(b"iTXt", b"x" * 100), chunk(b"IHDR", b"\x00" * 13),
               struct.pack(">I", 0xFFFFFFFF) + b"tEXt" + b"x" * 16)


@st.composite
def pngs(draw: st.DrawFn) -> bytes:
    """A PNG with a huge or odd IHDR size, text chunks (zTXt bombs), corrupted or truncated bytes."""
    sides = st.integers(1, 64) | st.integers(1, 64) | st.sampled_from(SIDES)  # mostly sizes a badge may have
    data = png(draw(sides), draw(sides), tuple(draw(st.lists(st.sampled_from(TEXT_CHUNKS), max_size=2))))
    for _ in range(draw(st.integers(0, 2))):
        if len(data) < 30:
            break
        op = draw(st.sampled_from(("flip", "truncate", "crc", "header", "none")))
        where = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data = data[:where] + bytes([data[where] ^ draw(st.integers(1, 255))]) + data[where + 1:]
        elif op == "truncate":
            data = data[:where]
        elif op == "crc":  # a chunk whose checksum is wrong
            data = data[:29] + bytes([data[29] ^ 1]) + data[30:]
        elif op == "header":  # IHDR fields (depth, colour type, interlace) out of range
            data = data[:24] + draw(st.binary(min_size=5, max_size=5)) + data[29:]
    return data


ELEMENTS = ("g", "rect", "circle", "text", "style", "script", "image", "use", "a", "foreignObject", "animate", "set",
            "filter", "feImage", "defs", "linearGradient", "stop", "iframe", "handler", "title", "path", "mask")
ATTRIBUTES = ("fill", "style", "href", "xlink:href", "onload", "onclick", "OnLoad", "filter", "mask", "width",
              "height", "viewBox", "transform", "x", "class", "id", "begin", "attributeName", "to", "values",
              "clip-path", "src", "xml:base", "ev:event", "d")
VALUES = ("#2a7", "url(#g)", "url(http://evil.example/x)", "url( 'https://evil.example/x' )",
          "u\\72l(http://evil.example/)", "\\75rl(http://evil.example/)", "url(data:image/svg+xml,<svg/>)",
          "url(data:image/png;base64,iVBORw0KGgo=)", "expression(alert(1))", "javascript:alert(1)",
          " javascript:alert(1)", "JaVaScRiPt:alert(1)", "#x", "https://evil.example/i.png", "//evil.example/x",
          "data:text/html,<script>alert(1)</script>", "data:image/png;base64,iVBORw0KGgo=", "data:image/svg+xml,x",
          "1e999", "NaN", "-1", "100", "0 0 200 200", "0 0 1e9 1e9", "99999999", "inf", "calc(1px)", "var(--x)",
          "@import url(x)", "fill:url(http://evil.example/)", "fill:#2a7", "background:url(x)", "href", "4097px",
          "100%", "101%", "image-set('x.png' 1x)", "src(x)", "\\", "'", "", "fill:u\\rl(x)")
RAW_VALUES = ("&#106;avascript:alert(1)", "java&#x09;script:alert(1)", "url&#40;http://evil.example/&#41;",
              "&#x75;rl(http://evil.example/)")
CSS = ("rect{fill:url(http://evil.example/)}", "@import 'https://evil.example/a.css';", "@import url(x);",
       "@font-face{src:url(https://evil.example/f)}", 'a{background:url("javascript:alert(1)")}', "\\40import 'x';",
       "r{fill:\\75rl(http://e.example)}", "/*x*/@im/**/port 'x';", "*{behavior:url(x.htc)}", "@namespace url(x);",
       "rect{fill:image-set('x.png' 1x)}", "rect{fill:#2a7}", "@media all{rect{fill:url(http://e.example/)}}",
       "rect{fill:url(#g)}", "@charset 'utf-8';", "rect{fill:expression(alert(1))}", "rect{fill:u\\rl(x)}",
       "rect{--x:url(http://e.example/)}", "rect{fill:var(--x)}", "}{", "@import", "rect{mask:url('#m')}")
PROLOGS = ("", '<?xml version="1.0" encoding="UTF-8"?>', '<?xml-stylesheet href="http://evil.example/x.css"?>',
           '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
           '<!DOCTYPE svg SYSTEM "file:///etc/passwd">', '<!-- comment -->', "\ufeff")


def _attr(value: str, raw: bool) -> str:
    if raw:
        return value
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def svg_elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENTS))
    attrs = []
    for attr in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3, unique=True)):
        raw = draw(st.integers(0, 5)) == 0
        value = draw(st.sampled_from(RAW_VALUES)) if raw else draw(st.sampled_from(VALUES) | texts)
        attrs.append(f' {attr}="{_attr(value, raw)}"')
    if name == "style":
        css = " ".join(draw(st.lists(st.sampled_from(CSS), min_size=1, max_size=4)))
        body = f"<![CDATA[{css}]]>" if draw(st.booleans()) else _attr(css, False)
    elif depth < 3:
        body = "".join(draw(st.lists(svg_elements(depth + 1), max_size=3)))
    else:
        body = _attr(draw(texts), False)
    return f"<{name}{''.join(attrs)}>{body}</{name}>"


@st.composite
def svgs(draw: st.DrawFn) -> bytes:
    """An SVG of random elements, attributes and CSS from a small hostile alphabet, maybe nested deep."""
    nest = draw(st.sampled_from((0, 0, 0, 50, 99, 100, 101, 2000)))
    inner = "".join(draw(st.lists(svg_elements(), min_size=1, max_size=4)))
    inner = "<g>" * nest + inner + "</g>" * nest
    size = draw(st.sampled_from(('width="200" height="200"', 'viewBox="0 0 200 200"', 'width="1e999"',
                                 'width="5000" height="10"', 'viewBox="0 0 3000 3000"', "", 'width="-1"')))
    xmlns = draw(st.sampled_from(('xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"',
                                  'xmlns="http://www.w3.org/2000/svg"', "", 'xmlns="http://example.org/other"')))
    root_attrs = "".join(f' {a}="{_attr(draw(st.sampled_from(VALUES)), False)}"'
                         for a in draw(st.lists(st.sampled_from(ATTRIBUTES[:6]), max_size=2, unique=True)))
    text = f"{draw(st.sampled_from(PROLOGS))}<svg {xmlns} {size}{root_attrs}>{inner}</svg>"
    return text.encode("utf-8", "surrogatepass")


def unescape_css(text: str) -> str:
    """CSS escapes (``\\75`` is ``u``) and comments resolved, lower case, no whitespace."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m[1], 16)) if int(m[1], 16) < 0x110000 else "", text)
    text = re.sub(r"\\(.)", r"\1", text, flags=re.S)
    return re.sub(r"\s+", "", text.lower())


def unsafe_parts(svg: bytes) -> list[str]:
    """What in a served SVG could run script or fetch anything (checked without the sanitiser's code)."""
    found = []
    root = ET.fromstring(svg)
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name.lower() in ("script", "foreignobject", "iframe", "embed", "object", "handler", "a", "set", "animate"):
            found.append(f"<{name}>")
        texts_ = [element.text or ""] if name == "style" else []
        for attr, value in element.attrib.items():
            local = attr.rpartition("}")[2]
            if local.lower().startswith("on"):
                found.append(f"{local}=")
            if local == "href" and not value.startswith(("#", "data:image/png")):
                found.append(f"href={value[:40]}")
            texts_.append(value)
        for text in texts_:
            css = unescape_css(text)
            for bad in ("javascript:", "@import", "expression(", "image-set(", "behavior:"):
                if bad in css:
                    found.append(f"{bad} in {text[:60]!r}")
            for target in re.findall(r"url\((.*?)\)", css):
                if not target.strip("'\"").startswith(("#", "data:image/png")):
                    found.append(f"url({target[:40]})")
    return found


def _run_case(template: Path, name: str, data: bytes) -> None:
    with fresh_site(template) as (site, _):
        (site / "badges" / name).write_bytes(data)
        achievement = site / ACHIEVEMENT
        doc = json.loads(achievement.read_text())
        achievement.write_text(json.dumps({**doc, "image": name}, indent=2))
        run = check_command(site, "check", "--site", str(site))
        assert_names(run, name)
        if run.code != 0 or not name.endswith(".svg"):
            return
        built = check_command(site, "build", "--site", str(site))
        assert built.code == 0, built.err[-2000:]
        served = (site / "output" / "achievements" / "tester.svg").read_bytes()
        assert not unsafe_parts(served), f"the served SVG keeps {unsafe_parts(served)}:\n{served[:3000]!r}"


@settings(phases=NO_EXPLAIN)
@given(data=pngs())
def test_png_badge(template: Path, data: bytes) -> None:
    _run_case(template, "tester.png", data)


@settings(phases=NO_EXPLAIN)
@given(data=svgs())
def test_svg_badge(template: Path, data: bytes) -> None:
    _run_case(template, "tester.svg", data)
