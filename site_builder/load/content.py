"""Read every content file into the model, collecting all diagnostics (validation stage decides)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from site_builder.caches import LoadCache, stat_signature
from site_builder.config import SiteConfig
from site_builder.errors import Diagnostic, relative_name
from site_builder.load.fields import Fields
from site_builder.load.jsonsource import JsonSource, read_json
from site_builder.load.readers import READERS, Run
from site_builder.load.references import KINDS
from site_builder.model import SLUG, UID, Site


@dataclass(frozen=True)
class Loaded:
    """What reading content gave: the model, where each object came from, and every problem found."""

    site: Site
    sources: dict[tuple[str, str], JsonSource]  # (kind, stem) -> its file
    result_refs: tuple[tuple[JsonSource, str, str, str], ...]  # (file, pointer, achievement, result key)
    diagnostics: tuple[Diagnostic, ...]


def _listing(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted((e for e in entries if e.name.endswith(".json") and e.is_file()), key=lambda e: e.name)
    except FileNotFoundError:
        return []


def _discover(run: Run, cache: LoadCache | None) -> dict[str, list[JsonSource]]:
    sources: dict[str, list[JsonSource]] = {k: [] for k in KINDS}
    content = run.config.path("content")
    if not content.is_dir():
        run.diags.append(Diagnostic(relative_name(content, run.config.root), "", "content folder not found"))
        return sources
    shown = relative_name(content, run.config.root)
    for kind in KINDS:
        for entry in _listing(content / kind):
            stem = entry.name[:-5]
            name = f"{shown}/{kind}/{entry.name}"
            stem_ok = UID.match(stem) if kind == "assertions" else SLUG.match(stem)
            if not stem_ok:
                rule = ("a random id of 32 to 64 lowercase hex characters (`badgesite issue` "
                        "names files so)") if kind == "assertions" else \
                    "a slug of lowercase letters, digits and inner hyphens"
                run.diags.append(Diagnostic(name, "", f"file name must be {rule}"))
                continue
            stat = entry.stat()
            signature = (stat.st_size, stat.st_mtime_ns)
            known = cache.files.get(entry.path) if cache else None
            if known and known[0] == signature:
                source, problem = known[1], known[2]
            else:
                source, problem = read_json(Path(entry.path), name)
                if cache is not None:
                    cache.files[entry.path] = (signature, source, problem)
            run.index.stems[kind].add(stem)  # exists: references to it do not dangle
            if problem:
                run.diags.append(problem)
            elif source:
                sources[kind].append(source)
    return sources


def read_site(config: SiteConfig, now: datetime, cache: LoadCache | None = None) -> Loaded:
    """Read all content into the model; the validation stage checks the whole and raises.

    With a ``cache`` (a warm process), files that did not change are not read or checked again.
    """
    run = Run(config, now)
    sources = _discover(run, cache)
    claimed: dict[str, str] = {}
    for kind in KINDS:  # explicit ids and related ids name objects too; each only once
        for src in sources[kind]:
            data = src.data if isinstance(src.data, dict) else {}
            rel = data.get("related", [])
            for pointer, value in [("/id", data.get("id"))] + [
                (f"/related/{i}", v) for i, v in enumerate(rel if isinstance(rel, list) else [])
            ]:
                if not isinstance(value, str):
                    continue
                if value in claimed and claimed[value] != src.name:
                    run.diags.append(src.diag(pointer, f"duplicate id {value!r}: also used by {claimed[value]}"))
                claimed[value] = src.name
                run.index.aliases[kind][value] = src.stem
    if cache is not None:
        context = hashlib.sha256(repr((config, now.date(), sorted((k, sorted(v)) for k, v in run.index.stems.items()),
                                       sorted((k, sorted(v.items())) for k, v in run.index.aliases.items()),
                                       stat_signature(config.path("badges")))).encode()).hexdigest()
        if context != cache.context:
            cache.objects.clear()
            cache.context = context
    objects: dict[str, dict[str, object]] = {k: {} for k in KINDS}
    for kind in KINDS:
        for src in sources[kind]:
            known = cache.objects.get((kind, src.stem)) if cache else None
            if known and known[0] is src:  # the very same parsed file, in an unchanged context
                obj, diags, warnings = known[1], known[2], known[3]
                run.diags.extend(diags)
                run.warnings.extend(warnings)
            else:
                first_diag, first_warning = len(run.diags), len(run.warnings)
                f = Fields(src, run.diags, src.data)
                obj = READERS[kind](run, src, f, run.header(kind, src, f)) if f.ok else None
                if cache is not None:
                    cache.objects[kind, src.stem] = (src, obj, run.diags[first_diag:],
                                                          run.warnings[first_warning:])
            if obj is not None:
                objects[kind][src.stem] = obj
    site = Site(objects["issuers"], objects["achievements"], objects["earners"],  # type: ignore[arg-type]
                objects["assertions"], now, tuple(run.warnings))
    return Loaded(site, {(k, s.stem): s for k in KINDS for s in sources[k]}, tuple(run.result_refs), tuple(run.diags))
