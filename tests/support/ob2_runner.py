"""Run the 1EdTech Open Badges 2.0 validator (badgecheck 1.2.0) fully offline.

This script is executed by the validator virtualenv's interpreter (see
``tools/setup-ob2-validator.sh``), never imported by the test suite: it uses only
the standard library and the packages of that venv.

    ob2_runner.py --site DIR --base-url URL [--recipient EMAIL]
                  [--extra-origin URL=DIR ...] INPUT

INPUT is a URL (a hosted assertion id), or a path to a JSON file or a baked image.

Every HTTP(S) request made by any ``requests`` session (the validator creates
plain ``requests.Session`` and ``requests_cache.CachedSession`` objects, some at
import time) goes through one in-process transport adapter, because
``requests.Session.get_adapter`` is replaced for the whole class. The adapter:

* serves URLs under ``--base-url`` (and each ``--extra-origin`` prefix) from the
  matching directory, like GitHub Pages would: a path ending in ``/`` (or naming a
  directory) serves its ``index.html``, the Content-Type follows the extension,
  and a missing file is a 404;
* serves the Open Badges v2 JSON-LD context from the copy inside the installed
  ``openbadges`` package;
* refuses everything else with ``requests.ConnectionError``.

pyld's own urllib loader is replaced too, and sockets are disabled, so nothing
can reach the network. One JSON object is printed on stdout::

    {"valid": bool, "errorCount": int, "warningCount": int,
     "messages": [...], "report": <what verify() returned>, "fetched": [...]}

The exit status is 0 whenever a report was produced; otherwise it is non-zero
(2 for a usage error) and the reason is on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests
import requests.adapters
import requests.sessions
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

CONTENT_TYPES: dict[str, str] = {
    ".json": "application/json; charset=utf-8",
    ".jsonld": "application/ld+json; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
}

# URLs at which the Open Badges 2.0 context is published (w3id redirects to the
# openbadgespec.org copy); all are answered with the package's copy.
OB2_CONTEXT_URLS = frozenset(
    f"{scheme}://{rest}"
    for scheme in ("https", "http")
    for rest in (
        "w3id.org/openbadges/v2",
        "w3id.org/openbadges/v2/",
        "openbadgespec.org/v2/context.json",
    )
)


def _disable_sockets() -> None:
    """Make any attempt to open a network connection fail loudly."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("ob2_runner: network access is disabled")

    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]


def _normalise_base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


class LocalSiteAdapter(requests.adapters.HTTPAdapter):
    """Answer requests from local directories and a packaged context, offline."""

    def __init__(self, origins: dict[str, Path], context_body: bytes) -> None:
        super().__init__()
        # Longest prefix first, so a nested origin wins over its parent.
        self.origins = sorted(
            ((_normalise_base(url), root.resolve()) for url, root in origins.items()),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self.context_body = context_body
        self.fetched: list[str] = []

    def send(self, request: requests.PreparedRequest, **_kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = request.url or ""
        if url.split("#")[0] in OB2_CONTEXT_URLS:
            return self._respond(request, 200, self.context_body, "application/ld+json")
        bare = url.split("#")[0].split("?")[0]
        for base, root in self.origins:
            if bare == base[:-1] or bare.startswith(base):
                return self._serve_file(request, root, bare[len(base) :])
        self.fetched.append(f"REFUSED {url}")
        raise requests.ConnectionError(
            f"ob2_runner: refused {url} (not under a local site origin)", request=request
        )

    def _serve_file(self, request: requests.PreparedRequest, root: Path, rel: str) -> requests.Response:
        target = (root / unquote(rel)).resolve()
        if target.is_dir():
            target = target / "index.html"
        inside = target == root or root in target.parents
        if not inside or not target.is_file():
            return self._respond(request, 404, b"Not Found", "text/plain; charset=utf-8")
        content_type = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        return self._respond(request, 200, target.read_bytes(), content_type)

    def _respond(
        self, request: requests.PreparedRequest, status: int, body: bytes, content_type: str
    ) -> requests.Response:
        self.fetched.append(f"{status} {request.url}")
        raw = HTTPResponse(
            body=io.BytesIO(body),
            headers={"Content-Type": content_type, "Content-Length": str(len(body))},
            status=status,
            reason="OK" if status == 200 else "Not Found",
            preload_content=False,
            decode_content=False,
        )
        response = self.build_response(request, raw)
        response.headers = CaseInsensitiveDict(raw.headers)
        return response


def install_offline_transport(adapter: LocalSiteAdapter) -> None:
    """Route every requests session, existing or future, and pyld through ``adapter``."""

    def get_adapter(self: requests.Session, url: str) -> requests.adapters.BaseAdapter:
        return adapter

    requests.sessions.Session.get_adapter = get_adapter  # type: ignore[method-assign]

    from openbadges.verifier.utils import CachableDocumentLoader
    from pyld import jsonld

    jsonld.set_document_loader(CachableDocumentLoader(use_cache=False))


def _parse_origin(value: str) -> tuple[str, Path]:
    url, sep, directory = value.partition("=")
    if not sep or not url or not directory:
        raise argparse.ArgumentTypeError(f"expected URL=DIR, got {value!r}")
    return url, Path(directory)


def _badge_input(value: str) -> Any:
    """A URL as-is; a JSON file as its text; anything else as an open binary file."""
    if value.startswith(("http://", "https://")):
        return value
    path = Path(value)
    data = path.read_bytes()
    try:
        json.loads(data)
    except ValueError:
        return path.open("rb")
    return data.decode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", required=True, type=Path, help="built site directory")
    parser.add_argument("--base-url", required=True, help="URL at which --site is published")
    parser.add_argument("--recipient", help="email of the trusted recipient profile")
    parser.add_argument(
        "--extra-origin",
        action="append",
        default=[],
        type=_parse_origin,
        metavar="URL=DIR",
        help="serve another URL prefix from another directory",
    )
    parser.add_argument("input", help="assertion URL, JSON file or baked image")
    args = parser.parse_args(argv)

    _disable_sockets()
    from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT

    origins = {args.base_url: args.site, **dict(args.extra_origin)}
    context_body = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode("utf-8")
    adapter = LocalSiteAdapter(origins, context_body)
    install_offline_transport(adapter)

    from openbadges.verifier import verify

    recipient = {"email": args.recipient} if args.recipient else None
    badge_input = _badge_input(args.input)
    # The validator logs and may print: keep stdout for the one JSON object.
    with contextlib.redirect_stdout(sys.stderr):
        result = verify(badge_input, recipient_profile=recipient)
    if hasattr(badge_input, "close"):
        badge_input.close()

    report = result["report"]
    out = {
        "valid": bool(report["valid"]),
        "errorCount": int(report["errorCount"]),
        "warningCount": int(report["warningCount"]),
        "messages": report["messages"],
        "report": result,
        "fetched": adapter.fetched,
    }
    json.dump(out, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
