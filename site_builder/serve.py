"""``badgesite serve``: livereload on 127.0.0.1; rebuilds on change, keeps serving on errors.

Pages are served from output/ by a small WSGI app, so that while the last rebuild failed
every page shows the error (over the last good build, which output/ still holds).
"""

from __future__ import annotations

import html
import logging
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from livereload import Server

from site_builder.build import BuildCache, build
from site_builder.config import load_config
from site_builder.errors import BadgesiteError

log = logging.getLogger(__name__)
StartResponse = Callable[[str, list[tuple[str, str]]], object]


@dataclass
class ServeState:
    """What the dev server shows: the output folder and the last rebuild's error, if any."""

    output: Path
    error: str = ""
    cache: BuildCache = field(default_factory=BuildCache)


def rebuild(root: Path, base_url: str, state: ServeState) -> None:
    """Build once; on failure remember the error (output/ keeps the last good build)."""
    try:
        config = load_config(root, base_url)
        result = build(config, preview=config.base_url != load_config(root).base_url, cache=state.cache)
    except BadgesiteError as exc:
        state.error = str(exc)
        log.error("build failed, still serving the last good build:\n%s", exc)
        return
    state.error = ""
    log.info("rebuilt: %d files written, %d unchanged", result.stats.written, result.stats.skipped)


def _error_page(message: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Build failed</title>"
        "<style>body{font:16px system-ui,sans-serif;margin:2rem;color:#1b2430}"
        "pre{background:#fdeaea;color:#a61b1b;padding:1rem;border-radius:8px;white-space:pre-wrap}"
        "</style></head><body><h1>The last rebuild failed</h1>"
        "<p>Fix the content below; this page reloads when the site builds again. "
        "output/ still holds the last good build.</p>"
        f"<pre>{html.escape(message)}</pre></body></html>"
    ).encode()


def make_app(state: ServeState, base_path: str = "/") -> Callable[[dict, StartResponse], Iterable[bytes]]:
    """A WSGI app serving ``state.output`` under ``base_path``, or the build error."""

    def app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if state.error and (path.endswith((".html", "/")) or "." not in path.rsplit("/", 1)[-1]):
            start_response("500 Build Failed", [("Content-Type", "text/html; charset=utf-8")])
            return [_error_page(state.error)]
        rel = path[len(base_path):] if path.startswith(base_path) else None
        target = None
        if rel is not None:
            candidate = (state.output / rel).resolve()
            if candidate.is_dir():
                candidate = candidate / "index.html"
            if candidate.is_relative_to(state.output.resolve()) and candidate.is_file():
                target = candidate
        if target is None:
            start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
            missing = state.output / "404.html"
            return [missing.read_bytes() if missing.is_file() else b"Not found"]
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".json":
            kind = "application/json"
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [target.read_bytes()]

    return app


def serve(root: Path, port: int = 8000) -> None:
    base_url = f"http://127.0.0.1:{port}/"
    config = load_config(root, base_url)
    state = ServeState(config.path("output"))
    rebuild(root, base_url, state)
    server = Server(app=make_app(state))
    for path in (config.root / "site.toml", config.path("content"), config.path("badges"), config.path("themes")):
        server.watch(str(path), lambda: rebuild(root, base_url, state), delay=0.2)
    log.info("serving %s on %s (Ctrl+C to stop)", state.output, base_url)
    server.serve(host="127.0.0.1", port=port, open_url_delay=None)
