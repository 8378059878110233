"""Open Badges 3.0 from the same content: keys, signing at issue time, checks at build time."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.crypto import keys as keylib
from site_builder.crypto import proof, statuslist
from site_builder.linkeddata.jsonld import dropped_terms
from tests.support.fixtures import copy_minimal
from tests.support.signed import signed_minimal

BASE = "https://example.github.io/minimal/"
DID = "did:web:example.github.io:minimal:issuers:acme"
UID = "0" * 31 + "1"


def run(*args: str) -> int:
    return main(["-q", *args])


def load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return signed_minimal(tmp_path / "site")


def test_keys_new_refuses_unless_git_ignores_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = copy_minimal(tmp_path / "bare")
    assert run("keys", "new", "--site", str(bare), "acme") == 1
    assert "refusing to write a private key: git does not ignore keys/ here" in capsys.readouterr().err
    assert not (bare / "keys").exists()


def test_keys_new_writes_0600_key_and_did(site: Path) -> None:
    key_path = site / "keys/acme/key-1.json"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    issuer = load(site / "content/issuers/acme.json")
    assert issuer["did"] == DID
    assert issuer["keys"][0]["name"] == "key-1"
    assert keylib.read_key(key_path).public_multibase == issuer["keys"][0]["publicKeyMultibase"]
    assert "secretKeyMultibase" not in json.dumps(issuer)


def test_credential_shape_and_proof(site: Path) -> None:
    credential = load(site / f"content/credentials/{UID}.json")
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{BASE}credentials/{UID}.json"
    assert credential["issuer"]["id"] == DID and credential["issuer"]["name"] == "Acme School District"
    assert credential["validFrom"] == credential["awardedDate"] == "2025-03-14T07:00:00Z"
    assert "validUntil" not in credential
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assertion = load(site / f"content/assertions/{UID}.json")
    assert subject["identifier"] == [{
        "type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
        "identityHash": assertion["recipient"]["identity"], "salt": assertion["recipient"]["salt"]}]
    assert subject["name"] == "Ada <Lovelace>"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["creditsAvailable"] == 1
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert subject["creditsEarned"] == 1
    assert credential["evidence"][0]["type"] == ["Evidence"]
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == assertion["statusListIndex"] and status["statusListIndex"].isdigit()
    assert status["statusListCredential"] == f"{BASE}status/acme.json"
    assert credential["proof"]["type"] == "DataIntegrityProof"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == f"{DID}#key-1"
    assert dropped_terms(credential) == []
    public = keylib.public_key(load(site / "content/issuers/acme.json")["keys"][0]["publicKeyMultibase"])
    proof.check(credential, public)


def test_dropped_terms_are_detected() -> None:
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2",
                               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                  "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": "did:web:x",
                  "credentialSubject": {"type": ["AchievementSubject"], "creditsEarnt": 1}}
    assert dropped_terms(credential) == ["/credentialSubject/creditsEarnt"]


def test_build_publishes_credentials_status_list_and_did(site: Path) -> None:
    assert run("build", "--site", str(site)) == 0
    out = site / "output"
    assert (out / f"credentials/{UID}.json").read_bytes() == (site / f"content/credentials/{UID}.json").read_bytes()
    did = load(out / "issuers/acme/did.json")
    assert did["id"] == DID and did["assertionMethod"] == [f"{DID}#key-1"]
    assert did["verificationMethod"][0]["controller"] == DID
    status = load(out / "status/acme.json")
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status["issuer"] == DID and "validUntil" not in status
    bits = statuslist.decode(status["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072 and not any(bits)
    page = (out / f"assertions/{UID}.html").read_text()
    assert f"{BASE}credentials/{UID}.json" in page
    secret = load(site / "keys/acme/key-1.json")["secretKeyMultibase"]
    for path in out.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes() and b"secretKeyMultibase" not in path.read_bytes()


def test_revocation_sets_the_status_bit(site: Path) -> None:
    assert run("revoke", "--yes", "--site", str(site), UID, "--reason", "Issued in error") == 0
    index = int(load(site / f"content/assertions/{UID}.json")["statusListIndex"])
    status = load(site / "content/status/acme.json")
    assert statuslist.is_set(statuslist.decode(status["credentialSubject"]["encodedList"]), index)
    assert run("build", "--site", str(site)) == 0


def test_stale_credential_fails_the_build_until_signed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "content/achievements/tester.json"
    path.write_text(path.read_text().replace("Careful Tester", "Very Careful Tester"))
    capsys.readouterr()
    assert run("build", "--site", str(site)) == 1
    assert capsys.readouterr().err == (
        "error: 1 error in content:\n"
        f"  content/credentials/{UID}.json:1:1: does not match its source (changed since it was signed): "
        "run `badgesite sign` where the issuer's key is kept\n")
    assert run("sign", "--site", str(site)) == 0
    assert run("build", "--site", str(site)) == 0


def test_tampered_committed_credential_fails(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / f"content/credentials/{UID}.json"
    credential = load(path)
    value = credential["proof"]["proofValue"]
    credential["proof"]["proofValue"] = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    path.write_text(json.dumps(credential, indent=2))
    capsys.readouterr()
    assert run("build", "--site", str(site)) == 1
    err = capsys.readouterr().err
    assert f"content/credentials/{UID}.json" in err and "/proof: the signature does not match" in err


def test_did_must_match_base_url_and_previews_omit_ob3(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("build", "--site", str(site), "--base-url", "http://127.0.0.1:8000/") == 0
    assert "left out" in capsys.readouterr().err
    assert not (site / "output/credentials").exists()
    toml = site / "site.toml"
    toml.write_text(toml.read_text().replace("example.github.io/minimal/", "example.org/badges/"))
    assert run("build", "--site", str(site)) == 1
    err = capsys.readouterr().err
    assert ("content/issuers/acme.json /did: did 'did:web:example.github.io:minimal:issuers:acme' does not "
            "match base_url 'https://example.org/badges/'") in err


def test_rotation_keeps_old_credentials_verifying(site: Path) -> None:
    assert run("keys", "rotate", "--site", str(site), "acme") == 0
    assert run("issue", "--site", str(site), "tester", "--to", "new@example.org", "--name", "New Person") == 0
    assert run("build", "--site", str(site)) == 0
    did = load(site / "output/issuers/acme/did.json")
    assert did["assertionMethod"] == [f"{DID}#key-1", f"{DID}#key-2"]
    methods = {c.stem: load(c)["proof"]["verificationMethod"] for c in (site / "content/credentials").glob("*.json")}
    assert methods.pop(UID) == f"{DID}#key-1"
    assert list(methods.values()) == [f"{DID}#key-2"]


def test_duplicate_status_index_fails(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("issue", "--site", str(site), "tester", "--to", "b@example.org", "--name", "B") == 0
    index = load(site / f"content/assertions/{UID}.json")["statusListIndex"]
    other = next(p for p in (site / "content/assertions").glob("*.json") if p.stem != UID)
    data = load(other) | {"statusListIndex": index}
    other.write_text(json.dumps(data, indent=2))
    capsys.readouterr()
    assert run("check", "--site", str(site)) == 1
    assert (f"/statusListIndex: statusListIndex {index} is also used by content/assertions/{UID}.json "
            "(two branches collided?)") in capsys.readouterr().err


def test_bake_ob3_round_trips(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "baked.svg"
    assert run("bake", "--site", str(site), UID, "--ob3", "-o", str(out)) == 0
    text = out.read_text()
    assert text.count("<openbadges:credential>") == 1 and "openbadges:assertion" not in text
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text and "verify=" not in text
    body = text.split("<![CDATA[", 1)[1].split("]]>", 1)[0]
    assert json.loads(body) == load(site / f"content/credentials/{UID}.json")


def test_pyoxigraph_and_pyld_canonicalise_alike() -> None:
    """The fast canoniser (pyoxigraph) against the cross-check (pyld) on every committed demo document."""
    from site_builder.linkeddata.jsonld import canonize, canonize_pyld

    repo = Path(__file__).resolve().parent.parent
    documents = sorted((repo / "content/credentials").glob("*.json")) + sorted((repo / "content/status").glob("*.json"))
    assert len(documents) >= 38
    for path in documents:
        document = load(path)
        options = dict(document.pop("proof"), **{"@context": document["@context"]})
        options.pop("proofValue")
        assert canonize(document) == canonize_pyld(document), path
        assert canonize(options) == canonize_pyld(options), path


@pytest.mark.parametrize("change", [
    lambda c: c.update(name='A "quoted"\nname \\ with é, 😀 and <tags>'),
    lambda c: c["credentialSubject"].update(name=""),
    lambda c: c["credentialSubject"]["achievement"].update(creditsAvailable=0.25),
    lambda c: c["credentialSubject"]["achievement"].update(creditsAvailable=3),
    lambda c: c["credentialSubject"]["achievement"].update(achievementType="Certificate"),
    lambda c: c["credentialSubject"]["achievement"].update(id="relative/achievement.json"),
    lambda c: c.update(id="https://example.org/a?b=1&c=%20d#frag"),
    lambda c: c.update(validFrom="2030-01-01T00:00:00Z"),
    lambda c: c["credentialSubject"]["identifier"][0].update(salt="0" * 32),
], ids=["quotes", "empty-name", "float-credits", "int-credits", "vocab-term", "relative-iri", "odd-iri",
        "date", "salt"])
def test_shape_templates_canonicalise_exactly_like_pyld(change) -> None:  # type: ignore[no-untyped-def]
    """The template fast path against pyld on variations of one shape (after the shape is cached)."""
    from site_builder.linkeddata.jsonld import canonize, canonize_full, canonize_pyld

    repo = Path(__file__).resolve().parent.parent
    base = load(sorted((repo / "content/credentials").glob("*.json"))[0])
    base.pop("proof")
    canonize(base)  # caches the template of this shape
    variant = json.loads(json.dumps(base))
    change(variant)
    assert canonize(variant) == canonize_full(variant)
    if "relative" not in variant["credentialSubject"]["achievement"]["id"]:
        # (pyld resolves a relative IRI against a default base; pyoxigraph, like jsonld.js, drops it)
        assert canonize(variant) == canonize_pyld(variant)


def test_results_reach_the_credential_and_the_page(site: Path) -> None:
    path = site / "content/achievements/tester.json"
    path.write_text(json.dumps(load(path) | {"resultDescription": [
        {"id": "final-score", "name": "Final project score", "resultType": "Percent", "requiredValue": "70"},
        {"name": "Completion", "resultType": "Status"}]}))
    path = site / f"content/assertions/{UID}.json"
    path.write_text(json.dumps(load(path) | {"results": [
        {"resultDescription": "final-score", "value": "92"},
        {"resultDescription": "result-2", "status": "Completed"}]}))
    assert run("sign", "--site", str(site)) == 0
    assert run("build", "--site", str(site)) == 0
    credential = load(site / f"output/credentials/{UID}.json")
    assert credential["credentialSubject"]["achievement"]["resultDescription"] == [
        {"id": f"{BASE}achievements/tester.json#final-score", "type": ["ResultDescription"],
         "name": "Final project score", "resultType": "Percent", "requiredValue": "70"},
        {"id": f"{BASE}achievements/tester.json#result-2", "type": ["ResultDescription"], "name": "Completion",
         "resultType": "Status"}]
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": f"{BASE}achievements/tester.json#final-score", "value": "92"},
        {"type": ["Result"], "resultDescription": f"{BASE}achievements/tester.json#result-2", "status": "Completed"}]
    assert dropped_terms(credential) == []
    page = (site / f"output/assertions/{UID}.html").read_text()
    assert "<dt>Final project score</dt>" in page and "92" in page and "(required: 70)" in page


def test_result_errors(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "content/achievements/tester.json"
    path.write_text(json.dumps(load(path) | {"resultDescription": [{"name": "Score", "resultType": "Grade"}]}))
    path = site / f"content/assertions/{UID}.json"
    path.write_text(json.dumps(load(path) | {"results": [{"resultDescription": "nope", "status": "Done"}]}))
    capsys.readouterr()
    assert run("check", "--site", str(site)) == 1
    err = capsys.readouterr().err
    assert "/resultDescription/0/resultType: unknown resultType 'Grade'" in err
    assert "/results/0/status: unknown status 'Done'" in err
    assert "/results/0/resultDescription: no resultDescription 'nope' in content/achievements/tester.json" in err
