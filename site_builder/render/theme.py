"""One Jinja environment over an ordered list of theme folders (site override first)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import jinja2

from site_builder.config import SiteConfig
from site_builder.render.text import render_markdown

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


def theme_folders(config: SiteConfig) -> list[Path]:
    """The site's ``themes/<name>/`` (if configured and present) then the default theme."""
    folders = []
    if config.theme:
        override = config.path("themes") / config.theme
        if override.is_dir():
            folders.append(override)
    folders.append(DEFAULT_THEME)
    return folders


def theme_files(folders: list[Path], subfolder: str) -> dict[str, Path]:
    """Relative name -> file, the first folder that has a name winning (one file at a time)."""
    found: dict[str, Path] = {}
    for folder in folders:
        base = folder / subfolder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                found.setdefault(path.relative_to(base).as_posix(), path)
    return dict(sorted(found.items()))


def theme_digest(folders: list[Path]) -> str:
    """Changes whenever any template or asset that could be used changes."""
    h = hashlib.sha256()
    for sub in ("templates", "assets"):
        for name, path in theme_files(folders, sub).items():
            h.update(f"{sub}/{name}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _date(moment: datetime | None) -> str:
    return f"{moment:%B} {moment.day}, {moment:%Y}" if moment else ""


def environment(folders: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f / "templates") for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = render_markdown
    env.filters["date"] = _date
    return env
