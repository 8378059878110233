"""Public keys as verification methods give them: Multikey / publicKeyMultibase, and JWK.

Ed25519 (multicodec ``ed25519-pub``, JWK ``OKP``/``Ed25519``), P-256 (multicodec
``p256-pub``, JWK ``EC``/``P-256``) and RSA (JWK ``RSA``). ValueError explains what is wrong.
"""

from __future__ import annotations

from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from site_builder.verify.extract import b64url

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub (varint 0xed)
P256_PUB = b"\x80\x24"  # multicodec p256-pub (varint 0x1200), 33-byte compressed point


def from_multibase(value: Any) -> PublicKey:
    """An Ed25519 or P-256 key from a base58btc multikey value (``z6Mk...``, ``zDn...``)."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("only base58btc ('z') multibase keys are supported")
    try:
        data = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ValueError(f"not base58btc ({exc})") from exc
    if data.startswith(ED25519_PUB) and len(data) == 34:
        return Ed25519PublicKey.from_public_bytes(data[2:])
    if data.startswith(P256_PUB) and len(data) == 35:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data[2:])
    raise ValueError("not an Ed25519 or P-256 multikey")


def _int(jwk: dict[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"the JWK has no {name!r}")
    return int.from_bytes(b64url(value), "big")


def from_jwk(jwk: Any) -> PublicKey:
    """A public key from a JWK (OKP Ed25519, EC P-256, RSA); private members are never needed."""
    if not isinstance(jwk, dict):
        raise ValueError("the JWK is not a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        raw = b64url(str(jwk.get("x", "")))
        if len(raw) != 32:
            raise ValueError("the Ed25519 JWK's 'x' is not 32 bytes")
        return Ed25519PublicKey.from_public_bytes(raw)
    if kty == "EC" and crv == "P-256":
        return ec.EllipticCurvePublicNumbers(_int(jwk, "x"), _int(jwk, "y"), ec.SECP256R1()).public_key()
    if kty == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk, "e"), _int(jwk, "n")).public_key()
    raise ValueError(f"JWK kty {kty!r} crv {crv!r} is not supported (only OKP Ed25519, EC P-256 and RSA)")


def of_method(method: dict[str, Any], method_id: str) -> PublicKey:
    """The key a verification method describes (``publicKeyMultibase`` or ``publicKeyJwk``)."""
    try:
        if "publicKeyMultibase" in method:
            return from_multibase(method["publicKeyMultibase"])
        if "publicKeyJwk" in method:
            return from_jwk(method["publicKeyJwk"])
    except ValueError as exc:
        raise ValueError(f"{method_id}: unusable public key ({exc})") from exc
    raise ValueError(f"{method_id} is a {method.get('type')!r} with neither publicKeyMultibase nor publicKeyJwk")
