"""The one config file, ``site.toml``: typed, documented, unknown keys are errors."""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from site_builder.errors import ConfigError

CONFIG_FILE = "site.toml"


def _key(doc: str, default: Any = MISSING) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class SiteConfig:
    """Every key of ``site.toml``. The README's configuration table lists them all."""

    title: str = _key("Site title, shown in the header and the browser tab. Required.")
    base_url: str = _key(
        "Public URL the site is served from, e.g. `https://user.github.io/repo/`. "
        "Every id and link is built from it. Required."
    )
    description: str = _key("One sentence shown on the home page and in meta tags.", "")
    timezone: str = _key("IANA time zone that completes plain dates (`2025-03-14`).", "UTC")
    language: str = _key("Language of the pages (`lang` attribute).", "en")
    theme: str = _key("Name of a folder in `themes/` whose files override the default theme.", "")
    credit_unit: str = _key("Unit of `creditsAvailable`, singular (`semester unit`).", "credit")
    credit_unit_plural: str = _key("Unit of `creditsAvailable`, plural.", "credits")
    content_dir: str = _key("Folder of issuers/, achievements/, assertions/, earners/.", "content")
    badges_dir: str = _key("Folder of images (badges, issuer logos, earner photos).", "badges")
    themes_dir: str = _key("Folder of theme overrides.", "themes")
    output_dir: str = _key("Folder the site is written to.", "output")
    keys_dir: str = _key(
        "Folder of private signing keys (mode 0600, must be git-ignored; only `issue`, `revoke`, "
        "`reissue`, `sign` and `keys` read it, never `build`).", "keys",
    )
    max_image_bytes: int = _key("Largest accepted image file, in bytes.", 512 * 1024)
    validator_url: str = _key(
        "Link offered on assertion pages to verify independently; `{url}` is replaced by "
        "the URL-encoded assertion id.",
        "https://openbadgesvalidator.imsglobal.org/results?url={url}",
    )
    # Not a key: where the site lives. Set by load_config.
    root: Path = field(default=Path("."), metadata={"internal": True})

    @property
    def base_path(self) -> str:
        """Path part of ``base_url``, always ending in ``/`` (``/repo/`` or ``/``)."""
        return urlsplit(self.base_url).path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, name: str) -> Path:
        """One of the configured folders, resolved against the site root."""
        return (self.root / getattr(self, f"{name}_dir")).resolve()


def documented_keys() -> dict[str, str]:
    """Key name -> its documentation, in declaration order."""
    return {f.name: f.metadata["doc"] for f in fields(SiteConfig) if "doc" in f.metadata}


def normalise_base_url(url: str) -> str:
    """Check a base URL and give it its trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parts.query or parts.fragment:
        raise ConfigError(f"base_url must not have a query or fragment, got {url!r}")
    return url if url.endswith("/") else url + "/"


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read ``root/site.toml``; ``base_url`` overrides the file's (a preview build)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: no {CONFIG_FILE} here (run `badgesite new DIR` to start a site)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    known = documented_keys()
    problems = [f"unknown key {k!r}" for k in sorted(data) if k not in known]
    kwargs: dict[str, Any] = {}
    for f in fields(SiteConfig):
        if f.name not in known or f.name not in data:
            if f.name in known and f.default is MISSING:
                problems.append(f"missing required key {f.name!r}")
            continue
        value = data[f.name]
        expected, label = (int, "an integer") if f.type == "int" else (str, "a string")
        if type(value) is not expected:
            problems.append(f"{f.name!r} must be {label}, got {value!r}")
            continue
        kwargs[f.name] = value
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    config = SiteConfig(root=root.resolve(), **kwargs)
    try:
        config = replace(config, base_url=normalise_base_url(base_url or config.base_url))
        config.zone  # noqa: B018 - validates the time zone name
    except ZoneInfoNotFoundError as exc:
        raise ConfigError(f"{path}: unknown timezone {config.timezone!r}") from exc
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if "{url}" not in config.validator_url:
        raise ConfigError(f"{path}: validator_url must contain {{url}}")
    return config


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
