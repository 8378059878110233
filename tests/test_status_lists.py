"""An issuer gets as many status lists as it needs: each signed, published, and checked by verifiers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from site_builder.admin import awards
from site_builder.cli import main
from site_builder.config import load_config
from site_builder.crypto import statuslist
from tests.support.node import verify_ob3
from tests.support.signed import signed_minimal

NOW = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials(site: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((site / "output/credentials").glob("*.json"))}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signed site whose lists take two badges each (a real list takes 65,536), with five badges."""
    monkeypatch.setattr(awards, "LIST_CAPACITY", 2)
    site = signed_minimal(tmp_path / "site")
    for n in range(4):
        assert main(["-q", "issue", "--site", str(site), "tester", "--to", f"p{n}@example.org",
                     "--name", f"Person {n}"]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    return site


def test_a_new_list_starts_when_the_last_is_half_full(site: Path) -> None:
    lists = {c["credentialStatus"]["statusListCredential"] for c in credentials(site).values()}
    base = load_config(site).base_url
    assert lists == {f"{base}status/acme.json", f"{base}status/acme/2.json", f"{base}status/acme/3.json"}
    for rel in ("status/acme.json", "status/acme/2.json", "status/acme/3.json"):
        published = json.loads((site / "output" / rel).read_text())
        assert published["id"] == base + rel and published["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert (site / "content" / rel).read_bytes() == (site / "output" / rel).read_bytes()
    per_list = [c["credentialStatus"]["statusListCredential"] for c in credentials(site).values()]
    assert sorted(per_list.count(u) for u in lists) == [1, 2, 2]


def test_revocation_in_a_later_list_is_seen_by_both_verifiers(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = load_config(site).base_url
    later = next(uid for uid, c in credentials(site).items()
                 if c["credentialStatus"]["statusListCredential"].endswith("/2.json"))
    assert main(["-q", "revoke", "--yes", "--site", str(site), later, "--reason", "Issued in error"]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    result = verify_ob3(credentials(site)[later], {base: site / "output"}, now=NOW)
    assert not result["verified"] and any("revoked" in e for e in result["errors"]), result["errors"]
    capsys.readouterr()
    assert main(["verify", "--site", str(site), str(site / "output/credentials" / f"{later}.json")]) == 1
    assert "revoked" in capsys.readouterr().out.lower()
    for uid, credential in credentials(site).items():
        if uid != later:
            assert verify_ob3(credential, {base: site / "output"}, now=NOW)["verified"], uid
            assert main(["-q", "verify", "--site", str(site), str(site / "output/credentials" / f"{uid}.json")]) == 0


def test_a_tampered_later_list_fails_the_build(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "content/status/acme/2.json"
    data = json.loads(path.read_text())
    data["credentialSubject"]["encodedList"] = statuslist.encode([7])  # a bit no revocation set
    path.write_text(json.dumps(data, indent=2))
    capsys.readouterr()
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err == ("error: 1 error in content:\n  content/status/acme/2.json:1:1: does not match "
                                       "its source (changed since it was signed): run `badgesite sign` where the "
                                       "issuer's key is kept\n")

