"""CSV rosters in (name, email[, evidence, narrative]) and the mail-merge list out.

The mail-merge list is the only file that ever holds plaintext emails; it goes to the
git-ignored ``rosters/`` folder.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.errors import BadgesiteError

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")  # no control characters
MAX_ROSTER_MB = 5  # a roster of names and emails: 10,000 rows are well under 2 MB
MAX_ROSTER_ROWS = 10_000
# A cell a spreadsheet would read as a formula or command (OWASP "CSV Injection"): =, +, -, @, tab, CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RosterRow:
    name: str
    email: str
    evidence: str = ""
    narrative: str = ""


def _roster_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark) and at most ``MAX_ROSTER_MB``."""
    limit = MAX_ROSTER_MB * 1024 * 1024
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)  # read no further than the limit (a FIFO or device never ends)
    except OSError as exc:
        raise BadgesiteError(f"{path}: {exc.strerror}") from exc
    if len(raw) > limit:
        raise BadgesiteError(f"{path}: larger than {MAX_ROSTER_MB} MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found = "UTF-16 text" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else f"{exc.reason} at byte {exc.start}"
        raise BadgesiteError(f"{path}: not UTF-8 ({found}): save it as \"CSV UTF-8\"") from exc


def read_roster(path: Path) -> list[RosterRow]:
    """A CSV with a header naming at least ``name`` and ``email``."""
    reader = csv.DictReader(io.StringIO(_roster_text(path), newline=""))
    rows: list[RosterRow] = []
    try:
        fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
        if not {"name", "email"} <= fields:
            raise BadgesiteError(f"{path}: the header must name the columns 'name' and 'email'")
        for raw in reader:
            number = reader.line_num
            if len(rows) == MAX_ROSTER_ROWS:
                raise BadgesiteError(f"{path}: more than {MAX_ROSTER_ROWS} rows")
            if None in raw:  # DictReader keeps the cells beyond the header under the key None
                raise BadgesiteError(f"{path}:{number}: more cells than the header has columns")
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            if not row.get("name") or not EMAIL.match(row.get("email", "")):
                raise BadgesiteError(f"{path}:{number}: each row needs a name and a valid email")
            rows.append(RosterRow(row["name"], row["email"], row.get("evidence", ""), row.get("narrative", "")))
    except csv.Error as exc:  # a field over the csv module's size limit (its line number is unreliable then)
        raise BadgesiteError(f"{path}: not a readable CSV ({exc})") from exc
    return rows


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
        writer.writerows([[neutralise(cell) for cell in row] for row in rows])
    return path


def neutralise(cell: str) -> str:
    """A cell that spreadsheets show as text: a leading formula character gets a ``'`` before it."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell
