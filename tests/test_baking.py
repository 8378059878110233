"""Baking and unbaking in one module: what ``bake_png``/``bake_svg`` write, ``png_texts``/``svg_badge``
read back; hostile PNGs (zip bombs, truncated or corrupt chunks) fail with one clean line."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from PIL import Image

from site_builder import baking
from site_builder.baking import (
    OB2_SVG_NAMESPACE,
    OB3_SVG_NAMESPACE,
    PNG_MAGIC,
    BakingError,
    bake_png,
    bake_svg,
    png_chunks,
    png_texts,
    svg_badge,
)
from site_builder.cli import main
from site_builder.errors import BadgesiteError

ASSERTION = '{"@context":"https://w3id.org/openbadges/v2","id":"https://example.org/a.json","type":"Assertion"}'
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (20, 90, 200, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _with_chunks(*chunks: bytes) -> bytes:
    """A real PNG with ``chunks`` inserted right after IHDR."""
    image = _png()
    ihdr_end = 8 + 12 + 13
    return image[:ihdr_end] + b"".join(chunks) + image[ihdr_end:]


def _ztxt(keyword: str, text: bytes) -> bytes:
    return _chunk(b"zTXt", keyword.encode("latin-1") + b"\0\0" + zlib.compress(text, 9))


def _itxt_compressed(keyword: str, text: bytes) -> bytes:
    return _chunk(b"iTXt", keyword.encode("latin-1") + b"\0\1\0\0\0" + zlib.compress(text, 9))


def _verify_error(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["verify", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_png_magic_lives_in_baking() -> None:
    assert PNG_MAGIC == b"\x89PNG\r\n\x1a\n" and _png().startswith(PNG_MAGIC)
    with pytest.raises(BadgesiteError, match="^not a PNG image$"):
        bake_png(b"GIF89a...", "openbadges", "{}")


def test_bake_png_then_unbake_reads_it_back_with_the_same_chunk_parser() -> None:
    image = _png()
    baked = bake_png(bake_png(image, "openbadges", '{"old":true}'), "openbadges", ASSERTION + "é")
    kinds = [chunk.kind for chunk in png_chunks(baked)]
    assert kinds[:2] == [b"IHDR", b"iTXt"] and kinds.count(b"iTXt") == 1  # the older bake was replaced
    assert png_texts(baked) == {"openbadges": ASSERTION + "é"}
    both = bake_png(baked, "openbadgecredential", '{"vc":1}')
    assert png_texts(both, ("openbadgecredential",)) == {"openbadgecredential": '{"vc":1}'}
    # every byte of the original image survives: removing the baked chunks gives it back
    plain = b"".join(both[c.start:c.end] for c in png_chunks(both) if c.kind != b"iTXt")
    assert PNG_MAGIC + plain == image


def test_png_texts_reads_text_ztxt_and_compressed_itxt() -> None:
    image = _with_chunks(_chunk(b"tEXt", b"Comment\0caf\xe9"), _ztxt("openbadges", ASSERTION.encode()),
                         _itxt_compressed("openbadgecredential", '{"name":"Ünï"}'.encode()))
    assert png_texts(image) == {"Comment": "café", "openbadges": ASSERTION,
                                "openbadgecredential": '{"name":"Ünï"}'}


def test_bake_svg_then_unbake() -> None:
    baked = bake_svg(SVG, "assertion", OB2_SVG_NAMESPACE, "https://example.org/a.json?x=1&y=2", ASSERTION)
    assert svg_badge(baked) == (ASSERTION, "https://example.org/a.json?x=1&y=2")
    rebaked = bake_svg(baked, "credential", OB3_SVG_NAMESPACE, None, '{"a":"]]>"}')
    assert svg_badge(rebaked) == ('{"a":"]]>"}', "")
    assert rebaked.count(b"<openbadges:") == 1


def test_zip_bomb_ztxt_is_refused_at_the_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = _ztxt("openbadges", b"{" + b" " * (6 * 1024 * 1024))
    assert len(bomb) < 10_000  # a few KB ...
    path = tmp_path / "bomb.png"
    path.write_bytes(_with_chunks(bomb))
    assert _verify_error(path, capsys) == (  # ... that would inflate to 6 MiB
        f"error: {path}: the PNG's zTXt chunk 'openbadges' inflates past the 5 MiB limit of baked text\n")


def test_zip_bomb_compressed_itxt_is_refused_without_inflating_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_with_chunks(_itxt_compressed("openbadgecredential", b"\0" * (256 * 1024 * 1024))))
    tracemalloc.start()
    try:
        message = _verify_error(path, capsys)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == (f"error: {path}: the PNG's iTXt chunk 'openbadgecredential' inflates past the 5 MiB "
                       "limit of baked text\n")
    assert peak < 32 * 1024 * 1024  # 256 MiB were never inflated


def test_baked_text_is_capped_across_chunks() -> None:
    chunks = [_ztxt("openbadges", b"x" * (2 * 1024 * 1024)) for _ in range(3)]
    with pytest.raises(BakingError) as caught:
        png_texts(_with_chunks(*chunks))
    assert str(caught.value) == "the PNG's zTXt chunk 'openbadges' inflates past the 5 MiB limit of baked text"
    with pytest.raises(BakingError) as caught:
        png_texts(_with_chunks(_chunk(b"tEXt", b"openbadges\0" + b"x" * 2000)), max_text=1000)
    assert str(caught.value) == "the PNG's text chunks hold more than the 1000 bytes limit of baked text"


def test_other_keywords_are_not_inflated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = _with_chunks(_ztxt("Comment", b"\0" * (64 * 1024 * 1024)), _chunk(b"tEXt", b"openbadges\0hello"))
    assert png_texts(image, baking.PNG_KEYWORDS) == {"openbadges": "hello"}
    path = tmp_path / "other.png"
    path.write_bytes(image)
    assert _verify_error(path, capsys) == f"error: {path}: the baked PNG holds neither JSON, a JWS nor a URL\n"


def test_truncated_and_corrupt_pngs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(_with_chunks(_chunk(b"iTXt", b"openbadges\0\0\0\0\0" + ASSERTION.encode()))[:60])
    assert _verify_error(path, capsys) == (f"error: {path}: the PNG is truncated: its 'iTXt' chunk at byte 33 "
                                           "ends past the end of the file\n")
    path.write_bytes(_with_chunks(_chunk(b"zTXt", b"openbadges\0\0not zlib at all")))
    assert _verify_error(path, capsys) == (f"error: {path}: the PNG's zTXt chunk 'openbadges' is corrupt (Error -3 "
                                           "while decompressing data: incorrect header check)\n")
    path.write_bytes(_with_chunks(_chunk(b"zTXt", b"openbadges\0\0" + zlib.compress(bytes(range(256)) * 4)[:40])))
    assert _verify_error(path, capsys) == (f"error: {path}: the PNG's zTXt chunk 'openbadges' is corrupt "
                                           "(truncated compressed data)\n")


def test_svg_with_entities_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "laughs.svg"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                     b'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion xmlns:openbadges='
                     b'"http://openbadges.org">&b;</openbadges:assertion></svg>')
    assert _verify_error(path, capsys) == f"error: {path}: refusing an SVG that declares XML entities\n"
