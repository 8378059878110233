"""Run the 1EdTech Open Badges 2.0 validator against a locally built site.

The validator (PyPI ``badgecheck`` 1.2.0) lives in a virtualenv of its own, made
by ``tools/setup-ob2-validator.sh`` (default ``<repo>/.venv-ob2``, or the
directory named by ``BADGESITE_OB2_VENV``). Each call of :func:`validate_ob2` runs
``ob2_runner.py`` with that venv's interpreter in a fresh process: the validator
caches HTTP responses for 300 s per process, so reusing one would hide changes.
The runner is fully offline: it serves the site directory at its base URL and
refuses every other URL.

Note that the validator judges ``issuedOn``/``expires`` against the real clock and
ignores ``revoked: true`` on hosted assertions; callers check revocation themselves.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.external import missing

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().with_name("ob2_runner.py")
VENV_ENV_VAR = "BADGESITE_OB2_VENV"
DEFAULT_TIMEOUT = 120.0
MISSING_MESSAGE = "OB 2.0 validator venv (run tools/setup-ob2-validator.sh)"


class OB2RunnerError(RuntimeError):
    """The runner failed to produce a report (crash, timeout or unreadable output)."""


def venv_dir() -> Path:
    """The validator venv directory: ``$BADGESITE_OB2_VENV`` or ``<repo>/.venv-ob2``."""
    configured = os.environ.get(VENV_ENV_VAR)
    return Path(configured) if configured else REPO_ROOT / ".venv-ob2"


@functools.cache
def _usable(python: Path) -> bool:
    """Whether ``python`` runs and can import the validator (checked once per path)."""
    if not python.is_file():
        return False
    try:
        probe = subprocess.run(
            [str(python), "-I", "-c", "import openbadges.verifier, openbadges_bakery"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def validator_python() -> Path | None:
    """The validator venv's interpreter, or None when the venv is missing or broken."""
    venv = venv_dir()
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate if _usable(candidate) else None
    return None


def _subprocess_env() -> dict[str, str]:
    """The current environment without variables that would leak into the venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def validate_ob2(
    site_dir: str | os.PathLike[str],
    base_url: str,
    input: str | os.PathLike[str],  # noqa: A002 - the runner's own name for it
    recipient: str | None = None,
    extra_origins: Mapping[str, str | os.PathLike[str]] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Validate one badge with the OB 2.0 validator, offline, in a new process.

    ``input`` is an assertion URL (a string starting with ``http://`` or
    ``https://``) or a path to a JSON file or baked image. ``site_dir`` is served
    at ``base_url``; ``extra_origins`` maps further URL prefixes to directories.
    ``recipient`` is an email checked against the assertion's recipient identity.

    Returns the runner's JSON: ``valid``, ``errorCount``, ``warningCount``,
    ``messages`` (the validator's report messages, each with ``messageLevel``,
    ``name`` and ``result``), ``report`` (what the validator's ``verify`` returned)
    and ``fetched`` (``"STATUS URL"`` or ``"REFUSED URL"`` for every request).

    Skips the test (fails it under CI) when the validator venv is unavailable;
    raises :class:`OB2RunnerError` when the runner produced no report.
    """
    python = validator_python()
    if python is None:
        missing(MISSING_MESSAGE)
        raise OB2RunnerError(MISSING_MESSAGE)  # unreachable: missing() skips or fails

    command = [str(python), "-I", str(RUNNER), "--site", str(site_dir), "--base-url", base_url]
    if recipient is not None:
        command += ["--recipient", recipient]
    for url, directory in (extra_origins or {}).items():
        command += ["--extra-origin", f"{url}={directory}"]
    command.append(os.fspath(input))

    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_subprocess_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OB2RunnerError(f"OB 2.0 validator timed out after {timeout} s: {command}") from exc

    if completed.returncode != 0:
        raise OB2RunnerError(
            f"OB 2.0 runner exited {completed.returncode}\n"
            f"command: {command}\nstderr:\n{completed.stderr[-4000:]}"
        )
    try:
        result: dict[str, Any] = json.loads(completed.stdout)
    except ValueError as exc:
        raise OB2RunnerError(
            f"OB 2.0 runner printed no JSON report\nstdout:\n{completed.stdout[-2000:]}\n"
            f"stderr:\n{completed.stderr[-4000:]}"
        ) from exc
    return result


def error_messages(result: Mapping[str, Any]) -> list[str]:
    """The text of every ERROR-level message in a :func:`validate_ob2` result."""
    return [
        str(message.get("result", ""))
        for message in result.get("messages", [])
        if message.get("messageLevel") == "ERROR"
    ]
