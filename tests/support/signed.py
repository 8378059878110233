"""Signed (Open Badges 3.0) test sites: the minimal site with a throwaway key."""

from __future__ import annotations

import subprocess
from pathlib import Path

from site_builder.cli import main
from tests.support.fixtures import copy_minimal


def signed_minimal(target: Path) -> Path:
    """The minimal site in a git repository (keys/ ignored), with a fresh key and signed content."""
    site = copy_minimal(target)
    (site / ".gitignore").write_text("output/\nkeys/\n.cache/\n")
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    assert main(["-q", "keys", "new", "--site", str(site), "acme"]) == 0
    return site
