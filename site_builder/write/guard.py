"""The last line of defence: never publish anything that looks like a private key.

A private key can reach output/ only by mistake (a key file copied into a theme, a
credential pasted with its key), and once deployed it is public for good. Every rendered
output is checked before anything is written. The check is a few substring searches over
the bytes; the exact patterns run only on the rare output that contains a trigger.
"""

from __future__ import annotations

import re

_TRIGGERS = (b"KeyMultibase", b"privateKeyJwk", b"kty", b"PRIVATE KEY-----")
_MEMBER = re.compile(rb"(secretKeyMultibase|privateKeyMultibase|privateKeyJwk)")
_QUOTE = rb'(?:"|&#34;|&quot;)'  # JSON as it is, or HTML-escaped in a page
_JWK_KTY = re.compile(_QUOTE + rb"kty" + _QUOTE + rb"\s*:")
_JWK_D = re.compile(_QUOTE + rb"d" + _QUOTE + rb"\s*:")
_PEM = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")


def key_material(data: bytes) -> str:
    """What in ``data`` looks like private key material, or "" when nothing does."""
    if not any(trigger in data for trigger in _TRIGGERS):
        return ""
    if found := _MEMBER.search(data):
        return f'a "{found[1].decode()}" member'
    if _JWK_KTY.search(data) and _JWK_D.search(data):
        return 'a JSON Web Key with its private "d" member'
    if _PEM.search(data):
        return "a PEM private key block"
    return ""
