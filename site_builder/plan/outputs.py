"""What each output reads, and the fingerprint derived from it.

Every output declares its inputs once, as a ``Reads``: the content objects it shows, the
config keys and the template it uses (the templates that one extends, includes or imports
are found by parsing it), whether it depends on the build's clock, and any plain values
(counts, page numbers, signed bytes). Its fingerprint hashes exactly those inputs, so an
output is made again when, and only when, something it reads changed. The render context
holds only what an output declares (pages.py), so a template cannot read around it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import jinja2
import jinja2.meta

from site_builder.config import SiteConfig
from site_builder.model import Site
from site_builder.render.context import PAGE_CONFIG  # noqa: F401 (declared by routes)

# Config keys that change what loading makes of content (ids, dates): part of every object's digest.
LOAD_CONFIG = ("base_url", "timezone")


@dataclass(frozen=True)
class Reads:
    """The inputs of one output."""

    template: str = ""  # its page template ("" for documents and files)
    objects: tuple[tuple[str, str], ...] = ()  # (kind, key): issuers, achievements, earners, assertions
    config: tuple[str, ...] = ()  # site.toml keys
    clock: bool = False  # shows a status as of the build time
    values: tuple[str, ...] = ()  # anything else it shows, as text (counts, numbers, digests of bytes)
    lists: tuple[tuple[str, str], ...] = ()  # objects it lists by a few fields, which ``values`` hold: a change
    # to one reaches the output (plan/incremental.py); its fingerprint changes only if ``values`` do


class Declared(NamedTuple):
    """An output as a route declares it: its kind, path, inputs and maker."""

    kind: str
    path: str
    reads: Reads
    make: Callable[[], bytes]


class Output(NamedTuple):
    """An output as the writer sees it: a named tuple, as a large site plans tens of thousands."""

    path: str  # relative to output/, checked by urls.checked
    fingerprint: str
    make: Callable[[], bytes]


@dataclass
class Fingerprints:
    """Derives each output's fingerprint from its declared inputs (memoising the shared parts)."""

    site: Site
    config: SiteConfig
    env: jinja2.Environment
    code: str  # badgesite's own code: a new version makes everything again
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)  # template source -> names it uses
    _templates: dict[str, str] = field(default_factory=dict)
    _objects: dict[tuple[str, str], str] = field(default_factory=dict)
    _config: dict[tuple[str, ...], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._load = "\0".join(str(getattr(self.config, k)) for k in LOAD_CONFIG)

    def template(self, name: str) -> str:
        """Digest of a template and of every template it references, transitively."""
        if name not in self._templates:
            self._templates[name] = ""  # a cycle ends here
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            h = hashlib.sha256(f"{name}\0{source}".encode())
            if source not in self.references:  # parsing is slow: a warm process keeps what it found
                try:
                    parsed = self.env.parse(source, name)
                except jinja2.TemplateSyntaxError:
                    self.env.get_template(name)  # raises the theme's one-line error naming the template
                    raise
                self.references[source] = tuple(sorted(
                    n for n in jinja2.meta.find_referenced_templates(parsed) if n))
            for other in self.references[source]:
                h.update(self.template(other).encode())
            self._templates[name] = h.hexdigest()
        return self._templates[name]

    def object(self, kind: str, key: str) -> str:
        if (kind, key) not in self._objects:
            found = getattr(self.site, kind).get(key)
            self._objects[kind, key] = f"{found.digest}\0{self._load}" if found is not None else "-"
        return self._objects[kind, key]

    def settings(self, keys: tuple[str, ...]) -> str:
        if keys not in self._config:
            self._config[keys] = "\0".join(f"{k}={getattr(self.config, k)!r}" for k in keys)
        return self._config[keys]

    def of(self, kind: str, reads: Reads) -> str:
        parts: list[str] = [self.code, kind, reads.template and self.template(reads.template),
                            self.settings(reads.config), self.site.build_time.isoformat() if reads.clock else ""]
        parts += [self.object(k, key) for k, key in reads.objects]
        parts += reads.values
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def fingerprinted(declared: Iterable[Declared], prints: Fingerprints) -> Iterable[Output]:
    for d in declared:
        yield Output(d.path, prints.of(d.kind, d.reads), d.make)
