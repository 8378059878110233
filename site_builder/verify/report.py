"""The outcome of one verification: named checks, a final status, and its text/JSON renderings.

Everything shown may come from a hostile document, so it is shown tamed (``shown``): control
and format characters (ANSI escapes, CR, BIDI overrides, lone surrogates) are escaped, and
long values are cut with an ellipsis.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

VALUE_LIMIT = 200  # characters of a field (badge, issuer, ...) and of any word of a message
MESSAGE_LIMIT = 600  # characters of a check's message
ELLIPSIS = "…"
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls, format (BIDI, zero-width), surrogates, separators
_LONG_WORD = re.compile(r"\S{" + str(VALUE_LIMIT + 1) + ",}")


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _cut_words(text: str) -> str:
    return _LONG_WORD.sub(lambda m: m.group()[:VALUE_LIMIT] + ELLIPSIS, text)


def shown(value: Any, limit: int = VALUE_LIMIT) -> str:
    """``value`` as it may be printed: unsafe characters escaped, words over VALUE_LIMIT and the
    whole over ``limit`` characters cut with an ellipsis."""
    text = value if isinstance(value, str) else str(value)
    text = _cut_words(text)
    if len(text) > limit:
        text = text[:limit] + ELLIPSIS
    if not text.isprintable():
        text = _cut_words("".join(_escape(c) if unicodedata.category(c) in _UNSAFE else c for c in text))
        if len(text) > limit + len(ELLIPSIS):
            text = text[:limit] + ELLIPSIS
    return text


VALID, INVALID, REVOKED, EXPIRED = "valid", "invalid", "revoked", "expired"
# When several checks fail, the most serious status wins: a badge that is both revoked and
# tampered with is reported as invalid, one both revoked and expired as revoked.
_PRECEDENCE = (INVALID, REVOKED, EXPIRED)


@dataclass(frozen=True)
class Check:
    """One verification step. ``fails_as`` is the badge status this check gives when it fails."""

    name: str
    ok: bool
    message: str
    fails_as: str = INVALID

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "ok", "message"}``."""
        return {"name": self.name, "ok": self.ok, "message": self.message}


@dataclass
class Report:
    """Everything a verification found. The library fills it; the CLI renders it."""

    source: str
    origin: str = ""  # how the badge was given: "URL", "JSON file", "baked PNG", ...
    version: str = ""  # "2.0" or "3.0" once known
    badge: str = ""  # the badge's name
    issuer: str = ""  # the issuer's name and id
    recipient: str = "not checked (give --recipient EMAIL)"
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the verdict does not depend on, but a user should know

    def add(self, name: str, ok: bool, message: str, fails_as: str = INVALID) -> bool:
        """Record a check (its message tamed by ``shown``); returns ``ok`` so callers can stop after a failure."""
        self.checks.append(Check(name, ok, shown(message, MESSAGE_LIMIT), fails_as))
        return ok

    def fail(self, name: str, message: str, fails_as: str = INVALID) -> bool:
        """Record a failed check; returns False."""
        return self.add(name, False, message, fails_as)

    def warn(self, message: str) -> None:
        """Record a warning (tamed by ``shown``): no check fails because of it."""
        self.warnings.append(shown(message, MESSAGE_LIMIT))

    def passed(self, name: str, message: str) -> bool:
        """Record a passed check; returns True."""
        return self.add(name, True, message)

    @property
    def status(self) -> str:
        """valid, or the most serious status of a failed check (invalid > revoked > expired)."""
        failed = {c.fails_as for c in self.checks if not c.ok}
        if not self.checks:
            return INVALID
        for status in _PRECEDENCE:
            if status in failed:
                return status
        return VALID

    @property
    def valid(self) -> bool:
        """Whether every check passed."""
        return self.status == VALID

    @property
    def errors(self) -> list[str]:
        """``"name: message"`` of every failed check."""
        return [f"{c.name}: {c.message}" for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of ``badgesite verify --json``."""
        return {
            "valid": self.valid,
            "status": self.status,
            "version": self.version,
            "badge": shown(self.badge),
            "issuer": shown(self.issuer),
            "recipient": shown(self.recipient, MESSAGE_LIMIT),
            "checks": [c.to_dict() for c in self.checks],
            "errors": self.errors,
            "warnings": list(self.warnings),
        }


def render_json(report: Report) -> str:
    """The report as ``badgesite verify --json`` prints it."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def render_text(report: Report) -> str:
    """A readable report: what the badge is, one line per check, the verdict last."""
    kind = f"Open Badges {report.version}" if report.version else "Open badge"
    lines = [
        f"{kind} ({shown(report.origin or 'input')}): {shown(report.source, MESSAGE_LIMIT)}",
        f"Badge:     {shown(report.badge) or '(unknown)'}",
        f"Issuer:    {shown(report.issuer) or '(unknown)'}",
        f"Recipient: {shown(report.recipient, MESSAGE_LIMIT)}",
        "",
    ]
    width = max((len(c.name) for c in report.checks), default=0)
    lines += [f"  {'✓' if c.ok else '✗'} {c.name.ljust(width)}  {c.message}" for c in report.checks]
    lines += [f"  ! warning: {w}" for w in report.warnings]
    lines += ["", f"Result: {report.status.upper()}"]
    return "\n".join(lines)
