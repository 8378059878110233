"""Commands on the whole site: new, build, check, serve. Commands are the only code that prints."""

from __future__ import annotations

import argparse
import logging
import time

from site_builder.build import build as build_site
from site_builder.build import check as check_site
from site_builder.commands import counted
from site_builder.config import load_config

log = logging.getLogger(__name__)


def build(args: argparse.Namespace) -> int:
    config = load_config(args.site, args.base_url)
    preview = bool(args.base_url) and config.base_url != load_config(args.site).base_url
    started = time.perf_counter()
    result = build_site(config, preview=preview, strict=args.strict)
    stats = result.stats
    if result.unchanged:
        for warning in result.warnings:
            log.warning("warning: %s", warning)
    print(f"Built {counted(result.assertions, 'assertion')} ({counted(stats.written, 'file')} written, "
          f"{stats.skipped} unchanged, {stats.removed} removed) in {time.perf_counter() - started:.2f}s")
    index = config.path("output") / "index.html"
    print(f"Open {index.as_uri()}  (or run `badgesite serve` and open http://127.0.0.1:8000/)")
    if args.base_url:
        print(f"Preview build for {config.base_url}: do not deploy it as the real site.")
    return 0


def check(args: argparse.Namespace) -> int:
    """What `build` would report, without writing anything (the pre-commit hook)."""
    site = check_site(load_config(args.site), strict=args.strict)
    print(f"OK: {counted(len(site.issuers), 'issuer')}, {counted(len(site.achievements), 'achievement')}, "
          f"{counted(len(site.earners), 'earner')}, {counted(len(site.assertions), 'assertion')}")
    return 0


def serve(args: argparse.Namespace) -> int:
    from site_builder.serve import serve as run_server

    run_server(args.site, args.port)
    return 0


def new(args: argparse.Namespace) -> int:
    from site_builder.admin.scaffold import init_repository, scaffold

    target = scaffold(args.directory, args.base_url, args.title)
    repo = init_repository(target)
    print(f"Created a site in {target}" + (" (a git repository)." if repo else "."))
    if not repo:
        print("git is not available: run `git init` there before `badgesite keys new` (it checks that keys/ "
              "is git-ignored).")
    print(f"""Next:
  cd {target}
  badgesite keys new my-organisation    # signing key for Open Badges 3.0, written to keys/ (git-ignored):
                                        # back up keys/ somewhere safe; without it you cannot sign again
  badgesite issue first-badge --to EMAIL --name "Full Name"
  badgesite build                       # then open output/index.html, or run `badgesite serve`
Edit content/ first: `badgesite check` lists the placeholder text still to replace.""")
    return 0
