"""``badgesite keys new|rotate ISSUER``: Ed25519 keys for signing, and the issuer's did:web."""

from __future__ import annotations

from pathlib import Path

from site_builder.admin import store
from site_builder.admin.roster import git_ignores
from site_builder.admin.signing import key_file
from site_builder.config import SiteConfig
from site_builder.crypto import keys as keylib
from site_builder.errors import BadgesiteError
from site_builder.load import layout
from site_builder.urls import Urls


def _issuer_file(config: SiteConfig, slug: str) -> tuple[Path, dict]:
    path = layout.file(config, "issuers", slug)
    if not path.is_file():
        raise BadgesiteError(f"no issuer {slug!r} ({path} does not exist)")
    return path, store.read(path)  # a JSON object, or a BadgesiteError naming the file


def add_key(config: SiteConfig, slug: str, public_demo_key: bool = False, rotate: bool = False) -> Path:
    """Make a key pair; the public half goes into the issuer's content file, the private one into keys/.

    The issuer's DID is derived from base_url the first time and never re-derived: moving the
    site to another address orphans the credentials signed under the old DID.
    """
    path, data = _issuer_file(config, slug)
    existing = data.get("keys") or []
    if existing and not rotate:
        raise BadgesiteError(f"{slug} already has a key: use `badgesite keys rotate {slug}` to add another")
    if rotate and not existing:
        raise BadgesiteError(f"{slug} has no key yet: use `badgesite keys new {slug}`")
    if not public_demo_key:
        keys_rel = config.path("keys").relative_to(config.root).as_posix() if config.path("keys").is_relative_to(
            config.root) else None
        if keys_rel is None or git_ignores(config, f"{keys_rel}/probe.json") is not True:
            raise BadgesiteError(
                f"refusing to write a private key: git does not ignore {config.keys_dir}/ here "
                "(add it to .gitignore, in a git repository, so the key can never be committed)")
    did = data.get("did") or Urls(config.base_url).did_web(slug)
    name = f"key-{len(existing) + 1}"
    key = keylib.generate(did, name)
    target = key_file(config, slug, name, public_demo_key)
    if target.exists():
        raise BadgesiteError(f"{target} already exists")
    keylib.write_key(target, key)
    entry: dict[str, object] = {"name": name, "publicKeyMultibase": key.public_multibase}
    if public_demo_key:
        entry["publicDemoKey"] = True
    data["did"] = did
    data["keys"] = [*existing, entry]
    store.write(path, data)
    return target
