"""Issue-time commands that change content: issue, revoke, reissue, unpublish, sign, keys."""

from __future__ import annotations

import argparse
import logging

from site_builder.admin import awards as issuing
from site_builder.admin import keyring, roster, signing
from site_builder.config import SiteConfig, load_config
from site_builder.errors import BadgesiteError

log = logging.getLogger(__name__)


def issue(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    if args.to:
        if not args.name:
            raise BadgesiteError("--name is required with --to (the earner's display name)")
        rows = [roster.RosterRow(args.name, args.to, args.evidence or "", args.narrative or "")]
    else:
        rows = roster.read_roster(args.csv)
    result = issuing.issue(config, args.achievement, rows, issued=args.date, expires=args.expires)
    for row in result.skipped:
        print(f"skipped (already issued): {row.name}")
    for path in result.created:
        print(f"issued: {path}")
    if result.mail_merge:
        print(f"Mail-merge list (git-ignored, contains emails): {result.mail_merge}")
    _sign_after(config)
    return 0


def revoke(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    path = issuing.revoke(config, args.assertion, args.reason)
    print(f"revoked: {path}")
    _sign_after(config)
    return 0


def reissue(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    new_path = issuing.reissue(config, args.assertion, args.reason, args.name)
    print(f"reissued as {new_path}; the old assertion is revoked")
    _sign_after(config)
    return 0


def unpublish(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    path = issuing.unpublish(config, args.assertion)
    print(f"removed {path}; the next build deletes its pages (its URL will answer 404)")
    return 0


def _sign_after(config: SiteConfig) -> None:
    """Issuing commands sign at once, so the committed content is always complete."""
    result = signing.sign_site(config)
    if result.signed or result.status_lists:
        print(f"signed {len(result.signed)} credentials and {len(result.status_lists)} status lists")


def sign(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    result = signing.sign_site(config)
    print(f"allocated {result.allocated} status indexes; signed {len(result.signed)} credentials and "
          f"{len(result.status_lists)} status lists")
    for slug in result.skipped_issuers:
        print(f"{slug}: no key, so no Open Badges 3.0 credentials (run `badgesite keys new {slug}`)")
    return 0


def keys(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    demo = getattr(args, "public_demo_key", False)
    path = keyring.add_key(config, args.issuer, public_demo_key=demo, rotate=args.keys_command == "rotate")
    kind = "a PUBLIC DEMO key: it may be committed, and anyone can sign with it" if demo else "keep it secret"
    print(f"wrote {path} ({kind}); the issuer's DID and public key are in content/issuers/{args.issuer}.json")
    _sign_after(config)
    return 0
