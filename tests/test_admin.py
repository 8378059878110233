"""The admin commands through the CLI: new, issue, revoke, reissue, unpublish, bake, config."""

from __future__ import annotations

import csv
import json
import struct
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.crypto.recipients import hash_email
from tests.support.fixtures import MINIMAL, copy_minimal


def run(*args: str) -> int:
    return main(["-q", *args])


def assertions(site: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((site / "content/assertions").glob("*.json"))}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "site")


def test_new_site_builds_at_once(tmp_path: Path) -> None:
    target = tmp_path / "my-site"
    assert run("new", str(target), "--base-url", "https://user.github.io/my-site") == 0
    for name in ("site.toml", ".gitignore", ".github/workflows/pages.yml", "badges/first-badge.svg",
                 "content/issuers/my-organisation.json", "content/achievements/first-badge.json"):
        assert (target / name).is_file(), name
    assert {"output/", "keys/", "rosters/", "*.csv"} <= set((target / ".gitignore").read_text().split())
    workflow = (target / ".github/workflows/pages.yml").read_text()
    assert "actions/upload-pages-artifact" in workflow and "actions/deploy-pages" in workflow
    assert (target / "themes" / "custom").is_dir()
    assert run("build", "--site", str(target)) == 0
    issuer = json.loads((target / "output/issuers/my-organisation.json").read_text())
    assert issuer["verification"]["startsWith"] == "https://user.github.io/my-site/"
    assert run("new", str(target), "--base-url", "https://x.example/") == 2  # not empty


def test_issue_one_hashes_email_and_matches_earner_by_hash(site: Path) -> None:
    (site / "content/assertions" / ("0" * 31 + "1.json")).unlink()
    assert run("issue", "--site", str(site), "tester", "--to", "  Ada@Example.org ", "--name", "Someone Else",
               "--evidence", "https://example.org/e", "--narrative", "Did *well*.") == 0
    ((uid, doc),) = assertions(site).items()
    assert len(uid) == 32 and int(uid, 16) >= 0
    assert doc["earner"] == "../earners/ada-lovelace.json"  # matched by email hash, not by name
    assert doc["recipient"]["identity"] == hash_email("ada@example.org", doc["recipient"]["salt"])
    assert len(doc["recipient"]["salt"]) == 32
    text = "".join(p.read_text() for p in (site / "content").rglob("*.json"))
    assert "ada@example.org" not in text.lower()
    merge = list(csv.DictReader((site / "rosters/issued-tester.csv").open()))
    assert merge == [{"name": "Someone Else", "email": "ada@example.org",
                      "verification_url": f"https://example.github.io/minimal/assertions/{uid}.html",
                      "assertion_json": f"https://example.github.io/minimal/assertions/{uid}.json"}]
    assert run("build", "--site", str(site)) == 0


def test_roster_rerun_skips_issued_rows_and_creates_earners(site: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # Remove the fixture's assertion so Ada has none of this badge yet.
    (site / "content/assertions" / ("0" * 31 + "1.json")).unlink()
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,evidence\nAda Lovelace,ada@example.org,\n"
                      "Ada Lovelace,ada.other@example.org,https://example.org/x\n"
                      "Grace Hopper,GRACE@example.org,\n")
    assert run("issue", "--site", str(site), "tester", "--csv", str(roster)) == 0
    first = assertions(site)
    assert len(first) == 3
    earners = sorted(p.stem for p in (site / "content/earners").glob("*.json"))
    # Same name, different email -> a second earner (never matched by name).
    assert earners == ["ada-lovelace", "ada-lovelace-2", "grace-hopper"]
    capsys.readouterr()
    assert main(["issue", "--site", str(site), "tester", "--csv", str(roster)]) == 0
    assert assertions(site) == first
    assert capsys.readouterr().out.count("skipped (already issued)") == 3


def test_roster_errors_name_the_line(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("name,email\nGood,good@example.org\nBad,not-an-email\n")
    assert run("issue", "--site", str(site), "tester", "--csv", str(roster)) == 1
    assert capsys.readouterr().err == f"error: {roster}:3: each row needs a name and a valid email\n"
    assert len(assertions(site)) == 1


def test_revoke_is_final(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    uid = "0" * 31 + "1"
    assert run("revoke", "--yes", "--site", str(site), uid, "--reason", "Issued in error") == 0
    assert assertions(site)[uid]["revoked"] is True
    assert run("revoke", "--yes", "--site", str(site), f"https://example.github.io/minimal/assertions/{uid}.html",
               "--reason", "again") == 1
    assert capsys.readouterr().err == f"error: {uid} is already revoked (revocation is final)\n"


def test_reissue_replaces_and_revokes(site: Path) -> None:
    uid = "0" * 31 + "1"
    assert run("reissue", "--site", str(site), uid, "--name", "Ada Lovelace") == 0
    docs = assertions(site)
    (new_uid,) = set(docs) - {uid}
    assert docs[uid]["revoked"] is True
    assert docs[new_uid]["replaces"] == f"../assertions/{uid}.json"
    assert docs[new_uid]["issuedOn"] == docs[uid]["issuedOn"]  # the award date stays
    assert json.loads((site / "content/earners/ada-lovelace.json").read_text())["name"] == "Ada Lovelace"
    assert run("build", "--site", str(site)) == 0
    old_page = (site / f"output/assertions/{uid}.html").read_text()
    assert f"assertions/{new_uid}.html" in old_page and "REVOKED" in old_page


def test_unpublish_leaves_a_404(site: Path) -> None:
    uid = "0" * 31 + "1"
    assert run("build", "--site", str(site)) == 0
    assert run("unpublish", "--yes", "--site", str(site), uid) == 0
    assert run("build", "--site", str(site)) == 0
    assert not list((site / "output").rglob(f"{uid}*"))
    assert uid not in (site / "output/achievements/tester.html").read_text()


def test_bake_svg_embeds_hosted_json(site: Path, tmp_path: Path) -> None:
    uid = "0" * 31 + "1"
    out = tmp_path / "baked.svg"
    assert run("build", "--site", str(site)) == 0
    assert run("bake", "--site", str(site), uid, "-o", str(out)) == 0
    data = out.read_text()
    assert data.index("<svg") < 256 and data.count("<openbadges:assertion") == 1
    body = data.split("<![CDATA[", 1)[1].split("]]>", 1)[0]
    assert json.loads(body) == json.loads((site / f"output/assertions/{uid}.json").read_text())


def test_bake_png_adds_one_uncompressed_itxt(site: Path, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGBA", (64, 64), (20, 90, 200, 255)).save(site / "badges/tester.png")
    path = site / "content/achievements/tester.json"
    path.write_text(path.read_text().replace("tester.svg", "tester.png"))
    uid = "0" * 31 + "1"
    out = tmp_path / "baked.png"
    assert run("bake", "--site", str(site), uid, "-o", str(out)) == 0
    data = out.read_bytes()
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        chunks.append((data[at + 4:at + 8], data[at + 8:at + 8 + length]))
        at += 12 + length
    itxt = [c for kind, c in chunks if kind == b"iTXt"]
    assert len(itxt) == 1 and itxt[0].startswith(b"openbadges\0\0\0\0\0")
    assert json.loads(itxt[0][15:])["id"].endswith(f"/assertions/{uid}.json")
    Image.open(out).verify()


@pytest.mark.parametrize("toml, message", [
    ('title = "x"\nbase_url = "https://a.example/"\ncolour = "red"\n', "unknown key 'colour'"),
    ('title = "x"\n', "missing required key 'base_url'"),
    ('title = "x"\nbase_url = "ftp://a.example/"\n',
     "base_url must be an http(s) URL with a host, got 'ftp://a.example/'"),
    ('title = "x"\nbase_url = "https://a.example/"\ntimezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
    ('title = "x"\nbase_url = "https://a.example/"\nmax_image_bytes = "big"\n',
     "'max_image_bytes' must be an integer, got 'big'"),
    ('title = "x\n', "Illegal character"),
])
def test_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, message: str) -> None:
    (tmp_path / "site.toml").write_text(toml)
    assert run("check", "--site", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'site.toml'}") and message in err, err
    assert "Traceback" not in err


def test_debug_shows_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "check", "--site", str(tmp_path)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_readme_documents_every_config_key() -> None:
    from site_builder.config import documented_keys

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for key in documented_keys():
        assert f"| `{key}` |" in readme, key
    assert MINIMAL.is_dir()
