"""``badgesite verify`` on random bytes, JSON, JWS-like strings, baked PNGs and SVGs, and mapped URLs.

Nothing reaches the network: every URL the inputs hold is under a prefix mapped to an empty local
folder, and socket lookups and connections are refused and recorded (none may be for a remote host).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.content import DROP, get_at, pointers, replaced
from tests.fuzz.harness import (
    FIXED_EPOCH,
    NO_EXPLAIN,
    assert_clean,
    assert_names,
    digest,
    fresh_site,
    no_network,
    note_exit,
    remote,
    run_cli,
)
from tests.fuzz.images import chunk, png
from tests.fuzz.values import Raw, dump, hostile, texts
from tests.support.signed import signed_minimal

HOST = "badges.test"
URLS = (f"https://{HOST}/", f"https://{HOST}/assertions/1.json", f"https://{HOST}/issuers/acme.json",
        f"http://{HOST}/badge.json", f"https://{HOST}/../../etc/passwd", f"https://{HOST}/%2e%2e/x",
        f"https://{HOST}/a?b=c#d", f"did:web:{HOST}", f"did:web:{HOST}:issuers:acme", f"did:web:{HOST}#key-1",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "did:key:zXYZ", "urn:uuid:1234", "javascript:x",
        "", "#key-1", "relative/path.json")
TYPES = ("Assertion", "BadgeClass", "Profile", "Issuer", "VerifiableCredential", "OpenBadgeCredential",
         "hosted", "signed", "DataIntegrityProof", "Ed25519VerificationKey2020", "Multikey")
CONTEXTS = ("https://w3id.org/openbadges/v2", "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/data-integrity/v2")
KEYS = ("@context", "id", "type", "recipient", "badge", "verify", "issuedOn", "expires", "revoked", "issuer",
        "credentialSubject", "proof", "validFrom", "validUntil", "credentialStatus", "verificationMethod",
        "proofValue", "cryptosuite", "identity", "hashed", "salt", "url", "publicKey", "statusListCredential")


def _offline(value: object) -> bool:
    """No scheme that a fetcher would follow to a host other than badges.test."""
    text = json.dumps(value, default=str)
    return "://" not in text and "did:" not in text


# URLs under the mapped prefixes with any path.
tails = st.text(max_size=20)
mapped_urls = st.builds(lambda prefix, tail: prefix + tail, st.sampled_from(URLS[:4]), tails)
values = st.one_of(st.sampled_from(URLS), mapped_urls, st.sampled_from(TYPES), st.sampled_from(CONTEXTS),
                   hostile.filter(_offline))
keys = st.sampled_from(KEYS)
documents = st.recursive(st.dictionaries(keys, values, max_size=8),
                         lambda inner: st.dictionaries(keys, values | inner | st.lists(inner, max_size=2), max_size=8),
                         max_leaves=20)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@st.composite
def jws(draw: st.DrawFn) -> str:
    algs = st.sampled_from(("RS256", "EdDSA", "none", "HS256", "ES256"))
    header = draw(st.one_of(st.fixed_dictionaries({"alg": algs},
                                                  optional={"kid": st.sampled_from(URLS), "typ": st.just("JWT"),
                                                            "jwk": documents, "crit": st.just(["b64"])}),
                            documents))
    parts = [b64(dump(header).encode()), b64(dump(draw(documents)).encode()), b64(draw(st.binary(max_size=300)))]
    if draw(st.booleans()):
        parts[draw(st.integers(0, 2))] = draw(st.sampled_from(("", "!!!", "a", "=" * 5, "A" * 5001)))
    return ".".join(parts[: draw(st.sampled_from((3, 3, 2, 4)))] if draw(st.booleans()) else parts)


texts_ = st.one_of(documents.map(dump), jws(), st.sampled_from(URLS), st.sampled_from(
    ('[]', '"x"', "{", "1e999", '{"a":NaN}', '[' * 5000 + ']' * 5000, dump(Raw('{"a":' * 3000 + "1" + "}" * 3000)))))


@st.composite
def sources(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file suffix, bytes) of a file given to verify."""
    kind = draw(st.sampled_from(("bytes", "json", "json", "jws", "png", "svg")))
    if kind == "bytes":
        return ".bin", draw(st.binary(max_size=200))
    if kind in ("json", "jws"):
        return ".json", (draw(jws()) if kind == "jws" else draw(texts_)).encode("utf-8", "surrogatepass")
    text = draw(texts_).encode("utf-8", "surrogatepass")
    if kind == "png":
        keyword = draw(st.sampled_from((b"openbadges", b"openbadgecredential", b"other")))
        kind_ = draw(st.sampled_from((b"iTXt", b"tEXt", b"zTXt")))
        body = keyword + (b"\x00\x00\x00\x00\x00" if kind_ == b"iTXt" else b"\x00") + text
        return ".png", png(extra=(chunk(kind_, body),))
    escaped = text.replace(b"&", b"&amp;").replace(b"<", b"&lt;")
    verify = draw(st.sampled_from(URLS)).encode()
    return ".svg", (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
                    b'<openbadges:assertion verify="' + verify + b'">' + draw(st.sampled_from((escaped, b""))) +
                    b"</openbadges:assertion></svg>")


def _verify(scratch: Path, source: str, extra: tuple[str, ...]) -> None:
    mapped = scratch / "elsewhere"
    before = digest(scratch)
    with no_network() as asked:
        run = run_cli("verify", source, "--map", f"https://{HOST}/={mapped}", "--map", f"http://{HOST}/={mapped}",
                      "--now", "2026-11-24T12:00:00Z", *extra)
    note_exit(run)
    assert_clean(run)
    assert not remote(asked), f"verify {source} looked up remote hosts {remote(asked)}"
    if run.err.startswith("error:") :  # an error, not a report of an invalid badge
        assert_names(run, source, Path(source).name)
    assert digest(scratch) == before, f"verify {source} changed files"


extras = st.sampled_from(((), ("--json",), ("--recipient", "ada@example.org"), ("--json", "--recipient", "x")))


@settings(phases=NO_EXPLAIN)
@given(case=sources(), extra=extras)
def test_verify_files(template: Path, case: tuple[str, bytes], extra: tuple[str, ...]) -> None:
    suffix, data = case
    with fresh_site(template) as (_, scratch):
        source = scratch / f"badge{suffix}"
        source.write_bytes(data)
        _verify(scratch, str(source), extra)


@settings(phases=NO_EXPLAIN)
@given(url=st.sampled_from(URLS[:7]), tail=st.text(max_size=20), extra=extras)
def test_verify_urls(template: Path, url: str, tail: str, extra: tuple[str, ...]) -> None:
    with fresh_site(template) as (_, scratch):
        if url.startswith("http"):
            _verify(scratch, url + tail, extra)


BASE = "https://example.github.io/minimal/"
SIGNED_FILES = ("credentials/00000000000000000000000000000001.json", "assertions/00000000000000000000000000000001.json",
                "issuers/acme.json", "issuers/acme/did.json", "status/acme.json", "achievements/tester.json")
# Other hosts the real documents name (issuer url, evidence, alignment): mapped too, so nothing is fetched.
OTHER_HOSTS = ("https://acme.example.org/", "https://example.org/", "https://iste.org/")


@pytest.fixture(scope="session")
def signed_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built output/ of the signed minimal site (an OB 2.0 assertion and an OB 3.0 credential)."""
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": FIXED_EPOCH}):
        site = signed_minimal(tmp_path_factory.mktemp("fuzz-signed") / "site")
    assert run_cli("build", "--site", str(site)).code == 0
    return site / "output"


signed_values = st.one_of(st.sampled_from(URLS), st.builds(lambda tail: BASE + tail, tails),
                          st.sampled_from(TYPES), st.sampled_from(CONTEXTS), hostile.filter(_offline))


@st.composite
def signed_mutations(draw: st.DrawFn, output: Path) -> tuple[str, bytes, int]:
    """(file under output/, its mutated bytes, how many mutations): zero mutations must verify."""
    rel = draw(st.sampled_from(SIGNED_FILES))
    doc = json.loads((output / rel).read_text())
    count = draw(st.integers(0, 3))
    for _ in range(count):
        at = draw(st.sampled_from(pointers(doc)))
        target = get_at(doc, at)
        if isinstance(target, dict) and draw(st.booleans()):
            doc = replaced(doc, at, {**target, draw(st.sampled_from(KEYS)): draw(signed_values)})
        elif at and draw(st.integers(0, 3)) == 0:
            doc = replaced(doc, at, DROP)
        else:
            doc = replaced(doc, at, draw(signed_values))
    return rel, dump(doc).encode("utf-8", "surrogatepass"), count


@settings(phases=NO_EXPLAIN)
@given(data=st.data(), how=st.sampled_from(("file", "file", "url")), extra=extras)
def test_verify_mutated_badges(signed_output: Path, data: st.DataObject, how: str, extra: tuple[str, ...]) -> None:
    """A real signed credential or hosted assertion, or a document they lead to, mutated."""
    rel, mutated, count = data.draw(signed_mutations(signed_output))
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        scratch = Path(folder)
        out, empty = scratch / "output", scratch / "elsewhere"
        shutil.copytree(signed_output, out)
        empty.mkdir()
        source = scratch / "badge.json"
        if rel.startswith(("credentials/", "assertions/")) and how == "file":
            source.write_bytes(mutated)
            arg = str(source)
        else:
            (out / rel).write_bytes(mutated)
            arg = BASE + SIGNED_FILES[data.draw(st.integers(0, 1))]
        maps = [f"{BASE}={out}"] + [f"{host}={empty}" for host in OTHER_HOSTS]
        before = digest(scratch)
        with no_network() as asked:
            run = run_cli("verify", arg, *(a for m in maps for a in ("--map", m)), "--now", "2026-11-24T12:00:00Z",
                          *extra)
        note_exit(run)
        assert_clean(run)
        assert not remote(asked), f"verify {arg} looked up remote hosts {remote(asked)}"
        assert digest(scratch) == before, f"verify {arg} changed files"
        if count == 0 and "--recipient" not in extra:
            assert run.code == 0, f"the unchanged badge does not verify:\n{run.out[-2000:]}{run.err[-2000:]}"


def string_leaves(doc: object) -> list[tuple[str | int, ...]]:
    """The pointers of the string values in ``doc``."""
    return [at for at in pointers(doc) if isinstance(get_at(doc, at), str)]


@settings(phases=NO_EXPLAIN)
@given(data=st.data(), extra=extras)
def test_verify_tampered_credential(signed_output: Path, data: st.DataObject, extra: tuple[str, ...]) -> None:
    """One string of the signed OB 3.0 credential changed (proof included): it must never verify."""
    original = json.loads((signed_output / SIGNED_FILES[0]).read_text())
    at = data.draw(st.sampled_from(string_leaves(original)))
    new = data.draw(st.one_of(st.builds(lambda tail: BASE + tail, tails), texts.filter(_offline),
                              st.just(get_at(original, at) + "x")))
    if new == get_at(original, at):
        return
    tampered = replaced(original, at, new)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        scratch = Path(folder)
        (scratch / "elsewhere").mkdir()
        source = scratch / "credential.json"
        source.write_bytes(dump(tampered).encode("utf-8", "surrogatepass"))
        maps = [f"{BASE}={signed_output}"] + [f"{host}={scratch / 'elsewhere'}" for host in OTHER_HOSTS]
        with no_network() as asked:
            run = run_cli("verify", str(source), *(a for m in maps for a in ("--map", m)),
                          "--now", "2026-11-24T12:00:00Z", *extra)
        note_exit(run)
        assert_clean(run)
        assert not remote(asked), f"verify looked up remote hosts {remote(asked)}"
        assert run.code != 0, f"a credential with {'/'.join(map(str, at))} = {new[:80]!r} verifies:\n{run.out[-2000:]}"
