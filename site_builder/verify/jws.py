"""Open Badges 2.0 signed assertions: compact JWS with RS256, keys linked from the issuer Profile.

The key must be a CryptographicKey (``publicKeyPem``) listed in the issuer's ``publicKey`` and
owned by the issuer (``owner``); the assertion's ``verification.creator``, when present, must
be one of them. Other JWS algorithms are reported as unsupported.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from site_builder.verify.common import as_list, node_id
from site_builder.verify.extract import b64url, jws_parts
from site_builder.verify.fetch import Fetcher, FetchError, fetch_json
from site_builder.verify.report import Report


def check_header(report: Report, token: str) -> bool:
    """The JWS is well formed and uses RS256 (the only algorithm supported)."""
    try:
        header, _, _ = jws_parts(token)
    except ValueError as exc:
        return report.fail("jws", f"malformed JWS: {exc}")
    alg = header.get("alg")
    if alg != "RS256":
        return report.fail("jws", f"JWS algorithm {alg!r} is not supported (only RS256, as Open Badges 2.0 recommends)")
    return report.passed("jws", "a compact JWS signed with RS256")


def _load_key(ref: Any, issuer_id: str, fetcher: Fetcher) -> RSAPublicKey:
    """The RSA key of one CryptographicKey reference; ValueError explains why not."""
    try:
        document = ref if isinstance(ref, dict) else fetch_json(fetcher, ref)
    except FetchError as exc:
        raise ValueError(f"cannot fetch {node_id(ref)}: {exc}") from exc
    key_id = node_id(document) or node_id(ref)
    owner = node_id(document.get("owner"))
    if owner != issuer_id:
        raise ValueError(f"{key_id} is owned by {owner!r}, not by the issuer {issuer_id}")
    pem = document.get("publicKeyPem")
    if not isinstance(pem, str):
        raise ValueError(f"{key_id} has no publicKeyPem")
    try:
        public = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError(f"{key_id}: unreadable publicKeyPem ({exc})") from exc
    if not isinstance(public, RSAPublicKey):
        raise ValueError(f"{key_id} is not an RSA key (RS256 needs one)")
    return public


def check_signature(report: Report, token: str, issuer: dict[str, Any], creator: str, fetcher: Fetcher) -> None:
    """Add the ``key`` and ``signature`` checks: the JWS verifies with a key the issuer links to."""
    issuer_id = node_id(issuer)
    declared = as_list(issuer.get("publicKey"))
    ids = [node_id(k) for k in declared]
    if not declared:
        report.fail("key", f"the issuer Profile {issuer_id} declares no publicKey")
        report.fail("signature", "not checked: no key of the issuer")
        return
    if creator and creator not in ids:
        report.fail("key", f"verification.creator {creator} is not a publicKey of the issuer {issuer_id}")
        report.fail("signature", "not checked: the signing key is not the issuer's")
        return
    candidates = [declared[ids.index(creator)]] if creator else declared
    keys: list[tuple[str, RSAPublicKey]] = []
    problems = []
    for ref in candidates:
        try:
            keys.append((node_id(ref), _load_key(ref, issuer_id, fetcher)))
        except ValueError as exc:
            problems.append(str(exc))
    if not keys:
        report.fail("key", "; ".join(problems))
        report.fail("signature", "not checked: no usable key of the issuer")
        return
    report.passed("key", f"{', '.join(k for k, _ in keys)}: RSA key of the issuer")
    header, payload, signature = token.strip().split(".")
    for key_id, public in keys:
        try:
            public.verify(b64url(signature), f"{header}.{payload}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            continue
        report.passed("signature", f"the JWS signature verifies with {key_id}")
        return
    report.fail("signature", "the JWS signature does not verify with the issuer's key (the assertion was "
                "changed after signing, or signed by another key)")

