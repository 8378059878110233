"""Stage 2: the model. Frozen dataclasses with their lookups; URLs and output paths are urls.py's."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
UID = re.compile(r"^[0-9a-f]{32,64}$")


@dataclass(frozen=True)
class Image:
    """An image from ``badges/``; ``data`` is what is served (SVGs sanitised)."""

    source: str  # path relative to badges/
    media_type: str  # image/png or image/svg+xml
    data: bytes
    digest: str
    width: int = 0
    height: int = 0

    @property
    def extension(self) -> str:
        return "svg" if self.media_type == "image/svg+xml" else "png"


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_description: str = ""
    target_framework: str = ""
    target_code: str = ""
    target_type: str = ""


@dataclass(frozen=True)
class ResultDescription:
    """A result an achievement records (OB 3.0); ``key`` is its fragment in the achievement's id."""

    key: str
    name: str
    result_type: str
    allowed_values: tuple[str, ...] = ()
    required_value: str = ""
    value_min: str = ""
    value_max: str = ""


@dataclass(frozen=True)
class Result:
    """An earner's result for one of the achievement's result descriptions."""

    description: str  # ResultDescription.key
    value: str = ""
    status: str = ""


@dataclass(frozen=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True)
class PublicKey:
    """An issuer's public signing key as published in its DID document."""

    name: str  # the fragment: <did>#<name>
    multibase: str
    public_demo_key: bool = False  # its private key is committed on purpose (the demo site)


@dataclass(frozen=True)
class Issuer:
    slug: str
    digest: str  # of the source file and its image's kind: what pages showing it read
    name: str
    url: str
    email: str
    description: str = ""
    image: Image | None = None
    telephone: str = ""
    related: tuple[str, ...] = ()  # ids this object had on another platform
    did: str = ""  # did:web, derived once from the base URL by `badgesite keys new`
    keys: tuple[PublicKey, ...] = ()


@dataclass(frozen=True)
class Achievement:
    slug: str
    digest: str
    name: str
    description: str
    image: Image
    issuer: str  # issuer slug
    criteria_narrative: str = ""
    criteria_url: str = ""
    alignments: tuple[Alignment, ...] = ()
    tags: tuple[str, ...] = ()
    credits_available: Decimal | None = None
    achievement_type: str = ""
    related: tuple[str, ...] = ()
    result_descriptions: tuple[ResultDescription, ...] = ()


@dataclass(frozen=True)
class Evidence:
    id: str = ""
    name: str = ""
    description: str = ""
    narrative: str = ""
    genre: str = ""
    audience: str = ""


@dataclass(frozen=True)
class Recipient:
    identity: str  # "sha256$" + hex
    salt: str
    type: str = "email"


@dataclass(frozen=True)
class Earner:
    slug: str
    digest: str
    name: str
    image: Image | None = None
    bio: str = ""
    links: tuple[Link, ...] = ()
    listed: bool = True
    identities: tuple[Recipient, ...] = ()


@dataclass(frozen=True)
class Assertion:
    uid: str
    digest: str
    achievement: str  # achievement slug
    recipient: Recipient
    issued_on: datetime
    earner: str = ""  # earner slug
    expires: datetime | None = None
    narrative: str = ""
    evidence: tuple[Evidence, ...] = ()
    revoked: bool = False
    revocation_reason: str = ""
    replaces: str = ""  # uid of the assertion this one corrects
    reissued_on: datetime | None = None  # when a correction was issued (award date stays)
    related: tuple[str, ...] = ()
    status_index: int | None = None  # index in the issuer's revocation status list
    results: tuple[Result, ...] = ()
    status_list: int = 1  # which of the issuer's status lists (1, 2, ...) holds status_index

    def status(self, now: datetime) -> str:
        """``revoked``, ``expired`` or ``valid`` as of ``now``."""
        if self.revoked:
            return "revoked"
        if self.expires is not None and self.expires <= now:
            return "expired"
        return "valid"


def _frozen(d: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(sorted(d.items())))


@dataclass(frozen=True)
class Site:
    """Everything loaded and cross-checked; the input of every later stage."""

    issuers: Mapping[str, Issuer]
    achievements: Mapping[str, Achievement]
    earners: Mapping[str, Earner]
    assertions: Mapping[str, Assertion]
    build_time: datetime
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("issuers", "achievements", "earners", "assertions"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def with_warnings(self, extra: tuple[str, ...]) -> Site:
        """The same site with more warnings (found by the validation stage)."""
        return replace(self, warnings=self.warnings + extra) if extra else self

    def _group(self, attribute: str) -> dict[str, list[Assertion]]:
        index: dict[str, list[Assertion]] = {}
        for a in self.assertions.values():
            index.setdefault(getattr(a, attribute), []).append(a)
        return index

    @cached_property
    def _by_achievement(self) -> dict[str, list[Assertion]]:
        return self._group("achievement")

    @cached_property
    def _by_earner(self) -> dict[str, list[Assertion]]:
        return self._group("earner")

    def assertions_of(self, achievement: str) -> list[Assertion]:
        return list(self._by_achievement.get(achievement, ()))

    def assertions_earned_by(self, earner: str) -> list[Assertion]:
        return list(self._by_earner.get(earner, ()))

    def assertions_issued_by(self, issuer: str) -> list[Assertion]:
        return [a for a in self.assertions.values() if self.achievements[a.achievement].issuer == issuer]

    def status_lists_of(self, issuer: str) -> list[int]:
        """The numbers of an issuer's status lists: 1, and every further one its assertions use."""
        return sorted({1} | {a.status_list for a in self.assertions_issued_by(issuer)})

    @cached_property
    def replaced_by(self) -> Mapping[str, str]:
        """uid of a corrected assertion -> uid of its replacement."""
        return MappingProxyType({a.replaces: a.uid for a in self.assertions.values() if a.replaces})


@dataclass(frozen=True)
class Signed:
    """Open Badges 3.0 outputs, checked by the validation stage: published as committed."""

    credentials: Mapping[str, bytes] = field(default_factory=dict)  # assertion uid -> signed credential
    status_lists: Mapping[tuple[str, int], bytes] = field(default_factory=dict)  # (issuer, list number) -> list
    did_documents: Mapping[str, bytes] = field(default_factory=dict)  # issuer slug -> DID document
    warnings: tuple[str, ...] = ()
