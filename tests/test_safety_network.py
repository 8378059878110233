"""``badgesite verify`` on hostile input: redirects, non-public addresses, dripping servers, caps
on documents and nesting, and reports that do not echo control characters or huge values.

Real servers on 127.0.0.1 only (TLS with a certificate made here); the fetchers that reach them
are given an ``AddressPolicy`` that allows exactly those endpoints. No traffic leaves 127.0.0.1:
every connect is recorded and checked.
"""

from __future__ import annotations

import base64
import gzip
import ipaddress
import json
import socket
import ssl
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from site_builder.cli import main
from site_builder.crypto import statuslist
from site_builder.verify import AddressPolicy, HttpFetcher, LocalSite, RoutedFetcher, render_text, verify
from site_builder.verify.fetch import FetchError, fetch_json

HOST = "127.0.0.1"
Route = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


# ---------------------------------------------------------------- servers on 127.0.0.1


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context) for a self-signed certificate of 127.0.0.1 and badges.test."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "badgesite test server")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)),
                                                        x509.DNSName("badges.test")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (folder / "cert.pem").write_bytes(pem)
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return server, ssl.create_default_context(cadata=pem.decode("ascii"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.paths.append(self.path)
        route = self.server.routes.get(self.path, (404, {}, b"not found"))
        if callable(route):
            route(self)
            return
        status, headers, body = route
        self.send_response(status)
        for header, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(header, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        pass


class _Server(ThreadingHTTPServer):
    """A server on 127.0.0.1 (TLS when given a context) that records connections and paths."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, Route], context: ssl.SSLContext | None) -> None:
        self.routes, self.context = routes, context
        self.connections: list[tuple[str, int]] = []
        self.paths: list[str] = []
        self.stop = threading.Event()
        super().__init__((HOST, 0), _Handler)
        self.port = self.server_address[1]
        self.scheme = "https" if context else "http"

    def url(self, path: str) -> str:
        return f"{self.scheme}://{HOST}:{self.port}{path}"

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.connections.append(client_address)
        return True

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.context:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        try:
            super().finish_request(request, client_address)
        except OSError:
            pass
        finally:
            request.close()


@pytest.fixture
def serve(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> Iterator[Callable[..., _Server]]:
    """Start servers: ``serve(routes)`` (https) or ``serve(routes, https=False)``."""
    servers: list[_Server] = []

    def start(routes: dict[str, Route], https: bool = True) -> _Server:
        server = _Server(routes, tls[0] if https else None)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def connects(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every address a socket connects to during a test; anything but 127.0.0.1 fails the test."""
    seen: list[Any] = []
    real = socket.socket.connect

    def spy(self: socket.socket, address: Any) -> None:
        seen.append(address)
        assert address[0] == HOST, f"a test tried to connect to {address}"
        real(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    yield seen


def fetcher(tls: tuple[ssl.SSLContext, ssl.SSLContext], *servers: _Server, **options: Any) -> HttpFetcher:
    """An HttpFetcher trusting the test certificate and allowed to reach exactly ``servers``."""
    policy = AddressPolicy(frozenset((HOST, s.port) for s in servers))
    return HttpFetcher(policy=policy, context=tls[1], **options)


def document(data: Any, status: int = 200) -> Route:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def redirect(location: str, status: int = 302) -> Route:
    return status, {"Location": location}, b""


def drip(every: float, head_at_once: bool = False) -> Callable[[BaseHTTPRequestHandler], None]:
    """A handler that sends a 100-byte JSON answer one byte every ``every`` seconds."""
    body = b'{"drip": "' + b"x" * 88 + b'"}'
    head = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"

    def handler(request: BaseHTTPRequestHandler) -> None:
        stop: threading.Event = request.server.stop  # type: ignore[attr-defined]
        data = body if head_at_once else head + body
        if head_at_once:
            request.wfile.write(head)
        for byte in data:
            if stop.wait(every):
                return
            request.wfile.write(bytes([byte]))

    return handler


# ---------------------------------------------------------------- addresses


def test_default_policy_refuses_loopback_before_connecting(serve: Callable[..., _Server], connects: list[Any],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/a.json": document({"id": "x"})})
    url = server.url("/a.json")
    assert main(["verify", url, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == [f"hosted: refusing to fetch {url}: {HOST} is a loopback address; "
                             "serve it from a folder with --map PREFIX=DIR"]
    assert server.connections == [] and connects == []


def test_map_serves_a_prefix_from_a_folder(serve: Callable[..., _Server], tmp_path: Path, connects: list[Any],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({})
    prefix = server.url("/")
    (tmp_path / "a.json").write_text(json.dumps({"id": f"{prefix}a.json", "type": "Assertion"}))
    assert main(["verify", f"{prefix}a.json", "--json", "--map", f"{prefix}={tmp_path}"]) == 1
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks[0] == {"name": "hosted", "ok": True, "message": f"{prefix}a.json serves the assertion"}
    assert server.connections == [] and connects == []
    assert main(["verify", f"{prefix}a.json", "--map", "nonsense"]) == 2
    assert capsys.readouterr().err == "error: --map: expected PREFIX=DIR with an http(s) URL prefix, got 'nonsense'\n"
    assert main(["verify", f"{prefix}a.json", "--map", f"{prefix}={tmp_path / 'none'}"]) == 2
    none = tmp_path / "none"
    assert capsys.readouterr().err == f"error: --map {prefix}={none}: {none} is not a folder\n"


def test_allowed_endpoint_is_fetched_over_verified_tls(serve: Callable[..., _Server],
                                                       tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server = serve({"/a.json": document({"id": "a"})})
    assert fetch_json(fetcher(tls, server), server.url("/a.json")) == {"id": "a"}
    untrusted = HttpFetcher(policy=AddressPolicy(frozenset({(HOST, server.port)})))  # the system's CAs
    with pytest.raises(FetchError, match=rf"^could not fetch {server.url('/a.json')}: \[SSL: CERTIFICATE_VERIFY"):
        untrusted.fetch(server.url("/a.json"))


@pytest.mark.parametrize(("url", "said"), [
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("https://10.0.0.1/a.json", "10.0.0.1 is a private address"),
    ("https://[::ffff:127.0.0.1]/a.json", "::ffff:127.0.0.1 is a loopback address"),
    ("https://0.0.0.0/a.json", "0.0.0.0 is an unspecified address"),
    ("https://224.0.0.1/a.json", "224.0.0.1 is a multicast address"),
])
def test_non_public_addresses_are_refused_before_connecting(url: str, said: str, connects: list[Any]) -> None:
    with pytest.raises(FetchError) as caught:
        HttpFetcher().fetch(url)
    assert str(caught.value) == f"refusing to fetch {url}: {said}; serve it from a folder with --map PREFIX=DIR"
    assert connects == []


def test_every_resolved_address_is_checked(connects: list[Any]) -> None:
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["93.184.215.14", "10.0.0.1"]

    with pytest.raises(FetchError) as caught:
        HttpFetcher(resolver=resolver).fetch("https://badges.test/a.json")
    assert str(caught.value) == ("refusing to fetch https://badges.test/a.json: badges.test resolves to 10.0.0.1, "
                                 "a private address; serve it from a folder with --map PREFIX=DIR")
    assert asked == [("badges.test", 443)] and connects == []


def test_connects_to_the_address_it_checked(serve: Callable[..., _Server], tls: tuple[ssl.SSLContext, ssl.SSLContext],
                                            connects: list[Any]) -> None:
    server = serve({"/a.json": document({"id": "a"})})
    answers = iter([[HOST], ["10.0.0.1"]])  # a rebinding DNS: a second lookup would give a private address
    fetch = fetcher(tls, server, resolver=lambda host, port: next(answers))
    answer = fetch.fetch(f"https://badges.test:{server.port}/a.json")  # TLS checks the name badges.test
    assert (answer.status, json.loads(answer.body)) == (200, {"id": "a"})
    assert connects == [(HOST, server.port)] and len(server.connections) == 1


# ---------------------------------------------------------------- redirects


def test_redirects_are_followed_and_mapped_targets_served_locally(serve: Callable[..., _Server], tmp_path: Path,
                                                                  tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server = serve({"/a": redirect("/b", 301), "/b": redirect("c", 307), "/c": document({"id": "c"}),
                    "/local": redirect("https://example.github.io/minimal/x.json")})
    assert fetch_json(fetcher(tls, server), server.url("/a")) == {"id": "c"}
    (tmp_path / "x.json").write_text('{"id": "local"}')
    routed = RoutedFetcher([LocalSite("https://example.github.io/minimal/", tmp_path)], fetcher(tls, server))
    assert fetch_json(routed, server.url("/local")) == {"id": "local"}
    assert server.paths == ["/a", "/b", "/c", "/local"]


def test_redirect_from_https_to_http_is_refused(serve: Callable[..., _Server],
                                                tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    plain = serve({"/x.json": document({"id": "x"})}, https=False)
    server = serve({"/a.json": redirect(plain.url("/x.json"))})
    with pytest.raises(FetchError) as caught:
        fetcher(tls, server, plain).fetch(server.url("/a.json"))
    assert str(caught.value) == (f"refusing the redirect from {server.url('/a.json')} to {plain.url('/x.json')}: "
                                 "it leaves https")
    assert plain.connections == []


def test_redirect_to_a_loopback_endpoint_not_allowed_is_refused(serve: Callable[..., _Server],
                                                                tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    target = serve({"/x.json": document({"id": "x"})})
    server = serve({"/a.json": redirect(target.url("/x.json"))})
    with pytest.raises(FetchError) as caught:
        fetcher(tls, server).fetch(server.url("/a.json"))
    assert str(caught.value) == (f"refusing the redirect from {server.url('/a.json')} to {target.url('/x.json')}: "
                                 f"{HOST} is a loopback address; serve it from a folder with --map PREFIX=DIR")
    assert target.connections == []


@pytest.mark.parametrize(("target", "said"), [
    ("https://169.254.169.254/latest/meta-data/iam", "169.254.169.254 is a link-local address"),
    ("https://10.0.0.1:8443/admin", "10.0.0.1 is a private address"),
])
def test_redirect_to_metadata_and_private_addresses_is_refused(target: str, said: str, connects: list[Any],
                                                               serve: Callable[..., _Server],
                                                               tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server = serve({"/a.json": redirect(target)})
    with pytest.raises(FetchError) as caught:
        fetcher(tls, server).fetch(server.url("/a.json"))
    assert str(caught.value) == (f"refusing the redirect from {server.url('/a.json')} to {target}: {said}; "
                                 "serve it from a folder with --map PREFIX=DIR")
    assert connects == [(HOST, server.port)]  # only the server that redirected was connected to


def test_redirect_loops_and_long_chains(serve: Callable[..., _Server],
                                        tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    chain: dict[str, Route] = {f"/{n}": redirect(f"/{n + 1}") for n in range(6)}
    server = serve({"/a": redirect("/b"), "/b": redirect("/a"), **chain, "/5": document({"id": 5}),
                    "/6": document({"id": 6})})
    fetch = fetcher(tls, server)
    with pytest.raises(FetchError) as caught:
        fetch.fetch(server.url("/a"))
    assert str(caught.value) == (f"could not fetch {server.url('/a')}: redirect loop "
                                 f"({server.url('/a')} -> {server.url('/b')} -> {server.url('/a')})")
    assert fetch_json(fetch, server.url("/0")) == {"id": 5}  # five redirects are followed
    server.routes["/5"] = redirect("/6")
    with pytest.raises(FetchError) as caught:
        fetch.fetch(server.url("/0"))
    assert str(caught.value) == f"could not fetch {server.url('/0')}: more than 5 redirects"
    with pytest.raises(FetchError) as caught:
        fetcher(tls, server, max_redirects=4).fetch(server.url("/0"))
    assert str(caught.value) == f"could not fetch {server.url('/0')}: more than 4 redirects"


# ---------------------------------------------------------------- deadlines


@pytest.mark.parametrize("head_at_once", [False, True], ids=["dripping-headers", "dripping-body"])
def test_a_dripping_server_hits_the_deadline_of_one_fetch(head_at_once: bool, serve: Callable[..., _Server],
                                                          tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server = serve({"/a.json": drip(0.1, head_at_once)})  # each byte well within any socket timeout
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher(tls, server, timeout=1.0).fetch(server.url("/a.json"))
    assert time.monotonic() - started < 3
    assert str(caught.value) == (f"could not fetch {server.url('/a.json')}: no complete answer within 1 s "
                                 "(the limit for one fetch, redirects included)")


def test_a_server_dripping_every_two_seconds_does_not_hang_verify(serve: Callable[..., _Server],
                                                                  tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server = serve({"/a.json": drip(2.0)})
    url = server.url("/a.json")
    started = time.monotonic()
    report = verify(url, RoutedFetcher([], fetcher(tls, server)), time_limit=1.5)
    assert time.monotonic() - started < 4
    assert report.errors == [f"hosted: could not fetch {url}: the 1.5 s limit for all fetches of this verification "
                             "has passed"]
    assert server.paths == ["/a.json"]  # the failed fetch is not tried again within the verification


def test_a_slow_dns_lookup_hits_the_deadline(connects: list[Any]) -> None:
    release = threading.Event()

    def stuck(host: str, port: int) -> list[str]:
        release.wait(5)
        return ["93.184.215.14"]

    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            HttpFetcher(timeout=0.5, resolver=stuck).fetch("https://slow.test/a.json")
    finally:
        release.set()
    assert time.monotonic() - started < 2
    assert str(caught.value) == ("could not fetch https://slow.test/a.json: no complete answer within 0.5 s "
                                 "(the limit for one fetch, redirects included)")
    assert connects == []


# ---------------------------------------------------------------- caps


def test_fetched_bodies_are_capped(serve: Callable[..., _Server], tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    def unsized(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + b" " * 5000)

    server = serve({"/sized": (200, {}, b" " * 5000), "/unsized": unsized})
    for path in ("/sized", "/unsized"):
        with pytest.raises(FetchError) as caught:
            fetcher(tls, server, max_bytes=1000).fetch(server.url(path))
        assert str(caught.value) == f"{server.url(path)} is larger than the 1000 bytes limit of fetched documents"


def test_input_files_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (16 * 1024 * 1024 + 1))
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().err == f"error: {path} is larger than the 16 MiB limit of input files\n"


def test_json_nesting_is_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in (("deep.json", '{"a": ' + "[" * 40 + "]" * 40 + "}"), ("abyss.json", "[" * 200_000)):
        path = tmp_path / name
        path.write_text(text)
        assert main(["verify", str(path)]) == 1
        assert capsys.readouterr().err == f"error: {path}: JSON nested deeper than the limit of 32 levels\n"
    site = tmp_path / "site"
    site.mkdir()
    (site / "deep.json").write_text('{"a": ' + "[" * 40 + "]" * 40 + "}")
    with pytest.raises(FetchError) as caught:
        fetch_json(RoutedFetcher([LocalSite("https://example.org/", site)]), "https://example.org/deep.json")
    assert str(caught.value) == "https://example.org/deep.json: JSON nested deeper than the limit of 32 levels"


def test_status_lists_are_capped_when_inflated() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode().rstrip("=")
    assert len(bomb) < 100_000
    with pytest.raises(ValueError) as caught:
        statuslist.decode(bomb)
    assert str(caught.value) == "encodedList inflates past the 16 MiB limit of status lists"
    assert statuslist.is_set(statuslist.decode(statuslist.encode([7])), 7)


# ---------------------------------------------------------------- reports


def test_reports_escape_control_characters_and_cut_long_values(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    evil = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "\x1b[31mEvil\u202eLOL\r\n" + "B" * 300,
        "issuer": {"id": "https://evil.example/\x1b]0;pwned\x07" + "C" * 5000, "name": "Acme\u2066\ud800"},
        "credentialSubject": {"id": "did:example:1"},
        "proof": {"type": "\x1b[31mEvil" + "P" * 1000},
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(evil))
    report = verify(str(path), RoutedFetcher([]))
    text = render_text(report)
    assert "Badge:     \\x1b[31mEvil\\u202eLOL\\r\\n" + "B" * 175 + "…\n" in text
    proof = next(c.message for c in report.checks if c.name == "proof")
    assert proof == ("proof type \\x1b[31mEvil" + "P" * 188 + "… is not supported: only DataIntegrityProof with "
                     "cryptosuite eddsa-rdfc-2022 (or the draft eddsa-2022) and Ed25519Signature2020 are supported")
    assert main(["verify", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["badge"] == "\\x1b[31mEvil\\u202eLOL\\r\\n" + "B" * 175 + "…"
    assert out["issuer"].startswith("Acme\\u2066\\ud800 (https://evil.example/\\x1b]0;pwned\\x07CCC")
    shown = [out["badge"], out["issuer"], *(c["message"] for c in out["checks"]), *out["errors"]]
    for line in [*text.split("\n"), *shown]:
        assert len(line) <= 620
        assert not [c for c in line if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")], line
