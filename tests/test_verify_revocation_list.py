"""``badgesite verify`` on credentials whose status is a ``1EdTechRevocationList``, offline.

Each credential is signed here (eddsa-rdfc-2022) by a did:web issuer whose DID document and
revocation list are served from a local folder; the status entry's URL is part of what the
proof covers, so every case signs its own credential. The list is the 1EdTech Revocation List
Status Method's plain JSON: ``{"id", "issuer", "revokedCredentials": [{"id", "revoked",
"revocationReason"}]}``. ``HttpFetcher`` is disabled, so no test can go online.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from site_builder.cli import main
from site_builder.crypto import keys as keylib
from site_builder.crypto import proof
from site_builder.verify import HttpFetcher, LocalSite, Report, RoutedFetcher, render_text, verify
from site_builder.verify.common import parse_time
from tests.test_verify import credential_template

EMAIL = "ada@example.org"
HOST = "https://issuer.example.org/"
DID = "did:web:issuer.example.org:acme"
LIST = f"{HOST}revocations/acme"
CREDENTIAL_ID = credential_template()["id"]
OTHER_ID = "urn:uuid:0f6e1c3a-9b7d-4e2f-8a1b-2c3d4e5f6a7b"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
NOW = parse_time("2026-01-01T00:00:00Z")
KEY = keylib.generate(DID, "key-1")

_REAL_HTTP_FETCH = HttpFetcher.fetch


class _PublicOnly(HttpFetcher):
    """The real network fetcher (for the address policy test; every connection is refused there)."""

    fetch = _REAL_HTTP_FETCH


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: HttpFetcher, url: str, *args: object) -> None:
        raise AssertionError(f"a test tried to fetch {url} over the network")

    monkeypatch.setattr(HttpFetcher, "fetch", refuse)


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


def revocation_list(*revoked: Any, issuer: Any = DID) -> dict[str, Any]:
    return {"id": LIST, "issuer": issuer, "revokedCredentials": list(revoked)}


def issuer_site(tmp_path: Path, listing: Any = None) -> tuple[Path, RoutedFetcher]:
    """The issuer's folder (DID document, and the revocation list unless None) and a fetcher serving it."""
    folder = tmp_path / "issuer"
    write(folder / "acme/did.json", keylib.did_document(DID, [("key-1", KEY.public_multibase)]))
    if listing is not None:
        write(folder / "revocations/acme", listing)
    return folder, RoutedFetcher([LocalSite(HOST, folder)])


def signed(tmp_path: Path, status: Any = None, name: str = "credential.json", **changes: Any) -> Path:
    """A credential of DID with ``status`` as its credentialStatus (default: the list at LIST), signed by KEY."""
    document = credential_template() | {"@context": [VC2, OB303, EXTENSIONS]} | changes
    document["issuer"]["id"] = DID
    document["credentialStatus"] = {"id": LIST, "type": "1EdTechRevocationList"} if status is None else status
    document = {k: v for k, v in document.items() if v is not None}
    return write(tmp_path / name, proof.sign(document, KEY, "2025-01-01T00:00:00Z"))


def failed(report: Report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


def message(report: Report, name: str) -> str:
    return next(c.message for c in report.checks if c.name == name)


def check(tmp_path: Path, listing: Any, **options: Any) -> Report:
    _, fetcher = issuer_site(tmp_path, listing)
    return verify(str(signed(tmp_path, **options)), fetcher, EMAIL, NOW)


# ---------------------------------------------------------------- revoked / not revoked


def test_revoked_with_its_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = revocation_list({"id": OTHER_ID, "revoked": True, "revocationReason": "Another one"},
                              {"id": CREDENTIAL_ID, "revoked": True, "revocationReason": "Issued in error"})
    folder, fetcher = issuer_site(tmp_path, listing)
    path = signed(tmp_path)
    report = verify(str(path), fetcher, EMAIL, NOW)
    assert report.status == "revoked" and failed(report) == ["status"], render_text(report)
    assert message(report, "status") == f"revoked by the issuer (reason: Issued in error; listed in {LIST})"
    assert message(report, "signature") == "the proof verifies: the credential is unchanged since the issuer signed it"
    # the command line, with the list's host mapped onto the folder (--map): exit 1, REVOKED
    code = main(["verify", str(path), "--map", f"{HOST}={folder}", "--recipient", EMAIL,
                 "--now", "2026-01-01T00:00:00Z", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["status"] == "revoked" and out["valid"] is False
    assert out["errors"] == [f"status: revoked by the issuer (reason: Issued in error; listed in {LIST})"]
    assert main(["verify", str(path), "--map", f"{HOST}={folder}", "--now", "2026-01-01T00:00:00Z"]) == 1
    text = capsys.readouterr().out
    assert f"  ✗ status       revoked by the issuer (reason: Issued in error; listed in {LIST})" in text
    assert text.endswith("Result: REVOKED\n")


def test_revoked_without_a_reason_and_when_revoked_is_omitted(tmp_path: Path) -> None:
    report = check(tmp_path, revocation_list({"id": CREDENTIAL_ID}))
    assert report.status == "revoked" and failed(report) == ["status"]
    assert message(report, "status") == f"revoked by the issuer (listed in {LIST})"


def test_not_revoked(tmp_path: Path) -> None:
    report = check(tmp_path / "a", revocation_list({"id": OTHER_ID, "revocationReason": "Not this one"}))
    assert report.status == "valid", render_text(report)
    assert message(report, "status") == (f"revocation: the issuer's revocation list {LIST} does not list the "
                                         "credential (an unsigned list, as served)")
    assert check(tmp_path / "b", revocation_list()).status == "valid"
    # listed, but revoked: false (an issuer that took a revocation back)
    report = check(tmp_path / "c", revocation_list({"id": CREDENTIAL_ID, "revoked": False}))
    assert report.status == "valid", render_text(report)
    assert message(report, "status") == (f"revocation: the issuer's revocation list {LIST} lists the credential "
                                         "with revoked: false (an unsigned list, as served)")
    # listed twice, once revoked: revoked wins
    report = check(tmp_path / "d", revocation_list({"id": CREDENTIAL_ID, "revoked": False}, {"id": CREDENTIAL_ID}))
    assert report.status == "revoked"
    # the list's issuer may be a profile object with the issuer's id
    assert check(tmp_path / "e", revocation_list(issuer={"id": DID, "type": "Profile"})).status == "valid"


def test_the_type_needs_the_extensions_context(tmp_path: Path) -> None:
    """The OB 3.0 extensions context defines the type; without it no RDF (and no proof) covers it."""
    report = check(tmp_path, revocation_list({"id": OTHER_ID}), **{"@context": [VC2, OB303]})
    assert report.status == "invalid" and failed(report) == ["json-ld"], render_text(report)
    assert message(report, "json-ld").endswith("(JSON-LD expansion drops them, so the proof does not cover them): "
                                               "type 1EdTechRevocationList")


def test_the_proof_covers_the_list_url(tmp_path: Path) -> None:
    """Pointing the credential at a list that does not name it breaks the signature: no way round a revocation."""
    folder, fetcher = issuer_site(tmp_path, revocation_list({"id": CREDENTIAL_ID}))
    write(folder / "revocations/clean", revocation_list() | {"id": f"{HOST}revocations/clean"})
    document = json.loads(signed(tmp_path).read_text())
    document["credentialStatus"]["id"] = f"{HOST}revocations/clean"
    report = verify(str(write(tmp_path / "moved.json", document)), fetcher, EMAIL, NOW)
    assert report.status == "invalid" and failed(report) == ["signature"], render_text(report)


# ---------------------------------------------------------------- lists that cannot be checked


def test_list_unreachable(tmp_path: Path) -> None:
    report = check(tmp_path / "a", None)  # nothing served at the list's URL
    assert report.status == "invalid" and failed(report) == ["status"]
    assert message(report, "status") == f"cannot fetch the revocation list: {LIST} answered HTTP 404"
    elsewhere = "https://lists.example.net/acme.json"
    report = check(tmp_path / "b", revocation_list(), status={"id": elsewhere, "type": "1EdTechRevocationList"})
    assert report.status == "invalid" and failed(report) == ["status"]
    assert message(report, "status") == (f"cannot fetch the revocation list: refusing to fetch {elsewhere}: only "
                                         f"{HOST} is served here")
    report = check(tmp_path / "c", revocation_list(), status={"type": "1EdTechRevocationList"})
    assert message(report, "status") == ("bad 1EdTechRevocationList id None: it must be the URL of the issuer's "
                                         "revocation list")


MAP_HINT = "serve it from a folder with --map PREFIX=DIR"


@pytest.mark.parametrize(("url", "said"), [
    ("http://issuer.example.net/revocations.json", "only https URLs are fetched"),
    ("https://10.0.0.1/revocations.json", f"10.0.0.1 is a private address; {MAP_HINT}"),
    ("https://169.254.169.254/latest/meta-data/", f"169.254.169.254 is a link-local address; {MAP_HINT}"),
])
def test_the_network_rules_apply_to_the_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str,
                                             said: str) -> None:
    """The list is fetched through the network fetcher's address policy, which refuses before connecting."""
    def no_connection(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"a test tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    folder, _ = issuer_site(tmp_path)
    fetcher = RoutedFetcher([LocalSite(HOST, folder)], fallback=_PublicOnly())
    report = verify(str(signed(tmp_path, {"id": url, "type": "1EdTechRevocationList"})), fetcher, EMAIL, NOW)
    assert report.status == "invalid" and failed(report) == ["status"]
    assert message(report, "status") == f"cannot fetch the revocation list: refusing to fetch {url}: {said}"


def _deep(levels: int) -> Any:
    value: Any = {"id": CREDENTIAL_ID}
    for _ in range(levels):
        value = {"nested": value}
    return value


MALFORMED: dict[str, tuple[Any, str]] = {
    "not JSON": ("<html>Revocations</html>", "cannot fetch the revocation list: {url} did not answer with JSON"),
    "an array": ([{"id": CREDENTIAL_ID}], "the revocation list {url} is not a JSON object"),
    "no issuer": ({"id": LIST, "revokedCredentials": []}, "the revocation list {url} is malformed: it names no issuer"),
    "no revokedCredentials": ({"id": LIST, "issuer": DID},
                              "the revocation list {url} is malformed: it has no revokedCredentials (a list that "
                              "revokes nothing has an empty one)"),
    "revokedCredentials an object": (revocation_list() | {"revokedCredentials": {"id": CREDENTIAL_ID}},
                                     "the revocation list {url} is malformed: it has a revokedCredentials that is "
                                     "not an array (a list that revokes nothing has an empty one)"),
    "entry without id": (revocation_list({"id": OTHER_ID}, {"revocationReason": "Issued in error"}),
                         "the revocation list {url} is malformed: /revokedCredentials/1 is not an object with an id"),
    "entry a string": (revocation_list(CREDENTIAL_ID),
                       "the revocation list {url} is malformed: /revokedCredentials/0 is not an object with an id"),
    "revoked a string": (revocation_list({"id": CREDENTIAL_ID, "revoked": "false"}),
                         "the revocation list {url} is malformed: /revokedCredentials/0/revoked is 'false', not true "
                         "or false"),
    "reason not a string": (revocation_list({"id": CREDENTIAL_ID, "revocationReason": ["Issued in error"]}),
                            "the revocation list {url} is malformed: /revokedCredentials/0/revocationReason is not "
                            "a string"),
    "nested too deep": (revocation_list(_deep(40)), "cannot fetch the revocation list: {url}: JSON nested deeper "
                                                    "than the limit of 32 levels"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_list_malformed(tmp_path: Path, case: str) -> None:
    listing, expected = MALFORMED[case]
    report = check(tmp_path, listing)
    assert report.status == "invalid" and failed(report) == ["status"], render_text(report)
    assert message(report, "status").startswith(expected.format(url=LIST))


def test_list_from_another_issuer(tmp_path: Path) -> None:
    report = check(tmp_path, revocation_list(issuer="did:web:evil.example.org"))
    assert report.status == "invalid" and failed(report) == ["status"]
    assert message(report, "status") == (f"the revocation list {LIST} is issued by 'did:web:evil.example.org', "
                                         f"not {DID}")


def test_credential_without_id(tmp_path: Path) -> None:
    report = check(tmp_path, revocation_list({"id": CREDENTIAL_ID}), id=None)
    assert report.status == "invalid" and failed(report) == ["status"]
    assert message(report, "status") == f"the credential has no id, so the revocation list {LIST} cannot name it"


def test_unknown_status_types_stay_unsupported(tmp_path: Path) -> None:
    status = {"id": LIST, "type": "RevocationList2020Status", "revocationListIndex": "0",
              "revocationListCredential": LIST}
    report = check(tmp_path, revocation_list({"id": CREDENTIAL_ID}), status=status)
    assert report.status == "invalid" and failed(report) == ["json-ld", "status"]
    assert message(report, "status") == ("credentialStatus type 'RevocationList2020Status' is not supported (only "
                                         "BitstringStatusListEntry, StatusList2021Entry and 1EdTechRevocationList)")
