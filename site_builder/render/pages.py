"""Template contexts for each kind of page, rendered through the theme environment."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from site_builder import urls
from site_builder.model import Achievement, Assertion, Earner, Issuer
from site_builder.render.context import PAGE_CONFIG, Context
from site_builder.render.text import format_credits, script_json
from site_builder.serialise import ob2


def _render(ctx: Context, template: str, path: str, *, root: str = "", noindex: bool = False,
            clock: bool = False, **values: Any) -> bytes:
    """A page from the theme. The template sees only what the page's route declares it reads:
    the objects passed in ``values``, the PAGE_CONFIG keys as ``site``, the build time if ``clock``."""
    config = ctx.config
    to = urls.Links(path, root)
    page = {
        "path": path,
        "url": ctx.urls.url(path),
        "root": to.prefix,
        "noindex": noindex,
    }
    text = ctx.env.get_template(template).render(
        site=SimpleNamespace(**{k: getattr(config, k) for k in PAGE_CONFIG}), page=page, to=to,
        **({"as_of": ctx.site.build_time} if clock else {}), **values,
    )
    return text.encode("utf-8")


def _credits(ctx: Context) -> Any:
    config = ctx.config
    return lambda value: format_credits(value, config.credit_unit, config.credit_unit_plural)


def _sorted(assertions: list[Assertion]) -> list[Assertion]:
    return sorted(assertions, key=lambda a: (a.issued_on, a.uid), reverse=True)


def home_page(ctx: Context) -> bytes:
    return _render(ctx, "index.html", urls.HOME, issuers=ctx.site.issuers, achievements=ctx.site.achievements,
                   counts={
        slug: len([a for a in ctx.site.assertions_of(slug) if not a.revoked])
        for slug in ctx.site.achievements
    })


def issuer_page(ctx: Context, issuer: Issuer) -> bytes:
    own = [a for a in ctx.site.achievements.values() if a.issuer == issuer.slug]
    return _render(ctx, "issuer.html", urls.page(issuer), issuer=issuer, own=own,
                   json_url=ctx.urls.document(issuer))


EARNED_PREVIEW = 60  # earners shown on an achievement's page
EARNED_PER_PAGE = 500  # earners per page of its full list


def earned_by(ctx: Context, achievement: Achievement) -> list[tuple[Assertion, Earner]]:
    """Valid awards to listed earners, most recent first."""
    return [
        (a, ctx.site.earners[a.earner]) for a in _sorted(ctx.site.assertions_of(achievement.slug))
        if a.status(ctx.site.build_time) == "valid" and a.earner and ctx.site.earners[a.earner].listed
    ]


def achievement_page(ctx: Context, achievement: Achievement) -> bytes:
    earned = earned_by(ctx, achievement)
    return _render(ctx, "achievement.html", urls.page(achievement), clock=True, achievement=achievement,
                   credits=_credits(ctx), issuer=ctx.site.issuers[achievement.issuer], earned=earned[:EARNED_PREVIEW],
                   earned_total=len(earned), json_url=ctx.urls.document(achievement))


def earned_page(ctx: Context, achievement: Achievement, number: int, count: int,
                earned: list[tuple[Assertion, Earner]], total: int) -> bytes:
    return _render(ctx, "earned.html", urls.earned(achievement, number), clock=True, achievement=achievement,
                   earned=earned, number=number, count=count, total=total)


def assertion_page(ctx: Context, assertion: Assertion) -> bytes:
    achievement = ctx.site.achievements[assertion.achievement]
    issuer = ctx.site.issuers[achievement.issuer]
    json_url = ctx.urls.document(assertion)
    host = urlsplit(ctx.urls.base_url).hostname or ""
    issuer_host = urlsplit(issuer.url).hostname or ""
    return _render(
        ctx, "assertion.html", urls.page(assertion), noindex=True, clock=True, credits=_credits(ctx),
        assertion=assertion, achievement=achievement, issuer=issuer,
        earner=ctx.site.earners.get(assertion.earner),
        status=assertion.status(ctx.site.build_time),
        replaced_by=ctx.site.assertions.get(ctx.site.replaced_by.get(assertion.uid, "")),
        replaces=ctx.site.assertions.get(assertion.replaces),
        json_url=json_url,
        hosting_host=host,
        issuer_host=issuer_host,
        host_differs=host.removeprefix("www.") != issuer_host.removeprefix("www."),
        validator_link=ctx.config.validator_url.replace("{url}", quote(json_url, safe="")),
        credential_url=ctx.urls.credential(assertion) if assertion.uid in ctx.signed.credentials else "",
        document=script_json(ob2.assertion(ctx.urls, assertion)),
    )


def earner_page(ctx: Context, earner: Earner) -> bytes:
    theirs = _sorted(ctx.site.assertions_earned_by(earner.slug))
    return _render(ctx, "earner.html", urls.page(earner), noindex=not earner.listed, clock=True,
                   earner=earner, theirs=theirs, achievements={a.achievement: ctx.site.achievements[a.achievement]
                                                               for a in theirs})


def earners_index(ctx: Context) -> bytes:
    listed = sorted((e for e in ctx.site.earners.values() if e.listed), key=lambda e: (e.name, e.slug))
    return _render(ctx, "earners.html", urls.EARNERS, listed=listed)


def not_found_page(ctx: Context) -> bytes:
    # Served for any missing path at any depth: links must be absolute with the path prefix.
    return _render(ctx, "404.html", urls.NOT_FOUND, root=ctx.urls.base_path, noindex=True)


def sitemap(ctx: Context) -> bytes:
    paths = [urls.HOME, urls.EARNERS]
    paths += [urls.page(i) for i in ctx.site.issuers.values()]
    paths += [urls.page(a) for a in ctx.site.achievements.values()]
    paths += [urls.page(e) for e in ctx.site.earners.values() if e.listed]
    return _render(ctx, "sitemap.xml", urls.SITEMAP, urls=[ctx.urls.url(p) for p in paths])
