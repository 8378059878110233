"""``HttpFetcher``: GET public https URLs for a verification, safely on hostile networks.

- https only; a redirect that leaves https is refused; at most ``max_redirects`` redirects,
  and a loop is named as one. A redirect target that a local site serves is answered by it.
- Every address the host resolves to must be public (not loopback, private, link-local,
  multicast, reserved or unspecified); the connection goes to the address that was checked,
  so DNS rebinding cannot swap it. ``AddressPolicy.allow`` opens given endpoints (tests).
- One deadline covers a fetch (DNS, connect, TLS, headers, body and redirects); a
  verification's deadline, when given, is enforced during the fetch too.
- Bodies are capped (``max_bytes``), and never decompressed (no Accept-Encoding is sent).

http.client (stdlib) rather than urllib: it lets the socket be connected to the checked
address and every read be bounded by the deadline.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from site_builder.verify import limits
from site_builder.verify.fetch import Deadline, FetchError, Local, Response, earliest

ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]  # host, port -> IP addresses (as getaddrinfo gives them)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``getaddrinfo`` gives for ``host`` (TCP)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def kind_of(address: Address) -> str:
    """What makes ``address`` non-public ('' when it is public)."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address.sixtofour or address
    for flag, label in (("is_unspecified", "an unspecified"), ("is_loopback", "a loopback"),
                        ("is_link_local", "a link-local"), ("is_multicast", "a multicast"),
                        ("is_private", "a private"), ("is_reserved", "a reserved")):
        if getattr(address, flag):
            return f"{label} address"
    return "" if address.is_global else "not a public address"


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to: public ones, and the ``allow``-ed (address, port) endpoints."""

    allow: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    def refusal(self, address: Address, port: int) -> str:
        """Why ``address``:``port`` may not be connected to ('' when it may)."""
        return "" if (str(address), port) in self.allow else kind_of(address)


class _Expired(TimeoutError):
    """The deadline passed between two reads."""


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket, each read bounded by what is left of the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self.sock, self.deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline.left()
        if left <= 0:
            raise _Expired()
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _DeadlineSocket:
    """What http.client needs of a socket (sendall, makefile, close), bounded by a deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self.sock, self.deadline = sock, deadline

    def sendall(self, data: bytes) -> None:
        left = self.deadline.left()
        if left <= 0:
            raise _Expired()
        self.sock.settimeout(left)
        self.sock.sendall(data)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))

    def close(self) -> None:
        """http.client closes its connection before the body is read: the fetcher closes the socket."""


def _literal(host: str) -> Address | None:
    """The address a host names literally (``10.0.0.1``, ``::1``), or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _within(deadline: Deadline, work: Callable[[], list[str]]) -> list[str]:
    """``work()`` (a DNS lookup, which has no timeout of its own), given up on at the deadline."""
    box: list[list[str] | OSError] = []

    def run() -> None:
        try:
            box.append(work())
        except OSError as exc:
            box.append(exc)

    worker = threading.Thread(target=run, name="badgesite-resolve", daemon=True)
    worker.start()
    worker.join(max(deadline.left(), 0))
    if not box:
        raise _Expired()
    if isinstance(box[0], OSError):
        raise box[0]
    return box[0]


class HttpFetcher:
    """Public https URLs only, each fetch within ``timeout`` seconds and ``max_bytes`` bytes.

    ``context`` (TLS) and ``policy`` (which addresses are allowed) are injectable for tests;
    the defaults verify certificates and refuse every non-public address.
    """

    def __init__(self, timeout: float = limits.FETCH_SECONDS, max_bytes: int = limits.MAX_DOCUMENT,
                 max_redirects: int = limits.MAX_REDIRECTS, policy: AddressPolicy | None = None,
                 context: ssl.SSLContext | None = None, resolver: Resolver = system_resolver) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.policy = policy or AddressPolicy()
        self.context = context or ssl.create_default_context()
        self.resolver = resolver

    def fetch(self, url: str, deadline: Deadline | None = None, local: Local | None = None) -> Response:
        """GET ``url`` over https, following redirects; HTTP errors are responses, the rest FetchError.

        A redirect target that ``local`` answers (a URL the user mapped to a folder) is not fetched.
        """
        if urlsplit(url).scheme != "https":
            raise FetchError(f"refusing to fetch {url}: only https URLs are fetched")
        limit = earliest(Deadline.after(self.timeout), deadline)
        seen: list[str] = []
        current = url
        while True:
            answer = (local(current) if local and seen else None) or self._request(current, url, seen, limit)
            if not answer.location:
                return Response(url, answer.status, answer.body)
            target = urljoin(current, answer.location).split("#", 1)[0]
            seen.append(current)
            if target in seen:
                raise FetchError(f"could not fetch {url}: redirect loop ({' -> '.join([*seen, target])})")
            if len(seen) > self.max_redirects:
                raise FetchError(f"could not fetch {url}: more than {self.max_redirects} redirects")
            scheme = urlsplit(target).scheme.lower()
            if scheme != "https":
                why = "it leaves https" if scheme == "http" else "only https URLs are fetched"
                raise FetchError(f"refusing the redirect from {current} to {target}: {why}")
            current = target

    def _addresses(self, host: str, port: int, deadline: Deadline) -> list[Address]:
        literal = _literal(host)
        if literal:
            return [literal]
        found = _within(deadline, lambda: list(self.resolver(host, port)))
        return list(dict.fromkeys(ipaddress.ip_address(a.split("%", 1)[0]) for a in found))

    def _connect(self, url: str, what: str, deadline: Deadline) -> tuple[str, ssl.SSLSocket]:
        """A TLS socket to a checked address of ``url``'s host; FetchError if none may or can be used."""
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or 443
        if not host:
            raise FetchError(f"{what}: the URL has no host")
        try:
            addresses = self._addresses(host, port, deadline)
        except TimeoutError:
            raise
        except OSError as exc:
            raise FetchError(f"could not fetch {url}: cannot resolve {host} ({exc})") from exc
        for address in addresses:
            reason = self.policy.refusal(address, port)
            if reason:
                said = f"{host} is" if len(addresses) == 1 and _literal(host) else f"{host} resolves to {address},"
                raise FetchError(f"{what}: {said} {reason}; serve it from a folder with --map PREFIX=DIR")
        if not addresses:
            raise FetchError(f"could not fetch {url}: {host} resolves to no address")
        problem: OSError = OSError("no address")
        for address in addresses:
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(deadline.left(), 0.001))
                sock.connect((str(address), port))
                sock.settimeout(max(deadline.left(), 0.001))  # the TLS handshake: what is left
                return host, self.context.wrap_socket(sock, server_hostname=host)
            except (TimeoutError, ssl.SSLError, ssl.CertificateError):
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                problem = exc
        raise problem

    def _request(self, url: str, first: str, seen: list[str], deadline: Deadline) -> Response:
        """One GET of ``url`` (no redirect followed: a redirect's target is in ``location``)."""
        what = f"refusing the redirect from {seen[-1]} to {url}" if seen else f"refusing to fetch {url}"
        if deadline.left() <= 0:
            raise deadline.expired(first)
        tls: ssl.SSLSocket | None = None
        try:
            host, tls = self._connect(url, what, deadline)
            connection = http.client.HTTPSConnection(host, urlsplit(url).port or 443, context=self.context)
            connection.sock = _DeadlineSocket(tls, deadline)  # type: ignore[assignment]
            parts = urlsplit(url)
            connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                               headers={"Accept": ACCEPT, "User-Agent": "badgesite-verify"})
            answer = connection.getresponse()
            location = answer.getheader("Location", "") if answer.status in REDIRECTS else ""
            if location:
                return Response(url, answer.status, b"", location)
            return Response(url, answer.status, self._body(answer, first))
        except TimeoutError as exc:
            raise deadline.expired(first) from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise FetchError(f"could not fetch {url}: {exc}") from exc
        finally:
            if tls is not None:
                tls.close()

    def _body(self, answer: http.client.HTTPResponse, url: str) -> bytes:
        too_large = FetchError(f"{url} is larger than the {limits.size(self.max_bytes)} limit of fetched documents")
        declared = answer.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large
        pieces, total = [], 0
        while piece := answer.read1(65536):
            total += len(piece)
            if total > self.max_bytes:
                raise too_large
            pieces.append(piece)
        return b"".join(pieces)
