"""One reader per content kind (2.0 and 3.0 vocabularies): a JSON object -> a model record + diagnostics."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from site_builder.config import SiteConfig
from site_builder.crypto.statuslist import LIST_SIZE
from site_builder.errors import Diagnostic
from site_builder.load.fields import Fields, is_url
from site_builder.load.images import ImageProblem, load_image
from site_builder.load.jsonsource import JsonSource
from site_builder.load.references import Index, identity
from site_builder.model import (
    SLUG,
    Achievement,
    Alignment,
    Assertion,
    Earner,
    Evidence,
    Image,
    Issuer,
    Link,
    PublicKey,
    Recipient,
    Result,
    ResultDescription,
)

log = logging.getLogger(__name__)

TYPES = {
    "issuers": {"Issuer", "Profile"},
    "achievements": {"BadgeClass", "Achievement"},
    "assertions": {"Assertion", "OpenBadgeCredential", "AchievementCredential"},
    "earners": {"Profile", "Person", "Earner"},
}
KNOWN = {
    "issuers": "name url email description image telephone verification did keys",
    "achievements": "name description image issuer creator criteria alignment tags tag "
                    "creditsAvailable achievementType resultDescription",
    "assertions": "badge earner recipient issuedOn expires narrative evidence revoked "
                  "revocationReason replaces reissuedOn verification statusListIndex statusList "
                  "credentialSubject validFrom validUntil awardedDate name description image issuer results",
    "earners": "name image bio links listed identities",
}
COMMON = {"@context", "id", "type", "@language", "related"}


RESULT_TYPES = {"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore",
                "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status"}
RESULT_STATUSES = {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}


class Run:
    """State of one load: config, the index of ids, diagnostics, warnings, image cache."""

    def __init__(self, config: SiteConfig, now: datetime) -> None:
        self.config, self.now = config, now
        self.result_refs: list[tuple[JsonSource, str, str, str]] = []  # checked once achievements exist
        self.diags: list[Diagnostic] = []
        self.warnings: list[str] = []
        self.images: dict[str, Image] = {}
        self.index = Index(config.base_url, config.path("content"))

    def warn(self, source: JsonSource, pointer: str, message: str) -> None:
        text = str(source.diag(pointer, message))
        log.warning("warning: %s", text)
        self.warnings.append(text)

    def image(self, f: Fields, key: str, required: bool) -> Image | None:
        value = f.raw(key)
        if isinstance(value, dict):  # OB 3.0 Image object
            value = value.get("id")
        if value is None:
            if required:
                f.error(key, f"missing required field {key!r}")
            return None
        if not isinstance(value, str) or not value.strip():
            f.error(key, f"{key!r} must name a file in badges/")
            return None
        if is_url(value) or value.startswith("data:"):
            f.error(key, f"remote image {value[:80]!r}: download the file into badges/ and "
                         "give its path relative to badges/ here")
            return None
        badges = self.config.path("badges")
        path = (badges / value).resolve()
        if not path.is_relative_to(badges):
            f.error(key, f"image path {value!r} escapes badges/")
            return None
        rel = path.relative_to(badges).as_posix()
        if rel not in self.images:
            try:
                self.images[rel] = load_image(path, rel, self.config.max_image_bytes)
            except ImageProblem as exc:
                f.error(key, str(exc))
                return None
        return self.images[rel]

    def header(self, kind: str, source: JsonSource, f: Fields) -> tuple[str, ...]:
        """Check ``type`` and ``id`` and unknown keys; returns related (off-site) ids."""
        types = f.raw("type")
        names = [types] if isinstance(types, str) else types if isinstance(types, list) else None
        if types is not None and (names is None or not any(t in TYPES[kind] for t in names)):
            f.error("type", f"unknown type {types!r} for content/{kind}/ "
                            f"(expected {' or '.join(sorted(TYPES[kind]))})")
        for key in sorted(set(f.data) - COMMON - set(KNOWN[kind].split())):
            self.warn(source, f.ptr(key), f"unknown field {key!r} ignored")
        own = self.index.own_id(kind, source.stem)
        given = f.raw("id")
        related = tuple(f.strings("related"))
        if given is None or given == own:
            return related
        if not isinstance(given, str) or not is_url(given):
            f.error("id", f"'id' must be an http(s) URL, got {given!r}")
        elif given.startswith(self.config.base_url):
            f.error("id", f"id {given!r} does not match this file; its id is {own!r} (or omit 'id')")
        else:
            self.warn(source, "/id", f"off-site id {given!r} replaced by {own!r} "
                                     "(kept as a related identifier)")
            return (given, *related)
        return related


def _digest(source: JsonSource, *images: Image | None) -> str:
    """What pages showing the object read of it: its file, and the kind of its image (which names the
    image's URL). The image's bytes are read only by the image's own output, through image.digest."""
    h = hashlib.sha256(source.raw)
    for image in images:
        h.update(image.media_type.encode() if image else b"-")
    return h.hexdigest()[:32]


def _issuer(run: Run, src: JsonSource, f: Fields, related: tuple[str, ...]) -> Issuer:
    if f.has("verification"):
        run.warn(src, "/verification", "the issuer's verification policy is derived "
                                       "(startsWith the site's base_url); this one is ignored")
    image = run.image(f, "image", required=False)
    email = f.text("email", required=True)
    if email and "@" not in email:
        f.error("email", f"'email' must be an email address, got {email!r}")
    did = f.text("did")
    if did and not did.startswith("did:web:"):
        f.error("did", f"'did' must be a did:web identifier, got {did!r}")
    keys = []
    for k in f.objects("keys"):
        name = k.text("name", True) if k.ok else ""
        if name and not SLUG.match(name):  # it names a file in keys/ and a fragment of the DID
            k.error("name", f"a key name must be a slug like 'key-1', got {name[:40]!r}")
        elif k.ok:
            keys.append(PublicKey(name, k.text("publicKeyMultibase", True), k.flag("publicDemoKey")))
    if keys and not did:
        f.error("keys", "'keys' without a 'did': run `badgesite keys new` to set both")
    return Issuer(src.stem, _digest(src, image), f.text("name", True), f.url("url", True),
                  email, f.text("description"), image, f.text("telephone"), related, did, tuple(keys))


def _achievement(run: Run, src: JsonSource, f: Fields, related: tuple[str, ...]) -> Achievement:
    image = run.image(f, "image", required=True)
    issuer = run.index.resolve(f, "issuer" if f.has("issuer") or not f.has("creator") else "creator",
                               "issuers")
    criteria = f.sub("criteria") if f.has("criteria") else None
    narrative = url = ""
    if criteria is None:
        f.error("criteria", "missing required field 'criteria'")
    elif criteria.ok:
        narrative, url = criteria.text("narrative"), criteria.url("id")
        if not (narrative or url):
            criteria.error("", "criteria needs a 'narrative' or an 'id' URL")
    aligns = tuple(
        Alignment(a.text("targetName", True), a.url("targetUrl", True), a.text("targetDescription"),
                  a.text("targetFramework"), a.text("targetCode"), a.text("targetType"))
        for a in f.objects("alignment") if a.ok
    )
    descriptions = []
    for n, r in enumerate(f.objects("resultDescription"), start=1):
        if not r.ok:
            continue
        key = r.text("id") or f"result-{n}"
        if not SLUG.match(key):
            r.error("id", f"a result description's 'id' must be a slug (#id of the achievement), got {key!r}")
        kind = r.text("resultType", True)
        if kind and kind not in RESULT_TYPES and not kind.startswith("ext:"):
            r.error("resultType", f"unknown resultType {kind!r} (one of {', '.join(sorted(RESULT_TYPES))}, or ext:...)")
        descriptions.append(ResultDescription(key, r.text("name", True), kind, r.strings("allowedValue"),
                                              r.text("requiredValue"), r.text("valueMin"), r.text("valueMax")))
    return Achievement(
        src.stem, _digest(src, image), f.text("name", True), f.text("description", True),
        image, issuer, narrative, url, aligns, f.strings("tags") + f.strings("tag"),  # type: ignore[arg-type]
        f.number("creditsAvailable"), f.text("achievementType"), related, tuple(descriptions),
    )


def _earner(run: Run, src: JsonSource, f: Fields, related: tuple[str, ...]) -> Earner:
    image = run.image(f, "image", required=False)
    links = tuple(Link(x.text("name", True), x.url("url", True)) for x in f.objects("links") if x.ok)
    ids = tuple(Recipient(i[1], i[2], i[0]) for x in f.objects("identities") if (i := identity(x, "earner")))
    return Earner(src.stem, _digest(src, image), f.text("name", True), image, f.text("bio"),
                  links, f.flag("listed", True), ids)


def _is_credential(f: Fields) -> bool:
    types = f.raw("type")
    return bool({"OpenBadgeCredential", "AchievementCredential"} & set(types if isinstance(types, list) else [types]))


def _assertion(run: Run, src: JsonSource, f: Fields, related: tuple[str, ...]) -> Assertion | None:
    """An assertion in 2.0 words, or an unsigned 3.0 OpenBadgeCredential mapped onto one."""
    zone = run.config.zone
    earner = run.index.resolve(f, "earner", "earners", required=False)
    if _is_credential(f):
        subject = f.sub("credentialSubject")
        achievement = run.index.resolve(subject, "achievement", "achievements") if subject.ok else ""
        ids = subject.objects("identifier") if subject.ok else []
        recipient = identity(ids[0], "recipient") if ids else None
        if subject.ok and not ids:
            subject.error("identifier", "missing required field 'identifier' (the hashed email IdentityObject)")
        issued = f.when("awardedDate" if f.has("awardedDate") else "validFrom", zone, required=True)
        expires = f.when("validUntil", zone)
        narrative = subject.text("narrative") if subject.ok else ""
    else:
        achievement = run.index.resolve(f, "badge", "achievements")
        recipient = identity(f.sub("recipient"), "recipient") if f.has("recipient") else None
        if not f.has("recipient"):
            f.error("recipient", "missing required field 'recipient'")
        issued, expires = f.when("issuedOn", zone, required=True), f.when("expires", zone)
        narrative = f.text("narrative")
    if issued and expires and expires <= issued:
        f.error("validUntil" if f.has("validUntil") else "expires", "'expires' must be after 'issuedOn'")
    if issued and issued > max(run.now, datetime.now(zone)):  # the real clock, as verifiers use
        f.error("issuedOn", f"'issuedOn' {issued.isoformat()} is in the future")
    verification = f.sub("verification") if f.has("verification") else None
    if verification and verification.ok and verification.text("type") not in ("hosted", "HostedBadge"):
        verification.error("type", "only hosted verification is supported (or omit 'verification')")
    evidence = tuple(
        Evidence(e.url("id"), e.text("name"), e.text("description"), e.text("narrative"),
                 e.text("genre"), e.text("audience"))
        for e in f.objects("evidence") if e.ok
    )
    replaces = run.index.resolve(f, "replaces", "assertions", required=False)
    revoked = f.flag("revoked")
    reason = f.text("revocationReason")
    if reason and not revoked:
        f.error("revocationReason", "'revocationReason' given but 'revoked' is not true")
    results = []
    for r in (subject if _is_credential(f) and subject.ok else f).objects("result" if _is_credential(f) else "results"):
        if r.ok:
            status = r.text("status")
            if status and status not in RESULT_STATUSES:
                r.error("status", f"unknown status {status!r} (one of {', '.join(sorted(RESULT_STATUSES))})")
            described = r.text("resultDescription", True)
            results.append(Result(described.rsplit("#", 1)[-1], r.text("value"), status))
            run.result_refs.append((src, r.ptr("resultDescription"), achievement, results[-1].description))
    status_list = f.raw("statusList") if f.has("statusList") else 1
    if type(status_list) is not int or not 1 <= status_list <= 9999:
        f.error("statusList", f"'statusList' must be a whole number from 1 (the issuer's first list), "
                              f"got {str(status_list)[:20]!r}")
        status_list = 1
    index = f.text("statusListIndex")
    if index and not (index.isdigit() and int(index) < LIST_SIZE):
        f.error("statusListIndex", f"'statusListIndex' must be a base-10 string below {LIST_SIZE}, got {index!r}")
        index = ""
    if not (achievement and recipient and issued):
        return None
    return Assertion(
        src.stem, _digest(src), achievement, Recipient(recipient[1], recipient[2], recipient[0]),
        issued, earner, expires, narrative, evidence, revoked, reason, replaces,
        f.when("reissuedOn", zone), related, int(index) if index else None, tuple(results), status_list,
    )


READERS: dict[str, Callable[..., object]] = {
    "issuers": _issuer, "achievements": _achievement, "earners": _earner, "assertions": _assertion,
}
