"""``badgesite serve``: livereload on 127.0.0.1; rebuilds on change, keeps serving on errors."""

from __future__ import annotations

import logging
from pathlib import Path

from livereload import Server

from site_builder.build import build
from site_builder.config import load_config
from site_builder.errors import BadgesiteError

log = logging.getLogger(__name__)


def rebuild(root: Path, base_url: str) -> str:
    """Build once; return the error text ("" on success). The served output stays as it was."""
    try:
        result = build(load_config(root, base_url))
    except BadgesiteError as exc:
        log.error("build failed, still serving the last good build:\n%s", exc)
        return str(exc)
    log.info("rebuilt: %d files written, %d unchanged", result.stats.written, result.stats.skipped)
    return ""


def serve(root: Path, port: int = 8000) -> None:
    base_url = f"http://127.0.0.1:{port}/"
    config = load_config(root, base_url)
    rebuild(root, base_url)
    server = Server()
    watched = [config.root / "site.toml", config.path("content"), config.path("badges"), config.path("themes")]
    for path in watched:
        server.watch(str(path), lambda: rebuild(root, base_url), delay=0.2)
    log.info("serving %s on %s (Ctrl+C to stop)", config.path("output"), base_url)
    server.serve(host="127.0.0.1", port=port, root=str(config.path("output")), open_url_delay=None)
