"""Hostile badge images: SVG sanitiser bypasses, nesting bombs and pixel bombs.

Each SVG goes through the real CLI (`badgesite check`, then `build`) as the minimal site's
badge, and the published bytes are searched for any external reference. Refusals assert the
exact message; more refusals are fixture folders in tests/fixtures/bad/ (see test_bad_input.py).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.load.svg import sanitise_svg
from tests.support.fixtures import copy_minimal

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">{}</svg>'
PREFIX = "error: 1 error in content:\n  content/achievements/tester.json:4:12 /image: image '{}'"
EVIL = "evil.example"


def _site(tmp_path: Path, name: str, data: bytes) -> Path:
    site = copy_minimal(tmp_path / "site")
    (site / "badges" / name).write_bytes(data)
    achievement = site / "content/achievements/tester.json"
    achievement.write_text(achievement.read_text().replace('"tester.svg"', json.dumps(name)))
    return site


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, name: str = "tester.svg",
             data: bytes | None = None) -> str:
    """The message after ``image 'NAME'`` of a check that fails with exactly one error."""
    site = _site(tmp_path, name, data if data is not None else body.encode())
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(PREFIX.format(name)) and err.endswith("\n"), err
    return err[len(PREFIX.format(name)):-1]


def _published(tmp_path: Path, capsys: pytest.CaptureFixture[str], svg: str) -> str:
    """Check and build a site whose badge is ``svg``; the published SVG's text."""
    site = _site(tmp_path, "tester.svg", svg.encode())
    assert main(["check", "--site", str(site)]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    assert capsys.readouterr().err == ""
    return (site / "output/achievements/tester.svg").read_text(encoding="utf-8")


def _assert_no_external_reference(text: str) -> None:
    lowered = text.lower()
    assert EVIL not in lowered
    for marker in ("@import", "@font-face", "@namespace", "image-set", "expression", "javascript", "var(", "\\"):
        assert marker not in lowered, marker
    assert all(ref.startswith("#") for ref in re.findall(r"url\(\s*['\"]?([^)'\"]*)", lowered)), text


BYPASSES = {
    "escaped @import": r'<style>@\69mport url(https://evil.example/a.css); circle{fill:red}</style>',
    "escaped url(": r'<style>circle{fill:u\72l(https://evil.example/p.svg#x); stroke:blue}</style>',
    "escaped property name": r'<style>circle{b\61ckground:url(https://evil.example/i.png); fill:red}</style>',
    "text after a child element": '<style>circle{fill:red}<title>t</title>@import "https://evil.example/b.css";'
                                  ' text{fill:url(https://evil.example/c.svg#p)}</style>',
    "CDATA after a child element": '<style><desc/><![CDATA[@import url(https://evil.example/d.css);]]></style>',
    "@font-face": '<style>@font-face{font-family:x;src:url(https://evil.example/f.woff)} text{font-family:x}</style>',
    "@namespace and @media": '<style>@namespace x url(https://evil.example/ns);'
                             '@media all{circle{fill:url(https://evil.example/m.svg#a)}} circle{fill:red}</style>',
    "image-set": '<style>circle{fill:image-set("https://evil.example/s.png" 1x); stroke:red}</style>',
    "expression": '<style>circle{fill:expression(alert(1)); stroke:red}</style>',
    "javascript:": '<style>circle{fill:javascript:alert(1); stroke:red}</style>',
    "custom property and var()": '<style>circle{--p:url(https://evil.example/v.svg#a); fill:var(--p); stroke:red}'
                                 '</style>',
    "nested rule": '<style>circle{stroke:red; g{fill:url(https://evil.example/n.svg#a)}}</style>',
    "style attribute, escaped url(": r'<circle r="9" style="fill:u\72l(https://evil.example/q.svg#x); stroke:red"/>',
    "style attribute, quoted url": '<circle r="9" style="fill:url(\'https://evil.example/q.svg#x\'); stroke:red"/>',
}


@pytest.mark.parametrize("body", BYPASSES.values(), ids=BYPASSES.keys())
def test_css_bypass_is_sanitised_away(body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    published = _published(tmp_path, capsys, SVG.format(body + '<circle r="5"/>'))
    _assert_no_external_reference(published)
    assert published.startswith("<svg")


def test_allowed_css_is_kept_in_canonical_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = (r'<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
            r'<style>/* c */ .a > circle { f\69ll : url("#g") ; stroke:rgb(1, 2, 3) !important; '
            r'font-family: "Open Sans", sans-serif; transform: rotate(45deg) } @import "x.css";</style>'
            r'<circle class="a" r="9" style="fill-opacity: .5; cursor: url(https://evil.example/c.cur)"/>')
    published = _published(tmp_path, capsys, SVG.format(body))
    assert ('<style>.a &gt; circle{fill:url("#g");stroke:rgb(1, 2, 3)!important;'
            'font-family:"Open Sans", sans-serif;transform:rotate(45deg)}</style>') in published
    assert '<circle class="a" r="9" style="fill-opacity:.5" />' in published
    _assert_no_external_reference(published)


def test_sanitised_output_is_deterministic_and_starts_with_svg() -> None:
    data = SVG.format(BYPASSES["text after a child element"] + '<circle r="5" style="fill:red"/>').encode()
    first = sanitise_svg(data)
    assert first == sanitise_svg(data) == sanitise_svg(first)
    assert first.startswith(b"<svg")


@pytest.mark.parametrize("attribute", ["fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid",
                                       "marker-end", "cursor"])
@pytest.mark.parametrize("value", [r"u\72l(https://evil.example/p.svg#x)", "url('https://evil.example/p.svg#x')",
                                   'URL( &quot;//evil.example/p.svg#x&quot; )', 'url(https://evil.example/x y)'])
def test_presentation_attribute_must_reference_a_local_id(attribute: str, value: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    body = SVG.format(f'<circle r="5" {attribute}="{value}"/>')
    assert _refused(tmp_path, capsys, body) == f": SVG attribute {attribute!r} refers to external resources or scripts"


def test_presentation_attribute_local_reference_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = '<defs><clipPath id="c"><rect width="9" height="9"/></clipPath></defs>'
    body += '<circle r="5" clip-path="url(#c)" fill="url(\'#c\')"/>'
    published = _published(tmp_path, capsys, SVG.format(body))
    assert 'clip-path="url(#c)" fill="url(\'#c\')"' in published


def _nested(depth: int) -> str:
    """An SVG whose deepest element is ``depth`` levels down (the root is level 1)."""
    return SVG.format("<g>" * (depth - 1) + "</g>" * (depth - 1))


def test_nesting_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "<g><g>" in _published(tmp_path / "ok", capsys, _nested(100))
    assert _refused(tmp_path / "bad", capsys, _nested(101)) == (
        ": SVG nests elements 101 deep, over the limit of 100 levels")


def test_element_count_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _published(tmp_path / "ok", capsys, SVG.format("<g/>" * 19_999)).count("<g />") == 19_999
    assert _refused(tmp_path / "bad", capsys, SVG.format("<g/>" * 20_000)) == (
        ": SVG has 20,001 elements, over the limit of 20,000")


def _png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of any size; all-zero rows compress to almost nothing."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = (b"\x00" * (1 + (width + 7) // 8)) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def test_png_pixel_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = _png(12000, 12000)
    assert len(bomb) < 20_000
    assert _refused(tmp_path / "side", capsys, "", "tester.png", bomb) == (
        " is 12,000x12,000 pixels, over the limit of 4,096 pixels on a side")
    assert _refused(tmp_path / "area", capsys, "", "tester.png", _png(4096, 1100)) == (
        " is 4,096x1,100 pixels (4,505,600 in all), over the limit of 4,194,304 pixels (2048x2048)")
    for size in [(2048, 2048), (4096, 1024)]:
        site = _site(tmp_path / f"ok{size[0]}", "tester.png", _png(*size))
        assert main(["check", "--site", str(site)]) == 0


def test_png_embedded_in_svg_has_the_same_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import base64
    href = "data:image/png;base64," + base64.b64encode(_png(12000, 12000)).decode()
    assert _refused(tmp_path, capsys, SVG.format(f'<image width="9" height="9" href="{href}"/>')) == (
        ": SVG embeds a PNG of 12,000x12,000 pixels, over the limit of 4,096 pixels on a side")
    assert _refused(tmp_path / "b", capsys, SVG.format('<image href="data:image/png;base64,R0lGODlh"/>')) == (
        ": SVG embeds a data:image/png image that is not a PNG")
    small = "data:image/png;base64," + base64.b64encode(_png(8, 8)).decode()
    assert small in _published(tmp_path / "ok", capsys, SVG.format(f'<image width="9" height="9" href="{small}"/>'))


SIZES = {
    '<svg xmlns="http://www.w3.org/2000/svg" width="-10" height="10"/>':
        "SVG width '-10' is not a finite, non-negative length",
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="NaN"/>':
        "SVG height 'NaN' is not a length (a number, optionally followed by px, pt, pc, in, cm, mm, em, ex or %)",
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10vw"/>':
        "SVG height '10vw' is not a length (a number, optionally followed by px, pt, pc, in, cm, mm, em, ex or %)",
    '<svg xmlns="http://www.w3.org/2000/svg" width="400%"/>': "SVG width '400%' is over 100%",
    '<svg xmlns="http://www.w3.org/2000/svg" width="2000mm" height="10mm"/>':
        "SVG size is 7,559.1x37.8 pixels, over the limit of 4,096 pixels on a side "
        "(set a smaller width, height or viewBox)",
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100000 10"/>':
        "SVG size is 100,000x10 pixels, over the limit of 4,096 pixels on a side "
        "(set a smaller width, height or viewBox)",
    '<svg xmlns="http://www.w3.org/2000/svg" width="3000" viewBox="0 0 1 1"/>':
        "SVG size is 3,000x3,000 pixels (9,000,000 in all), over the limit of 4,194,304 pixels (2048x2048) "
        "(set a smaller width, height or viewBox)",
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 -5 10"/>':
        "SVG viewBox '0 0 -5 10' has a negative width or height",
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e999 10"/>':
        "SVG viewBox '0 0 1e999 10' has a number that is not finite",
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 inf 10"/>':
        "SVG viewBox '0 0 inf 10' is not four numbers (min-x min-y width height)",
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="-5e6 0 10 10"/>':
        "SVG viewBox '-5e6 0 10 10' has a number over the limit of 1,000,000",
}


@pytest.mark.parametrize("svg", SIZES, ids=range(len(SIZES)))
def test_svg_declared_size_is_checked(svg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _refused(tmp_path, capsys, svg) == f": {SIZES[svg]}"


def test_sane_svg_sizes_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i, root in enumerate(['width="100%" height="50%" viewBox="-50 -50 400 400"', 'width="210mm" height="297mm"',
                              'width="auto" viewBox="0,0,600,600"', 'width="4096" height="1024"']):
        published = _published(tmp_path / str(i), capsys, f'<svg xmlns="http://www.w3.org/2000/svg" {root}/>')
        assert published == f'<svg xmlns="http://www.w3.org/2000/svg" {root} />\n'


KEPT_REFUSALS = {
    '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>':
        "SVG contains <foreignObject>: scripts and embedded documents are not allowed",
    '<use href="https://evil.example/s.svg#a"/>':
        "SVG links to 'https://evil.example/s.svg#a': only internal (#id) references are allowed",
    '<g><circle r="1" onclick="alert(1)"/></g>':
        "SVG attribute 'onclick' is an event handler: scripts are not allowed",
}


@pytest.mark.parametrize("body", KEPT_REFUSALS, ids=range(len(KEPT_REFUSALS)))
def test_active_content_is_still_refused(body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _refused(tmp_path, capsys, SVG.format(body)) == f": {KEPT_REFUSALS[body]}"


def test_external_entities_are_still_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xxe = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')
    message = _refused(tmp_path, capsys, xxe)
    assert message.startswith(": not a well-formed SVG (") and "DTD" in message, message
