from __future__ import annotations

import pytest

# A fixed build time (2026-11-24T12:00Z): after every fixture's dates, before any expiry.
FIXED_EPOCH = "1795521600"


@pytest.fixture(autouse=True)
def _fixed_build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
