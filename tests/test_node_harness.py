"""Self-tests of the independent OB 3.0 verifier/issuer harness (tests/support/node.py).

Nothing of badgesite's own signing is used: the JavaScript side generates the key and
signs, the test writes the DID document and a Bitstring Status List by hand, and the
verifier must accept the genuine credential and reject each kind of damage with a
message that says why. The asserted substrings are the libraries' own wording
(@digitalbazaar/vc 7.3, data-integrity 2.5, vc-bitstring-status-list 2.0), except the
revoked/suspended message, which verify.mjs writes.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.node import bench_issue, generate_key, issue_ob3, verify_ob3

BASE = "https://example.github.io/site/"
DID = "did:web:example.github.io:site:issuers:acme"
KEY_ID = DID + "#key-1"
STATUS_URL = BASE + "status/1.json"
STATUS_BITS = 131_072  # the W3C minimum: 16 KB
REVOKED_INDEX = 3  # an unrevoked neighbour in the same byte pins the MSB-first bit order
VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def encoded_list(set_bits: set[int], length: int = STATUS_BITS) -> str:
    """A Bitstring Status List ``encodedList``: multibase ``u`` + base64url(gzip(bits)), MSB first."""
    bits = bytearray(length // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode("ascii").rstrip("=")


def badge(**extra: Any) -> dict[str, Any]:
    """A minimal unsigned OpenBadgeCredential from Acme."""
    credential: dict[str, Any] = {
        "@context": [VC2, OB3],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Acme"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "X",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": BASE + "achievements/x.json",
                "type": ["Achievement"],
                "name": "X",
                "description": "d",
                "criteria": {"narrative": "n"},
            },
        },
    }
    credential.update(extra)
    return credential


def status_entry(index: int, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{STATUS_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": STATUS_URL,
    }


@pytest.fixture(scope="module")
def key() -> dict[str, Any]:
    return generate_key(DID)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, key: dict[str, Any]) -> Path:
    """A site at BASE with Acme's DID document and a revocation list with REVOKED_INDEX set."""
    root = tmp_path_factory.mktemp("site")
    _write_json(
        root / "issuers" / "acme" / "did.json",
        {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": DID,
            "verificationMethod": [
                {"id": KEY_ID, "type": "Multikey", "controller": DID, "publicKeyMultibase": key["publicKeyMultibase"]}
            ],
            "assertionMethod": [KEY_ID],
        },
    )
    status_list = {
        "@context": [VC2],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": STATUS_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list({REVOKED_INDEX}),
        },
    }
    _write_json(root / "status" / "1.json", issue_ob3(status_list, key))
    return root


@pytest.fixture(scope="module")
def signed(key: dict[str, Any], site: Path) -> dict[str, Any]:
    return issue_ob3(badge(), key)


def verify(credential: dict[str, Any], site: Path, **kwargs: Any) -> dict[str, Any]:
    return verify_ob3(credential, {BASE: site}, **kwargs)


def failure(result: dict[str, Any]) -> str:
    """All error messages of a failed verification, joined."""
    assert result["verified"] is False, result
    assert result["errors"], result
    return " | ".join(result["errors"])


def test_genuine_credential_verifies(signed: dict[str, Any], site: Path) -> None:
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == KEY_ID
    assert proof["proofPurpose"] == "assertionMethod"
    result = verify(signed, site)
    assert result["verified"] is True, result["errors"]
    assert result["errors"] == []
    assert KEY_ID in result["loaded"] and DID in result["loaded"]


@pytest.mark.parametrize(
    "field,value",
    [("name", "Y"), ("validFrom", "2024-01-02T00:00:00Z")],
)
def test_tampered_content_fails_signature(signed: dict[str, Any], site: Path, field: str, value: str) -> None:
    tampered = copy.deepcopy(signed)
    tampered[field] = value
    assert failure(verify(tampered, site)) == "Invalid signature."


def test_tampered_proof_value_fails(signed: dict[str, Any], site: Path) -> None:
    tampered = copy.deepcopy(signed)
    value = tampered["proof"]["proofValue"]
    tampered["proof"]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    assert failure(verify(tampered, site)) == "Invalid signature."


def test_undefined_term_fails(signed: dict[str, Any], site: Path) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["nickname"] = "x"  # defined by no context: dropped on expansion
    message = failure(verify(tampered, site))
    assert message.startswith('Safe mode validation error. invalid property {"property":"nickname"')


def test_expired_credential_fails(key: dict[str, Any], site: Path) -> None:
    credential = issue_ob3(badge(validUntil="2025-01-01T00:00:00Z"), key)
    assert verify(credential, site, now="2024-06-01T00:00:00Z")["verified"] is True
    message = failure(verify(credential, site, now="2025-06-01T00:00:00Z"))
    assert 'is after "validUntil" (2025-01-01T00:00:00Z)' in message


def test_not_yet_valid_credential_fails(signed: dict[str, Any], site: Path) -> None:
    message = failure(verify(signed, site, now="2023-06-01T00:00:00Z"))
    assert 'is before "validFrom" (2024-01-01T00:00:00Z)' in message


def test_revoked_entry_fails(key: dict[str, Any], site: Path) -> None:
    credential = issue_ob3(badge(credentialStatus=status_entry(REVOKED_INDEX)), key)
    result = verify(credential, site)
    message = failure(result)
    assert f"Credential is revoked: status bit {REVOKED_INDEX} is set in {STATUS_URL}" in message
    assert STATUS_URL in result["loaded"]
    assert verify(credential, site, check_status=False)["verified"] is True


def test_unrevoked_entry_passes(key: dict[str, Any], site: Path) -> None:
    credential = issue_ob3(badge(credentialStatus=status_entry(REVOKED_INDEX + 1)), key)
    result = verify(credential, site)
    assert result["verified"] is True, result["errors"]
    assert result["statusResult"]["results"][0]["status"] is False


def test_tampered_status_list_fails(key: dict[str, Any], site: Path, tmp_path: Path) -> None:
    """A status list whose bits were changed after signing is rejected (and so is its credential)."""
    copy_dir = tmp_path / "site"
    status = json.loads((site / "status" / "1.json").read_text(encoding="utf-8"))
    status["credentialSubject"]["encodedList"] = encoded_list(set())
    _write_json(copy_dir / "status" / "1.json", status)
    _write_json(copy_dir / "issuers" / "acme" / "did.json", json.loads((site / "issuers/acme/did.json").read_text()))
    credential = issue_ob3(badge(credentialStatus=status_entry(REVOKED_INDEX)), key)
    message = failure(verify(credential, copy_dir))
    assert message == f'"BitstringStatusListCredential" {STATUS_URL} not verified; reason: Invalid signature.'


def test_missing_status_list_fails(key: dict[str, Any], site: Path) -> None:
    entry = {**status_entry(5), "statusListCredential": BASE + "status/2.json"}
    credential = issue_ob3(badge(credentialStatus=entry), key)
    message = failure(verify(credential, site))
    assert message.startswith(
        'Could not load "BitstringStatusListCredential"; reason: not found: https://example.github.io/site/status/2.json'
    )


def test_status_purpose_mismatch_fails(key: dict[str, Any], site: Path) -> None:
    credential = issue_ob3(badge(credentialStatus=status_entry(REVOKED_INDEX + 1, "suspension")), key)
    assert 'The status purpose "revocation" of the status list credential does not match' in failure(
        verify(credential, site)
    )


def test_unknown_key_fails(signed: dict[str, Any], site: Path) -> None:
    tampered = copy.deepcopy(signed)
    tampered["proof"]["verificationMethod"] = DID + "#key-2"
    assert f"verification method not found: {DID}#key-2" in failure(verify(tampered, site))


def test_key_of_another_issuer_fails(key: dict[str, Any], site: Path) -> None:
    other = {"id": "did:web:example.github.io:site:issuers:other", "type": ["Profile"], "name": "Other"}
    credential = issue_ob3(badge(issuer=other), key)  # signed with Acme's key
    assert failure(verify(credential, site)) == "Credential issuer must match the verification method controller."


def test_urls_outside_the_sites_are_refused(signed: dict[str, Any], site: Path) -> None:
    message = failure(verify_ob3(signed, {}))
    assert "refused: https://example.github.io/site/issuers/acme/did.json" in message


def test_did_key_issuer(tmp_path: Path) -> None:
    generated = generate_key("did:web:unused")
    did = "did:key:" + generated["publicKeyMultibase"]
    key = {**generated, "controller": did, "id": f"{did}#{generated['publicKeyMultibase']}"}
    credential = issue_ob3(badge(issuer={"id": did, "type": ["Profile"], "name": "Keyed"}), key)
    assert verify_ob3(credential, {})["verified"] is True


def test_created_is_reproducible(key: dict[str, Any], site: Path) -> None:
    first = issue_ob3(badge(), key, created="2024-01-01T00:00:00Z")
    assert first["proof"]["created"] == "2024-01-01T00:00:00Z"
    assert issue_ob3(badge(), key, created="2024-01-01T00:00:00Z") == first


def test_bench_issue(key: dict[str, Any]) -> None:
    result = bench_issue(badge(), key, 20)
    assert result["n"] == 20
    assert 0 < result["per_credential_ms"] < 1000
