"""Commands on one badge: bake, verify."""

from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.config import load_config
from site_builder.errors import UsageError

if TYPE_CHECKING:
    from site_builder.verify import LocalSite

log = logging.getLogger(__name__)


def bake(args: argparse.Namespace) -> int:
    from site_builder.admin.export import bake_assertion

    config = load_config(args.site)
    out: Path = bake_assertion(config, args.assertion, args.output, ob3=args.ob3)
    print(f"baked: {out}")
    return 0


def site_fetcher(site: Path) -> LocalSite:
    """``--site DIR``: the site's base_url served from its built output folder."""
    from site_builder.verify import FetchError, LocalSite

    config = load_config(site)
    output = config.path("output")
    if not output.is_dir():
        raise FetchError(f"{output} does not exist: run `badgesite build --site {site}` first")
    return LocalSite(config.base_url, output)


def _mapped(option: str) -> LocalSite:
    """``--map PREFIX=DIR``: a local site serving PREFIX from DIR."""
    from site_builder.verify import LocalSite

    prefix, sep, folder = option.partition("=")
    if not sep or not re.match(r"^https?://[^/\s]+", prefix) or not folder:
        raise UsageError(f"--map: expected PREFIX=DIR with an http(s) URL prefix, got {option!r}")
    if not Path(folder).is_dir():
        raise UsageError(f"--map {option}: {folder} is not a folder")
    return LocalSite(prefix, Path(folder))


def _site_root(path: Path) -> Path | None:
    """The site folder (with site.toml) that holds ``path``, if any."""
    for folder in path.resolve().parents:
        if (folder / "site.toml").is_file():
            return folder
    return None


def _assertion_url(site: Path, stem: str) -> str:
    from site_builder.urls import Urls

    return Urls(load_config(site).base_url).document_of("assertions", stem)


def _resolve(source: str, sites: list[Path]) -> tuple[str, Path | None]:
    """(what to verify, the site it belongs to): an assertion id or content file becomes its hosted URL."""
    if re.match(r"^https?://", source):
        return source, None
    path = Path(source)
    if path.is_file():
        root = _site_root(path)
        if root and path.resolve().parent == (root / "content" / "assertions").resolve():
            return _assertion_url(root, path.stem), root
        return source, None
    current = sites[0] if sites else Path.cwd()
    if (current / "site.toml").is_file() and re.match(r"^[A-Za-z0-9_-]+$", source):
        if any((current / "content" / "assertions").glob(f"{source}.*")):
            return _assertion_url(current, source), current
        raise UsageError(f"{source}: neither a file, a URL nor an assertion id of the site {current} "
                         f"(no content/assertions/{source}.json)")
    return source, None


def verify(args: argparse.Namespace) -> int:
    """Verify one badge; print the report (text or JSON); exit 0 only when it is valid."""
    from site_builder.verify import HttpFetcher, RoutedFetcher, parse_now, render_json, render_text
    from site_builder.verify import verify as verify_badge

    given: list[Path] = list(args.site or [])
    source, owner = _resolve(args.source, given)
    if owner is not None and all(owner.resolve() != s.resolve() for s in given):
        given.append(owner)
    sites = [site_fetcher(site) for site in given]
    sites += [_mapped(option) for option in args.map]
    fetcher = RoutedFetcher(sites, fallback=HttpFetcher())
    report = verify_badge(source, fetcher, args.recipient, parse_now(args.now))
    print(render_json(report) if args.json else render_text(report))
    return 0 if report.valid else 1
