"""Open Badges 2.0 verification: hosted assertions and signed (JWS, RS256) assertions.

Hosted: the assertion's ``id`` is fetched and what it serves is the truth (a given copy must
equal it); its BadgeClass and issuer Profile are fetched and the issuer's verification policy
(``startsWith``, ``allowedOrigins``, default same origin) must cover the assertion's id.
Signed: the JWS must verify with a ``publicKey`` of the issuer (the ``creator`` if named), and
the assertion must not be in the issuer's ``revocationList``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from site_builder.verify.common import as_list, has_type, hash_matches, node_id, origin, parse_time, plain_matches, show
from site_builder.verify.fetch import Fetcher, FetchError, fetch_json
from site_builder.verify.jws import check_header, check_signature
from site_builder.verify.report import EXPIRED, REVOKED, Report

HOSTED, SIGNED = ("hosted", "HostedBadge"), ("signed", "SignedBadge")


def _verification_type(assertion: dict[str, Any]) -> str:
    verification = assertion.get("verification", assertion.get("verify"))
    return str(verification.get("type", "")) if isinstance(verification, dict) else ""


def _shape(report: Report, assertion: dict[str, Any], kinds: tuple[str, ...]) -> bool:
    problems = []
    if not has_type(assertion, "Assertion"):
        problems.append("type must be Assertion")
    if not isinstance(assertion.get("recipient"), dict):
        problems.append("no recipient")
    if not node_id(assertion.get("badge")):
        problems.append("no badge")
    if not assertion.get("issuedOn"):
        problems.append("no issuedOn")
    if _verification_type(assertion) not in kinds:
        problems.append(f"verification type must be {kinds[0]}, got {_verification_type(assertion)!r}")
    if problems:
        return report.fail("assertion", "; ".join(problems))
    return report.passed("assertion", f"an Open Badges 2.0 Assertion with {kinds[0]} verification")


def _linked(report: Report, fetcher: Fetcher, ref: Any, check: str, label: str) -> dict[str, Any] | None:
    """A linked node, fetched (or embedded), whose served id must be the URL it came from."""
    try:
        node = ref if isinstance(ref, dict) else fetch_json(fetcher, ref)
    except FetchError as exc:
        report.fail(check, f"cannot fetch the {label}: {exc}")
        return None
    if isinstance(ref, str) and node.get("id") != ref:
        report.fail(check, f"{ref} serves a {label} with id {node.get('id')!r}")
        return None
    return node


def _badge_and_issuer(report: Report, assertion: dict[str, Any],
                      fetcher: Fetcher) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Fetch (or take embedded) the BadgeClass and its issuer Profile."""
    badge_ref = assertion.get("badge")
    badge = _linked(report, fetcher, badge_ref, "badge", "BadgeClass")
    if badge is None:
        return None
    report.badge = str(badge.get("name", ""))
    if not has_type(badge, "BadgeClass") or not badge.get("name"):
        report.fail("badge", f"{node_id(badge_ref)} is not a BadgeClass with a name")
        return None
    report.passed("badge", f"BadgeClass {node_id(badge) or '(embedded)'}")
    issuer_ref = badge.get("issuer")
    issuer = _linked(report, fetcher, issuer_ref, "issuer", "Profile")
    if issuer is None:
        return None
    name, issuer_id = str(issuer.get("name", "")), node_id(issuer) or node_id(issuer_ref)
    report.issuer = f"{name} ({issuer_id})" if name else issuer_id
    if not has_type(issuer, "Issuer", "Profile") or not name:
        report.fail("issuer", f"{issuer_id} is not an issuer Profile with a name")
        return None
    report.passed("issuer", f"issuer Profile {issuer_id}")
    return badge, issuer


def _policy(report: Report, assertion_id: str, badge: dict[str, Any], issuer: dict[str, Any]) -> None:
    verification = issuer.get("verification")
    verification = verification if isinstance(verification, dict) else {}
    starts = [s for s in as_list(verification.get("startsWith")) if isinstance(s, str)]
    origins = [o for o in as_list(verification.get("allowedOrigins")) if isinstance(o, str)]
    if starts:
        ok = any(assertion_id.startswith(s) for s in starts)
        report.add("policy", ok, f"the assertion id {'starts' if ok else 'does not start'} with the issuer's "
                   f"verification.startsWith ({', '.join(starts)})")
    elif origins:
        host = urlsplit(assertion_id).hostname or ""
        ok = host in origins
        report.add("policy", ok, f"the assertion's host {host} is {'' if ok else 'not '}among the issuer's "
                   f"verification.allowedOrigins ({', '.join(origins)})")
    else:
        home = origin(node_id(issuer))
        strays = [i for i in (assertion_id, node_id(badge)) if i and origin(i) != home]
        report.add("policy", not strays, "assertion and BadgeClass are on the issuer's origin " + home if not strays
                   else f"{', '.join(strays)} is not on the issuer's origin {home} (the issuer declares no "
                   "verification policy, so the same origin is required)")


def _dates(report: Report, assertion: dict[str, Any], now: datetime) -> None:
    try:
        issued = parse_time(assertion.get("issuedOn"))
    except ValueError:
        report.fail("issued-on", f"issuedOn is not a date: {assertion.get('issuedOn')!r}")
    else:
        report.add("issued-on", issued <= now, f"issuedOn {assertion['issuedOn']}"
                   + ("" if issued <= now else f" is in the future (after {show(now)})"))
    expires = assertion.get("expires")
    if not expires:
        report.passed("expires", "no expiry date")
        return
    try:
        moment = parse_time(expires)
    except ValueError:
        report.fail("expires", f"expires is not a date: {expires!r}")
        return
    if moment < now:
        report.fail("expires", f"expired: expires {expires} is before {show(now)}", EXPIRED)
    else:
        report.passed("expires", f"expires {expires} (checked at {show(now)})")


def _recipient(report: Report, assertion: dict[str, Any], email: str) -> None:
    recipient = assertion.get("recipient")
    recipient = recipient if isinstance(recipient, dict) else {}
    identity, kind = recipient.get("identity"), recipient.get("type", "email")
    if kind != "email":
        report.recipient = f"not checked: the recipient is identified by {kind!r}, not an email"
        report.fail("recipient", report.recipient)
        return
    hashed = recipient.get("hashed") is True
    ok = (hash_matches(email, identity, recipient.get("salt")) if hashed and isinstance(identity, str)
          else not hashed and plain_matches(email, identity))
    verdict = "matches" if ok else "does NOT match"
    report.recipient = f"{email} {verdict} the assertion's {'hashed ' if hashed else ''}recipient"
    report.add("recipient", ok, report.recipient if ok else f"the badge was not awarded to {email}")


def _revoked_served(report: Report, served: dict[str, Any] | None, status: int) -> None:
    reason = served.get("revocationReason") if isinstance(served, dict) else None
    why = f" (reason: {reason})" if reason else ""
    report.fail("revocation", f"revoked by the issuer{why}" + (" [HTTP 410 Gone]" if status == 410 else ""), REVOKED)
    report.recipient = "not checked: the badge is revoked"


def verify_hosted(report: Report, fetcher: Fetcher, url: str, given: dict[str, Any] | None,
                  recipient: str | None, now: datetime) -> None:
    """A hosted assertion from its URL, or from a copy (JSON, baked) whose ``id`` is fetched."""
    report.version = "2.0"
    if given is not None:
        if _verification_type(given) in SIGNED:
            report.fail("assertion", "a SignedBadge assertion must be given as its JWS, not as plain JSON")
            return
        url = node_id(given)
    if not url.startswith(("https://", "http://")):
        report.fail("hosted", f"the assertion id {url!r} is not a URL, so it cannot be hosted")
        return
    try:
        answer = fetcher.fetch(url)
    except FetchError as exc:
        report.fail("hosted", str(exc))
        return
    try:
        served = answer.json() if answer.body else None
    except FetchError:
        served = None
    if answer.status == 410 or isinstance(served, dict) and served.get("revoked") is True:
        report.passed("hosted", f"{url} answers (HTTP {answer.status})")
        _revoked_served(report, served, answer.status)
        return
    if answer.status != 200 or not isinstance(served, dict):
        report.fail("hosted", f"{url} does not serve the assertion (HTTP {answer.status})")
        return
    if served.get("id") != url:
        report.fail("hosted", f"{url} serves an assertion with id {served.get('id')!r}")
    else:
        same = given is not None and served == given
        report.passed("hosted", f"{url} serves {'this very' if same else 'the'} assertion")
        if given is not None and served != given:
            # OB 2.0 Verification: the input only identifies the hosted URL; what it serves is the assertion.
            changed = sorted(k for k in set(served) | set(given) if served.get(k) != given.get(k))
            report.warn(f"the given copy differs from what its issuer serves at {url} (in: {', '.join(changed)}); "
                        "the hosted assertion was verified")
    if not _shape(report, served, HOSTED):
        return
    found = _badge_and_issuer(report, served, fetcher)
    if found:
        _policy(report, url, *found)
    report.passed("revocation", "not revoked (the hosted assertion is served without revoked: true)")
    _dates(report, served, now)
    if recipient:
        _recipient(report, served, recipient)


def _revocation_list(report: Report, assertion: dict[str, Any], issuer: dict[str, Any], fetcher: Fetcher) -> None:
    url = node_id(issuer.get("revocationList"))
    if not url:
        report.passed("revocation", "the issuer publishes no revocationList")
        return
    try:
        listing = fetch_json(fetcher, url)
    except FetchError as exc:
        report.fail("revocation", f"cannot fetch the issuer's revocationList: {exc}")
        return
    ids = {node_id(assertion), str(assertion.get("uid", ""))} - {""}
    for entry in as_list(listing.get("revokedAssertions")):
        if node_id(entry) in ids or isinstance(entry, dict) and entry.get("uid") in ids:
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            report.fail("revocation", f"revoked by the issuer{f' (reason: {reason})' if reason else ''}", REVOKED)
            return
    report.passed("revocation", f"not in the issuer's revocationList {url}")


def verify_signed(report: Report, fetcher: Fetcher, token: str, assertion: dict[str, Any],
                  recipient: str | None, now: datetime) -> None:
    """A JWS-signed assertion: header, assertion, badge, issuer key, signature, revocation list."""
    report.version = "2.0"
    if not check_header(report, token):
        return
    if not isinstance(assertion, dict) or not assertion:
        report.fail("assertion", "the JWS payload is not a JSON object")
        return
    if not _shape(report, assertion, SIGNED):
        return
    found = _badge_and_issuer(report, assertion, fetcher)
    if found is None:
        report.fail("signature", "not checked: no issuer Profile to take the key from")
        return
    _, issuer = found
    verification = assertion.get("verification", assertion.get("verify"))
    creator = node_id(verification.get("creator")) if isinstance(verification, dict) else ""
    check_signature(report, token, issuer, creator, fetcher)
    _revocation_list(report, assertion, issuer, fetcher)
    _dates(report, assertion, now)
    if recipient:
        _recipient(report, assertion, recipient)
