"""A badge's web page: the JSON it names with ``<link rel="alternate" type="application/ld+json">``."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

JSON_LD = "application/ld+json"


class _Links(HTMLParser):
    """Collects the href of every alternate JSON-LD link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind == JSON_LD and values.get("href"):
            self.found.append(values["href"].strip())


def alternate(html: str, url: str) -> str:
    """The absolute https URL of the page's first alternate JSON-LD link ('' when there is none)."""
    parser = _Links()
    try:
        parser.feed(html)
        parser.close()
    except (ValueError, AssertionError):
        return ""
    for href in parser.found:
        target = urljoin(url, href)
        if target.startswith(("https://", "http://")):
            return target.split("#", 1)[0]
    return ""
