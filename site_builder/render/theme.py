"""One sandboxed Jinja environment over an ordered list of theme folders (site override first).

A theme is someone's files published as they are, so it is held to what it may reach:
- every file of a theme folder is a regular file inside that folder; a symlink resolving
  outside it (to a private key, to /proc/self/environ) or a special file (a FIFO, a device)
  is refused with the file's name, before anything is read;
- templates are found only among those files, and run in Jinja's immutable sandbox: a
  template reaching for Python internals (``cycler.__init__.__globals__``) is a one-line
  error naming it;
- dates are formatted by Babel in the site's language, never by the machine's locale.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2.sandbox import ImmutableSandboxedEnvironment

from site_builder.config import DEFAULT_THEME, SiteConfig, theme_folders  # noqa: F401 (re-exported)
from site_builder.errors import ConfigError, ThemeError
from site_builder.render.text import render_markdown


def _shown(path: Path, folder: Path) -> str:
    """``themes/<name>/...``: a theme file as messages name it."""
    rel = path.relative_to(folder).as_posix()
    return f"{folder.parent.name}/{folder.name}" + ("" if rel == "." else f"/{rel}")


def _checked(path: Path, root: Path, folder: Path) -> None:
    """Refuse ``path`` if it resolves outside the theme folder (``root`` is that folder, resolved)."""
    real = path.resolve()
    if real != root and not real.is_relative_to(root):
        raise ThemeError(f"{_shown(path, folder)} is a symlink to {real}, outside the theme folder "
                         f"{_shown(folder, folder)}: refusing to publish it")


def _walk(folder: Path, subfolder: str) -> Iterator[tuple[str, Path]]:
    """(relative name, path) of every file below ``folder/subfolder``, each checked."""
    root = folder.resolve()
    base = folder / subfolder
    if not base.is_dir():
        return
    stack = [(base, "")]
    seen: set[Path] = set()
    while stack:
        directory, prefix = stack.pop()
        _checked(directory, root, folder)
        real = directory.resolve()
        if real in seen:  # a link back up the tree
            continue
        seen.add(real)
        with os.scandir(directory) as entries:
            for entry in entries:
                path = Path(entry.path)
                if entry.is_symlink():
                    _checked(path, root, folder)
                if entry.is_dir():
                    stack.append((path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    yield f"{prefix}{entry.name}", path
                else:
                    raise ThemeError(f"{_shown(path, folder)} is not a regular file (a broken link, a FIFO, "
                                     "a socket or a device): refusing to read it")


def theme_files(folders: list[Path], subfolder: str) -> dict[str, Path]:
    """Relative name -> file, the first folder that has a name winning (one file at a time)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for name, path in sorted(_walk(folder, subfolder)):
            found.setdefault(name, path)
    return dict(sorted(found.items()))


def theme_digest(folders: list[Path]) -> str:
    """Changes whenever any template or asset that could be used changes."""
    h = hashlib.sha256()
    for sub in ("templates", "assets"):
        for name, path in theme_files(folders, sub).items():
            h.update(f"{sub}/{name}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _locale(language: str) -> Locale:
    """Babel's locale for a language tag (``pt-BR``), or for its language alone (``en`` for ``en-ZZ``)."""
    for tag in (language, language.split("-")[0]):
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    raise ConfigError(f"site.toml: language {language!r} is not a language Babel knows (e.g. 'en', 'de', 'pt-BR')")


def _date_filter() -> Callable[..., str]:
    """The ``date`` filter: ``November 24, 2026`` in English, in the page's ``site.language``."""
    memo: dict[tuple[str, date], str] = {}  # one environment's (one build's): the same dates recur

    @jinja2.pass_context
    def long_date(context: jinja2.runtime.Context, moment: date | None) -> str:
        if not moment:
            return ""
        language = str(getattr(context.get("site"), "language", "") or "en")
        day = moment.date() if isinstance(moment, datetime) else moment
        text = memo.get((language, day))
        if text is None:
            text = memo[(language, day)] = format_date(day, format="long", locale=_locale(language))
        return text

    return long_date


class _ThemeTemplate(jinja2.Template):
    """A template whose failures are one line naming the template (and line) at fault."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except jinja2.TemplateError as exc:
            raise ThemeError(f"{self._where(exc)}: {_reason(exc)}") from exc

    def _where(self, exc: jinja2.TemplateError) -> str:
        found = _innermost(exc.__traceback__, getattr(self.environment, "theme_names", {}))
        return found or f"template {self.name}"


def _innermost(tb: TracebackType | None, names: dict[str, str]) -> str:
    """The innermost template frame of a traceback Jinja rewrote (its frames carry template file names)."""
    found = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in names:
            found = f"{names[filename]}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _reason(exc: jinja2.TemplateError) -> str:
    message = (exc.message or type(exc).__name__).rstrip(".")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"{message} (theme templates run sandboxed)"
    return message


class _ThemeEnvironment(ImmutableSandboxedEnvironment):
    template_class = _ThemeTemplate

    def __init__(self, theme_names: dict[str, str], **options: Any) -> None:
        super().__init__(**options)
        self.theme_names = theme_names  # template file -> its name in messages
        self._safe: dict[tuple[type, str], bool] = {}

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:  # noqa: A002
        try:
            return super().get_template(name, parent, globals)
        except jinja2.TemplateSyntaxError as exc:  # never caught by Jinja itself (unlike a missing template)
            where = self.theme_names.get(exc.filename or "", f"template {name}")
            raise ThemeError(f"{where}:{exc.lineno}: {_reason(exc)}") from exc

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The immutable sandbox's verdict, remembered: it depends on the object's type and the name alone."""
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe


def environment(folders: list[Path]) -> jinja2.Environment:
    """The sandboxed environment over ``folders``' checked templates."""
    templates = theme_files(folders, "templates")
    names = {str(path): _shown(path, _theme_of(path, folders)) for path in templates.values()}

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        path = templates.get(name)
        if path is None:
            return None
        return path.read_text(encoding="utf-8"), str(path), lambda: True

    env = _ThemeEnvironment(
        names,
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = render_markdown
    env.filters["date"] = _date_filter()
    return env


def _theme_of(path: Path, folders: list[Path]) -> Path:
    return next(f for f in folders if path.is_relative_to(f))

