"""`badgesite check` runs the validation stage `build` runs: same errors, same messages, nothing written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.support.fixtures import BAD, overlay
from tests.support.signed import signed_minimal

UID = "00000000000000000000000000000001"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git/" not in p.relative_to(root).as_posix()}


def run_both(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[tuple[int, str], tuple[int, str]]:
    capsys.readouterr()
    before = tree(site)
    checked = main(["check", "--site", str(site)]), capsys.readouterr().err
    assert tree(site) == before, "check wrote something"
    built = main(["build", "--site", str(site)]), capsys.readouterr().err
    return checked, built


@pytest.mark.parametrize("case", CASES)
def test_check_and_build_report_every_bad_input_alike(case: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    checked, built = run_both(overlay(case, tmp_path / "site"), capsys)
    assert checked[0] == built[0] == 1
    assert checked[1] == built[1] == (BAD / case / "expected.txt").read_text(encoding="utf-8")


def _stale(site: Path) -> None:
    path = site / "content/achievements/tester.json"
    path.write_text(path.read_text().replace("Careful Tester", "Very Careful Tester"))


def _tampered(site: Path) -> None:
    path = site / f"content/credentials/{UID}.json"
    credential = json.loads(path.read_text())
    value = credential["proof"]["proofValue"]
    credential["proof"]["proofValue"] = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    path.write_text(json.dumps(credential, indent=2))


def _unsigned(site: Path) -> None:
    (site / f"content/credentials/{UID}.json").unlink()


@pytest.mark.parametrize("spoil, message", [
    (_stale, f"content/credentials/{UID}.json:1:1: does not match its source (changed since it was signed)"),
    (_tampered, f"content/credentials/{UID}.json:"),
    (_unsigned, f"content/credentials/{UID}.json: no signed credential: run `badgesite sign`"),
])
def test_check_and_build_report_signed_content_alike(spoil: Callable[[Path], None], message: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    site = signed_minimal(tmp_path / "site")
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 0
    spoil(site)
    checked, built = run_both(site, capsys)
    assert checked[0] == built[0] == 1
    assert checked[1] == built[1]
    assert message in checked[1], checked[1]


def test_check_warns_like_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "new"
    assert main(["new", str(site), "--base-url", "https://u.github.io/x/"]) == 0
    checked, built = run_both(site, capsys)
    assert checked[0] == built[0] == 0
    warnings = [line for line in checked[1].splitlines() if line.startswith("warning:")]
    assert warnings == [line for line in built[1].splitlines() if line.startswith("warning:")]
    assert "warning: content/issuers/my-organisation.json:4:12 /email: placeholder text from `badgesite new` " \
           "('badges@example.org') would be published: replace it" in warnings
