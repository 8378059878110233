"""The one config file, ``site.toml``: typed, documented, unknown keys are errors.

Every problem is reported as ``site.toml: <key> ...`` (all of them at once), so a mistyped
folder or URL never reaches the build, which replaces the contents of ``output_dir``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from site_builder.errors import ConfigError

CONFIG_FILE = "site.toml"
SOURCE_KEYS = ("content_dir", "badges_dir", "themes_dir")
FOLDER_KEYS = (*SOURCE_KEYS, "output_dir", "keys_dir")
# Folders of a site that a build must never replace or publish (rosters/ holds plaintext emails).
PROTECTED = (".git", ".github", ".cache", "rosters")
_THEME = re.compile(r"[A-Za-z0-9_-]+")
# IANA names: components start with a capital (`America/Los_Angeles`, `Etc/GMT+5`, `UTC`). This refuses
# paths and the non-zone files of a zoneinfo folder (`localtime`, `posixrules`, `zone.tab`, `right/...`).
_ZONE = re.compile(r"[A-Z][A-Za-z0-9_+-]*(?:/[A-Z][A-Za-z0-9_+-]*)*")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")  # the shape of a BCP 47 tag
_TOML_AT = re.compile(r"^(?P<msg>.*) \((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$", re.S)
_EPOCH = re.compile(r"[0-9]{1,12}")
# The latest build time: a day before the end of datetime's range, so any time zone can show it.
MAX_EPOCH = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


def _key(doc: str, default: Any = MISSING) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class SiteConfig:
    """Every key of ``site.toml``. The README's configuration table lists them all."""

    title: str = _key("Site title, shown in the header and the browser tab. Required.")
    base_url: str = _key(
        "Public URL the site is served from, e.g. `https://user.github.io/repo/`. "
        "Every id and link is built from it. Required."
    )
    description: str = _key("One sentence shown on the home page and in meta tags.", "")
    timezone: str = _key(
        "IANA time zone that completes plain dates (`2025-03-14`), e.g. `America/Los_Angeles`; paths and "
        "`localtime` are refused.", "UTC",
    )
    language: str = _key("Language of the pages (`lang` attribute), a language tag such as `en` or `pt-BR`.", "en")
    theme: str = _key(
        "Name of a folder in `themes/` whose files override the default theme: letters, digits, `-` and `_` "
        "only.", "",
    )
    credit_unit: str = _key("Unit of `creditsAvailable`, singular (`semester unit`).", "credit")
    credit_unit_plural: str = _key("Unit of `creditsAvailable`, plural.", "credits")
    content_dir: str = _key("Folder of issuers/, achievements/, assertions/, earners/.", "content")
    badges_dir: str = _key("Folder of images (badges, issuer logos, earner photos).", "badges")
    themes_dir: str = _key("Folder of theme overrides.", "themes")
    output_dir: str = _key("Folder the site is written to.", "output")
    keys_dir: str = _key(
        "Folder of private signing keys (mode 0600, must be git-ignored; only `issue`, `revoke`, "
        "`reissue`, `sign` and `keys` read it, never `build`).", "keys",
    )
    max_image_bytes: int = _key("Largest accepted image file, in bytes (a positive integer).", 512 * 1024)
    validator_url: str = _key(
        "Link offered on assertion pages to verify independently; `{url}` is replaced by "
        "the URL-encoded assertion id. An http(s) URL with a host that contains `{url}`.",
        "https://openbadgesvalidator.imsglobal.org/results?url={url}",
    )
    # Not a key: where the site lives. Set by load_config.
    root: Path = field(default=Path("."), metadata={"internal": True})

    @property
    def base_path(self) -> str:
        """Path part of ``base_url``, always ending in ``/`` (``/repo/`` or ``/``)."""
        return urlsplit(self.base_url).path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, name: str) -> Path:
        """One of the configured folders, resolved against the site root."""
        return (self.root / getattr(self, f"{name}_dir")).resolve()


def documented_keys() -> dict[str, str]:
    """Key name -> its documentation, in declaration order."""
    return {f.name: f.metadata["doc"] for f in fields(SiteConfig) if "doc" in f.metadata}


def _url_problem(key: str, url: str, checked: str = "") -> str:
    """Why ``url`` (as ``checked``, when given) is not an http(s) URL with a host ("" when it is)."""
    checked = checked or url
    try:
        parts = urlsplit(checked)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:  # also an unclosed IPv6 bracket
        return f"{key} has an invalid host or port, got {url!r}"
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"[\x00-\x20\x7f]", checked):
        return f"{key} must be an http(s) URL with a host, got {url!r}"
    return ""


def normalise_base_url(url: str) -> str:
    """Check a base URL and give it its trailing slash."""
    problem = _url_problem("base_url", url)
    if problem:
        raise ConfigError(problem)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ConfigError(f"base_url must not have a query or fragment, got {url!r}")
    return url if url.endswith("/") else url + "/"


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; a syntax error reads ``site.toml:LINE:COL: what``."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    text = text.removeprefix("\ufeff")  # editors on Windows write a byte-order mark; TOML does not allow one
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.match(str(exc))
        if not found:
            raise ConfigError(f"{path}: {exc}") from exc
        if found["line"]:
            line, col = int(found["line"]), int(found["col"])
        else:  # "at end of document"
            line, col = text.count("\n") + 1, len(text) - text.rfind("\n")
        raise ConfigError(f"{path}:{line}:{col}: {found['msg']}") from exc


def _typed(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The known keys with the right types, and a problem for each unknown, missing or mistyped one."""
    known = documented_keys()
    problems = []
    for key in sorted(data):
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            problems.append(f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    kwargs: dict[str, Any] = {}
    for f in fields(SiteConfig):
        if f.name not in known:
            continue
        if f.name not in data:
            if f.default is MISSING:
                problems.append(f"missing required key {f.name!r}")
            continue
        value = data[f.name]
        expected, label = (int, "an integer") if f.type == "int" else (str, "a string")
        if type(value) is not expected:  # not bool for int, not a table, list or date for str
            problems.append(f"{f.name!r} must be {label}, got {value!r}")
            continue
        kwargs[f.name] = value
    return kwargs, problems


def _zone_problem(name: str) -> str:
    if not _ZONE.fullmatch(name):
        return f"timezone must be an IANA time zone name such as 'America/Los_Angeles', got {name!r}"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'America'
        return f"unknown timezone {name!r} (use an IANA name such as 'America/Los_Angeles')"
    return ""


def _known_language(tag: str) -> bool:
    """Babel has locale data for ``tag`` (dates and numbers are formatted through it)."""
    from babel import Locale, UnknownLocaleError  # imported here: config stays quick to import

    try:
        Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _value_problems(config: SiteConfig) -> list[str]:
    """Problems of the keys that are not folders."""
    problems = [] if config.title.strip() else ["title must not be empty"]
    problems.append(_zone_problem(config.timezone))
    if not _LANGUAGE.fullmatch(config.language):
        problems.append(f"language must be a language tag such as 'en' or 'pt-BR', got {config.language!r}")
    elif not _known_language(config.language):
        problems.append(f"language {config.language!r} is not one Babel (dates, numbers) knows: use a tag "
                        "such as 'en', 'es' or 'pt-BR'")
    if config.theme and not _THEME.fullmatch(config.theme):
        problems.append(f"theme must be a folder name of letters, digits, '-' and '_', got {config.theme!r}")
    if config.max_image_bytes < 1:
        problems.append(f"max_image_bytes must be a positive integer, got {config.max_image_bytes}")
    url = config.validator_url
    if "{url}" not in url:
        problems.append(f"validator_url must contain {{url}} (replaced by the assertion URL), got {url!r}")
    elif "{url}" in urlsplit(url).netloc:
        problems.append(f"validator_url must not have {{url}} in its host, got {url!r}")
    else:
        problems.append(_url_problem("validator_url", url, url.replace("{url}", "x")))
    return [p for p in problems if p]


def _relation(a: Path, b: Path) -> str:
    """How folder ``a`` overlaps folder ``b``, as the words after "must not" ("" if they are apart)."""
    if a == b:
        return "be the same folder as"
    if a.is_relative_to(b):
        return "be inside"
    return "contain" if b.is_relative_to(a) else ""


def _output_problem(config: SiteConfig, paths: dict[str, Path]) -> str:
    """A build replaces everything in ``output_dir``: it must be a folder of its own inside the site."""
    root, out, value = config.root, paths["output_dir"], config.output_dir
    if out == root:
        return f"output_dir must not be the site folder itself (a build replaces its files), got {value!r}"
    if not out.is_relative_to(root):
        return f"output_dir must be a folder inside the site folder (a build replaces its files), got {value!r}"
    if out.exists() and not out.is_dir():
        return f"output_dir must be a folder, but {value!r} is a file"
    for key in SOURCE_KEYS:
        relation = _relation(out, paths[key])
        if relation:
            return f"output_dir must not {relation} {key} ({getattr(config, key)!r}), got {value!r}"
    for name in PROTECTED:
        relation = _relation(out, root / name)
        if relation:
            return f"output_dir must not {relation} the site's {name}/ folder, got {value!r}"
    return ""


def _folder_problems(config: SiteConfig) -> list[str]:
    """Folders that would lose files or publish sources or keys."""
    problems, paths = [], {}
    for key in FOLDER_KEYS:
        value = getattr(config, key)
        if not value.strip() or re.search(r"[\x00-\x1f\x7f]", value):
            problems.append(f"{key} must be a folder name, got {value!r}")
            continue
        try:
            paths[key] = (config.root / value).resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
            problems.append(f"{key} cannot be resolved ({exc}), got {value!r}")
    if len(paths) < len(FOLDER_KEYS):
        return problems
    output_problem = _output_problem(config, paths)
    problems.append(output_problem)
    # Keys in a published or scanned folder end up on the web (a wrong output_dir is reported once).
    for key in (*SOURCE_KEYS,) if output_problem else ("output_dir", *SOURCE_KEYS):
        relation = _relation(paths["keys_dir"], paths[key])
        if relation:
            problems.append(f"keys_dir must not {relation} {key} ({getattr(config, key)!r}), "
                            f"got {config.keys_dir!r}")
            break
    return [p for p in problems if p]


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read ``root/site.toml``; ``base_url`` overrides the file's (a preview build)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: no {CONFIG_FILE} here (run `badgesite new DIR` to start a site)")
    kwargs, problems = _typed(_read_toml(path))
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    config = SiteConfig(root=root.resolve(), **kwargs)
    try:
        config = replace(config, base_url=normalise_base_url(base_url or config.base_url))
    except ConfigError as exc:
        problems.append(str(exc))
    problems += _value_problems(config) + _folder_problems(config)
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return config


def build_time(config: SiteConfig) -> datetime:
    """``SOURCE_DATE_EPOCH`` if set, else the start of today in the site's time zone.

    Either way two builds of the same input on the same day give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        if not _EPOCH.fullmatch(epoch) or int(epoch) > MAX_EPOCH:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to {MAX_EPOCH}, "
                              f"got {epoch!r}")
        return datetime.fromtimestamp(int(epoch), UTC).astimezone(config.zone)
    today = datetime.now(config.zone).date()
    return datetime.combine(today, time(0), config.zone)


DEFAULT_THEME = Path(__file__).resolve().parent / "themes" / "default"


def theme_folders(config: SiteConfig) -> list[Path]:
    """The site's ``themes/<name>/`` (if configured and present) then the default theme."""
    folders = []
    if config.theme:
        override = config.path("themes") / config.theme
        if override.is_dir():
            folders.append(override)
    folders.append(DEFAULT_THEME)
    return folders
