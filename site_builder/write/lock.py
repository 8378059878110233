"""One build at a time per site: an exclusive ``flock`` on ``.cache/badgesite/build.lock``.

The kernel drops the lock when its holder dies, however it dies (``kill -9`` included), so a
lock is never left behind. The file holds the holder's pid, for the message a second build
prints. The file itself is never deleted (deleting a lock file races with the next taker).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from site_builder.errors import BuildLockedError

LOCK_NAME = "build.lock"
# A lock whose recorded holder is dead is still held by its render workers for a moment
# (they inherit the lock through fork and exit once their parent is gone): wait that long.
ORPHAN_GRACE = 5.0


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """Hold the site's build lock for the ``with`` block; refuse at once while a live build holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _acquire(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int) -> None:
    deadline = time.monotonic() + ORPHAN_GRACE
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        pid = _holder(fd)
        if (pid and _alive(pid)) or time.monotonic() > deadline:
            raise BuildLockedError(f"another badgesite build is running on this site (pid {pid or 'unknown'})")
        time.sleep(0.05)  # no pid yet (the holder is writing it) or only its exiting workers hold the lock


def _holder(fd: int) -> int:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
