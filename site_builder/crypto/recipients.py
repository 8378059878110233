"""Recipient identities: emails are only ever stored as salted SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets

from site_builder.model import Recipient


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_email(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()


def new_identity(email: str) -> Recipient:
    """A fresh random 32-hex-character salt and the hash of ``email`` with it."""
    salt = secrets.token_hex(16)
    return Recipient(hash_email(email, salt), salt)


def matches(email: str, recipient: Recipient) -> bool:
    return secrets.compare_digest(hash_email(email, recipient.salt), recipient.identity)
