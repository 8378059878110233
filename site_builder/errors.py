"""One exception hierarchy. The CLI turns any ``BadgesiteError`` into a clean message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one input file, at a JSON pointer (and line:col when known)."""

    file: str
    pointer: str
    message: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col}"
        if self.pointer:
            where += f" {self.pointer}"
        return f"{where}: {self.message}"


class BadgesiteError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


class ConfigError(BadgesiteError):
    """site.toml is missing, malformed or has unknown or invalid keys."""


class UsageError(BadgesiteError):
    """A command was called with arguments that cannot work."""

    exit_code = 2


class ContentError(BadgesiteError):
    """Content failed validation; carries every diagnostic found in the run."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        count = len(self.diagnostics)
        lines = "\n".join(f"  {d}" for d in self.diagnostics)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in content:\n{lines}")


class OutputPathError(BadgesiteError):
    """A computed output path escapes output/ or is written twice."""


class ThemeError(ConfigError):
    """A theme file is unsafe to publish (a link out of the theme, a special file) or a template misbehaves."""


class UnsafeOutputError(BadgesiteError):
    """An output looks like private key material: nothing is written."""


class OutputWriteError(BadgesiteError):
    """Writing output/ failed (a full disk, no permission); the message says what state output/ is in."""


class BuildLockedError(BadgesiteError):
    """Another build holds this site's build lock."""


def relative_name(path: Path, root: Path) -> str:
    """``path`` as shown in messages: relative to the site root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
