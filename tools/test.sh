#!/usr/bin/env bash
# Install everything the test suite needs, then run it. Used by the README and by .ci/run.
#   - .venv:      badgesite with its test extras (pytest, playwright, ruff)
#   - .venv-ob2:  the 1EdTech OB 2.0 validator, isolated (tools/setup-ob2-validator.sh)
#   - Chromium:   Debian's package, for the browser tests (apt-get, when missing and root)
#   - tests/node: npm ci of the Digital Bazaar / DCC verifier libraries
# Extra arguments go to pytest.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

bash tools/setup-ob2-validator.sh "$repo/.venv-ob2"

# Digital Bazaar / DCC libraries: the independent Open Badges 3.0 verifier (committed lockfile).
if command -v npm >/dev/null 2>&1; then
    npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
else
    echo "npm is missing: Open Badges 3.0 cross-verification tests will skip"
fi

if ! command -v chromium >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]]; then
        echo "installing Debian chromium for the browser tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is missing: browser tests will skip (run as root, or: sudo apt-get install chromium)"
    fi
fi

.venv/bin/python -m ruff check site_builder tests bench
exec .venv/bin/python -m pytest "$@"
