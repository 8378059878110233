"""JSON files with positions: every diagnostic names file, JSON pointer and line:col."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from site_builder.errors import Diagnostic

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")


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
        offset = self._positions.get(pointer, 0)
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def diag(self, pointer: str, message: str) -> Diagnostic:
        line, col = self.position(pointer)
        return Diagnostic(self.name, pointer, message, line, col)


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, val in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = val
    return result


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
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        return None, Diagnostic(name, "", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
    except _DuplicateKey as exc:
        line = col = 0
        key = json.dumps(str(exc))
        found = [m.start() for m in re.finditer(re.escape(key) + r"\s*:", text)]
        if len(found) > 1:  # point at the second occurrence (a heuristic: keys may repeat in sub-objects)
            offset = found[1]
            line = text.count("\n", 0, offset) + 1
            col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return None, Diagnostic(name, "", f"invalid JSON: duplicate key {str(exc)!r}", line, col)
    return JsonSource(path, name, text, data, raw), None
