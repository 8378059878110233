"""The built site in a real browser (headless Chromium through Playwright).

One browser for the module; two throwaway sites (SVG badge, PNG badge) served over
loopback under the path prefix ``/site/`` by a server that answers missing paths with
404.html, as GitHub Pages does. Every page may only ever ask 127.0.0.1 (or file://).

Set ``BADGESITE_SHOTS=/some/dir`` to also write screenshots of the main pages there.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit
from xml.etree import ElementTree

import pytest
from PIL import Image

from site_builder.admin.export import bake_assertion
from site_builder.baking import OB2_SVG_NAMESPACE, bake_png, bake_svg
from site_builder.cli import main as cli_main
from tests.support.bakery import unbake
from tests.support.browser import LOOPBACK, PagesServer, fetch, launch_chromium
from tests.support.sites import EXPIRES, REVOCATION_REASON, BuiltSite, fixed_build_time, make_site

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


# ---- fixtures -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright, browser = launch_chromium()
    yield browser
    browser.close()
    playwright.stop()


def _served(tmp_path_factory: pytest.TempPathFactory, png: bool) -> Iterator[tuple[BuiltSite, PagesServer]]:
    with PagesServer("/site/") as server:
        site = make_site(tmp_path_factory.mktemp("png" if png else "svg"), server.base_url, png=png)
        server.root = site.output
        yield site, server


@pytest.fixture(scope="module")
def svg_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, PagesServer]]:
    yield from _served(tmp_path_factory, png=False)


@pytest.fixture(scope="module")
def png_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, PagesServer]]:
    yield from _served(tmp_path_factory, png=True)


class Guarded:
    """A browser context that records every request and refuses any to another host."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(accept_downloads=True, **options)
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.failed: list[str] = []
        self.context.route("**/*", self._route)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))

    def _route(self, route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != LOOPBACK:
            self.refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda exc: self.failed.append(f"page error: {exc}"))
        return page

    def assert_only_local(self) -> None:
        assert not self.refused, f"requests to other hosts: {self.refused}"
        for url in self.requests:
            parts = urlsplit(url)
            assert parts.scheme in ("file", "data", "blob") or parts.hostname == LOOPBACK, url
        assert not self.failed, self.failed


@pytest.fixture
def guarded(browser: Any) -> Iterator[Guarded]:
    g = Guarded(browser, viewport=DESKTOP)
    yield g
    g.context.close()


# ---- helpers --------------------------------------------------------------------------

def hosted_json(site: BuiltSite, uid: str) -> dict[str, Any]:
    status, body = fetch(site.url(f"assertions/{uid}.json"))
    assert status == 200
    return json.loads(body)


def download_baked(page: Any, site: BuiltSite, uid: str, kind: str) -> bytes:
    page.goto(site.url(f"assertions/{uid}.html"))
    with page.expect_download() as info:
        page.get_by_role("button", name=f"Download {kind.upper()}").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"first-badge-{uid[:8]}.{kind}"
    return Path(download.path()).read_bytes()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk; checks the signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        at += 12 + length
    assert at == len(data) and chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def computed(page: Any, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


def assert_styled(page: Any) -> None:
    """The theme's stylesheet applied (browser defaults: 8px body margin, a serif font)."""
    assert computed(page, "body", "marginTop") == "0px"
    assert "system-ui" in computed(page, "body", "fontFamily")
    assert computed(page, ".site-header", "backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")


PAGE_KINDS = ("home", "achievement", "issuer", "assertion", "revoked", "earner", "earners")


def page_path(site: BuiltSite, kind: str) -> str:
    return {
        "home": "index.html",
        "achievement": "achievements/first-badge.html",
        "issuer": "issuers/my-organisation.html",
        "assertion": f"assertions/{site.expiring}.html",
        "revoked": f"assertions/{site.revoked}.html",
        "earner": f"earners/{site.earner}.html",
        "earners": "earners/index.html",
    }[kind]


# ---- 1. baking in the browser ---------------------------------------------------------

def test_download_svg_is_baked_like_python(svg_site: tuple[BuiltSite, PagesServer], guarded: Guarded,
                                           tmp_path: Path) -> None:
    site, _ = svg_site
    page = guarded.new_page()
    data = download_baked(page, site, site.expiring, "svg")
    assert not page.get_by_text("needs JavaScript").is_visible()

    assert b"<svg" in data[:256]
    assert data.count(b"<openbadges:assertion") == 1
    root = ElementTree.fromstring(data)
    baked = root.findall(f"{{{OB2_SVG_NAMESPACE}}}assertion")
    assert len(baked) == 1
    hosted = hosted_json(site, site.expiring)
    assert json.loads(baked[0].text or "") == hosted
    assert baked[0].get("verify") == hosted["id"] == site.url(f"assertions/{site.expiring}.json")

    reference = bake_assertion(site.config, site.expiring, tmp_path / "python.svg").read_bytes()
    assert data == reference
    downloaded = tmp_path / "browser.svg"
    downloaded.write_bytes(data)
    assert unbake(downloaded) == hosted["id"]  # openbadges-bakery reads the browser's SVG
    guarded.assert_only_local()


def test_download_png_is_baked_like_python(png_site: tuple[BuiltSite, PagesServer], guarded: Guarded,
                                           tmp_path: Path) -> None:
    site, _ = png_site
    page = guarded.new_page()
    data = download_baked(page, site, site.valid, "png")
    assert page.get_by_role("button", name="Download SVG").count() == 0

    chunks = png_chunks(data)
    itxt = [body for kind, body in chunks if kind == b"iTXt"]
    assert len(itxt) == 1
    keyword, _, rest = itxt[0].partition(b"\0")
    assert keyword == b"openbadges"
    compressed, method = rest[0], rest[1]
    language, _, rest = rest[2:].partition(b"\0")
    translated, _, text = rest.partition(b"\0")
    assert (compressed, method, language, translated) == (0, 0, b"", b"")
    assert json.loads(text.decode("utf-8")) == hosted_json(site, site.valid)
    assert chunks[1][0] == b"iTXt"  # right after IHDR, before the image data

    with Image.open(BytesIO(data)) as image:
        image.load()
        assert image.size == (240, 240)
    original = (site.output / "achievements" / "first-badge.png").read_bytes()
    assert [c for c in chunks if c[0] != b"iTXt"] == png_chunks(original)

    reference = bake_assertion(site.config, site.valid, tmp_path / "python.png").read_bytes()
    assert data == reference
    downloaded = tmp_path / "browser.png"
    downloaded.write_bytes(data)
    assert json.loads(unbake(downloaded)) == hosted_json(site, site.valid)  # openbadges-bakery reads it
    guarded.assert_only_local()


@pytest.fixture(scope="module")
def ob3_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, PagesServer]]:
    """A PNG site whose issuer signs Open Badges 3.0 (its did:web names the loopback server)."""
    with PagesServer("/site/") as server:
        site = make_site(tmp_path_factory.mktemp("ob3"), server.base_url, png=True)
        subprocess.run(["git", "init", "-q"], cwd=site.root, check=True)
        with fixed_build_time():
            assert cli_main(["-q", "keys", "new", "--site", str(site.root), "my-organisation"]) == 0
            assert cli_main(["-q", "build", "--site", str(site.root)]) == 0
        server.root = site.output
        yield site, server


def test_download_ob3_png_embeds_the_signed_credential(ob3_site: tuple[BuiltSite, PagesServer],
                                                       guarded: Guarded, tmp_path: Path) -> None:
    site, _ = ob3_site
    page = guarded.new_page()
    page.goto(site.url(f"assertions/{site.valid}.html"))
    assert page.locator("#credential-link").get_attribute("href") == site.url(f"credentials/{site.valid}.json")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PNG (Open Badges 3.0)").click()
    download = info.value
    assert download.failure() is None and download.suggested_filename == f"first-badge-{site.valid[:8]}-ob3.png"
    data = Path(download.path()).read_bytes()
    chunks = png_chunks(data)
    itxt = [body for kind, body in chunks if kind == b"iTXt"]
    assert len(itxt) == 1 and itxt[0].startswith(b"openbadgecredential\0\0\0\0\0")
    status, served = fetch(site.url(f"credentials/{site.valid}.json"))
    assert status == 200
    credential = json.loads(itxt[0][len(b"openbadgecredential") + 5:].decode("utf-8"))
    assert credential == json.loads(served) and credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    reference = bake_assertion(site.config, site.valid, tmp_path / "python.png", ob3=True).read_bytes()
    assert data == reference
    guarded.assert_only_local()


TRICKY = json.dumps({"id": "https://x.example/a?b=1&c=\"2\"", "name": "é ✓ 😀 ]]> </openbadges:assertion>",
                     "narrative": "line\u2028break <b>&amp;</b>"}, ensure_ascii=False, separators=(",", ":"))


def test_js_and_python_bakers_agree_on_awkward_input(svg_site: tuple[BuiltSite, PagesServer],
                                                     png_site: tuple[BuiltSite, PagesServer],
                                                     guarded: Guarded) -> None:
    """Re-baking replaces an earlier assertion, other chunks stay, text is escaped alike."""
    site, _ = svg_site
    page = guarded.new_page()
    page.goto(site.url(f"assertions/{site.valid}.html"))
    verify = json.loads(TRICKY)["id"]

    svg = (site.output / "achievements" / "first-badge.svg").read_bytes()
    svg = bake_svg(svg, "assertion", OB2_SVG_NAMESPACE, "https://old.example/", '{"old":true}')
    in_js = page.evaluate("([svg, ns, verify, text]) => badgesiteBake.svg(svg, 'assertion', ns, verify, text)",
                          [svg.decode("utf-8"), OB2_SVG_NAMESPACE, verify, TRICKY])
    python = bake_svg(svg, "assertion", OB2_SVG_NAMESPACE, verify, TRICKY)
    assert in_js.encode("utf-8") == python
    baked = ElementTree.fromstring(python).findall(f"{{{OB2_SVG_NAMESPACE}}}assertion")
    assert len(baked) == 1 and baked[0].text == TRICKY and baked[0].get("verify") == verify

    png = (png_site[0].output / "achievements" / "first-badge.png").read_bytes()
    for keyword, text in (("Description", "kept"), ("openbadgesX", "kept too"), ("openbadges", "old")):
        png = bake_png(png, keyword, text)
    in_js = page.evaluate("""([b64, text]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const out = badgesiteBake.png(bytes, "openbadges", text);
        let bin = ""; for (const b of out) bin += String.fromCharCode(b);
        return btoa(bin);
    }""", [base64.b64encode(png).decode(), TRICKY])
    python = bake_png(png, "openbadges", TRICKY)
    assert base64.b64decode(in_js) == python
    texts = [body for kind, body in png_chunks(python) if kind == b"iTXt"]
    assert texts[0] == b"openbadges\0\0\0\0\0" + TRICKY.encode("utf-8")
    assert sorted(t.split(b"\0")[0] for t in texts) == [b"Description", b"openbadges", b"openbadgesX"]
    guarded.assert_only_local()


# ---- 2. links and assets under the path prefix; file:// --------------------------------

def test_every_link_and_asset_works_under_the_prefix(svg_site: tuple[BuiltSite, PagesServer],
                                                    guarded: Guarded) -> None:
    site, server = svg_site
    server.log.clear()
    page = guarded.new_page()
    bad_responses: list[str] = []
    page.on("response", lambda r: r.status >= 400 and bad_responses.append(f"{r.status} {r.url}"))

    queue, pages, others = [site.url("index.html")], {}, set()
    fragments: set[tuple[str, str]] = set()
    while queue:
        url = queue.pop()
        if url in pages:
            continue
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert_styled(page)
        pages[url] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        refs = page.eval_on_selector_all(
            "a[href], link[href], img[src], script[src]", "els => els.map(e => e.href || e.src)")
        for ref in refs:
            target, fragment = urldefrag(ref)
            if not target.startswith(("http:", "https:")) or not target.startswith(site.base_url):
                assert urlsplit(ref).netloc != urlsplit(site.base_url).netloc, f"{url} links outside the prefix: {ref}"
                continue
            if fragment:
                fragments.add((target, fragment))
            if target.endswith(".html"):
                queue.append(target)
            else:
                others.add(target)

    for url in sorted(others):
        status, _ = fetch(url)
        assert status == 200, url
    for target, fragment in sorted(fragments):
        assert unquote(fragment) in pages[target], f"no #{fragment} on {target}"

    built = {site.url(p.relative_to(site.output).as_posix()) for p in site.output.rglob("*.html")}
    assert set(pages) == built - {site.url("404.html")}, "every page is reachable from the home page"
    _, sitemap = fetch(site.url("sitemap.xml"))
    for loc in ElementTree.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        assert loc.text in pages
    assert not bad_responses, bad_responses
    assert all(status < 400 for _, status in server.log), [e for e in server.log if e[1] >= 400]
    guarded.assert_only_local()


@pytest.mark.parametrize("kind", ["home", "assertion"])
def test_pages_work_from_file_urls(svg_site: tuple[BuiltSite, PagesServer], guarded: Guarded, kind: str) -> None:
    site, _ = svg_site
    path = site.output / page_path(site, kind)
    page = guarded.new_page()
    page.goto(path.as_uri())
    assert_styled(page)
    images = page.locator("img")
    assert images.count() >= 1
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()  # lazy images load once near the viewport
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert page.eval_on_selector_all("img", "els => els.filter(e => !e.naturalWidth).map(e => e.src)") == []
    refs = page.eval_on_selector_all("a[href], img[src], script[src], link[rel=stylesheet]",
                                     "els => els.map(e => e.href || e.src)")
    local = [urldefrag(r)[0] for r in refs if r.startswith("file:")]
    assert len(local) >= 5
    for ref in local:
        assert Path(unquote(urlsplit(ref).path)).is_file(), ref
    guarded.assert_only_local()


# ---- 3. the 404 page at any depth ------------------------------------------------------

def test_not_found_page_is_styled_at_any_depth(svg_site: tuple[BuiltSite, PagesServer], guarded: Guarded) -> None:
    site, _ = svg_site
    page = guarded.new_page()
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    response = page.goto(site.url("a/b/c/missing"))
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert_styled(page)
    assert statuses[site.url("assets/style.css")] == 200
    assert statuses[site.url("assets/site.js")] == 200
    home = page.get_by_role("link", name="Go to the home page")
    assert home.evaluate("e => e.href") == site.url("index.html")
    home.click()
    page.wait_for_url(site.url("index.html"))
    guarded.assert_only_local()


# ---- 4. status box: live expiry re-check, revoked -------------------------------------

def status_box(browser: Any, url: str, clock: datetime | None = None,
               install: bool = False) -> dict[str, str]:
    """The status box as a viewer sees it, in a fresh context (a clock is per context)."""
    g = Guarded(browser, viewport=DESKTOP)
    try:
        page = g.new_page()
        if clock and install:
            page.clock.install(time=clock)
        elif clock:
            page.clock.set_fixed_time(clock)
        page.goto(url)
        box = page.locator("#status")
        seen = {"status": box.get_attribute("data-status") or "", "class": box.get_attribute("class") or "",
                "title": box.locator("strong").inner_text(), "text": box.inner_text()}
        g.assert_only_local()
        return seen
    finally:
        g.context.close()


def test_status_rechecks_expiry_with_the_viewers_clock(svg_site: tuple[BuiltSite, PagesServer],
                                                       browser: Any) -> None:
    site, _ = svg_site
    url = site.url(f"assertions/{site.expiring}.html")
    expiry = datetime.fromisoformat(EXPIRES).replace(tzinfo=UTC)

    now = status_box(browser, url)  # the real clock: years before 2090
    assert (now["status"], now["title"]) == ("valid", "Valid")
    assert "status-valid" in now["class"] and "Expired" not in now["text"]
    day_before = status_box(browser, url, expiry.replace(day=29))
    assert (day_before["status"], day_before["title"]) == ("valid", "Valid")

    for installed in (False, True):
        later = status_box(browser, url, expiry.replace(year=expiry.year + 1), install=installed)
        assert (later["status"], later["title"]) == ("expired", "Expired")
        assert later["class"] == "status status-expired"
        assert "Valid" not in later["text"] and "expiry date has passed" in later["text"]
        assert "by your device's clock it has now expired" in later["text"]


def test_revoked_page_says_so_and_offers_no_download(svg_site: tuple[BuiltSite, PagesServer],
                                                     guarded: Guarded) -> None:
    site, _ = svg_site
    page = guarded.new_page()
    page.clock.set_fixed_time(datetime(2200, 1, 1, tzinfo=UTC))
    page.goto(site.url(f"assertions/{site.revoked}.html"))
    status = page.locator("#status")
    assert status.get_attribute("data-status") == "revoked"
    text = status.inner_text()
    assert "REVOKED" in text and REVOCATION_REASON in text
    assert page.locator("button").count() == 0
    assert page.locator("[data-bake], .downloads, #assertion-data").count() == 0
    guarded.assert_only_local()


def test_pages_read_without_javascript(svg_site: tuple[BuiltSite, PagesServer], browser: Any) -> None:
    site, _ = svg_site
    g = Guarded(browser, viewport=DESKTOP, java_script_enabled=False)
    try:
        page = g.new_page()
        page.goto(site.url(f"assertions/{site.expiring}.html"))
        assert_styled(page)
        assert page.locator("#status strong").inner_text() == "Valid"
        assert page.locator("h1").is_visible()
        assert page.get_by_text("needs JavaScript").is_visible()
        assert page.locator("button").count() == 1 and not page.locator("button").is_visible()
        g.assert_only_local()
    finally:
        g.context.close()


# ---- 5. accessibility basics -----------------------------------------------------------

A11Y = """() => ({
  lang: document.documentElement.lang,
  h1: document.querySelectorAll("h1").length,
  noAlt: [...document.querySelectorAll("img")].filter(i => !i.hasAttribute("alt")).map(i => i.src),
  skip: (() => { const s = document.querySelector("a.skip");
                 return s && s.getAttribute("href").startsWith("#")
                   && !!document.getElementById(s.getAttribute("href").slice(1)); })(),
  unnamed: [...document.querySelectorAll("a, button")].filter(e => !e.textContent.trim()
             && !e.getAttribute("aria-label") && !e.querySelector("img[alt]:not([alt=''])")).map(e => e.outerHTML),
  width: document.scrollingElement.scrollWidth,
})"""


@pytest.mark.parametrize("kind", [*PAGE_KINDS, "404"])
def test_accessibility_basics(svg_site: tuple[BuiltSite, PagesServer], guarded: Guarded, kind: str) -> None:
    site, _ = svg_site
    url = site.url("no/such/page" if kind == "404" else page_path(site, kind))
    page = guarded.new_page()
    page.goto(url)
    facts = page.evaluate(A11Y)
    assert facts["lang"] == "en"
    assert facts["h1"] == 1
    assert facts["noAlt"] == []
    assert facts["skip"], "the skip link must target an element that exists"
    assert facts["unnamed"] == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    box = page.locator("a.skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"

    page.set_viewport_size(PHONE)
    page.goto(url)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 375.5).map(e => e.tagName + '.' + e.className)""")
    assert width <= 375, wide
    guarded.assert_only_local()


# ---- screenshots (on request) ----------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("BADGESITE_SHOTS"), reason="set BADGESITE_SHOTS=DIR for screenshots")
def test_screenshots(svg_site: tuple[BuiltSite, PagesServer], png_site: tuple[BuiltSite, PagesServer],
                     guarded: Guarded, browser: Any) -> None:
    out = Path(os.environ["BADGESITE_SHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    page = guarded.new_page()
    targets = [(kind, svg_site[0].url(page_path(svg_site[0], kind))) for kind in PAGE_KINDS]
    targets += [("png-assertion", png_site[0].url(page_path(png_site[0], "assertion"))),
                ("revoked-earner", svg_site[0].url(f"earners/{svg_site[0].revoked_earner}.html")),
                ("404", svg_site[0].url("a/b/c/missing"))]
    later = Guarded(browser, viewport=DESKTOP)  # a clock is per context
    expired = later.new_page()
    expired.clock.set_fixed_time(datetime(2100, 1, 1, tzinfo=UTC))
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        for kind, url in targets:
            page.set_viewport_size(size)
            page.goto(url)
            page.screenshot(path=str(out / f"{kind}-{size_name}.png"), full_page=True)
        expired.set_viewport_size(size)
        expired.goto(svg_site[0].url(page_path(svg_site[0], "assertion")))
        expired.screenshot(path=str(out / f"expired-{size_name}.png"), full_page=True)
    later.context.close()
