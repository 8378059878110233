"""The route table: every output file, what makes it, and what it reads (plan/outputs.py).

Each route declares an output's inputs once; its fingerprint is derived from them, so the
writer skips outputs whose inputs did not change without rendering them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from site_builder import urls
from site_builder.errors import OutputPathError
from site_builder.model import Achievement, Assertion, Earner, Issuer
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


def issuer_outputs(ctx: Context, i: Issuer) -> Iterator[Declared]:
    """An issuer's documents, page and logo, and its signed status lists and DID document."""
    me = ("issuers", i.slug)
    yield Declared("issuer.json", urls.document(i), Reads(objects=(me,)),
                   lambda i=i: dump(ob2.issuer(ctx.urls, i)))
    own = tuple(("achievements", a.slug) for a in ctx.site.achievements.values() if a.issuer == i.slug)
    yield Declared("issuer.html", urls.page(i), Reads("issuer.html", (me, *own), PAGE_CONFIG),
                   lambda i=i: pages.issuer_page(ctx, i))
    if i.image:
        yield _file("image", urls.image(i), i.image.data)
    for (slug, number), data in ctx.signed.status_lists.items():
        if slug == i.slug:
            yield _file("status", urls.status_list(slug, number), data)
    if i.slug in ctx.signed.did_documents:
        yield _file("did", urls.did_document(i), ctx.signed.did_documents[i.slug])


def achievement_outputs(ctx: Context, a: Achievement) -> Iterator[Declared]:
    """An achievement's BadgeClass, page (with who earned it, in pages when long) and image."""
    me, issuer = ("achievements", a.slug), ("issuers", a.issuer)
    awards = ctx.site.assertions_of(a.slug)  # whether each is listed depends on the award and its earner
    listing = tuple(("assertions", x.uid) for x in awards) + tuple(("earners", x.earner) for x in awards
                                                                    if x.earner)
    yield Declared("badge.json", urls.document(a), Reads(objects=(me,)),
                   lambda a=a: dump(ob2.badge_class(ctx.urls, a)))
    earned = pages.earned_by(ctx, a)
    preview = earned[:pages.EARNED_PREVIEW]
    yield Declared("achievement.html", urls.page(a),
                   Reads("achievement.html", (me, issuer), PAGE_CONFIG + CREDITS, clock=True,
                         values=(str(len(earned)), *_shown(preview)), lists=listing),
                   lambda a=a: pages.achievement_page(ctx, a))
    if len(earned) > len(preview):  # the full list, in pages
        size = pages.EARNED_PER_PAGE
        count, total = -(-len(earned) // size), len(earned)
        for n in range(1, count + 1):
            chunk = earned[(n - 1) * size:n * size]
            yield Declared("earned.html", urls.earned(a, n),
                           Reads("earned.html", (me,), PAGE_CONFIG, clock=True,
                                 values=(str(n), str(count), str(total), *_shown(chunk)), lists=listing),
                           lambda a=a, n=n, count=count, chunk=chunk, total=total:
                           pages.earned_page(ctx, a, n, count, chunk, total))
    yield _file("image", urls.image(a), a.image.data)


def assertion_outputs(ctx: Context, x: Assertion) -> Iterator[Declared]:
    """An assertion's hosted document and verification page, and its signed credential."""
    replaced_by = ctx.site.replaced_by
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
    if signed:
        yield _file("credential", urls.credential(x), signed)


def earner_outputs(ctx: Context, e: Earner) -> Iterator[Declared]:
    """An earner's page and photo."""
    theirs = ctx.site.assertions_earned_by(e.slug)
    shown = [("earners", e.slug)]
    shown += [o for a in theirs for o in (("assertions", a.uid), ("achievements", a.achievement))]
    yield Declared("earner.html", urls.page(e), Reads("earner.html", tuple(shown), PAGE_CONFIG, clock=True),
                   lambda e=e: pages.earner_page(ctx, e))
    if e.image:
        yield _file("image", urls.image(e), e.image.data)


def site_outputs(ctx: Context) -> Iterator[Declared]:
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


# The outputs of each content object, by kind. Planning runs them for every object, or, in a warm
# process, only for the objects a change reaches (plan/incremental.py).
PRIMARY: tuple[tuple[str, Callable[[Context, Any], Iterator[Declared]]], ...] = (
    ("issuers", issuer_outputs),
    ("achievements", achievement_outputs),
    ("assertions", assertion_outputs),
    ("earners", earner_outputs),
)


def declared(ctx: Context) -> Iterator[Declared]:
    """Every output of the site with its declared inputs."""
    yield from site_outputs(ctx)
    for kind, outputs_of in PRIMARY:
        for obj in getattr(ctx.site, kind).values():
            yield from outputs_of(ctx, obj)


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
