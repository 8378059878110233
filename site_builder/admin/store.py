"""The one reader and writer of content files (only the issue-time commands change content).

JSON objects are written as authors write them (two-space indent, UTF-8, a final newline),
atomically: a crash never leaves half a file in content/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from site_builder.errors import BadgesiteError


def read(path: Path) -> dict[str, Any]:
    """A content file's JSON object; BadgesiteError naming the file otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadgesiteError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadgesiteError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise BadgesiteError(f"{path}: not a JSON object")
    return data


def read_or_none(path: Path) -> dict[str, Any] | None:
    """The JSON object at ``path``, or None when it is missing or not one (a stale signed file)."""
    try:
        return read(path)
    except BadgesiteError:
        return None


def dumps(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(path: Path, data: dict[str, Any]) -> None:
    write_bytes(path, dumps(data))


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
