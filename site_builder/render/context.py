"""The frozen render context: what every page and document maker reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import jinja2

from site_builder.config import SiteConfig
from site_builder.model import Signed, Site
from site_builder.urls import Urls


@dataclass(frozen=True)
class Context:
    """The site, config, URL scheme, theme environment and the digest of every site-wide input."""

    site: Site
    config: SiteConfig
    urls: Urls
    env: jinja2.Environment
    assets: dict[str, Any]
    global_digest: str
    signed: Signed

    def fingerprint(self, kind: str, *parts: str) -> str:
        return hashlib.sha256("\0".join((self.global_digest, kind, *parts)).encode()).hexdigest()
