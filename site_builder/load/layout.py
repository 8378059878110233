"""Where content lives: the one place that turns (kind, stem) into a content file path or name.

``content/<kind>/<stem>.json`` for the authored kinds; the signed Open Badges 3.0 files that
`badgesite sign` commits sit beside them in ``credentials/`` and ``status/``.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.errors import relative_name

KINDS = ("issuers", "achievements", "earners", "assertions")
CREDENTIALS, STATUS = "credentials", "status"


def folder(config: SiteConfig, kind: str) -> Path:
    return config.path("content") / kind


def file(config: SiteConfig, kind: str, stem: str) -> Path:
    """The content file of one object (``kind`` one of KINDS, or credentials)."""
    return folder(config, kind) / f"{stem}.json"


def credential_file(config: SiteConfig, uid: str) -> Path:
    return file(config, CREDENTIALS, uid)


def status_file(config: SiteConfig, issuer: str, number: int = 1) -> Path:
    """An issuer's signed status list ``number``; the first keeps its original name."""
    return file(config, STATUS, issuer) if number == 1 else folder(config, STATUS) / issuer / f"{number}.json"


def name(config: SiteConfig, kind: str, stem: str) -> str:
    """A content file as messages show it: relative to the site root."""
    return shown(config, file(config, kind, stem))


def shown(config: SiteConfig, path: Path) -> str:
    return relative_name(path, config.root)
