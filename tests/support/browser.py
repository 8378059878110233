"""Headless Chromium (Playwright) and a loopback server that behaves like GitHub Pages.

``PagesServer`` serves a site's ``output/`` under the path prefix of its base URL
(``http://127.0.0.1:PORT/site/``) and answers any missing path with ``404.html`` and
status 404, as GitHub Pages does. It records every request path it answered.
"""

from __future__ import annotations

import os
import shutil
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.support.external import missing

CHROMIUM = os.environ.get("BADGESITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
LOOPBACK = "127.0.0.1"


class PagesServer:
    """``output/`` over HTTP at ``http://127.0.0.1:PORT{prefix}``; start it before building
    (the port is needed for the base URL), point ``root`` at output/ afterwards."""

    def __init__(self, prefix: str = "/site/") -> None:
        assert prefix.startswith("/") and prefix.endswith("/")
        self.prefix = prefix
        self.root: Path | None = None
        self.log: list[tuple[str, int]] = []  # (path, status) of every answered request
        server = self

        class Handler(SimpleHTTPRequestHandler):
            extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                              ".json": "application/json", ".svg": "image/svg+xml",
                              ".js": "text/javascript", ".css": "text/css"}

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(server.root or "."), **kwargs)

            def translate_path(self, path: str) -> str:
                clean = unquote(urlsplit(path).path)
                if not clean.startswith(server.prefix) or server.root is None:
                    return "/nonexistent/badgesite"  # outside the prefix: a 404 like any missing file
                rel = clean[len(server.prefix):]
                target = (server.root / rel).resolve()
                if server.root.resolve() not in (target, *target.parents):
                    return "/nonexistent/badgesite"
                return str(target)

            def list_directory(self, path: str) -> Any:  # GitHub Pages lists nothing
                self.send_error(404)
                return None

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                page = server.root / "404.html" if server.root else None
                if code != 404 or page is None or not page.is_file():
                    super().send_error(code, message, explain)
                    return
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def send_response(self, code: int, message: str | None = None) -> None:
                server.log.append((urlsplit(self.path).path, code))
                super().send_response(code, message)

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://{LOOPBACK}:{self.port}{prefix}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PagesServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def fetch(url: str) -> tuple[int, bytes]:
    """Status and body of a GET, 4xx/5xx included (no redirects are expected)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def launch_chromium() -> tuple[Any, Any]:
    """(playwright, browser), or skip/fail through ``missing`` when either is absent."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        missing(f"Chromium ({CHROMIUM})")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure means no usable browser
        playwright.stop()
        missing(f"Chromium ({CHROMIUM}: {str(exc).splitlines()[0]})")
    return playwright, browser
