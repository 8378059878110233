"""Build a generated site of N assertions and print timings and output size.

    python bench/bench.py [--assertions 10000] [--keep DIR]

Prints, for a cold build, a no-change rebuild and a one-assertion change (each through the
`badgesite build` command in a fresh process): seconds, assertions per second, and the
output bytes per assertion (excluding what all assertions of an achievement share:
badge images, theme assets, site-wide pages).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_PREFIXES = ("assets/", "achievements/", "issuers/", "index.html", "404.html", "sitemap.xml",
                   ".nojekyll", "earners/index.html")


def generate(site: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (site / "badges").mkdir(parents=True)
    art = (REPO / "site_builder" / "scaffold" / "first-badge.svg").read_text()
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


def timed_build(site: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "site_builder", "-q", "build", "--site", str(site)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def per_assertion_bytes(output: Path, count: int) -> float:
    total = 0
    for path in output.rglob("*"):
        rel = path.relative_to(output).as_posix()
        if path.is_file() and not rel.startswith(SHARED_PREFIXES):
            total += path.stat().st_size
    return total / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assertions", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp folder)")
    args = parser.parse_args()
    site = args.keep or Path(tempfile.mkdtemp(prefix="badgesite-bench-")) / "site"
    if site.exists():
        shutil.rmtree(site)
    started = time.perf_counter()
    generate(site, args.assertions)
    print(f"generated {args.assertions:,} assertions in {time.perf_counter() - started:.1f}s ({site})")
    n = args.assertions
    cold = timed_build(site)
    print(f"cold build:        {cold:7.2f} s  {n / cold:9.0f} assertions/s")
    again = timed_build(site)
    print(f"no-change rebuild: {again:7.2f} s  {n / again:9.0f} assertions/s")
    one = sorted((site / "content" / "assertions").glob("*.json"))[n // 2]
    doc = json.loads(one.read_text())
    doc["narrative"] = "Changed for the benchmark."
    one.write_text(json.dumps(doc))
    changed = timed_build(site)
    print(f"one-file change:   {changed:7.2f} s")
    output = site / "output"
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    print(f"output: {size / 1e6:.1f} MB in all, {per_assertion_bytes(output, n) / 1024:.1f} KB per assertion "
          f"(budget 40 KB)")
    if not args.keep:
        shutil.rmtree(site.parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
