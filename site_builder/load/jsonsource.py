"""JSON files with positions: every diagnostic names file, JSON pointer and line:col."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from site_builder.errors import Diagnostic

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")
MAX_DEPTH = 64  # content nests a few levels; the parser (and every walk of the data) recurses
MAX_NUMBER_CHARS = 64  # far beyond any count or credit; Python refuses ints of 4,300 digits with a bare ValueError
# The tokens that can make valid-looking JSON unsafe: strings (for lone surrogates), brackets, numbers.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]|NaN|-?Infinity|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def pointer_escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _offsets(text: str) -> dict[str, int]:
    """Map each JSON pointer in valid JSON ``text`` to the offset where its value starts."""
    found: dict[str, int] = {}

    def ws(i: int) -> int:
        return _WS.match(text, i).end()  # type: ignore[union-attr]

    def value(i: int, ptr: str) -> int:
        i = ws(i)
        found[ptr] = i
        c = text[i]
        if c == '"':
            return scanstring(text, i + 1)[1]
        if c not in "{[":
            return _SCALAR.match(text, i).end()  # type: ignore[union-attr]
        close, index = ("}" if c == "{" else "]"), 0
        i = ws(i + 1)
        if text[i] == close:
            return i + 1
        while True:
            if c == "{":
                key, i = scanstring(text, ws(i) + 1)
                i = value(ws(i) + 1, f"{ptr}/{pointer_escape(key)}")
            else:
                i = value(i, f"{ptr}/{index}")
                index += 1
            i = ws(i)
            if text[i] == close:
                return i + 1
            i += 1  # the comma

    value(0, "")
    return found


@dataclass
class JsonSource:
    """A parsed JSON file. ``diag`` builds diagnostics located in it."""

    path: Path
    name: str  # as shown in messages (relative to the site root)
    text: str
    data: Any = None
    raw: bytes = b""
    _positions: dict[str, int] | None = field(default=None, repr=False)
    stem: str = ""  # the file name without .json: the object's slug or id

    def __post_init__(self) -> None:
        self.stem = self.stem or self.path.stem

    def position(self, pointer: str) -> tuple[int, int]:
        """line:col of the value at ``pointer`` (or of its nearest existing parent)."""
        if self._positions is None:
            self._positions = _offsets(self.text)
        while pointer and pointer not in self._positions:
            pointer = pointer.rsplit("/", 1)[0]
        return line_col(self.text, self._positions.get(pointer, 0))

    def diag(self, pointer: str, message: str) -> Diagnostic:
        line, col = self.position(pointer)
        return Diagnostic(self.name, pointer, message, line, col)


class _DuplicateKey(ValueError):
    pass


class _Refused(ValueError):
    """Raised by the parser's hooks; ``_unsafe`` then finds where, for the message."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, val in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = val
    return result


def _refuse_constant(name: str) -> Any:
    raise _Refused(name)


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_CHARS:
        raise _Refused(digits)
    return int(digits)


def _finite_float(digits: str) -> float:
    number = float(digits)
    if len(digits) > MAX_NUMBER_CHARS or math.isinf(number):
        raise _Refused(digits)
    return number


def _unsafe(text: str) -> tuple[int, str] | None:
    """The offset and reason of the first value that parses but must be refused, if any.

    Only called when the text has more brackets than ``MAX_DEPTH`` or a surrogate escape, or
    when a parser hook objected, so most files never pay for this second pass.
    """
    depth = 0
    for token in _TOKEN.finditer(text):
        tok, at = token.group(), token.start()
        if tok in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return at, f"nested deeper than {MAX_DEPTH} levels"
        elif tok in ("]", "}"):
            depth -= 1
        elif tok in ("NaN", "Infinity", "-Infinity"):
            return at, f"{tok} is not a JSON value"
        elif tok[0] != '"':
            if len(tok) > MAX_NUMBER_CHARS:
                return at, f"number longer than {MAX_NUMBER_CHARS} characters"
            if math.isinf(float(tok)):
                return at, "number too large"
        elif _SURROGATE_ESCAPE.search(tok):
            try:
                lone = [c for c in scanstring(text, at + 1)[0] if "\ud800" <= c <= "\udfff"]
            except ValueError:  # a bad escape: the parser reports it
                continue
            if lone:  # a pair decodes to one character; what is left cannot be written as UTF-8
                return at, f"lone surrogate \\u{ord(lone[0]):04x} in a string (it cannot be written as UTF-8)"
    return None


def _parse(text: str) -> Any:
    """``json.loads`` that refuses duplicate keys, NaN/Infinity, huge numbers and deep nesting."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant,
                      parse_int=_bounded_int, parse_float=_finite_float)


def read_json(path: Path, name: str) -> tuple[JsonSource | None, Diagnostic | None]:
    """Parse one file; a parse error is a diagnostic with line:col, never swallowed."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Diagnostic(name, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        if text.count("[") + text.count("{") > MAX_DEPTH and _unsafe(text):
            raise _Refused("deep")  # found before the parser recurses that deep
        data = _parse(text)
        if _SURROGATE_ESCAPE.search(text) and _unsafe(text):
            raise _Refused("surrogate")
    except json.JSONDecodeError as exc:
        return None, Diagnostic(name, "", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
    except _DuplicateKey as exc:
        line = col = 0
        key = json.dumps(str(exc))
        found = [m.start() for m in re.finditer(re.escape(key) + r"\s*:", text)]
        if len(found) > 1:  # point at the second occurrence (a heuristic: keys may repeat in sub-objects)
            line, col = line_col(text, found[1])
        return None, Diagnostic(name, "", f"invalid JSON: duplicate key {str(exc)!r}", line, col)
    except (_Refused, RecursionError) as exc:
        offset, reason = _unsafe(text) or (0, f"cannot be read ({exc})")
        line, col = line_col(text, offset)
        return None, Diagnostic(name, "", f"invalid JSON: {reason}", line, col)
    return JsonSource(path, name, text, data, raw), None
