"""Benchmarks: build and issue at scale, and print the figures.

    python bench/bench.py [--assertions 10000] [--keep DIR] [--only ob2|ob3]

ob2: a generated site of N assertions (Open Badges 2.0 only): cold build, no-change
     rebuild and one-file change, each through `badgesite build` in a fresh process.
ob3: a new site with a signing key; `badgesite issue --csv` of an N-row roster (issue and
     sign); cold build of both formats (verifying every committed proof); no-change
     rebuild from the CLI; one changed assertion rebuilt in a warm process (as `serve`
     does); our signing latency (one core) and throughput (all cores) against Digital
     Bazaar's `vc.issue` in one Node process (when tests/node is installed).
Bytes per assertion exclude what all assertions of an achievement share (badge images,
theme assets, site-wide pages).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_PREFIXES = ("assets/", "achievements/", "issuers/", "index.html", "404.html", "sitemap.xml",
                   ".nojekyll", "earners/index.html", "status/")


def generate(site: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (site / "badges").mkdir(parents=True)
    art = (REPO / "site_builder" / "admin" / "scaffold" / "first-badge.svg").read_text()
    for n in range(8):  # eight achievements, each with its own (recoloured) image
        (site / "badges" / f"badge-{n}.svg").write_text(art.replace("#2f6fc0", f"#{n * 30 + 20:02x}6fc0"))
    (site / "site.toml").write_text(
        'title = "Bench"\nbase_url = "https://bench.example.github.io/site/"\n'
        'timezone = "America/Los_Angeles"\n')
    content = site / "content"
    for kind in ("issuers", "achievements", "earners", "assertions"):
        (content / kind).mkdir(parents=True)
    (content / "issuers" / "bench.json").write_text(json.dumps({
        "name": "Bench County Office of Education", "url": "https://bench.example.org/",
        "email": "badges@bench.example.org"}))
    images = sorted(p.name for p in (site / "badges").glob("*.svg"))
    achievements = []
    for n, image in enumerate(images):
        slug = f"badge-{n}"
        achievements.append(slug)
        (content / "achievements" / f"{slug}.json").write_text(json.dumps({
            "name": f"Micro-credential {n}", "description": "A generated achievement for the benchmark.",
            "image": image, "issuer": "../issuers/bench.json",
            "criteria": {"narrative": "Complete **all** of:\n\n1. a lesson plan\n2. a reflection"},
            "alignment": [{"targetName": "Designer", "targetUrl": "https://iste.org/standards/educators",
                           "targetFramework": "ISTE Standards for Educators", "targetCode": "2.5.a"}]}))
    earners = max(1, count // 3)
    for n in range(earners):
        (content / "earners" / f"earner-{n}.json").write_text(json.dumps({"name": f"Earner Number {n}"}))
    for n in range(count):
        salt = f"{rng.getrandbits(128):032x}"
        email = f"earner{n % earners}@example.org"
        (content / "assertions" / f"{rng.getrandbits(128):032x}.json").write_text(json.dumps({
            "badge": f"../achievements/{achievements[n % len(achievements)]}.json",
            "earner": f"../earners/earner-{n % earners}.json",
            "recipient": {"type": "email", "hashed": True, "salt": salt,
                          "identity": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()},
            "issuedOn": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "narrative": "Showed *excellent* work with students.",
            "evidence": [{"id": f"https://example.org/evidence/{n}", "name": "Portfolio"}]}))


PEAKS: dict[str, float] = {}  # phase -> peak resident memory of its process, MB


def cli(*args: str, phase: str = "") -> float:
    """Run one badgesite command in a fresh process; record its peak memory under ``phase``."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "-q", *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, args)
    if phase:
        PEAKS[phase] = usage.ru_maxrss / 1024  # KiB on Linux
    return time.perf_counter() - started


def timed_build(site: Path, phase: str = "") -> float:
    return cli("build", "--site", str(site), phase=phase)


def per_assertion_bytes(output: Path, count: int) -> float:
    total = 0
    for path in output.rglob("*"):
        rel = path.relative_to(output).as_posix()
        if path.is_file() and not rel.startswith(SHARED_PREFIXES):
            total += path.stat().st_size
    return total / count


def bench_ob2(n: int, site: Path) -> None:
    started = time.perf_counter()
    generate(site, n)
    print(f"[ob2] generated {n:,} assertions in {time.perf_counter() - started:.1f}s ({site})")
    cold = timed_build(site, "ob2 cold build")
    print(f"[ob2] cold build:        {cold:7.2f} s  {n / cold:9.0f} assertions/s")
    again = timed_build(site)
    print(f"[ob2] no-change rebuild: {again:7.2f} s  {n / again:9.0f} assertions/s")
    one = sorted((site / "content" / "assertions").glob("*.json"))[n // 2]
    doc = json.loads(one.read_text())
    doc["narrative"] = "Changed for the benchmark."
    one.write_text(json.dumps(doc))
    changed = timed_build(site)
    print(f"[ob2] one-file change:   {changed:7.2f} s")
    report_size("ob2", site / "output", n)


def report_size(tag: str, output: Path, n: int) -> None:
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    print(f"[{tag}] output: {size / 1e6:.1f} MB in all, {per_assertion_bytes(output, n) / 1024:.1f} KB per "
          "assertion (budget 40 KB)")


def bench_ob3(n: int, site: Path) -> None:
    from site_builder.config import load_config
    from site_builder.serve import ServeState, preview_config, rebuild

    cli("new", str(site), "--base-url", "https://bench.example.github.io/site/")
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    cli("keys", "new", "--site", str(site), "my-organisation")
    roster = site.parent / "roster.csv"
    roster.write_text("name,email,evidence\n" + "".join(
        f"Earner {i},earner{i}@example.org,https://example.org/evidence/{i}\n" for i in range(n)))
    issued = cli("issue", "--site", str(site), "first-badge", "--csv", str(roster), phase="issue + sign")
    print(f"[ob3] issue + sign {n:,} from a roster: {issued:7.2f} s  {n / issued:7.0f} credentials/s (target <= 30 s)")
    cold = cli("build", "--site", str(site), phase="cold build")
    print(f"[ob3] cold build, both formats, every proof verified: {cold:7.2f} s")
    again = cli("build", "--site", str(site), phase="no-change rebuild")
    print(f"[ob3] no-change rebuild (CLI): {again:7.2f} s")
    base_url = "http://127.0.0.1:8000/"
    state = ServeState(preview_config(site, base_url).path("output"))  # what `badgesite serve` keeps
    started = time.perf_counter()
    rebuild(site, base_url, state)
    print(f"[ob3] serve: first preview build: {time.perf_counter() - started:7.2f} s")
    one = sorted((site / "content" / "assertions").glob("*.json"))[n // 2]
    doc = json.loads(one.read_text())
    doc["narrative"] = "Changed in the warm process."
    one.write_text(json.dumps(doc, indent=2) + "\n")
    cli("sign", "--site", str(site))  # the change is signed where the key is (issue-time)
    started = time.perf_counter()
    rebuild(site, base_url, state)
    assert not state.error, state.error
    print(f"[ob3] one changed assertion through serve (warm rebuild): {time.perf_counter() - started:7.2f} s")
    other = sorted((site / "content" / "assertions").glob("*.json"))[n // 3]
    doc = json.loads(other.read_text())
    doc["narrative"] = "Changed again in the warm process."
    other.write_text(json.dumps(doc, indent=2) + "\n")
    cli("sign", "--site", str(site))
    started = time.perf_counter()
    rebuild(site, base_url, state)
    assert not state.error, state.error
    print(f"[ob3] a second changed assertion through serve: {time.perf_counter() - started:7.2f} s")
    PEAKS["serve (warm process)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del load_config
    report_size("ob3", site / "output", n)
    signing_figures(site)


def signing_figures(site: Path) -> None:
    from site_builder.admin.signing import _sign_all, signing_key
    from site_builder.config import load_config
    from site_builder.validate import load_site

    config = load_config(site)
    issuer = load_site(config, __import__("datetime").datetime.now(config.zone)).issuers["my-organisation"]
    key = signing_key(config, issuer)
    credential = json.loads(next((site / "content" / "credentials").glob("*.json")).read_text())
    credential.pop("proof")
    from site_builder.crypto import proof

    proof.sign(credential, key, "2026-01-01T00:00:00Z")
    count = 200
    started = time.perf_counter()
    for _ in range(count):
        proof.sign(credential, key, "2026-01-01T00:00:00Z")
    latency = (time.perf_counter() - started) / count
    batch = [(str(i), dict(credential, id=f"{credential['id']}#{i}")) for i in range(2000)]
    started = time.perf_counter()
    _sign_all(key, batch, "2026-01-01T00:00:00Z")
    throughput = len(batch) / (time.perf_counter() - started)
    print(f"[ob3] ours: {latency * 1000:.2f} ms per credential on one core; {throughput:.0f} credentials/s "
          "on all cores")
    node = REPO / "tests" / "node"
    if not (node / "node_modules").is_dir() or not shutil.which("node"):
        print("[ob3] Digital Bazaar vc.issue: not measured (run `npm ci --prefix tests/node`)")
        return
    generated = subprocess.run(["node", str(node / "issue.mjs"), "--generate-key", issuer.did],
                               capture_output=True, text=True, check=True)
    request = json.dumps({"credential": credential, "key": json.loads(generated.stdout), "n": 300})
    done = subprocess.run(["node", str(node / "issue.mjs"), "--bench", "300"], input=request,
                          capture_output=True, text=True, check=True)
    js = json.loads(done.stdout)
    js_rate = 1000 / js["per_credential_ms"]
    print(f"[ob3] Digital Bazaar vc.issue: {js['per_credential_ms']:.2f} ms per credential in one Node process "
          f"({js_rate:.0f}/s); our all-core throughput is {throughput / js_rate:.2f}x (target >= 1.5x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assertions", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp folder)")
    parser.add_argument("--only", choices=("ob2", "ob3"))
    args = parser.parse_args()
    # Inside the repository by default: on some machines /tmp creates files 15x slower.
    (REPO / ".bench").mkdir(exist_ok=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="run-", dir=REPO / ".bench"))
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    if args.only in (None, "ob2"):
        bench_ob2(args.assertions, root / "ob2")
    if args.only in (None, "ob3"):
        bench_ob3(args.assertions, root / "ob3")
    for phase, peak in PEAKS.items():
        print(f"peak memory, {phase}: {peak:,.0f} MB")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
