"""Fetching what a badge links to: a protocol, local site folders, https, and their composition.

Verification never uses a global fetcher: callers pass one in. ``LocalSite`` serves a site's
built ``output/`` folder for its ``base_url`` (verify before deploying; tests never go online),
``HttpFetcher`` fetches https URLs with a timeout, ``RoutedFetcher`` tries local sites first.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from site_builder.config import load_config
from site_builder.errors import BadgesiteError

MAX_BYTES = 5 * 1024 * 1024
ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


class FetchError(BadgesiteError):
    """A URL could not be fetched: refused, unreachable, too large, or not JSON."""


@dataclass(frozen=True)
class Response:
    """What a URL answered: its HTTP status and body (404 for a missing local file)."""

    url: str
    status: int
    body: bytes

    def json(self) -> Any:
        """The body as JSON; FetchError if it is not."""
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError(f"{self.url} did not answer with JSON ({exc})") from exc


class Fetcher(Protocol):
    """Anything that turns a URL into a ``Response`` (or raises ``FetchError``)."""

    def fetch(self, url: str) -> Response:
        """The response at ``url``; FetchError when it cannot be fetched at all."""
        ...


class LocalSite:
    """Serves URLs under ``prefix`` from the files of ``folder`` (as GitHub Pages would)."""

    def __init__(self, prefix: str, folder: Path) -> None:
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.folder = folder.resolve()

    def handles(self, url: str) -> bool:
        """Whether ``url`` is under this site's prefix."""
        return url.startswith(self.prefix)

    def fetch(self, url: str) -> Response:
        """The file for ``url`` (status 404 when missing); FetchError outside the folder."""
        if not self.handles(url):
            raise FetchError(f"{url} is not under {self.prefix}")
        rest = unquote(urlsplit(url[len(self.prefix):]).path)
        if rest == "" or rest.endswith("/"):
            rest += "index.html"
        path = (self.folder / rest).resolve()
        if not path.is_relative_to(self.folder):
            raise FetchError(f"{url} escapes the site folder {self.folder}")
        if not path.is_file():
            return Response(url, 404, b"")
        return Response(url, 200, path.read_bytes())


def site_fetcher(site: Path) -> LocalSite:
    """A site folder (with site.toml): its base_url served from its built output folder."""
    config = load_config(site)
    output = config.path("output")
    if not output.is_dir():
        raise FetchError(f"{output} does not exist: run `badgesite build --site {site}` first")
    return LocalSite(config.base_url, output)


class HttpFetcher:
    """https only, with a timeout and a size limit; redirects are followed by urllib."""

    def __init__(self, timeout: float = 10.0, max_bytes: int = MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes

    def fetch(self, url: str) -> Response:
        """GET ``url`` over https; HTTP errors are responses, network errors FetchError."""
        if urlsplit(url).scheme != "https":
            raise FetchError(f"refusing to fetch {url}: only https URLs are fetched")
        request = urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": "badgesite-verify"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (https only)
                body = answer.read(self.max_bytes + 1)
                status = answer.status
        except urllib.error.HTTPError as exc:
            return Response(url, exc.code, exc.read(self.max_bytes))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise FetchError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from exc
        if len(body) > self.max_bytes:
            raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
        return Response(url, status, body)


class RoutedFetcher:
    """Local sites first (longest prefix wins), then ``fallback``; without one, refuse the rest."""

    def __init__(self, sites: list[LocalSite], fallback: Fetcher | None = None) -> None:
        self.sites = sorted(sites, key=lambda s: len(s.prefix), reverse=True)
        self.fallback = fallback

    def fetch(self, url: str) -> Response:
        """Route ``url`` to its local site, else to the fallback."""
        for site in self.sites:
            if site.handles(url):
                return site.fetch(url)
        if self.fallback is None:
            known = ", ".join(s.prefix for s in self.sites) or "nothing"
            raise FetchError(f"refusing to fetch {url}: only {known} is served here")
        return self.fallback.fetch(url)


class CachingFetcher:
    """Fetch each URL once per verification (a DID document serves credential and status list)."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner
        self.cache: dict[str, Response] = {}

    def fetch(self, url: str) -> Response:
        """The cached response, fetched on first use."""
        if url not in self.cache:
            self.cache[url] = self.inner.fetch(url)
        return self.cache[url]


def fetch_json(fetcher: Fetcher, url: str) -> dict[str, Any]:
    """The JSON object at ``url`` (status 200 required)."""
    if not isinstance(url, str) or not url:
        raise FetchError(f"not a URL: {url!r}")
    answer = fetcher.fetch(url.split("#", 1)[0])
    if answer.status != 200:
        raise FetchError(f"{url} answered HTTP {answer.status}")
    data = answer.json()
    if not isinstance(data, dict):
        raise FetchError(f"{url} is not a JSON object")
    return data
