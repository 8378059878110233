"""Open Badges 3.0 OpenBadgeCredential (VC Data Model 2.0), unsigned, from the model.

Only 3.0 property names are used; the build checks that JSON-LD expansion drops nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from site_builder.crypto import statuslist
from site_builder.linkeddata.jsonld import OB_V3, VC_V2
from site_builder.model import Achievement, Assertion, Earner, Evidence, Issuer, Site
from site_builder.urls import Urls

CONTEXT = [VC_V2, OB_V3]


def utc(moment: datetime) -> str:
    """DateTimeZ: UTC with a Z, as the 3.0 data model asks."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", None, [], ())}


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def profile(urls: Urls, issuer: Issuer) -> dict[str, Any]:
    return _compact({
        "id": issuer.did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
        "description": issuer.description,
        "image": {"id": urls.image(issuer), "type": "Image"} if issuer.image else None,
    })


def achievement(urls: Urls, item: Achievement, issuer: Issuer) -> dict[str, Any]:
    return _compact({
        "id": urls.document(item),
        "type": ["Achievement"],
        "name": item.name,
        "description": item.description,
        "criteria": _compact({"id": item.criteria_url, "narrative": item.criteria_narrative}),
        "image": {"id": urls.image(item), "type": "Image"},
        "achievementType": item.achievement_type,
        "creditsAvailable": _number(item.credits_available),
        "tag": list(item.tags),
        "alignment": [_compact({
            "type": ["Alignment"], "targetName": a.target_name, "targetUrl": a.target_url,
            "targetDescription": a.target_description, "targetFramework": a.target_framework,
            "targetCode": a.target_code, "targetType": a.target_type,
        }) for a in item.alignments],
        "creator": profile(urls, issuer),
        "resultDescription": [_compact({
            "id": urls.result_description(item, d.key), "type": ["ResultDescription"], "name": d.name,
            "resultType": d.result_type, "allowedValue": list(d.allowed_values), "requiredValue": d.required_value,
            "valueMin": d.value_min, "valueMax": d.value_max,
        }) for d in item.result_descriptions],
    })


def _evidence(e: Evidence) -> dict[str, Any]:
    return _compact({"id": e.id, "type": ["Evidence"], "name": e.name, "description": e.description,
                     "narrative": e.narrative, "genre": e.genre, "audience": e.audience})


def credential_of(urls: Urls, site: Site, assertion: Assertion) -> dict[str, Any]:
    """The unsigned credential of an assertion of ``site`` (what issue-time signing signs, what builds expect)."""
    item = site.achievements[assertion.achievement]
    return credential(urls, assertion, item, site.issuers[item.issuer], site.earners.get(assertion.earner))


def status_list_of(urls: Urls, site: Site, issuer: Issuer, valid_from: str, number: int = 1) -> dict[str, Any]:
    """The unsigned revocation list ``number`` of ``issuer``: the bits of its revoked assertions in that list."""
    revoked = sorted(a.status_index for a in site.assertions_issued_by(issuer.slug)
                     if a.revoked and a.status_index is not None and a.status_list == number)
    return statuslist.list_credential(urls.status_list(issuer.slug, number), issuer.did, valid_from, revoked)


def credential(urls: Urls, assertion: Assertion, item: Achievement, issuer: Issuer,
               earner: Earner | None) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of one assertion."""
    list_url = urls.status_list(issuer.slug, assertion.status_list)
    subject = _compact({
        "type": ["AchievementSubject"],
        "identifier": [{
            "type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
            "identityHash": assertion.recipient.identity, "salt": assertion.recipient.salt,
        }],
        "name": earner.name if earner and earner.listed else "",
        "achievement": achievement(urls, item, issuer),
        "creditsEarned": _number(item.credits_available),
        "narrative": assertion.narrative,
        "result": [_compact({
            "type": ["Result"], "resultDescription": urls.result_description(item, r.description),
            "value": r.value, "status": r.status,
        }) for r in assertion.results],
    })
    return _compact({
        "@context": list(CONTEXT),
        "id": urls.credential(assertion),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile(urls, issuer),
        "validFrom": utc(assertion.reissued_on or assertion.issued_on),
        "validUntil": utc(assertion.expires) if assertion.expires else "",
        "awardedDate": utc(assertion.issued_on),
        "name": item.name,
        "description": item.description,
        "image": {"id": urls.image(item), "type": "Image"},
        "credentialSubject": subject,
        "evidence": [_evidence(e) for e in assertion.evidence],
        "credentialStatus": statuslist.entry(list_url, assertion.status_index)
        if assertion.status_index is not None else None,
    })
