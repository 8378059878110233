#!/usr/bin/env bash
# Install everything the test suite needs, then run it. Used by the README and by .ci/run.
#   - .venv:      badgesite with its test extras (pytest, playwright, ruff)
#   - .venv-ob2:  the 1EdTech OB 2.0 validator, isolated (tools/setup-ob2-validator.sh)
#   - Chromium:   Debian's package, for the browser tests (apt-get, when missing and root), and locales
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

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)          # browser tests
[[ -e /usr/share/i18n/locales/de_DE ]] || missing+=(locales)   # locale data: the locale-independence test
if (( ${#missing[@]} )); then
    if [[ $(id -u) == 0 ]]; then
        echo "installing Debian ${missing[*]} for the tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "${missing[*]} missing: tests needing them will skip (run as root, or: sudo apt-get install ${missing[*]})"
    fi
fi

.venv/bin/python -m ruff check site_builder tests bench
exec .venv/bin/python -m pytest "$@"
