"""Stage 5: write outputs into output/, skipping unchanged ones, never half-way on error.

Everything that changed is rendered into memory first; only when every output was made
does anything touch output/. A first build writes a sibling folder and renames it into
place. A manifest of fingerprints (kept outside output/, in the site's .cache/) tells which
outputs can be skipped without rendering them.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import OutputPathError
from site_builder.plan.routes import Output

log = logging.getLogger(__name__)
_WORKER_OUTPUTS: list[Output] = []  # only ever filled in forked render workers
MANIFEST_VERSION = 2


@dataclass(frozen=True)
class WriteStats:
    written: int
    skipped: int
    removed: int
    total_bytes: int


def _load_manifest(path: Path, output_dir: Path) -> dict[str, tuple[str, int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if data.get("version") != MANIFEST_VERSION or data.get("output") != str(output_dir):
        return {}
    return data.get("files", {})


def outputs_intact(output_dir: Path, manifest_path: Path) -> bool:
    """Does output/ hold exactly the files the last build wrote (nobody deleted or added any)?"""
    output_dir = output_dir.resolve()
    if not output_dir.is_dir():
        return False
    manifest = _load_manifest(manifest_path, output_dir)
    return bool(manifest) and _existing(output_dir) == manifest.keys()


def _target(output_dir: Path, rel: str) -> Path:
    target = (output_dir / rel).resolve()
    if not target.is_relative_to(output_dir):
        raise OutputPathError(f"refusing to write {rel!r}: it resolves outside {output_dir}")
    return target


def _existing(output_dir: Path) -> set[str]:
    """Every file below ``output_dir``, as relative POSIX paths (strings only: this runs on every build)."""
    found: set[str] = set()
    prefix = len(str(output_dir)) + 1
    stack = [str(output_dir)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    found.add(entry.path[prefix:].replace(os.sep, "/"))
    return found


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


_PARALLEL_MIN = 2000  # below this, starting workers costs more than it saves


def _worker_init(outputs: list[Output]) -> None:
    global _WORKER_OUTPUTS  # set in a forked worker process only, never in the builder itself
    _WORKER_OUTPUTS = outputs


def _worker_make(index: int) -> bytes:
    return _WORKER_OUTPUTS[index].make()


def make_all(outputs: list[Output]) -> list[bytes]:
    """Render on every core when there is much to render (a cold build); in order, either way.

    Workers are forked, so they share the parent's model and templates without pickling them.
    """
    workers = os.cpu_count() or 1
    if len(outputs) < _PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [output.make() for output in outputs]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_init, initargs=(outputs,)) as pool:
        return pool.map(_worker_make, range(len(outputs)), chunksize=128)


def write_outputs(outputs: Iterable[Output], output_dir: Path, manifest_path: Path,
                  memory: dict[str, tuple[str, int]] | None = None) -> WriteStats:
    """Bring ``output_dir`` to exactly ``outputs``; render only what changed.

    ``memory``: a warm process's copy of the manifest (read from disk only when empty), updated in place.
    """
    output_dir = output_dir.resolve()
    fresh = not output_dir.is_dir()
    old = {} if fresh else (dict(memory) if memory else _load_manifest(manifest_path, output_dir))
    existing = set() if fresh else _existing(output_dir)
    pending: dict[str, bytes] = {}
    manifest: dict[str, tuple[str, int]] = {}
    total = 0
    to_make: list[Output] = []
    for output in outputs:
        previous = old.get(output.path)
        if previous and previous[0] == output.fingerprint and output.path in existing:
            manifest[output.path] = tuple(previous)  # type: ignore[assignment]
            total += previous[1]
            continue
        to_make.append(output)
    for output, data in zip(to_make, make_all(to_make), strict=True):  # may raise: nothing written yet
        pending[output.path] = data
        manifest[output.path] = (output.fingerprint, len(data))
        total += len(data)
    stale = sorted(existing - manifest.keys())
    if fresh:
        staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
        try:
            for rel, data in sorted(pending.items()):
                target = (staging / rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            staging.chmod(0o755)
            staging.rename(output_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    else:
        for rel, data in sorted(pending.items()):
            _atomic_write(_target(output_dir, rel), data)
        for rel in stale:
            target = _target(output_dir, rel)
            target.unlink()
            parent = target.parent
            while parent != output_dir and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(manifest_path, json.dumps(
        {"version": MANIFEST_VERSION, "output": str(output_dir), "files": manifest}, separators=(",", ":")).encode())
    if memory is not None:
        memory.clear()
        memory.update(manifest)
    stats = WriteStats(len(pending), len(manifest) - len(pending), len(stale), total)
    log.debug("wrote %d files, %d unchanged, removed %d", stats.written, stats.skipped, stats.removed)
    return stats
