"""Stage 5: bring output/ to exactly the planned outputs, skipping unchanged ones, crash-safe.

Everything that changed is rendered into memory first and checked (no private key is ever
published); only then does anything touch output/. Then:

- a first build (no output/ yet) writes a folder under ``.cache/badgesite/staging/`` and
  renames it into place: output/ appears whole or not at all;
- a later build writes each new file to a temporary beside its target, renames them all
  into place, and deletes the files of the last build that this one no longer makes;
- the manifest (see ``manifest.py``) is journalled before the first rename and written
  last, so a build killed at any point is detected and repaired by the next one.

A build deletes only files a build wrote (those the manifest lists); anything else found in
output/ is left alone, with a warning. A write error (a full disk) removes the temporaries
and leaves output/ as it was.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import UnsafeOutputError
from site_builder.write import files, manifest
from site_builder.write.guard import key_material
from site_builder.write.manifest import Manifest
from site_builder.write.pool import Renderable, render_forked

log = logging.getLogger(__name__)
_PARALLEL_MIN = 2000  # below this, starting workers costs more than it saves
STAGING = "staging"  # under the manifest's folder: where a first build is assembled

__all__ = ["WriteStats", "make_all", "outputs_intact", "write_outputs"]


@dataclass(frozen=True)
class WriteStats:
    written: int
    skipped: int
    removed: int
    total_bytes: int


def outputs_intact(output_dir: Path, manifest_path: Path) -> bool:
    """Is every file the last build wrote still in output/, and did that build finish?"""
    output_dir = output_dir.resolve()
    if not output_dir.is_dir():
        return False
    last = manifest.load(manifest_path, output_dir)
    return last.complete and bool(last.files) and last.files.keys() <= files.existing(output_dir)


def make_all(outputs: Sequence[Renderable]) -> list[bytes]:
    """Render on every core when there is much to render (a cold build); in order, either way."""
    workers = os.cpu_count() or 1
    if len(outputs) < _PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [output.make() for output in outputs]
    return render_forked(outputs, workers)


def write_outputs(outputs: Iterable[Renderable], output_dir: Path, manifest_path: Path,
                  memory: dict[str, tuple[str, int]] | None = None) -> WriteStats:
    """Bring ``output_dir`` to exactly ``outputs``; render only what changed.

    ``memory``: a warm process's copy of the manifest (read from disk only when empty), updated in place;
    with it, output/ is taken to hold what the manifest says (the process is its only writer).
    """
    output_dir = output_dir.resolve()
    files.remove_tree(manifest_path.parent / STAGING)  # what a killed first build was assembling
    fresh = not output_dir.is_dir()
    old = Manifest() if fresh else Manifest(dict(memory)) if memory else manifest.load(manifest_path, output_dir)
    if not old.complete:
        files.sweep_temporaries(output_dir, old.untrusted())
    # A warm process wrote output/ itself and keeps its manifest: trust it rather than walk every file.
    existing = set() if fresh else set(old.files) if memory and old.complete else files.existing(output_dir)
    new: dict[str, tuple[str, int]] = {}
    total = 0
    to_make: list[Renderable] = []
    for output in outputs:
        previous = old.files.get(output.path)
        if previous and previous[0] == output.fingerprint and output.path in existing:
            new[output.path] = previous
            total += previous[1]
            continue
        new[output.path] = manifest.UNTRUSTED  # keeps the planned order
        to_make.append(output)
    pending: dict[str, bytes] = {}
    for output, data in zip(to_make, make_all(to_make), strict=True):  # may raise: nothing written yet
        if found := key_material(data):
            raise UnsafeOutputError(f"refusing to publish {output_dir.name}/{output.path}: "
                                    f"it looks like private key material ({found})")
        pending[output.path] = data
        new[output.path] = (output.fingerprint, len(data))
        total += len(data)
    stale = sorted((old.files.keys() & existing) - new.keys())  # only files a build wrote
    _warn_unlisted(output_dir, existing - old.files.keys() - new.keys())
    if memory is not None:
        memory.clear()  # until this build is done, only the manifest on disk tells the truth
    if fresh:
        _write_fresh(pending, output_dir, manifest_path)
    else:  # the paths an interrupted build left untrusted stay in the journal until this one is done
        _write_changes(pending, stale, output_dir, manifest_path, carried=old.untrusted())
    try:
        manifest.commit(manifest_path, output_dir, new)
    except OSError as exc:
        raise files.failure(exc, _shown(manifest_path, output_dir), "the next build repairs it") from exc
    if memory is not None:
        memory.update(new)
    stats = WriteStats(len(pending), len(new) - len(pending), len(stale), total)
    log.debug("wrote %d files, %d unchanged, removed %d", stats.written, stats.skipped, stats.removed)
    return stats


def _warn_unlisted(output_dir: Path, unlisted: set[str]) -> None:
    if unlisted:
        count = len(unlisted)
        log.warning("warning: %s", f"{output_dir.name}/ holds {count} file{'s' if count != 1 else ''} that no "
                                   f"badgesite build wrote (e.g. {min(unlisted)}): left as they are")


def _write_fresh(pending: dict[str, bytes], output_dir: Path, manifest_path: Path) -> None:
    """A first build: assemble output/ in the staging folder, then rename it into place."""
    staging_root = manifest_path.parent / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    if not files.same_device(staging_root, output_dir.parent):  # a rename cannot cross file systems
        files.remove_tree(staging_root)
        output_dir.mkdir()
        try:
            _write_changes(pending, [], output_dir, manifest_path, fresh=True)
        except BaseException:
            files.prune(output_dir, output_dir.parent)  # gone again if the writes were undone
            raise
        return
    staging = Path(tempfile.mkdtemp(prefix=f"{output_dir.name}.", dir=staging_root))
    name = output_dir.name
    shown = f"{name}/"
    try:
        for rel, data in sorted(pending.items()):
            shown = f"{name}/{rel}"
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            files.write_file(path, data)
        staging.chmod(0o755)
        shown = _shown(manifest.journal_path(manifest_path), output_dir)
        manifest.begin(manifest_path, output_dir, list(pending), fresh=True)
    except OSError as exc:
        files.remove_tree(staging_root)
        raise files.failure(exc, shown, f"{name}/ is unchanged") from exc
    except BaseException:
        files.remove_tree(staging_root)
        raise
    try:
        staging.rename(output_dir)
    except OSError as exc:
        files.remove_tree(staging_root)
        manifest.abandon(manifest_path)
        raise files.failure(exc, f"{name}/", f"{name}/ is unchanged") from exc
    files.remove_tree(staging_root)


def _write_changes(pending: dict[str, bytes], stale: list[str], output_dir: Path, manifest_path: Path,
                   fresh: bool = False, carried: Sequence[str] = ()) -> None:
    """A later build: temporaries first (undone on error), then renames, then removals."""
    if not pending and not stale:
        return
    name = output_dir.name
    targets = {rel: files.target(output_dir, rel) for rel in sorted(pending)}  # may refuse: nothing written
    doomed = {rel: files.target(output_dir, rel) for rel in stale}
    shown = _shown(manifest.journal_path(manifest_path), output_dir)
    try:
        manifest.begin(manifest_path, output_dir, sorted({*pending, *carried}), fresh=fresh)
        written: list[Path] = []
        created: list[Path] = []
        try:
            for rel, path in targets.items():
                shown = f"{name}/{rel}"
                tmp = files.temporary(path)
                files.make_parents(tmp, created)
                written.append(tmp)
                files.write_file(tmp, pending[rel])
        except BaseException:
            for tmp in written:
                tmp.unlink(missing_ok=True)
            files.remove_folders(created)
            if not carried:  # else the journal still has to vouch for what an earlier build left
                manifest.abandon(manifest_path)
            raise
    except OSError as exc:
        raise files.failure(exc, shown, f"{name}/ is unchanged") from exc
    try:
        for rel, path in targets.items():
            shown = f"{name}/{rel}"
            os.replace(files.temporary(path), path)
        for rel, path in doomed.items():
            shown = f"{name}/{rel}"
            files.remove(path, output_dir)
    except OSError as exc:
        raise files.failure(exc, shown, "the next build repairs it") from exc


def _shown(path: Path, output_dir: Path) -> str:
    """A path of the site's .cache/ as messages show it: relative to the folder output/ is in."""
    try:
        return path.resolve().relative_to(output_dir.parent).as_posix()
    except ValueError:
        return str(path)
