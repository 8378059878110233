"""The one URL scheme: every output path and every site URL is made here, nowhere else.

An output path is relative to output/ (``assertions/<id>.html``); a URL is the site's base URL
plus that path. What will vary (the base URL today, a language prefix later) is held by
``Urls``; the path functions are pure. ``checked`` refuses any path that could escape
output/. A test fails if another module builds a site path or URL by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

from site_builder.errors import OutputPathError
from site_builder.model import Achievement, Assertion, Earner, Issuer

HOME = "index.html"
EARNERS = "earners/index.html"
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
NOJEKYLL = ".nojekyll"  # GitHub Pages: serve files as they are (the one dot-file we write)
KINDS = {"issuers": Issuer, "achievements": Achievement, "assertions": Assertion, "earners": Earner}

# Segments start with a letter or digit, so "", "." and ".." (and hidden files) cannot occur.
_SAFE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
Object = Issuer | Achievement | Assertion | Earner


@lru_cache(maxsize=1 << 17)  # pure; the same paths are checked on every build of a warm process
def checked(path: str) -> str:
    """A relative output path, refused if it could escape or confuse output/."""
    if path != NOJEKYLL and not _SAFE_PATH.fullmatch(path):
        raise OutputPathError(f"refusing output path {path!r}: it would escape or confuse output/")
    return path


def _key(obj: Object) -> tuple[str, str]:
    if isinstance(obj, Issuer):
        return "issuers", obj.slug
    if isinstance(obj, Achievement):
        return "achievements", obj.slug
    if isinstance(obj, Assertion):
        return "assertions", obj.uid
    return "earners", obj.slug


def document_of(kind: str, stem: str) -> str:
    """The Open Badges 2.0 document of a content object (``issuers``, ``achievements``, ``assertions``)."""
    return checked(f"{kind}/{stem}.json")


def document(obj: Issuer | Achievement | Assertion) -> str:
    return document_of(*_key(obj))


def page_of(kind: str, stem: str) -> str:
    """The human page of a content object (``issuers``, ``achievements``, ``assertions``, ``earners``)."""
    return checked(f"{kind}/{stem}.html")


def page(obj: Object) -> str:
    return page_of(*_key(obj))


def image(obj: Issuer | Achievement | Earner) -> str:
    """Where the object's image is published (it must have one)."""
    assert obj.image is not None
    kind, stem = _key(obj)
    return checked(f"{kind}/{stem}.{obj.image.extension}")


def earned(achievement: Achievement, number: int) -> str:
    """Page ``number`` (from 1) of the list of everyone who earned ``achievement``."""
    return checked(f"achievements/{achievement.slug}/earned-{number}.html")


def credential(assertion: Assertion) -> str:
    """The signed Open Badges 3.0 credential of an assertion."""
    return checked(f"credentials/{assertion.uid}.json")


def status_list(issuer: str, number: int = 1) -> str:
    """Revocation status list ``number`` of an issuer (by slug); the first keeps its original URL."""
    return checked(f"status/{issuer}.json" if number == 1 else f"status/{issuer}/{number}.json")


def did_document(issuer: Issuer) -> str:
    return checked(f"issuers/{issuer.slug}/did.json")


def asset(name: str) -> str:
    return checked(f"assets/{name}")


def root_of(path: str) -> str:
    """Relative prefix from the page at ``path`` back to the site root (works under any prefix and file://)."""
    return "../" * path.count("/")


@dataclass(frozen=True)
class Urls:
    """Absolute URLs of one site: ``base_url`` + path."""

    base_url: str

    @property
    def base_path(self) -> str:
        """Path part of ``base_url``, always ending in ``/`` (``/repo/`` or ``/``)."""
        return urlsplit(self.base_url).path

    def url(self, path: str) -> str:
        return self.base_url + checked(path)

    def document(self, obj: Issuer | Achievement | Assertion) -> str:
        return self.url(document(obj))

    def document_of(self, kind: str, stem: str) -> str:
        return self.url(document_of(kind, stem))

    def page(self, obj: Object) -> str:
        return self.url(page(obj))

    def page_of(self, kind: str, stem: str) -> str:
        return self.url(page_of(kind, stem))

    def image(self, obj: Issuer | Achievement | Earner) -> str:
        return self.url(image(obj))

    def credential(self, assertion: Assertion) -> str:
        return self.url(credential(assertion))

    def status_list(self, issuer: str, number: int = 1) -> str:
        return self.url(status_list(issuer, number))

    def criteria(self, achievement: Achievement) -> str:
        return self.url(page(achievement)) + "#criteria"

    def result_description(self, achievement: Achievement, key: str) -> str:
        return self.url(document(achievement)) + "#" + key

    def stem_of(self, kind: str, url: str) -> str | None:
        """The stem whose ``kind`` document is at ``url`` on this site, else None."""
        prefix = f"{self.base_url}{kind}/"
        if url.startswith(prefix) and url.endswith(".json") and "/" not in url[len(prefix):]:
            return url[len(prefix):-5]
        return None

    def did_web(self, issuer: str) -> str:
        """The did:web of an issuer (by slug): resolves to its published DID document."""
        parts = urlsplit(self.base_url)
        host = quote(parts.netloc, safe="")  # a port's colon is percent-encoded
        segments = [s for s in parts.path.split("/") if s] + ["issuers", issuer]
        return ":".join(["did:web", host, *segments])


@dataclass(frozen=True)
class Links:
    """Links from one page to others, relative (so a site works under any prefix and from file://)."""

    path: str  # the page's own output path
    root: str = ""  # override of the prefix back to the root (the 404 page uses the absolute base path)

    @property
    def prefix(self) -> str:
        return self.root or root_of(self.path)

    def to(self, path: str) -> str:
        return self.prefix + checked(path)

    def page(self, obj: Object) -> str:
        return self.to(page(obj))

    def image(self, obj: Issuer | Achievement | Earner) -> str:
        return self.to(image(obj))

    def credential(self, assertion: Assertion) -> str:
        return self.to(credential(assertion))

    def earned(self, achievement: Achievement, number: int) -> str:
        return self.to(earned(achievement, number))

    def asset(self, name: str) -> str:
        return self.to(asset(name))

    @property
    def home(self) -> str:
        return self.to(HOME)

    @property
    def earners(self) -> str:
        return self.to(EARNERS)
