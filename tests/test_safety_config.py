"""site.toml and SOURCE_DATE_EPOCH refuse mistakes with one clear line, before anything is written or deleted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.support.fixtures import MINIMAL, copy_minimal

BASE = 'title = "Minimal Test Site"\nbase_url = "https://example.github.io/minimal/"\n'


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _site(tmp_path: Path, toml: str) -> Path:
    """The minimal site with ``toml`` after the required keys (replacing them when it sets them)."""
    site = copy_minimal(tmp_path / "site")
    required = [line for line in BASE.splitlines() if not toml.startswith(line.split(" =")[0] + " =")]
    (site / "site.toml").write_text("\n".join([*required, toml]), encoding="utf-8")
    return site


def _error(site: Path, capsys: pytest.CaptureFixture[str], command: str = "check") -> str:
    """The one line ``badgesite COMMAND`` prints, without the ``error: <site>/site.toml`` prefix."""
    capsys.readouterr()
    assert main([command, "--site", str(site)]) == 1
    err = capsys.readouterr().err
    prefix = f"error: {site / 'site.toml'}"
    assert err.startswith(prefix) and err.count("\n") == 1 and "Traceback" not in err, err
    return err[len(prefix):-1]


FOLDERS = [
    ('output_dir = "."', "output_dir must not be the site folder itself (a build replaces its files), got '.'"),
    ('output_dir = ""', "output_dir must be a folder name, got ''"),
    ('output_dir = "content"', "output_dir must not be the same folder as content_dir ('content'), got 'content'"),
    ('output_dir = "badges"', "output_dir must not be the same folder as badges_dir ('badges'), got 'badges'"),
    ('output_dir = "themes/out"', "output_dir must not be inside themes_dir ('themes'), got 'themes/out'"),
    ('output_dir = "site"\ncontent_dir = "site/content"',
     "output_dir must not contain content_dir ('site/content'), got 'site'"),
    ('output_dir = "../other-folder"',
     "output_dir must be a folder inside the site folder (a build replaces its files), got '../other-folder'"),
    ('output_dir = "/tmp"', "output_dir must be a folder inside the site folder (a build replaces its files), "
                            "got '/tmp'"),
    ('output_dir = ".git"', "output_dir must not be the same folder as the site's .git/ folder, got '.git'"),
    ('output_dir = ".git/out"', "output_dir must not be inside the site's .git/ folder, got '.git/out'"),
    ('output_dir = "rosters"', "output_dir must not be the same folder as the site's rosters/ folder, got 'rosters'"),
    ('output_dir = ".cache"', "output_dir must not be the same folder as the site's .cache/ folder, got '.cache'"),
    ('output_dir = "site.toml"', "output_dir must be a folder, but 'site.toml' is a file"),
    ('output_dir = "a\\u0000b"', "output_dir must be a folder name, got 'a\\x00b'"),
    ('output_dir = "keys"', "keys_dir must not be the same folder as output_dir ('keys'), got 'keys'"),
    ('keys_dir = "output/keys"', "keys_dir must not be inside output_dir ('output'), got 'output/keys'"),
    ('keys_dir = "output"', "keys_dir must not be the same folder as output_dir ('output'), got 'output'"),
    ('keys_dir = "."', "keys_dir must not contain output_dir ('output'), got '.'"),
    ('keys_dir = "content/keys"', "keys_dir must not be inside content_dir ('content'), got 'content/keys'"),
    ('keys_dir = "badges"', "keys_dir must not be the same folder as badges_dir ('badges'), got 'badges'"),
    ('keys_dir = "themes/k"', "keys_dir must not be inside themes_dir ('themes'), got 'themes/k'"),
    ('themes_dir = "."', "output_dir must not be inside themes_dir ('.'), got 'output'; "
                         "keys_dir must not be inside themes_dir ('.'), got 'keys'"),
    ('content_dir = ".."', "output_dir must not be inside content_dir ('..'), got 'output'; "
                           "keys_dir must not be inside content_dir ('..'), got 'keys'"),
]

VALUES = [
    ('theme = "../../x"', "theme must be a folder name of letters, digits, '-' and '_', got '../../x'"),
    ('theme = "a/b"', "theme must be a folder name of letters, digits, '-' and '_', got 'a/b'"),
    ('theme = "."', "theme must be a folder name of letters, digits, '-' and '_', got '.'"),
    ('validator_url = "javascript:alert(1)//{url}"',
     "validator_url must be an http(s) URL with a host, got 'javascript:alert(1)//{url}'"),
    ('validator_url = "/check?u={url}"', "validator_url must be an http(s) URL with a host, got '/check?u={url}'"),
    ('validator_url = "https://v.example/?u={url} x"',
     "validator_url must be an http(s) URL with a host, got 'https://v.example/?u={url} x'"),
    ('validator_url = "https://v.example/"',
     "validator_url must contain {url} (replaced by the assertion URL), got 'https://v.example/'"),
    ('validator_url = "https://{url}/"', "validator_url must not have {url} in its host, got 'https://{url}/'"),
    ('timezone = "/etc/localtime"',
     "timezone must be an IANA time zone name such as 'America/Los_Angeles', got '/etc/localtime'"),
    ('timezone = ""', "timezone must be an IANA time zone name such as 'America/Los_Angeles', got ''"),
    ('timezone = "../../etc/passwd"',
     "timezone must be an IANA time zone name such as 'America/Los_Angeles', got '../../etc/passwd'"),
    ('timezone = "localtime"',
     "timezone must be an IANA time zone name such as 'America/Los_Angeles', got 'localtime'"),
    ('timezone = "America"', "unknown timezone 'America' (use an IANA name such as 'America/Los_Angeles')"),
    ('timezone = "Mars/Olympus"', "unknown timezone 'Mars/Olympus' (use an IANA name such as 'America/Los_Angeles')"),
    ('language = "en\\"><script>"', "language must be a language tag such as 'en' or 'pt-BR', got 'en\"><script>'"),
    ("max_image_bytes = 0", "max_image_bytes must be a positive integer, got 0"),
    ('title = " "', "title must not be empty"),
    ('base_url = "https://a.example:99999/"', "base_url has an invalid host or port, got 'https://a.example:99999/'"),
    ('base_url = "https://[::1/"', "base_url has an invalid host or port, got 'https://[::1/'"),
    ('base_url = "javascript:alert(1)"', "base_url must be an http(s) URL with a host, got 'javascript:alert(1)'"),
]

TYPES = [
    ('ouput_dir = "out"', "unknown key 'ouput_dir' (did you mean 'output_dir'?)"),
    ('zzz = 1', "unknown key 'zzz'"),
    ("output_dir = 5", "'output_dir' must be a string, got 5"),
    ('theme = ["a"]', "'theme' must be a string, got ['a']"),
    ("max_image_bytes = true", "'max_image_bytes' must be an integer, got True"),
    ("max_image_bytes = 1.5", "'max_image_bytes' must be an integer, got 1.5"),
    ("[keys_dir]\na = 1", "'keys_dir' must be a string, got {'a': 1}"),
    ("timezone = 2025-01-01", "'timezone' must be a string, got datetime.date(2025, 1, 1)"),
]


@pytest.mark.parametrize("toml, message", FOLDERS + VALUES + TYPES)
def test_config_mistakes_are_one_line_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     toml: str, message: str) -> None:
    site = _site(tmp_path, toml + "\n")
    assert _error(site, capsys) == ": " + message


@pytest.mark.parametrize("toml", ['output_dir = "."', 'output_dir = "content"', 'output_dir = "badges"',
                                  'output_dir = "../other-folder"', 'keys_dir = "output/keys"', 'theme = "../x"'])
def test_a_refused_config_deletes_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     toml: str) -> None:
    site = _site(tmp_path, toml + "\n")
    other = tmp_path / "other-folder"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    before, outside = _digest(site), _digest(other)
    _error(site, capsys, "build")
    assert _digest(site) == before and _digest(other) == outside


def test_keys_outside_the_site_are_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, 'keys_dir = "../secret-keys"\ntheme = "my-theme_2"\n')
    assert main(["check", "--site", str(site)]) == 0


def test_site_toml_with_a_byte_order_mark_builds(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    (site / "site.toml").write_bytes(b"\xef\xbb\xbf" + (MINIMAL / "site.toml").read_bytes())
    assert main(["-q", "build", "--site", str(site)]) == 0
    assert (site / "output" / "index.html").is_file()


@pytest.mark.parametrize("text, where", [
    ('title = "x\n', ":1:11: Illegal character '\\n'"),
    ('title = "x"\nbase_url = "https://a.example/"\noutput_dir = out\n', ":3:14: Invalid value"),
    ('title = "x"\ntitle = "y"\n', ":2:12: Cannot overwrite a value"),
    ('\ufefftitle = "x"\n[x\n', ":2:3: Expected ']' at the end of a table declaration"),
    ('title = "x"\nbase_url = [1,', ":2:15: Invalid value"),
])
def test_toml_syntax_errors_give_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 text: str, where: str) -> None:
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    assert _error(tmp_path, capsys) == where


def test_site_toml_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "site.toml").write_bytes('title = "x"'.encode("utf-16"))
    assert _error(tmp_path, capsys) == ": not UTF-8 text (invalid start byte at byte 0)"


@pytest.mark.parametrize("epoch", ["-1", "1.5", "1e10", " 12", "1_000", "٣", "99999999999999999999",
                                   "9" * 5000, "253402128001"])
def test_bad_source_date_epoch(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch, epoch: str) -> None:
    site = copy_minimal(tmp_path / "site")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        f"error: SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to 253402128000, got {epoch!r}\n")


@pytest.mark.parametrize("epoch", ["0", "253402128000"])
def test_source_date_epoch_range_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str) -> None:
    from site_builder.config import build_time, load_config

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    moment = build_time(load_config(copy_minimal(tmp_path / "site")))
    assert int(moment.timestamp()) == int(epoch)


def test_a_language_babel_does_not_know_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = copy_minimal(tmp_path / "site")
    toml = site / "site.toml"
    toml.write_text(toml.read_text() + 'language = "xx"\n' if "language" not in toml.read_text()
                    else toml.read_text().replace('language = "en"', 'language = "xx"'))
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 1
    assert "language 'xx' is not one Babel (dates, numbers) knows" in capsys.readouterr().err
