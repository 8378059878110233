"""``site.toml``: random keys and values (path-like ones for the folder keys), then check and build."""

from __future__ import annotations

import datetime
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.config import FOLDER_KEYS, documented_keys
from tests.fuzz.harness import NO_EXPLAIN, assert_names, check_command, digest, fresh_site
from tests.fuzz.values import texts
from tests.support.fixtures import MINIMAL

BASE = tomllib.loads((MINIMAL / "site.toml").read_text())
# {scratch} is the folder around the site (absolute paths stay inside it); {site} the site itself.
FOLDERS = ("content", "badges", "themes", "output", "keys", ".", "..", "../elsewhere", "{scratch}/elsewhere",
           "{site}/output", "{site}", "{scratch}", "output/../content", "content/issuers", "output/", "./output",
           "", " ", "a\x00b", "out\nput", "~", ".git", ".cache", ".github", "rosters", "site.toml", "badges/..",
           "content/../output2", "output2", "output/x/..", "..\\output", "con", "nul", "é", "out put", "-o")
OTHER_KEYS = ("title", "base_url", "description", "timezone", "language", "theme", "credit_unit",
              "credit_unit_plural", "max_image_bytes", "validator_url")
VALUES = ("https://example.github.io/minimal/", "http://localhost:8000/", "https://[::1]/", "https://x:0/",
          "https://x:65536/", "https://example.org/?q=1", "https://example.org/#f", "ftp://example.org/",
          "https://user:pw@example.org/", "https://example.org/{url}", "https://{url}.example.org/",
          "https://validator.example/?u={url}", "{url}", "UTC", "Etc/GMT+5", "America", "localtime",
          "../../etc/passwd", "Europe/Berlin", "en", "pt-BR", "xx-XX", "zz", "default", "../default", "a b")

toml_scalars = st.one_of(texts, st.sampled_from(VALUES), st.integers(), st.integers(-2, 2), st.booleans(),
                         st.floats(), st.dates(), st.datetimes())
toml_values = st.one_of(toml_scalars, st.lists(toml_scalars, max_size=3),
                        st.dictionaries(st.sampled_from(("a", "b", "title")), toml_scalars, max_size=2))


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return toml_string(str(value))


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


@st.composite
def site_tomls(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[str, ...]]:
    """(settings, the keys changed): the minimal site's settings with one to four changes."""
    data: dict[str, Any] = dict(BASE)
    changed: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("folder", "folder", "value", "value", "drop", "unknown")))
        if op == "folder":
            key = draw(st.sampled_from(FOLDER_KEYS))
            data[key] = draw(st.sampled_from(FOLDERS))
        elif op == "value":
            key = draw(st.sampled_from(OTHER_KEYS))
            data[key] = draw(toml_values)
        elif op == "drop":
            key = draw(st.sampled_from(sorted(documented_keys())))
            data.pop(key, None)
        else:
            key = draw(st.one_of(st.sampled_from(("output", "contentdir", "Title", "base-url", "keys")), texts))
            data[key] = draw(toml_values)
        changed.append(key)
    return data, tuple(changed)


def placed(data: dict[str, Any], site: Path, scratch: Path) -> dict[str, Any]:
    """``data`` with {scratch} and {site} replaced by those folders."""
    def place(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return value.replace("{scratch}", str(scratch)).replace("{site}", str(site))

    return {k: place(v) for k, v in data.items()}


def write_toml(data: dict[str, Any]) -> bytes:
    text = "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())
    return text.encode("utf-8", "surrogatepass")


def outside(scratch: Path) -> dict[str, str]:
    """What lies around the site: a build must never write there."""
    return {k: v for k, v in digest(scratch).items() if not k.startswith("site")}


def _parsed(text: bytes, fallback: dict[str, Any]) -> dict[str, Any]:
    """The settings as the corrupted file now holds them (the folder names may have changed)."""
    try:
        return tomllib.loads(text.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return fallback


def _run_case(template: Path, data: dict[str, Any], corrupt: tuple[int, bytes] | None = None,
              base_url: str | None = None) -> None:
    with fresh_site(template) as (site, scratch):
        data = placed(data, site, scratch)
        text = write_toml(data)
        if corrupt is not None:
            where = min(corrupt[0], len(text))
            text = text[:where] + corrupt[1] + text[where:]
        (site / "site.toml").write_bytes(text)
        data = _parsed(text, data)
        around = outside(scratch)
        extra = ("--base-url", base_url) if base_url is not None else ()
        for argv in (("check", "--site", str(site)), ("build", "--site", str(site), *extra)):
            run = check_command(site, *argv)
            # a folder key that points elsewhere yields content errors that name files in that folder
            folders = [str(data[k]).strip("./") for k in FOLDER_KEYS
                       if data.get(k, k.removesuffix("_dir")) != k.removesuffix("_dir") and str(data[k]).strip("./ ")]
            moved = [f"{f}/" for f in folders] + [os.path.normpath(f) for f in folders if "\x00" not in f]
            moved += ["content/"] if folders else []
            assert_names(run, "site.toml", "--base-url", *moved)
            assert outside(scratch) == around, f"{argv} wrote outside the site folder"


@settings(phases=NO_EXPLAIN)
@given(case=site_tomls(), base_url=st.none() | st.sampled_from(VALUES) | texts)
def test_config_values(template: Path, case: tuple[dict[str, Any], tuple[str, ...]], base_url: str | None) -> None:
    _run_case(template, case[0], base_url=base_url)


@settings(phases=NO_EXPLAIN)
@given(case=site_tomls(), where=st.integers(0, 400), junk=st.binary(min_size=1, max_size=8) | st.sampled_from(
    (b"\xef\xbb\xbf", b"\xff\xfe", b"[", b"=", b'"', b"\n[table]\n", b"\x00")))
def test_config_bytes(template: Path, case: tuple[dict[str, Any], tuple[str, ...]], where: int, junk: bytes) -> None:
    _run_case(template, case[0], corrupt=(where, junk))
