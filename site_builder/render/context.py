"""The frozen render context: what every page and document maker reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from site_builder.config import SiteConfig
from site_builder.model import Signed, Site
from site_builder.urls import Urls

# Config keys every page reads (through base.html and the page context as ``site``).
PAGE_CONFIG = ("title", "description", "language", "base_url")


@dataclass(frozen=True)
class Context:
    """The site, config, URL scheme, theme environment, and the digest of badgesite's own code."""

    site: Site
    config: SiteConfig
    urls: Urls
    env: jinja2.Environment
    assets: dict[str, Any]
    code: str
    signed: Signed
