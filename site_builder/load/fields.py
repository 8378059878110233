"""Typed reads of JSON fields that collect diagnostics instead of raising."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from site_builder.errors import Diagnostic
from site_builder.load.jsonsource import JsonSource, pointer_escape

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Accepted dates. Nothing was awarded before 1900, and the day's margin before datetime's
# end (9999-12-31) lets every date be shown in any time zone and converted to UTC.
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)


def is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Fields:
    """Reads one JSON object of ``source`` at ``base`` pointer, adding problems to ``diags``."""

    def __init__(self, source: JsonSource, diags: list[Diagnostic], data: Any, base: str = ""):
        self.source, self.diags, self.base = source, diags, base
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if self.ok else {}
        if not self.ok:
            self.error("", f"must be a JSON object, got {type(data).__name__}")

    def ptr(self, key: str) -> str:
        return f"{self.base}/{pointer_escape(key)}" if key else self.base

    def error(self, key: str, message: str) -> None:
        self.diags.append(self.source.diag(self.ptr(key), message))

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(key, f"missing required field {key!r}")
            return default
        if not isinstance(value, str):
            self.error(key, f"{key!r} must be a string, got {type(value).__name__}")
            return default
        if required and not value.strip():
            self.error(key, f"{key!r} must not be empty")
        return value.strip()

    def url(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        if value and not is_url(value):
            self.error(key, f"{key!r} must be an http(s) URL, got {value!r}")
            return ""
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error(key, f"{key!r} must be true or false, got {value!r}")
            return default
        return value

    def number(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(key, f"{key!r} must be a number, got {value!r}")
            return None
        if number < 0 or not number.is_finite():
            self.error(key, f"{key!r} must be a non-negative number, got {value!r}")
            return None
        return number

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(key, f"{key!r} must be a list of strings")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def objects(self, key: str) -> list[Fields]:
        """A list of objects (a single object counts as a list of one)."""
        value = self.data.get(key, [])
        if isinstance(value, dict):
            return [Fields(self.source, self.diags, value, self.ptr(key))]
        if not isinstance(value, list):
            self.error(key, f"{key!r} must be a list of objects")
            return []
        return [Fields(self.source, self.diags, v, f"{self.ptr(key)}/{i}") for i, v in enumerate(value)]

    def sub(self, key: str) -> Fields:
        return Fields(self.source, self.diags, self.data.get(key), self.ptr(key))

    def when(self, key: str, zone: ZoneInfo, required: bool = False) -> datetime | None:
        """A date or date-time; plain dates and naive times are completed with ``zone``."""
        value = self.text(key, required)
        if not value:
            return None
        try:
            if _DATE.match(value):
                parsed = datetime.combine(date.fromisoformat(value), time(0), zone)
            else:
                parsed = datetime.fromisoformat(value)
        except ValueError:
            self.error(key, f"{key!r} is not a valid date (use YYYY-MM-DD or ISO 8601), got {value!r}")
            return None
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
        try:
            utc = parsed.astimezone(UTC)
        except OverflowError:
            utc = None
        if utc is None or not EARLIEST <= parsed.date() <= LATEST or utc.date() > LATEST:
            self.error(key, f"{key!r} must be a date from {EARLIEST} to {LATEST}, got {value!r}")
            return None
        return parsed
