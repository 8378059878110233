"""The outcome of one verification: named checks, a final status, and its text/JSON renderings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

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

    def add(self, name: str, ok: bool, message: str, fails_as: str = INVALID) -> bool:
        """Record a check; returns ``ok`` so callers can stop after a failure."""
        self.checks.append(Check(name, ok, message, fails_as))
        return ok

    def fail(self, name: str, message: str, fails_as: str = INVALID) -> bool:
        """Record a failed check; returns False."""
        return self.add(name, False, message, fails_as)

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
            "badge": self.badge,
            "issuer": self.issuer,
            "recipient": self.recipient,
            "checks": [c.to_dict() for c in self.checks],
            "errors": self.errors,
        }


def render_json(report: Report) -> str:
    """The report as ``badgesite verify --json`` prints it."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def render_text(report: Report) -> str:
    """A readable report: what the badge is, one line per check, the verdict last."""
    kind = f"Open Badges {report.version}" if report.version else "Open badge"
    lines = [
        f"{kind} ({report.origin or 'input'}): {report.source}",
        f"Badge:     {report.badge or '(unknown)'}",
        f"Issuer:    {report.issuer or '(unknown)'}",
        f"Recipient: {report.recipient}",
        "",
    ]
    width = max((len(c.name) for c in report.checks), default=0)
    lines += [f"  {'✓' if c.ok else '✗'} {c.name.ljust(width)}  {c.message}" for c in report.checks]
    lines += ["", f"Result: {report.status.upper()}"]
    return "\n".join(lines)
