"""Throwaway sites built the way a user builds one: scaffold, issue, (revoke), build.

``make_site`` returns a :class:`BuiltSite` naming the assertions it issued, so tests can
open the page of a valid, an expiring or a revoked badge without searching for it.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.admin.awards import issue, revoke
from site_builder.admin.roster import RosterRow
from site_builder.admin.scaffold import scaffold
from site_builder.build import build
from site_builder.config import SiteConfig, load_config

# The build time of every throwaway site (2026-11-01T12:00Z), as in tests/conftest.py.
EPOCH = "1793534400"
ISSUED = "2026-03-14"
EXPIRES = "2090-06-30"  # after the build time and after any real clock a test runs under
ACHIEVEMENT = "first-badge"
REVOCATION_REASON = "Issued to the wrong person"

ISSUER_LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
<title>Logo</title><circle cx="48" cy="48" r="46" fill="#0f2f5a"/>
<path d="M24 62 48 26l24 36z" fill="#f5b700"/></svg>
"""
EARNER_PHOTO = """<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
<title>Avatar</title><rect width="96" height="96" fill="#cfe0f5"/>
<circle cx="48" cy="38" r="18" fill="#1d4f91"/><path d="M14 96c4-22 18-32 34-32s30 10 34 32z" fill="#1d4f91"/></svg>
"""


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    config: SiteConfig
    expiring: str  # uid of a valid assertion that expires on EXPIRES (earner with a photo)
    valid: str  # uid of a valid assertion that never expires
    revoked: str  # uid of a revoked assertion
    earner: str  # slug of the earner of ``expiring``
    revoked_earner: str  # slug of the earner of ``revoked``

    @property
    def output(self) -> Path:
        return self.config.path("output")

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def url(self, path: str) -> str:
        return self.config.base_url + path


@contextmanager
def fixed_build_time(epoch: str = EPOCH) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for code outside a function-scoped monkeypatch (module fixtures)."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def badge_png(size: int = 240) -> bytes:
    """A badge drawn with Pillow (a gold star on a blue disc), as an RGBA PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, size - 4, size - 4), fill=(29, 79, 145, 255), outline=(15, 47, 90, 255), width=8)
    c, r = size / 2, size * 0.32
    points = [(c + (r if i % 2 == 0 else r * 0.45) * math.sin(i * math.pi / 5),
               c - (r if i % 2 == 0 else r * 0.45) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(points, fill=(245, 183, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _edit_json(path: Path, **changes: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def make_site(tmp_path: Path, base_url: str, png: bool = False, title: str = "Foothills Educator Badges",
              epoch: str = EPOCH) -> BuiltSite:
    """Scaffold a site, enrich it a little, issue three badges (one revoked) and build it."""
    root = tmp_path / ("site-png" if png else "site")
    scaffold(root, base_url, title)
    content = root / "content"
    badges = root / "badges"

    (badges / "issuers").mkdir(parents=True, exist_ok=True)
    (badges / "issuers" / "logo.svg").write_text(ISSUER_LOGO, encoding="utf-8")
    _edit_json(content / "issuers" / "my-organisation.json",
               name="Sierra Foothills County Office of Education", image="issuers/logo.svg",
               url="https://www.sfcoe.example.org/", email="badges@sfcoe.example.org",
               description="Professional learning for teachers and staff across the county.")
    achievement: dict[str, Any] = {
        "name": "Google Classroom Coach",
        "description": "Awarded to educators who coach colleagues in using Google Classroom "
                       "to organise coursework, feedback and communication.",
        "criteria": {"narrative": "Earners:\n\n1. completed the **six-week** coaching cohort;\n"
                                  "2. led two peer sessions; and\n3. submitted a reflection."},
        "alignment": [{
            "targetName": "Designer", "targetUrl": "https://iste.org/standards/educators",
            "targetDescription": "Educators design authentic, learner-driven activities.",
            "targetFramework": "ISTE Standards for Educators", "targetCode": "2.5.a",
        }],
        "tags": ["google-classroom", "coaching"],
        "creditsAvailable": 1,
    }
    if png:
        (badges / "first-badge.png").write_bytes(badge_png())
        (badges / "first-badge.svg").unlink()
        achievement["image"] = "first-badge.png"
    _edit_json(content / "achievements" / f"{ACHIEVEMENT}.json", **achievement)

    config = load_config(root)
    with fixed_build_time(epoch):
        expiring = issue(config, ACHIEVEMENT, [RosterRow("Maria Gonzalez", "maria@example.org",
                                                         evidence="https://example.org/portfolio/maria",
                                                         narrative="Maria ran *two* sessions for the "
                                                                   "science department.")],
                         issued=ISSUED, expires=EXPIRES).created[0].stem
        valid = issue(config, ACHIEVEMENT, [RosterRow("Sam Lee", "sam@example.org")],
                      issued=ISSUED).created[0].stem
        revoked = issue(config, ACHIEVEMENT, [RosterRow("Jordan Avery", "jordan@example.org")],
                        issued=ISSUED).created[0].stem
        revoke(config, revoked, REVOCATION_REASON)
        (badges / "earners").mkdir(parents=True, exist_ok=True)
        (badges / "earners" / "maria.svg").write_text(EARNER_PHOTO, encoding="utf-8")
        _edit_json(content / "earners" / "maria-gonzalez.json", image="earners/maria.svg",
                   bio="Instructional technology coach at Foothill Middle School.",
                   links=[{"name": "Class website", "url": "https://example.org/ms-gonzalez"}])
        build(config)
    return BuiltSite(root, config, expiring, valid, revoked, "maria-gonzalez", "jordan-avery")
