"""Fixture sites: the minimal valid site, and per-defect overlays of it."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
BAD = FIXTURES / "bad"


def copy_minimal(target: Path) -> Path:
    shutil.copytree(MINIMAL, target)
    return target


def overlay(case: str, target: Path) -> Path:
    """The minimal site with the files of ``bad/<case>/`` laid over it (``DELETE`` lists removals)."""
    copy_minimal(target)
    source = BAD / case
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_dir() or rel.name in ("expected.txt", "DELETE"):
            continue
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    deletions = source / "DELETE"
    for line in deletions.read_text().split() if deletions.exists() else []:
        (target / line).unlink()
    return target
