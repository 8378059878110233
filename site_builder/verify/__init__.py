"""Verify any Open Badge, ours or anyone's: OB 2.0 hosted or signed (JWS), OB 3.0 credentials.

``verify(source, fetcher, recipient, now)`` reads SOURCE (a URL of a badge or of a page that
links to one, a JSON or JWS file, a baked PNG or SVG), runs the checks its version's
specification asks for and returns a ``Report``; it never prints. Everything the badge links
to is fetched through ``fetcher`` (see ``site_builder.verify.fetch``), so a built site can be
verified before it is deployed and tests never go online.
"""

from __future__ import annotations

from datetime import UTC, datetime

from site_builder.verify import extract, limits, ob2, ob3, pages
from site_builder.verify.common import parse_now
from site_builder.verify.fetch import (
    VERIFICATION,
    CachingFetcher,
    Deadline,
    Fetcher,
    FetchError,
    LocalSite,
    RoutedFetcher,
)
from site_builder.verify.limits import VERIFY_SECONDS
from site_builder.verify.report import Report, render_json, render_text
from site_builder.verify.web import AddressPolicy, HttpFetcher

__all__ = ["AddressPolicy", "FetchError", "Fetcher", "HttpFetcher", "LocalSite", "Report", "RoutedFetcher",
           "parse_now", "render_json", "render_text", "verify"]

def _from_url(report: Report, url: str, fetcher: Fetcher, recipient: str | None, now: datetime,
              hops: int = 0) -> None:
    """A URL is a hosted 2.0 assertion, unless it serves a 3.0 credential (JSON or VC-JWT) or a page
    whose ``<link rel="alternate" type="application/ld+json">`` names the badge."""
    try:
        answer = fetcher.fetch(url)
        body = answer.body if answer.status == 200 else b""
    except FetchError:
        body = b""  # the 2.0 verifier fetches again and reports why
    text = body.decode("utf-8-sig", "replace").strip()
    if extract.JWS.match(text):
        given = extract.classify(text, "URL")
        if given.kind == extract.OB3_JWT:
            ob3.verify_jwt(report, given.text, fetcher, recipient, now)
        else:
            ob2.verify_signed(report, fetcher, given.text, given.document, recipient, now)
        return
    alternate = pages.alternate(text, url) if text.startswith("<") else ""
    if alternate and hops == 0:
        report.warn(f"{url} is a web page; verified the badge it links to: {alternate}")
        _from_url(report, alternate, fetcher, recipient, now, hops + 1)
        return
    try:
        document = limits.loads(text) if text.startswith("{") else None
    except ValueError:
        document = None
    if isinstance(document, dict) and extract.is_credential(document):
        ob3.verify_credential(report, document, fetcher, recipient, now)
    else:
        ob2.verify_hosted(report, fetcher, url, None, recipient, now)


def verify(source: str, fetcher: Fetcher, recipient: str | None = None, now: datetime | None = None,
           time_limit: float = VERIFY_SECONDS) -> Report:
    """Verify the badge in ``source``; ``now`` (aware) defaults to the real clock.

    Every fetch is done within ``time_limit`` seconds of the start (a fetch still running then
    fails). Raises ``extract.SourceError`` when SOURCE cannot be read or holds no badge; every
    verification failure is a failed check in the report instead.
    """
    moment = now or datetime.now(UTC)
    recipient = recipient.strip() if recipient else None
    fetcher = CachingFetcher(fetcher, Deadline.after(time_limit, VERIFICATION))
    given = extract.read_source(source)
    report = Report(source=source, origin=given.origin)
    if recipient:
        report.recipient = f"{recipient}: not checked (the verification stopped before the recipient check)"
    if given.kind == extract.URL:
        _from_url(report, given.text, fetcher, recipient, moment)
    elif given.kind == extract.OB3:
        ob3.verify_credential(report, given.document, fetcher, recipient, moment)
    elif given.kind == extract.OB3_JWT:
        ob3.verify_jwt(report, given.text, fetcher, recipient, moment)
    elif given.kind == extract.OB2_JWS:
        ob2.verify_signed(report, fetcher, given.text, given.document, recipient, moment)
    else:
        ob2.verify_hosted(report, fetcher, "", given.document, recipient, moment)
    return report
