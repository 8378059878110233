"""The writer's file operations: listing output/, temporaries, renames, removals, error messages.

Every new file is first written in full to a temporary beside its target, named
``.<name>.badgesite-tmp`` (no output path starts with a dot but ``.nojekyll``, so it can
never be one), then renamed over the target. The name is derived from the target so that
the next build can find and remove the temporaries of a killed one. No fsync: this is
safe against the builder being killed at any point, not against the machine losing power.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from site_builder.errors import OutputPathError, OutputWriteError

TEMP_SUFFIX = ".badgesite-tmp"


def temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}{TEMP_SUFFIX}")


def existing(output_dir: Path) -> set[str]:
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


def target(output_dir: Path, rel: str) -> Path:
    """Where ``rel`` is written, refused if a link inside output/ would take it outside."""
    path = (output_dir / rel).resolve()
    if not path.is_relative_to(output_dir):
        raise OutputPathError(f"refusing to write {rel!r}: it resolves outside {output_dir}")
    return path


def write_file(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0644) holding ``data``; replaces a leftover of the same name."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once (a reader sees the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary(path)
    try:
        write_file(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_parents(path: Path, created: list[Path]) -> None:
    """Create the folders above ``path`` that are missing, recording each in ``created`` (outermost first)."""
    missing = []
    parent = path.parent
    while not parent.is_dir():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        folder.mkdir()
        created.append(folder)


def remove_folders(created: Iterable[Path]) -> None:
    """Undo ``make_parents``: remove those folders (innermost first) that are still empty."""
    for folder in sorted(created, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass


def prune(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and its parents up to ``stop`` (excluded) while they are empty."""
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone)
            return
        folder = folder.parent


def remove(path: Path, stop: Path) -> None:
    """Delete a file the build wrote, and the folders it leaves empty."""
    path.unlink(missing_ok=True)
    prune(path.parent, stop)


def sweep_temporaries(output_dir: Path, paths: Iterable[str]) -> None:
    """Remove what a killed build left beside ``paths``: their temporaries, and folders left empty."""
    for rel in paths:
        tmp = temporary(output_dir / rel)
        if os.path.lexists(tmp):
            remove(tmp, output_dir)


def remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def same_device(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.stat().st_dev


def failure(exc: OSError, shown: str, state: str) -> OutputWriteError:
    """One line: ``no space left on device while writing output/x.html: output/ is unchanged``."""
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return OutputWriteError(f"{reason[:1].lower()}{reason[1:]} while writing {shown}: {state}")
