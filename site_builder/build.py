"""``build()``: the whole pipeline, top to bottom."""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time

from site_builder import __version__
from site_builder.config import SiteConfig
from site_builder.errors import ConfigError
from site_builder.load.content import load_site
from site_builder.load.signed import Signed, check_signed
from site_builder.model import Site
from site_builder.render.routes import Context, plan
from site_builder.render.templates import environment, theme_digest, theme_files, theme_folders
from site_builder.write import WriteStats, write_outputs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    site: Site
    stats: WriteStats


def build_time(config: SiteConfig) -> datetime:
    """``SOURCE_DATE_EPOCH`` if set, else the start of today in the site's time zone.

    Either way two builds of the same input on the same day give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).astimezone(config.zone)
        except ValueError as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be an integer, got {epoch!r}") from exc
    today = datetime.now(config.zone).date()
    return datetime.combine(today, time(0), config.zone)


def make_context(config: SiteConfig, site: Site, signed: Signed | None = None) -> Context:
    folders = theme_folders(config)
    settings = asdict(config) | {"root": ""}
    digest = hashlib.sha256(
        f"{__version__}\0{sorted(settings.items())}\0{theme_digest(folders)}\0"
        f"{site.build_time.isoformat()}".encode()
    ).hexdigest()
    return Context(site, config, environment(folders), theme_files(folders, "assets"), digest, signed or Signed())


def build(config: SiteConfig, preview: bool = False) -> BuildResult:
    """Load and validate content, plan every output, render what changed, write.

    ``preview``: built for another address than site.toml's (signed 3.0 content is left out).
    """
    cache = config.root / ".cache" / "badgesite"
    site = load_site(config, build_time(config))               # 1. load & validate -> model
    signed = check_signed(config, site, preview, cache / "proofs.json")  # 1b. committed 3.0 proofs
    context = make_context(config, site, signed)               # 2. theme + site-wide digest
    outputs = plan(context)                                    # 3. route table (serialisers, pages)
    stats = write_outputs(outputs, config.path("output"), cache / "manifest.json")  # 4. render, write
    log.debug("built %d assertions into %s", len(site.assertions), config.path("output"))
    return BuildResult(site, stats)
