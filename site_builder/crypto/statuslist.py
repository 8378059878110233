"""W3C Bitstring Status List: revocation bits, their encoding, the list credential."""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable
from typing import Any

from site_builder.linkeddata.jsonld import VC_V2

LIST_SIZE = 131_072  # bits: the minimum the spec asks for, so indexes don't identify holders


def encode(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """``u`` + base64url (no padding) of the gzipped bitstring; bit 0 is the first byte's MSB."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    """The bitstring of an ``encodedList``; ValueError if malformed or larger than ``max_bytes`` un-gzipped.

    Inflating stops at ``max_bytes`` (a few KB of gzip can hold gigabytes of zeros).
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u' prefix)")
    body = encoded[1:]
    rest = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    bits = bytearray()
    while rest:  # gzip members, one after another
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            bits += inflater.decompress(rest, max_bytes - len(bits) + 1)
        except zlib.error as exc:
            raise ValueError(f"encodedList is not gzip data ({exc})") from exc
        if len(bits) > max_bytes:
            limit = f"{max_bytes // 1048576} MiB" if max_bytes % 1048576 == 0 else f"{max_bytes} bytes"
            raise ValueError(f"encodedList inflates past the {limit} limit of status lists")
        if not inflater.eof:
            raise ValueError("encodedList is truncated gzip data")
        rest = inflater.unused_data
    return bytes(bits)


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"statusListIndex {index} is outside the list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(url: str, issuer: str, valid_from: str, revoked: Iterable[int]) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential published at ``url`` (no validUntil)."""
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(revoked),
        },
    }


def entry(list_url: str, index: int) -> dict[str, str]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
