"""Generated sites of any size (Open Badges 2.0 only), and two versions of their content.

``generate`` writes a site of N assertions over eight achievements; ``badge-0`` holds
half of them, so its earner list is paginated (``achievements/badge-0/earned-N.html``).
``change`` turns that content into a second version that touches every kind of write:
edited assertions (pages rewritten), removed ones (files deleted, a paginated folder
pruned), new ones (files created), a renamed earner (pages across the site).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from tests.support.fixtures import MINIMAL

ACHIEVEMENTS = 8


def _assertion(rng: random.Random, n: int, achievement: int, earner: int, narrative: str) -> dict:
    salt = f"{rng.getrandbits(128):032x}"
    email = f"earner{earner}@example.org"
    return {
        "badge": f"../achievements/badge-{achievement}.json",
        "earner": f"../earners/earner-{earner}.json",
        "recipient": {"type": "email", "hashed": True, "salt": salt,
                      "identity": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()},
        "issuedOn": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "narrative": narrative,
        "evidence": [{"id": f"https://example.org/evidence/{n}", "name": "Portfolio"}],
    }


def generate(site: Path, count: int, seed: int = 7) -> Path:
    """A site of ``count`` assertions in ``site`` (created); returns it."""
    rng = random.Random(seed)
    art = (MINIMAL / "badges" / "tester.svg").read_text(encoding="utf-8")
    (site / "badges").mkdir(parents=True)
    (site / "site.toml").write_text('title = "Large Test Site"\nbase_url = "https://example.github.io/large/"\n'
                                    'timezone = "America/Los_Angeles"\n', encoding="utf-8")
    content = site / "content"
    for kind in ("issuers", "achievements", "earners", "assertions"):
        (content / kind).mkdir(parents=True)
    (content / "issuers" / "acme.json").write_text(json.dumps({
        "name": "Acme School District", "url": "https://acme.example.org/", "email": "badges@acme.example.org"}))
    for n in range(ACHIEVEMENTS):
        (site / "badges" / f"badge-{n}.svg").write_text(art.replace("<svg", f"<svg data-n=\"{n}\"", 1))
        (content / "achievements" / f"badge-{n}.json").write_text(json.dumps({
            "name": f"Micro-credential {n}", "description": "A generated achievement.",
            "image": f"badge-{n}.svg", "issuer": "../issuers/acme.json",
            "criteria": {"narrative": "Complete **all** of:\n\n1. a lesson plan\n2. a reflection"}}))
    earners = max(1, count // 3)
    for n in range(earners):
        (content / "earners" / f"earner-{n}.json").write_text(json.dumps({"name": f"Earner Number {n}"}))
    for n in range(count):
        achievement = 0 if n % 2 == 0 else 1 + n % (ACHIEVEMENTS - 1)
        doc = _assertion(rng, n, achievement, n % earners, "Showed *excellent* work with students.")
        (content / "assertions" / f"{rng.getrandbits(128):032x}.json").write_text(json.dumps(doc))
    return site


def change(content: Path, seed: int = 11) -> None:
    """Edit ``content`` (a generated site's) into its second version, in place."""
    rng = random.Random(seed)
    files = sorted((content / "assertions").glob("*.json"))
    kept_in_badge_0 = 0
    for n, path in enumerate(files):
        doc = json.loads(path.read_text())
        if doc["badge"].endswith("badge-0.json"):
            kept_in_badge_0 += 1
            if kept_in_badge_0 > 10:  # badge-0 drops under one page of earners: its pages go
                path.unlink()
                continue
        if n % 7 == 0:
            doc["narrative"] = "Changed: showed *outstanding* work."
            path.write_text(json.dumps(doc))
    earners = len(list((content / "earners").glob("*.json")))
    for n in range(max(2, len(files) // 20)):
        doc = _assertion(rng, n, 1 + n % (ACHIEVEMENTS - 1), n % earners, "A new award.")
        (content / "assertions" / f"{rng.getrandbits(128):032x}.json").write_text(json.dumps(doc))
    (content / "earners" / "earner-0.json").write_text(json.dumps({"name": "Earner Renamed"}))
