"""What the last build wrote into output/: the manifest, and the journal of a build under way.

``manifest.json`` (in the site's ``.cache/badgesite/``) maps every output file a build wrote
to its fingerprint and size. It is the list of files a build may ever delete, and tells
which outputs can be skipped without rendering them.

Before a build changes anything in output/ it writes ``manifest.journal.json``: the paths
it is about to write (and, for a first build, that the manifest is to be replaced). The new
manifest is written last, then the journal is removed. So a journal found at the start of
a build means the previous one was interrupted: its paths are on disk but may hold old or
new bytes (or a temporary), so they are owned but not trusted, and are rendered again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.write.files import atomic_write

MANIFEST_VERSION = 3
READABLE_VERSIONS = (2, 3)  # version 2 had the same files map, and no journal
UNTRUSTED = ("", 0)  # an entry a build owns but whose bytes are unknown: never matches a fingerprint


@dataclass(frozen=True)
class Manifest:
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> (fingerprint, size)
    complete: bool = True  # False: the last build was interrupted (some entries are UNTRUSTED)

    def untrusted(self) -> list[str]:
        return [rel for rel, entry in self.files.items() if not entry[0]]


def journal_path(manifest_path: Path) -> Path:
    return manifest_path.with_name(f"{manifest_path.stem}.journal.json")


def _output(manifest_path: Path, output_dir: Path) -> str:
    """How a manifest names its output folder: relative to itself, so a site moved whole keeps it."""
    return os.path.relpath(output_dir, manifest_path.parent)


def _read(path: Path, manifest_path: Path, output_dir: Path) -> dict | None:
    """A manifest or journal of ``output_dir``, or None (absent, unreadable, another version or folder)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") not in READABLE_VERSIONS:
        return None
    output = _output(manifest_path, output_dir) if data["version"] == MANIFEST_VERSION else str(output_dir)
    return data if data.get("output") == output else None


def load(manifest_path: Path, output_dir: Path) -> Manifest:
    data = _read(manifest_path, manifest_path, output_dir) or {}
    files = {rel: (entry[0], entry[1]) for rel, entry in data.get("files", {}).items()}
    journal = _read(journal_path(manifest_path), manifest_path, output_dir)
    if journal is None:
        return Manifest(files)
    if journal.get("fresh"):
        files = {}
    files.update(dict.fromkeys(journal.get("paths", []), UNTRUSTED))
    return Manifest(files, complete=False)


def _encode(manifest_path: Path, output_dir: Path, **values: object) -> bytes:
    return json.dumps({"version": MANIFEST_VERSION, "output": _output(manifest_path, output_dir), **values},
                      separators=(",", ":")).encode()


def begin(manifest_path: Path, output_dir: Path, paths: list[str], fresh: bool) -> None:
    """Record, before output/ changes, which paths are about to be written (``fresh``: all of output/)."""
    atomic_write(journal_path(manifest_path), _encode(manifest_path, output_dir, fresh=fresh, paths=sorted(paths)))


def abandon(manifest_path: Path) -> None:
    """The build changed nothing in output/ after all (it rolled back): the manifest still holds."""
    journal_path(manifest_path).unlink(missing_ok=True)


def commit(manifest_path: Path, output_dir: Path, files: dict[str, tuple[str, int]]) -> None:
    """Output/ holds exactly ``files``: write the manifest, then drop the journal."""
    atomic_write(manifest_path, _encode(manifest_path, output_dir, files=files))
    journal_path(manifest_path).unlink(missing_ok=True)
