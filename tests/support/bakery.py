"""``openbadges-bakery`` 2.0.0 (in the validator venv) as an independent un-baker."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.external import missing
from tests.support.ob2 import validator_python

_SCRIPT = """
import sys
from openbadges_bakery import unbake
with open(sys.argv[1], "rb") as handle:
    found = unbake(handle)
sys.stdout.write(found if found is not None else "")
"""


def unbake(image: Path) -> str:
    """What openbadges-bakery extracts from a baked PNG or SVG ("" when nothing)."""
    python = validator_python()
    if python is None:
        missing("openbadges-bakery (run tools/setup-ob2-validator.sh)")
    done = subprocess.run([str(python), "-I", "-c", _SCRIPT, str(image)], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout
