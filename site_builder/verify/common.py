"""Small helpers shared by the 2.0 and 3.0 verifiers: times, lists, types, recipient hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from site_builder.crypto.recipients import normalise_email
from site_builder.errors import UsageError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_time(value: Any) -> datetime:
    """An ISO 8601 date or date-time; a plain date or naive time is taken as UTC. ValueError if not."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if _DATE.match(text):
        text += "T00:00:00"
    moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_now(value: str | None) -> datetime:
    """``--now``: an ISO 8601 time (UTC unless it says otherwise), or the real clock."""
    if not value:
        return datetime.now(UTC)
    try:
        return parse_time(value)
    except ValueError as exc:
        raise UsageError(f"--now: not an ISO 8601 date or time: {value!r}") from exc


def show(moment: datetime) -> str:
    """A time as shown in messages: UTC, seconds, with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_list(value: Any) -> list[Any]:
    """A JSON-LD value that may be single or a list, as a list (None: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def has_type(document: Any, *names: str) -> bool:
    """Whether ``type`` lists one of ``names`` (also as a full IRI ending in #name or /name)."""
    if not isinstance(document, dict):
        return False
    for kind in as_list(document.get("type")):
        if isinstance(kind, str) and any(kind == n or kind.endswith(("#" + n, "/" + n)) for n in names):
            return True
    return False


def node_id(value: Any) -> str:
    """The id of a reference: the string itself, or an embedded object's ``id``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return ""


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def hash_matches(email: str, identity_hash: str, salt: Any) -> bool:
    """Whether ``sha256$``/``md5$`` + hex(hash(email + salt)) equals ``identity_hash``.

    The email is trimmed and lower-cased, as issuers are asked to do; the trimmed email as
    typed is tried too, for issuers that hashed it without lower-casing.
    """
    algorithm, _, digest = identity_hash.partition("$")
    algorithm = algorithm.lower()
    if algorithm not in ("sha256", "md5") or not digest:
        return False
    salt_text = salt if isinstance(salt, str) else ""
    for candidate in dict.fromkeys((normalise_email(email), email.strip())):
        computed = hashlib.new(algorithm, (candidate + salt_text).encode("utf-8")).hexdigest()
        if hmac.compare_digest(computed, digest.lower()):
            return True
    return False


def plain_matches(email: str, identity: Any) -> bool:
    """An unhashed identity equals the email (trimmed, case-insensitive)."""
    return isinstance(identity, str) and normalise_email(identity) == normalise_email(email)
