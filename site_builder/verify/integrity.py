"""Embedded Linked Data proofs that issuers produce: which are supported, and checking one.

- ``DataIntegrityProof`` with cryptosuite ``eddsa-rdfc-2022`` (VC-DI-EdDSA) or its draft name
  ``eddsa-2022``, which used the same algorithm;
- ``Ed25519Signature2020`` (the Digital Credentials Consortium issues it).

All three hash alike: SHA-256 of the canonical proof options (the proof without
``proofValue``, under the document's ``@context``) followed by SHA-256 of the canonical
document without its proof; the Ed25519 signature of that is ``proofValue`` (multibase
base58btc). Any other proof type is unsupported, never guessed at.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld.jsonld import JsonLdError

from site_builder.crypto.proof import ProofError, signature_of
from site_builder.linkeddata.jsonld import canonize
from site_builder.verify import contexts
from site_builder.verify.common import as_list

SUITES = (("DataIntegrityProof", "eddsa-rdfc-2022"), ("DataIntegrityProof", "eddsa-2022"),
          ("Ed25519Signature2020", None))
SUPPORTED = ("only DataIntegrityProof with cryptosuite eddsa-rdfc-2022 (or the draft eddsa-2022) and "
             "Ed25519Signature2020 are supported")


def label(proof: dict[str, Any]) -> str:
    """``type`` or ``type/cryptosuite`` of a proof, for messages."""
    suite = proof.get("cryptosuite")
    return f"{proof.get('type')}" + (f"/{suite}" if suite else "")


def supported(proof: Any) -> bool:
    """Whether ``proof`` is of a type this module checks."""
    return isinstance(proof, dict) and (proof.get("type"), proof.get("cryptosuite")) in SUITES


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The embedded proofs (objects only)."""
    return [p for p in as_list(document.get("proof")) if isinstance(p, dict)]


def first_supported(document: dict[str, Any]) -> dict[str, Any] | None:
    """The first embedded proof of a supported type, or None."""
    return next((p for p in proofs_of(document) if supported(p)), None)


def _sha256(document: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonize(contexts.inlined(document)).encode("utf-8")).digest()


def hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """What the proof's signature signs (see the module docstring)."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    options["@context"] = document["@context"]
    return _sha256(options) + _sha256(unsigned)


def check(document: dict[str, Any], proof: dict[str, Any], public: Ed25519PublicKey) -> None:
    """``proof`` (one of ``document``'s) verifies with ``public``; ProofError says why not."""
    if not supported(proof):
        raise ProofError(f"proof type {label(proof)} is not supported: {SUPPORTED}")
    signature = signature_of(proof)
    try:
        data = hash_data(document, proof)
    except ValueError as exc:
        raise ProofError(f"the document cannot be canonicalised ({str(exc).splitlines()[0][:300]})") from exc
    except (KeyError, TypeError, SyntaxError, JsonLdError) as exc:
        raise ProofError(f"the document cannot be canonicalised ({exc})") from exc
    try:
        public.verify(signature, data)
    except InvalidSignature as exc:
        raise ProofError("the signature does not match the credential (it was changed after signing, "
                         "or signed by another key)") from exc
