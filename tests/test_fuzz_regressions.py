"""Bugs the fuzz suite (tests/test_fuzz.py) found, each as a plain test with the exact input.

Bugs in files the fuzz work may not change are strict xfails: they pass the day the bug is fixed,
and then the xfail mark must go (and the fuzz suite's tolerance of that bug with it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import assert_clean, no_network, remote, run_cli
from tests.support.fixtures import copy_minimal

MAP = "https://badges.test/"
NUL_PATH = pytest.mark.xfail(strict=True, raises=AssertionError,
                             reason="verify/fetch.py: LocalSite.fetch resolves a path with a NUL (ValueError)")
UNNAMED = pytest.mark.xfail(strict=True, raises=AssertionError,
                            reason="verify/extract.py: classify()'s errors say 'the JSON file', not its name")


def _verify(source: str, folder: Path) -> tuple[int, str]:
    with no_network() as asked:
        run = run_cli("verify", source, "--map", f"{MAP}={folder}", "--now", "2026-11-24T12:00:00Z")
    assert not remote(asked)
    return run.code, run.err


@NUL_PATH
def test_verify_url_with_nul_under_a_mapped_prefix(tmp_path: Path) -> None:
    """Found by test_verify_urls: ``verify 'https://badges.test/0\\x00' --map https://badges.test/=DIR``."""
    (tmp_path / "map").mkdir()
    run = run_cli("verify", "https://badges.test/0\x00", "--map", f"{MAP}={tmp_path / 'map'}")
    assert_clean(run)


@NUL_PATH
def test_verify_file_whose_id_holds_a_nul(tmp_path: Path) -> None:
    """The same crash from a file: an assertion id ``https://badges.test/a\\u0000`` (a JSON escape)."""
    (tmp_path / "map").mkdir()
    source = tmp_path / "a.json"
    source.write_text('{"id": "https://badges.test/a\\u0000", "type": "Assertion"}')
    code, err = _verify(str(source), tmp_path / "map")
    assert code in (0, 1, 2), err
    assert "failed unexpectedly" not in err


@UNNAMED
def test_verify_error_names_an_empty_file(tmp_path: Path) -> None:
    """Found by test_verify_files: an empty file gives 'the JSON file holds neither JSON, a JWS nor a URL'."""
    (tmp_path / "map").mkdir()
    source = tmp_path / "badge.bin"
    source.write_bytes(b"")
    code, err = _verify(str(source), tmp_path / "map")
    assert code == 1
    assert err.startswith("error: ") and str(source) in err, err


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="commands/admin.py: issue tests `if args.to:`, so --to '' reads the roster None")
def test_issue_to_an_empty_email(tmp_path: Path) -> None:
    """Found by test_issue_one: ``issue tester --to '' --name 'Bob Builder'`` exits 70 (AttributeError)."""
    site = copy_minimal(tmp_path / "site")
    run = run_cli("issue", "--site", str(site), "tester", "--to", "", "--name", "Bob Builder")
    assert_clean(run)
    assert run.code != 0
