"""Content copied from other platforms, and Open Badges 3.0 vocabulary in source files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.cli import main
from site_builder.config import load_config
from tests.support.fixtures import copy_minimal

BASE = "https://example.github.io/minimal/"
UID = "0" * 31 + "1"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "site")


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


def test_spec_valid_ob2_copies_build_with_warnings(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(site / "content/issuers/partner.json", {
        "@context": "https://w3id.org/openbadges/v2", "type": "Issuer",
        "id": "https://api.badgr.example/public/issuers/Xy12", "name": "Partner University",
        "url": "https://partner.example.edu/", "email": "badges@partner.example.edu",
        "verification": {"allowedOrigins": "api.badgr.example"}})
    write(site / "content/achievements/imported.json", {
        "@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
        "id": "https://api.badgr.example/public/badges/Ab34", "name": "Imported Badge",
        "description": "Copied from a hosted platform.", "image": "tester.svg",
        "criteria": {"narrative": "Did it."},
        "issuer": "https://api.badgr.example/public/issuers/Xy12"})
    assert main(["build", "--site", str(site)]) == 0
    err = capsys.readouterr().err
    assert (f"warning: content/achievements/imported.json:4:9 /id: off-site id "
            f"'https://api.badgr.example/public/badges/Ab34' replaced by '{BASE}achievements/imported.json' "
            "(kept as a related identifier)") in err
    assert ("warning: content/issuers/partner.json:8:19 /verification: the issuer's verification policy "
            "is derived (startsWith the site's base_url); this one is ignored") in err
    badge = json.loads((site / "output/achievements/imported.json").read_text())
    assert badge["id"] == f"{BASE}achievements/imported.json"
    assert badge["issuer"] == f"{BASE}issuers/partner.json"  # the reference followed the alias
    assert badge["related"] == [{"id": "https://api.badgr.example/public/badges/Ab34"}]
    issuer = json.loads((site / "output/issuers/partner.json").read_text())
    assert issuer["verification"] == {"type": "VerificationObject", "startsWith": BASE}


def test_ob3_achievement_vocabulary(site: Path) -> None:
    write(site / "content/achievements/tester.json", {
        "type": ["Achievement"], "name": "Careful Tester", "description": "3.0 words.",
        "image": {"id": "tester.svg", "type": "Image"}, "creator": "../issuers/acme.json",
        "criteria": {"narrative": "Test."}, "tag": ["testing"], "achievementType": "Certificate",
        "alignment": [{"type": ["Alignment"], "targetName": "Analyst", "targetType": "CFItem",
                       "targetUrl": "https://iste.org/standards/educators"}],
        "creditsAvailable": 0.5})
    build(load_config(site))
    badge = json.loads((site / "output/achievements/tester.json").read_text())
    assert badge["issuer"] == f"{BASE}issuers/acme.json"
    assert badge["tags"] == ["testing"]
    assert badge["alignment"] == [{"targetName": "Analyst", "targetUrl": "https://iste.org/standards/educators"}]
    assert "0.5 units" in (site / "output/achievements/tester.html").read_text()


def test_dates_are_completed_with_the_site_time_zone(site: Path) -> None:
    path = site / f"content/assertions/{UID}.json"
    doc = json.loads(path.read_text()) | {"issuedOn": "2025-07-04T09:30:00", "expires": "2099-01-31"}
    write(path, doc)
    build(load_config(site))
    served = json.loads((site / f"output/assertions/{UID}.json").read_text())
    assert served["issuedOn"] == "2025-07-04T09:30:00-07:00"
    assert served["expires"] == "2099-01-31T00:00:00-08:00"


def test_unknown_fields_warn_but_build(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "content/issuers/acme.json"
    write(path, json.loads(path.read_text()) | {"colour": "red"})
    assert main(["check", "--site", str(site)]) == 0
    expected = "warning: content/issuers/acme.json:6:13 /colour: unknown field 'colour' ignored\n"
    assert capsys.readouterr().err == expected


def test_unsigned_ob3_credential_yields_a_2_0_assertion(site: Path) -> None:
    """A content file in 3.0 words (an unsigned OpenBadgeCredential) builds both formats' 2.0 side."""
    old = json.loads((site / f"content/assertions/{UID}.json").read_text())
    (site / f"content/assertions/{UID}.json").unlink()
    uid = "a" * 32
    write(site / f"content/assertions/{uid}.json", {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "earner": "../earners/ada-lovelace.json",
        "validFrom": "2025-04-01T10:00:00Z", "validUntil": "2099-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {"id": f"{BASE}achievements/tester.json", "type": ["Achievement"]},
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                            "identityHash": old["recipient"]["identity"], "salt": old["recipient"]["salt"]}],
            "narrative": "From a *3.0* source."},
        "evidence": [{"id": "https://example.org/e/1", "type": ["Evidence"], "name": "Portfolio"}]})
    build(load_config(site))
    served = json.loads((site / f"output/assertions/{uid}.json").read_text())
    assert served["badge"] == f"{BASE}achievements/tester.json"
    assert served["recipient"] == {"type": "email", "hashed": True, "identity": old["recipient"]["identity"],
                                   "salt": old["recipient"]["salt"]}
    assert served["issuedOn"] == "2025-04-01T10:00:00+00:00" and served["expires"].startswith("2099-01-01")
    assert served["narrative"] == "From a *3.0* source."
    assert served["evidence"] == [{"type": "Evidence", "id": "https://example.org/e/1", "name": "Portfolio"}]


def test_ob3_credential_with_plaintext_identifier_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(site / f"content/assertions/{'b' * 32}.json", {
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "validFrom": "2025-04-01",
        "credentialSubject": {"achievement": "../achievements/tester.json", "identifier": [
            {"type": "IdentityObject", "identityType": "emailAddress", "hashed": False,
             "identityHash": "ada@example.org"}]}})
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert f"content/assertions/{'b' * 32}.json:14:25 /credentialSubject/identifier/0/identityHash: plaintext" in err
