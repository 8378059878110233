"""Ids and references between content files: derived ids, aliases, relative paths."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.load.fields import Fields, is_url
from site_builder.urls import Urls

KINDS = ("issuers", "achievements", "earners", "assertions")
_SHA256 = re.compile(r"^sha256\$[0-9a-f]{64}$")
_SALT = re.compile(r"^[0-9A-Za-z]{16,128}$")


@dataclass
class Index:
    """Which content objects exist, by kind: file stems, and other ids that name them."""

    base_url: str
    content_dir: Path
    stems: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    aliases: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in KINDS})

    def own_id(self, kind: str, stem: str) -> str:
        return Urls(self.base_url).document_of(kind, stem)

    def resolve(self, f: Fields, key: str, kind: str, required: bool = True) -> str:
        """The stem of the ``kind`` object that ``f[key]`` refers to, or "" (diagnosed)."""
        value = f.raw(key)
        if value is None:
            if required:
                f.error(key, f"missing required field {key!r}")
            return ""
        if isinstance(value, dict):
            if isinstance(value.get("id"), str) and set(value) <= {"id", "type"}:
                value = value["id"]
            else:
                f.error(key, f"embedded objects are not supported here: put it in content/{kind}/ "
                             "and refer to it by file path or id")
                return ""
        if not isinstance(value, str) or not value.strip():
            f.error(key, f"{key!r} must be a file path or id of content/{kind}/")
            return ""
        value = value.strip()
        if is_url(value):
            stem = Urls(self.base_url).stem_of(kind, value)
            if stem in self.stems[kind]:
                return stem
            if value in self.aliases[kind]:
                return self.aliases[kind][value]
            f.error(key, f"dangling reference: no object in content/{kind}/ has id {value!r}")
            return ""
        # Lexical normalisation (content files were found in their folders; no symlinks to follow).
        target = os.path.normpath(os.path.join(os.path.dirname(f.source.path), value))
        folder, name = os.path.split(target)
        if folder != os.path.join(self.content_dir, kind) or not name.endswith(".json"):
            f.error(key, f"reference {value!r} must name a .json file directly in content/{kind}/")
            return ""
        if name[:-5] not in self.stems[kind]:
            f.error(key, f"dangling reference: {value!r} does not exist")
            return ""
        return name[:-5]


def identity(f: Fields, what: str) -> tuple[str, str, str] | None:
    """(type, identity, salt) of a hashed IdentityObject (2.0, or 3.0 names); plaintext is refused."""
    if not f.ok:
        return None
    ob3 = "identityHash" in f.data or f.raw("type") == "IdentityObject"
    key = "identityHash" if ob3 else "identity"
    kind = {"emailAddress": "email"}.get(f.text("identityType"), f.text("identityType")) if ob3 \
        else f.text("type", default="email")
    value = f.raw(key)
    hashed = f.raw("hashed")
    if hashed is not True or (isinstance(value, str) and "@" in value):
        f.error(
            key if key in f.data else "hashed",
            f"plaintext {what} identity: site repositories are public, so store only the salted "
            "hash (run `badgesite issue`, which hashes emails, or see docs/content-format.md)",
        )
        return None
    if kind != "email":
        f.error("identityType" if ob3 else "type", f"unsupported identity type {kind!r} (only email)")
    if not isinstance(value, str) or not _SHA256.match(value):
        f.error(key, f"{key} must be 'sha256$' followed by 64 lowercase hex digits")
        return None
    salt = f.text("salt", required=True)
    if salt and not _SALT.match(salt):
        f.error("salt", "salt must be 16-128 letters or digits")
        return None
    return kind, value, salt
