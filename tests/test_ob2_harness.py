"""Tests of the offline OB 2.0 validator harness (tests/support/ob2.py).

They run the real 1EdTech validator on a small hand-written hosted badge in
``tests/fixtures/ob2-handmade/site`` (published at ``BASE``), and on copies of it
tampered in ``tmp_path``. The asserted substrings are the validator's own
messages (badgecheck 1.2.0).
"""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import ob2
from tests.support.ob2 import error_messages, validate_ob2

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ob2-handmade" / "site"
BASE = "https://example.github.io/site/"
ASSERTION = BASE + "assertion.json"
EMAIL = "learner@example.org"

Edit = Callable[[dict[str, Any]], Any]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the hand-made site, safe to tamper with."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURE, target)
    return target


def edit_json(path: Path, change: Edit) -> None:
    """Apply ``change`` to the JSON document at ``path`` in place."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def only_error(result: dict[str, Any]) -> str:
    """The single ERROR message of a failed validation."""
    assert result["valid"] is False, result["messages"]
    errors = error_messages(result)
    assert result["errorCount"] == len(errors) == 1, errors
    return errors[0]


def bake_png(source: Path, target: Path, payload: str) -> None:
    """Write ``source`` with an uncompressed ``openbadges`` iTXt chunk before IEND."""
    data = source.read_bytes()
    text = b"openbadges\x00\x00\x00\x00\x00" + payload.encode("utf-8")
    chunk = struct.pack(">I", len(text)) + b"iTXt" + text
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + text) & 0xFFFFFFFF)
    iend = data.rindex(b"IEND") - 4  # the IEND chunk starts with its length field
    target.write_bytes(data[:iend] + chunk + data[iend:])


# --- the valid badge ---------------------------------------------------------------


def test_valid_hosted_assertion_passes_offline() -> None:
    result = validate_ob2(FIXTURE, BASE, ASSERTION)
    assert result["valid"] is True, result["messages"]
    assert result["errorCount"] == 0
    assert result["report"]["report"]["openBadgesVersion"] == "2.0"
    types = {node.get("type") for node in result["report"]["graph"]}
    assert {"Assertion", "BadgeClass", "Profile"} <= types
    # Everything came from the local site and the packaged context, nothing refused.
    assert all(line.startswith("200 ") for line in result["fetched"]), result["fetched"]
    assert "200 https://w3id.org/openbadges/v2" in result["fetched"]
    assert f"200 {BASE}badge.png" in result["fetched"]


def test_valid_with_the_right_recipient_email() -> None:
    result = validate_ob2(FIXTURE, BASE, ASSERTION, recipient=EMAIL)
    assert result["valid"] is True, result["messages"]
    assert result["errorCount"] == 0
    assert result["report"]["report"]["recipientProfile"] == {"email": EMAIL}


def test_input_can_be_a_json_file() -> None:
    result = validate_ob2(FIXTURE, BASE, FIXTURE / "assertion.json", recipient=EMAIL)
    assert result["valid"] is True, result["messages"]


def test_input_can_be_a_baked_png(tmp_path: Path) -> None:
    baked = tmp_path / "baked.png"
    bake_png(FIXTURE / "badge.png", baked, ASSERTION)
    result = validate_ob2(FIXTURE, BASE, baked, recipient=EMAIL)
    assert result["valid"] is True, result["messages"]
    assert result["report"]["report"]["validationSubject"] == ASSERTION


# --- failures the validator must report ----------------------------------------------


def test_wrong_recipient_email_fails() -> None:
    result = validate_ob2(FIXTURE, BASE, ASSERTION, recipient="someone-else@example.org")
    message = only_error(result)
    assert "did not match assertion" in message
    assert "recipient hash" in message


def test_tampered_identity_hash_fails_for_the_real_recipient(site: Path) -> None:
    def tamper(data: dict[str, Any]) -> None:
        data["recipient"]["identity"] = "sha256$" + "0" * 64

    edit_json(site / "assertion.json", tamper)
    message = only_error(validate_ob2(site, BASE, ASSERTION, recipient=EMAIL))
    assert "did not match assertion" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"issuedOn": "2999-01-01T00:00:00+00:00"}, "in the future"),
        ({"expires": "2024-06-01T00:00:00+00:00"}, "expired on 2024-06-01T00:00:00+00:00"),
        ({"expires": "2023-06-01T00:00:00+00:00"}, "expiration is prior to issue date"),
    ],
    ids=["future-issuedOn", "expired", "expires-before-issuedOn"],
)
def test_timestamp_problems_fail(site: Path, change: dict[str, str], expected: str) -> None:
    edit_json(site / "assertion.json", lambda data: data.update(change))
    message = only_error(validate_ob2(site, BASE, ASSERTION))
    assert expected in message


@pytest.mark.parametrize(
    "other_base",
    ["https://other.example.net/site/", "https://example.github.io/other-project/"],
    ids=["other-origin", "same-origin-other-project"],
)
def test_assertion_outside_issuer_starts_with_fails(site: Path, other_base: str) -> None:
    moved = other_base + "assertion.json"
    edit_json(site / "assertion.json", lambda data: data.update(id=moved))
    result = validate_ob2(site, BASE, moved, extra_origins={other_base: site})
    message = only_error(result)
    assert "does not start with any permitted values" in message
    assert f"200 {moved}" in result["fetched"]


def test_bare_revocation_body_fails_only_for_missing_properties(site: Path) -> None:
    """A served ``revoked: true`` body fails, but for its missing required properties."""
    body = {
        "@context": "https://w3id.org/openbadges/v2",
        "id": ASSERTION,
        "type": "Assertion",
        "revoked": True,
        "revocationReason": "Issued in error",
    }
    (site / "assertion.json").write_text(json.dumps(body), encoding="utf-8")
    result = validate_ob2(site, BASE, ASSERTION)
    assert result["valid"] is False
    assert any("Required property recipient not present" in m for m in error_messages(result))
    assert not any("revoked" in m.lower() for m in error_messages(result))


def test_validator_ignores_revoked_flag_on_a_full_hosted_assertion(site: Path) -> None:
    """Pins the known quirk: revocation of hosted badges must be checked by us."""
    edit_json(site / "assertion.json", lambda data: data.update(revoked=True))
    assert validate_ob2(site, BASE, ASSERTION)["valid"] is True


# --- the offline transport -------------------------------------------------------------


def test_missing_file_is_a_404(site: Path) -> None:
    result = validate_ob2(site, BASE, BASE + "nope.json")
    assert result["valid"] is False
    assert f"404 {BASE}nope.json" in result["fetched"]


def test_missing_badge_image_fails(site: Path) -> None:
    (site / "badge.png").unlink()
    message = only_error(validate_ob2(site, BASE, ASSERTION))
    assert f"Could not fetch image at {BASE}badge.png" in message


def test_urls_outside_the_site_are_refused(site: Path) -> None:
    elsewhere = "https://example.org/badges/"
    edit_json(site / "badge.json", lambda data: data.update(image=elsewhere + "badge.png"))
    result = validate_ob2(site, BASE, ASSERTION)
    assert f"REFUSED {elsewhere}badge.png" in result["fetched"]
    assert f"Could not fetch image at {elsewhere}badge.png" in only_error(result)


# --- the venv being absent ---------------------------------------------------------------


@pytest.mark.parametrize("strict", [False, True], ids=["developer", "ci"])
def test_missing_venv_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, strict: bool
) -> None:
    monkeypatch.setenv(ob2.VENV_ENV_VAR, str(tmp_path / "no-such-venv"))
    monkeypatch.delenv("BADGESITE_REQUIRE_EXTERNAL", raising=False)
    if strict:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    assert ob2.validator_python() is None
    outcome = pytest.fail.Exception if strict else pytest.skip.Exception
    with pytest.raises(outcome, match="OB 2.0 validator venv"):
        validate_ob2(FIXTURE, BASE, ASSERTION)
