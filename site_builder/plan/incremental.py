"""Planning in a warm process (``serve``): only the objects a change reaches are planned again.

The outputs are grouped by the content object that owns them (plan/routes.PRIMARY). After a
change, a group is planned again when its owner changed, when one of its outputs declared
reading a changed object (the readers index, from the declarations), or when a changed object
references the owner (a new award is listed by its achievement and its earner). A change of
anything site-wide (badgesite's code, the config, the theme, the build time) plans everything.
The loader hands back the very same object for an unchanged file, so "changed" is identity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict
from itertools import chain

from site_builder import urls
from site_builder.caches import Key, PlanMemo
from site_builder.errors import OutputPathError
from site_builder.model import Achievement, Assertion, Signed, Site
from site_builder.plan import routes
from site_builder.plan.outputs import Declared, Fingerprints, Output
from site_builder.render.context import Context

SITE: Key = ("", "")  # the group of site-wide outputs (planned every time: they list everything)


def site_wide_key(ctx: Context, theme: str) -> str:
    settings = sorted((k, str(v)) for k, v in asdict(ctx.config).items())
    return hashlib.sha256(f"{ctx.code}\0{settings}\0{theme}\0{ctx.site.build_time.isoformat()}".encode()).hexdigest()


def _references(obj: object) -> Iterator[Key]:
    """The objects a content object names: they list it, so a change to it reaches their groups."""
    if isinstance(obj, Assertion):
        yield "achievements", obj.achievement
        if obj.earner:
            yield "earners", obj.earner
        if obj.replaces:
            yield "assertions", obj.replaces
    elif isinstance(obj, Achievement):
        yield "issuers", obj.issuer


def _changed(old: Site, new: Site) -> set[Key]:
    found: set[Key] = set()
    for kind, _ in routes.PRIMARY:
        before, after = getattr(old, kind), getattr(new, kind)
        found.update((kind, k) for k in before.keys() ^ after.keys())
        found.update((kind, k) for k, obj in after.items() if k in before and before[k] is not obj)
    return found


def _signed_changes(old: Signed, new: Signed) -> set[Key]:
    found = {("assertions", uid) for uid in old.credentials.keys() | new.credentials.keys()
             if old.credentials.get(uid) != new.credentials.get(uid)}
    found |= {("issuers", slug) for slug, number in old.status_lists.keys() | new.status_lists.keys()
              if old.status_lists.get((slug, number)) != new.status_lists.get((slug, number))}
    found |= {("issuers", slug) for slug in old.did_documents.keys() | new.did_documents.keys()
              if old.did_documents.get(slug) != new.did_documents.get(slug)}
    return found


def _reached(memo: PlanMemo, old: Site, new: Site, signed: Signed) -> set[Key]:
    """The groups a change reaches."""
    assert memo.signed is not None
    changed = _changed(old, new)
    reached = changed | _signed_changes(memo.signed, signed)
    for kind, key in changed:
        reached |= memo.readers.get((kind, key), set())
        for site in (old, new):
            obj = getattr(site, kind).get(key)
            if obj is not None:
                reached.update(_references(obj))
    return reached


def plan_warm(ctx: Context, memo: PlanMemo, theme: str) -> list[Output]:
    """The whole plan, reusing the groups of ``memo`` that no change reached; ``memo`` is updated."""
    key = site_wide_key(ctx, theme)
    if key != memo.key or memo.site is None:
        memo.groups.clear()
        memo.readers.clear()
        todo = {(kind, k) for kind, _ in routes.PRIMARY for k in getattr(ctx.site, kind)}
    else:
        todo = _reached(memo, memo.site, ctx.site, ctx.signed)
    prints = Fingerprints(ctx.site, ctx.config, ctx.env, ctx.code, memo.references)
    makers = dict(routes.PRIMARY)
    for group in sorted(todo | {SITE}):
        kind, k = group
        obj = getattr(ctx.site, kind).get(k) if kind else None
        if kind and obj is None:
            memo.groups.pop(group, None)
            continue
        declared: Iterator[Declared] = routes.site_outputs(ctx) if group == SITE else makers[kind](ctx, obj)
        outputs = []
        for d in declared:
            outputs.append(Output(urls.checked(d.path), prints.of(d.kind, d.reads), d.make))
            for read in (*d.reads.objects, *d.reads.lists):
                memo.readers.setdefault(read, set()).add(group)
        memo.groups[group] = outputs
    memo.key, memo.site, memo.signed = key, ctx.site, ctx.signed
    everything = list(chain.from_iterable(memo.groups.values()))
    if len(everything) != len({o.path for o in everything}):
        seen: set[str] = set()
        for o in everything:
            if o.path in seen:
                raise OutputPathError(f"two outputs would be written to {o.path!r}")
            seen.add(o.path)
    return everything
