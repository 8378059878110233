"""Credential status: ``BitstringStatusListEntry``, ``StatusList2021Entry`` and ``1EdTechRevocationList``.

A bitstring status list credential is fetched (JSON with an embedded proof, or a VC-JWT),
must be issued by the credential's issuer and verify with a key of that issuer (any of its
keys: a list signed by another key of the same controller is fine), be unexpired, and hold a
list for the entry's purpose; then the entry's bit is read.

A ``1EdTechRevocationList`` entry (1EdTech Revocation List Status Method 1.0, which OB 3.0
and CLR 2.0 name) has only ``id``, the URL of the issuer's revocation list, and ``type``. The
list fetched there is plain JSON, unsigned: ``{"id", "issuer", "revokedCredentials": [{"id",
"revoked", "revocationReason"}]}``. It must name the credential's issuer; the credential is
revoked when its ``id`` is listed with ``revoked`` true or omitted. A list that is not of that
shape is refused, never read as "nothing revoked".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from site_builder.crypto import statuslist
from site_builder.crypto.proof import ProofError
from site_builder.verify import integrity, vcjwt
from site_builder.verify.common import as_list, has_type, node_id, parse_time
from site_builder.verify.extract import JWS
from site_builder.verify.fetch import Fetcher, FetchError
from site_builder.verify.limits import MAX_STATUS_LIST
from site_builder.verify.report import REVOKED
from site_builder.verify.resolve import KeyProblem, issuer_key

# entry type -> (list credential type, list type)
KINDS = {"BitstringStatusListEntry": ("BitstringStatusListCredential", "BitstringStatusList"),
         "StatusList2021Entry": ("StatusList2021Credential", "StatusList2021")}
REVOCATION_LIST = "1EdTechRevocationList"
SUPPORTED = "only BitstringStatusListEntry, StatusList2021Entry and 1EdTechRevocationList"


class StatusProblem(ValueError):
    """Why a status entry cannot be checked (the credential is then invalid)."""


def _fetch_list(url: Any, fetcher: Fetcher) -> tuple[dict[str, Any], str]:
    """(the status list credential, the JWT it came as or '')."""
    if not isinstance(url, str) or not url:
        raise StatusProblem(f"bad statusListCredential {url!r}")
    try:
        answer = fetcher.fetch(url.split("#", 1)[0])
        if answer.status != 200:
            raise FetchError(f"{url} answered HTTP {answer.status}")
        text = answer.body.decode("utf-8-sig", "replace").strip()
        if JWS.match(text):
            try:
                _, _, listing = vcjwt.unwrap(text)
            except ValueError as exc:
                raise FetchError(f"{url} serves a malformed JWT ({exc})") from exc
            return listing, text
        listing = answer.json()
    except FetchError as exc:
        raise StatusProblem(f"cannot fetch the status list: {exc}") from exc
    if not isinstance(listing, dict):
        raise StatusProblem(f"the status list {url} is not a JSON object")
    return listing, ""


def _check_list(listing: dict[str, Any], token: str, url: str, issuer: str, fetcher: Fetcher) -> None:
    if token:
        try:
            vcjwt.verify_token(token, issuer, fetcher)
        except (KeyProblem, ProofError, ValueError) as exc:
            raise StatusProblem(f"the status list {url} does not verify: {exc}") from exc
        return
    proof = integrity.first_supported(listing)
    if proof is None:
        raise StatusProblem(f"the status list {url} has no supported proof ({integrity.SUPPORTED})")
    try:
        integrity.check(listing, proof, issuer_key(proof.get("verificationMethod"), issuer, fetcher))
    except (KeyProblem, ProofError) as exc:
        raise StatusProblem(f"the status list {url} does not verify: {exc}") from exc


def _bits(subject: dict[str, Any], url: str) -> bytes:
    encoded = subject.get("encodedList", "")
    if isinstance(encoded, str) and not encoded.startswith("u"):
        encoded = "u" + encoded  # StatusList2021: plain base64url, no multibase prefix
    try:
        return statuslist.decode(encoded, MAX_STATUS_LIST)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusProblem(f"the status list {url} cannot be read: {exc}") from exc


def _fetch_revocation_list(url: Any, fetcher: Fetcher) -> dict[str, Any]:
    if not isinstance(url, str) or not url:
        raise StatusProblem(f"bad 1EdTechRevocationList id {url!r}: it must be the URL of the issuer's revocation list")
    try:
        answer = fetcher.fetch(url.split("#", 1)[0])
        if answer.status != 200:
            raise FetchError(f"{url} answered HTTP {answer.status}")
        listing = answer.json()
    except FetchError as exc:
        raise StatusProblem(f"cannot fetch the revocation list: {exc}") from exc
    if not isinstance(listing, dict):
        raise StatusProblem(f"the revocation list {url} is not a JSON object")
    return listing


def _revoked_credentials(listing: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """The list's ``revokedCredentials``, each checked: an object with an id, a boolean ``revoked``
    if any and a string ``revocationReason`` if any."""
    entries = listing.get("revokedCredentials")
    if not isinstance(entries, list):
        said = "has no revokedCredentials" if entries is None else "has a revokedCredentials that is not an array"
        raise StatusProblem(f"the revocation list {url} is malformed: it {said} (a list that revokes nothing "
                            "has an empty one)")
    for number, item in enumerate(entries):
        where = f"/revokedCredentials/{number}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise StatusProblem(f"the revocation list {url} is malformed: {where} is not an object with an id")
        if not isinstance(item.get("revoked", True), bool):
            raise StatusProblem(f"the revocation list {url} is malformed: {where}/revoked is "
                                f"{item['revoked']!r}, not true or false")
        if not isinstance(item.get("revocationReason", ""), str):
            raise StatusProblem(f"the revocation list {url} is malformed: {where}/revocationReason is not a string")
    return entries


def _check_revocation_list(entry: dict[str, Any], issuer: str, fetcher: Fetcher,
                           credential_id: Any) -> tuple[bool, str, str]:
    url = entry.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        return False, f"the credential has no id, so the revocation list {url} cannot name it", ""
    try:
        listing = _fetch_revocation_list(url, fetcher)
        named = node_id(listing.get("issuer"))
        if not named:
            raise StatusProblem(f"the revocation list {url} is malformed: it names no issuer")
        if named != issuer:
            raise StatusProblem(f"the revocation list {url} is issued by {named!r}, not {issuer}")
        entries = _revoked_credentials(listing, url)
    except StatusProblem as exc:
        return False, str(exc), ""
    listed = [item for item in entries if item["id"] == credential_id]
    revoked = [item for item in listed if item.get("revoked", True)]
    if revoked:
        reason = next((item["revocationReason"] for item in revoked if item.get("revocationReason")), "")
        return False, f"revoked by the issuer ({f'reason: {reason}; ' if reason else ''}listed in {url})", REVOKED
    said = "lists the credential with revoked: false" if listed else "does not list the credential"
    return True, f"revocation: the issuer's revocation list {url} {said} (an unsigned list, as served)", ""


def check_entry(entry: Any, issuer: str, fetcher: Fetcher, now: datetime,
                credential_id: Any = None) -> tuple[bool, str, str]:
    """(ok, message, fails_as) for one credentialStatus entry of the credential ``credential_id``;
    fails_as '' means invalid."""
    if has_type(entry, REVOCATION_LIST):
        return _check_revocation_list(entry, issuer, fetcher, credential_id)
    kind = next((k for k in KINDS if has_type(entry, k)), None)
    if kind is None:
        shown = entry.get("type") if isinstance(entry, dict) else entry
        return False, f"credentialStatus type {shown!r} is not supported ({SUPPORTED})", ""
    list_type, subject_type = KINDS[kind]
    purpose, url = entry.get("statusPurpose"), entry.get("statusListCredential")
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError) as exc:
        return False, f"bad statusListIndex {entry.get('statusListIndex')!r} ({exc})", ""
    if str(entry.get("statusSize", 1)) != "1":
        return False, "status entries with statusSize other than 1 are not supported", ""
    try:
        listing, token = _fetch_list(url, fetcher)
        if not has_type(listing, list_type):
            raise StatusProblem(f"{url} is not a {list_type}")
        if node_id(listing.get("issuer")) != issuer:
            raise StatusProblem(f"the status list {url} is issued by {node_id(listing.get('issuer'))!r}, not {issuer}")
        _check_list(listing, token, url, issuer, fetcher)
        until = listing.get("validUntil", listing.get("expirationDate"))
        try:
            if until and parse_time(until) < now:
                raise StatusProblem(f"the status list {url} expired at {until}")
        except ValueError as exc:
            raise StatusProblem(f"the status list {url} has an unreadable validUntil {until!r}") from exc
        subject = listing.get("credentialSubject")
        if not has_type(subject, subject_type) or purpose not in as_list(subject.get("statusPurpose")):
            raise StatusProblem(f"the status list {url} is not a {subject_type} for {purpose!r}")
        is_set = statuslist.is_set(_bits(subject, url), index)
    except StatusProblem as exc:
        return False, str(exc), ""
    except ValueError as exc:  # an index outside the list
        return False, f"the status list {url} cannot be read: {exc}", ""
    if not is_set:
        return True, f"{purpose}: bit {index} of {url} is clear (the list's proof verifies)", ""
    if purpose == "revocation":
        return False, f"revoked by the issuer (bit {index} of {url} is set)", REVOKED
    if purpose == "suspension":
        return False, f"suspended by the issuer (bit {index} of {url} is set)", ""
    return True, f"{purpose}: bit {index} of {url} is set (not a validity status)", ""
