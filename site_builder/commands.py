"""What each CLI command does, in terms of the library. The CLI layer may print."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from site_builder import issuing, keyring, signing
from site_builder.build import build as build_site
from site_builder.build import build_time
from site_builder.config import SiteConfig, load_config
from site_builder.errors import BadgesiteError
from site_builder.load.content import load_site

log = logging.getLogger(__name__)


def build(args: argparse.Namespace) -> int:
    config = load_config(args.site, args.base_url)
    preview = bool(args.base_url) and config.base_url != load_config(args.site).base_url
    started = time.perf_counter()
    result = build_site(config, preview=preview)
    stats = result.stats
    if result.unchanged:
        for warning in result.warnings:
            log.warning("warning: %s", warning)
    print(f"Built {result.assertions} assertions ({stats.written} files written, "
          f"{stats.skipped} unchanged, {stats.removed} removed) in {time.perf_counter() - started:.2f}s")
    index = config.path("output") / "index.html"
    print(f"Open {index.as_uri()}  (or run `badgesite serve` and open http://127.0.0.1:8000/)")
    if args.base_url:
        print(f"Preview build for {config.base_url}: do not deploy it as the real site.")
    return 0


def check(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    site = load_site(config, build_time(config))
    print(f"OK: {len(site.issuers)} issuers, {len(site.achievements)} achievements, "
          f"{len(site.earners)} earners, {len(site.assertions)} assertions")
    return 0


def serve(args: argparse.Namespace) -> int:
    from site_builder.serve import serve as run_server

    run_server(args.site, args.port)
    return 0


def new(args: argparse.Namespace) -> int:
    from site_builder.scaffold import scaffold

    target = scaffold(args.directory, args.base_url, args.title)
    print(f"Created a site in {target}. Next: cd {target} && badgesite build")
    return 0


def issue(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    if args.to:
        if not args.name:
            raise BadgesiteError("--name is required with --to (the earner's display name)")
        rows = [issuing.RosterRow(args.name, args.to, args.evidence or "", args.narrative or "")]
    else:
        rows = issuing.read_roster(args.csv)
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


def bake(args: argparse.Namespace) -> int:
    from site_builder.bake import bake_assertion

    config = load_config(args.site)
    out: Path = bake_assertion(config, args.assertion, args.output, ob3=args.ob3)
    print(f"baked: {out}")
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


def verify(args: argparse.Namespace) -> int:
    """Verify one badge; print the report (text or JSON); exit 0 only when it is valid."""
    from site_builder.verify import HttpFetcher, RoutedFetcher, parse_now, render_json, render_text
    from site_builder.verify import verify as verify_badge
    from site_builder.verify.fetch import site_fetcher

    sites = [site_fetcher(args.site)] if args.site else []
    fetcher = RoutedFetcher(sites, fallback=HttpFetcher())
    report = verify_badge(args.source, fetcher, args.recipient, parse_now(args.now))
    print(render_json(report) if args.json else render_text(report))
    return 0 if report.valid else 1
