"""The proof corpus: badges other tools made (tests/vectors/<name>/), verified offline by us and by the reference.

Each vector folder holds the badge, ``vector.json`` (its source, the verification time, the
URL prefixes served from its ``map/`` folders, the expected status and failed checks, the
reference verdicts and a note) and the documents the badge needs. Where the vector records a
Digital Bazaar verdict (``reference["digital-bazaar"]`` true or false), their verifier runs
too (tests/node) and must give that verdict; ours must give ``expected``. When both say
"valid"/true they agree; a vector whose verdicts differ says why in its note.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from site_builder.baking import PNG_KEYWORDS, PNG_MAGIC, png_texts
from site_builder.cli import main
from site_builder.verify import HttpFetcher, LocalSite, RoutedFetcher, parse_now, render_text, verify
from tests.support import node

VECTORS = Path(__file__).resolve().parent / "vectors"
NAMES = sorted(p.name for p in VECTORS.iterdir() if (p / "vector.json").is_file())
STATUSES = {"valid", "invalid", "revoked", "expired"}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: HttpFetcher, url: str, *args: object) -> None:
        raise AssertionError(f"a vector tried to fetch {url} over the network")

    monkeypatch.setattr(HttpFetcher, "fetch", refuse)


def spec(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name / "vector.json").read_text(encoding="utf-8"))


def test_every_vector_is_described() -> None:
    assert len(NAMES) >= 12
    for name in NAMES:
        data = spec(name)
        assert set(data) >= {"badge", "source", "now", "map", "expected", "reference", "note"}, name
        assert data["expected"]["status"] in STATUSES and data["source"] and data["note"], name
        assert (VECTORS / name / data["badge"]).is_file(), name
        for folder in data["map"].values():
            assert (VECTORS / name / folder).is_dir(), name


@pytest.mark.parametrize("name", NAMES)
def test_our_verdict(name: str) -> None:
    data = spec(name)
    folder = VECTORS / name
    sites = [LocalSite(prefix, folder / sub) for prefix, sub in data["map"].items()]
    report = verify(str(folder / data["badge"]), RoutedFetcher(sites), data.get("recipient"), parse_now(data["now"]))
    assert report.status == data["expected"]["status"], render_text(report)
    assert [c.name for c in report.checks if not c.ok] == data["expected"]["failed"], render_text(report)


def _credential(path: Path) -> dict[str, Any] | None:
    data = path.read_bytes()
    if data.startswith(PNG_MAGIC):
        texts = png_texts(data, PNG_KEYWORDS)
        text = next(texts[k] for k in PNG_KEYWORDS if k in texts)
    else:
        text = data.decode("utf-8")
    return json.loads(text) if text.lstrip().startswith("{") else None


@pytest.mark.parametrize("name", [n for n in NAMES if spec(n)["reference"].get("digital-bazaar") is not None])
def test_digital_bazaar_verdict(name: str) -> None:
    if not node.node_ready():
        pytest.skip(node.MISSING_MESSAGE)
    data = spec(name)
    folder = VECTORS / name
    credential = _credential(folder / data["badge"])
    assert credential is not None
    result = node.verify_ob3(credential, {p: folder / sub for p, sub in data["map"].items()}, now=data["now"])
    assert result["verified"] is data["reference"]["digital-bazaar"], result["errors"]
    if result["verified"] != (data["expected"]["status"] == "valid"):
        assert "badgesite" in data["note"], f"{name}: the verdicts differ and the note does not say why"


def test_cli_verifies_a_vector_with_map_and_now(capsys: pytest.CaptureFixture[str]) -> None:
    name = "ims-ob2-jws-typ-jwt"
    data, folder = spec(name), VECTORS / name
    maps = [arg for prefix, sub in data["map"].items() for arg in ("--map", f"{prefix}={folder / sub}")]
    assert main(["verify", str(folder / data["badge"]), *maps, "--now", data["now"], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == "2.0" and out["valid"] is True
