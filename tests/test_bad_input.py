"""One fixture per defect (tests/fixtures/bad/<case>/ laid over the minimal site).

Each case asserts the exact messages (file:line:col, JSON pointer, text), the exit code,
and that a failed build leaves the previous output/ untouched.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.support.fixtures import BAD, MINIMAL, overlay

CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def _tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_case_has_expected_messages() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert (BAD / case / "expected.txt").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_check_reports_exact_messages(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = overlay(case, tmp_path / "site")
    assert main(["check", "--site", str(site)]) == 1
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8")
    assert capsys.readouterr().err == expected


@pytest.mark.parametrize("case", ["malformed-json", "svg-with-script", "many-errors-at-once"])
def test_failed_build_leaves_previous_output_intact(case: str, tmp_path: Path) -> None:
    site = overlay(case, tmp_path / "site")
    good = tmp_path / "good"
    # Build the good version into the same output folder first.
    import shutil
    shutil.copytree(MINIMAL, good)
    assert main(["-q", "build", "--site", str(good)]) == 0
    shutil.copytree(good / "output", site / "output")
    before = _tree_digest(site / "output")
    assert main(["-q", "build", "--site", str(site)]) == 1
    assert _tree_digest(site / "output") == before
    assert not [p for p in site.iterdir() if p.name.startswith(".output.")]


def test_minimal_site_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--site", str(MINIMAL)]) == 0
    assert capsys.readouterr().out == "OK: 1 issuer, 1 achievement, 1 earner, 1 assertion\n"
