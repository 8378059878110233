"""Issue-time commands that change content: issue, revoke, reissue, unpublish, sign, keys."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from site_builder.admin import awards as issuing
from site_builder.admin import keyring, roster, signing
from site_builder.commands import counted
from site_builder.config import SiteConfig, load_config
from site_builder.errors import BadgesiteError, UsageError

log = logging.getLogger(__name__)


def issue(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    if args.to is not None:
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
    _sign_after(config, warn_unsigned=True)
    return 0


def confirm(args: argparse.Namespace, what: str) -> None:
    """Final actions ask first (``--yes`` answers for scripts); without a terminal, --yes is required."""
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(f"{what} cannot be undone: add --yes to confirm")
    answer = input(f"{what} cannot be undone. Type yes to go on: ")
    if answer.strip().lower() not in ("y", "yes"):
        raise BadgesiteError("nothing was changed")


def revoke(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    confirm(args, f"Revoking {args.assertion}")
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
    confirm(args, f"Unpublishing {args.assertion} (its URL will answer 404)")
    path = issuing.unpublish(config, args.assertion)
    print(f"removed {path}; the next build deletes its pages (its URL will answer 404)")
    return 0


def _sign_after(config: SiteConfig, warn_unsigned: bool = False) -> None:
    """Issuing commands sign at once, so the committed content is always complete."""
    result = signing.sign_site(config)
    if result.signed or result.status_lists:
        print(f"signed {counted(len(result.signed), 'credential')} and "
              f"{counted(len(result.status_lists), 'status list')}")
    for slug in result.unsigned_issuers if warn_unsigned else ():
        log.warning("warning: %s has no signing key, so its badges have no Open Badges 3.0 credential (only "
                    "2.0): run `badgesite keys new %s`", slug, slug)


def sign(args: argparse.Namespace) -> int:
    """Exit 1 when an issuer's badges could not be signed (no key): say which, and how."""
    config = load_config(args.site)
    result = signing.sign_site(config)
    print(f"allocated {counted(result.allocated, 'status index', 'status indexes')}; signed "
          f"{counted(len(result.signed), 'credential')} and {counted(len(result.status_lists), 'status list')}")
    for slug in result.unsigned_issuers:
        print(f"{slug}: no key, so its badges have no Open Badges 3.0 credential (run `badgesite keys new {slug}`)",
              file=sys.stderr)
    return 1 if result.unsigned_issuers else 0


def list_assertions(args: argparse.Namespace) -> int:
    """`badgesite list`: find assertions by earner, achievement, issuer or status."""
    config = load_config(args.site)
    rows = issuing.find(config, earner=args.earner, achievement=args.achievement, issuer=args.issuer,
                        status=args.status)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']}  {row['issued'][:10]}  {row['status']:<7}  {row['achievement']}  "
              f"{row['earner'] or '-'}  {row['page']}")
    print(f"{counted(len(rows), 'assertion')}", file=sys.stderr)
    return 0


def keys(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    demo = getattr(args, "public_demo_key", False)
    path = keyring.add_key(config, args.issuer, public_demo_key=demo, rotate=args.keys_command == "rotate")
    kind = "a PUBLIC DEMO key: it may be committed, and anyone can sign with it" if demo else "keep it secret"
    print(f"wrote {path} ({kind}); the issuer's DID and public key are in content/issuers/{args.issuer}.json")
    _sign_after(config)
    return 0
