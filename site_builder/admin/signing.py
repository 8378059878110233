"""Issue-time signing of Open Badges 3.0 content (never at build time: CI holds no key).

``sign_site`` allocates status-list indexes, signs every credential that is missing or no
longer matches its source, and re-signs an issuer's status list when revocations change.
The results are committed content: ``content/credentials/<id>.json``, ``content/status/<issuer>.json``.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from site_builder.admin import store
from site_builder.admin.awards import allocate, used_indexes
from site_builder.config import SiteConfig
from site_builder.crypto import keys as keylib
from site_builder.crypto import proof
from site_builder.errors import BadgesiteError
from site_builder.load import layout
from site_builder.model import Issuer, Site
from site_builder.serialise import dump, ob3
from site_builder.urls import Urls
from site_builder.validate import load_site

log = logging.getLogger(__name__)


@dataclass
class SignResult:
    signed: list[str] = field(default_factory=list)  # assertion uids
    status_lists: list[str] = field(default_factory=list)  # issuer slugs
    allocated: int = 0
    skipped_issuers: list[str] = field(default_factory=list)  # issuers without a DID (2.0 only)
    unsigned_issuers: list[str] = field(default_factory=list)  # of those, the ones with badges to sign


def key_file(config: SiteConfig, issuer: str, name: str, demo: bool) -> Path:
    folder = config.path("keys")
    return folder / f"PUBLIC-DEMO-KEY-{issuer}-{name}.json" if demo else folder / issuer / f"{name}.json"


def signing_key(config: SiteConfig, issuer: Issuer) -> keylib.KeyPair:
    """The issuer's newest key whose private half is on this machine."""
    if not issuer.keys:
        raise BadgesiteError(f"issuer {issuer.slug} has no key: run `badgesite keys new {issuer.slug}`")
    newest = issuer.keys[-1]
    path = key_file(config, issuer.slug, newest.name, newest.public_demo_key)
    if not path.is_file():
        raise BadgesiteError(f"{path}: the private key of {issuer.did}#{newest.name} is not on this machine "
                             "(signing happens where the key is kept)")
    key = keylib.read_key(path)
    if key.public_multibase != newest.multibase or key.id != f"{issuer.did}#{newest.name}":
        raise BadgesiteError(f"{path}: does not match the public key in content/issuers/{issuer.slug}.json")
    return key


def _unsigned(document: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: v for k, v in document.items() if k != "proof"} if document else None


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def allocate_indexes(config: SiteConfig, site: Site) -> int:
    """Give every assertion of a signing issuer a random free statusListIndex (written to content)."""
    count = 0
    used = {slug: used_indexes(site, slug) for slug in site.issuers}
    for a in site.assertions.values():
        issuer = site.issuers[site.achievements[a.achievement].issuer]
        if not issuer.did or a.status_index is not None:
            continue
        number, index = allocate(used[issuer.slug])
        path = layout.file(config, "assertions", a.uid)
        data = store.read(path)
        data["statusListIndex"] = str(index)
        if number > 1:
            data["statusList"] = number
        store.write(path, data)
        count += 1
    return count


def _sign_batch(args: tuple[dict[str, str], list[tuple[str, dict[str, Any]]], str]) -> list[tuple[str, bytes]]:
    key_json, documents, created = args
    key = keylib.KeyPair(key_json["id"], key_json["controller"], keylib.Ed25519PrivateKey.from_private_bytes(
        keylib.from_multibase(key_json["secretKeyMultibase"], keylib.ED25519_PRIV)))
    return [(name, dump(proof.sign(doc, key, created))) for name, doc in documents]


Documents = list[tuple[str, dict[str, Any]]]


def _sign_all(key: keylib.KeyPair, documents: Documents, created: str) -> list[tuple[str, bytes]]:
    """Sign on every core: canonicalisation is CPU-bound."""
    workers = min(os.cpu_count() or 1, max(1, len(documents) // 50))
    if workers <= 1:
        return _sign_batch((key.to_json(), documents, created))
    chunks = [documents[i::workers * 4] for i in range(workers * 4)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_sign_batch, [(key.to_json(), chunk, created) for chunk in chunks])
        return [item for batch in results for item in batch]


def sign_site(config: SiteConfig) -> SignResult:
    """Sign whatever is unsigned or stale. Needs the private keys of the issuers concerned."""
    result = SignResult()
    now = datetime.now(config.zone)
    site = load_site(config, now, report=False)
    result.allocated = allocate_indexes(config, site)
    if result.allocated:
        site = load_site(config, now, report=False)
    created = now_utc()
    urls = Urls(config.base_url)
    folder = layout.folder(config, layout.CREDENTIALS)
    for issuer in site.issuers.values():
        if not issuer.did:
            result.skipped_issuers.append(issuer.slug)
            if site.assertions_issued_by(issuer.slug):
                result.unsigned_issuers.append(issuer.slug)
            continue
        stale = []
        for a in site.assertions_issued_by(issuer.slug):
            expected = ob3.credential_of(urls, site, a)
            if _unsigned(store.read_or_none(folder / f"{a.uid}.json")) != expected:
                stale.append((a.uid, expected))
        stale_lists = []
        for number in site.status_lists_of(issuer.slug):
            current = store.read_or_none(layout.status_file(config, issuer.slug, number))
            expected_list = ob3.status_list_of(urls, site, issuer, (current or {}).get("validFrom", created), number)
            if _unsigned(current) != expected_list:
                stale_lists.append((number, expected_list))
        if not stale and not stale_lists:
            continue
        key = signing_key(config, issuer)
        folder.mkdir(parents=True, exist_ok=True)
        for uid, data in _sign_all(key, stale, created):
            path = folder / f"{uid}.json"
            store.write_bytes(path, data)
            result.signed.append(uid)
        for number, expected_list in stale_lists:
            expected_list["validFrom"] = created
            store.write_bytes(layout.status_file(config, issuer.slug, number),
                              dump(proof.sign(expected_list, key, created)))
            result.status_lists.append(issuer.slug if number == 1 else f"{issuer.slug} #{number}")
    return result
