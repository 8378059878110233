"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA).

hashData = SHA-256(canonical proof options) || SHA-256(canonical document); the signature is
Ed25519 over hashData, and ``proofValue`` is its multibase base58btc encoding.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from site_builder.crypto.keys import KeyPair
from site_builder.linkeddata.jsonld import canonize

CRYPTOSUITE = "eddsa-rdfc-2022"
_BASE58BTC = re.compile(r"z[1-9A-HJ-NP-Za-km-z]+")


@lru_cache(maxsize=256)
def _options_hash(options_json: str) -> bytes:
    """Proof options repeat (same key, same signing run): canonicalise each once."""
    return hashlib.sha256(canonize(json.loads(options_json)).encode("utf-8")).digest()


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    config = dict(options, **{"@context": document["@context"]})
    config.pop("proofValue", None)
    return (_options_hash(json.dumps(config, sort_keys=True))
            + hashlib.sha256(canonize(unsigned).encode("utf-8")).digest())


def sign(document: dict[str, Any], key: KeyPair, created: str) -> dict[str, Any]:
    """The document with a DataIntegrityProof by ``key`` (``created``: an XML Schema dateTime)."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": key.id,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, options))
    proof = dict(options, proofValue="z" + base58.b58encode(signature).decode("ascii"))
    return {k: v for k, v in document.items() if k != "proof"} | {"proof": proof}


class ProofError(ValueError):
    """Why a proof does not verify."""


def signature_of(proof: dict[str, Any]) -> bytes:
    """The signature of an assertionMethod proof (multibase base58btc ``proofValue``); ProofError if not one."""
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError(f"proofPurpose must be 'assertionMethod', got {proof.get('proofPurpose')!r}")
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not _BASE58BTC.fullmatch(value):  # exactly: no padding, spaces or others
        raise ProofError("proofValue must be a base58btc multibase string")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("proofValue must be a base58btc multibase string") from exc


def check(document: dict[str, Any], public: Ed25519PublicKey) -> dict[str, Any]:
    """Verify the document's single eddsa-rdfc-2022 proof with ``public``; return the proof."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("only credentials with exactly one proof are supported")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"unsupported proof type {proof.get('type')!r} / cryptosuite "
                         f"{proof.get('cryptosuite')!r} (only DataIntegrityProof with {CRYPTOSUITE})")
    signature = signature_of(proof)
    try:
        options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
        public.verify(signature, _hash_data(document, options))
    except (InvalidSignature, ValueError) as exc:
        raise ProofError("the signature does not match the credential (it was changed after signing, "
                         "or signed by another key)") from exc
    return proof
