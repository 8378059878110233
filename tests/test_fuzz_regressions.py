"""Bugs the fuzz suite (tests/test_fuzz.py) found, each as a plain test with the exact input.

Bugs in files the fuzz work may not change are strict xfails: they pass the day the bug is fixed,
and then the xfail mark must go (and the fuzz suite's tolerance of that bug with it).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.fuzz.harness import assert_clean, digest, no_network, remote, run_cli
from tests.support.fixtures import copy_minimal
from tests.support.signed import signed_minimal

MAP = "https://badges.test/"
def _verify(source: str, folder: Path) -> tuple[int, str]:
    with no_network() as asked:
        run = run_cli("verify", source, "--map", f"{MAP}={folder}", "--now", "2026-11-24T12:00:00Z")
    assert not remote(asked)
    return run.code, run.err


def test_verify_url_with_nul_under_a_mapped_prefix(tmp_path: Path) -> None:
    """Found by test_verify_urls: ``verify 'https://badges.test/0\\x00' --map https://badges.test/=DIR``."""
    (tmp_path / "map").mkdir()
    run = run_cli("verify", "https://badges.test/0\x00", "--map", f"{MAP}={tmp_path / 'map'}")
    assert_clean(run)


def test_verify_file_whose_id_holds_a_nul(tmp_path: Path) -> None:
    """The same crash from a file: an assertion id ``https://badges.test/a\\u0000`` (a JSON escape)."""
    (tmp_path / "map").mkdir()
    source = tmp_path / "a.json"
    source.write_text('{"id": "https://badges.test/a\\u0000", "type": "Assertion"}')
    code, err = _verify(str(source), tmp_path / "map")
    assert code in (0, 1, 2), err
    assert "failed unexpectedly" not in err


def test_verify_error_names_an_empty_file(tmp_path: Path) -> None:
    """Found by test_verify_files: an empty file gives 'the JSON file holds neither JSON, a JWS nor a URL'."""
    (tmp_path / "map").mkdir()
    source = tmp_path / "badge.bin"
    source.write_bytes(b"")
    code, err = _verify(str(source), tmp_path / "map")
    assert code == 1
    assert err.startswith("error: ") and str(source) in err, err


def test_issue_to_an_empty_email(tmp_path: Path) -> None:
    """Found by test_issue_one: ``issue tester --to '' --name 'Bob Builder'`` exits 70 (AttributeError)."""
    site = copy_minimal(tmp_path / "site")
    run = run_cli("issue", "--site", str(site), "tester", "--to", "", "--name", "Bob Builder")
    assert_clean(run)
    assert run.code != 0


def test_failed_issue_with_an_early_date_writes_nothing(tmp_path: Path) -> None:
    """Found by test_issue_roster: ``issue tester --csv R --date 0001-01-01`` exits 1 but leaves its files."""
    site = copy_minimal(tmp_path / "site")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,evidence,narrative\r\nBob Builder,bob@example.org,,\r\n")
    before = digest(site)
    run = run_cli("issue", "--site", str(site), "tester", "--csv", str(roster), "--date", "0001-01-01")
    assert_clean(run)
    assert run.code == 0 or digest(site) == before, run.err


def test_credential_with_a_padded_proof_value_does_not_verify(tmp_path: Path) -> None:
    """Found by test_verify_tampered_credential: proof.proofValue + ' ' gives Result: VALID."""
    site = signed_minimal(tmp_path / "site")
    assert run_cli("build", "--site", str(site)).code == 0
    doc = json.loads((site / "output/credentials/00000000000000000000000000000001.json").read_text())
    doc["proof"]["proofValue"] += " "
    source = tmp_path / "credential.json"
    source.write_text(json.dumps(doc))
    with no_network():
        run = run_cli("verify", str(source), "--map", f"https://example.github.io/minimal/={site / 'output'}",
                      "--now", "2026-11-24T12:00:00Z")
    assert run.code == 1, run.out


def test_credential_with_an_invalid_image_type_does_not_verify(tmp_path: Path) -> None:
    """Found by test_verify_tampered_credential: image.type = 'https://example.github.io/minimal/"' verifies."""
    site = signed_minimal(tmp_path / "site")
    assert run_cli("build", "--site", str(site)).code == 0
    doc = json.loads((site / "output/credentials/00000000000000000000000000000001.json").read_text())
    doc["image"]["type"] = 'https://example.github.io/minimal/"'
    source = tmp_path / "credential.json"
    source.write_text(json.dumps(doc))
    with no_network():
        run = run_cli("verify", str(source), "--map", f"https://example.github.io/minimal/={site / 'output'}",
                      "--now", "2026-11-24T12:00:00Z")
    assert run.code == 1, run.out
