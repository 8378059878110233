"""The explicit route table: every output file, what makes it, and what it depends on.

An output's *fingerprint* hashes everything that can change its bytes (the site-wide
inputs plus the digests of the model objects it shows), so the writer can skip outputs
whose fingerprint did not change without rendering them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from site_builder import urls
from site_builder.errors import OutputPathError
from site_builder.model import Assertion, Earner
from site_builder.render import pages
from site_builder.render.context import Context
from site_builder.serialise import dump, ob2


class Output(NamedTuple):
    """One output file: a named tuple, as a large site plans tens of thousands on every build."""

    path: str  # relative to output/, checked by urls.checked
    fingerprint: str
    make: Callable[[], bytes]


def _shown(earned: list[tuple[Assertion, Earner]]) -> list[str]:
    """What a list of earners shows (not the awards' narratives or evidence)."""
    return [f"{a.uid}{a.issued_on}{e.slug}{e.name}{e.image.digest if e.image else ''}" for a, e in earned]


def _issuer_routes(ctx: Context) -> Iterator[Output]:
    for i in ctx.site.issuers.values():
        yield Output(urls.document(i), ctx.fingerprint("issuer.json", i.digest),
                     lambda i=i: dump(ob2.issuer(ctx.urls, i)))
        shown = [a.digest for a in ctx.site.achievements.values() if a.issuer == i.slug]
        yield Output(urls.page(i), ctx.fingerprint("issuer.html", i.digest, *shown),
                     lambda i=i: pages.issuer_page(ctx, i))
        if i.image:
            yield Output(urls.image(i), i.image.digest, lambda i=i: i.image.data)


def _achievement_routes(ctx: Context) -> Iterator[Output]:
    for a in ctx.site.achievements.values():
        issuer = ctx.site.issuers[a.issuer]
        yield Output(urls.document(a), ctx.fingerprint("badge.json", a.digest),
                     lambda a=a: dump(ob2.badge_class(ctx.urls, a)))
        earned = pages.earned_by(ctx, a)
        preview = earned[:pages.EARNED_PREVIEW]
        yield Output(urls.page(a),
                     ctx.fingerprint("achievement.html", a.digest, issuer.digest, str(len(earned)), *_shown(preview)),
                     lambda a=a: pages.achievement_page(ctx, a))
        if len(earned) > len(preview):  # the full list, in pages
            size = pages.EARNED_PER_PAGE
            count, total = -(-len(earned) // size), len(earned)
            for n in range(1, count + 1):
                chunk = earned[(n - 1) * size:n * size]
                yield Output(urls.earned(a, n),
                             ctx.fingerprint("earned.html", a.digest, str(n), str(count), *_shown(chunk)),
                             lambda a=a, n=n, count=count, chunk=chunk, total=total:
                             pages.earned_page(ctx, a, n, count, chunk, total))
        yield Output(urls.image(a), a.image.digest, lambda a=a: a.image.data)


def _assertion_routes(ctx: Context) -> Iterator[Output]:
    replaced_by = ctx.site.replaced_by
    for x in ctx.site.assertions.values():
        achievement = ctx.site.achievements[x.achievement]
        earner = ctx.site.earners.get(x.earner)
        yield Output(urls.document(x), ctx.fingerprint("assertion.json", x.digest),
                     lambda x=x: dump(ob2.assertion(ctx.urls, x)))
        deps = (x.digest, achievement.digest, ctx.site.issuers[achievement.issuer].digest,
                earner.digest if earner else "-", replaced_by.get(x.uid, "-"),
                "ob3" if x.uid in ctx.signed.credentials else "-")
        yield Output(urls.page(x), ctx.fingerprint("assertion.html", *deps),
                     lambda x=x: pages.assertion_page(ctx, x))


def _earner_routes(ctx: Context) -> Iterator[Output]:
    for e in ctx.site.earners.values():
        theirs = ctx.site.assertions_earned_by(e.slug)
        deps = [e.digest] + [d for a in theirs for d in (a.digest, ctx.site.achievements[a.achievement].digest)]
        yield Output(urls.page(e), ctx.fingerprint("earner.html", *deps),
                     lambda e=e: pages.earner_page(ctx, e))
        if e.image:
            yield Output(urls.image(e), e.image.digest, lambda e=e: e.image.data)


def _site_routes(ctx: Context) -> Iterator[Output]:
    """Site-wide pages, each fingerprinted by what it shows (not by every assertion's text)."""
    site = ctx.site
    listed = [f"{e.slug}\0{e.name}" for e in site.earners.values() if e.listed]
    shown = [o.digest for o in (*site.issuers.values(), *site.achievements.values())]
    counts = [f"{slug}:{sum(not a.revoked for a in site.assertions_of(slug))}" for slug in site.achievements]
    pages_listed = [*site.issuers, "|", *site.achievements, "|", *listed]
    yield Output(urls.HOME, ctx.fingerprint("home", *shown, *counts), lambda: pages.home_page(ctx))
    yield Output(urls.EARNERS, ctx.fingerprint("earners", *listed), lambda: pages.earners_index(ctx))
    yield Output(urls.NOT_FOUND, ctx.fingerprint("404"), lambda: pages.not_found_page(ctx))
    yield Output(urls.SITEMAP, ctx.fingerprint("sitemap", *pages_listed), lambda: pages.sitemap(ctx))
    yield Output(urls.NOJEKYLL, "empty", lambda: b"")
    for name, path in ctx.assets.items():
        yield Output(urls.asset(name), ctx.fingerprint("asset", name), path.read_bytes)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signed_routes(ctx: Context) -> Iterator[Output]:
    """Open Badges 3.0: credentials and status lists as committed, DID documents."""
    signed = ctx.signed
    for uid, data in signed.credentials.items():
        yield Output(urls.credential(ctx.site.assertions[uid]), _digest(data), lambda d=data: d)
    for (slug, number), data in signed.status_lists.items():
        yield Output(urls.status_list(slug, number), _digest(data), lambda d=data: d)
    for slug, data in signed.did_documents.items():
        yield Output(urls.did_document(ctx.site.issuers[slug]), _digest(data), lambda d=data: d)


ROUTES: tuple[Callable[[Context], Iterable[Output]], ...] = (
    _site_routes,
    _signed_routes,
    _issuer_routes,
    _achievement_routes,
    _assertion_routes,
    _earner_routes,
)


def plan(ctx: Context) -> list[Output]:
    """All outputs of the site; refuses an unsafe path or two outputs at one path."""
    seen: set[str] = set()
    outputs = []
    for route in ROUTES:
        for output in route(ctx):
            path = urls.checked(output.path)
            if path in seen:
                raise OutputPathError(f"two outputs would be written to {path!r}")
            seen.add(path)
            outputs.append(output)
    return outputs

