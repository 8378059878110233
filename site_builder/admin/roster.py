"""CSV rosters in (name, email[, evidence, narrative]) and the mail-merge list out.

The mail-merge list is the only file that ever holds plaintext emails; it goes to the
git-ignored ``rosters/`` folder.
"""

from __future__ import annotations

import csv
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.errors import BadgesiteError

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RosterRow:
    name: str
    email: str
    evidence: str = ""
    narrative: str = ""


def read_roster(path: Path) -> list[RosterRow]:
    """A CSV with a header naming at least ``name`` and ``email``."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
            if not {"name", "email"} <= fields:
                raise BadgesiteError(f"{path}: the header must name the columns 'name' and 'email'")
            rows = []
            for number, raw in enumerate(reader, start=2):
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
                if not row.get("name") or not EMAIL.match(row.get("email", "")):
                    raise BadgesiteError(f"{path}:{number}: each row needs a name and a valid email")
                rows.append(RosterRow(row["name"], row["email"], row.get("evidence", ""), row.get("narrative", "")))
            return rows
    except OSError as exc:
        raise BadgesiteError(f"{path}: {exc.strerror}") from exc


def git_ignores(config: SiteConfig, relative: str) -> bool | None:
    try:
        done = subprocess.run(["git", "check-ignore", "-q", relative], cwd=config.root,
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {0: True, 1: False}.get(done.returncode)


def append_mail_merge(config: SiteConfig, slug: str, rows: list[list[str]]) -> Path:
    path = config.root / "rosters" / f"issued-{slug}.csv"
    if git_ignores(config, "rosters/x.csv") is False:
        log.warning("rosters/ is not git-ignored: add it to .gitignore before committing (it holds emails)")
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["name", "email", "verification_url", "assertion_json"])
        writer.writerows(rows)
    return path
