"""External tools the suite needs (Chromium, Node, the OB 2.0 validator venv).

On a developer machine a missing tool skips the test that needs it. When
``BADGESITE_REQUIRE_EXTERNAL=1`` (set by ``.ci/run``), or ``CI=true``, a missing
tool fails the test instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import os

import pytest


def strict() -> bool:
    return os.environ.get("BADGESITE_REQUIRE_EXTERNAL") == "1" or os.environ.get("CI") == "true"


def missing(what: str) -> None:
    """Skip (developer machine) or fail (CI) because ``what`` is not available."""
    message = f"{what} is not available"
    if strict():
        pytest.fail(message + " (required because CI/BADGESITE_REQUIRE_EXTERNAL is set)")
    pytest.skip(message)
