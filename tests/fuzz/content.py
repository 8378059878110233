"""Content files of the minimal site: JSON values mutated at random pointers, or raw bytes corrupted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import NO_EXPLAIN, assert_names, check_command, fresh_site
from tests.fuzz.values import Pairs, Raw, dump, hostile, texts
from tests.support.fixtures import MINIMAL

FILES = ("content/issuers/acme.json", "content/achievements/tester.json", "content/earners/ada-lovelace.json",
         "content/assertions/00000000000000000000000000000001.json")
Path_ = tuple[str | int, ...]


def pointers(value: Any, at: Path_ = ()) -> list[Path_]:
    """Every JSON pointer of ``value`` (as key tuples), the root first."""
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += pointers(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += pointers(item, (*at, index))
    return found


def replaced(doc: Any, at: Path_, new: Any) -> Any:
    """``doc`` with the value at ``at`` replaced by ``new`` (``DROP`` removes it)."""
    if not at:
        return new
    head, rest = at[0], at[1:]
    if isinstance(doc, dict):
        inner = replaced(doc[head], rest, new)
        return {k: (inner if k == head else v) for k, v in doc.items() if not (k == head and inner is DROP)}
    items = list(doc)
    inner = replaced(items[head], rest, new)
    return items[:head] + ([] if inner is DROP else [inner]) + items[head + 1:]


DROP = Raw("<dropped>")


@st.composite
def json_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file, bytes): one to three mutations of the file's JSON, written back (maybe as invalid JSON)."""
    rel = draw(st.sampled_from(FILES))
    doc: Any = json.loads((MINIMAL / rel).read_text())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(pointers(doc)))
        target = get_at(doc, at)
        op = draw(st.sampled_from(("set", "set", "drop", "extra", "duplicate")))
        if op == "set" or (op in ("extra", "duplicate") and not isinstance(target, dict)):
            doc = replaced(doc, at, draw(hostile))
        elif op == "drop":
            doc = replaced(doc, at, DROP) if at else {}
        elif op == "extra":
            doc = replaced(doc, at, {**target, draw(texts): draw(hostile)})
        elif target:
            key = draw(st.sampled_from(sorted(target)))
            doc = replaced(doc, at, Pairs((*target.items(), (key, draw(hostile)))))
    return rel, dump(doc).encode("utf-8", "surrogatepass")


def get_at(doc: Any, at: Path_) -> Any:
    for key in at:
        if not isinstance(doc, dict | list):
            return None
        doc = doc[key]
    return doc


@st.composite
def byte_corruptions(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file, bytes): the file truncated, with a byte-order mark, re-encoded, or with invalid UTF-8."""
    rel = draw(st.sampled_from(FILES))
    data = (MINIMAL / rel).read_bytes()
    where = draw(st.integers(0, len(data)))
    op = draw(st.sampled_from(("truncate", "bom", "utf16", "invalid", "flip", "insert")))
    if op == "truncate":
        return rel, data[:where]
    if op == "bom":
        return rel, draw(st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 2))) + data
    if op == "utf16":
        return rel, data.decode().encode(draw(st.sampled_from(("utf-16", "utf-16-be", "utf-32", "latin-1"))))
    if op == "invalid":
        bad = draw(st.sampled_from((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x00")))
        return rel, data[:where] + bad + data[where:]
    if op == "flip" and where < len(data):
        return rel, data[:where] + bytes([data[where] ^ draw(st.integers(1, 255))]) + data[where + 1:]
    return rel, data[:where] + draw(st.binary(min_size=1, max_size=16)) + data[where:]


def _run_case(template: Path, rel: str, data: bytes) -> None:
    with fresh_site(template) as (site, _):
        (site / rel).write_bytes(data)
        checked = check_command(site, "check", "--site", str(site))
        built = check_command(site, "build", "--site", str(site))
        for run in (checked, built):
            assert_names(run, rel)
        assert checked.code == built.code, f"check exited {checked.code} but build {built.code}: {built.err[-2000:]}"


@settings(phases=NO_EXPLAIN)
@given(case=json_mutations())
def test_content_json_mutations(template: Path, case: tuple[str, bytes]) -> None:
    _run_case(template, *case)


@settings(phases=NO_EXPLAIN)
@given(case=byte_corruptions())
def test_content_byte_corruption(template: Path, case: tuple[str, bytes]) -> None:
    _run_case(template, *case)
