"""Rosters for ``issue --csv``: random CSV bytes, headers, encodings and formula-like cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.admin.roster import EMAIL, FORMULA_START
from tests.fuzz.harness import (
    NO_EXPLAIN,
    RECIPIENT_EMAILS,
    assert_clean,
    assert_names,
    assert_no_leak,
    check_command,
    fresh_site,
    run_cli,
)
from tests.fuzz.values import texts

COLUMNS = ("name", "email", "evidence", "narrative", "Name", " EMAIL ", "\ufeffname", "extra", "", "e-mail", "name")
FORMULAS = ('=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
            "=cmd|' /C calc'!A0",
            "'=1", "＝1")
EMAILS = ("bob@example.org", "Carol.Smith@Example.ORG", " dave@example.org ", "erin+tag@sub.example.co.uk",
          "=frank@example.org", "-grace@example.org", "@heidi@example.org", "ivan@example", "x@y",
          "judy@example.org\x00", "mallory@exa mple.org", "a@b.c,d@e.f", "é@ü.de", "", *RECIPIENT_EMAILS)
NAMES = ("Bob Builder", "Ada <Lovelace>", "  ", "<script>alert(1)</script>", "O'Brien, Jr.", "名前", "\u202egnp.exe",
         "bob@example.org", "x" * 300, *FORMULAS)
EVIDENCE = ("", "https://example.org/evidence", "javascript:alert(1)", "http://", "ftp://example.org/x",
            "https://example.org/\x00", "not a url", "https://example.org/" + "a" * 3000, *FORMULAS)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252", "utf-32")

cells = st.one_of(texts, st.sampled_from(FORMULAS))
rows = st.fixed_dictionaries({"name": st.sampled_from(NAMES) | cells, "email": st.sampled_from(EMAILS) | cells,
                              "evidence": st.sampled_from(EVIDENCE) | cells, "narrative": cells})


@st.composite
def rosters(draw: st.DrawFn) -> tuple[bytes, tuple[str, ...]]:
    """(the file's bytes, every cell in it); half of them plausible, so some issues succeed."""
    if draw(st.booleans()):
        return draw(plausible_rosters())
    header = draw(st.one_of(st.just(["name", "email"]), st.just(["name", "email", "evidence", "narrative"]),
                            st.lists(st.sampled_from(COLUMNS) | texts, max_size=5)))
    body = draw(st.lists(rows, max_size=6))
    table = [header] + [[r.get(c.strip().lower(), draw(cells)) for c in header] for r in body]
    if draw(st.booleans()):  # ragged rows: too many or too few cells
        table = [row + draw(st.lists(cells, max_size=2)) for row in table]
    out = io.StringIO()
    csv.writer(out, delimiter=draw(st.sampled_from(",,,;\t|")),
               quoting=draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC))),
               lineterminator=draw(st.sampled_from(("\r\n", "\n", "\r")))).writerows(table)
    text = out.getvalue()
    if draw(st.booleans()):  # unbalanced quotes, NULs, a huge field
        where = draw(st.integers(0, len(text)))
        text = text[:where] + draw(st.sampled_from(('"', '""', "\x00", "\n", "a" * 200_000, ",,,"))) + text[where:]
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.integers(0, 4)) == 0:
        where = draw(st.integers(0, len(data)))
        data = data[:where] + draw(st.binary(min_size=1, max_size=6)) + data[where:]
    return data, tuple(c for row in table for c in row)


GOOD_NAMES = ("Bob Builder", "O'Brien, Jr.", "名前", "Ada <Lovelace>", "<script>alert(1)</script>", *FORMULAS[:7])
GOOD_EMAILS = EMAILS[:6] + RECIPIENT_EMAILS
good_rows = st.tuples(st.sampled_from(GOOD_NAMES) | st.text(min_size=1, max_size=20),
                      st.sampled_from(GOOD_EMAILS), st.sampled_from(EVIDENCE[:2]), cells)


@st.composite
def plausible_rosters(draw: st.DrawFn) -> tuple[bytes, tuple[str, ...]]:
    """A well-formed UTF-8 roster whose names, narratives and cells may look like formulas."""
    table = [["name", "email", "evidence", "narrative"]] + [list(r) for r in draw(st.lists(good_rows, max_size=4))]
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode(draw(st.sampled_from(("utf-8", "utf-8-sig"))), "replace"), \
        tuple(c for row in table for c in row)


DATES = st.none() | st.sampled_from(("2025-03-14", "2025-02-30", "1900-01-01", "0001-01-01", "9999-12-31", "2025-3-4",
                                      "today", "2025-03-14T10:00:00", "", "\x00")) | texts


@settings(phases=NO_EXPLAIN)
@given(case=rosters(), date=DATES)
def test_issue_roster(template: Path, case: tuple[bytes, tuple[str, ...]], date: str | None) -> None:
    data, table = case
    with fresh_site(template) as (site, scratch):
        roster = scratch / "roster.csv"
        roster.write_bytes(data)
        argv = ["issue", "--site", str(site), "tester", "--csv", str(roster)] + (["--date", date] if date else [])
        run = check_command(site, *argv)
        assert roster.read_bytes() == data, "issue changed its roster"
        assert_names(run, str(roster), "roster.csv", "--date")
        if run.code == 0:
            _issued_safely(site, tuple(c.strip().lower() for c in table if EMAIL.match(c.strip())))


@settings(phases=NO_EXPLAIN)
@given(row=rows, date=DATES, expires=DATES)
def test_issue_one(template: Path, row: dict[str, str], date: str | None, expires: str | None) -> None:
    """``issue --to EMAIL --name ... [--evidence --narrative --date --expires]``."""
    with fresh_site(template) as (site, _):
        argv = ["issue", "--site", str(site), "tester", "--to", row["email"], "--name", row["name"]]
        for option, value in (("--evidence", row["evidence"]), ("--narrative", row["narrative"]),
                              ("--date", date), ("--expires", expires)):
            argv += [option, value] if value else []
        if any("\x00" in a for a in argv):  # a command line cannot hold a NUL
            return
        run = check_command(site, *argv)
        assert_names(run, "--to", "--name", "--evidence", "--narrative", "--date", "--expires", "email", "name",
                     "evidence", "narrative", "date")
        if run.code == 0:
            _issued_safely(site, (row["email"].strip().lower(),))


def _issued_safely(site: Path, emails: tuple[str, ...]) -> None:
    """After a successful issue: no plaintext email in content/, formulas neutralised, the site checks."""
    emails = emails + RECIPIENT_EMAILS
    for path in (site / "content").rglob("*.json"):
        text = path.read_text(encoding="utf-8").lower()
        for email in emails:
            assert email not in text, f"{path} stores the plaintext email {email!r}"
    for merge in (site / "rosters").glob("*.csv"):
        for row in csv.reader(io.StringIO(merge.read_text(encoding="utf-8"), newline="")):
            for cell in row:
                assert not cell.startswith(FORMULA_START), f"{merge}: the cell {cell!r} is read as a formula"
    checked = run_cli("check", "--site", str(site))
    assert_clean(checked)
    assert checked.code == 0, f"issue wrote content that does not check:\n{checked.err[-2000:]}"
    built = run_cli("build", "--site", str(site))
    assert built.code == 0, built.err[-2000:]
    assert_no_leak(site / "output", emails)
