"""Ed25519 keys as Multikey (multibase base58btc), key files, did:web identifiers and documents."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from site_builder.errors import BadgesiteError

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def multibase(prefix: bytes, raw: bytes) -> str:
    return "z" + base58.b58encode(prefix + raw).decode("ascii")


def from_multibase(value: str, prefix: bytes) -> bytes:
    if not value.startswith("z"):
        raise ValueError("only base58btc ('z') multibase values are supported")
    data = base58.b58decode(value[1:])
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise ValueError("not an Ed25519 key")
    return data[len(prefix):]


@dataclass(frozen=True)
class KeyPair:
    """A signing key. ``id`` is the verification method (``<did>#<name>``)."""

    id: str
    controller: str
    private: Ed25519PrivateKey

    @property
    def public_multibase(self) -> str:
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return multibase(ED25519_PUB, raw)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def to_json(self) -> dict[str, str]:
        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return {"type": "Multikey", "id": self.id, "controller": self.controller,
                "publicKeyMultibase": self.public_multibase, "secretKeyMultibase": multibase(ED25519_PRIV, seed)}


def generate(controller: str, name: str) -> KeyPair:
    return KeyPair(f"{controller}#{name}", controller, Ed25519PrivateKey.generate())


def public_key(multibase_value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(from_multibase(multibase_value, ED25519_PUB))


MAX_KEY_FILE_BYTES = 64 * 1024  # a key file is about 400 bytes
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; elsewhere the lstat check below still refuses links


def write_key(path: Path, key: KeyPair) -> None:
    """Write a private key file readable by its owner only (mode 0600); never over an existing file or link."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    except FileExistsError as exc:
        raise BadgesiteError(f"{path}: already exists (a key file is never overwritten)") from exc
    except OSError as exc:
        raise BadgesiteError(f"{path}: cannot write the key file ({exc.strerror})") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(key.to_json(), indent=2) + "\n")


def _key_text(path: Path) -> str:
    """The file's text, refusing a symbolic link (it could point anywhere) and anything but a small regular file."""
    if path.is_symlink():
        raise BadgesiteError(f"{path}: is a symbolic link; a key file must be a regular file, not a link")
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:  # ELOOP: it became a link after the check above
        raise BadgesiteError(f"{path}: not a usable key file ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise BadgesiteError(f"{path}: not a usable key file (not a regular file)")
        raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise BadgesiteError(f"{path}: not a usable key file (larger than {MAX_KEY_FILE_BYTES // 1024} KB)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadgesiteError(f"{path}: not a usable key file (not UTF-8)") from exc


def read_key(path: Path) -> KeyPair:
    text = _key_text(path)
    try:
        data = json.loads(text)
        seed = from_multibase(data["secretKeyMultibase"], ED25519_PRIV)
        key = KeyPair(data["id"], data["controller"], Ed25519PrivateKey.from_private_bytes(seed))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadgesiteError(f"{path}: not a usable key file ({exc})") from exc
    if key.public_multibase != data.get("publicKeyMultibase"):
        raise BadgesiteError(f"{path}: the public key does not match the secret key")
    return key


def did_web_url(did: str) -> str:
    """The https URL of a did:web document."""
    if not did.startswith("did:web:"):
        raise ValueError(f"not a did:web identifier: {did}")
    host, *segments = did[len("did:web:"):].split(":")
    host = host.replace("%3A", ":").replace("%3a", ":")
    return f"https://{host}/" + ("/".join(segments) + "/did.json" if segments else ".well-known/did.json")


def did_document(did: str, keys: list[tuple[str, str]]) -> dict[str, Any]:
    """A DID document listing every (name, publicKeyMultibase) under assertionMethod."""
    methods = [{"id": f"{did}#{name}", "type": "Multikey", "controller": did, "publicKeyMultibase": value}
               for name, value in keys]
    return {"@context": DID_CONTEXT, "id": did, "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods]}
