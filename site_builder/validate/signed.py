"""Check the committed Open Badges 3.0 content: signed credentials, status lists, DIDs.

The build never signs. It proves that what is committed still matches its source and that
every proof verifies with a key the issuer publishes; anything else is a diagnostic that
says to run ``badgesite sign``. Verified proofs are cached by content hash, and uncached
ones are checked on every core.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import Any

from site_builder.caches import ProofCache
from site_builder.config import SiteConfig
from site_builder.crypto import keys as keylib
from site_builder.crypto import proof
from site_builder.errors import ContentError, Diagnostic, relative_name
from site_builder.linkeddata.jsonld import dropped_terms
from site_builder.load import layout
from site_builder.load.jsonsource import JsonSource, read_json
from site_builder.model import Issuer, Signed, Site
from site_builder.serialise import dump, ob3
from site_builder.urls import Urls

log = logging.getLogger(__name__)
SIGN = "run `badgesite sign` where the issuer's key is kept"


def _shape(value: Any, path: str = "") -> frozenset[str]:
    """Key paths and type values: two documents of one shape expand alike."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                out.add(f"{path}/{key}" + (f"={item}" if key == "type" else ""))
                out |= _shape(item, f"{path}/{key}")
    elif isinstance(value, list):
        for item in value:
            out |= _shape(item, path)
    return frozenset(out)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _verify_one(job: tuple[str, bytes, str]) -> tuple[str, str]:
    name, data, public = job
    try:
        proof.check(json.loads(data), keylib.public_key(public))
    except (proof.ProofError, ValueError) as exc:
        return name, str(exc)
    return name, ""


def _verify_all(jobs: list[tuple[str, bytes, str]]) -> dict[str, str]:
    workers = min(os.cpu_count() or 1, max(1, len(jobs) // 100))
    if workers <= 1:
        return dict(map(_verify_one, jobs))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(_verify_one, jobs, chunksize=64))


class _Check:
    def __init__(self, config: SiteConfig, site: Site, proofs: ProofCache,
                 memo: dict[str, tuple[str, bytes]] | None) -> None:
        self.config, self.site, self.cache, self.memo = config, site, proofs, memo
        self.urls = Urls(config.base_url)
        self.memo_keys: dict[str, str] = {}
        self.content = config.path("content")
        self.shown = relative_name(self.content, config.root)
        self.credentials = layout.folder(config, layout.CREDENTIALS)
        self.credentials_str = str(self.credentials)
        self.pending: dict[str, str] = {}  # file name -> cache digest, for proofs verified in this run
        self.demo_signed = 0  # per issuer: credentials signed with a public demo key
        self.diags: list[Diagnostic] = []
        self.warnings: list[str] = []
        self.jobs: list[tuple[str, bytes, str]] = []  # (file name, bytes, public key) to verify
        self.sources: dict[str, JsonSource] = {}
        self.shapes: set[frozenset[str]] = set()

    def name(self, path: Path) -> str:
        return layout.shown(self.config, path)

    def read(self, path: Path, what: str) -> JsonSource | None:
        if not path.is_file():
            self.diags.append(Diagnostic(self.name(path), "", f"no signed {what}: {SIGN}"))
            return None
        source, problem = read_json(path, self.name(path))
        if problem:
            self.diags.append(problem)
        return source

    def expect(self, source: JsonSource, expected: dict[str, Any], issuer: Issuer) -> bool:
        """The committed document is ``expected`` plus a proof by one of the issuer's keys."""
        data = source.data if isinstance(source.data, dict) else {}
        if {k: v for k, v in data.items() if k != "proof"} != expected:
            self.diags.append(source.diag("", f"does not match its source (changed since it was signed): {SIGN}"))
            return False
        method = data.get("proof", {}).get("verificationMethod", "") if isinstance(data.get("proof"), dict) else ""
        key = next((k for k in issuer.keys if f"{issuer.did}#{k.name}" == method), None)
        if key is None:
            self.diags.append(source.diag("/proof", f"not signed by a key of {issuer.did} "
                                                    f"(verificationMethod {method!r}): {SIGN}"))
            return False
        if key.public_demo_key:
            self.demo_signed += 1
        digest = hashlib.sha256(source.raw + key.multibase.encode()).hexdigest()
        if digest not in self.cache:
            self.jobs.append((source.name, source.raw, key.multibase))
            self.sources[source.name] = source
            self.pending[source.name] = digest
        return True

    def issuer(self, issuer: Issuer) -> tuple[dict[str, bytes], dict[tuple[str, int], bytes]]:
        base = self.config.base_url
        src_name = layout.name(self.config, "issuers", issuer.slug)
        expected_did = self.urls.did_web(issuer.slug)
        if issuer.did != expected_did:
            self.diags.append(Diagnostic(src_name, "/did", f"did {issuer.did!r} does not match base_url "
                              f"{base!r} (which gives {expected_did!r}); ids cannot move: see README, "
                              "'Moving a site'"))
            return {}, {}
        self.demo_signed = 0
        credentials: dict[str, bytes] = {}
        for a in self.site.assertions_issued_by(issuer.slug):
            path = self.credentials / f"{a.uid}.json"
            stat = _stat(f"{self.credentials_str}/{a.uid}.json") if self.memo is not None else None
            if stat is not None:  # a warm process: skip what was checked unchanged
                earner = self.site.earners.get(a.earner)
                key = (f"{a.digest}{self.site.achievements[a.achievement].digest}{issuer.digest}"
                       f"{earner.digest if earner else '-'}{stat.st_size}:{stat.st_mtime_ns}")
                self.memo_keys[a.uid] = key
                if self.memo.get(a.uid, ("", b""))[0] == key:
                    credentials[a.uid] = self.memo[a.uid][1]
                    continue
            if a.status_index is None:
                self.diags.append(Diagnostic(layout.name(self.config, "assertions", a.uid), "",
                                             f"no 'statusListIndex' for its Open Badges 3.0 credential: {SIGN}"))
                continue
            expected = ob3.credential_of(self.urls, self.site, a)
            shape = _shape(expected)
            if shape not in self.shapes:
                self.shapes.add(shape)
                for term in dropped_terms(expected):
                    self.diags.append(Diagnostic(self.name(path), term, "JSON-LD expansion drops this "
                                                 "property: no context defines it (a badgesite bug)"))
            source = self.read(path, "credential")
            if source and self.expect(source, expected, issuer):
                credentials[a.uid] = source.raw
        if self.demo_signed:
            self.warnings.append(f"{self.demo_signed} credentials of {issuer.slug} are signed with a PUBLIC DEMO "
                                 "key: anyone can sign with it, so they prove nothing")
        lists: dict[tuple[str, int], bytes] = {}
        for number in self.site.status_lists_of(issuer.slug):
            status = self.read(layout.status_file(self.config, issuer.slug, number), "status list")
            if status:
                data = status.data if isinstance(status.data, dict) else {}
                expected_list = ob3.status_list_of(self.urls, self.site, issuer, data.get("validFrom", ""), number)
                if self.expect(status, expected_list, issuer):
                    lists[issuer.slug, number] = status.raw
        return credentials, lists

    def run(self) -> Signed:
        credentials: dict[str, bytes] = {}
        lists: dict[tuple[str, int], bytes] = {}
        dids: dict[str, bytes] = {}
        for issuer in self.site.issuers.values():
            if not issuer.did:
                continue
            found, status = self.issuer(issuer)
            credentials.update(found)
            lists.update(status)
            dids[issuer.slug] = dump(keylib.did_document(issuer.did, [(k.name, k.multibase) for k in issuer.keys]))
        for name, problem in sorted(_verify_all(self.jobs).items()):
            if problem:
                self.diags.append(self.sources[name].diag("/proof", f"{problem}: {SIGN}"))
            else:
                self.cache.add(self.pending[name])
        if self.diags:
            raise ContentError(self.diags)
        if self.memo is not None:
            for uid, data in credentials.items():
                if uid in self.memo_keys:
                    self.memo[uid] = (self.memo_keys[uid], data)
        return Signed(MappingProxyType(credentials), MappingProxyType(lists), MappingProxyType(dids),
                      tuple(self.warnings))


def check_signed(config: SiteConfig, site: Site, preview: bool, proofs: ProofCache,
                 memo: dict[str, tuple[str, bytes]] | None = None) -> Signed:
    """Checked 3.0 outputs; a preview for another base URL leaves them out (their ids name the real site)."""
    if not any(i.did for i in site.issuers.values()):
        return Signed()
    if preview:
        message = (f"preview for {config.base_url}: Open Badges 3.0 credentials, status lists and DID "
                   "documents are left out (they are signed for the real base_url)")
        log.warning("warning: %s", message)
        return Signed(warnings=(message,))
    signed = _Check(config, site, proofs, memo).run()
    for warning in signed.warnings:
        log.warning("warning: %s", warning)
    return signed
