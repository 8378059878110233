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


@pytest.mark.parametrize("extra, message", [
    (["--name", "c@x.org"], "error: the name contains an email address, which would be published: recipient emails "
                            "are only ever stored hashed\n"),
    (["--name", "C", "--evidence", "javascript:alert(1)"], "error: evidence must be an http(s) URL, got "
                                                             "'javascript:alert(1)'\n"),
    (["--name", "C", "--narrative", "Mail me: c@x.org"], "error: the narrative contains an email address, which "
                                                          "would be published: recipient emails are only ever "
                                                          "stored hashed\n"),
])
def test_issue_refuses_before_writing(site: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                                      message: str) -> None:
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    capsys.readouterr()
    assert main(["issue", "--site", str(site), "tester", "--to", "c@x.org", *extra]) == 1
    assert capsys.readouterr().err == message
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert main(["-q", "build", "--site", str(site)]) == 0  # the site still builds


def test_sign_fails_when_badges_could_not_be_signed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["sign", "--site", str(site)]) == 1
    assert capsys.readouterr().err == ("acme: no key, so its badges have no Open Badges 3.0 credential "
                                       "(run `badgesite keys new acme`)\n")


def test_issue_says_when_no_key_signs(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["issue", "--site", str(site), "tester", "--to", "new@x.org", "--name", "New Person"]) == 0
    assert "warning: acme has no signing key, so its badges have no Open Badges 3.0 credential (only 2.0): " \
           "run `badgesite keys new acme`" in capsys.readouterr().err


def test_revoke_asks_and_needs_yes_without_a_terminal(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["revoke", "--site", str(site), UID, "--reason", "Mistake"]) == 2
    assert capsys.readouterr().err == f"error: Revoking {UID} cannot be undone: add --yes to confirm\n"
    assert "revoked" not in json.loads((site / f"content/assertions/{UID}.json").read_text())


def test_list_filters(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["list", "--json", "--site", str(site), "--earner", "ada-lovelace"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["achievement"], r["status"]) for r in rows] == [(UID, "tester", "valid")]
    assert main(["list", "--json", "--site", str(site), "--status", "revoked"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_global_option_after_the_command(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["build", "-q", "--site", str(site)]) == 0
    assert capsys.readouterr().out.startswith("Built 1 assertion (")


def test_output_piped_into_head_is_no_traceback(site: Path) -> None:
    import subprocess
    import sys
    for n in range(40):  # enough rows that the pipe closes while badgesite still writes
        assert main(["-q", "issue", "--site", str(site), "tester", "--to", f"p{n}@x.org", "--name", f"P {n}"]) == 0
    done = subprocess.run(f"'{sys.executable}' -m site_builder list --json --site '{site}' | head -c 10",
                          shell=True, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
