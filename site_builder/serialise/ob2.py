"""Open Badges 2.0 hosted documents: Issuer Profile, BadgeClass, Assertion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from site_builder.model import Achievement, Alignment, Assertion, Evidence, Issuer
from site_builder.urls import Urls

CONTEXT = "https://w3id.org/openbadges/v2"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", None, [], ())}


def issuer(urls: Urls, item: Issuer) -> dict[str, Any]:
    return _compact({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": urls.document(item),
        "name": item.name,
        "url": item.url,
        "email": item.email,
        "description": item.description,
        "telephone": item.telephone,
        "image": urls.image(item) if item.image else "",
        # Project sites share their origin (user.github.io): only this site's URLs are ours.
        "verification": {"type": "VerificationObject", "startsWith": urls.base_url},
        "related": list(item.related),
    })


def _alignment(a: Alignment) -> dict[str, str]:
    return _compact({
        "targetName": a.target_name, "targetUrl": a.target_url,
        "targetDescription": a.target_description, "targetFramework": a.target_framework,
        "targetCode": a.target_code,
    })


def badge_class(urls: Urls, item: Achievement) -> dict[str, Any]:
    return _compact({
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": urls.document(item),
        "name": item.name,
        "description": item.description,
        "image": urls.image(item),
        "criteria": _compact({
            "id": item.criteria_url or urls.criteria(item),
            "narrative": item.criteria_narrative,
        }),
        "issuer": urls.document_of("issuers", item.issuer),
        "alignment": [_alignment(a) for a in item.alignments],
        "tags": list(item.tags),
        "related": [{"id": r} for r in item.related],
    })


def _evidence(e: Evidence) -> dict[str, str]:
    return _compact({
        "type": "Evidence", "id": e.id, "name": e.name, "description": e.description,
        "narrative": e.narrative, "genre": e.genre, "audience": e.audience,
    })


def assertion(urls: Urls, item: Assertion) -> dict[str, Any]:
    """The hosted Assertion; a revoked one is served stripped down to what revocation needs."""
    own_id = urls.document(item)
    if item.revoked:
        return _compact({
            "@context": CONTEXT, "id": own_id, "type": "Assertion", "revoked": True,
            "revocationReason": item.revocation_reason or "Revoked by the issuer",
        })
    return _compact({
        "@context": CONTEXT,
        "type": "Assertion",
        "id": own_id,
        "recipient": {
            "type": item.recipient.type, "hashed": True,
            "identity": item.recipient.identity, "salt": item.recipient.salt,
        },
        "badge": urls.document_of("achievements", item.achievement),
        "verification": {"type": "hosted"},
        "issuedOn": iso(item.issued_on),
        "expires": iso(item.expires) if item.expires else "",
        "narrative": item.narrative,
        "evidence": [_evidence(e) for e in item.evidence],
    })


