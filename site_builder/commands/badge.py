"""Commands on one badge: bake, verify."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from site_builder.config import load_config

log = logging.getLogger(__name__)


def bake(args: argparse.Namespace) -> int:
    from site_builder.admin.export import bake_assertion

    config = load_config(args.site)
    out: Path = bake_assertion(config, args.assertion, args.output, ob3=args.ob3)
    print(f"baked: {out}")
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
