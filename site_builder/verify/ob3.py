"""Open Badges 3.0 (Verifiable Credentials) verification, after the OB 3.0 Verification section.

Checks, in order: the credential's shape; that JSON-LD expansion drops no term (a dropped
term is not signed, so it could say anything); the proof type (only DataIntegrityProof with
eddsa-rdfc-2022); that the proof's key belongs to the issuer; the signature; the Bitstring
Status List; validFrom/validUntil; and, when an email is given, the recipient's identifier.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld.jsonld import JsonLdError

from site_builder.crypto import proof as prooflib
from site_builder.crypto import statuslist
from site_builder.linkeddata.jsonld import CONTEXTS as CONTEXT_FILES
from site_builder.linkeddata.jsonld import dropped_terms
from site_builder.verify.common import as_list, has_type, hash_matches, node_id, parse_time, plain_matches, show
from site_builder.verify.fetch import Fetcher, FetchError, fetch_json
from site_builder.verify.limits import MAX_STATUS_LIST
from site_builder.verify.report import EXPIRED, REVOKED, Report
from site_builder.verify.resolve import KeyProblem, issuer_key

SUPPORTED = f"only DataIntegrityProof with cryptosuite {prooflib.CRYPTOSUITE} is supported"
VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")


def _name(value: Any) -> str:
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else ""
    return ""


def _describe(report: Report, credential: dict[str, Any]) -> str:
    """Fill in the badge and issuer names; return the issuer id."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    report.badge = _name(credential) or _name(achievement)
    issuer = node_id(credential.get("issuer"))
    name = _name(credential.get("issuer"))
    report.issuer = f"{name} ({issuer})" if name else issuer
    return issuer


def _shape(report: Report, credential: dict[str, Any], issuer: str) -> None:
    problems = []
    contexts = as_list(credential.get("@context"))
    if not contexts or contexts[0] not in VC_CONTEXTS:
        problems.append("the first @context must be the W3C credentials context")
    if not has_type(credential, "VerifiableCredential"):
        problems.append("type must include VerifiableCredential")
    if not has_type(credential, "OpenBadgeCredential", "AchievementCredential"):
        problems.append("type must include OpenBadgeCredential or AchievementCredential")
    if not issuer:
        problems.append("no issuer id")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or not (subject.get("id") or subject.get("identifier")):
        problems.append("credentialSubject must have an id or an identifier")
    if problems:
        report.fail("credential", "; ".join(problems))
    else:
        report.passed("credential", "an OpenBadgeCredential with an issuer and an identified subject")


def _terms(report: Report, credential: dict[str, Any]) -> None:
    unknown = [c for c in as_list(credential.get("@context")) if isinstance(c, str) and c not in shipped_contexts()]
    if unknown:
        report.fail("json-ld", f"unknown @context {', '.join(unknown)} (contexts are never fetched: only the "
                    "W3C, security and Open Badges contexts shipped with badgesite are known)")
        return
    try:
        dropped = dropped_terms(credential)
    except (JsonLdError, ValueError, TypeError, KeyError) as exc:
        report.fail("json-ld", f"JSON-LD expansion fails: {str(exc).splitlines()[0][:300]}")
        return
    if dropped:
        report.fail("json-ld", "terms not defined by the credential's @context (JSON-LD expansion drops them, "
                    f"so the proof does not cover them): {', '.join(dropped)}")
    else:
        report.passed("json-ld", "every term is defined by the credential's @context")


def _pick_proof(report: Report, credential: dict[str, Any]) -> dict[str, Any] | None:
    proofs = [p for p in as_list(credential.get("proof")) if isinstance(p, dict)]
    if not proofs:
        report.fail("proof", "the credential has no embedded proof")
        return None
    for candidate in proofs:
        if candidate.get("type") == "DataIntegrityProof" and candidate.get("cryptosuite") == prooflib.CRYPTOSUITE:
            method = candidate.get("verificationMethod")
            report.passed("proof", f"DataIntegrityProof ({prooflib.CRYPTOSUITE}) by {method}")
            return candidate
    kinds = ", ".join(sorted({f"{p.get('type')}" + (f"/{p['cryptosuite']}" if p.get("cryptosuite") else "")
                              for p in proofs}))
    report.fail("proof", f"proof type {kinds} is not supported: {SUPPORTED}")
    return None


@lru_cache(maxsize=1)
def shipped_contexts() -> frozenset[str]:
    """The JSON-LD context URLs shipped with badgesite (the only ones ever loaded)."""
    return frozenset(json.loads((CONTEXT_FILES / "index.json").read_text(encoding="utf-8")))


def check_signature(document: dict[str, Any], proof: dict[str, Any], public: Ed25519PublicKey) -> None:
    """``proof`` of ``document`` verifies with ``public``; ProofError (also for documents that
    cannot be canonicalised) if not."""
    try:
        prooflib.check(dict(document, proof=proof), public)
    except prooflib.ProofError:
        raise
    except (KeyError, TypeError, ValueError, SyntaxError) as exc:
        raise prooflib.ProofError(f"the document cannot be canonicalised ({exc})") from exc


def check_proof(document: dict[str, Any], proof: dict[str, Any], issuer: str, fetcher: Fetcher) -> None:
    """Verify ``proof`` of ``document`` with the issuer's key; KeyProblem or ProofError if not."""
    check_signature(document, proof, issuer_key(proof.get("verificationMethod"), issuer, fetcher))


def _signature(report: Report, credential: dict[str, Any], proof: dict[str, Any], issuer: str,
               fetcher: Fetcher) -> None:
    method = proof.get("verificationMethod")
    try:
        public = issuer_key(method, issuer, fetcher)
    except KeyProblem as exc:
        report.fail("key", str(exc))
        report.fail("signature", "not checked: no usable key of the issuer")
        return
    report.passed("key", f"{method} is a key of the issuer")
    try:
        check_signature(credential, proof, public)
    except prooflib.ProofError as exc:
        report.fail("signature", str(exc))
        return
    report.passed("signature", "the proof verifies: the credential is unchanged since the issuer signed it")


def _status_entry(entry: Any, issuer: str, fetcher: Fetcher, now: datetime) -> tuple[bool, str, str]:
    """(ok, message, fails_as) for one credentialStatus entry."""
    if not has_type(entry, "BitstringStatusListEntry"):
        kind = entry.get("type") if isinstance(entry, dict) else entry
        return False, f"credentialStatus type {kind!r} is not supported (only BitstringStatusListEntry)", "invalid"
    purpose, url = entry.get("statusPurpose"), entry.get("statusListCredential")
    try:
        index = int(entry.get("statusListIndex"))
        if str(entry.get("statusSize", 1)) != "1":
            return False, "status entries with statusSize other than 1 are not supported", "invalid"
        listing = fetch_json(fetcher, url)
    except (TypeError, ValueError) as exc:
        return False, f"bad statusListIndex {entry.get('statusListIndex')!r} ({exc})", "invalid"
    except FetchError as exc:
        return False, f"cannot fetch the status list: {exc}", "invalid"
    if not has_type(listing, "BitstringStatusListCredential"):
        return False, f"{url} is not a BitstringStatusListCredential", "invalid"
    if node_id(listing.get("issuer")) != issuer:
        return False, f"the status list {url} is issued by {node_id(listing.get('issuer'))!r}, not {issuer}", "invalid"
    proofs = [p for p in as_list(listing.get("proof")) if isinstance(p, dict)
              and p.get("type") == "DataIntegrityProof" and p.get("cryptosuite") == prooflib.CRYPTOSUITE]
    if not proofs:
        return False, f"the status list {url} has no supported proof ({SUPPORTED})", "invalid"
    try:
        check_proof(listing, proofs[0], issuer, fetcher)
    except (KeyProblem, prooflib.ProofError) as exc:
        return False, f"the status list {url} does not verify: {exc}", "invalid"
    until = listing.get("validUntil")
    try:
        if until and parse_time(until) < now:
            return False, f"the status list {url} expired at {until}", "invalid"
    except ValueError:
        return False, f"the status list {url} has an unreadable validUntil {until!r}", "invalid"
    subject = listing.get("credentialSubject")
    if not has_type(subject, "BitstringStatusList") or purpose not in as_list(subject.get("statusPurpose")):
        return False, f"the status list {url} is not a BitstringStatusList for {purpose!r}", "invalid"
    try:
        is_set = statuslist.is_set(statuslist.decode(subject.get("encodedList", ""), MAX_STATUS_LIST), index)
    except (ValueError, OSError, EOFError) as exc:
        return False, f"the status list {url} cannot be read: {exc}", "invalid"
    if not is_set:
        return True, f"{purpose}: bit {index} of {url} is clear (the list's proof verifies)", ""
    if purpose == "revocation":
        return False, f"revoked by the issuer (bit {index} of {url} is set)", REVOKED
    if purpose == "suspension":
        return False, f"suspended by the issuer (bit {index} of {url} is set)", "invalid"
    return True, f"{purpose}: bit {index} of {url} is set (not a validity status)", ""


def _status(report: Report, credential: dict[str, Any], issuer: str, fetcher: Fetcher, now: datetime) -> None:
    entries = as_list(credential.get("credentialStatus"))
    if not entries:
        report.passed("status", "no credentialStatus: the issuer cannot revoke this credential")
    for entry in entries:
        ok, message, fails_as = _status_entry(entry, issuer, fetcher, now)
        report.add("status", ok, message, fails_as or "invalid")


def _dates(report: Report, credential: dict[str, Any], now: datetime) -> None:
    for name, key, legacy in (("valid-from", "validFrom", "issuanceDate"),
                              ("valid-until", "validUntil", "expirationDate")):
        value = credential.get(key, credential.get(legacy))
        if value is None:
            report.passed(name, f"no {key}" if name == "valid-from" else "no validUntil: it does not expire")
            continue
        try:
            moment = parse_time(value)
        except ValueError:
            report.fail(name, f"{key} is not a date-time: {value!r}")
            continue
        if name == "valid-from" and moment > now:
            report.fail(name, f"not valid yet: validFrom {value} is after {show(now)}")
        elif name == "valid-until" and moment < now:
            report.fail(name, f"expired: validUntil {value} is before {show(now)}", EXPIRED)
        else:
            report.passed(name, f"{key} {value} (checked at {show(now)})")


def _recipient(report: Report, credential: dict[str, Any], email: str) -> None:
    subjects = [s for s in as_list(credential.get("credentialSubject")) if isinstance(s, dict)]
    for subject in subjects:
        if plain_matches(f"mailto:{email}", subject.get("id")):
            report.recipient = f"{email} matches the credential subject's id"
            report.passed("recipient", report.recipient)
            return
        for identifier in as_list(subject.get("identifier")):
            if not isinstance(identifier, dict) or identifier.get("identityType") != "emailAddress":
                continue
            value = identifier.get("identityHash")
            if not isinstance(value, str):
                continue
            hashed = identifier.get("hashed") is not False
            if (hash_matches(email, value, identifier.get("salt")) if hashed else plain_matches(email, value)):
                report.recipient = f"{email} matches the credential's {'hashed ' if hashed else ''}identifier"
                report.passed("recipient", report.recipient)
                return
    report.recipient = f"{email} does NOT match the credential's recipient"
    report.fail("recipient", f"the credential was not awarded to {email}")


def verify_credential(report: Report, credential: dict[str, Any], fetcher: Fetcher,
                      recipient: str | None, now: datetime) -> None:
    """Run every 3.0 check on ``credential``, adding them to ``report``."""
    report.version = "3.0"
    issuer = _describe(report, credential)
    _shape(report, credential, issuer)
    _terms(report, credential)
    proof = _pick_proof(report, credential)
    if proof is not None:
        _signature(report, credential, proof, issuer, fetcher)
    _status(report, credential, issuer, fetcher, now)
    _dates(report, credential, now)
    if recipient:
        _recipient(report, credential, recipient)
