"""A build killed (``kill -9``) at any point leaves a site the next build repairs, byte for byte.

A generated site alternates between two versions of its content (see tests/support/large.py).
Each round starts from a verified build of one version, switches to the other, and runs the
real CLI in a subprocess killed just before its Nth file change (tests/support/crash.py), with
N spread over the whole build. The next build then runs either on the new content or, every
other round, back on the old one (an author reverting after the crash: the case where an old
manifest would wrongly vouch for new bytes; that build is killed as well, halfway to the first
kill point), and its output/ must equal a cold build of that
content: same files, same bytes, same folders, nothing left over.

BADGESITE_CRASH_ASSERTIONS (default 150) sets the site's size, BADGESITE_CRASH_POINTS
(default 4) the evenly spread kill points per test (with
the first and last two changes); e.g. 5000 and 40 for the full-size run.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.conftest import FIXED_EPOCH
from tests.support import crash
from tests.support.fixtures import copy_minimal
from tests.support.large import change, generate
from tests.support.sites import fixed_build_time

SIZE = int(os.environ.get("BADGESITE_CRASH_ASSERTIONS", "150"))
POINTS = int(os.environ.get("BADGESITE_CRASH_POINTS", "4"))
KILLED = -signal.SIGKILL
SITE_ENTRIES = {"site.toml", "badges", "content", "output", ".cache"}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below ``root``."""
    return {p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def leftovers(site: Path) -> list[str]:
    """What a killed build may have left and no build cleaned: staging folders, journals, temporaries."""
    found = [p.name for p in site.iterdir() if p.name not in SITE_ENTRIES]  # e.g. a sibling .output.XXXX/
    state = site / ".cache" / "badgesite"
    found += [p.relative_to(site).as_posix() for p in state.rglob("*")
              if "staging" in p.parts or "journal" in p.name or p.name.endswith(".badgesite-tmp")]
    return found


def spread(total: int, count: int) -> list[int]:
    """``count`` + 4 change numbers in 1..total: the first and last two, and ``count`` evenly between."""
    between = [1 + round(i * (total - 1) / (count + 1)) for i in range(1, count + 1)]
    return [min(n, total) for n in (1, 2, *between, total - 1, total)]


@dataclass(frozen=True)
class Versions:
    site: Path  # the site under test (content: version A at first)
    store: Path  # holds the version not in use, as store/A or store/B
    expected: dict[str, dict[str, bytes | None]]  # version -> output/ of a cold build
    figures: list[str]

    def switch(self, to: str) -> None:
        other = "B" if to == "A" else "A"
        (self.site / "content").rename(self.store / other)
        (self.store / to).rename(self.site / "content")


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Versions]:
    root = tmp_path_factory.mktemp("crash")
    site = generate(root / "site", SIZE)
    store = root / "store"
    store.mkdir()
    shutil.copytree(site / "content", store / "B")
    change(store / "B")
    expected = {}
    started = time.perf_counter()
    with fixed_build_time(FIXED_EPOCH):
        for version, content in (("A", site / "content"), ("B", store / "B")):
            cold = root / f"cold-{version}"
            cold.mkdir()
            shutil.copyfile(site / "site.toml", cold / "site.toml")
            shutil.copytree(site / "badges", cold / "badges")
            shutil.copytree(content, cold / "content")
            assert main(["-q", "build", "--site", str(cold)]) == 0
            expected[version] = snapshot(cold / "output")
    assert expected["A"] != expected["B"]
    assert "achievements/badge-0/earned-1.html" in expected["A"]  # a folder B no longer has
    assert "achievements/badge-0" not in expected["B"]
    figures = [f"{SIZE} assertions, {len(expected['A'])} / {len(expected['B'])} output entries (A / B), "
               f"two cold builds in {time.perf_counter() - started:.1f}s"]
    yield Versions(site, store, expected, figures)
    print("\n" + "\n".join(figures))


def count_changes(versions: Versions, tmp: Path, *steps: str, cold: bool = False) -> int:
    """File changes of a whole build of ``steps[-1]``, on a copy built through ``steps`` from the current state."""
    scratch = tmp / "scratch"
    shutil.copytree(versions.site, scratch / "site", symlinks=True)
    shutil.copytree(versions.store, scratch / "store")
    copy = Versions(scratch / "site", scratch / "store", versions.expected, [])
    for n, version in enumerate(steps):
        if cold and n == len(steps) - 1:
            shutil.rmtree(copy.site / "output")
        if version != current(copy):
            copy.switch(version)
        done = crash.run(copy.site, 0, tmp)
        assert done.returncode == 0, done.stderr
        assert snapshot(copy.site / "output") == versions.expected[version]
    shutil.rmtree(scratch)
    return done.changes


def current(versions: Versions) -> str:
    return "B" if (versions.store / "A").exists() else "A"


def repair(versions: Versions, version: str) -> None:
    assert main(["-q", "build", "--site", str(versions.site)]) == 0
    assert snapshot(versions.site / "output") == versions.expected[version]
    assert leftovers(versions.site) == []


def test_incremental_build_killed_anywhere_is_repaired(versions: Versions, tmp_path: Path) -> None:
    started = time.perf_counter()
    state = current(versions)
    repair(versions, state)  # a complete build of the version in place
    other = "B" if state == "A" else "A"
    totals = {other: count_changes(versions, tmp_path, other), state: count_changes(versions, tmp_path, other, state)}
    points = []
    for n in range(POINTS + 4):
        target = "B" if state == "A" else "A"
        point = spread(totals[target], POINTS)[n]  # the same share of the way, whichever the direction
        points.append(point)
        versions.switch(target)
        killed = crash.run(versions.site, point, tmp_path)
        assert killed.returncode == KILLED, (point, killed.returncode, killed.stderr)
        if n % 2:  # the author reverts after the crash, and that build is killed too
            versions.switch(state)
            again = crash.run(versions.site, max(1, point // 2), tmp_path)
            assert again.returncode == KILLED, (point // 2, again.returncode, again.stderr)
        else:
            state = target
        repair(versions, state)
    versions.figures.append(f"incremental: {len(points)} builds killed at file changes {points} of {totals} "
                            f"and repaired in {time.perf_counter() - started:.1f}s")


def test_cold_build_killed_anywhere_is_repaired(versions: Versions, tmp_path: Path) -> None:
    started = time.perf_counter()
    state = current(versions)
    repair(versions, state)
    other = "B" if state == "A" else "A"
    totals = {other: count_changes(versions, tmp_path, other, cold=True),
              state: count_changes(versions, tmp_path, other, state, cold=True)}
    points = []
    for n in range(POINTS + 4):
        target = "B" if state == "A" else "A"
        point = spread(totals[target], POINTS)[n]
        points.append(point)
        shutil.rmtree(versions.site / "output")  # output/ deleted; the manifest of the last build stays
        versions.switch(target)
        killed = crash.run(versions.site, point, tmp_path)
        assert killed.returncode == KILLED, (point, killed.returncode, killed.stderr)
        if n % 2:
            versions.switch(state)
        else:
            state = target
        repair(versions, state)
    versions.figures.append(f"cold: {len(points)} builds killed at file changes {points} of {totals} "
                            f"and repaired in {time.perf_counter() - started:.1f}s")


def test_a_second_build_fails_at_once_while_one_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = copy_minimal(tmp_path / "site")
    assert main(["-q", "build", "--site", str(site)]) == 0
    path = site / "content" / "issuers" / "acme.json"
    path.write_text(path.read_text().replace("A test issuer.", "A changed issuer."))
    scratch = copy_minimal(tmp_path / "scratch")
    shutil.copytree(site / "output", scratch / "output")
    shutil.copytree(site / ".cache", scratch / ".cache")
    shutil.copyfile(path, scratch / "content" / "issuers" / "acme.json")
    last = crash.run(scratch, 0, tmp_path).changes
    running = crash.frozen(site, last, tmp_path)  # stopped at its last file change: well inside the build
    try:
        capsys.readouterr()
        started = time.monotonic()
        assert main(["build", "--site", str(site)]) == 1
        assert time.monotonic() - started < 2
        assert capsys.readouterr().err == (
            f"error: another badgesite build is running on this site (pid {running.pid})\n")
    finally:
        os.killpg(running.pid, signal.SIGKILL)
        running.wait()
    assert main(["-q", "build", "--site", str(site)]) == 0  # the lock went with its holder
    assert "A changed issuer." in (site / "output" / "issuers" / "acme.html").read_text()
