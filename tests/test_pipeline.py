"""Whole builds of the minimal site: determinism, incremental writes, safety properties."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.config import load_config
from site_builder.errors import OutputPathError
from site_builder.plan.outputs import Declared, Reads
from site_builder.plan.routes import plan
from site_builder.urls import checked as site_path
from tests.support.fixtures import MINIMAL, copy_minimal

UID = "00000000000000000000000000000001"


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "site")


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    a, b = copy_minimal(tmp_path / "a"), copy_minimal(tmp_path / "b")
    build(load_config(a))
    build(load_config(b))
    assert tree(a / "output") == tree(b / "output")
    assert len(tree(a / "output")) >= 15


def test_rebuild_skips_unchanged_and_matches_cold_build(site: Path, tmp_path: Path) -> None:
    first = build(load_config(site)).stats
    again = build(load_config(site)).stats
    assert again.written == 0 and again.skipped == first.written
    path = site / "content" / "assertions" / f"{UID}.json"
    doc = json.loads(path.read_text())
    doc["narrative"] = "Changed narrative."
    path.write_text(json.dumps(doc))
    changed = build(load_config(site)).stats
    # The assertion's JSON and page, its achievement and earner pages, and site-wide pages.
    assert 2 <= changed.written <= 9, changed
    cold = copy_minimal(tmp_path / "cold")
    shutil.copyfile(path, cold / "content" / "assertions" / f"{UID}.json")
    build(load_config(cold))
    assert tree(site / "output") == tree(cold / "output")


def test_removed_content_disappears_from_output(site: Path) -> None:
    build(load_config(site))
    assert (site / "output" / "assertions" / f"{UID}.html").exists()
    (site / "content" / "assertions" / f"{UID}.json").unlink()
    stats = build(load_config(site)).stats
    assert stats.removed == 2
    assert not (site / "output" / "assertions").exists()


def test_deleted_output_is_rebuilt_even_with_a_manifest(site: Path) -> None:
    build(load_config(site))
    shutil.rmtree(site / "output")
    build(load_config(site))
    assert (site / "output" / "index.html").is_file()


def test_no_recipient_email_or_identity_source_in_output(site: Path) -> None:
    build(load_config(site))
    for path in (site / "output").rglob("*"):
        if path.is_file():
            assert b"ada@example.org" not in path.read_bytes().lower(), path


def test_user_text_is_escaped_and_markdown_sanitised(site: Path) -> None:
    build(load_config(site))
    achievement = (site / "output" / "achievements" / "tester.html").read_text()
    assert "<script>alert(1)</script>" not in achievement
    assert "<strong>one</strong>" in achievement
    page = (site / "output" / "assertions" / f"{UID}.html").read_text()
    assert 'href="javascript:' not in page and '<a rel="nofollow noopener noreferrer">details</a>' in page
    assert "<em>three</em>" in page
    assert "Ada &lt;Lovelace&gt;" in page and "Ada <Lovelace>" not in page


def test_ob2_documents(site: Path) -> None:
    build(load_config(site))
    out = site / "output"
    base = "https://example.github.io/minimal/"
    assertion = json.loads((out / "assertions" / f"{UID}.json").read_text())
    assert assertion["id"] == f"{base}assertions/{UID}.json"
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["badge"] == f"{base}achievements/tester.json"
    assert assertion["issuedOn"] == "2025-03-14T00:00:00-07:00"
    assert assertion["recipient"]["identity"].startswith("sha256$")
    assert "creditsAvailable" not in json.dumps(assertion)
    issuer = json.loads((out / "issuers" / "acme.json").read_text())
    assert issuer["verification"] == {"type": "VerificationObject", "startsWith": base}
    assert issuer["email"] == "badges@acme.example.org"
    badge = json.loads((out / "achievements" / "tester.json").read_text())
    assert badge["image"] == f"{base}achievements/tester.svg"
    assert "creditsAvailable" not in badge
    page = (out / "assertions" / f"{UID}.html").read_text()
    assert f'<link rel="alternate" type="application/ld+json" href="{base}assertions/{UID}.json">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "1 unit" in page
    assert (out / ".nojekyll").is_file()
    sitemap = (out / "sitemap.xml").read_text()
    assert f"{base}achievements/tester.html" in sitemap and "assertions/" not in sitemap


def test_revoked_assertion_serves_stripped_body(site: Path) -> None:
    path = site / "content" / "assertions" / f"{UID}.json"
    doc = json.loads(path.read_text()) | {"revoked": True, "revocationReason": "Issued in error"}
    path.write_text(json.dumps(doc))
    build(load_config(site))
    served = json.loads((site / "output" / "assertions" / f"{UID}.json").read_text())
    assert served == {
        "@context": "https://w3id.org/openbadges/v2",
        "id": f"https://example.github.io/minimal/assertions/{UID}.json",
        "type": "Assertion", "revoked": True, "revocationReason": "Issued in error",
    }
    page = (site / "output" / "assertions" / f"{UID}.html").read_text()
    assert "REVOKED" in page and "Issued in error" in page


def test_preview_base_url_rewrites_every_id(site: Path) -> None:
    build(load_config(site, "http://127.0.0.1:9000/preview"))
    assertion = json.loads((site / "output" / "assertions" / f"{UID}.json").read_text())
    assert assertion["id"] == f"http://127.0.0.1:9000/preview/assertions/{UID}.json"
    not_found = (site / "output" / "404.html").read_text()
    assert 'href="/preview/assets/style.css"' in not_found


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a//b", "", "a/./b", "..", "a/.hidden"])
def test_output_paths_cannot_escape(bad: str) -> None:
    with pytest.raises(OutputPathError):
        site_path(bad)


def test_two_outputs_at_one_path_are_refused(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder import build as build_module
    from site_builder.plan import routes
    from site_builder.validate import load_site

    config = load_config(site)
    ctx = build_module.make_context(config, load_site(config, build_module.build_time(config)))
    original = routes.site_outputs

    def clash(ctx):  # type: ignore[no-untyped-def]
        yield from original(ctx)
        yield Declared("clash", "index.html", Reads(), lambda: b"")

    monkeypatch.setattr(routes, "site_outputs", clash)
    with pytest.raises(OutputPathError, match="two outputs would be written to 'index.html'"):
        plan(ctx)


def test_theme_override_one_file_at_a_time(site: Path) -> None:
    (site / "site.toml").write_text((MINIMAL / "site.toml").read_text() + 'theme = "mine"\n')
    override = site / "themes" / "mine"
    (override / "templates").mkdir(parents=True)
    (override / "assets").mkdir()
    (override / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost? Custom page.</h1>{% endblock %}')
    (override / "assets" / "style.css").write_text("body { color: rebeccapurple; }\n")
    build(load_config(site))
    out = site / "output"
    assert "Lost? Custom page." in (out / "404.html").read_text()
    assert (out / "assets" / "style.css").read_text() == "body { color: rebeccapurple; }\n"
    assert (out / "assets" / "site.js").stat().st_size > 1000  # still the default one
    assert "Skip to content" in (out / "index.html").read_text()  # default template


def test_parallel_rendering_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder import write

    sequential, parallel = copy_minimal(tmp_path / "seq"), copy_minimal(tmp_path / "par")
    build(load_config(sequential))
    monkeypatch.setattr(write, "_PARALLEL_MIN", 1)
    calls: list[int] = []
    real = write.make_all
    monkeypatch.setattr(write, "make_all", lambda outputs: calls.append(len(outputs)) or real(outputs))
    build(load_config(parallel))
    assert calls and calls[0] >= 15
    assert tree(sequential / "output") == tree(parallel / "output")


def test_long_earner_lists_are_paginated(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.cli import main
    from site_builder.render import pages

    monkeypatch.setattr(pages, "EARNED_PREVIEW", 2)
    monkeypatch.setattr(pages, "EARNED_PER_PAGE", 3)
    roster = site / "roster.csv"
    roster.write_text("name,email\n" + "".join(f"Person {n},p{n}@example.org\n" for n in range(6)))
    assert main(["-q", "issue", "--site", str(site), "tester", "--csv", str(roster), "--date", "2025-05-01"]) == 0
    build(load_config(site))
    out = site / "output/achievements"
    page = (out / "tester.html").read_text()
    assert "Showing the 2 most recent of 7 public earners." in page
    assert 'href="../achievements/tester/earned-1.html"' in page
    assert page.count('class="person"') == 2
    first, last = (out / "tester/earned-1.html").read_text(), (out / "tester/earned-3.html").read_text()
    assert first.count('class="person"') == 3 and last.count('class="person"') == 1
    assert "Page 1 of 3" in first and 'rel="next" href="../../achievements/tester/earned-2.html"' in first
    assert 'href="../../assets/style.css"' in last and "Ada &lt;Lovelace&gt;" in last
    assert not (out / "tester/earned-4.html").exists()
