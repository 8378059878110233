"""``badgesite verify`` on badges other tools make: the regressions of issue 7 (items 1-7) and older formats.

Offline: every URL is served from a folder (``LocalSite``); ``HttpFetcher`` is disabled.
Credentials are signed by Digital Bazaar's libraries (tests/node) where they can be, by our
signer otherwise; VC-JWTs are made here with the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from site_builder.cli import main
from site_builder.crypto import keys as keylib
from site_builder.crypto import proof, statuslist
from site_builder.linkeddata.jsonld import canonize_full, canonize_pyld, dropped_terms
from site_builder.verify import HttpFetcher, LocalSite, Report, RoutedFetcher, render_text, verify
from tests.support import node
from tests.test_verify import credential_template

EMAIL = "ada@example.org"
VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB300 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
JFF = "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json"
HOST = "https://issuer.example.org/"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: HttpFetcher, url: str, *args: object) -> None:
        raise AssertionError(f"a test tried to fetch {url} over the network")

    monkeypatch.setattr(HttpFetcher, "fetch", refuse)


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


def failed(report: Report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


def message(report: Report, name: str) -> str:
    return next(c.message for c in report.checks if c.name == name)


def did_key() -> keylib.KeyPair:
    seed = keylib.generate("x", "x")
    did = "did:key:" + seed.public_multibase
    return keylib.KeyPair(f"{did}#{seed.public_multibase}", did, seed.private)


def unsigned(issuer: str, contexts: list[str] | None = None) -> dict[str, Any]:
    """test_verify's outside credential, issued by ``issuer``, with an achievement image."""
    document = credential_template()
    document["@context"] = contexts or [VC2, OB303]
    document["issuer"]["id"] = issuer
    document["credentialSubject"]["achievement"]["image"] = {"id": "https://issuer.example.org/badge.png",
                                                             "type": "Image"}
    return document


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws(header: dict[str, Any], payload: Any, private: Any) -> str:
    """A compact JWS made with the cryptography package (EdDSA, ES256 or RS256 by the key's kind)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(text.encode())}".encode("ascii")
    if isinstance(private, Ed25519PrivateKey):
        signature = private.sign(signing_input)
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode('ascii')}.{b64(signature)}"


def sign_js(document: dict[str, Any], key: keylib.KeyPair) -> dict[str, Any]:
    """Signed by Digital Bazaar's eddsa-rdfc-2022 suite (skips without Node)."""
    if not node.node_ready():
        pytest.skip(node.MISSING_MESSAGE)
    return node.issue_ob3(document, key.to_json())


# ---------------------------------------------------------------- issue 7, items 1-7


def endorsed(issuer: str) -> dict[str, Any]:
    document = unsigned(issuer)
    document["credentialSubject"]["achievement"]["endorsement"] = [{
        "@context": [VC2, OB303],
        "id": "urn:uuid:0b1c2d3e-4f50-4617-8899-aabbccddeeff",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": "https://endorser.example.org/", "type": ["Profile"], "name": "Endorser"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Endorsement",
        "credentialSubject": {"id": "urn:uuid:6d3b4f8e-2c4a-4d0e-8f1e-5a7b9c0d1e2f",
                              "type": ["EndorsementSubject"], "endorsementComment": "Good."},
    }]
    return document


def test_nested_context_is_inlined_before_canonicalisation(tmp_path: Path) -> None:
    """Item 1: an embedded endorsement with its own @context canonicalises and verifies."""
    key = did_key()
    document = endorsed(key.controller)
    assert canonize_full(document) == canonize_pyld(document)
    signed = sign_js(document, key)
    report = verify(str(write(tmp_path / "endorsed.json", signed)), RoutedFetcher([]), EMAIL)
    assert report.valid, render_text(report)
    assert node.verify_ob3(signed, {})["verified"] is True
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Bad."
    report = verify(str(write(tmp_path / "tampered.json", tampered)), RoutedFetcher([]))
    assert failed(report) == ["signature"]


def test_dropped_terms_is_about_expansion_not_compaction() -> None:
    """Item 2: terms that compact back under another name are not 'dropped'; undefined ones still are."""
    ob300 = unsigned("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", [VC1, OB300])
    ob300["issuanceDate"] = ob300.pop("validFrom")
    assert dropped_terms(ob300) == []
    jff = copy.deepcopy(ob300)
    jff["@context"] = [VC1, JFF]
    jff["credentialSubject"]["achievement"]["image"] = "https://issuer.example.org/badge.png"
    jff["credentialSubject"]["id"] = jff["credentialSubject"].pop("identifier") and "did:example:ada"
    assert dropped_terms(jff) == []
    jff["credentialSubject"]["favouriteColour"] = "blue"
    jff["credentialSubject"]["achievement"]["type"] = ["Achievement", "Nope"]
    assert dropped_terms(jff) == ["/credentialSubject/favouriteColour", "type Nope"]


def test_ob300_context_credential_verifies(tmp_path: Path) -> None:
    key = did_key()
    document = unsigned(key.controller, [VC1, OB300])
    document["issuanceDate"] = document.pop("validFrom")
    document["credentialSubject"]["id"] = "did:example:ada"
    document["@context"].append("https://w3id.org/security/data-integrity/v2")
    signed = proof.sign(document, key, "2025-01-01T00:00:00Z")
    report = verify(str(write(tmp_path / "ob300.json", signed)), RoutedFetcher([]), EMAIL)
    assert report.valid, render_text(report)
    assert message(report, "valid-from") .startswith("issuanceDate 2025-01-01T00:00:00Z")


def _ob2_signer(tmp_path: Path) -> tuple[RoutedFetcher, rsa.RSAPrivateKey, dict[str, Any]]:
    from cryptography.hazmat.primitives import serialization

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    ob2 = "https://w3id.org/openbadges/v2"
    out = tmp_path / "ob2"
    write(out / "issuer.json", {"@context": ob2, "type": "Issuer", "id": f"{HOST}issuer.json", "name": "Signer",
                                "url": HOST, "email": "b@issuer.example.org", "publicKey": f"{HOST}key.json"})
    write(out / "key.json", {"@context": ob2, "type": "CryptographicKey", "id": f"{HOST}key.json",
                             "owner": f"{HOST}issuer.json", "publicKeyPem": pem})
    write(out / "badge.json", {"@context": ob2, "type": "BadgeClass", "id": f"{HOST}badge.json", "name": "Signed",
                               "description": "Signed.", "image": f"{HOST}badge.png",
                               "criteria": {"narrative": "Sign."}, "issuer": f"{HOST}issuer.json"})
    assertion = {"@context": ob2, "type": "Assertion", "id": "urn:uuid:8c6c4d6e-2b3a-4f5e-9d0c-1a2b3c4d5e6f",
                 "recipient": {"type": "email", "hashed": False, "identity": EMAIL},
                 "badge": f"{HOST}badge.json", "issuedOn": "2025-02-03T04:05:06Z",
                 "verification": {"type": "SignedBadge", "creator": f"{HOST}key.json"}}
    return RoutedFetcher([LocalSite(HOST, out)]), private, assertion


def test_ob2_jws_with_typ_jwt_is_classified_by_payload(tmp_path: Path) -> None:
    """Item 3: "typ": "JWT" on an OB 2.0 signed assertion does not make it a VC-JWT."""
    fetcher, private, assertion = _ob2_signer(tmp_path)
    token = jws({"alg": "RS256", "typ": "JWT"}, assertion, private)
    report = verify(str(write(tmp_path / "ob2.jws", token)), fetcher, EMAIL)
    assert report.version == "2.0" and report.valid, render_text(report)


def test_svg_baked_with_a_vc_jwt(tmp_path: Path) -> None:
    """Item 4: <openbadges:credential verify="JWS"> holds an OB 3.0 VC-JWT, not a hosted URL."""
    key = did_key()
    credential = unsigned(key.controller)
    token = jws({"alg": "EdDSA", "typ": "JWT", "kid": key.id},
                {"iss": key.controller, "jti": credential["id"], "nbf": 1735689600, "vc": credential}, key.private)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           f'<openbadges:credential verify="{token}"/></svg>')
    report = verify(str(write(tmp_path / "jwt.svg", svg)), RoutedFetcher([]), EMAIL)
    assert report.origin == "baked SVG" and report.version == "3.0"
    assert report.valid, render_text(report)
    assert message(report, "proof") == f"a VC-JWT signed with EdDSA by {key.id}"


def _https_key_site(tmp_path: Path, listed: bool) -> tuple[RoutedFetcher, keylib.KeyPair, str]:
    issuer = f"{HOST}issuer"
    method = f"{HOST}issuer#key-1"
    key = keylib.KeyPair(method, issuer, keylib.generate(issuer, "key-1").private)
    folder = tmp_path / "https-site"
    doc = {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], "id": issuer,
           "verificationMethod": [{"id": method, "type": "Multikey", "controller": issuer,
                                   "publicKeyMultibase": key.public_multibase}],
           "assertionMethod": [method] if listed else []}
    write(folder / "issuer", doc)
    return RoutedFetcher([LocalSite(HOST, folder)]), key, issuer


@pytest.mark.parametrize("listed", [True, False])
def test_https_method_must_be_under_assertion_method(tmp_path: Path, listed: bool) -> None:
    """Item 6: an https key that its controller document does not list under assertionMethod is refused."""
    fetcher, key, issuer = _https_key_site(tmp_path, listed)
    signed = sign_js(unsigned(issuer), key)
    report = verify(str(write(tmp_path / "c.json", signed)), fetcher, EMAIL)
    js = node.verify_ob3(signed, {HOST: tmp_path / "https-site"})
    assert report.valid is listed and js["verified"] is listed, (render_text(report), js["errors"])
    if not listed:
        assert message(report, "key") == (f"{key.id} is not listed in assertionMethod of its controller document "
                                          f"{issuer} (listed: none)")


def test_key_messages_and_recipient_line(tmp_path: Path) -> None:
    """Item 7: a key missing from its controller document is named plainly; --recipient given is not asked for."""
    fetcher, key, issuer = _https_key_site(tmp_path, True)
    other = keylib.KeyPair(f"{HOST}issuer#key-9", issuer, key.private)
    signed = proof.sign(unsigned(issuer), other, "2025-01-01T00:00:00Z")
    report = verify(str(write(tmp_path / "c.json", signed)), fetcher, EMAIL)
    assert message(report, "key") == (f"the key {HOST}issuer#key-9 is not in the controller document at "
                                      f"{HOST}issuer (a document about '{issuer}' that describes no such "
                                      "verification method)")
    report = verify(str(write(tmp_path / "a.json", {"type": "Assertion", "id": "not a url"})), fetcher, EMAIL)
    assert report.recipient == f"{EMAIL}: not checked (the verification stopped before the recipient check)"
    report = verify(str(write(tmp_path / "a.json", {"type": "Assertion", "id": "not a url"})), fetcher)
    assert report.recipient == "not checked (give --recipient EMAIL)"


# ---------------------------------------------------------------- older formats


def test_status_list_signed_by_another_key_of_the_same_controller(tmp_path: Path) -> None:
    did = "did:web:issuer.example.org:acme"
    one, two = keylib.generate(did, "key-1"), keylib.generate(did, "key-2")
    folder = tmp_path / "site"
    write(folder / "acme/did.json", keylib.did_document(did, [("key-1", one.public_multibase),
                                                              ("key-2", two.public_multibase)]))
    url = f"{HOST}status.json"
    write(folder / "status.json", sign_js(statuslist.list_credential(url, did, "2025-01-01T00:00:00Z", [3]), two))
    fetcher = RoutedFetcher([LocalSite(HOST, folder)])
    for index, expected in ((2, "valid"), (3, "revoked")):
        document = unsigned(did) | {"credentialStatus": statuslist.entry(url, index)}
        signed = sign_js(document, one)
        report = verify(str(write(tmp_path / f"{index}.json", signed)), fetcher, EMAIL)
        assert report.status == expected, render_text(report)
        js = node.verify_ob3(signed, {HOST: folder})
        assert js["verified"] is (expected == "valid"), js["errors"]


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_vc_jwt_algorithms_and_kid_kinds(tmp_path: Path, alg: str) -> None:
    private: Any = {"EdDSA": Ed25519PrivateKey.generate, "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
                    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)}[alg]()
    jwk = _jwk(private)
    did_jwk = "did:jwk:" + b64(json.dumps(jwk).encode())
    credential = unsigned(did_jwk)
    token = jws({"alg": alg, "kid": f"{did_jwk}#0"}, {"iss": did_jwk, "vc": credential}, private)
    report = verify(str(write(tmp_path / "a.jwt", token)), RoutedFetcher([]), EMAIL)
    assert report.valid, render_text(report)
    # https JWKS on the issuer's origin
    folder = tmp_path / "jwks"
    write(folder / "jwks.json", {"keys": [dict(jwk, kid="k1")]})
    fetcher = RoutedFetcher([LocalSite(HOST, folder)])
    issuer = f"{HOST}issuer"
    token = jws({"alg": alg, "kid": f"{HOST}jwks.json#k1"}, unsigned(issuer), private)
    report = verify(str(write(tmp_path / "b.jwt", token)), fetcher, EMAIL)
    assert report.valid, render_text(report)
    forged = token.rsplit(".", 1)[0] + "." + b64(b"\0" * (64 if alg != "RS256" else 256))
    report = verify(str(write(tmp_path / "c.jwt", forged)), fetcher)
    assert failed(report) == ["signature"]
    elsewhere = jws({"alg": alg, "kid": "https://evil.example.org/jwks.json#k1"}, unsigned(issuer), private)
    report = verify(str(write(tmp_path / "d.jwt", elsewhere)), fetcher)
    assert message(report, "key") == (f"the JWT's key https://evil.example.org/jwks.json#k1 is not on the origin "
                                      f"of the issuer {issuer}")


def _jwk(private: Any) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(private, Ed25519PrivateKey):
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return {"kty": "OKP", "crv": "Ed25519", "x": b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    numbers = public.public_numbers()
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return {"kty": "EC", "crv": "P-256", "x": b64(numbers.x.to_bytes(32, "big")),
                "y": b64(numbers.y.to_bytes(32, "big"))}
    return {"kty": "RSA", "e": b64(numbers.e.to_bytes(3, "big")),
            "n": b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))}


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0"))
            + chunk(b"IEND", b""))


def test_vc_jwt_in_png_with_a_jwt_status_list(tmp_path: Path) -> None:
    """A VC-JWT baked in a PNG whose StatusList2021 list is itself a JWT, signed by the same did:web key."""
    from site_builder.baking import bake_png

    did = "did:web:issuer.example.org"
    private = ec.generate_private_key(ec.SECP256R1())
    folder = tmp_path / "site"
    write(folder / ".well-known/did.json", {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": f"{did}#p256", "type": "JsonWebKey2020", "controller": did,
                                "publicKeyJwk": _jwk(private)}],
        "assertionMethod": ["#p256"]})
    url = f"{HOST}status/2021"
    encoded = statuslist.encode([5])[1:]  # StatusList2021: base64url without the multibase prefix
    listing = {"@context": [VC1, "https://w3id.org/vc/status-list/2021/v1"], "id": url,
               "type": ["VerifiableCredential", "StatusList2021Credential"], "issuer": did,
               "issuanceDate": "2025-01-01T00:00:00Z",
               "credentialSubject": {"id": f"{url}#list", "type": "StatusList2021", "statusPurpose": "revocation",
                                     "encodedList": encoded}}
    write(folder / "status/2021", jws({"alg": "ES256", "kid": f"{did}#p256"}, {"iss": did, "vc": listing}, private))
    fetcher = RoutedFetcher([LocalSite(HOST, folder)])
    for index, expected in ((4, "valid"), (5, "revoked")):
        credential = unsigned(did, [VC1, OB303, "https://w3id.org/vc/status-list/2021/v1"])
        credential["issuanceDate"] = credential.pop("validFrom")
        credential["credentialStatus"] = {"id": f"{url}#{index}", "type": "StatusList2021Entry",
                                          "statusPurpose": "revocation", "statusListIndex": str(index),
                                          "statusListCredential": url}
        token = jws({"alg": "ES256", "typ": "JWT", "kid": "#p256"}, {"iss": did, "vc": credential}, private)
        png = write(tmp_path / f"{index}.png", "")
        png.write_bytes(bake_png(_png(), "openbadgecredential", token))
        report = verify(str(png), fetcher, EMAIL)
        assert report.origin == "baked PNG" and report.status == expected, render_text(report)
    assert message(report, "status") == f"revoked by the issuer (bit 5 of {url} is set)"


def test_cli_page_url_follows_alternate_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = did_key()
    folder = tmp_path / "pages"
    signed = proof.sign(unsigned(key.controller), key, "2025-01-01T00:00:00Z")
    write(folder / "badges/1.json", signed)
    write(folder / "badges/1.html", '<html><head><link rel="alternate" type="application/ld+json" '
                                    'href="1.json"></head><body>Badge</body></html>')
    code = main(["verify", f"{HOST}badges/1.html", "--map", f"{HOST}={folder}", "--json", "--recipient", EMAIL])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["valid"] and out["version"] == "3.0"
    assert out["warnings"] == [f"{HOST}badges/1.html is a web page; verified the badge it links to: "
                               f"{HOST}badges/1.json"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.signed import signed_minimal

    site = signed_minimal(tmp_path_factory.mktemp("signed") / "site")
    assert main(["-q", "build", "--site", str(site)]) == 0
    return site


UID = "0" * 31 + "1"
BASE = "https://example.github.io/minimal/"


def test_cli_assertion_id_and_content_file_of_the_site(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["verify", UID, "--site", str(built), "--json", "--recipient", EMAIL]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == "2.0" and out["checks"][0]["message"] == (f"{BASE}assertions/{UID}.json serves the "
                                                                       "assertion")
    monkeypatch.chdir(built)
    assert main(["verify", f"content/assertions/{UID}.json", "--json"]) == 0  # the current site, by its folder
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["verify", UID, "--json"]) == 0
    capsys.readouterr()
    assert main(["verify", "f" * 32]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {'f' * 32}: neither a file, a URL nor an assertion id of the "
                                               f"site {Path.cwd()} (no content/assertions/{'f' * 32}.json)")


def test_cli_site_is_repeatable(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two sites offline: a credential of one, checked with both mapped (the other site serves nothing it needs)."""
    other = tmp_path / "other"
    write(other / "site.toml", 'title = "Other"\nbase_url = "https://other.example.org/"\n')
    (other / "output").mkdir()
    credential = built / f"content/credentials/{UID}.json"
    assert main(["verify", str(credential), "--site", str(other), "--site", str(built), "--json",
                 "--now", "2026-01-01T00:00:00Z"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] and out["version"] == "3.0"
