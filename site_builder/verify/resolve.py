"""The public key of a Data Integrity verification method, and proof that it is the issuer's.

Supported methods: ``did:web`` (DID document at ``did_web_url``: the method must be listed in
``assertionMethod`` and controlled by the issuer), ``did:key`` and ``did:jwk`` (the key is the
DID itself), and an https URL of a key document whose ``controller`` is the issuer and whose
controller document lists it under ``assertionMethod``.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from site_builder.verify.common import as_list
from site_builder.verify.extract import b64url
from site_builder.verify.fetch import Fetcher, FetchError, fetch_json
from site_builder.verify.keyformats import PublicKey, from_jwk, from_multibase, of_method
from site_builder.verify.limits import loads

KEY_TYPES = ("Multikey", "Ed25519VerificationKey2020", "JsonWebKey2020", "JsonWebKey")


class KeyProblem(ValueError):
    """Why a verification method cannot be used for the issuer."""


def _absolute(ref: str, base: str) -> str:
    return base.partition("#")[0] + ref if ref.startswith("#") else ref


def _key_of(method: dict[str, Any], method_id: str) -> PublicKey:
    if method.get("type") not in KEY_TYPES:
        raise KeyProblem(f"{method_id} is a {method.get('type')!r} key; only Multikey, Ed25519VerificationKey2020 "
                         "and JsonWebKey keys are supported")
    try:
        return of_method(method, method_id)
    except ValueError as exc:
        raise KeyProblem(str(exc)) from exc


def _did_key(method_id: str) -> PublicKey:
    did, _, fragment = method_id.partition("#")
    value = did[len("did:key:"):]
    if fragment and fragment != value:
        raise KeyProblem(f"{method_id}: the fragment of a did:key method must repeat the key")
    try:
        return from_multibase(value)
    except ValueError as exc:
        raise KeyProblem(f"{method_id} is not an Ed25519 or P-256 did:key ({exc})") from exc


def _did_jwk(method_id: str) -> PublicKey:
    did, _, fragment = method_id.partition("#")
    if fragment not in ("", "0"):
        raise KeyProblem(f"{method_id}: the only verification method of a did:jwk is #0")
    try:
        return from_jwk(loads(b64url(did[len("did:jwk:"):])))
    except ValueError as exc:
        raise KeyProblem(f"{method_id} is not a usable did:jwk ({exc})") from exc


def _listed(document: dict[str, Any], base: str) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """(every described method by absolute id, the ids listed under assertionMethod)."""
    methods: dict[str, dict[str, Any]] = {}
    listed: set[str] = set()
    for item in as_list(document.get("verificationMethod")):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            methods[_absolute(item["id"], base)] = item
    for item in as_list(document.get("assertionMethod")):
        if isinstance(item, str):
            listed.add(_absolute(item, base))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            methods[_absolute(item["id"], base)] = item
            listed.add(_absolute(item["id"], base))
    return methods, listed


def _did_web(method_id: str, did: str, issuer: str, fetcher: Fetcher) -> PublicKey:
    try:
        url = did_web_url(did)
        document = fetch_json(fetcher, url)
    except (ValueError, FetchError) as exc:
        raise KeyProblem(f"cannot resolve {did}: {exc}") from exc
    if document.get("id") != did:
        raise KeyProblem(f"the DID document at {url} is for {document.get('id')!r}, not {did}")
    methods, listed = _listed(document, did)
    _require_listed(method_id, listed, f"the DID document at {url}")
    method = methods.get(method_id)
    if method is None:
        raise KeyProblem(f"the DID document at {url} lists {method_id} but does not describe it")
    controller = _absolute(str(method.get("controller", "")), did)
    if controller != issuer:
        raise KeyProblem(f"{method_id} is controlled by {controller!r}, not by the issuer {issuer}")
    return _key_of(method, method_id)


def did_web_url(did: str) -> str:
    """The https URL of a did:web DID's document (did:web method spec, 3.2)."""
    host, *segments = did[len("did:web:"):].split(":")
    if not did.startswith("did:web:") or not host or any(not s or "/" in s for s in segments):
        raise ValueError(f"not a did:web identifier: {did}")
    host = host.replace("%3A", ":").replace("%3a", ":")
    return f"https://{host}/" + ("/".join(segments) + "/did.json" if segments else ".well-known/did.json")


def _https(method_id: str, issuer: str, fetcher: Fetcher) -> PublicKey:
    url = method_id.partition("#")[0]
    try:
        document = fetch_json(fetcher, method_id)
    except FetchError as exc:
        raise KeyProblem(f"cannot fetch the key {method_id}: {exc}") from exc
    if document.get("id") == method_id:
        method = document
    else:
        described, _ = _listed(document, url)
        method = described.get(method_id)
        if method is None:
            raise KeyProblem(f"the key {method_id} is not in the controller document at {url} (a document about "
                             f"{document.get('id')!r} that describes no such verification method)")
    controller = method.get("controller") or (document.get("id") if method is not document else None)
    if controller != issuer:
        raise KeyProblem(f"the key {method_id} is controlled by {controller!r}, not by the issuer {issuer}")
    # The controller document must list the key under assertionMethod (Controlled Identifiers, 3.3).
    try:
        owner = document if document.get("id") == controller else fetch_json(fetcher, controller)
    except FetchError as exc:
        raise KeyProblem(f"cannot fetch the controller document {controller} of the key {method_id}: {exc}") from exc
    if owner.get("id") != controller:
        raise KeyProblem(f"the controller document at {controller} is about {owner.get('id')!r}, not {controller}")
    _, listed = _listed(owner, controller)
    _require_listed(method_id, listed, f"its controller document {controller}")
    return _key_of(method, method_id)


def method_key(method_id: Any, issuer: str, fetcher: Fetcher) -> PublicKey:
    """The public key of ``method_id`` (any supported type), after checking that it belongs to ``issuer``."""
    if not isinstance(method_id, str) or not method_id:
        raise KeyProblem("the proof names no verificationMethod")
    if method_id.startswith("did:"):
        did = method_id.partition("#")[0]
        if did != issuer:
            raise KeyProblem(f"the proof's key {method_id} is not the issuer's: it belongs to {did}, "
                             f"the issuer is {issuer}")
        if did.startswith("did:key:"):
            return _did_key(method_id)
        if did.startswith("did:jwk:"):
            return _did_jwk(method_id)
        if did.startswith("did:web:"):
            return _did_web(method_id, did, issuer, fetcher)
        raise KeyProblem(f"DID method of {did} is not supported (only did:web, did:key and did:jwk)")
    if method_id.startswith("https://"):
        return _https(method_id, issuer, fetcher)
    raise KeyProblem(f"verification method {method_id} is not supported (only did:web, did:key, did:jwk and "
                     "https URLs)")


def issuer_key(method_id: Any, issuer: str, fetcher: Fetcher) -> Ed25519PublicKey:
    """The Ed25519 key of ``method_id`` (what EdDSA Data Integrity proofs need), checked to be the issuer's."""
    public = method_key(method_id, issuer, fetcher)
    if not isinstance(public, Ed25519PublicKey):
        raise KeyProblem(f"{method_id} is not an Ed25519 key (the proof's cryptosuite needs one)")
    return public


def _require_listed(method_id: str, listed: set[str], where: str) -> None:
    """The key may sign credentials only if ``where`` lists it under assertionMethod."""
    if method_id not in listed:
        known = ", ".join(sorted(listed)) or "none"
        raise KeyProblem(f"{method_id} is not listed in assertionMethod of {where} (listed: {known})")
