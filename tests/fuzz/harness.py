"""What every fuzz case shares: a run of the real CLI, the site tree's digest, leak and network checks."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis.control import currently_in_test_context

from site_builder.cli import main
from tests.support.fixtures import copy_minimal

FIXED_EPOCH = "1795521600"  # as tests/conftest.py: 2026-11-24T12:00Z
RECIPIENT_EMAILS = ("ada@example.org",)  # the minimal site's recipient (stored only hashed)
KEY_MARKERS = (b"secretKeyMultibase", b"BEGIN PRIVATE KEY", b"PRIVATE KEY-----")
INTERNAL_ERROR = 70
LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|::1|localhost)$")
SKIPPED = (".cache", ".git")
NO_EXPLAIN = tuple(p for p in Phase if p is not Phase.explain)  # explaining re-runs a failure 60 times

_QUIET = (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture, HealthCheck.large_base_example)
settings.register_profile("ci", max_examples=30, derandomize=True, deadline=None, database=None,
                          suppress_health_check=_QUIET, print_blob=True)
LONG_EXAMPLES = int(os.environ.get("BADGESITE_FUZZ_EXAMPLES", "4000"))
settings.register_profile("long", max_examples=LONG_EXAMPLES, deadline=None, database=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.load_profile("long" if os.environ.get("BADGESITE_FUZZ") == "long" else "ci")


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Run:
    """``main(argv)`` in-process with captured streams; argparse's SystemExit becomes its code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": FIXED_EPOCH}):
        try:
            code = main(["-q", *argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return Run(tuple(argv), code, out.getvalue(), err.getvalue())


def note_exit(run: Run) -> None:
    """Count the exit codes in Hypothesis' statistics (outside a Hypothesis test, do nothing)."""
    if currently_in_test_context():
        event(f"{run.argv[0]} exit {run.code}")


def assert_clean(run: Run) -> None:
    """Property 1: no traceback, a documented exit code (70 is an internal error)."""
    shown = f"{run.argv}: exit {run.code}\nstderr: {run.err[-3000:]}"
    assert run.code in (0, 1, 2), shown
    assert "Traceback (most recent call last)" not in run.err + run.out, shown
    assert "failed unexpectedly" not in run.err, shown


def assert_names(run: Run, *names: str) -> None:
    """Property 2: a failure's message names the file, setting or URL concerned."""
    if run.code == 0:
        return
    text = run.err + run.out
    assert any(name in text for name in names), f"{run.argv}: exit {run.code}, none of {names} in:\n{text[-3000:]}"


def digest(root: Path) -> dict[str, str]:
    """Every file, folder and link under ``root`` (not .cache/ or .git/) with a digest of its bytes."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIPPED:
            continue
        if path.is_symlink():
            found[str(rel)] = "link:" + os.readlink(path)
        elif path.is_dir():
            found[str(rel)] = "dir"
        else:
            found[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_unchanged(before: dict[str, str], root: Path, run: Run) -> None:
    """Property 3: a failed command leaves the site as it was."""
    after = digest(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"{run.argv}: exit {run.code} but changed {changed[:20]}\nstderr: {run.err[-2000:]}"


def assert_no_leak(output: Path, emails: tuple[str, ...] = RECIPIENT_EMAILS) -> None:
    """Property 4: no recipient email and no private key material in the published folder."""
    if not output.is_dir():
        return
    needles = [e.lower().encode() for e in emails] + [e.lower().replace("@", "%40").encode() for e in emails]
    for path in output.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            low = data.lower()
            for needle in needles:
                assert needle not in low, f"{path} publishes the recipient email {needle!r}"
            for marker in KEY_MARKERS:
                assert marker not in data, f"{path} publishes private key material ({marker!r})"


def check_command(site: Path, *argv: str) -> Run:
    """Run one command on ``site`` and assert properties 1-4; the Run for further checks."""
    before = digest(site)
    run = run_cli(*argv)
    note_exit(run)
    assert_clean(run)
    if run.code != 0:
        assert_unchanged(before, site, run)
    assert_no_leak(site / "output")
    return run


@contextlib.contextmanager
def fresh_site(template: Path) -> Iterator[tuple[Path, Path]]:
    """(a copy of the built minimal site, a scratch folder beside it), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        site = Path(scratch) / "site"
        shutil.copytree(template, site, symlinks=True)
        (Path(scratch) / "elsewhere").mkdir()
        yield site, Path(scratch)


def make_template(folder: Path) -> Path:
    """The minimal site, built once (so a failed build has an output/ to keep intact)."""
    site = copy_minimal(folder / "minimal")
    run = run_cli("build", "--site", str(site))
    assert run.code == 0, run.err
    return site


@contextlib.contextmanager
def no_network() -> Iterator[list[str]]:
    """socket.getaddrinfo and socket.create_connection refuse; the hosts asked for are recorded."""
    asked: list[str] = []

    def refuse_lookup(host: object, *args: object, **kwargs: object) -> None:
        asked.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, "network disabled in the fuzz suite")

    def refuse_connect(address: tuple[object, ...], *args: object, **kwargs: object) -> None:
        asked.append(str(address[0]))
        raise OSError("network disabled in the fuzz suite")

    with mock.patch.object(socket, "getaddrinfo", refuse_lookup), \
            mock.patch.object(socket, "create_connection", refuse_connect):
        yield asked


def remote(asked: list[str]) -> list[str]:
    """The non-loopback hosts among ``asked``."""
    return [host for host in asked if not LOOPBACK.match(host)]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built minimal site every case copies."""
    return make_template(tmp_path_factory.mktemp("fuzz-template"))
