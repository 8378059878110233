#!/usr/bin/env bash
# The long fuzz run: tests/test_fuzz.py with the "long" Hypothesis profile (thousands of random
# examples per test, no deadline), then the figures: cases run per family and failures.
#   bash tools/fuzz.sh                 # 4000 examples per test
#   BADGESITE_FUZZ_EXAMPLES=500 bash tools/fuzz.sh
#   bash tools/fuzz.sh -k verify       # extra arguments go to pytest
set -uo pipefail
cd "$(dirname "$0")/.."
log=${BADGESITE_FUZZ_LOG:-.cache/fuzz-$(date +%Y%m%d-%H%M%S).log}
mkdir -p "$(dirname "$log")"
start=$(date +%s)
BADGESITE_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py -p no:cacheprovider -q \
    --hypothesis-show-statistics "$@" >"$log" 2>&1
status=$?
echo "fuzz run: $(( $(date +%s) - start )) s, pytest exit $status, log $log"
.venv/bin/python - "$log" <<'PY'
import re
import sys

FAMILIES = (("test_content_", "content"), ("test_config_", "config"), ("test_issue_", "roster"),
            ("test_png_", "images"), ("test_svg_", "images"), ("test_verify_", "verify"))
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
cases: dict[str, int] = {}
failing: dict[str, int] = {}
for block in re.split(r"\n(?=tests/test_fuzz\.py::)", text):
    head = re.match(r"tests/test_fuzz\.py::(\w+):", block)
    if not head:
        continue
    family = next((f for prefix, f in FAMILIES if head[1].startswith(prefix)), head[1])
    for passing, failed, _ in re.findall(r"(\d+) passing, (\d+) failing, and (\d+) invalid", block):
        cases[family] = cases.get(family, 0) + int(passing) + int(failed)
        failing[family] = failing.get(family, 0) + int(failed)
failed_tests = re.findall(r"^FAILED (\S+)", text, re.M)
print(f"{'family':<10}{'cases':>10}{'failing cases':>15}")
for family in sorted(cases):
    print(f"{family:<10}{cases[family]:>10}{failing[family]:>15}")
print(f"{'total':<10}{sum(cases.values()):>10}{sum(failing.values()):>15}")
print(f"failed tests: {len(failed_tests)}" + "".join(f"\n  {t}" for t in failed_tests))
PY
exit $status
