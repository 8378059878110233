"""The route table: every output file, what makes it, and what it reads (plan/outputs.py).

Each route declares an output's inputs once; its fingerprint is derived from them, so the
writer skips outputs whose inputs did not change without rendering them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator

from site_builder import urls
from site_builder.errors import OutputPathError
from site_builder.model import Assertion, Earner
from site_builder.plan.outputs import PAGE_CONFIG, Declared, Fingerprints, Output, Reads
from site_builder.render import pages
from site_builder.render.context import Context
from site_builder.serialise import dump, ob2

CREDITS = ("credit_unit", "credit_unit_plural")


def _shown(earned: list[tuple[Assertion, Earner]]) -> tuple[str, ...]:
    """What a list of earners shows of each: the award's id and date, the earner's slug, name and photo."""
    return tuple(f"{a.uid}{a.issued_on}{e.slug}{e.name}{e.image.digest if e.image else ''}" for a, e in earned)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file(kind: str, path: str, data: bytes) -> Declared:
    """A file published as it is (an image, an asset, a signed document): it reads only its bytes."""
    return Declared(kind, path, Reads(values=(_digest(data),)), lambda: data)


def _issuer_routes(ctx: Context) -> Iterator[Declared]:
    for i in ctx.site.issuers.values():
        me = ("issuers", i.slug)
        yield Declared("issuer.json", urls.document(i), Reads(objects=(me,)),
                       lambda i=i: dump(ob2.issuer(ctx.urls, i)))
        own = tuple(("achievements", a.slug) for a in ctx.site.achievements.values() if a.issuer == i.slug)
        yield Declared("issuer.html", urls.page(i), Reads("issuer.html", (me, *own), PAGE_CONFIG),
                       lambda i=i: pages.issuer_page(ctx, i))
        if i.image:
            yield _file("image", urls.image(i), i.image.data)


def _achievement_routes(ctx: Context) -> Iterator[Declared]:
    for a in ctx.site.achievements.values():
        me, issuer = ("achievements", a.slug), ("issuers", a.issuer)
        yield Declared("badge.json", urls.document(a), Reads(objects=(me,)),
                       lambda a=a: dump(ob2.badge_class(ctx.urls, a)))
        earned = pages.earned_by(ctx, a)
        preview = earned[:pages.EARNED_PREVIEW]
        yield Declared("achievement.html", urls.page(a),
                       Reads("achievement.html", (me, issuer), PAGE_CONFIG + CREDITS, clock=True,
                             values=(str(len(earned)), *_shown(preview))),
                       lambda a=a: pages.achievement_page(ctx, a))
        if len(earned) > len(preview):  # the full list, in pages
            size = pages.EARNED_PER_PAGE
            count, total = -(-len(earned) // size), len(earned)
            for n in range(1, count + 1):
                chunk = earned[(n - 1) * size:n * size]
                yield Declared("earned.html", urls.earned(a, n),
                               Reads("earned.html", (me,), PAGE_CONFIG, clock=True,
                                     values=(str(n), str(count), str(total), *_shown(chunk))),
                               lambda a=a, n=n, count=count, chunk=chunk, total=total:
                               pages.earned_page(ctx, a, n, count, chunk, total))
        yield _file("image", urls.image(a), a.image.data)


def _assertion_routes(ctx: Context) -> Iterator[Declared]:
    replaced_by = ctx.site.replaced_by
    for x in ctx.site.assertions.values():
        achievement = ctx.site.achievements[x.achievement]
        me = ("assertions", x.uid)
        yield Declared("assertion.json", urls.document(x), Reads(objects=(me,)),
                       lambda x=x: dump(ob2.assertion(ctx.urls, x)))
        shown = [me, ("achievements", achievement.slug), ("issuers", achievement.issuer)]
        shown += [("earners", x.earner)] if x.earner else []
        shown += [("assertions", other) for other in (replaced_by.get(x.uid), x.replaces) if other]
        signed = ctx.signed.credentials.get(x.uid)
        yield Declared("assertion.html", urls.page(x),
                       Reads("assertion.html", tuple(shown), PAGE_CONFIG + CREDITS + ("validator_url",), clock=True,
                             values=(_digest(signed) if signed else "-",)),
                       lambda x=x: pages.assertion_page(ctx, x))


def _earner_routes(ctx: Context) -> Iterator[Declared]:
    for e in ctx.site.earners.values():
        theirs = ctx.site.assertions_earned_by(e.slug)
        shown = [("earners", e.slug)]
        shown += [o for a in theirs for o in (("assertions", a.uid), ("achievements", a.achievement))]
        yield Declared("earner.html", urls.page(e), Reads("earner.html", tuple(shown), PAGE_CONFIG, clock=True),
                       lambda e=e: pages.earner_page(ctx, e))
        if e.image:
            yield _file("image", urls.image(e), e.image.data)


def _site_routes(ctx: Context) -> Iterator[Declared]:
    """Site-wide pages: each reads what it shows (not every assertion's text)."""
    site = ctx.site
    listed = tuple(f"{e.slug}\0{e.name}" for e in site.earners.values() if e.listed)
    cards = tuple(("issuers", slug) for slug in site.issuers) + tuple(("achievements", s) for s in site.achievements)
    counts = tuple(f"{slug}:{sum(not a.revoked for a in site.assertions_of(slug))}" for slug in site.achievements)
    yield Declared("home", urls.HOME, Reads("index.html", cards, PAGE_CONFIG, values=counts),
                   lambda: pages.home_page(ctx))
    yield Declared("earners", urls.EARNERS, Reads("earners.html", (), PAGE_CONFIG, values=listed),
                   lambda: pages.earners_index(ctx))
    yield Declared("404", urls.NOT_FOUND, Reads("404.html", (), PAGE_CONFIG), lambda: pages.not_found_page(ctx))
    slugs = tuple(e.slug for e in site.earners.values() if e.listed)
    yield Declared("sitemap", urls.SITEMAP,
                   Reads("sitemap.xml", (), ("base_url",),
                         values=(*site.issuers, "|", *site.achievements, "|", *slugs)),
                   lambda: pages.sitemap(ctx))
    yield Declared("nojekyll", urls.NOJEKYLL, Reads(), lambda: b"")
    for name, path in ctx.assets.items():
        yield _file("asset", urls.asset(name), path.read_bytes())


def _signed_routes(ctx: Context) -> Iterator[Declared]:
    """Open Badges 3.0: credentials and status lists as committed, DID documents."""
    signed = ctx.signed
    for uid, data in signed.credentials.items():
        yield _file("credential", urls.credential(ctx.site.assertions[uid]), data)
    for (slug, number), data in signed.status_lists.items():
        yield _file("status", urls.status_list(slug, number), data)
    for slug, data in signed.did_documents.items():
        yield _file("did", urls.did_document(ctx.site.issuers[slug]), data)


ROUTES: tuple[Callable[[Context], Iterable[Declared]], ...] = (
    _site_routes,
    _signed_routes,
    _issuer_routes,
    _achievement_routes,
    _assertion_routes,
    _earner_routes,
)


def declared(ctx: Context) -> Iterator[Declared]:
    """Every output of the site with its declared inputs."""
    for route in ROUTES:
        yield from route(ctx)


def plan(ctx: Context) -> list[Output]:
    """All outputs of the site, fingerprinted; refuses an unsafe path or two outputs at one path."""
    prints = Fingerprints(ctx.site, ctx.config, ctx.env, ctx.code)
    seen: set[str] = set()
    outputs = []
    for d in declared(ctx):
        path = urls.checked(d.path)
        if path in seen:
            raise OutputPathError(f"two outputs would be written to {path!r}")
        seen.add(path)
        outputs.append(Output(path, prints.of(d.kind, d.reads), d.make))
    return outputs
