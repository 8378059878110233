"""Checks across objects: what only makes sense once everything is loaded.

Errors: dangling result descriptions, replacement chains, colliding status indexes, ids or
page URLs claimed twice. Warnings: text that looks like an email address in what earners and
visitors see, and the placeholders `badgesite new` writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from site_builder import urls
from site_builder.config import SiteConfig
from site_builder.crypto.recipients import matches
from site_builder.errors import Diagnostic, relative_name
from site_builder.load.content import Loaded
from site_builder.load.jsonsource import JsonSource, pointer_escape
from site_builder.model import Site

EMAIL_LIKE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Where an email address is expected and public: an issuer's contact email.
PUBLIC_EMAIL_POINTERS = {("issuers", "/email")}
# Left by `badgesite new`: published as they are, they make the site look unfinished.
PLACEHOLDERS = ("badges@example.org", "Replace with", "did **this**;")
# Fields holding identities (hashed) or machine values, never shown as text.
_NOT_SHOWN = {"identity", "identityHash", "salt", "@context", "type", "proof", "identities"}


def check_graph(config: SiteConfig, loaded: Loaded,
                memo: dict[str, tuple[JsonSource, list[Diagnostic]]] | None = None,
                ) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, warnings) of the whole site; ``memo`` (a warm process's) keeps the text checks of unchanged files."""
    site, sources = loaded.site, loaded.sources
    errors: list[Diagnostic] = []
    for src, pointer, slug, key in loaded.result_refs:
        achievement = site.achievements.get(slug)
        if achievement and key not in {d.key for d in achievement.result_descriptions}:
            where = _content(config, "achievements", slug)
            errors.append(src.diag(pointer, f"no resultDescription {key!r} in {where}"))
    errors += _replacements(site, sources)
    errors += _status_indexes(site, sources)
    errors += _claimed_pages(site, sources, config.base_url)
    warnings = _text_warnings(sources, {} if memo is None else memo)
    errors += _published_recipients(site, sources, warnings)
    if not site.issuers and not loaded.diagnostics and not errors:
        errors.append(Diagnostic(relative_name(config.path("content"), config.root) + "/issuers",
                                 "", "no issuer: add content/issuers/<slug>.json"))
    return errors, warnings


def _content(config: SiteConfig, kind: str, stem: str) -> str:
    return f"{relative_name(config.path('content'), config.root)}/{kind}/{stem}.json"


def _replacements(site: Site, sources: dict[tuple[str, str], JsonSource]) -> Iterator[Diagnostic]:
    replaced: dict[str, str] = {}
    for a in site.assertions.values():
        src = sources["assertions", a.uid]
        if a.replaces:
            if a.replaces == a.uid:
                yield src.diag("/replaces", "an assertion cannot replace itself")
            elif a.replaces in replaced:
                yield src.diag("/replaces", f"{a.replaces} is already replaced by {replaced[a.replaces]}")
            replaced[a.replaces] = a.uid


def _status_indexes(site: Site, sources: dict[tuple[str, str], JsonSource]) -> Iterator[Diagnostic]:
    taken: dict[tuple[str, int, int], str] = {}
    for a in site.assertions.values():
        achievement = site.achievements.get(a.achievement)
        issuer = site.issuers.get(achievement.issuer) if achievement else None
        if issuer is None or not issuer.did or a.status_index is None:
            continue  # a missing index is allocated by `badgesite sign`; the signed-content check reports it
        key = (issuer.slug, a.status_list, a.status_index)
        src = sources["assertions", a.uid]
        if key in taken:
            yield src.diag("/statusListIndex", f"statusListIndex {a.status_index} is also used by {taken[key]} "
                                               "(two branches collided?): delete it here and run `badgesite sign`")
        else:
            taken[key] = src.name


def _claimed_pages(site: Site, sources: dict[tuple[str, str], JsonSource], base_url: str) -> Iterator[Diagnostic]:
    """Two objects whose pages would have one URL, or a `related` id naming one of this site's own URLs."""
    site_wide = {urls.HOME, urls.EARNERS, urls.NOT_FOUND, urls.SITEMAP}
    for kind, objects in (("earners", site.earners), ("issuers", site.issuers), ("achievements", site.achievements)):
        for stem in objects:
            if urls.page_of(kind, stem) in site_wide or urls.page_of(kind, stem).removesuffix(".html") + "/index.html" \
                    in site_wide:
                yield Diagnostic(sources[kind, stem].name, "", f"the slug {stem!r} is taken by the site's own "
                                 f"page {urls.page_of(kind, stem).removesuffix('.html')}/: rename the file")
    for (_kind, _stem), src in sorted(sources.items()):
        related = src.data.get("related") if isinstance(src.data, dict) else None
        for n, value in enumerate(related if isinstance(related, list) else []):
            if isinstance(value, str) and value.startswith(base_url):
                yield src.diag(f"/related/{n}", f"related id {value!r} is a URL of this site: "
                                                "'related' names the object's ids on other platforms")


def _strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_SHOWN:
                yield from _strings(item, f"{pointer}/{pointer_escape(key)}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{n}")
    elif isinstance(value, str):
        yield pointer, value


def _published_recipients(site: Site, sources: dict[tuple[str, str], JsonSource],
                          warnings: list[Diagnostic]) -> list[Diagnostic]:
    """Email-like text equal to a recipient's address (found by hashing it with each salt): an error."""
    by_name = {src.name: src for src in sources.values()}
    candidates = [(w, email) for w in warnings if w.message.startswith("this looks like an email")
                  for email in EMAIL_LIKE.findall(_value_at(by_name[w.file], w.pointer))]
    errors = []
    for warning, email in candidates:
        if any(matches(email, a.recipient) for a in site.assertions.values()) or any(
                matches(email, i) for e in site.earners.values() for i in e.identities):
            errors.append(Diagnostic(warning.file, warning.pointer, "this is the email address of a recipient: "
                                     "remove it (recipient emails are never published)", warning.line, warning.col))
            if warning in warnings:
                warnings.remove(warning)
    return errors


def _value_at(src: JsonSource, pointer: str) -> str:
    value: Any = src.data
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value if isinstance(value, str) else ""


def _text_warnings(sources: dict[tuple[str, str], JsonSource],
                   memo: dict[str, tuple[JsonSource, list[Diagnostic]]]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for (kind, _stem), src in sorted(sources.items()):
        known = memo.get(src.name)
        if known is None or known[0] is not src:  # the very same parsed file: its checks still hold
            known = memo[src.name] = (src, list(_file_warnings(kind, src)))
        found += known[1]
    return found


def _file_warnings(kind: str, src: JsonSource) -> Iterator[Diagnostic]:
    for pointer, text in _strings(src.data):
        if (kind, pointer) not in PUBLIC_EMAIL_POINTERS and EMAIL_LIKE.search(text):
            yield src.diag(pointer, "this looks like an email address and would be published: "
                                    "remove it (recipient emails are only ever stored hashed)")
        for placeholder in PLACEHOLDERS:
            if placeholder in text:
                yield src.diag(pointer, f"placeholder text from `badgesite new` ({placeholder!r}) "
                                        "would be published: replace it")
