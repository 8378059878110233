"""Run the real ``badgesite`` CLI in a subprocess that is killed (or frozen) at its Nth file change.

Nothing in badgesite knows about this: the child process wraps the ``os`` functions that
change the file system (``open`` for writing, ``mkdir``, ``rename``, ``replace``, ``unlink``,
``rmdir``) and, just before the Nth such call of the builder itself (not of its forked render
workers), sends SIGKILL to its whole process group, as ``kill -9`` would, or SIGSTOP to
itself (to hold a build in the middle). With N = 0 it runs to the end and reports how many
changes it made, so that tests can pick points spread over a whole build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXED_EPOCH

_CHILD = r"""
import builtins, io, os, signal, sys

AT = int(os.environ["BADGESITE_TEST_CRASH_AT"])
STOP = os.environ.get("BADGESITE_TEST_CRASH_ACTION") == "stop"
BUILDER = os.getpid()
count = 0
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def step():
    global count
    if os.getpid() != BUILDER:
        return
    count += 1
    if count == AT:
        if STOP:
            os.kill(BUILDER, signal.SIGSTOP)
        else:
            os.killpg(os.getpgid(0), signal.SIGKILL)


def wrap(real, changes):
    def wrapper(*args, **kwargs):
        if changes(*args, **kwargs):
            step()
        return real(*args, **kwargs)
    return wrapper


always = lambda *a, **k: True
os.open = wrap(os.open, lambda path, flags, *a, **k: bool(flags & WRITING))
for name in ("mkdir", "rename", "replace", "unlink", "remove", "rmdir"):
    setattr(os, name, wrap(getattr(os, name), always))
writes = lambda file, mode="r", *a, **k: any(c in mode for c in "wax+")
builtins.open = io.open = wrap(io.open, writes)

from site_builder.cli import main

code = main(sys.argv[1:])
made, AT = count, -1  # the report is no change of the build's
with open(os.environ["BADGESITE_TEST_CRASH_COUNT"], "w") as report:
    report.write(str(made))
sys.exit(code)
"""


@dataclass(frozen=True)
class Run:
    returncode: int
    changes: int  # file changes made (when it ran to the end)
    stderr: str


def env(tmp: Path, at: int, action: str = "kill") -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "BADGESITE_TEST_CRASH_AT": str(at),
            "BADGESITE_TEST_CRASH_ACTION": action, "BADGESITE_TEST_CRASH_COUNT": str(tmp / "changes.txt")}


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", _CHILD, *args]


def run(site: Path, at: int, tmp: Path) -> Run:
    """``badgesite -q build --site SITE``, SIGKILLed just before its ``at``th file change (0: never)."""
    report = tmp / "changes.txt"
    report.unlink(missing_ok=True)
    done = subprocess.run(command("-q", "build", "--site", str(site)), env=env(tmp, at), capture_output=True,
                          text=True, timeout=600, start_new_session=True)
    changes = int(report.read_text()) if report.exists() else 0
    return Run(done.returncode, changes, done.stderr)


def frozen(site: Path, at: int, tmp: Path) -> subprocess.Popen:
    """A build stopped (SIGSTOP) just before its ``at``th file change; the caller kills it."""
    process = subprocess.Popen(command("-q", "build", "--site", str(site)), env=env(tmp, at, "stop"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        raise AssertionError(f"the build ended before its change number {at} (status {status})")
    return process
