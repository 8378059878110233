"""Admin commands that change content: issue, revoke, reissue, unpublish.

They write content files (never output/). Emails are hashed before anything is written;
plaintext goes only to the git-ignored mail-merge list in ``rosters/``.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from site_builder.admin import store
from site_builder.admin.roster import EMAIL, RosterRow, append_mail_merge
from site_builder.config import SiteConfig
from site_builder.crypto.recipients import matches, new_identity, normalise_email
from site_builder.crypto.statuslist import LIST_SIZE
from site_builder.errors import BadgesiteError
from site_builder.load import layout
from site_builder.load.fields import EARLIEST, LATEST, is_url
from site_builder.model import UID, Site
from site_builder.urls import Urls
from site_builder.validate import load_site
from site_builder.validate.graph import EMAIL_LIKE

log = logging.getLogger(__name__)


@dataclass
class IssueResult:
    created: list[Path] = field(default_factory=list)
    skipped: list[RosterRow] = field(default_factory=list)
    mail_merge: Path | None = None


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return slug or "earner"


def _today(config: SiteConfig) -> str:
    return datetime.now(config.zone).date().isoformat()


def _check_date(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise BadgesiteError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from exc
    if not EARLIEST <= day <= LATEST:  # what the loader accepts: refused before anything is written
        raise BadgesiteError(f"{what} must be a date from {EARLIEST} to {LATEST}, got {value!r}")
    return day.isoformat()


def _achievement_slug(site: Site, ref: str) -> str:
    slug = Path(ref).stem if ref.endswith(".json") else ref
    if slug not in site.achievements:
        known = ", ".join(site.achievements) or "none"
        raise BadgesiteError(f"no achievement {ref!r} (known: {known})")
    return slug


def issue(config: SiteConfig, achievement: str, rows: list[RosterRow],
          issued: str | None = None, expires: str | None = None) -> IssueResult:
    """Write one assertion per new row (and earner files for new earners)."""
    site = load_site(config, datetime.now(config.zone), report=False)
    slug = _achievement_slug(site, achievement)
    issued_on = _check_date(issued, "--date") or _today(config)
    expires_on = _check_date(expires, "--expires")
    # Who already exists can only be found by re-hashing with each stored salt; people met
    # earlier in this same run are remembered by their email, in memory only.
    earner_ids = [(i, e.slug) for e in site.earners.values() for i in e.identities]
    held = [a.recipient for a in site.assertions_of(slug) if not a.revoked]
    taken = set(site.earners)
    issuer = site.issuers[site.achievements[slug].issuer]
    used = used_indexes(site, issuer.slug)
    urls = Urls(config.base_url)
    run_earners: dict[str, str] = {}
    run_issued: set[str] = set()
    result, merge_rows = IssueResult(), []
    for number, row in enumerate(rows, start=1):  # every row is checked before anything is written
        check_row(row, f"row {number}" if len(rows) > 1 else "")
    for row in rows:
        email = normalise_email(row.email)
        if email in run_issued or any(matches(email, r) for r in held):
            result.skipped.append(row)
            continue
        earner = run_earners.get(email) or next((slug for ident, slug in earner_ids if matches(email, ident)), "")
        if not earner:
            earner = base = _slugify(row.name)
            n = 2
            while earner in taken:
                earner, n = f"{base}-{n}", n + 1
            taken.add(earner)
            ident = new_identity(email)
            store.write(layout.file(config, "earners", earner), {
                "name": row.name.strip(),
                "listed": True,
                "identities": [{"type": "email", "hashed": True, "identity": ident.identity, "salt": ident.salt}],
            })
        run_earners[email] = earner
        run_issued.add(email)
        recipient = new_identity(email)
        uid = secrets.token_hex(16)
        doc: dict[str, Any] = {
            "badge": f"../achievements/{slug}.json",
            "earner": f"../earners/{earner}.json",
            "recipient": {"type": "email", "hashed": True, "identity": recipient.identity, "salt": recipient.salt},
            "issuedOn": issued_on,
        }
        if expires_on:
            doc["expires"] = expires_on
        if issuer.did:  # allocated now, so `sign` has nothing to rewrite
            number, index = allocate(used)
            doc["statusListIndex"] = str(index)
            if number > 1:
                doc["statusList"] = number
        if row.evidence:
            doc["evidence"] = [{"id": row.evidence}]
        if row.narrative:
            doc["narrative"] = row.narrative
        path = layout.file(config, "assertions", uid)
        store.write(path, doc)
        result.created.append(path)
        merge_rows.append([row.name, email, urls.page_of("assertions", uid), urls.document_of("assertions", uid)])
    if merge_rows:
        result.mail_merge = append_mail_merge(config, slug, merge_rows)
    return result


def check_row(row: RosterRow, where: str = "") -> None:
    """Refuse a row that would publish an email address or an unsafe link (nothing is written yet)."""
    prefix = f"{where}: " if where else ""
    email = normalise_email(row.email)
    if not EMAIL.match(email):
        raise BadgesiteError(f"{prefix}not an email address: {row.email[:80]!r}")
    if not row.name.strip():
        raise BadgesiteError(f"{prefix}the earner's name is empty")
    for label, text in (("name", row.name), ("narrative", row.narrative), ("evidence", row.evidence)):
        if EMAIL_LIKE.search(text):
            raise BadgesiteError(f"{prefix}the {label} contains an email address, which would be published: "
                                 "recipient emails are only ever stored hashed")
    if row.evidence and not is_url(row.evidence):
        raise BadgesiteError(f"{prefix}evidence must be an http(s) URL, got {row.evidence[:80]!r}")


LIST_CAPACITY = LIST_SIZE // 2  # a list takes new badges until half full: random indexes stay cheap and anonymous


def used_indexes(site: Site, issuer: str) -> dict[int, set[int]]:
    """The status indexes an issuer's assertions hold, by list number."""
    used: dict[int, set[int]] = {}
    for a in site.assertions_issued_by(issuer):
        if a.status_index is not None:
            used.setdefault(a.status_list, set()).add(a.status_index)
    return used


def allocate(used: dict[int, set[int]], capacity: int | None = None) -> tuple[int, int]:
    """(list number, index): a random free index in the first of the issuer's lists that is not half full.

    Random, so an index says nothing about its holder; a new list starts when the last one is half full.
    """
    number = 1
    while len(used.setdefault(number, set())) >= (capacity or LIST_CAPACITY):
        number += 1
    index = secrets.randbelow(LIST_SIZE)
    while index in used[number]:
        index = secrets.randbelow(LIST_SIZE)
    used[number].add(index)
    return number, index


def assertion_file(config: SiteConfig, ref: str) -> Path:
    """The content file of an assertion named by id, file path or URL."""
    uid = Path(ref.rstrip("/").split("/")[-1]).stem
    if not UID.match(uid):
        raise BadgesiteError(f"not an assertion id, file or URL: {ref!r}")
    path = layout.file(config, "assertions", uid)
    if not path.is_file():
        raise BadgesiteError(f"no assertion {uid} in {path.parent}")
    return path


def revoke(config: SiteConfig, ref: str, reason: str) -> Path:
    path = assertion_file(config, ref)
    data = store.read(path)
    if data.get("revoked") is True:
        raise BadgesiteError(f"{path.stem} is already revoked (revocation is final)")
    if not reason.strip():
        raise BadgesiteError("--reason must not be empty")
    data["revoked"] = True
    data["revocationReason"] = reason.strip()
    store.write(path, data)
    return path


def reissue(config: SiteConfig, ref: str, reason: str, name: str | None = None) -> Path:
    """Issue a corrected copy (same award date, new id) and revoke the old one."""
    old = assertion_file(config, ref)
    data = store.read(old)
    if data.get("revoked") is True:
        raise BadgesiteError(f"{old.stem} is revoked: reissue the assertion that replaced it")
    if name:
        earner_ref = data.get("earner")
        if not isinstance(earner_ref, str):
            raise BadgesiteError(f"{old.stem} has no earner file whose name could be corrected")
        earner_path = (old.parent / earner_ref).resolve()
        earner = store.read(earner_path)
        earner["name"] = name.strip()
        store.write(earner_path, earner)
    new = dict(data)
    new["replaces"] = f"../assertions/{old.stem}.json"
    new["reissuedOn"] = _today(config)
    new.pop("id", None)
    path = old.parent / f"{secrets.token_hex(16)}.json"
    store.write(path, new)
    revoke(config, old.stem, reason)
    return path


def unpublish(config: SiteConfig, ref: str) -> Path:
    """Delete an assertion's file; references to it from a replacement are dropped too."""
    path = assertion_file(config, ref)
    for other in sorted(path.parent.glob("*.json")):
        if other != path:
            data = store.read(other)
            if isinstance(data.get("replaces"), str) and Path(data["replaces"]).stem == path.stem:
                del data["replaces"]
                store.write(other, data)
    store.remove(path)
    store.remove(layout.credential_file(config, path.stem))  # its status bit stays as it was: never reused
    return path


def find(config: SiteConfig, *, earner: str | None = None, achievement: str | None = None,
         issuer: str | None = None, status: str | None = None) -> list[dict[str, str]]:
    """Assertions matching every filter given, newest first, as plain rows (no recipient data)."""
    site = load_site(config, datetime.now(config.zone), report=False)
    urls = Urls(config.base_url)
    rows = []
    for a in sorted(site.assertions.values(), key=lambda a: (a.issued_on, a.uid), reverse=True):
        item = site.achievements[a.achievement]
        state = a.status(site.build_time)
        if (earner and a.earner != earner) or (achievement and a.achievement != achievement) or \
                (issuer and item.issuer != issuer) or (status and state != status):
            continue
        rows.append({"id": a.uid, "issued": a.issued_on.isoformat(), "status": state, "achievement": a.achievement,
                     "issuer": item.issuer, "earner": a.earner, "page": urls.page(a)})
    return rows
