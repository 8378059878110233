"""``badgesite serve`` in a real process: serves, rebuilds on change, shows errors, recovers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.fixtures import copy_minimal

UID = "0" * 31 + "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(check, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_serve_rebuilds_shows_errors_and_recovers(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--site", str(site),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status, page = wait_for(lambda: fetch(base + f"assertions/{UID}.html"))
        assert status == 200 and "Careful Tester" in page
        status, body = fetch(base + f"assertions/{UID}.json")
        assert status == 200 and json.loads(body)["id"] == f"{base}assertions/{UID}.json"
        assert fetch(base + "no/such/page")[0] == 404

        path = site / "content/issuers/acme.json"
        good = path.read_text()
        path.write_text(good.replace('"name"', '"name": 1, "x"', 1))
        status, page = wait_for(lambda: (r := fetch(base + "index.html"))[0] == 500 and r)
        assert "The last rebuild failed" in page and "content/issuers/acme.json" in page
        assert (site / ".cache/badgesite/serve/site/index.html").is_file()  # the last good preview is still there

        path.write_text(good.replace("Acme School District", "Acme Unified"))
        status, page = wait_for(lambda: (r := fetch(base + "issuers/acme.html"))[0] == 200
                                and "Acme Unified" in r[1] and r)
        assert "livereload" in page  # the reload script is injected
        assert not (site / "output").exists()  # serve never touches output/
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0].decode()
    assert out.count("Serving on http") == 1 and out.count("unknown field 'x' ignored") == 1, out  # once each


def test_serve_leaves_output_as_build_wrote_it(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    assert subprocess.run([sys.executable, "-m", "site_builder", "-q", "build", "--site", str(site)]).returncode == 0
    before = {p: p.read_bytes() for p in sorted((site / "output").rglob("*")) if p.is_file()}
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--site", str(site), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/index.html")[0] == 200)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert {p: p.read_bytes() for p in sorted((site / "output").rglob("*")) if p.is_file()} == before


def test_a_busy_port_is_one_line(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "site_builder", "serve", "--site", str(site), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"error: port {port} is in use (another `badgesite serve`?): choose another with --port\n"
    assert not (site / "output").exists() and not (site / ".cache").exists()
