"""Nothing lost, nothing leaked: what a build may delete, read from a theme, publish, and run.

Each test goes through the real CLI and asserts the exact message a user sees; a failed
build leaves output/ as it was.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.conftest import FIXED_EPOCH
from tests.support.external import missing
from tests.support.fixtures import MINIMAL, copy_minimal

UID = "00000000000000000000000000000001"
PEM = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBxTJq2x5sWmHvtyl2fTXqUuD1yq3NNSs6Ynp6ZUpAqC\n" \
      b"-----END PRIVATE KEY-----\n"


def tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def build(site: Path, *flags: str) -> int:
    return main([*flags, "build", "--site", str(site)])


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "site")


def themed(site: Path) -> Path:
    """The site with an (empty) theme override ``themes/mine/``; returns that folder."""
    (site / "site.toml").write_text((MINIMAL / "site.toml").read_text() + 'theme = "mine"\n')
    folder = site / "themes" / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "assets").mkdir()
    return folder


def edit_narrative(site: Path, text: str) -> None:
    path = site / "content" / "assertions" / f"{UID}.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {"narrative": text}))


# 1. The build deletes only files a build wrote.

def test_files_no_build_wrote_are_left_alone(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, "-q") == 0
    out = site / "output"
    (out / "CNAME").write_text("badges.example.org\n")
    (out / "assertions" / "notes.txt").write_text("mine\n")
    edit_narrative(site, "Changed.")
    capsys.readouterr()
    assert build(site, "-q") == 0
    assert capsys.readouterr().err == (
        "warning: output/ holds 2 files that no badgesite build wrote (e.g. CNAME): left as they are\n")
    (site / "content" / "assertions" / f"{UID}.json").unlink()
    assert build(site, "-q") == 0
    assert not (out / "assertions" / f"{UID}.html").exists() and not (out / "assertions" / f"{UID}.json").exists()
    assert (out / "CNAME").read_text() == "badges.example.org\n"
    assert (out / "assertions" / "notes.txt").read_text() == "mine\n"  # and so its folder stays
    capsys.readouterr()
    assert build(site) == 0  # nothing changed: the fast path, untroubled by the extra files
    assert "(0 files written, 13 unchanged, 0 removed)" in capsys.readouterr().out


# 6. A full disk: the temporaries go, output/ stays as it was.

def _full_disk(monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    from site_builder.write import files as write_files

    real, calls = write_files.write_file, []

    def write_file(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == fail_at:
            path.write_bytes(data[:10])  # a partial file, as a full disk leaves it
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(write_files, "write_file", write_file)


def test_full_disk_leaves_output_unchanged(site: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, "-q") == 0
    before = tree(site / "output")
    edit_narrative(site, "Changed.")
    (site / "content" / "earners" / "ada-lovelace.json").write_text(json.dumps({"name": "Ada King"}))
    with monkeypatch.context() as patch:
        _full_disk(patch, 3)  # the journal and a first file are written, the second finds the disk full
        capsys.readouterr()
        assert build(site) == 1
    assert capsys.readouterr().err == (
        f"error: no space left on device while writing output/assertions/{UID}.html: output/ is unchanged\n")
    assert tree(site / "output") == before  # no temporary, no new folder, no new byte
    assert build(site, "-q") == 0
    assert "Ada King" in (site / "output" / "earners" / "ada-lovelace.html").read_text()


def test_full_disk_on_a_first_build_leaves_no_output(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _full_disk(monkeypatch, 5)
    assert build(site) == 1
    assert capsys.readouterr().err == (
        "error: no space left on device while writing output/achievements/tester.svg: output/ is unchanged\n")
    assert not (site / "output").exists()
    assert [p.name for p in (site / ".cache" / "badgesite").iterdir()] == ["build.lock"]  # no staging left


def test_a_first_build_across_file_systems_writes_in_place(site: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from site_builder.write import files as write_files

    staged = copy_minimal(tmp_path / "staged")
    assert build(staged, "-q") == 0
    monkeypatch.setattr(write_files, "same_device", lambda a, b: False)  # .cache/ cannot be renamed into place
    with monkeypatch.context() as patch:
        _full_disk(patch, 3)  # the journal, .nojekyll, then 404.html
        assert build(site) == 1
    assert capsys.readouterr().err == (
        "error: no space left on device while writing output/404.html: output/ is unchanged\n")
    assert not (site / "output").exists()
    assert build(site, "-q") == 0
    assert tree(site / "output") == tree(staged / "output")


# 3. Theme files are the theme's own; nothing that looks like a key is published.

def test_a_theme_link_out_of_the_theme_is_refused(site: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, "-q") == 0
    before = tree(site / "output")
    secret = tmp_path / "id_ed25519"
    secret.write_text("not for publishing\n")
    theme = themed(site)
    (theme / "assets" / "logo.txt").symlink_to(secret)
    capsys.readouterr()
    assert build(site) == 1
    assert capsys.readouterr().err == (
        f"error: themes/mine/assets/logo.txt is a symlink to {secret}, outside the theme folder themes/mine: "
        "refusing to publish it\n")
    assert tree(site / "output") == before


@pytest.mark.parametrize("where", ["assets/env", "templates/env.html", "assets/vendor"])
def test_theme_links_to_proc_and_folders_outside_are_refused(site: Path, tmp_path: Path, where: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    theme = themed(site)
    if where == "assets/vendor":
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / "key.pem").write_bytes(PEM)
        (theme / where).symlink_to(outside)
    else:
        outside = Path("/proc/self/environ")
        (theme / where).symlink_to(outside)
    assert build(site) == 1
    assert capsys.readouterr().err == (
        f"error: themes/mine/{where} is a symlink to {outside.resolve()}, outside the theme folder themes/mine: "
        "refusing to publish it\n")
    assert not (site / "output").exists()


def test_a_special_file_in_a_theme_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theme = themed(site)
    os.mkfifo(theme / "assets" / "pipe.css")  # reading it would hang the build
    assert build(site) == 1
    assert capsys.readouterr().err == (
        "error: themes/mine/assets/pipe.css is not a regular file (a broken link, a FIFO, a socket or a device): "
        "refusing to read it\n")


def test_links_within_the_theme_still_work(site: Path) -> None:
    theme = themed(site)
    (theme / "assets" / "extra.css").write_text("p { margin: 0; }\n")
    (theme / "assets" / "alias.css").symlink_to("extra.css")
    assert build(site, "-q") == 0
    assert (site / "output" / "assets" / "alias.css").read_text() == "p { margin: 0; }\n"


@pytest.mark.parametrize(("name", "data", "what"), [
    ("key.pem", PEM, "a PEM private key block"),
    ("key.json", json.dumps({"type": "Multikey", "secretKeyMultibase": "z3u2en7t5LR2WtQH5PfsRmkuh"}).encode(),
     'a "secretKeyMultibase" member'),
    ("jwk.json", json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                             "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}).encode(),
     'a JSON Web Key with its private "d" member'),
])
def test_outputs_that_look_like_keys_are_never_written(site: Path, name: str, data: bytes, what: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, "-q") == 0
    before = tree(site / "output")
    theme = themed(site)
    (theme / "assets" / name).write_bytes(data)  # a plain file, copied in by mistake
    capsys.readouterr()
    assert build(site) == 1
    assert capsys.readouterr().err == (
        f"error: refusing to publish output/assets/{name}: it looks like private key material ({what})\n")
    assert tree(site / "output") == before


def test_public_keys_are_not_mistaken_for_private_ones() -> None:
    from site_builder.write.guard import key_material

    public = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert key_material(json.dumps({"publicKeyJwk": public, "publicKeyMultibase": "z6Mkh"}).encode()) == ""
    assert key_material(b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n") == ""
    assert key_material(b'<p>&#34;kty&#34;: &#34;OKP&#34;, &#34;d&#34;: &#34;x&#34;</p>') != ""


# 4. Templates run sandboxed.

@pytest.mark.parametrize(("template", "source", "where"), [
    ("index.html", "{{ cycler.__init__.__globals__.os.getcwd() }}\n", "index.html:1"),
    ("base.html", "<p>\n{{ joiner.__init__.__globals__.os.getcwd() }}\n</p>\n", "base.html:2"),
])
def test_a_template_reaching_python_internals_is_refused(site: Path, template: str, source: str, where: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    theme = themed(site)
    (theme / "templates" / template).write_text(source)
    assert build(site) == 1
    assert capsys.readouterr().err == (
        f"error: themes/mine/templates/{where}: access to attribute '__init__' of 'type' object is unsafe "
        "(theme templates run sandboxed)\n")
    assert not (site / "output").exists()


def test_a_broken_template_is_one_line_naming_it(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theme = themed(site)
    (theme / "templates" / "base.html").write_text("<p>\n{% if %}\n</p>\n")
    assert build(site) == 1
    assert capsys.readouterr().err == (
        "error: themes/mine/templates/base.html:2: Expected an expression, got 'end of statement block'\n")


# 21. Dates never depend on the machine's locale.

def _german_locale(tmp_path: Path) -> dict[str, str]:
    """Environment for a process whose LC_ALL is German, making the locale if it is not installed."""
    installed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    if "de_DE.utf8" in installed or "de_DE.UTF-8" in installed:
        return {"LC_ALL": "de_DE.UTF-8"}
    localedef = shutil.which("localedef")
    folder = tmp_path / "locales"
    folder.mkdir()
    if localedef and subprocess.run([localedef, "-i", "de_DE", "-f", "UTF-8", str(folder / "de_DE.UTF-8")],
                                    capture_output=True).returncode in (0, 1):  # 1: made, with warnings
        if (folder / "de_DE.UTF-8").exists():
            return {"LC_ALL": "de_DE.UTF-8", "LOCPATH": str(folder)}
    missing("a German locale (de_DE.UTF-8, or localedef and Debian's locales data to make one)")
    return {}


_UNDER_LOCALE = """
import datetime, locale, sys
locale.setlocale(locale.LC_ALL, "")  # what a library (or an embedding tool) may do
assert f"{datetime.date(2025, 3, 14):%B}" == "März", locale.setlocale(locale.LC_TIME)
from site_builder.cli import main
sys.exit(main(["-q", "build", "--site", sys.argv[1]]))
"""


def test_dates_do_not_depend_on_the_machines_locale(tmp_path: Path) -> None:
    german, plain = copy_minimal(tmp_path / "german"), copy_minimal(tmp_path / "plain")
    environ = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, **_german_locale(tmp_path)}
    subprocess.run([sys.executable, "-c", _UNDER_LOCALE, str(german)], env=environ, check=True, timeout=120)
    assert build(plain, "-q") == 0
    assert tree(german / "output") == tree(plain / "output")
    assert "on March 14, 2025." in (plain / "output" / "assertions" / f"{UID}.html").read_text()


def test_dates_follow_the_sites_language(site: Path) -> None:
    (site / "site.toml").write_text((MINIMAL / "site.toml").read_text() + 'language = "de"\n')
    assert build(site, "-q") == 0
    page = (site / "output" / "assertions" / f"{UID}.html").read_text()
    assert "on 14. März 2025." in page and "Status as of 24. November 2026" in page
