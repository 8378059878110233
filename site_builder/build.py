"""``build()``: the whole pipeline, top to bottom."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder import __version__
from site_builder.caches import BuildCache, ProofCache, stat_signature
from site_builder.config import SiteConfig, build_time, theme_folders
from site_builder.model import Signed, Site
from site_builder.write import WriteStats, outputs_intact, write_outputs
from site_builder.write.lock import build_lock

if TYPE_CHECKING:
    from site_builder.render.context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    assertions: int
    stats: WriteStats
    warnings: tuple[str, ...] = ()
    unchanged: bool = False  # every input was as at the last build: nothing was done


@lru_cache(maxsize=1)
def code_digest() -> str:
    """badgesite's own code: a new version or a local edit re-renders everything."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def inputs_digest(config: SiteConfig, preview: bool, when: datetime) -> str:
    """Names, sizes and mtimes of every input file, with the settings: equal means nothing changed."""
    files = stat_signature(config.root / "site.toml", config.path("content"), config.path("badges"),
                           *theme_folders(config))
    return hashlib.sha256(f"{code_digest()}\0{sorted(asdict(config).items())}\0{preview}\0{when.isoformat()}"
                          f"\0{files}".encode()).hexdigest()


def make_context(config: SiteConfig, site: Site, signed: Signed | None = None,
                 cache: BuildCache | None = None, theme: str = "") -> Context:
    """What planning and rendering read. A warm process keeps the environment (compiled templates) of an
    unchanged theme (``theme``: the digest of its files)."""
    from site_builder.render.context import Context
    from site_builder.render.theme import environment, theme_digest, theme_files
    from site_builder.urls import Urls

    folders = theme_folders(config)
    name = theme or theme_digest(folders)
    env = cache.env.get(name) if cache else None
    if env is None:
        env = environment(folders)
        if cache is not None:  # a warm process compiles every template now, not on the first edit it shows
            cache.env.clear()
            cache.env[name] = env
            for template in theme_files(folders, "templates"):
                env.get_template(template)
    return Context(site, config, Urls(config.base_url), env, theme_files(folders, "assets"),
                   code_digest(), signed or Signed())


def build(config: SiteConfig, preview: bool = False, cache: BuildCache | None = None,
          strict: bool = False, state: Path | None = None) -> BuildResult:
    """Load and validate content, plan every output, render what changed, write.

    ``preview``: built for another address than site.toml's (signed 3.0 content is left out).
    ``cache``: kept by a warm process, so unchanged files are not read or checked again.
    ``strict``: warnings are errors.
    ``state``: where the build keeps its manifest and caches (default: the site's .cache/badgesite/).
    """
    # A build allocates many small objects and frees them at the end; the cyclic collector
    # would rescan the whole (warm, large) heap again and again meanwhile. Pause it.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build(config, preview, cache, strict, state or config.root / ".cache" / "badgesite")
    finally:
        if paused:
            gc.enable()


def _build(config: SiteConfig, preview: bool, cache: BuildCache | None, strict: bool, folder: Path) -> BuildResult:
    with build_lock(folder):  # one build at a time per site, for the whole build
        when = build_time(config)
        snapshot = inputs_digest(config, preview, when) if cache is None and not strict else ""  # 0. same?
        last_build = folder / "last-build.json"
        last = _read_json(last_build)
        if snapshot and last.get("inputs") == snapshot and outputs_intact(config.path("output"),
                                                                           folder / "manifest.json"):
            return BuildResult(last["assertions"], WriteStats(0, last["files"], 0, last["bytes"]),
                               tuple(last["warnings"]), unchanged=True)
        # The stages, imported only now: a no-change build answers above without loading them.
        from site_builder.plan.incremental import plan_warm
        from site_builder.plan.routes import plan
        from site_builder.render.theme import theme_digest
        from site_builder.validate import load_site, validate

        site = load_site(config, when, cache.load if cache else None, strict=strict)  # 1. load, check -> model
        proofs = cache.proofs if cache else ProofCache.read(folder / "proofs.json")
        signed = validate(config, site, proofs, preview=preview,    # 1b. committed 3.0 content and proofs
                          memo=cache.signed if cache else None)
        proofs.save(folder / "proofs.json")
        theme = theme_digest(theme_folders(config)) if cache else ""
        context = make_context(config, site, signed, cache, theme)  # 2. theme, URLs, the render context
        outputs = plan_warm(context, cache.plan, theme) if cache else plan(context)  # 3. outputs, their inputs
        # Before output/ changes: a build stopped from here on must never pass for "unchanged".
        # (A warm process does not snapshot; the next command-line build checks everything.)
        last_build.unlink(missing_ok=True)
        stats = write_outputs(outputs, config.path("output"), folder / "manifest.json",  # 4. render, write
                              cache.manifest if cache else None)
        warnings = site.warnings + signed.warnings
        if snapshot:
            last_build.write_text(json.dumps({
                "inputs": snapshot, "assertions": len(site.assertions), "files": stats.written + stats.skipped,
                "bytes": stats.total_bytes, "warnings": list(warnings)}))
        log.debug("built %d assertions into %s", len(site.assertions), config.path("output"))
        return BuildResult(len(site.assertions), stats, warnings)


def check(config: SiteConfig, strict: bool = False) -> Site:
    """Everything ``build`` checks (load, the whole graph, signed content, the plan), writing nothing."""
    from site_builder.plan.routes import plan
    from site_builder.validate import load_site, validate

    when = build_time(config)
    site = load_site(config, when, strict=strict)
    proofs = ProofCache.read(config.root / ".cache" / "badgesite" / "proofs.json")  # read, never saved here
    signed = validate(config, site, proofs)
    plan(make_context(config, site, signed))
    return site.with_warnings(signed.warnings)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
