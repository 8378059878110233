"""``badgesite verify``: real artefacts of built sites (signed minimal site, demo), offline.

Every URL is served from a local folder (``LocalSite``); ``HttpFetcher`` is disabled here so a
failing test can never go online.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from site_builder.cli import main
from site_builder.commands.badge import site_fetcher
from site_builder.crypto import keys as keylib
from site_builder.crypto import proof, statuslist
from site_builder.crypto.recipients import hash_email
from site_builder.verify import HttpFetcher, LocalSite, Report, RoutedFetcher, render_text, verify
from site_builder.verify.extract import SourceError
from site_builder.verify.fetch import FetchError
from tests.support import node
from tests.support.demo import build_demo, recipients
from tests.support.signed import signed_minimal

BASE = "https://example.github.io/minimal/"
DID = "did:web:example.github.io:minimal:issuers:acme"
UID = "0" * 31 + "1"
EMAIL = "ada@example.org"
DEMO = "https://sfcoe-badges.github.io/microcredentials/"
REVOKED_DEMO = "418d791be700c80578d9d793c6166de0"
EXPIRED_DEMO = "8427f28c3b3e54a69791ceca702227c8"
PNG_DEMO = "366242f77cf598b3704913b0ded26264"  # Computational Thinking K-8: a PNG badge
VALID_DEMO = "03df437c560803e592ede4f8a8619d27"
NOW = "2026-11-24T12:00:00Z"
OB3_CHECKS = ["credential", "json-ld", "proof", "key", "signature", "status", "valid-from", "valid-until"]
OB2_CHECKS = ["hosted", "assertion", "badge", "issuer", "policy", "revocation", "issued-on", "expires"]


_REAL_HTTP_FETCH = HttpFetcher.fetch


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: HttpFetcher, url: str, *args: object) -> None:
        raise AssertionError(f"a test tried to fetch {url} over the network")

    monkeypatch.setattr(HttpFetcher, "fetch", refuse)


def _built_signed(target: Path) -> Path:
    site = signed_minimal(target)
    assert main(["-q", "build", "--site", str(site)]) == 0
    return site


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The signed minimal site, built (read-only for tests: copy it to change it)."""
    return _built_signed(tmp_path_factory.mktemp("signed") / "site")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "site")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data)
    return path


def local(*sites: Path | LocalSite) -> RoutedFetcher:
    return RoutedFetcher([s if isinstance(s, LocalSite) else site_fetcher(s) for s in sites])


def failed(report: Report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


def message(report: Report, name: str) -> str:
    return next(c.message for c in report.checks if c.name == name)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["verify", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def credential(site: Path, uid: str = UID) -> dict[str, Any]:
    return load(site / f"content/credentials/{uid}.json")


# ---------------------------------------------------------------- Open Badges 3.0


def test_ob3_credential_file_json_report(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(signed / f"content/credentials/{UID}.json")
    code, out = cli(capsys, path, "--site", str(signed), "--recipient", " Ada@Example.org ")
    assert code == 0
    assert list(out) == ["valid", "status", "version", "badge", "issuer", "recipient", "checks", "errors",
                         "warnings"]
    assert out["valid"] is True and out["status"] == "valid" and out["version"] == "3.0"
    assert out["badge"] == "Careful Tester"
    assert out["issuer"] == f"Acme School District ({DID})"
    assert [c["name"] for c in out["checks"]] == [*OB3_CHECKS, "recipient"]
    assert all(c["ok"] and set(c) == {"name", "ok", "message"} for c in out["checks"])
    assert out["errors"] == []
    index = credential(signed)["credentialStatus"]["statusListIndex"]
    assert out["checks"][5]["message"] == (f"revocation: bit {index} of {BASE}status/acme.json is clear "
                                          "(the list's proof verifies)")
    assert out["recipient"] == "Ada@Example.org matches the credential's hashed identifier"


def test_ob3_wrong_recipient_is_invalid(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(signed / f"content/credentials/{UID}.json")
    code, out = cli(capsys, path, "--site", str(signed), "--recipient", "bob@example.org")
    assert code == 1
    assert out["valid"] is False and out["status"] == "invalid"
    assert out["errors"] == ["recipient: the credential was not awarded to bob@example.org"]


def test_ob3_text_report(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(signed / f"content/credentials/{UID}.json")
    assert main(["verify", path, "--site", str(signed)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Open Badges 3.0 (JSON file): {path}\nBadge:     Careful Tester\n"
                           f"Issuer:    Acme School District ({DID})\n"
                           "Recipient: not checked (give --recipient EMAIL)\n")
    assert "  ✓ signature    the proof verifies: the credential is unchanged since the issuer signed it\n" in text
    assert text.endswith("\nResult: VALID\n")


def test_ob3_baked_svg(signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baked = tmp_path / "baked.svg"
    assert main(["-q", "bake", "--ob3", "--site", str(signed), UID, "-o", str(baked)]) == 0
    capsys.readouterr()
    report = verify(str(baked), local(signed), EMAIL)
    assert report.valid and report.origin == "baked SVG" and report.version == "3.0"
    assert failed(verify(str(baked), local(signed), "eve@example.org")) == ["recipient"]


def test_ob3_baked_png(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baked = tmp_path / "baked.png"
    assert main(["-q", "bake", "--ob3", "--site", str(demo), PNG_DEMO, "-o", str(baked)]) == 0
    capsys.readouterr()
    code, out = cli(capsys, str(baked), "--site", str(demo), "--recipient", recipients()[PNG_DEMO], "--now", NOW)
    assert code == 0 and out["status"] == "valid" and out["version"] == "3.0"
    assert out["badge"] == "Computational Thinking in K-8"
    code, out = cli(capsys, str(baked), "--site", str(demo), "--recipient", "nobody@example.org", "--now", NOW)
    assert code == 1 and [c["name"] for c in out["checks"] if not c["ok"]] == ["recipient"]


def _other_key_signature(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return proof.sign(doc, keylib.generate(DID, name), doc["proof"]["created"])


TAMPERING = {
    "name": (lambda c: c | {"name": "Brilliant Tester"}, ["signature"]),
    "recipient hash": (lambda c: _set(c, ("credentialSubject", "identifier", 0, "identityHash"),
                                      hash_email("eve@example.org", "a1b2c3d4e5f60718293a4b5c6d7e8f90")),
                       ["signature", "recipient"]),
    "validFrom": (lambda c: c | {"validFrom": "2020-01-01T00:00:00Z"}, ["signature"]),
    "proofValue": (lambda c: _set(c, ("proof", "proofValue"), c["proof"]["proofValue"][:-4] + "1111"), ["signature"]),
    "issuer id": (lambda c: _set(c, ("issuer", "id"), "did:web:evil.example.org"), ["key", "signature", "status"]),
    "swapped key": (lambda c: _other_key_signature(c, "key-2"), ["key", "signature"]),
    "other key, same name": (lambda c: _other_key_signature(c, "key-1"), ["signature"]),
}


def _set(document: dict[str, Any], where: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return changed


@pytest.mark.parametrize("case", list(TAMPERING))
def test_ob3_tampering_fails_the_right_check(signed: Path, tmp_path: Path, case: str) -> None:
    change, expected = TAMPERING[case]
    path = write(tmp_path / "tampered.json", change(credential(signed)))
    report = verify(str(path), local(signed), EMAIL)
    assert report.status == "invalid"
    assert failed(report) == expected
    if "key" in expected:
        assert message(report, "signature") == "not checked: no usable key of the issuer"


def test_ob3_tampering_messages(signed: Path, tmp_path: Path) -> None:
    report = verify(str(write(tmp_path / "a.json", TAMPERING["swapped key"][0](credential(signed)))), local(signed))
    assert message(report, "key") == (f"{DID}#key-2 is not listed in assertionMethod of the DID document at "
                                      f"{BASE}issuers/acme/did.json (listed: {DID}#key-1)")
    report = verify(str(write(tmp_path / "b.json", TAMPERING["issuer id"][0](credential(signed)))), local(signed))
    assert message(report, "key") == (f"the proof's key {DID}#key-1 is not the issuer's: it belongs to {DID}, "
                                      "the issuer is did:web:evil.example.org")
    report = verify(str(write(tmp_path / "c.json", TAMPERING["name"][0](credential(signed)))), local(signed))
    assert message(report, "signature") == ("the signature does not match the credential (it was changed after "
                                            "signing, or signed by another key)")


def test_ob3_undefined_term_is_refused_by_name(signed: Path, tmp_path: Path) -> None:
    document = credential(signed)
    document["credentialSubject"]["favouriteColour"] = "blue"
    report = verify(str(write(tmp_path / "extra.json", document)), local(signed))
    # The dropped term is not covered by the proof, so the signature still verifies: only this check catches it.
    assert failed(report) == ["json-ld"] and report.status == "invalid"
    assert message(report, "json-ld").endswith("(JSON-LD expansion drops them, so the proof does not cover them): "
                                               "/credentialSubject/favouriteColour")


def test_ob3_unsupported_proofs(signed: Path, tmp_path: Path) -> None:
    document = credential(signed)
    document["proof"] = {k: v for k, v in document["proof"].items() if k != "cryptosuite"}
    document["proof"]["type"] = "BbsBlsSignature2020"
    report = verify(str(write(tmp_path / "old.json", document)), local(signed))
    # Without the DataIntegrityProof type its terms (created, ...) are undefined too: json-ld fails as well.
    assert failed(report) == ["json-ld", "proof"] and report.status == "invalid"
    assert message(report, "proof") == ("proof type BbsBlsSignature2020 is not supported: only DataIntegrityProof "
                                        "with cryptosuite eddsa-rdfc-2022 (or the draft eddsa-2022) and "
                                        "Ed25519Signature2020 are supported")
    document["proof"] = dict(credential(signed)["proof"], cryptosuite="ecdsa-rdfc-2019")
    report = verify(str(write(tmp_path / "ecdsa.json", document)), local(signed))
    assert failed(report) == ["proof"] and message(report, "proof").startswith(
        "proof type DataIntegrityProof/ecdsa-rdfc-2019 is not supported")


def test_ob3_revoked_via_status_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _built_signed(tmp_path / "site")
    held = write(tmp_path / "held.json", credential(site))  # the earner's copy, from before revocation
    assert main(["-q", "revoke", "--yes", "--site", str(site), UID, "--reason", "Issued in error"]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    capsys.readouterr()
    code, out = cli(capsys, str(held), "--site", str(site), "--recipient", EMAIL)
    assert code == 1 and out["status"] == "revoked" and out["valid"] is False
    index = credential(site)["credentialStatus"]["statusListIndex"]
    assert out["errors"] == [f"status: revoked by the issuer (bit {index} of {BASE}status/acme.json is set)"]
    code, out = cli(capsys, f"{BASE}assertions/{UID}.json", "--site", str(site))
    assert code == 1 and out["status"] == "revoked" and out["version"] == "2.0"
    assert out["errors"] == ["revocation: revoked by the issuer (reason: Issued in error)"]


def test_ob3_expired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = signed_minimal(tmp_path / "site")
    before = set((site / "content/credentials").iterdir())
    assert main(["-q", "issue", "tester", "--site", str(site), "--to", "grace@example.org", "--name", "Grace",
                 "--date", "2026-01-05", "--expires", "2030-06-30"]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    (issued,) = set((site / "content/credentials").iterdir()) - before
    capsys.readouterr()
    args = [str(issued), "--site", str(site), "--recipient", "grace@example.org"]
    code, out = cli(capsys, *args, "--now", "2030-06-01T00:00:00Z")
    assert code == 0 and out["status"] == "valid"
    code, out = cli(capsys, *args, "--now", "2030-07-01T00:00:00Z")
    assert code == 1 and out["status"] == "expired"
    assert out["errors"] == ["valid-until: expired: validUntil 2030-06-30T07:00:00Z is before 2030-07-01T00:00:00Z"]
    code, out = cli(capsys, *args, "--now", "2025-12-31T00:00:00Z")
    assert code == 1 and out["status"] == "invalid"
    assert out["errors"] == ["valid-from: not valid yet: validFrom 2026-01-05T08:00:00Z is after 2025-12-31T00:00:00Z"]


def test_ob3_did_key_and_https_key_documents(tmp_path: Path) -> None:
    unsigned = credential_template()
    seed = keylib.generate("x", "x")
    did = "did:key:" + seed.public_multibase
    key = keylib.KeyPair(f"{did}#{seed.public_multibase}", did, seed.private)
    document = proof.sign(_with_issuer(unsigned, did), key, "2025-01-01T00:00:00Z")
    assert verify(str(write(tmp_path / "didkey.json", document)), local(), "ada@example.org").valid

    issuer = "https://keys.example.org/issuer"
    key = keylib.generate(issuer, "1")
    method = "https://keys.example.org/keys/1.json"
    key = keylib.KeyPair(method, issuer, key.private)
    folder = tmp_path / "keys"
    write(folder / "keys/1.json", {"@context": ["https://w3id.org/security/multikey/v1"], "id": method,
                                   "type": "Multikey", "controller": issuer,
                                   "publicKeyMultibase": key.public_multibase})
    fetcher = local(LocalSite("https://keys.example.org/", folder))
    document = proof.sign(_with_issuer(unsigned, issuer), key, "2025-01-01T00:00:00Z")
    # Issue 7, item 6: the controller document must list the key under assertionMethod.
    report = verify(str(write(tmp_path / "https.json", document)), fetcher)
    assert failed(report) == ["key", "signature"]
    assert message(report, "key") == (f"cannot fetch the controller document {issuer} of the key {method}: "
                                      f"{issuer} answered HTTP 404")
    write(folder / "issuer", {"@context": ["https://www.w3.org/ns/cid/v1"], "id": issuer, "assertionMethod": []})
    report = verify(str(write(tmp_path / "https.json", document)), fetcher)
    assert message(report, "key") == (f"{method} is not listed in assertionMethod of its controller document "
                                      f"{issuer} (listed: none)")
    write(folder / "issuer", {"id": issuer, "assertionMethod": [method]})
    assert verify(str(write(tmp_path / "https.json", document)), fetcher).valid
    other = proof.sign(_with_issuer(unsigned, "https://keys.example.org/other"), key, "2025-01-01T00:00:00Z")
    report = verify(str(write(tmp_path / "other.json", other)), fetcher)
    assert failed(report) == ["key", "signature"]
    assert message(report, "key") == (f"the key {method} is controlled by '{issuer}', not by the issuer "
                                      "https://keys.example.org/other")


def credential_template() -> dict[str, Any]:
    """An unsigned OpenBadgeCredential without status, for keys that are not the site's."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:3f1d0c56-8f0e-4d55-9a43-0b3f0e9d2a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "", "type": ["Profile"], "name": "Elsewhere Academy"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Outside Badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                            "identityHash": hash_email(EMAIL, "abc"), "salt": "abc"}],
            "achievement": {"id": "urn:uuid:6d3b4f8e-2c4a-4d0e-8f1e-5a7b9c0d1e2f", "type": ["Achievement"],
                            "name": "Outside Badge", "description": "Made elsewhere.",
                            "criteria": {"narrative": "Be elsewhere."}},
        },
    }


def _with_issuer(document: dict[str, Any], issuer: str) -> dict[str, Any]:
    return _set(document, ("issuer", "id"), issuer)


def test_ob3_signed_by_digital_bazaar(tmp_path: Path) -> None:
    """A credential and status list signed by the JavaScript libraries verify here."""
    if not node.node_ready():
        pytest.skip(node.MISSING_MESSAGE)
    did = "did:web:js.example.org:issuer"
    key = node.generate_key(did)
    folder = tmp_path / "js"
    write(folder / "issuer/did.json", keylib.did_document(did, [("key-1", key["publicKeyMultibase"])]))
    list_url = "https://js.example.org/status.json"
    status_list = statuslist.list_credential(list_url, did, "2025-01-01T00:00:00Z", [7])
    write(folder / "status.json", node.issue_ob3(status_list, key))
    fetcher = local(LocalSite("https://js.example.org/", folder))
    for index, expected in ((6, "valid"), (7, "revoked")):
        unsigned = _with_issuer(credential_template(), did) | {"credentialStatus": statuslist.entry(list_url, index)}
        signed_doc = node.issue_ob3(unsigned, key)
        assert signed_doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        report = verify(str(write(tmp_path / f"js-{index}.json", signed_doc)), fetcher, EMAIL)
        assert report.status == expected, render_text(report)


# ---------------------------------------------------------------- Open Badges 2.0 hosted


def test_ob2_hosted_url_valid_and_wrong_recipient(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"{DEMO}assertions/{VALID_DEMO}.json"
    code, out = cli(capsys, url, "--site", str(demo), "--recipient", recipients()[VALID_DEMO], "--now", NOW)
    assert code == 0 and out["status"] == "valid" and out["version"] == "2.0"
    assert [c["name"] for c in out["checks"]] == [*OB2_CHECKS, "recipient"]
    assert out["issuer"] == f"Sierra Foothills County Office of Education ({DEMO}issuers/sfcoe.json)"
    code, out = cli(capsys, url, "--site", str(demo), "--recipient", "someone@example.org", "--now", NOW)
    assert code == 1 and out["status"] == "invalid"
    assert out["errors"] == ["recipient: the badge was not awarded to someone@example.org"]


def test_ob2_revoked_and_expired_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, f"{DEMO}assertions/{REVOKED_DEMO}.json", "--site", str(demo), "--now", NOW)
    assert code == 1 and out["status"] == "revoked"
    assert out["errors"] == ["revocation: revoked by the issuer (reason: Reissued with corrected name)"]
    code, out = cli(capsys, f"{DEMO}assertions/{EXPIRED_DEMO}.json", "--site", str(demo),
                    "--recipient", recipients()[EXPIRED_DEMO], "--now", NOW)
    assert code == 1 and out["status"] == "expired"
    assert out["errors"] == ["expires: expired: expires 2025-06-30T00:00:00-07:00 is before 2026-11-24T12:00:00Z"]


def test_ob2_off_origin_id_fails_the_policy(demo: Path, tmp_path: Path) -> None:
    assertion = load(demo / f"output/assertions/{VALID_DEMO}.json")
    assertion["id"] = "https://elsewhere.example.org/a.json"
    path = write(tmp_path / "elsewhere/a.json", assertion)
    fetcher = local(demo, LocalSite("https://elsewhere.example.org/", tmp_path / "elsewhere"))
    report = verify(str(path), fetcher)
    assert failed(report) == ["policy"] and report.status == "invalid"
    assert message(report, "policy") == ("the assertion id does not start with the issuer's verification.startsWith "
                                         f"({DEMO})")


def test_ob2_baked_svg_and_png(signed: Path, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg, png = tmp_path / "b.svg", tmp_path / "b.png"
    assert main(["-q", "bake", "--site", str(signed), UID, "-o", str(svg)]) == 0
    assert main(["-q", "bake", "--site", str(demo), PNG_DEMO, "-o", str(png)]) == 0
    capsys.readouterr()
    report = verify(str(svg), local(signed), EMAIL)
    assert report.valid and report.origin == "baked SVG" and report.version == "2.0"
    report = verify(str(png), local(demo), recipients()[PNG_DEMO])
    assert report.valid and report.origin == "baked PNG"
    assert message(report, "hosted") == f"{DEMO}assertions/{PNG_DEMO}.json serves this very assertion"
    tampered = svg.read_text().replace('"issuedOn":"2025-03-14', '"issuedOn":"2024-03-14')
    # Issue 7, item 5: the given copy only names the hosted URL; the hosted assertion is verified, with a warning.
    report = verify(str(write(tmp_path / "t.svg", tampered)), local(signed))
    assert report.valid and message(report, "hosted") == f"{BASE}assertions/{UID}.json serves the assertion"
    assert report.warnings == [f"the given copy differs from what its issuer serves at {BASE}assertions/{UID}.json "
                               "(in: issuedOn); the hosted assertion was verified"]
    assert message(report, "issued-on").startswith("issuedOn 2025-03-14")


# ---------------------------------------------------------------- Open Badges 2.0 signed (JWS)

P = "https://signer.example.org/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jws(payload: dict[str, Any], private: rsa.RSAPrivateKey, alg: str = "RS256") -> str:
    signing_input = f"{_b64(json.dumps({'alg': alg}).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = private.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def signer(tmp_path: Path) -> tuple[Path, rsa.RSAPrivateKey]:
    """A site folder publishing an issuer with an RSA CryptographicKey, a BadgeClass, a revocation list."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    site = tmp_path / "signer"
    write(site / "site.toml", f'title = "Signer"\nbase_url = "{P}"\n')
    context = "https://w3id.org/openbadges/v2"
    out = site / "output"
    write(out / "issuer.json", {"@context": context, "type": "Issuer", "id": f"{P}issuer.json", "name": "Signer Org",
                                "url": P, "email": "badges@signer.example.org", "publicKey": f"{P}key.json",
                                "revocationList": f"{P}revocations.json"})
    write(out / "key.json", {"@context": context, "type": "CryptographicKey", "id": f"{P}key.json",
                             "owner": f"{P}issuer.json", "publicKeyPem": pem})
    write(out / "badge.json", {"@context": context, "type": "BadgeClass", "id": f"{P}badge.json",
                               "name": "Signed Badge", "description": "Signed.", "image": f"{P}badge.png",
                               "criteria": {"narrative": "Sign."}, "issuer": f"{P}issuer.json"})
    write(out / "revocations.json", {"@context": context, "type": "RevocationList", "id": f"{P}revocations.json",
                                     "issuer": f"{P}issuer.json", "revokedAssertions": [
                                         {"id": "urn:uuid:00000000-0000-4000-8000-00000000dead",
                                          "revocationReason": "Awarded in error"}]})
    return site, private


def _signed_assertion(uid: str = "urn:uuid:8c6c4d6e-2b3a-4f5e-9d0c-1a2b3c4d5e6f") -> dict[str, Any]:
    return {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": uid,
            "recipient": {"type": "email", "hashed": True, "salt": "pepper",
                          "identity": "sha256$" + hashlib.sha256(b"jo@example.org" + b"pepper").hexdigest()},
            "badge": f"{P}badge.json", "issuedOn": "2025-02-03T04:05:06Z",
            "verification": {"type": "SignedBadge", "creator": f"{P}key.json"}}


def test_ob2_signed_jws(signer: tuple[Path, rsa.RSAPrivateKey], tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    site, private = signer
    token = _jws(_signed_assertion(), private)
    path = write(tmp_path / "badge.jws", token)
    code, out = cli(capsys, str(path), "--site", str(site), "--recipient", "jo@example.org")
    assert code == 0 and out["status"] == "valid" and out["version"] == "2.0"
    assert [c["name"] for c in out["checks"]] == ["jws", "assertion", "badge", "issuer", "key", "signature",
                                                 "revocation", "issued-on", "expires", "recipient"]
    header, payload, signature = token.split(".")
    changed = _signed_assertion() | {"issuedOn": "2020-01-01T00:00:00Z"}
    forged = write(tmp_path / "forged.jws", f"{header}.{_b64(json.dumps(changed).encode())}.{signature}")
    code, out = cli(capsys, str(forged), "--site", str(site))
    assert code == 1 and out["status"] == "invalid"
    assert out["errors"] == ["signature: the JWS signature does not verify with the issuer's key (the assertion "
                             "was changed after signing, or signed by another key)"]


def test_ob2_signed_jws_revoked_and_unsupported(signer: tuple[Path, rsa.RSAPrivateKey], tmp_path: Path) -> None:
    site, private = signer
    revoked = _signed_assertion("urn:uuid:00000000-0000-4000-8000-00000000dead")
    report = verify(str(write(tmp_path / "r.jws", _jws(revoked, private))), local(site))
    assert report.status == "revoked"
    assert message(report, "revocation") == "revoked by the issuer (reason: Awarded in error)"
    report = verify(str(write(tmp_path / "es.jws", _jws(_signed_assertion(), private, alg="ES256"))), local(site))
    assert failed(report) == ["jws"]
    assert message(report, "jws") == ("JWS algorithm 'ES256' is not supported "
                                      "(only RS256, as Open Badges 2.0 recommends)")
    stranger = _signed_assertion() | {"verification": {"type": "SignedBadge", "creator": f"{P}other-key.json"}}
    report = verify(str(write(tmp_path / "s.jws", _jws(stranger, private))), local(site))
    assert failed(report) == ["key", "signature"]
    assert message(report, "key") == (f"verification.creator {P}other-key.json is not a publicKey of the issuer "
                                      f"{P}issuer.json")


# ---------------------------------------------------------------- inputs and fetching


def test_sources_that_hold_no_badge(signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "missing.json")]) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot read {tmp_path / 'missing.json'}")
    with pytest.raises(SourceError, match="the SVG holds no baked badge"):
        verify(str(signed / "output/achievements/tester.svg"), local(signed))
    assert main(["verify", str(write(tmp_path / "x.txt", "hello"))]) == 1
    expected = f"error: {tmp_path / 'x.txt'}: the JSON file holds neither JSON, a JWS nor a URL\n"
    assert capsys.readouterr().err == expected


def test_local_site_refuses_other_urls(signed: Path, tmp_path: Path) -> None:
    fetcher = local(signed)
    assert fetcher.fetch(f"{BASE}issuers/acme.json").status == 200
    assert fetcher.fetch(f"{BASE}nothing.json").status == 404
    with pytest.raises(FetchError, match="refusing to fetch https://example.org/x: only"):
        fetcher.fetch("https://example.org/x")
    with pytest.raises(FetchError, match="escapes the site folder"):
        fetcher.fetch(f"{BASE}..%2F..%2Fsecret")
    document = credential(signed)
    document["credentialStatus"]["statusListCredential"] = "https://example.org/status.json"
    # changing the status URL breaks the signature as well; the status check says why it cannot check
    report = verify(str(write(tmp_path / "moved-status.json", document)), fetcher)
    assert failed(report) == ["signature", "status"]
    assert message(report, "status").startswith("cannot fetch the status list: refusing to fetch "
                                                "https://example.org/status.json")


def test_http_fetcher_only_fetches_https() -> None:
    with pytest.raises(FetchError, match="refusing to fetch http://example.org/a.json: only https URLs are fetched"):
        _REAL_HTTP_FETCH(HttpFetcher(), "http://example.org/a.json")  # refused before any network access


def test_bad_now_is_a_usage_error(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(signed / f"content/credentials/{UID}.json")
    assert main(["verify", path, "--site", str(signed), "--now", "tomorrow"]) == 2
    assert capsys.readouterr().err == "error: --now: not an ISO 8601 date or time: 'tomorrow'\n"
