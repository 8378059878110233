"""Independent verification of our Open Badges 3.0 output by Digital Bazaar's libraries (Node).

Every demo credential and every credential of a freshly issued site verifies, with DID
documents and status lists served from the build; tampering, revocation and expiry fail.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.config import load_config
from tests.support.demo import REPO, build_demo
from tests.support.node import generate_key, issue_ob3, verify_ob3
from tests.support.signed import signed_minimal

DEMO_BASE = load_config(REPO).base_url
REVOKED = "418d791be700c80578d9d793c6166de0"
EXPIRED = "8427f28c3b3e54a69791ceca702227c8"
NOW = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # status lists are signed at issue time


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "site")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = signed_minimal(tmp_path_factory.mktemp("fresh") / "site")
    for n in range(3):
        assert main(["-q", "issue", "--site", str(site), "tester", "--to", f"p{n}@example.org",
                     "--name", f"Person {n}", "--evidence", f"https://example.org/e/{n}"]) == 0
    assert main(["-q", "issue", "--site", str(site), "tester", "--to", "old@example.org", "--name", "Old",
                 "--date", "2024-01-10", "--expires", "2025-01-10"]) == 0
    # Results too: a result description on the achievement, a result on one award.
    achievement = site / "content/achievements/tester.json"
    achievement.write_text(json.dumps(json.loads(achievement.read_text()) | {"resultDescription": [
        {"id": "score", "name": "Project score", "resultType": "Percent", "requiredValue": "70"}]}))
    first = sorted((site / "content/assertions").glob("*.json"))[0]
    first.write_text(json.dumps(json.loads(first.read_text()) | {"results": [
        {"resultDescription": "score", "value": "88", "status": "Completed"}]}))
    assert main(["-q", "sign", "--site", str(site)]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    return site


def credentials(site: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((site / "output/credentials").glob("*.json"))}


def test_every_demo_credential_verifies_except_revoked_and_expired(demo: Path) -> None:
    found = credentials(demo)
    assert len(found) == 36
    for uid, credential in found.items():
        result = verify_ob3(credential, {DEMO_BASE: demo / "output"}, now=NOW)
        if uid == REVOKED:
            assert not result["verified"] and any("revoked" in e for e in result["errors"]), result["errors"]
        elif uid == EXPIRED:
            assert not result["verified"] and any('after "validUntil"' in e for e in result["errors"]), result
        else:
            assert result["verified"], (uid, result["errors"])


def test_every_fresh_credential_verifies(fresh: Path) -> None:
    base = load_config(fresh).base_url
    found = credentials(fresh)
    assert len(found) == 5
    assert sum("result" in c["credentialSubject"] for c in found.values()) == 1
    for credential in found.values():
        expired = "validUntil" in credential
        result = verify_ob3(credential, {base: fresh / "output"}, now=NOW)
        assert result["verified"] is not expired, result["errors"]
        if expired:  # and valid before its expiry (the status list itself is only valid from today)
            assert verify_ob3(credential, {base: fresh / "output"}, now="2024-06-01T00:00:00Z",
                              check_status=False)["verified"]


def _tamper(credential: dict, what: str) -> dict:
    bad = copy.deepcopy(credential)
    if what == "name":
        bad["name"] += " (edited)"
    elif what == "recipient":
        bad["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    elif what == "dates":
        bad["validFrom"] = "2020-01-01T00:00:00Z"
    elif what == "proof":
        value = bad["proof"]["proofValue"]
        bad["proof"]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    elif what == "issuer":
        bad["issuer"]["id"] = "did:web:impostor.github.io:issuers:acme"
    return bad


@pytest.mark.parametrize("what", ["name", "recipient", "dates", "proof", "issuer"])
def test_tampered_credentials_fail(fresh: Path, what: str) -> None:
    base = load_config(fresh).base_url
    credential = next(c for c in credentials(fresh).values() if "validUntil" not in c)
    assert verify_ob3(credential, {base: fresh / "output"}, now=NOW)["verified"]
    result = verify_ob3(_tamper(credential, what), {base: fresh / "output"}, now=NOW)
    assert not result["verified"], what


def test_swapped_key_fails(fresh: Path) -> None:
    """Signed by a key the issuer's DID document does not list: the JS library refuses it."""
    base = load_config(fresh).base_url
    credential = next(iter(credentials(fresh).values()))
    did = credential["issuer"]["id"]
    key = generate_key(did)
    key["id"] = f"{did}#key-9"
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    forged = issue_ob3(unsigned, key)
    result = verify_ob3(forged, {base: fresh / "output"}, now=NOW)
    assert not result["verified"]
    assert any("key-9" in e for e in result["errors"]), result["errors"]


def test_revocation_is_seen_by_the_status_list_library(fresh: Path, tmp_path: Path) -> None:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(fresh, site)
    uid = next(iter(credentials(site)))
    assert main(["-q", "revoke", "--yes", "--site", str(site), uid, "--reason", "Issued in error"]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    base = load_config(site).base_url
    result = verify_ob3(credentials(site)[uid], {base: site / "output"}, now=NOW)
    assert not result["verified"] and any("revoked" in e for e in result["errors"]), result["errors"]
    others = [c for u, c in credentials(site).items() if u != uid and "validUntil" not in c]
    assert verify_ob3(others[0], {base: site / "output"}, now=NOW)["verified"]
