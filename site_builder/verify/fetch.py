"""Fetching what a badge links to: a protocol, local site folders, deadlines, and their composition.

Verification never uses a global fetcher: callers pass one in. ``LocalSite`` serves a folder
for a URL prefix (a built site's ``output/`` for its ``base_url``: verify before deploying;
tests never go online), ``web.HttpFetcher`` fetches public https URLs, ``RoutedFetcher`` tries
local sites first (also for redirect targets), ``CachingFetcher`` fetches each URL once and
holds the verification's ``Deadline``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from site_builder.errors import BadgesiteError
from site_builder.verify import limits

MAX_BYTES = limits.MAX_DOCUMENT
ONE_FETCH, VERIFICATION = "one fetch", "verification"


class FetchError(BadgesiteError):
    """A URL could not be fetched: refused, unreachable, too large, or not JSON."""


@dataclass(frozen=True)
class Deadline:
    """When fetching must be done (``time.monotonic``): for one fetch, or for a whole verification."""

    at: float
    seconds: float
    of: str = ONE_FETCH

    @classmethod
    def after(cls, seconds: float, of: str = ONE_FETCH) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, seconds, of)

    def left(self) -> float:
        """Seconds left (zero or less once passed)."""
        return self.at - time.monotonic()

    def expired(self, url: str) -> FetchError:
        """The error for ``url`` once this deadline has passed."""
        if self.of == VERIFICATION:
            return FetchError(f"could not fetch {url}: the {self.seconds:g} s limit for all fetches of this "
                              "verification has passed")
        return FetchError(f"could not fetch {url}: no complete answer within {self.seconds:g} s "
                          "(the limit for one fetch, redirects included)")


def earliest(own: Deadline, other: Deadline | None) -> Deadline:
    """The deadline that passes first."""
    return own if other is None or own.at <= other.at else other


@dataclass(frozen=True)
class Response:
    """What a URL answered: its HTTP status and body (404 for a missing local file).

    ``location`` is set (absolute) only on a redirect that the fetcher did not follow itself.
    """

    url: str
    status: int
    body: bytes
    location: str = ""

    def json(self) -> Any:
        """The body as JSON (nested at most ``limits.MAX_DEPTH`` deep); FetchError if it is not."""
        try:
            return limits.loads(self.body.decode("utf-8-sig"))
        except limits.TooDeep as exc:
            raise FetchError(f"{self.url}: {exc}") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError(f"{self.url} did not answer with JSON ({exc})") from exc


class Fetcher(Protocol):
    """Anything that turns a URL into a ``Response`` (or raises ``FetchError``)."""

    def fetch(self, url: str, deadline: Deadline | None = None) -> Response:
        """The response at ``url`` (by ``deadline`` when given); FetchError when it cannot be fetched."""
        ...


Local = Callable[[str], "Response | None"]  # the local answer for a URL, or None when no local site serves it


class Remote(Protocol):
    """A network fetcher that can route redirect targets to local sites (``web.HttpFetcher``)."""

    def fetch(self, url: str, deadline: Deadline | None = None, local: Local | None = None) -> Response:
        """The response at ``url``, following redirects; targets ``local`` answers are not fetched."""
        ...


class LocalSite:
    """Serves URLs under ``prefix`` from the files of ``folder`` (as GitHub Pages would)."""

    def __init__(self, prefix: str, folder: Path) -> None:
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.folder = folder.resolve()

    def handles(self, url: str) -> bool:
        """Whether ``url`` is under this site's prefix."""
        return url.startswith(self.prefix)

    def fetch(self, url: str, deadline: Deadline | None = None) -> Response:
        """The file for ``url`` (status 404 when missing); FetchError outside the folder or too large."""
        if not self.handles(url):
            raise FetchError(f"{url} is not under {self.prefix}")
        rest = unquote(urlsplit(url[len(self.prefix):]).path)
        if "\0" in rest:
            raise FetchError(f"refusing {url!r}: its path holds a NUL character")
        if rest == "" or rest.endswith("/"):
            rest += "index.html"
        path = (self.folder / rest).resolve()
        if not path.is_relative_to(self.folder):
            raise FetchError(f"{url} escapes the site folder {self.folder}")
        if not path.is_file():
            return Response(url, 404, b"")
        if path.stat().st_size > limits.MAX_DOCUMENT:
            raise FetchError(f"{url} is larger than the {limits.size(limits.MAX_DOCUMENT)} limit of fetched documents")
        return Response(url, 200, path.read_bytes())


class RoutedFetcher:
    """Local sites first (longest prefix wins), then ``fallback``; without one, refuse the rest.

    Redirects the fallback meets are routed too: a target under a local site's prefix is
    answered from its folder, never fetched.
    """

    def __init__(self, sites: list[LocalSite], fallback: Remote | None = None) -> None:
        self.sites = sorted(sites, key=lambda s: len(s.prefix), reverse=True)
        self.fallback = fallback

    def local(self, url: str) -> Response | None:
        """The answer of the local site serving ``url``; None when none does."""
        for site in self.sites:
            if site.handles(url):
                return site.fetch(url)
        return None

    def fetch(self, url: str, deadline: Deadline | None = None) -> Response:
        """Route ``url`` to its local site, else to the fallback."""
        answer = self.local(url)
        if answer is not None:
            return answer
        if self.fallback is None:
            known = ", ".join(s.prefix for s in self.sites) or "nothing"
            raise FetchError(f"refusing to fetch {url}: only {known} is served here")
        return self.fallback.fetch(url, deadline, self.local)


class CachingFetcher:
    """Fetch each URL once per verification (a DID document serves credential and status list).

    Failures are remembered too, so a URL that timed out is not waited for twice; every fetch
    shares ``deadline`` (the verification's).
    """

    def __init__(self, inner: Fetcher, deadline: Deadline | None = None) -> None:
        self.inner = inner
        self.deadline = deadline
        self.cache: dict[str, Response | FetchError] = {}

    def fetch(self, url: str, deadline: Deadline | None = None) -> Response:
        """The cached response (or error), fetched on first use."""
        if url not in self.cache:
            try:
                self.cache[url] = self.inner.fetch(url, earliest(deadline, self.deadline) if deadline
                                                   else self.deadline)
            except FetchError as exc:
                self.cache[url] = exc
        answer = self.cache[url]
        if isinstance(answer, FetchError):
            raise FetchError(str(answer))
        return answer


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
