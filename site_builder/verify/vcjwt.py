"""VC-JWT: a credential wrapped in a compact JWS (EdDSA, ES256 or RS256), its key found from ``kid``.

The payload is either VC-JWT 1.1 (claims ``iss``, ``nbf``, ``exp``, ``jti``, ``sub`` and the
credential in ``vc``) or VC-JOSE-COSE (the credential itself). ``kid`` names the key: a DID URL
(``did:web``, ``did:key``, ``did:jwk``; a bare ``#fragment`` is taken relative to ``iss``) that
must be the issuer's, or an https URL of a JWK or JWK Set on the issuer's origin. Without ``kid``,
the header's ``jwk`` must be the issuer's did:jwk or be in the issuer's JWK Set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from site_builder.crypto.proof import ProofError
from site_builder.verify.common import node_id, origin
from site_builder.verify.extract import b64url, jws_parts
from site_builder.verify.fetch import Fetcher, FetchError, fetch_json
from site_builder.verify.keyformats import PublicKey, from_jwk
from site_builder.verify.limits import loads
from site_builder.verify.resolve import KeyProblem, method_key

ALGORITHMS = {"EdDSA": Ed25519PublicKey, "ES256": ec.EllipticCurvePublicKey, "RS256": rsa.RSAPublicKey}


def unwrap(token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(header, payload, credential) of a VC-JWT; ValueError if it holds no credential.

    VC-JWT 1.1 claims fill what the credential leaves out (``iss`` the issuer, ``jti`` the
    id, ``sub`` the subject's id, ``nbf``/``exp`` issuanceDate/expirationDate).
    """
    header, payload, _ = jws_parts(token)
    if not isinstance(payload, dict):
        raise ValueError("the JWT payload is not a JSON object")
    if "vc" not in payload:
        return header, payload, payload
    credential = payload["vc"]
    if not isinstance(credential, dict):
        raise ValueError("the JWT claim 'vc' is not a JSON object")
    credential = dict(credential)
    if "iss" in payload and "issuer" not in credential:
        credential["issuer"] = payload["iss"]
    if "jti" in payload and "id" not in credential:
        credential["id"] = payload["jti"]
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "sub" in payload and "id" not in subject:
        credential["credentialSubject"] = dict(subject, id=payload["sub"])
    for claim, key, modern in (("nbf", "issuanceDate", "validFrom"), ("exp", "expirationDate", "validUntil")):
        if isinstance(payload.get(claim), int | float) and key not in credential and modern not in credential:
            try:
                moment = datetime.fromtimestamp(payload[claim], UTC)
            except (OverflowError, OSError, ValueError) as exc:
                raise ValueError(f"the JWT claim {claim!r} is not a time ({exc})") from exc
            credential[key] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return header, payload, credential


def claim_problems(payload: dict[str, Any], credential: dict[str, Any]) -> list[str]:
    """Where the VC-JWT 1.1 claims contradict the credential they wrap."""
    if "vc" not in payload:
        return []
    problems = []
    issuer = node_id(credential.get("issuer"))
    if "iss" in payload and payload["iss"] != issuer:
        problems.append(f"the JWT's iss {payload['iss']!r} is not the credential's issuer {issuer!r}")
    if "jti" in payload and payload["jti"] != credential.get("id"):
        problems.append(f"the JWT's jti {payload['jti']!r} is not the credential's id {credential.get('id')!r}")
    return problems


def _from_jwks(document: dict[str, Any], kid: str) -> PublicKey:
    fragment = kid.partition("#")[2]
    if "kty" in document:
        return from_jwk(document)
    keys = [k for k in document.get("keys", []) if isinstance(k, dict)] if isinstance(document.get("keys"), list) \
        else []
    matching = [k for k in keys if k.get("kid") in (kid, fragment)] or (keys if len(keys) == 1 else [])
    if not matching:
        raise ValueError(f"the JWK Set at {kid.partition('#')[0]} has no key with kid {fragment or kid!r}")
    return from_jwk(matching[0])


_PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "n", "e")


def _same_key(one: dict[str, Any], other: dict[str, Any]) -> bool:
    return all(one.get(m) == other.get(m) for m in _PUBLIC_MEMBERS)


def _embedded(jwk: Any, issuer: str, fetcher: Fetcher) -> PublicKey:
    """A ``jwk`` header key, accepted only with provenance: the issuer's did:jwk, or a key of the JWK Set at
    ``https://{authority}/.well-known/jwks.json`` of an https issuer (OB 3.0 implementation guide)."""
    if not isinstance(jwk, dict):
        raise KeyProblem("the JWT header names neither a kid nor a jwk, so its key cannot be found")
    if "d" in jwk:
        raise KeyProblem("the JWT header's jwk holds a private key ('d'); refusing it")
    if issuer.startswith("did:jwk:"):
        own = key_document(issuer)
        if not _same_key(own, jwk):
            raise KeyProblem(f"the JWT header's jwk is not the key of the issuer {issuer}")
        return from_jwk(jwk)
    if not issuer.startswith("https://"):
        raise KeyProblem(f"the JWT header's jwk cannot be tied to the issuer {issuer} (no kid, and the issuer is "
                         "not an https URL with a JWK Set)")
    url = origin(issuer) + "/.well-known/jwks.json"
    try:
        keys = fetch_json(fetcher, url).get("keys")
    except FetchError as exc:
        why = f"the JWT header's jwk cannot be tied to the issuer: cannot fetch its JWK Set ({exc})"
        raise KeyProblem(why) from exc
    for entry in keys if isinstance(keys, list) else []:
        if isinstance(entry, dict) and _same_key(entry, jwk):
            if "iss" in entry and entry["iss"] != issuer:
                raise KeyProblem(f"the key in {url} is for the issuer {entry['iss']!r}, not {issuer}")
            return from_jwk(jwk)
    raise KeyProblem(f"the JWT header's jwk is not in the issuer's JWK Set {url}")


def key_document(did: str) -> dict[str, Any]:
    """The JWK a did:jwk DID encodes; KeyProblem if it does not."""
    try:
        jwk = loads(b64url(did.partition("#")[0][len("did:jwk:"):]))
    except ValueError as exc:
        raise KeyProblem(f"{did} is not a usable did:jwk ({exc})") from exc
    if not isinstance(jwk, dict):
        raise KeyProblem(f"{did} is not a usable did:jwk (not a JSON object)")
    return jwk


def key_of(header: dict[str, Any], issuer: str, fetcher: Fetcher) -> PublicKey:
    """The key the JWT header names (``kid``, else ``jwk``), after checking that it is the issuer's."""
    kid = header.get("kid")
    if not kid:
        return _embedded(header.get("jwk"), issuer, fetcher)
    if not isinstance(kid, str):
        raise KeyProblem(f"the JWT's kid {kid!r} is not a string")
    if kid.startswith("#"):
        kid = issuer + kid
    if kid.startswith("did:"):
        return method_key(kid, issuer, fetcher)
    if not kid.startswith("https://"):
        raise KeyProblem(f"the JWT's kid {kid} is neither a DID URL nor an https URL")
    if not issuer.startswith("https://") or origin(kid) != origin(issuer):
        raise KeyProblem(f"the JWT's key {kid} is not on the origin of the issuer {issuer}")
    try:
        document = fetch_json(fetcher, kid)
    except FetchError as exc:
        raise KeyProblem(f"cannot fetch the key {kid}: {exc}") from exc
    if "kty" in document or "keys" in document:
        try:
            return _from_jwks(document, kid)
        except ValueError as exc:
            raise KeyProblem(str(exc)) from exc
    return method_key(kid, issuer, fetcher)


def check_signature(token: str, public: PublicKey) -> None:
    """The compact JWS ``token`` verifies with ``public`` under its header's ``alg``; ProofError if not."""
    header, _, signature = jws_parts(token)
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise ProofError(f"JWT algorithm {alg!r} is not supported (only EdDSA, ES256 and RS256)")
    if not isinstance(public, ALGORITHMS[alg]):
        raise ProofError(f"the key is not of the kind the JWT's algorithm {alg} needs")
    signed = token.strip().rsplit(".", 1)[0].encode("ascii")
    try:
        if isinstance(public, Ed25519PublicKey):
            public.verify(signature, signed)
        elif isinstance(public, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                raise InvalidSignature("an ES256 signature is 64 bytes")
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            public.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        else:
            public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise ProofError("the JWT signature does not verify (the credential was changed after signing, or "
                         "signed by another key)") from exc


def verify_token(token: str, issuer: str, fetcher: Fetcher) -> str:
    """Check the JWT's signature with the issuer's key named by ``kid``; return the kid."""
    header, _, _ = jws_parts(token)
    check_signature(token, key_of(header, issuer, fetcher))
    return str(header.get("kid") or "the jwk of its header")
