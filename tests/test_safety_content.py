"""Content that would leak or confuse: recipient emails in free text, slugs and ids that take others' URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.support.fixtures import copy_minimal

UID = "00000000000000000000000000000001"
EARNER = "content/earners/ada-lovelace.json"  # her hashed address is ada@example.org


def edit(site: Path, rel: str, **changes: object) -> None:
    path = site / rel
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data, indent=2))


def check(site: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", *flags, "--site", str(site)])
    return code, capsys.readouterr().err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "site")


def test_a_recipients_address_in_free_text_is_an_error(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(site, EARNER, bio="Write to Ada@Example.org any time.")
    code, err = check(site, capsys)
    assert code == 1
    assert err == ("error: 1 error in content:\n  content/earners/ada-lovelace.json:3:10 /bio: this is the email "
                   "address of a recipient: remove it (recipient emails are never published)\n")


@pytest.mark.parametrize("rel, field, value, pointer", [
    (EARNER, "name", "grace@navy.example.mil", "/name"),
    (f"content/assertions/{UID}.json", "narrative", "[mail](mailto:someone@example.net)", "/narrative"),
    (f"content/assertions/{UID}.json", "evidence", [{"id": "https://e.example/x?who=bob%40x.org&for=bob@x.org"}],
     "/evidence/0/id"),
])
def test_anything_like_an_email_in_published_text_warns(site: Path, capsys: pytest.CaptureFixture[str], rel: str,
                                                        field: str, value: object, pointer: str) -> None:
    edit(site, rel, **{field: value})
    code, err = check(site, capsys)
    assert code == 0
    assert f"{rel}:" in err and f" {pointer}: this looks like an email address and would be published" in err, err
    code, err = check(site, capsys, "--strict")
    assert code == 1 and f" {pointer}: this looks like an email address" in err


def test_the_issuers_contact_email_is_public_by_design(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = check(site, capsys)
    assert code == 0 and "looks like an email" not in err


def test_an_earner_slug_cannot_take_the_earners_index(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "content/earners/index.json").write_text(json.dumps({"name": "Index"}))
    code, err = check(site, capsys)
    assert code == 1
    assert err == ("error: 1 error in content:\n  content/earners/index.json: the slug 'index' is taken by the "
                   "site's own page earners/index/: rename the file\n")


def test_related_cannot_claim_this_sites_urls(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(site, "content/achievements/tester.json", related=["https://acme.example.org/badges/issuers/acme.json"])
    config = (site / "site.toml").read_text()
    base = next(line.split('"')[1] for line in config.splitlines() if line.startswith("base_url"))
    edit(site, "content/achievements/tester.json", related=[f"{base}achievements/other.json"])
    code, err = check(site, capsys)
    assert code == 1
    assert "content/achievements/tester.json:" in err and f"/related/0: related id '{base}achievements/other.json' " \
           "is a URL of this site: 'related' names the object's ids on other platforms" in err


def test_key_names_cannot_leave_the_keys_folder(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(site, "content/issuers/acme.json", did="did:web:x.example:issuers:acme",
         keys=[{"name": "../../../planted", "publicKeyMultibase": "z6Mk"}])
    code, err = check(site, capsys)
    assert code == 1
    assert "content/issuers/acme.json:" in err and \
        "/keys/0/name: a key name must be a slug like 'key-1', got '../../../planted'" in err
