"""``badgesite new``: a site that builds at once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.config import normalise_base_url
from site_builder.errors import UsageError

DATA = Path(__file__).resolve().parent
GITIGNORE = "output/\nkeys/\nrosters/\n*.csv\n.cache/\n"


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def scaffold(directory: Path, base_url: str, title: str = "") -> Path:
    base_url = normalise_base_url(base_url)
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} exists and is not empty")
    title = title or directory.resolve().name.replace("-", " ").title() + " Badges"
    host = urlsplit(base_url).hostname or "example.org"
    files = {
        "site.toml": "\n".join([
            f"title = {_toml_string(title)}",
            'description = "Digital badges for the skills our learners demonstrate."',
            f"base_url = {_toml_string(base_url)}",
            'timezone = "UTC"',
            'language = "en"',
            'theme = "custom"',
            'credit_unit = "credit"',
            'credit_unit_plural = "credits"',
        ]) + "\n",
        ".gitignore": GITIGNORE,
        ".github/workflows/pages.yml": (DATA / "pages.yml").read_text(encoding="utf-8"),
        "themes/custom/README.md": "Files here override the default theme one at a time: copy a template "
                                   "(templates/NAME.html) or asset (assets/NAME) and edit it.\n",
        "content/issuers/my-organisation.json": json.dumps({
            "name": "My Organisation",
            "url": f"https://{host}/",
            "email": "badges@example.org",
            "description": "Replace with a sentence about who issues these badges.",
        }, indent=2) + "\n",
        "content/achievements/first-badge.json": json.dumps({
            "name": "First Badge",
            "description": "Replace with what earning this badge means.",
            "image": "first-badge.svg",
            "issuer": "../issuers/my-organisation.json",
            "criteria": {"narrative": "Earners:\n\n1. did **this**;\n2. and that."},
            "tags": ["example"],
        }, indent=2) + "\n",
        "content/assertions/.gitkeep": "",
        "content/earners/.gitkeep": "",
        "badges/first-badge.svg": (DATA / "first-badge.svg").read_text(encoding="utf-8"),
        "README.md": f"# {title}\n\nBuild: `badgesite build`, preview: `badgesite serve`.\n"
                     "Award: `badgesite issue first-badge --to EMAIL --name \"Full Name\"`.\n"
                     "Pushing to `main` publishes the site with GitHub Pages "
                     "(Settings -> Pages -> Source: GitHub Actions).\n",
    }
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


def init_repository(directory: Path) -> bool:
    """Make ``directory`` a git repository (unless it is inside one), so `keys new` can check .gitignore.

    False when git is missing or failed: the site still works, and `keys new` says what to do.
    """
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=directory,
                                capture_output=True, timeout=10)
        if inside.returncode == 0:
            return True
        return subprocess.run(["git", "init", "-q"], cwd=directory, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
