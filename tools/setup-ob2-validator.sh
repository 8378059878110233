#!/usr/bin/env bash
# Create the separate virtualenv that runs the 1EdTech Open Badges 2.0 validator
# (PyPI "badgecheck" 1.2.0, import name `openbadges`) for the test suite.
#
# Usage: tools/setup-ob2-validator.sh [VENV_DIR]     (default: <repo>/.venv-ob2)
#
# badgecheck 1.2.0 does not install on Python 3.11 as published, so it and
# openbadges-bakery 2.0.0 go in with --no-deps on top of the pin set in
# tools/ob2-validator-requirements.txt. `cryptography` must never be in this venv
# (python-jose would switch to a backend the validator does not work with).
# Idempotent: a stamp file holding a hash of the pins and this script makes a
# second run return at once.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
venv="${1:-$repo/.venv-ob2}"
pins="$here/ob2-validator-requirements.txt"
python="${PYTHON:-python3}"
stamp="$venv/.badgesite-ob2-stamp"

want="$(cat "$pins" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
    && "$venv/bin/python" -c "import openbadges.verifier, openbadges_bakery" 2>/dev/null; then
    echo "ob2 validator venv already set up: $venv"
    exit 0
fi

start=$SECONDS
if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating virtualenv $venv"
    "$python" -m venv "$venv"
else
    echo "reusing virtualenv $venv"
fi
vpy="$venv/bin/python"
pipq=(-m pip install --quiet --disable-pip-version-check --no-input)

echo "installing pins from $pins"
"$vpy" "${pipq[@]}" -r "$pins"
echo "installing badgecheck==1.2.0 and openbadges-bakery==2.0.0 (--no-deps)"
"$vpy" "${pipq[@]}" --no-deps "badgecheck==1.2.0" "openbadges-bakery==2.0.0"

if "$vpy" -c "import cryptography" 2>/dev/null; then
    echo "error: 'cryptography' is installed in $venv; it must not be" >&2
    exit 1
fi
"$vpy" -c "import openbadges.verifier, openbadges_bakery, jose, requests_cache"
echo "$want" > "$stamp"
echo "ob2 validator venv ready: $venv ($((SECONDS - start)) s)"
