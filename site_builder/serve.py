"""``badgesite serve``: livereload on 127.0.0.1; rebuilds on change, keeps serving on errors.

The preview is built for ``http://127.0.0.1:PORT/`` into ``.cache/badgesite/serve/site/``
(git-ignored), never into output/: what `badgesite build` wrote stays as it was. Pages are
served by a small WSGI app, so that while the last rebuild failed (or crashed) every page
shows the error over the last good preview.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from livereload import Server

from site_builder.build import build
from site_builder.caches import BuildCache
from site_builder.config import SiteConfig, load_config
from site_builder.errors import BadgesiteError, UsageError

log = logging.getLogger(__name__)
StartResponse = Callable[[str, list[tuple[str, str]]], object]


@dataclass
class ServeState:
    """What the dev server shows: the output folder and the last rebuild's error, if any."""

    output: Path
    error: str = ""
    cache: BuildCache = field(default_factory=BuildCache)


PREVIEW = Path(".cache") / "badgesite" / "serve"  # under the site root: the preview's own state and files


def preview_config(root: Path, base_url: str) -> SiteConfig:
    """The site's config, built for ``base_url`` into the preview folder."""
    return replace(load_config(root, base_url), output_dir=str(PREVIEW / "site"))


def rebuild(root: Path, base_url: str, state: ServeState) -> None:
    """Build once; on failure (or a crash) remember the error: the last good preview stays served."""
    try:
        config = preview_config(root, base_url)
        (config.root / PREVIEW).mkdir(parents=True, exist_ok=True)
        result = build(config, preview=config.base_url != load_config(root).base_url, cache=state.cache,
                       state=config.root / PREVIEW)
    except BadgesiteError as exc:
        state.error = str(exc)
        log.error("build failed, still serving the last good build:\n%s", exc)
        return
    except Exception as exc:  # a bug must not leave stale pages looking current  # noqa: BLE001
        state.error = f"badgesite crashed while building ({type(exc).__name__}: {exc}); please report it"
        log.exception("build crashed, still serving the last good build")
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
        "Other pages still show the last good build.</p>"
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


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def serve(root: Path, port: int = 8000) -> None:
    if not 0 < port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {port}")
    if not port_is_free(port):
        raise UsageError(f"port {port} is in use (another `badgesite serve`?): choose another with --port")
    base_url = f"http://127.0.0.1:{port}/"
    config = preview_config(root, base_url)
    state = ServeState(config.path("output"))
    rebuild(root, base_url, state)
    for name in ("livereload", "tornado"):  # they add their own handler: do not print each line twice
        logging.getLogger(name).propagate = False
    server = Server(app=make_app(state))
    for path in (config.root / "site.toml", config.path("content"), config.path("badges"), config.path("themes")):
        server.watch(str(path), lambda: rebuild(root, base_url, state), delay=0.2)
    log.info("serving %s on %s (Ctrl+C to stop)", state.output, base_url)
    server.serve(host="127.0.0.1", port=port, open_url_delay=None)
