"""Every cache badgesite keeps, in one place: objects the caller creates and passes in.

No cache hides in a module. A command-line build starts from the files of the site's
``.cache/badgesite/`` (the proof cache, the write manifest); a warm process (``serve``)
keeps a ``BuildCache`` between builds.

What stays process-global, and why (nothing else may; tests/test_architecture.py checks):
- ``urls.checked``: an lru_cache of a pure function of its argument (no state to invalidate);
- ``linkeddata.jsonld.document_loader`` and the shipped contexts: immutable data read once;
- ``crypto.proof._options_hash``: an lru_cache of a pure function (canonical proof options);
- ``render.text.render_markdown``: an lru_cache of a pure function (Markdown -> sanitised HTML);
- ``build.code_digest``: badgesite's own code, which cannot change within a process.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.errors import Diagnostic
from site_builder.load.jsonsource import JsonSource

if TYPE_CHECKING:
    from jinja2 import Environment

    from site_builder.model import Signed, Site
    from site_builder.plan.outputs import Output

Key = tuple[str, str]  # (kind, key) of a content object


@dataclass
class LoadCache:
    """Kept by a warm process (``serve``) between builds: unchanged files are neither read nor checked again.

    ``files`` is keyed by path with the file's (size, mtime); ``objects`` holds what reading each
    file produced, valid while ``context`` (config, the set of files and ids, images, date) is unchanged.
    """

    files: dict[str, tuple[tuple[int, int], JsonSource | None, Diagnostic | None]] = field(default_factory=dict)
    objects: dict[tuple[str, str], tuple[JsonSource, object, list[Diagnostic], list[str]]] = field(
        default_factory=dict)
    context: str = ""
    text: dict[str, tuple[JsonSource, list[Diagnostic]]] = field(default_factory=dict)  # text checks per file


@dataclass
class ProofCache:
    """Digests (credential bytes + public key) of proofs already verified: not verified again."""

    known: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, path: Path) -> ProofCache:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls({d for d in data if isinstance(d, str)} if isinstance(data, list) else set())

    def __contains__(self, digest: str) -> bool:
        return digest in self.known or digest in self.added

    def add(self, digest: str) -> None:
        if digest not in self.known:
            self.added.add(digest)

    def save(self, path: Path) -> None:
        """Write the cache when this run verified new proofs (atomically: a reader never sees half)."""
        if not self.added:
            return
        self.known |= self.added
        self.added = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(sorted(self.known)), encoding="utf-8")
        os.replace(tmp, path)


@dataclass
class PlanMemo:
    """What the last plan of a warm process left: its inputs, its groups of outputs and who read what."""

    key: str = ""
    site: Site | None = None
    signed: Signed | None = None
    groups: dict[Key, list[Output]] = field(default_factory=dict)
    readers: dict[Key, set[Key]] = field(default_factory=dict)  # object -> groups whose outputs read it
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)  # template source -> templates it uses


@dataclass
class BuildCache:
    """What a warm process (``serve``) keeps between builds."""

    load: LoadCache = field(default_factory=LoadCache)
    proofs: ProofCache = field(default_factory=ProofCache)
    signed: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    manifest: dict[str, tuple[str, int]] = field(default_factory=dict)  # as written by the last build
    plan: PlanMemo = field(default_factory=PlanMemo)
    env: dict[str, Environment] = field(default_factory=dict)  # the theme's Jinja environment, by theme folders


def stat_signature(*roots: Path) -> str:
    """Names, sizes and mtimes of every file under ``roots`` (a root may be a single file)."""
    h = hashlib.sha256()
    for root in roots:
        for folder, dirs, names in os.walk(root) if root.is_dir() else [(str(root.parent), [], [root.name])]:
            dirs.sort()
            for name in sorted(names):
                try:
                    stat = os.stat(os.path.join(folder, name))
                except FileNotFoundError:
                    continue
                h.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()
