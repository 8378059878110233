"""The public key of a Data Integrity verification method, and proof that it is the issuer's.

Supported methods: ``did:web`` (DID document at ``did_web_url``: the method must be listed in
``assertionMethod`` and controlled by the issuer), ``did:key`` (the Ed25519 key is the DID
itself) and an https URL of a ``Multikey`` document whose ``controller`` is the issuer.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from site_builder.crypto import keys as keylib
from site_builder.verify.common import as_list
from site_builder.verify.fetch import Fetcher, FetchError, fetch_json

KEY_TYPES = ("Multikey", "Ed25519VerificationKey2020")


class KeyProblem(ValueError):
    """Why a verification method cannot be used for the issuer."""


def _absolute(ref: str, did: str) -> str:
    return did + ref if ref.startswith("#") else ref


def _key_of(method: dict[str, Any], method_id: str) -> Ed25519PublicKey:
    if method.get("type") not in KEY_TYPES:
        raise KeyProblem(f"{method_id} is a {method.get('type')!r} key; only Ed25519 Multikey keys are supported")
    value = method.get("publicKeyMultibase")
    if not isinstance(value, str):
        raise KeyProblem(f"{method_id} has no publicKeyMultibase")
    try:
        return keylib.public_key(value)
    except ValueError as exc:
        raise KeyProblem(f"{method_id}: unusable publicKeyMultibase ({exc})") from exc


def _did_key(method_id: str) -> Ed25519PublicKey:
    did, _, fragment = method_id.partition("#")
    value = did[len("did:key:"):]
    if fragment and fragment != value:
        raise KeyProblem(f"{method_id}: the fragment of a did:key method must repeat the key")
    try:
        return keylib.public_key(value)
    except ValueError as exc:
        raise KeyProblem(f"{method_id} is not an Ed25519 did:key ({exc})") from exc


def _did_web(method_id: str, did: str, issuer: str, fetcher: Fetcher) -> Ed25519PublicKey:
    try:
        url = keylib.did_web_url(did)
        document = fetch_json(fetcher, url)
    except (ValueError, FetchError) as exc:
        raise KeyProblem(f"cannot resolve {did}: {exc}") from exc
    if document.get("id") != did:
        raise KeyProblem(f"the DID document at {url} is for {document.get('id')!r}, not {did}")
    methods: dict[str, dict[str, Any]] = {}
    listed: set[str] = set()
    for item in as_list(document.get("verificationMethod")):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            methods[_absolute(item["id"], did)] = item
    for item in as_list(document.get("assertionMethod")):
        if isinstance(item, str):
            listed.add(_absolute(item, did))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            methods[_absolute(item["id"], did)] = item
            listed.add(_absolute(item["id"], did))
    if method_id not in listed:
        known = ", ".join(sorted(listed)) or "none"
        raise KeyProblem(f"{method_id} is not listed in assertionMethod of the DID document at {url} "
                         f"(listed: {known})")
    method = methods.get(method_id)
    if method is None:
        raise KeyProblem(f"the DID document at {url} lists {method_id} but does not describe it")
    controller = _absolute(str(method.get("controller", "")), did)
    if controller != issuer:
        raise KeyProblem(f"{method_id} is controlled by {controller!r}, not by the issuer {issuer}")
    return _key_of(method, method_id)


def _https(method_id: str, issuer: str, fetcher: Fetcher) -> Ed25519PublicKey:
    try:
        document = fetch_json(fetcher, method_id)
    except FetchError as exc:
        raise KeyProblem(f"cannot fetch the key {method_id}: {exc}") from exc
    if document.get("id") != method_id:
        found = [m for m in as_list(document.get("verificationMethod"))
                 if isinstance(m, dict) and m.get("id") == method_id]
        if not found:
            raise KeyProblem(f"{method_id} answered with a document about {document.get('id')!r}")
        document = found[0]
    if document.get("controller") != issuer:
        raise KeyProblem(f"the key {method_id} is controlled by {document.get('controller')!r}, "
                         f"not by the issuer {issuer}")
    return _key_of(document, method_id)


def issuer_key(method_id: Any, issuer: str, fetcher: Fetcher) -> Ed25519PublicKey:
    """The public key of ``method_id``, after checking that it belongs to ``issuer``."""
    if not isinstance(method_id, str) or not method_id:
        raise KeyProblem("the proof names no verificationMethod")
    if method_id.startswith("did:"):
        did = method_id.partition("#")[0]
        if did != issuer:
            raise KeyProblem(f"the proof's key {method_id} is not the issuer's: it belongs to {did}, "
                             f"the issuer is {issuer}")
        if did.startswith("did:key:"):
            return _did_key(method_id)
        if did.startswith("did:web:"):
            return _did_web(method_id, did, issuer, fetcher)
        raise KeyProblem(f"DID method of {did} is not supported (only did:web and did:key)")
    if method_id.startswith("https://"):
        return _https(method_id, issuer, fetcher)
    raise KeyProblem(f"verification method {method_id} is not supported (only did:web, did:key and https URLs)")
