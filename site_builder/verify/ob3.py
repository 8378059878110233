"""Open Badges 3.0 (Verifiable Credentials 2.0 and 1.1) verification, after the OB 3.0 Verification section.

Checks, in order: the credential's shape; that JSON-LD expansion drops no term (a dropped
term is not signed, so it could say anything); the proof (an embedded proof of a type
``integrity`` supports, or a VC-JWT, see ``vcjwt``); that its key belongs to the issuer; the
signature; the status lists (``status``); validFrom/validUntil (issuanceDate/expirationDate
in VC 1.1); and, when an email is given, the recipient's identifier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pyld.jsonld import JsonLdError

from site_builder.crypto.proof import ProofError
from site_builder.linkeddata.jsonld import dropped_terms
from site_builder.verify import contexts, integrity, vcjwt
from site_builder.verify.common import as_list, has_type, hash_matches, node_id, parse_time, plain_matches, show
from site_builder.verify.extract import jws_parts
from site_builder.verify.fetch import Fetcher
from site_builder.verify.report import EXPIRED, Report
from site_builder.verify.resolve import KeyProblem, issuer_key
from site_builder.verify.status import check_entry

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
    try:
        document = contexts.inlined(credential)
    except ValueError as exc:
        report.fail("json-ld", f"{exc}: contexts are never fetched, only the W3C, security, status list and "
                    "Open Badges contexts shipped with badgesite are known")
        return
    try:
        dropped = dropped_terms(document)
    except (JsonLdError, ValueError, TypeError, KeyError) as exc:
        report.fail("json-ld", f"JSON-LD expansion fails: {str(exc).splitlines()[0][:300]}")
        return
    if dropped:
        report.fail("json-ld", "terms not defined by the credential's @context (JSON-LD expansion drops them, "
                    f"so the proof does not cover them): {', '.join(dropped)}")
    else:
        report.passed("json-ld", "every term is defined by the credential's @context")


def _pick_proof(report: Report, credential: dict[str, Any]) -> dict[str, Any] | None:
    proofs = integrity.proofs_of(credential)
    if not proofs:
        report.fail("proof", "the credential has no embedded proof")
        return None
    chosen = integrity.first_supported(credential)
    if chosen is not None:
        report.passed("proof", f"{integrity.label(chosen)} by {chosen.get('verificationMethod')}")
        return chosen
    kinds = ", ".join(sorted({integrity.label(p) for p in proofs}))
    report.fail("proof", f"proof type {kinds} is not supported: {integrity.SUPPORTED}")
    return None


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
        integrity.check(credential, proof, public)
    except ProofError as exc:
        report.fail("signature", str(exc))
        return
    report.passed("signature", "the proof verifies: the credential is unchanged since the issuer signed it")


def _jwt_signature(report: Report, token: str, payload: dict[str, Any], credential: dict[str, Any],
                   issuer: str, fetcher: Fetcher) -> None:
    header = jws_parts(token)[0]
    problems = vcjwt.claim_problems(payload, credential)
    if problems:
        report.fail("proof", "; ".join(problems))
    else:
        report.passed("proof", f"a VC-JWT signed with {header.get('alg')} by "
                      f"{header.get('kid') or 'the jwk of its header'}")
    try:
        public = vcjwt.key_of(header, issuer, fetcher)
    except KeyProblem as exc:
        report.fail("key", str(exc))
        report.fail("signature", "not checked: no usable key of the issuer")
        return
    report.passed("key", f"{header.get('kid') or 'the jwk of the JWT header'} is a key of the issuer")
    try:
        vcjwt.check_signature(token, public)
    except ProofError as exc:
        report.fail("signature", str(exc))
        return
    report.passed("signature", "the JWT signature verifies: the credential is unchanged since the issuer signed it")


def _status(report: Report, credential: dict[str, Any], issuer: str, fetcher: Fetcher, now: datetime) -> None:
    entries = as_list(credential.get("credentialStatus"))
    if not entries:
        report.passed("status", "no credentialStatus: the issuer cannot revoke this credential")
    for entry in entries:
        ok, message, fails_as = check_entry(entry, issuer, fetcher, now, credential.get("id"))
        report.add("status", ok, message, fails_as or "invalid")


def _dates(report: Report, credential: dict[str, Any], now: datetime) -> None:
    """validFrom/validUntil (VC 2.0), or issuanceDate/expirationDate (VC 1.1)."""
    for name, modern, legacy in (("valid-from", "validFrom", "issuanceDate"),
                                 ("valid-until", "validUntil", "expirationDate")):
        key = modern if modern in credential or legacy not in credential else legacy
        value = credential.get(key)
        if value is None:
            report.passed(name, f"no {key}" if name == "valid-from" else "no validUntil: it does not expire")
            continue
        try:
            moment = parse_time(value)
        except ValueError:
            report.fail(name, f"{key} is not a date-time: {value!r}")
            continue
        if name == "valid-from" and moment > now:
            report.fail(name, f"not valid yet: {key} {value} is after {show(now)}")
        elif name == "valid-until" and moment < now:
            report.fail(name, f"expired: {key} {value} is before {show(now)}", EXPIRED)
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
    """Run every 3.0 check on ``credential`` (with an embedded proof), adding them to ``report``."""
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


def verify_jwt(report: Report, token: str, fetcher: Fetcher, recipient: str | None, now: datetime) -> None:
    """Run every 3.0 check on a VC-JWT: the JWS signs the JSON itself, so JSON-LD terms need no check."""
    report.version = "3.0"
    try:
        _, payload, credential = vcjwt.unwrap(token)
    except ValueError as exc:
        report.fail("credential", f"the JWT holds no credential: {exc}")
        return
    issuer = _describe(report, credential)
    _shape(report, credential, issuer)
    report.passed("json-ld", "not needed: the JWT signature covers the credential's JSON as it is")
    _jwt_signature(report, token, payload, credential, issuer, fetcher)
    _status(report, credential, issuer, fetcher, now)
    _dates(report, credential, now)
    if recipient:
        _recipient(report, credential, recipient)
