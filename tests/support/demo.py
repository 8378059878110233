"""The repository's demo site, copied and built for tests."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from site_builder.build import build
from site_builder.config import load_config
from tests.conftest import FIXED_EPOCH

REPO = Path(__file__).resolve().parent.parent.parent
RECIPIENTS = REPO / "tests" / "fixtures" / "demo-recipients.csv"


def copy_demo(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copyfile(REPO / "site.toml", target / "site.toml")
    for folder in ("content", "badges", "themes"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def build_demo(target: Path, base_url: str | None = None) -> Path:
    """Copy and build the demo (for its real base URL unless given); returns the site folder."""
    site = copy_demo(target)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = FIXED_EPOCH
    try:
        build(load_config(site, base_url))
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return site


def recipients() -> dict[str, str]:
    """assertion id -> the plaintext email its hash was made from (test data only)."""
    with RECIPIENTS.open(newline="") as handle:
        return {row["assertion_id"]: row["email"] for row in csv.DictReader(handle)}
