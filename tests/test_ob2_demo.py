"""The 1EdTech OB 2.0 validator (badgecheck 1.2.0) on the demo site built for its real URL.

One validator process per case (it caches responses for 300 s inside a process).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from site_builder.config import load_config
from tests.support.demo import REPO, build_demo, recipients
from tests.support.ob2 import error_messages, validate_ob2

BASE = load_config(REPO).base_url
EXPIRED = "8427f28c3b3e54a69791ceca702227c8"
REVOKED = "418d791be700c80578d9d793c6166de0"
SAMPLE = "049a24a65bee992247d2bb06bc60f71f"  # the reissued replacement of REVOKED
EMAILS = recipients()
VALID = sorted(set(EMAILS) - {EXPIRED, REVOKED})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "site")


@pytest.fixture
def tampered(demo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "output"
    shutil.copytree(demo / "output", copy)
    return copy


def url(uid: str) -> str:
    return f"{BASE}assertions/{uid}.json"


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_demo_has_the_special_cases(demo: Path) -> None:
    assert len(VALID) >= 30
    expired = json.loads((demo / f"output/assertions/{EXPIRED}.json").read_text())
    assert expired["expires"].startswith("2025-")
    revoked = json.loads((demo / f"output/assertions/{REVOKED}.json").read_text())
    assert revoked["revoked"] is True


@pytest.mark.parametrize("uid", VALID)
def test_every_valid_assertion_passes_with_its_recipient(demo: Path, uid: str) -> None:
    result = validate_ob2(demo / "output", BASE, url(uid), recipient=EMAILS[uid])
    assert result["valid"] is True, result["messages"]
    assert result["errorCount"] == 0
    assert all(line.startswith("200 ") for line in result["fetched"]), result["fetched"]


def test_wrong_email_fails(demo: Path) -> None:
    result = validate_ob2(demo / "output", BASE, url(SAMPLE), recipient="someone.else@example.org")
    assert result["valid"] is False
    assert any("did not match assertion" in m for m in error_messages(result))


def test_expired_assertion_fails_with_its_expiry(demo: Path) -> None:
    result = validate_ob2(demo / "output", BASE, url(EXPIRED), recipient=EMAILS[EXPIRED])
    assert result["valid"] is False
    assert any(f"Assertion {url(EXPIRED)} expired on 2025-06-30" in m for m in error_messages(result))


def test_revoked_assertion_fails(demo: Path) -> None:
    result = validate_ob2(demo / "output", BASE, url(REVOKED))
    assert result["valid"] is False
    # The validator does not read `revoked` on hosted badges (shared/README.md); the stripped
    # body fails for lack of the properties a valid assertion must have.
    assert any("Required property recipient not present" in m for m in error_messages(result))


def test_tampered_recipient_hash_fails(tampered: Path) -> None:
    edit(tampered / f"assertions/{SAMPLE}.json",
         lambda d: d["recipient"].update(identity="sha256$" + "ab" * 32))
    result = validate_ob2(tampered, BASE, url(SAMPLE), recipient=EMAILS[SAMPLE])
    assert result["valid"] is False
    assert any("did not match assertion" in m for m in error_messages(result))


def test_tampered_badge_fails(tampered: Path) -> None:
    edit(tampered / f"assertions/{SAMPLE}.json",
         lambda d: d.update(badge=f"{BASE}achievements/forged-badge.json"))
    result = validate_ob2(tampered, BASE, url(SAMPLE), recipient=EMAILS[SAMPLE])
    assert result["valid"] is False
    assert f"404 {BASE}achievements/forged-badge.json" in result["fetched"]


def test_future_issue_date_fails(tampered: Path) -> None:
    edit(tampered / f"assertions/{SAMPLE}.json", lambda d: d.update(issuedOn="2999-01-01T00:00:00+00:00"))
    result = validate_ob2(tampered, BASE, url(SAMPLE), recipient=EMAILS[SAMPLE])
    assert any("in the future" in m for m in error_messages(result))


def test_assertion_on_another_origin_fails(tampered: Path) -> None:
    other = "https://impostor.github.io/microcredentials/"
    moved = f"{other}assertions/{SAMPLE}.json"
    edit(tampered / f"assertions/{SAMPLE}.json", lambda d: d.update(id=moved))
    result = validate_ob2(tampered, BASE, moved, recipient=EMAILS[SAMPLE], extra_origins={other: tampered})
    assert result["valid"] is False
    assert any("does not start with any permitted values" in m for m in error_messages(result))
