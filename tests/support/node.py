"""Independent Open Badges 3.0 verifier and issuer: Digital Bazaar's JavaScript libraries.

``tests/node/`` holds a pinned npm project (install it with ``npm ci --prefix
tests/node``) whose scripts verify and sign VC 2.0 credentials with a
``DataIntegrityProof`` of cryptosuite ``eddsa-rdfc-2022``, fully offline: JSON-LD
contexts come from the npm context packages (not from ``site_builder/contexts``),
``did:web`` DIDs and https URLs resolve to files of locally built sites, ``did:key``
is computed, and every other URL is refused. Each call runs ``node`` in a fresh
process.

:func:`verify_ob3` returns ``{"verified", "errors", "statusResult", "raw", "loaded"}``:
``errors`` holds the libraries' messages (see ``tests/test_node_harness.py`` for the
exact wording per failure kind), plus ``Credential is revoked: ...`` /
``... suspended: ...`` for a set Bitstring Status List bit, which the status library
itself only reports. ``loaded`` lists every URL the document loader was asked for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.external import missing

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
MISSING_MESSAGE = "Node.js OB 3.0 verifier (npm ci --prefix tests/node)"
DEFAULT_TIMEOUT = 120.0


class NodeHarnessError(RuntimeError):
    """A node script failed to produce a result (crash, timeout or bad output)."""


def node_ready() -> bool:
    """Whether ``node`` is on PATH and ``tests/node`` has its packages installed."""
    return shutil.which("node") is not None and (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir()


def _run(script: str, args: list[str], payload: Any | None, timeout: float) -> Any:
    """Run ``node tests/node/<script> <args>`` with JSON ``payload`` on stdin; parse stdout."""
    if not node_ready():
        missing(MISSING_MESSAGE)
    command = ["node", str(NODE_DIR / script), *args]
    try:
        proc = subprocess.run(
            command,
            input=json.dumps(payload) if payload is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=NODE_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeHarnessError(f"{script} {' '.join(args)} timed out after {timeout} s") from exc
    if proc.returncode != 0:
        raise NodeHarnessError(f"{script} {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise NodeHarnessError(f"{script} printed no JSON: {proc.stdout[:500]!r} {proc.stderr[:500]!r}") from exc


def verify_ob3(
    credential: Mapping[str, Any],
    sites: Mapping[str, str | os.PathLike[str]],
    now: str | None = None,
    check_status: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Verify ``credential``; ``sites`` maps URL prefixes (ending in ``/``) to site directories.

    ``now`` (ISO 8601) is the verification time for ``validFrom``/``validUntil`` of the
    credential and of its status list credentials (the library allows 300 s of clock
    skew); ``None`` means the real clock.
    """
    payload = {
        "credential": credential,
        "sites": {prefix: str(Path(directory).resolve()) for prefix, directory in sites.items()},
        "now": now,
        "checkStatus": check_status,
    }
    return _run("verify.mjs", [], payload, timeout)


def issue_ob3(
    credential: Mapping[str, Any],
    key: Mapping[str, Any],
    created: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """``credential`` signed by ``key`` (as :func:`generate_key` returns); ``created`` fixes proof.created."""
    payload: dict[str, Any] = {"credential": credential, "key": key}
    if created is not None:
        payload["created"] = created
    return _run("issue.mjs", [], payload, timeout)


def generate_key(controller: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """A fresh Ed25519 Multikey pair: ``@context``, ``id`` (controller#key-1), ``type``,
    ``controller``, ``publicKeyMultibase`` (z6Mk...), ``secretKeyMultibase`` (zrv...)."""
    return _run("issue.mjs", ["--generate-key", controller], None, timeout)


def bench_issue(
    credential: Mapping[str, Any], key: Mapping[str, Any], n: int, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """Time ``n`` ``vc.issue`` calls in one process: ``{"n", "seconds", "per_credential_ms", "first_ms"}``."""
    return _run("issue.mjs", ["--bench", str(n)], {"credential": credential, "key": key}, timeout)
