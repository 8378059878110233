"""The demo site as a whole: privacy of the output, baking round-trips through the bakery."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.support.bakery import unbake
from tests.support.demo import build_demo, recipients

EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "site")


def test_no_recipient_email_anywhere_in_output(demo: Path) -> None:
    emails = {e.lower().encode() for e in recipients().values()}
    issuer_contacts = {json.loads(p.read_text())["email"].encode()
                       for p in (demo / "content/issuers").glob("*.json")}
    for path in (demo / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            lowered = data.lower()
            assert not [e for e in emails if e in lowered], path
            # The only addresses published are the issuers' public contacts.
            assert set(EMAIL.findall(data)) <= issuer_contacts, path
            assert b"PRIVATE KEY" not in data, path


def test_every_assertion_file_has_its_pages(demo: Path) -> None:
    uids = {p.stem for p in (demo / "content/assertions").glob("*.json")}
    assert uids == set(recipients())
    for uid in uids:
        assert (demo / f"output/assertions/{uid}.json").is_file()
        assert (demo / f"output/assertions/{uid}.html").is_file()


@pytest.mark.parametrize("achievement_image", ["svg", "png"])
def test_badgesite_bake_round_trips_through_the_bakery(demo: Path, tmp_path: Path,
                                                       achievement_image: str) -> None:
    by_kind = {}
    for p in sorted((demo / "content/assertions").glob("*.json")):
        doc = json.loads(p.read_text())
        slug = Path(doc["badge"]).stem
        kind = "png" if (demo / f"output/achievements/{slug}.png").exists() else "svg"
        if not doc.get("revoked"):
            by_kind.setdefault(kind, p.stem)
    uid = by_kind[achievement_image]
    out = tmp_path / f"baked.{achievement_image}"
    assert main(["-q", "bake", "--site", str(demo), uid, "-o", str(out)]) == 0
    if achievement_image == "svg":
        assert out.read_bytes().find(b"<svg") < 256
    extracted = unbake(out)
    hosted = json.loads((demo / f"output/assertions/{uid}.json").read_text())
    if achievement_image == "png":
        assert json.loads(extracted) == hosted
    else:  # the bakery prefers the SVG's `verify` attribute: the hosted assertion's URL
        assert extracted == hosted["id"]
        body = out.read_text().split("<![CDATA[", 1)[1].split("]]>", 1)[0]
        assert json.loads(body) == hosted
